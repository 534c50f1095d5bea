//! The requests sent to every exported stack: origins the policy allows and
//! their lookalikes, `null`, methods, request headers, with and without
//! credentials, with and without a preflight.

use corsica::Policy;
use corsica::policy::PortRule;

use super::http::Request;

/// Origins to try: for each pattern, origins it allows and lookalikes
/// (a suffix, a prefix, the apex of a wildcard, the other scheme, another
/// port); then `null` and a stranger.
pub fn origins(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |o: String| {
        if !out.contains(&o) {
            out.push(o);
        }
    };
    for p in policy.origin_patterns() {
        let (scheme, host) = (p.scheme(), p.host());
        let port = match p.port() {
            PortRule::Exact(n) => format!(":{n}"),
            _ => String::new(),
        };
        let other_scheme = if scheme == "https" { "http" } else { "https" };
        if p.subdomains() {
            push(format!("{scheme}://app.{host}{port}"));
            push(format!("{scheme}://a.b.{host}{port}"));
            push(format!("{scheme}://{host}{port}"));
            push(format!("{scheme}://x.{host}.evil.net{port}"));
            push(format!("{scheme}://x{host}{port}"));
        } else {
            push(format!("{scheme}://{host}{port}"));
            push(format!("{scheme}://{host}.evil.net{port}"));
            push(format!("{scheme}://evil{host}{port}"));
        }
        let sub = if p.subdomains() { "app." } else { "" };
        push(format!("{other_scheme}://{sub}{host}{port}"));
        match p.port() {
            PortRule::Any => {
                push(format!("{scheme}://{sub}{host}:5173"));
                push(format!("{scheme}://{sub}{host}.evil.net:5173"));
            }
            PortRule::Exact(_) => push(format!("{scheme}://{sub}{host}")),
            PortRule::Default => push(format!("{scheme}://{sub}{host}:8443")),
        }
    }
    push("null".to_owned());
    push("https://evil.net".to_owned());
    out
}

fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> Request {
    Request {
        method: method.to_owned(),
        path: path.to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn preflight(origin: &str, method: &str, names: Option<&str>) -> Request {
    let mut r = req(
        "OPTIONS",
        "/",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", method),
        ],
    );
    if let Some(names) = names {
        r.headers.push((
            "Access-Control-Request-Headers".to_owned(),
            names.to_owned(),
        ));
    }
    r
}

/// The request headers the policy lists, as a browser names them in a
/// preflight: lowercase, sorted, joined by `,`.
fn listed_headers(policy: &Policy) -> Option<String> {
    let mut names: Vec<String> = policy
        .config()
        .request_headers
        .iter()
        .filter(|n| *n != "*")
        .map(|n| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| names.join(","))
}

/// Every request of the matrix for `policy`.
pub fn requests(policy: &Policy) -> Vec<Request> {
    let listed = listed_headers(policy);
    let listed_method = policy
        .config()
        .methods
        .iter()
        .find(|m| !matches!(m.as_str(), "GET" | "HEAD" | "POST" | "*"))
        .cloned()
        .unwrap_or_else(|| "PUT".to_owned());
    let mut out = vec![
        // Not CORS requests: only Vary matters.
        req("GET", "/", &[]),
        req("POST", "/error", &[]),
    ];
    for origin in origins(policy) {
        let o = origin.as_str();
        out.push(req("GET", "/", &[("Origin", o)]));
        out.push(req("GET", "/", &[("Origin", o), ("Cookie", "session=1")]));
        out.push(req(
            "POST",
            "/error",
            &[("Origin", o), ("Content-Type", "text/plain")],
        ));
        out.push(req("GET", "/throw", &[("Origin", o)]));
        out.push(preflight(o, &listed_method, None));
        out.push(preflight(o, "PUT", Some("content-type")));
        out.push(preflight(o, "DELETE", None));
        out.push(preflight(o, "PATCH", Some("x-custom")));
        out.push(preflight(o, "patch", None));
        out.push(preflight(o, "GET", Some("authorization")));
        out.push(preflight(o, "GET", Some("x-custom,x-other")));
        if let Some(names) = &listed {
            out.push(preflight(o, &listed_method, Some(names)));
            // Case and spaces as a proxy might rewrite them.
            let spaced = names.to_ascii_uppercase().replace(',', ", ");
            out.push(preflight(o, &listed_method, Some(&spaced)));
        }
        let mut pna = preflight(o, "GET", None);
        pna.headers.push((
            "Access-Control-Request-Private-Network".to_owned(),
            "true".to_owned(),
        ));
        out.push(pna);
        // A script's own OPTIONS request (no Access-Control-Request-Method).
        out.push(req("OPTIONS", "/", &[("Origin", o)]));
    }
    out
}
