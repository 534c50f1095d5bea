//! Caddy 2: a Caddyfile site block.
//!
//! Caddy has no CORS directive; the usual snippet is a `header` line with
//! `Access-Control-Allow-Origin *` or `{header.Origin}` (reflecting every
//! origin) and an `@options method OPTIONS` that answers every OPTIONS with
//! 204. This block instead names the requests with matchers (a preflight,
//! an allowed preflight, a request from an allowed origin, origins matched
//! whole by anchored RE2 expressions), sets the headers with `header`
//! inside one `route` (so they apply in the order written, before the
//! answer: Caddy keeps them on its own errors too, such as a 502 when the
//! upstream is down), answers preflights with `respond`, and drops the
//! upstream's own CORS headers (`header_down`).
//!
//! Refused: nothing; Caddy expresses every policy. Go's RE2 has no
//! lookahead, so "any header but Authorization" is two matchers. The same
//! differences on requests no browser sends as nginx: the bounds on
//! `Access-Control-Request-Headers` are not enforced, and a repeated
//! request header matches if any of its lines does.

use std::fmt::Write;
use std::net::SocketAddr;

use super::regex::{self, TOKEN};
use super::{CORS_RESPONSE_HEADERS, ExportOptions, Facts, Refusal, Stack, banner, title_case};

pub(super) fn refusals(_: &Facts<'_>) -> Vec<Refusal> {
    Vec::new()
}

