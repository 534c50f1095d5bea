//! FastAPI (or any Starlette app): a module with `add_cors(app)`.
//!
//! `add_cors` wraps the app in Starlette's `CORSMiddleware`, configured
//! from the policy, and in front of it a small ASGI middleware that answers
//! a preflight the policy rejects with the policy's status and only `Vary`
//! (Starlette answers it with 400 and most of the CORS headers, without
//! `Access-Control-Allow-Origin`). Exact origins go to `allow_origins`,
//! wildcard patterns to `allow_origin_regex` (matched whole, with
//! `fullmatch`). It wraps the whole app instead of calling
//! `app.add_middleware`: middleware added that way runs inside Starlette's
//! `ServerErrorMiddleware`, so the 500 answer to an unhandled exception
//! would carry no CORS headers.
//!
//! Refused, because `CORSMiddleware` cannot say it:
//! - a policy without `max_age`: Starlette always sends
//!   `Access-Control-Max-Age` (600 by default); set it (browsers use 5
//!   seconds when it is absent);
//! - `methods = ["*"]`: Starlette turns `*` into a fixed list of eight
//!   methods, so any other method a policy's `*` allows is rejected;
//! - `request_headers` without `Accept`, `Accept-Language`,
//!   `Content-Language` and `Content-Type`: Starlette always allows these
//!   four (it adds them to `Access-Control-Allow-Headers`, and browsers then
//!   cache them as allowed); list them, or use `*`;
//! - `preflight_passthrough = true`.
//!
//! An allowed preflight is answered with 200 whatever `preflight_status`
//! says (browsers only require a 2xx). The answer to an actual request from
//! an origin the policy does not allow carries `Access-Control-Allow-
//! Credentials` and `Access-Control-Expose-Headers` (Starlette adds them to
//! every answer that has an `Origin`) but no `Access-Control-Allow-Origin`:
//! browsers read neither without it.

use std::fmt::Write;

use super::python::{preflight_check, py_bool, py_list, py_re, value_list};
use super::regex;
use super::{Facts, Refusal, Stack, banner};

/// The request headers `CORSMiddleware` always allows.
const ALWAYS_ALLOWED: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    let mut r = Vec::new();
    if f.max_age.is_none() {
        r.push(Refusal {
            key: "max_age",
            message: "Starlette's CORSMiddleware always sends Access-Control-Max-Age (600 seconds \
                      unless set); set max_age (browsers use 5 seconds when the policy leaves it out)"
                .to_owned(),
        });
    }
    if f.methods.any {
        r.push(Refusal {
            key: "methods",
            message: "Starlette's CORSMiddleware turns `*` into a fixed list (DELETE, GET, HEAD, \
                      OPTIONS, PATCH, POST, PUT, QUERY) and rejects any other method; list the \
                      methods"
                .to_owned(),
        });
    }
    if !f.request_headers.any {
        let missing: Vec<&str> = ALWAYS_ALLOWED
            .into_iter()
            .filter(|h| !f.request_headers.names.iter().any(|n| n == h))
            .collect();
        if !missing.is_empty() {
            r.push(Refusal {
                key: "request_headers",
                message: format!(
                    "Starlette's CORSMiddleware always allows Accept, Accept-Language, \
                     Content-Language and Content-Type (browsers then cache them as allowed); \
                     add {} to request_headers, or use another stack",
                    missing.join(", ")
                ),
            });
        }
    }
    if f.passthrough {
        r.push(Refusal {
            key: "preflight_passthrough",
            message: "Starlette's CORSMiddleware always answers preflights itself; remove the key"
                .to_owned(),
        });
    }
    r
}

/// Starlette's `max_age` when none is given.
const STARLETTE_MAX_AGE: i64 = 600;

/// Widens `config` to what `CORSMiddleware` can say (see
/// [`super::widen`]): Starlette's default `max_age` when there is none,
/// and the headers it always allows. Returns what changed.
pub(super) fn widen(config: &mut corsica::policy::PolicyConfig) -> Vec<String> {
    let mut changes = Vec::new();
    if config.max_age.is_none() {
        config.max_age = Some(STARLETTE_MAX_AGE);
        changes.push(format!(
            "max_age = {STARLETTE_MAX_AGE} (Starlette always sends Access-Control-Max-Age; this is its default)"
        ));
    }
    if !config.request_headers.iter().any(|h| h == "*") {
        let missing: Vec<&str> = ALWAYS_ALLOWED
            .into_iter()
            .filter(|h| {
                !config
                    .request_headers
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(h))
            })
            .collect();
        if !missing.is_empty() {
            config
                .request_headers
                .extend(missing.iter().map(|h| (*h).to_owned()));
            changes.push(format!(
                "request_headers gains {} (Starlette always allows them)",
                missing.join(", ")
            ));
        }
    }
    changes
}

