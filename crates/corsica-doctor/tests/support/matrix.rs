//! The requests sent to every exported stack: what scripts on origins the
//! policy allows, on their lookalikes and on `null` ask for (methods,
//! request headers, with and without credentials, bodies, errors), checked
//! with `corsica check`; and the raw requests no script can make (a
//! Private Network Access preflight, requests without `Origin`).

use std::net::SocketAddr;

use corsica::Policy;
use corsica::policy::PortRule;
use corsica_doctor::check::CheckRequest;
use corsica_doctor::export::Stack;
use corsica_doctor::why::unsafe_value;

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

/// The origins of [`origins`] a page can be on (the raw requests also
/// send values no browser would, such as `http://[::1].evil.net:3000`).
pub fn pages(policy: &Policy) -> Vec<String> {
    origins(policy)
        .into_iter()
        .filter(|o| o == "null" || corsica::Origin::parse(o).is_ok())
        .collect()
}

/// The requests no script can make, compared raw: without `Origin` (only
/// `Vary` matters), and the Private Network Access preflight.
pub fn requests(policy: &Policy) -> Vec<Request> {
    let mut out = vec![req("GET", "/", &[]), req("POST", "/error", &[])];
    for origin in origins(policy) {
        let mut pna = preflight(&origin, "GET", None);
        pna.headers.push((
            "Access-Control-Request-Private-Network".to_owned(),
            "true".to_owned(),
        ));
        out.push(pna);
    }
    out
}

/// What scripts on each origin of [`origins`] ask the server at `addr`:
/// plain reads with and without credentials, an error, a crash, the
/// policy's own method, JSON, methods and headers it may not allow, `patch`
/// in lowercase, `Authorization`, the headers it lists (with credentials
/// when it allows them), and a script's own OPTIONS request. Probes are off
/// except on one credentialed read per origin pattern's first origin.
pub fn script_requests(policy: &Policy, addr: SocketAddr, stack: Stack) -> Vec<CheckRequest> {
    let listed_method = policy
        .config()
        .methods
        .iter()
        .find(|m| !matches!(m.as_str(), "GET" | "HEAD" | "POST" | "*"))
        .cloned()
        .unwrap_or_else(|| "PUT".to_owned());
    let listed: Vec<String> = policy
        .config()
        .request_headers
        .iter()
        .filter(|n| *n != "*")
        .cloned()
        .collect();
    let credentials = policy.config().credentials;
    let url = |path: &str| format!("http://{addr}{path}");
    let mut out = Vec::new();
    let pages = pages(policy);
    let first_origins: Vec<String> = pages.iter().take(1).cloned().collect();
    for origin in pages {
        let base = |method: &str, path: &str| {
            let mut r = CheckRequest::new(url(path), &origin);
            r.method = method.to_owned();
            r.probes = false;
            r
        };
        out.push(base("GET", "/"));
        let mut creds = base("GET", "/");
        creds.credentials = true;
        creds.probes = first_origins.contains(&origin);
        out.push(creds);
        let mut error = base("POST", "/error");
        error.body = Some("{}".to_owned());
        out.push(error);
        out.push(base("GET", "/throw"));
        out.push(base(&listed_method, "/"));
        let mut json = base("PUT", "/");
        json.headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        json.body = Some("{}".to_owned());
        out.push(json);
        out.push(base("DELETE", "/"));
        let mut custom = base("PATCH", "/");
        custom.headers = vec![("X-Custom".to_owned(), "1".to_owned())];
        out.push(custom);
        out.push(base("patch", "/"));
        let mut auth = base("GET", "/");
        auth.headers = vec![("Authorization".to_owned(), "Bearer x".to_owned())];
        out.push(auth);
        let mut two = base("GET", "/");
        two.headers = vec![
            ("X-Custom".to_owned(), "1".to_owned()),
            ("X-Other".to_owned(), "2".to_owned()),
        ];
        out.push(two);
        if !listed.is_empty() {
            let mut all = base(&listed_method, "/");
            all.headers = listed
                .iter()
                .map(|n| (n.clone(), unsafe_value(n)))
                .collect();
            all.credentials = credentials;
            out.push(all);
        }
        out.push(base("OPTIONS", "/"));
    }
    out.retain(|r| parser_accepts(stack, &r.method));
    out
}

/// The methods Node's HTTP parser knows (`http.METHODS` in Node 20).
const NODE_METHODS: [&str; 35] = [
    "ACL",
    "BIND",
    "CHECKOUT",
    "CONNECT",
    "COPY",
    "DELETE",
    "GET",
    "HEAD",
    "LINK",
    "LOCK",
    "M-SEARCH",
    "MERGE",
    "MKACTIVITY",
    "MKCALENDAR",
    "MKCOL",
    "MOVE",
    "NOTIFY",
    "OPTIONS",
    "PATCH",
    "POST",
    "PROPFIND",
    "PROPPATCH",
    "PURGE",
    "PUT",
    "QUERY",
    "REBIND",
    "REPORT",
    "SEARCH",
    "SOURCE",
    "SUBSCRIBE",
    "TRACE",
    "UNBIND",
    "UNLINK",
    "UNLOCK",
    "UNSUBSCRIBE",
];

/// Whether the stack's HTTP server lets a request with `method` reach its
/// configuration at all. nginx answers a method outside `A-Z`, `_` and `-`
/// (a lowercase `patch`) with its own 400, before any `add_header`; Node
/// answers one it does not know the same way before Express runs (pinned
/// in `peer_quirks.rs`). No CORS configuration can answer those requests:
/// the browser gets a 400 without CORS headers, whatever the policy says.
pub fn parser_accepts(stack: Stack, method: &str) -> bool {
    match stack {
        Stack::Nginx => method
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b == b'-'),
        Stack::Express => NODE_METHODS.contains(&method),
        _ => true,
    }
}
