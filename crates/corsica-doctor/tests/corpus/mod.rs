//! A corpus of misconfigured CORS endpoints on one local HTTP/1.1 server
//! (hyper, keep-alive), one misconfiguration class per endpoint, plus
//! correct ones. Each endpoint trusts `https://app.example.com` the way
//! real code gets it wrong. The path's last segment names the endpoint
//! (`/x/reflect` and `/reflect` are the same), so a benchmark can ask for
//! a thousand distinct URLs.
//!
//! Shared by `tests/audit.rs` and `examples/misconfigured.rs` (the
//! benchmark's server).
#![allow(dead_code)] // each user takes a part

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::thread;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// The origin every endpoint means to trust.
pub const TRUSTED: &str = "https://app.example.com";

/// Endpoints and the classes `corsica audit` must find there (exactly).
pub const ENDPOINTS: &[(&str, &[&str])] = &[
    ("correct-exact", &[]),
    ("correct-static", &[]),
    ("correct-public", &["wildcard"]),
    ("correct-subdomains-listed", &[]),
    ("reflect", &["reflected-origin"]),
    ("null", &["null-origin"]),
    ("prefix", &["prefix-match"]),
    ("suffix", &["suffix-match"]),
    ("substring", &["substring-match"]),
    ("unescaped-dot", &["unescaped-dot"]),
    ("special", &["special-characters"]),
    ("subdomain", &["any-subdomain"]),
    ("insecure", &["insecure-origin"]),
    ("third-party", &["third-party-origin"]),
    ("wildcard", &["wildcard"]),
    ("invalid", &["invalid-value"]),
    ("missing-vary", &["missing-vary"]),
    ("crlf", &["crlf-injection"]),
    ("permissive-preflight", &["permissive-preflight"]),
    ("private", &["private-origin"]),
    ("reflect-preflight-only", &["reflected-origin"]),
];

fn host(origin: &str) -> &str {
    origin.split_once("://").map_or("", |(_, h)| h)
}

/// Whether the endpoint `name` lets `origin` in.
fn allowed(name: &str, origin: &str) -> bool {
    let h = host(origin);
    let https = origin.starts_with("https://");
    match name {
        "correct-exact"
        | "correct-static"
        | "missing-vary"
        | "crlf"
        | "permissive-preflight"
        | "invalid"
        | "reflect-preflight-only" => origin == TRUSTED,
        "correct-subdomains-listed" => {
            matches!(origin, TRUSTED | "https://admin.example.com")
        }
        "reflect" => true,
        "null" => origin == TRUSTED || origin == "null",
        "prefix" => origin.starts_with(TRUSTED),
        // `endsWith("example.com")`, without the dot.
        "suffix" => https && h.ends_with("example.com"),
        // `origin.includes("app.example.com")`
        "substring" => origin.contains("app.example.com"),
        // `^https://app.example.com$` as a regular expression.
        "unescaped-dot" => {
            https
                && h.len() == 15
                && h.bytes()
                    .zip(b"app.example.com".iter())
                    .all(|(a, b)| *b == b'.' || a == *b)
        }
        // The host as a lax parser cuts it: up to the first character
        // that is not a letter, digit, dot or dash.
        "special" => {
            let end = h
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(h.len());
            https && &h[..end] == "app.example.com"
        }
        "subdomain" => https && (h == "example.com" || h.ends_with(".example.com")),
        "insecure" => origin == TRUSTED || origin == "http://app.example.com",
        "third-party" => origin == TRUSTED || (https && h.ends_with(".github.io")),
        "private" => origin == TRUSTED || origin == "http://localhost:3000",
        _ => false,
    }
}

