//! Django with django-cors-headers: a settings module and a middleware.
//!
//! The output is one Python module, `cors_policy.py`, that a project's
//! `settings.py` star-imports (it exports only the `CORS_*` settings) and
//! whose `PreflightGuard` goes first in `MIDDLEWARE`. A settings fragment
//! is what Django users add to a project they already have, which is why
//! this is not a standalone app.
//!
//! What the usual settings get wrong, and what this does instead:
//! - `CORS_ALLOWED_ORIGIN_REGEXES` are matched with `re.match`, anchored at
//!   the start only: `^https://.*\.example\.com` lets
//!   `https://x.example.com.evil.net` in. Here every expression is `\A…\Z`
//!   and a subdomain is made of labels, never `.*`.
//! - `CORS_ALLOW_ALL_ORIGINS = True` with `CORS_ALLOW_CREDENTIALS = True`
//!   reflects every origin with credentials; corsica's policies never
//!   allow `*` with credentials, so this is never written.
//! - django-cors-headers answers every preflight with 200 and never checks
//!   the method or headers asked for: `PreflightGuard` answers a preflight
//!   the policy rejects first, with the policy's status and only `Vary`.
//! - `CORS_PREFLIGHT_MAX_AGE` defaults to 86400 and `CORS_ALLOW_HEADERS`
//!   to a list of six: both are always written.
//!
//! Refused: `max_age = 0` (django-cors-headers sends no
//! `Access-Control-Max-Age` when it is 0), `preflight_passthrough = true`
//! (it always answers preflights itself). An allowed preflight is answered
//! with 200 whatever `preflight_status` says (browsers only require a 2xx).

use std::fmt::Write;

use super::python::{preflight_check, py_bool, py_list, py_re, value_list};
use super::regex;
use super::{Facts, Refusal, Stack, banner};

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    let mut r = Vec::new();
    if f.max_age.as_deref() == Some("0") {
        r.push(Refusal {
            key: "max_age",
            message: "django-cors-headers sends no Access-Control-Max-Age when \
                      CORS_PREFLIGHT_MAX_AGE is 0, so browsers would cache preflights for 5 \
                      seconds instead of not at all; use max_age = 1, or leave it out"
                .to_owned(),
        });
    }
    if f.passthrough {
        r.push(Refusal {
            key: "preflight_passthrough",
            message: "django-cors-headers always answers preflights itself; remove the key"
                .to_owned(),
        });
    }
    r
}

pub(super) fn render(f: &Facts<'_>) -> String {
    let mut out = banner("#", Stack::Django, f);
    out.push_str(
        "\"\"\"CORS for Django with django-cors-headers (4.x).

Save this file beside settings.py as cors_policy.py, then in settings.py:

    from .cors_policy import *  # noqa: F401,F403 (only the CORS_* settings)

    INSTALLED_APPS += [\"corsheaders\"]
    MIDDLEWARE = [
        \"yourproject.cors_policy.PreflightGuard\",  # first: rejects preflights
        \"corsheaders.middleware.CorsMiddleware\",   # then the CORS headers
        *MIDDLEWARE,
    ]

and `pip install django-cors-headers`. Both middlewares go before anything
that can answer a request (CommonMiddleware, authentication), so that every
answer, errors included, carries the CORS headers.

Why it looks like this (where the usual settings go wrong):
- CORS_ALLOWED_ORIGIN_REGEXES are matched with re.match, anchored at the
  start only: ^https://.*\\.example\\.com lets https://x.example.com.evil.net
  in. Every expression here is anchored at both ends (\\A...\\Z), and a
  subdomain is made of labels, never .*;
- CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS reflects every origin
  with credentials: never written;
- django-cors-headers answers every preflight with 200 and never checks the
  method or headers asked for: PreflightGuard answers the ones the policy
  rejects, with no CORS headers;
- CORS_ALLOW_HEADERS and CORS_PREFLIGHT_MAX_AGE have defaults (six headers,
  one day) that are not the policy's: both are written.
\"\"\"

import re

__all__ = [
    \"CORS_ALLOW_ALL_ORIGINS\",
    \"CORS_ALLOWED_ORIGINS\",
    \"CORS_ALLOWED_ORIGIN_REGEXES\",
    \"CORS_ALLOW_CREDENTIALS\",
    \"CORS_ALLOW_METHODS\",
    \"CORS_ALLOW_HEADERS\",
    \"CORS_EXPOSE_HEADERS\",
    \"CORS_PREFLIGHT_MAX_AGE\",
    \"CORS_ALLOW_PRIVATE_NETWORK\",
    \"CORS_URLS_REGEX\",
]

",
    );
    let exact = f.exact_origins();
    let regexes: Vec<String> = f
        .wildcard_patterns()
        .into_iter()
        .map(|p| {
            format!(
                "    {},  # {p}\n",
                py_re(&format!(r"\A{}\Z", regex::origin_pattern(p)))
            )
        })
        .collect();
    let _ = write!(
        out,
        "CORS_ALLOW_ALL_ORIGINS = {any}
CORS_ALLOWED_ORIGINS = {exact}
CORS_ALLOWED_ORIGIN_REGEXES = [
{regexes}]
CORS_ALLOW_CREDENTIALS = {credentials}
CORS_ALLOW_METHODS = {methods}
CORS_ALLOW_HEADERS = {headers}
CORS_EXPOSE_HEADERS = {expose}
CORS_PREFLIGHT_MAX_AGE = {max_age}{max_age_note}
CORS_ALLOW_PRIVATE_NETWORK = {pna}
CORS_URLS_REGEX = r\"^.*$\"  # the whole site

",
        any = py_bool(f.any_origin),
        exact = py_list(exact.iter().map(String::as_str)),
        regexes = regexes.concat(),
        credentials = py_bool(f.credentials),
        methods = py_list(value_list(&f.allow_methods)),
        headers = py_list(value_list(&f.allow_headers)),
        expose = py_list(value_list(&f.expose_headers)),
        max_age = f.max_age.as_deref().unwrap_or("0"),
        max_age_note = if f.max_age.is_none() {
            "  # 0: no Access-Control-Max-Age"
        } else {
            ""
        },
        pna = py_bool(f.private_network),
    );
    let origin_allowed = if f.any_origin {
        "True  # CORS_ALLOW_ALL_ORIGINS".to_owned()
    } else {
        "origin in CORS_ALLOWED_ORIGINS or any(\n        re.match(p, origin) for p in CORS_ALLOWED_ORIGIN_REGEXES\n    )".to_owned()
    };
    out.push_str(&preflight_check(f, &origin_allowed));
    let _ = write!(
        out,
        "

class PreflightGuard:
    \"\"\"Answers a preflight the policy rejects with {status} and only Vary,
    before django-cors-headers (which would answer it with 200).\"\"\"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        headers = request.headers
        if (
            request.method == \"OPTIONS\"
            and \"origin\" in headers
            and \"access-control-request-method\" in headers
            and not _preflight_allowed(
                headers[\"origin\"],
                headers[\"access-control-request-method\"],
                headers.get(\"access-control-request-headers\"),
                headers.get(\"access-control-request-private-network\"),
            )
        ):
            from django.http import HttpResponse

            return HttpResponse(
                status=REJECTED_PREFLIGHT_STATUS,
                headers={{\"Vary\": PREFLIGHT_VARY, \"Content-Length\": \"0\"}},
            )
        return self.get_response(request)
",
        status = f.rejected_status,
    );
    out
}
