//! Flask with flask-cors: a module with `init_cors(app)`.
//!
//! `init_cors` configures flask-cors (6.x) and wraps the WSGI app in a
//! small guard that closes flask-cors's gaps:
//! - flask-cors answers every preflight with 200 (Flask's automatic OPTIONS
//!   answer) and never rejects one: the guard answers a preflight the
//!   policy rejects, with the policy's status and only `Vary`;
//! - flask-cors sends `Vary: Origin` only on answers to an allowed origin,
//!   and not even there when one exact origin is configured: the answer to
//!   any other origin (no `Access-Control-Allow-Origin`) can then be cached
//!   and served to the allowed one. The guard adds the policy's `Vary` to
//!   every answer.
//!
//! The flask-cors options are the safe ones: origins are one anchored,
//! compiled expression (a string with a `*` or a `[` would silently be
//! taken for a regular expression, and `re.match` anchors only the start);
//! `*` is sent as `*` (`send_wildcard`), not as the reflected origin;
//! `always_send` is off (it would answer requests without `Origin` with
//! the whole list of origins).
//!
//! Refused: `methods = ["*"]` (flask-cors compares the requested method
//! with the joined list as a substring, and `*` is not a wildcard there: the
//! preflight would get no `Access-Control-Allow-Methods`); a method that is
//! not all uppercase (flask-cors uppercases the list it sends and the method
//! asked for, while browsers compare `patch` and `PATCH` as different);
//! `preflight_passthrough = true`. An allowed preflight is answered with 200
//! whatever `preflight_status` says (browsers only require a 2xx).

use std::fmt::Write;

use super::python::{preflight_check, py, py_bool, py_list, py_re, value_list};
use super::regex;
use super::{Facts, Refusal, Stack, banner};

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    let mut r = Vec::new();
    if f.methods.any {
        r.push(Refusal {
            key: "methods",
            message: "flask-cors does not read `*` as any method (it looks the requested method \
                      up in the joined list as a substring), so preflights would get no \
                      Access-Control-Allow-Methods; list the methods"
                .to_owned(),
        });
    }
    let lower: Vec<&str> = f
        .methods
        .names
        .iter()
        .map(String::as_str)
        .filter(|m| m.bytes().any(|b| b.is_ascii_lowercase()))
        .collect();
    if !lower.is_empty() {
        r.push(Refusal {
            key: "methods",
            message: format!(
                "flask-cors uppercases the methods it sends and the method a preflight asks for, \
                 while browsers compare methods byte for byte (`patch` is not `PATCH`): {} would \
                 not be allowed as written; write it in uppercase if that is what your scripts send",
                lower.join(", ")
            ),
        });
    }
    if f.passthrough {
        r.push(Refusal {
            key: "preflight_passthrough",
            message: "flask-cors answers preflights through Flask's automatic OPTIONS answer; \
                      remove the key"
                .to_owned(),
        });
    }
    r
}

