//! nginx: `map`s and a `server` block, to include inside `http { }`.
//!
//! The maps compute the policy's answer from the request (is it a
//! preflight, is the origin allowed, are the method and headers allowed);
//! the `server` answers preflights itself with `return` and adds the
//! headers with `add_header … always` to every answer: its own, the
//! upstream's, and nginx's own errors (502, 504).
//!
//! Where the usual snippet is wrong, and what this does instead:
//! - `add_header` inside `if ($request_method = OPTIONS)`: a block with
//!   its own `add_header` inherits none from outside, so the preflight
//!   answer loses `Access-Control-Allow-Origin` and every preflight fails.
//!   Here `if` only ever `return`s, and every `add_header` sits at the
//!   location level, inherited by those returns.
//! - `add_header` without `always` skips 4xx and 5xx answers, so an
//!   application error shows up in the console as a CORS error.
//! - `if ($http_origin ~ "example.com")` lets `https://example.com.evil.net`
//!   in. Here origins are matched by anchored regexes with escaped dots.
//! - no `Vary: Origin`: a cache serves one origin's answer to another.
//! - the upstream's own CORS headers are hidden (`proxy_hide_header`), so
//!   the answer never carries two `Access-Control-Allow-Origin` values.
//!
//! Refused: a method or header name with a `$` in it (`methods`,
//! `request_headers`, `expose_headers`): nginx reads `$` in a header value
//! as a variable and has no escape for it. Differences on requests
//! no browser sends: nginx 1.22 reads only the first line of a repeated
//! request header (`$http_…`), so a second `Origin` or
//! `Access-Control-Request-Headers` line is not seen (corsica rejects a
//! repeated `Origin`, and reads every header line); an empty `Origin` or
//! `Access-Control-Request-Method` counts as absent; the bounds on
//! `Access-Control-Request-Headers` (length, empty elements) are not
//! enforced.

use std::fmt::Write;

use super::regex::{self, TOKEN};
use super::{CORS_RESPONSE_HEADERS, ExportOptions, Facts, Refusal, Stack, banner, title_case};

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    // A `$` in a header value starts a variable, and nginx has no escape for
    // it. Methods and header names are tokens, which may hold one.
    [
        ("methods", &f.allow_methods),
        ("request_headers", &f.allow_headers),
        ("expose_headers", &f.expose_headers),
    ]
    .into_iter()
    .filter(|(_, value)| value.as_deref().is_some_and(|v| v.contains('$')))
    .map(|(key, value)| Refusal {
        key,
        message: format!(
            "nginx reads a `$` in a header value as the start of a variable and cannot escape \
             it (`{}`); rename it, or use Caddy",
            value.as_deref().unwrap_or_default()
        ),
    })
    .collect()
}

pub(super) fn render(f: &Facts<'_>, options: &ExportOptions) -> String {
    let mut out = banner("#", Stack::Nginx, f);
    out.push_str(
        "#
# Include this inside `http { }` (for example as /etc/nginx/conf.d/cors.conf).
# The maps compute the policy's answer for each request; the server answers
# preflights itself and adds the CORS headers to every other answer, error
# answers included. Every `$corsica_` variable belongs to this export: to
# include two exports in one `http { }`, rename the prefix in one of them.
#
# Why it looks like this (where the usual snippets go wrong):
# - no `add_header` inside `if`: a block with its own add_header inherits
#   none from outside, which is how the classic snippet's preflight answer
#   loses Access-Control-Allow-Origin. Here `if` only ever returns.
# - `always`: without it add_header skips 4xx and 5xx answers, and an
#   application error shows up in the browser as a CORS error.
# - origins are matched whole, by anchored regexes with escaped dots:
#   https://myapp.com.evil.net is not https://myapp.com.
# - `Vary` names Origin wherever the answer depends on it, so a cache never
#   serves one origin's answer to another.
# - the upstream's own CORS headers are hidden: the policy answers.
# - do not add `add_header` lines to the location below: nginx would then
#   drop these ones there. Put your own headers in the upstream instead.

",
    );

    // The origin.
    out.push_str(
        "# The value of Access-Control-Allow-Origin if the origin is allowed, else empty.\n",
    );
    if f.any_origin {
        out.push_str(
            "map $http_origin $corsica_allowed_origin {\n    \"\" \"\";\n    default \"*\";\n}\n",
        );
    } else {
        let _ = write!(
            out,
            "map $http_origin $corsica_allowed_origin {{\n    default \"\";\n    \"~^{}$\" $http_origin;\n}}\n",
            regex::origins(f.patterns)
        );
    }
    out.push_str(
        "map $corsica_allowed_origin $corsica_origin_ok {
    \"\" 0;
    default 1;
}

# A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
map $http_origin $corsica_has_origin {
    \"\" 0;
    default 1;
}
map $http_access_control_request_method $corsica_has_request_method {
    \"\" 0;
    default 1;
}
map \"$request_method $corsica_has_origin$corsica_has_request_method\" $corsica_preflight {
    \"~^OPTIONS 11$\" 1;
    default 0;
}

