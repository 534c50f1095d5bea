//! The demo's upstream: a small JSON API that knows nothing about CORS,
//! unless a preset tells it to answer CORS itself, the way a
//! misconfigured server does.
//!
//! [`respond`] is a pure function of the request's method, path and
//! headers, so the playground's prediction runs the very code that
//! answers the browser.
//!
//! Endpoints: `GET /items`, `POST /items` (201), `PUT`, `PATCH`, `DELETE
//! /items/{id}`, any method on `/echo` (the request as JSON), `GET
//! /status/{code}` (that status), `GET /slow?ms=N` (answers after N
//! milliseconds, at most 60000); anything else is 404.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use super::presets::Preset;

/// The request header through which the lab tells the echo API which
/// preset to play.
pub(crate) const PRESET_HEADER: &str = "x-corsica-demo-preset";

/// What the echo API answers: status, headers in order, body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    fn new(status: u16, content_type: &str, body: String) -> Answer {
        Answer {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("content-length".into(), body.len().to_string()),
                ("x-request-id".into(), "demo-1".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body,
        }
    }

    fn json(status: u16, value: serde_json::Value) -> Answer {
        Answer::new(status, "application/json", value.to_string())
    }

    fn text(status: u16, body: &str) -> Answer {
        Answer::new(status, "text/plain; charset=utf-8", format!("{body}\n"))
    }

    /// The header list with `name` set to `value` (replacing).
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }
}

/// The request as the echo API sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seen<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    /// Header lines, names lowercase.
    pub(crate) headers: &'a [(String, String)],
}

impl Seen<'_> {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.header("access-control-request-method").is_some()
    }
}

/// The API's own answer, before any preset's CORS handling.
fn api(seen: &Seen<'_>) -> Answer {
    let segments: Vec<&str> = seen.path.trim_matches('/').split('/').collect();
    match (seen.method, segments.as_slice()) {
        ("GET" | "HEAD", ["items"]) => Answer::json(
            200,
            serde_json::json!([{"id": 1, "name": "apple"}, {"id": 2, "name": "pear"}]),
        ),
        ("POST", ["items"]) => Answer::json(201, serde_json::json!({"id": 3, "created": true})),
        ("PUT" | "PATCH" | "patch" | "DELETE", ["items", id]) => Answer::json(
            200,
            serde_json::json!({"id": id, "method": seen.method, "ok": true}),
        ),
        (_, ["echo"]) => Answer::json(
            200,
            serde_json::json!({
                "method": seen.method,
                "path": seen.path,
                "origin": seen.header("origin"),
            }),
        ),
        ("GET" | "HEAD", ["status", code]) => match code.parse::<u16>() {
            Ok(c) if (200..=599).contains(&c) => {
                Answer::text(c, &format!("the API answered {c} on purpose"))
            }
            _ => Answer::text(400, "status must be 200 to 599"),
        },
        ("GET" | "HEAD", ["slow"]) => Answer::text(200, "slow answer"),
        // An API framework without an OPTIONS handler.
        ("OPTIONS", _) => {
            let mut a = Answer::text(405, "method not allowed");
            a.set("allow", "GET, POST, PUT, PATCH, DELETE");
            a
        }
        (_, ["items"] | ["items", _]) => {
            let mut a = Answer::text(405, "method not allowed");
            a.set("allow", "GET, POST, PUT, PATCH, DELETE");
            a
        }
        _ => Answer::text(404, "no such endpoint"),
    }
}

/// What the echo API answers to `seen`: its own answer, with the preset's
/// CORS handling when one is in play. `page` is the playground's origin
/// (the origin a preset's hard-coded `Access-Control-Allow-Origin` names).
pub(crate) fn respond(preset: Option<&Preset>, seen: &Seen<'_>, page: &str) -> Answer {
    let answer = api(seen);
    match preset.and_then(|p| p.server) {
        Some(server) => server(seen, answer, page),
        None => answer,
    }
}

/// How long `/slow` waits.
fn delay(seen: &Seen<'_>) -> Option<Duration> {
    if seen.path.trim_matches('/') != "slow" {
        return None;
    }
    let ms = seen
        .query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("ms="))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1000)
        .min(60_000);
    Some(Duration::from_millis(ms))
}

/// Serves the echo API on `listener` until the task is dropped.
pub(crate) async fn serve(listener: TcpListener, page: Arc<str>) {
    let builder = Arc::new(auto::Builder::new(TokioExecutor::new()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let page = page.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |r: Request<hyper::body::Incoming>| {
                let page = page.clone();
                async move { Ok::<_, Infallible>(handle(r, &page).await) }
            });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(request: Request<hyper::body::Incoming>, page: &str) -> Response<Full<Bytes>> {
    let (parts, mut body) = request.into_parts();
    // Read the request body to its end, so keep-alive works, frame by frame
    // without keeping any: a body of any size costs no memory.
    while let Some(Ok(_)) = body.frame().await {}
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let seen = Seen {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &headers,
    };
    let preset = seen.header(PRESET_HEADER).and_then(super::presets::find);
    if let Some(d) = delay(&seen) {
        tokio::time::sleep(d).await;
    }
    let answer = respond(preset, &seen, page);
    let mut response = Response::new(Full::new(Bytes::from(if parts.method == Method::HEAD {
        String::new()
    } else {
        answer.body
    })));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (n, v) in answer.headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(n.as_bytes()),
            http::HeaderValue::from_str(&v),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen<'a>(method: &'a str, path: &'a str, headers: &'a [(String, String)]) -> Seen<'a> {
        Seen {
            method,
            path,
            query: None,
            headers,
        }
    }

    #[test]
    fn endpoints_answer() {
        assert_eq!(api(&seen("GET", "/items", &[])).status, 200);
        assert_eq!(api(&seen("POST", "/items", &[])).status, 201);
        assert_eq!(api(&seen("PUT", "/items/1", &[])).status, 200);
        assert_eq!(api(&seen("patch", "/items/1", &[])).status, 200);
        assert_eq!(api(&seen("GET", "/status/503", &[])).status, 503);
        assert_eq!(api(&seen("OPTIONS", "/items", &[])).status, 405);
        assert_eq!(api(&seen("GET", "/nope", &[])).status, 404);
        let a = api(&seen("GET", "/items", &[]));
        assert_eq!(
            a.headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .unwrap()
                .1,
            a.body.len().to_string()
        );
    }
}
