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
use super::regex::TOKEN;

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

/// The policy's preflight rules and `_preflight_allowed(origin, method,
/// request_headers, private_network)`, at module level (needs `import re`).
/// `origin_allowed` is a Python expression of `origin`, on the stack's own
/// origin settings, so that the origins are written once.
pub(super) fn preflight_check(f: &Facts<'_>, origin_allowed: &str) -> String {
    let methods = if f.methods.any {
        "_TOKEN.match(method) is not None  # `*`: any method".to_owned()
    } else {
        format!("method in {}", py_set(f.accepted_methods()))
    };
    let listed = format!(
        "name in {}",
        py_set(f.request_headers.names.iter().map(String::as_str))
    );
    let headers = match (f.request_headers.any, f.request_headers.names.is_empty()) {
        (false, _) => listed,
        (true, true) if f.not_covered_by_any.is_empty() => {
            "_TOKEN.match(name) is not None  # `*`: any header name".to_owned()
        }
        (true, true) => format!(
            "_TOKEN.match(name) is not None and name not in {}  # `*`: any name but these",
            py_set(f.not_covered_by_any.iter().copied())
        ),
        (true, false) => format!(
            "{listed} or (\n        # `*`: any header name but these.\n        _TOKEN.match(name) is not None and name not in {}\n    )",
            py_set(f.not_covered_by_any.iter().copied())
        ),
    };
    let pna = if f.private_network {
        "True".to_owned()
    } else {
        "private_network != \"true\"".to_owned()
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "PREFLIGHT_VARY = {preflight_vary}
REJECTED_PREFLIGHT_STATUS = {rejected}
_TOKEN = re.compile({token})


def _origin_allowed(origin):
    return {origin_allowed}


def _method_allowed(method):
    # Compared byte for byte, as browsers do; GET, HEAD and POST need no
    # listing.
    return {methods}


def _header_allowed(name):
    # `name` is lowercase.
    return {headers}


def _preflight_allowed(origin, method, request_headers, private_network):
    \"\"\"Whether the policy allows a preflight from `origin` asking for
    `method` and the comma-separated `request_headers`.\"\"\"
    if not _origin_allowed(origin) or not _method_allowed(method):
        return False
    for name in (request_headers or \"\").split(\",\"):
        name = name.strip(\" \\t\").lower()
        if name and not _header_allowed(name):
            return False
    return {pna}
",
        preflight_vary = py(f.preflight_vary.as_deref().unwrap_or("")),
        rejected = f.rejected_status,
        token = py_re(&format!(r"\A{TOKEN}\Z")),
    );
    out
}

/// A Python set literal of strings (`frozenset()` when empty).
fn py_set<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(py).collect();
    if items.is_empty() {
        "frozenset()".to_owned()
    } else {
        format!("{{{}}}", items.join(", "))
    }
}