pub(super) fn render(f: &Facts<'_>) -> String {
    let mut out = banner("#", Stack::Flask, f);
    out.push_str(
        "\"\"\"CORS for Flask with flask-cors (6.x).

Save this file as cors_policy.py beside your app, `pip install flask-cors`,
then:

    from cors_policy import init_cors

    app = Flask(__name__)
    init_cors(app)

Why it looks like this (where the usual CORS(app, ...) call goes wrong):
- origins are one compiled expression anchored at both ends: a string with
  `*` or `[` in it is silently taken for an expression, and re.match anchors
  only the start (https://x.example.com.evil.net);
- `*` is sent as `*` (send_wildcard), not as the reflected origin;
- always_send is off: on, it answers requests without Origin with the list
  of origins;
- flask-cors answers every preflight with 200 and never rejects one: the
  guard below answers the ones the policy rejects, with no CORS headers;
- flask-cors sends Vary: Origin only on answers to an allowed origin (and not
  with a single exact origin): the guard adds it to every answer, so a cache
  never serves one origin's answer to another.
\"\"\"

import re

from flask_cors import CORS

",
    );
    let origins = if f.any_origin {
        out.push_str("# Every origin, without credentials: Access-Control-Allow-Origin: *.\nORIGINS = \"*\"\n");
        "ORIGINS".to_owned()
    } else {
        let _ = writeln!(
            out,
            "# The allowed origins, one expression anchored at both ends.\nORIGINS = re.compile({})",
            py_re(&format!(r"\A{}\Z", regex::origins(f.patterns)))
        );
        "[ORIGINS]".to_owned()
    };
    let _ = writeln!(
        out,
        "# The Vary the policy puts on answers other than preflights.\nVARY = {}",
        py(f.vary.as_deref().unwrap_or(""))
    );
    let origin_allowed = if f.any_origin {
        "True"
    } else {
        "ORIGINS.match(origin) is not None"
    };
    out.push_str(&preflight_check(f, origin_allowed));
    let allow_headers = if f.request_headers.any {
        "\"*\"".to_owned()
    } else if f.request_headers.names.is_empty() {
        "[]".to_owned()
    } else {
        let names = regex::names(f.request_headers.names.iter().map(String::as_str));
        format!(
            "[re.compile({}, re.IGNORECASE)]",
            py_re(&format!(r"\A{names}\Z"))
        )
    };
    let expose = if f.expose_headers.is_some() {
        py_list(value_list(&f.expose_headers))
    } else {
        "None".to_owned()
    };
    let max_age = f.max_age.as_deref().map_or("None".to_owned(), py);
    let _ = write!(
        out,
        "

def init_cors(app):
    \"\"\"Adds the policy's CORS headers to every answer of `app`.\"\"\"
    CORS(
        app,
        resources=r\"/*\",
        origins={origins},
        send_wildcard={any},
        always_send=False,
        vary_header=True,
        supports_credentials={credentials},
        # The policy's methods and the safelisted ones flask-cors needs to
        # see listed to answer a preflight for them.
        methods={methods},
        allow_headers={allow_headers},
        expose_headers={expose},
        max_age={max_age},  # a string: flask-cors drops a 0
        allow_private_network={pna},
    )
    app.wsgi_app = _Guard(app.wsgi_app)
    return app


def _with_vary(headers, vary):
    \"\"\"`headers` with every name of `vary` in its Vary header.\"\"\"
    have = {{
        n.strip().lower()
        for k, v in headers
        if k.lower() == \"vary\"
        for n in v.split(\",\")
    }}
    if \"*\" in have:
        return headers
    missing = [n for n in vary.split(\", \") if n and n.lower() not in have]
    if missing:
        headers = list(headers) + [(\"Vary\", \", \".join(missing))]
    return headers


class _Guard:
    \"\"\"WSGI middleware: rejects the preflights the policy rejects, and puts
    the policy's Vary on every answer.\"\"\"

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        preflight = (
            environ.get(\"REQUEST_METHOD\") == \"OPTIONS\"
            and \"HTTP_ORIGIN\" in environ
            and \"HTTP_ACCESS_CONTROL_REQUEST_METHOD\" in environ
        )
        vary = PREFLIGHT_VARY if preflight else VARY
        if preflight and not _preflight_allowed(
            environ[\"HTTP_ORIGIN\"],
            environ[\"HTTP_ACCESS_CONTROL_REQUEST_METHOD\"],
            environ.get(\"HTTP_ACCESS_CONTROL_REQUEST_HEADERS\"),
            environ.get(\"HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK\"),
        ):
            start_response(
                f\"{{REJECTED_PREFLIGHT_STATUS}} Rejected preflight\",
                [(\"Vary\", PREFLIGHT_VARY), (\"Content-Length\", \"0\")],
            )
            return [b\"\"]

        def vary_start_response(status, headers, exc_info=None):
            return start_response(status, _with_vary(headers, vary), exc_info)

        return self.app(environ, vary_start_response)
",
        any = py_bool(f.any_origin),
        credentials = py_bool(f.credentials),
        methods = py_list(f.accepted_methods()),
        pna = py_bool(f.private_network),
    );
    out
}
