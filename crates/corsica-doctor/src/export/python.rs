//! Python pieces the Django, Flask and FastAPI outputs share: literals,
//! and the preflight check their libraries lack.
//!
//! django-cors-headers and flask-cors answer every preflight with 200,
//! whatever the origin, method or headers it asks for (the browser then
//! fails it); Starlette answers a rejected one with 400 and most of the
//! CORS headers. corsica's policy answers a rejected preflight with its own
//! status and only `Vary`. The check below decides that before the library
//! sees the request; each stack module hooks it in its own way (a Django
//! middleware, a WSGI wrapper, an ASGI middleware).

use std::fmt::Write;

use super::Facts;
use super::regex::{self, TOKEN};

/// A Python string literal.
pub(super) fn py(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A Python raw string literal for a regular expression (ours never hold a
/// `"` nor end with a backslash).
pub(super) fn py_re(s: &str) -> String {
    format!("r\"{s}\"")
}

/// A Python list of string literals.
pub(super) fn py_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(py).collect();
    format!("[{}]", items.join(", "))
}

/// A Python bool.
pub(super) fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The items of an `Access-Control-*` value the engine wrote.
pub(super) fn value_list(value: &Option<String>) -> Vec<&str> {
    value
        .as_deref()
        .map(|v| v.split(", ").collect())
        .unwrap_or_default()
}

/// The anchored origin expression (`\A(?:…)\Z`), or `None` for every origin.
pub(super) fn origin_re(f: &Facts<'_>) -> String {
    if f.any_origin {
        "None  # every origin".to_owned()
    } else {
        format!(
            "re.compile({})",
            py_re(&format!(r"\A{}\Z", regex::origins(f.patterns)))
        )
    }
}

/// The policy's preflight rules and `_preflight_allowed(origin, method,
/// request_headers, private_network)`, at module level (needs `import re`).
pub(super) fn preflight_check(f: &Facts<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# The policy's preflight rules, as corsica decides them.
_ORIGIN = {origin}
_METHODS = frozenset({methods})  # compared byte for byte, as browsers do
_ANY_METHOD = {any_method}
_REQUEST_HEADERS = frozenset({headers})  # lowercase
_ANY_REQUEST_HEADER = {any_header}
_NOT_COVERED_BY_ANY = frozenset({excluded})
_PRIVATE_NETWORK = {pna}
_TOKEN = re.compile({token})
PREFLIGHT_VARY = {preflight_vary}
REJECTED_PREFLIGHT_STATUS = {rejected}


def _preflight_allowed(origin, method, request_headers, private_network):
    \"\"\"Whether the policy allows a preflight from `origin` asking for
    `method` and the comma-separated `request_headers`.\"\"\"
    if _ORIGIN is not None and not _ORIGIN.match(origin):
        return False
    if method not in _METHODS and not (_ANY_METHOD and _TOKEN.match(method)):
        return False
    for name in (request_headers or \"\").split(\",\"):
        name = name.strip(\" \\t\").lower()
        if not name or name in _REQUEST_HEADERS:
            continue
        if not (_ANY_REQUEST_HEADER and name not in _NOT_COVERED_BY_ANY and _TOKEN.match(name)):
            return False
    return private_network != \"true\" or _PRIVATE_NETWORK
",
        origin = origin_re(f),
        methods = py_list(if f.methods.any {
            Vec::new()
        } else {
            f.accepted_methods()
        }),
        any_method = py_bool(f.methods.any),
        headers = py_list(f.request_headers.names.iter().map(String::as_str)),
        any_header = py_bool(f.request_headers.any),
        excluded = py_list(f.not_covered_by_any.iter().copied()),
        pna = py_bool(f.private_network),
        token = py_re(&format!(r"\A{TOKEN}\Z")),
        preflight_vary = py(f.preflight_vary.as_deref().unwrap_or("")),
        rejected = f.rejected_status,
    );
    out
}