pub(super) fn render(f: &Facts<'_>, options: &ExportOptions) -> String {
    let mut out = banner("#", Stack::Caddy, f);
    out.push_str(
        "#
# A Caddyfile site block (Caddy 2): put it in your Caddyfile, or run it
# alone with `caddy run --config Caddyfile --adapter caddyfile`.
#
# Why it looks like this (where the usual snippets go wrong):
# - origins are matched whole, by anchored expressions with escaped dots,
#   never reflected blindly with {header.Origin};
# - a preflight is OPTIONS with Origin and Access-Control-Request-Method, not
#   every OPTIONS request, and one the policy rejects gets no CORS headers;
# - the headers are set before the upstream answers, so they are on its
#   errors and on Caddy's own (a 502 when the upstream is down) too;
# - `Vary` names Origin wherever the answer depends on it;
# - the upstream's own CORS headers are dropped: the policy answers.

",
    );
    let addr = options.listen_addr();
    let _ = write!(
        out,
        "http://:{} {{\n\tbind {}\n\n\troute {{\n",
        addr.port(),
        bind(addr)
    );

    let origin_matcher = if f.any_origin {
        "header Origin *".to_owned()
    } else {
        format!("header_regexp Origin `^{}$`", regex::origins(f.patterns))
    };
    out.push_str(
        "\t\t# A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
\t\t@corsica_preflight {
\t\t\tmethod OPTIONS
\t\t\theader Origin *
\t\t\theader Access-Control-Request-Method *
\t\t}
\t\t# A preflight the policy allows.
\t\t@corsica_preflight_allowed {
",
    );
    let allowed = allowed_preflight(f, &origin_matcher);
    out.push_str(&allowed);
    out.push_str("\t\t}\n");
    if f.private_network {
        out.push_str("\t\t@corsica_private_network {\n");
        out.push_str(&allowed);
        out.push_str("\t\t\theader Access-Control-Request-Private-Network true\n\t\t}\n");
    }
    let _ = write!(
        out,
        "\t\t# Any other request from an allowed origin.
\t\t@corsica_allowed {{
\t\t\t{origin_matcher}
\t\t\tnot {{
\t\t\t\tmethod OPTIONS
\t\t\t\theader Access-Control-Request-Method *
\t\t\t}}
\t\t}}

"
    );

    // Headers, in the order they apply; a later `header` replaces.
    if let Some(vary) = &f.vary {
        let _ = writeln!(out, "\t\theader Vary {}", quote(vary));
    }
    let acao = if f.any_origin {
        "*"
    } else {
        "{http.request.header.Origin}"
    };
    let mut actual = vec![("access-control-allow-origin", acao.to_owned())];
    if f.credentials {
        actual.push(("access-control-allow-credentials", "true".to_owned()));
    }
    if let Some(expose) = &f.expose_headers {
        actual.push(("access-control-expose-headers", expose.clone()));
    }
    header_block(&mut out, "@corsica_allowed", &actual);
    if let Some(vary) = &f.preflight_vary {
        let _ = writeln!(out, "\t\theader @corsica_preflight Vary {}", quote(vary));
    }
    let mut preflight = vec![("access-control-allow-origin", acao.to_owned())];
    for (name, value) in [
        (
            "access-control-allow-credentials",
            f.credentials.then(|| "true".to_owned()),
        ),
        ("access-control-allow-methods", f.allow_methods.clone()),
        ("access-control-allow-headers", f.allow_headers.clone()),
        ("access-control-max-age", f.max_age.clone()),
    ] {
        if let Some(value) = value {
            preflight.push((name, value));
        }
    }
    header_block(&mut out, "@corsica_preflight_allowed", &preflight);
    if f.private_network {
        out.push_str(
            "\t\theader @corsica_private_network Access-Control-Allow-Private-Network true\n",
        );
    }
    if f.passthrough {
        out.push_str("\n\t\t# Preflights go on to the application (preflight_passthrough).\n");
    } else {
        let _ = write!(
            out,
            "\n\t\t# Preflights are answered here, never passed on.\n\t\trespond @corsica_preflight_allowed {}\n\t\trespond @corsica_preflight {}\n",
            f.preflight_status, f.rejected_status
        );
    }

    let _ = write!(
        out,
        "\n\t\treverse_proxy {} {{\n\t\t\t# The policy answers, not the upstream.\n",
        options.upstream_url()
    );
    for name in CORS_RESPONSE_HEADERS {
        let _ = writeln!(out, "\t\t\theader_down -{name}");
    }
    out.push_str("\t\t}\n\t}\n}\n");
    out
}

/// The matchers of an allowed preflight, one per line.
fn allowed_preflight(f: &Facts<'_>, origin_matcher: &str) -> String {
    let mut m = String::new();
    let methods = if f.methods.any {
        TOKEN.to_owned()
    } else {
        regex::names(f.accepted_methods())
    };
    let _ = write!(
        m,
        "\t\t\tmethod OPTIONS\n\t\t\t{origin_matcher}\n\t\t\theader_regexp Access-Control-Request-Method `^{methods}$`\n"
    );
    let name = if f.request_headers.any {
        TOKEN.to_owned()
    } else {
        regex::names(f.request_headers.names.iter().map(String::as_str))
    };
    let element = format!(r"[ \t]*(?:{name}[ \t]*)?");
    // Absent, or a list of allowed names. (Several `not` in one matcher are
    // one `not` of their union: none of them may match.)
    let _ = write!(
        m,
        "\t\t\tnot {{\n\t\t\t\theader Access-Control-Request-Headers *\n\t\t\t\tnot header_regexp Access-Control-Request-Headers `(?i)^{element}(?:,{element})*$`\n\t\t\t}}\n"
    );
    if f.request_headers.any && !f.not_covered_by_any.is_empty() {
        // RE2 has no lookahead: a `*` that does not cover some names is
        // "any names" and "none of those".
        let excluded = regex::names(f.not_covered_by_any.iter().copied());
        let _ = writeln!(
            m,
            "\t\t\tnot header_regexp Access-Control-Request-Headers `(?i)(?:^|,)[ \\t]*{excluded}[ \\t]*(?:,|$)`"
        );
    }
    if !f.private_network {
        m.push_str("\t\t\tnot header Access-Control-Request-Private-Network true\n");
    }
    m
}

fn header_block(out: &mut String, matcher: &str, headers: &[(&str, String)]) {
    let _ = writeln!(out, "\t\theader {matcher} {{");
    for (name, value) in headers {
        let _ = writeln!(out, "\t\t\t{} {}", title_case(name), quote(value));
    }
    out.push_str("\t\t}\n");
}

/// A Caddyfile token: quoted when it holds a space or a comma.
fn quote(value: &str) -> String {
    if value.contains([' ', ',', '"']) {
        format!("\"{}\"", value.replace('"', "\\\""))
    } else {
        value.to_owned()
    }
}

/// The `bind` address: the IP (Caddy wants IPv6 without brackets).
fn bind(addr: SocketAddr) -> String {
    addr.ip().to_string()
}