pub(super) fn render(f: &Facts<'_>) -> String {
    let mut out = banner("#", Stack::Fastapi, f);
    out.push_str(
        "\"\"\"CORS for FastAPI or Starlette (Starlette's CORSMiddleware).

Save this file as cors_policy.py beside your app, then:

    from cors_policy import add_cors

    api = FastAPI()
    # ... your routes on `api` ...
    app = add_cors(api)  # serve this one: uvicorn main:app

add_cors wraps the whole app rather than calling app.add_middleware: the
middlewares added that way run inside Starlette's ServerErrorMiddleware, so
the 500 of an unhandled exception would carry no CORS headers, and the
browser would report a CORS error instead of the 500.

Why it looks like this (where the usual add_middleware call goes wrong):
- allow_origins=[\"*\"] with allow_credentials=True reflects every origin
  with credentials: never written;
- wildcard origins go to allow_origin_regex as one expression of labels
  (matched whole), never a hand-written .*;
- Starlette answers a rejected preflight with 400 and most of the CORS
  headers: the guard below answers it first, as the policy says;
- methods, request headers and max_age are written out: Starlette's
  defaults (GET only, no headers, 600 seconds) are not the policy's.
\"\"\"

import re

from starlette.middleware.cors import CORSMiddleware

",
    );
    let allow_origins = if f.any_origin {
        "[\"*\"]".to_owned()
    } else {
        py_list(f.exact_origins().iter().map(String::as_str))
    };
    let wildcards = f.wildcard_patterns();
    let allow_origin_regex = if wildcards.is_empty() {
        "None".to_owned()
    } else {
        py_re(&regex::origins(wildcards))
    };
    let _ = write!(
        out,
        "ALLOW_ORIGINS = {allow_origins}\nALLOW_ORIGIN_REGEX = {allow_origin_regex}  # matched whole (fullmatch)\n"
    );
    let origin_allowed = if f.any_origin {
        "True  # \"*\""
    } else {
        "origin in ALLOW_ORIGINS or (\n        ALLOW_ORIGIN_REGEX is not None and re.fullmatch(ALLOW_ORIGIN_REGEX, origin) is not None\n    )"
    };
    out.push_str(&preflight_check(f, origin_allowed));
    let allow_headers = if f.request_headers.any {
        "[\"*\"]".to_owned()
    } else {
        py_list(f.request_headers.names.iter().map(String::as_str))
    };
    let _ = write!(
        out,
        "

def add_cors(app):
    \"\"\"Wraps `app` (FastAPI, Starlette or any ASGI app) in the policy's CORS
    handling; serve what it returns.\"\"\"
    cors = CORSMiddleware(
        app,
        allow_origins=ALLOW_ORIGINS,
        allow_origin_regex=ALLOW_ORIGIN_REGEX,
        allow_credentials={credentials},
        # The policy's methods and the safelisted ones, which Starlette needs
        # to see listed to allow a preflight for them.
        allow_methods={methods},
        allow_headers={allow_headers},
        expose_headers={expose},
        max_age={max_age},
        allow_private_network={pna},
    )
    return PreflightGuard(cors)


class PreflightGuard:
    \"\"\"ASGI middleware: answers a preflight the policy rejects with
    {status} and only Vary, before CORSMiddleware.\"\"\"

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope[\"type\"] == \"http\" and scope[\"method\"] == \"OPTIONS\":
            headers = {{}}
            for name, value in scope[\"headers\"]:
                headers.setdefault(name.decode(\"latin-1\").lower(), value.decode(\"latin-1\"))
            if (
                \"origin\" in headers
                and \"access-control-request-method\" in headers
                and not _preflight_allowed(
                    headers[\"origin\"],
                    headers[\"access-control-request-method\"],
                    headers.get(\"access-control-request-headers\"),
                    headers.get(\"access-control-request-private-network\"),
                )
            ):
                await send(
                    {{
                        \"type\": \"http.response.start\",
                        \"status\": REJECTED_PREFLIGHT_STATUS,
                        \"headers\": [
                            (b\"vary\", PREFLIGHT_VARY.encode(\"latin-1\")),
                            (b\"content-length\", b\"0\"),
                        ],
                    }}
                )
                await send({{\"type\": \"http.response.body\", \"body\": b\"\"}})
                return
        await self.app(scope, receive, send)
",
        credentials = py_bool(f.credentials),
        methods = py_list(f.accepted_methods()),
        expose = py_list(value_list(&f.expose_headers)),
        max_age = f.max_age.as_deref().unwrap_or("600"),
        pna = py_bool(f.private_network),
        status = f.rejected_status,
    );
    out
}