",
    );

    // Methods: byte-exact, as browsers compare them.
    out.push_str("# Methods a preflight may ask for, compared byte for byte as browsers do.\n");
    let methods = if f.methods.any {
        TOKEN.to_owned()
    } else {
        regex::names(f.accepted_methods())
    };
    let _ = write!(
        out,
        "map $http_access_control_request_method $corsica_method_ok {{\n    \"~^{methods}$\" 1;\n    default 0;\n}}\n\n"
    );

    // Request headers: a comma-separated list, case-insensitive.
    out.push_str("# Request headers a preflight may ask for (a comma-separated list, any case).\n");
    let name = header_name(f);
    let element = format!(r"[ \t]*(?:{name}[ \t]*)?");
    let _ = write!(
        out,
        "map $http_access_control_request_headers $corsica_headers_ok {{\n    \"\" 1;\n    \"~*^{element}(?:,{element})*$\" 1;\n    default 0;\n}}\n\n"
    );

    out.push_str(
        "# The legacy Private Network Access preflight.
map $http_access_control_request_private_network $corsica_private_network {
    \"~^true$\" 1;
    default 0;
}

# What the policy does with the request: pass it on (it is not a preflight),
# or answer the preflight: allow or reject it.
map \"$corsica_preflight:$corsica_origin_ok$corsica_method_ok$corsica_headers_ok$corsica_private_network\" $corsica_action {
    \"~^0:\" pass;
",
    );
    let allowed = if f.private_network { "111[01]" } else { "1110" };
    let _ = write!(
        out,
        "    \"~^1:{allowed}$\" allow;\n    default reject;\n}}\n\n"
    );

    // The header values, per action.
    out.push_str("# The headers of the answer (an empty value adds no header).\n");
    out.push_str(
        "map $corsica_action $corsica_acao {\n    reject \"\";\n    default $corsica_allowed_origin;\n}\n",
    );
    if f.credentials {
        out.push_str(
            "map $corsica_acao $corsica_acac {\n    \"\" \"\";\n    default \"true\";\n}\n",
        );
    }
    for (var, value) in [
        ("acam", &f.allow_methods),
        ("acah", &f.allow_headers),
        ("max_age", &f.max_age),
    ] {
        if let Some(value) = value {
            let _ = write!(
                out,
                "map $corsica_action $corsica_{var} {{\n    allow \"{value}\";\n    default \"\";\n}}\n"
            );
        }
    }
    if f.private_network {
        out.push_str(
            "map \"$corsica_action$corsica_private_network\" $corsica_acapn {\n    allow1 \"true\";\n    default \"\";\n}\n",
        );
    }
    if let Some(expose) = &f.expose_headers {
        let _ = write!(
            out,
            "map \"$corsica_action:$corsica_origin_ok\" $corsica_aceh {{\n    \"pass:1\" \"{expose}\";\n    default \"\";\n}}\n"
        );
    }
    let _ = write!(
        out,
        "map $corsica_action $corsica_vary {{\n    pass \"{}\";\n    default \"{}\";\n}}\n\n",
        f.vary.as_deref().unwrap_or(""),
        f.preflight_vary.as_deref().unwrap_or("")
    );

    // The server.
    let _ = write!(
        out,
        "server {{\n    listen {};\n\n    location / {{\n",
        options.listen_addr()
    );
    if f.passthrough {
        out.push_str(
            "        # Preflights go on to the application (preflight_passthrough), with the\n        # policy's headers added to its answer.\n",
        );
    } else {
        let _ = write!(
            out,
            "        # Preflights are answered here, with the headers below; never passed on.\n        if ($corsica_action = allow) {{\n            return {};\n        }}\n        if ($corsica_action = reject) {{\n            return {};\n        }}\n\n",
            f.preflight_status, f.rejected_status
        );
    }
    let _ = write!(
        out,
        "        proxy_pass {};\n        proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_set_header X-Forwarded-Proto $scheme;\n\n",
        options.upstream_url()
    );
    out.push_str("        # The policy answers, not the upstream.\n");
    for name in CORS_RESPONSE_HEADERS {
        let _ = writeln!(out, "        proxy_hide_header {name};");
    }
    out.push_str(
        "\n        # `always`: on every answer, errors (4xx, 5xx, nginx's own 502) included.\n",
    );
    let mut add = |name: &str, var: &str| {
        let _ = writeln!(
            out,
            "        add_header {} $corsica_{var} always;",
            title_case(name)
        );
    };
    add("access-control-allow-origin", "acao");
    if f.credentials {
        add("access-control-allow-credentials", "acac");
    }
    if f.allow_methods.is_some() {
        add("access-control-allow-methods", "acam");
    }
    if f.allow_headers.is_some() {
        add("access-control-allow-headers", "acah");
    }
    if f.max_age.is_some() {
        add("access-control-max-age", "max_age");
    }
    if f.private_network {
        add("access-control-allow-private-network", "acapn");
    }
    if f.expose_headers.is_some() {
        add("access-control-expose-headers", "aceh");
    }
    add("vary", "vary");
    out.push_str("    }\n}\n");
    out
}

/// One request-header name the policy allows, as a PCRE: the listed names,
/// or (with `*`) any token but the names `*` does not cover.
fn header_name(f: &Facts<'_>) -> String {
    let listed = regex::names(f.request_headers.names.iter().map(String::as_str));
    if !f.request_headers.any {
        return listed;
    }
    if f.not_covered_by_any.is_empty() {
        return TOKEN.to_owned();
    }
    // PCRE has lookahead: any token that is not one of the excluded names
    // (each name ends at optional whitespace, a comma or the end).
    let excluded = regex::names(f.not_covered_by_any.iter().copied());
    format!(r"(?:(?!{excluded}[ \t]*(?:,|$)){TOKEN})")
}