/// The answer of endpoint `name` to a request with `origin` (raw bytes)
/// and, for a preflight, the requested method and headers.
pub fn answer(
    name: &str,
    preflight: Option<(&str, &str)>,
    origin: Option<&[u8]>,
) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(if preflight.is_some() { 204 } else { 200 });
    let text = origin.map(|o| String::from_utf8_lossy(o).into_owned());
    let o = text.as_deref().unwrap_or("");
    let vary = name != "missing-vary";
    if vary {
        r = r.header("Vary", "Origin");
    }
    match name {
        "correct-static" => {
            r = r.header("Access-Control-Allow-Origin", TRUSTED);
        }
        "correct-public" | "wildcard" => {
            r = r.header("Access-Control-Allow-Origin", "*");
        }
        "invalid" => {
            r = r.header(
                "Access-Control-Allow-Origin",
                "https://app.example.com, https://admin.example.com",
            );
        }
        "crlf" => {
            // Writes the Origin into a debug header after percent-decoding
            // it and truncating each character to a byte, as old servers
            // did; a CR LF in there starts a header of its own.
            let decoded: String = o
                .replace("%0d", "\r")
                .replace("%0a", "\n")
                .replace("%20", " ")
                .chars()
                .map(|c| char::from((c as u32 & 0xff) as u8))
                .collect();
            let mut lines = decoded.split("\r\n");
            let first = lines.next().unwrap_or_default();
            if let Ok(v) = http::HeaderValue::from_bytes(first.as_bytes()) {
                r = r.header("X-Debug-Origin", v);
            }
            for line in lines {
                if let Some((n, v)) = line.split_once(':')
                    && let (Ok(n), Ok(v)) = (
                        http::HeaderName::from_bytes(n.trim().as_bytes()),
                        http::HeaderValue::from_str(v.trim()),
                    )
                {
                    r = r.header(n, v);
                }
            }
            if o == TRUSTED {
                r = r.header("Access-Control-Allow-Origin", TRUSTED);
            }
        }
        _ => {
            let let_in = allowed(name, o)
                || (name == "reflect-preflight-only" && preflight.is_some() && !o.is_empty());
            if let_in && !o.is_empty() {
                if let Ok(v) = http::HeaderValue::from_bytes(o.as_bytes()) {
                    r = r.header("Access-Control-Allow-Origin", v);
                    r = r.header("Access-Control-Allow-Credentials", "true");
                }
                if let Some((method, headers)) = preflight {
                    if name == "permissive-preflight" {
                        if let (Ok(m), Ok(h)) = (
                            http::HeaderValue::from_str(method),
                            http::HeaderValue::from_str(headers),
                        ) {
                            r = r
                                .header("Access-Control-Allow-Methods", m)
                                .header("Access-Control-Allow-Headers", h);
                        }
                    } else {
                        r = r
                            .header("Access-Control-Allow-Methods", "GET, POST, PUT")
                            .header("Access-Control-Allow-Headers", "Content-Type");
                    }
                }
            }
        }
    }
    let body = if preflight.is_some() {
        ""
    } else {
        "{\"ok\":true}"
    };
    r.body(Full::new(Bytes::from(body))).unwrap()
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let name = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let h = req.headers();
    let origin = h.get("origin").map(|v| v.as_bytes());
    let acrm = h
        .get("access-control-request-method")
        .and_then(|v| v.to_str().ok());
    let preflight = if req.method() == hyper::Method::OPTIONS {
        acrm.map(|m| {
            (
                m,
                h.get("access-control-request-headers")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default(),
            )
        })
    } else {
        None
    };
    if !ENDPOINTS.iter().any(|(n, _)| *n == name) {
        return Ok(Response::builder()
            .status(404)
            .body(Full::new(Bytes::from("no such endpoint")))
            .unwrap());
    }
    Ok(answer(&name, preflight, origin))
}

/// Serves the corpus on `listener` on a thread of its own (`threads`
/// runtime workers), forever.
pub fn serve(listener: TcpListener, threads: usize) {
    listener.set_nonblocking(true).unwrap();
    thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), hyper::service::service_fn(handle))
                        .await;
                });
            }
        });
    });
}

/// Starts the corpus on an ephemeral port of 127.0.0.1.
pub fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    serve(listener, 1);
    addr
}
