//! [`Proxy`]: the service inside each route's CORS layer. It forwards a
//! request to the route's upstream and streams the answer back, or makes
//! the gateway's own error answer (431, 502, 504) in plain words; the
//! layer around it adds the CORS headers to every one of them.

use std::convert::Infallible;
use std::error::Error as _;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Uri, Version};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::Body;
use crate::config::{Route, Upstream};
use crate::metrics::{RouteMetrics, UpstreamError};

/// The HTTP client to one upstream.
pub(crate) type UpstreamClient = Client<HttpConnector, Incoming>;

/// Makes the client for an upstream: pooled keep-alive connections,
/// `TCP_NODELAY`, the connect timeout; HTTP/2 with prior knowledge (h2c)
/// when the route asks for it.
pub(crate) fn client(http2: bool, connect_timeout: Duration) -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(connect_timeout));
    connector.enforce_http(true);
    let mut builder = Client::builder(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .http2_only(http2);
    builder.build(connector)
}

/// Marks a request whose head is over `limits.max_header_bytes` (set by
/// the connection's service, answered 431 here, inside the CORS layer).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Oversize {
    pub(crate) bytes: usize,
    pub(crate) limit: usize,
}

/// The forwarding service of one route.
#[derive(Clone, Debug)]
pub(crate) struct Proxy {
    inner: Arc<ProxyInner>,
}

#[derive(Debug)]
struct ProxyInner {
    route: String,
    prefix: String,
    strip_prefix: bool,
    upstream: Upstream,
    client: UpstreamClient,
    timeout: Duration,
    timeout_key: &'static str,
    metrics: Arc<RouteMetrics>,
    /// A header added to every forwarded request (the demo's preset).
    extra: Option<(HeaderName, HeaderValue)>,
}

impl Proxy {
    pub(crate) fn new(
        route: &Route,
        client: UpstreamClient,
        request_timeout: Duration,
        metrics: Arc<RouteMetrics>,
    ) -> Proxy {
        Proxy {
            inner: Arc::new(ProxyInner {
                route: route.name.clone(),
                prefix: route.path.clone(),
                strip_prefix: route.strip_prefix,
                upstream: route.upstream.clone(),
                client,
                timeout: route.timeout.unwrap_or(request_timeout),
                timeout_key: if route.timeout.is_some() {
                    "the route's timeout"
                } else {
                    "limits.request_timeout"
                },
                metrics,
                extra: None,
            }),
        }
    }

    /// The same proxy, adding `name: value` to every forwarded request.
    pub(crate) fn with_header(self, name: HeaderName, value: HeaderValue) -> Proxy {
        let inner = &self.inner;
        Proxy {
            inner: Arc::new(ProxyInner {
                route: inner.route.clone(),
                prefix: inner.prefix.clone(),
                strip_prefix: inner.strip_prefix,
                upstream: inner.upstream.clone(),
                client: inner.client.clone(),
                timeout: inner.timeout,
                timeout_key: inner.timeout_key,
                metrics: inner.metrics.clone(),
                extra: Some((name, value)),
            }),
        }
    }
}

impl tower_service::Service<Request<Incoming>> for Proxy {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move { Ok(inner.forward(request).await) })
    }
}

/// Hop-by-hop headers (RFC 9110, section 7.6.1): they describe one
/// connection and are not forwarded.
static HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Removes the hop-by-hop headers, and those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    if let Some(connection) = headers.get(header::CONNECTION) {
        let named: Vec<HeaderName> = connection
            .to_str()
            .unwrap_or("")
            .split(',')
            .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
            .collect();
        for n in named {
            headers.remove(n);
        }
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

impl ProxyInner {
    async fn forward(&self, request: Request<Incoming>) -> Response<Body> {
        if let Some(o) = request.extensions().get::<Oversize>().copied() {
            return plain(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!(
                    "corsica gateway: the request's headers are {} bytes, over the gateway's limit of {} (limits.max_header_bytes); send fewer or shorter headers (large cookies are the usual cause)\n",
                    o.bytes, o.limit
                ),
            );
        }
        let (mut parts, body) = request.into_parts();
        parts.uri = match self.upstream_uri(&parts.uri) {
            Some(uri) => uri,
            None => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    "corsica gateway: the request's path cannot be forwarded\n".into(),
                );
            }
        };
        parts.version = if self.upstream.http2 {
            Version::HTTP_2
        } else {
            Version::HTTP_11
        };
        strip_hop_by_hop(&mut parts.headers);
        // The client writes `Host` from the upstream URI.
        parts.headers.remove(header::HOST);
        if let Some((name, value)) = &self.extra {
            parts.headers.insert(name.clone(), value.clone());
        }
        let started = Instant::now();
        let answer = tokio::time::timeout(
            self.timeout,
            self.client.request(Request::from_parts(parts, body)),
        )
        .await;
        match answer {
            Ok(Ok(response)) => {
                self.metrics.observe_latency(started.elapsed());
                let (mut parts, body) = response.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                Response::from_parts(parts, Body::upstream(body, self.metrics.clone()))
            }
            Ok(Err(e)) => {
                let cause = root_cause(&e);
                if request_body_failed(&e) {
                    // The client's own body broke (bad chunking, the client
                    // went away): not the upstream's fault.
                    tracing::info!(target: "corsica_gateway", route = %self.route, error = %cause, "request body could not be read: 400");
                    return plain(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "corsica gateway: the request's body could not be read ({cause}); the request was not passed on whole\n"
                        ),
                    );
                }
                if e.is_connect() {
                    self.metrics.upstream_error(UpstreamError::Connect);
                    tracing::warn!(target: "corsica_gateway", route = %self.route, upstream = %self.upstream.url, error = %cause, "upstream connection failed: 502");
                    plain(
                        StatusCode::BAD_GATEWAY,
                        format!(
                            "corsica gateway: route `{}` could not connect to its upstream {} ({cause}); check that the upstream is running and listening there\n",
                            self.route, self.upstream.url
                        ),
                    )
                } else {
                    self.metrics.upstream_error(UpstreamError::Closed);
                    tracing::warn!(target: "corsica_gateway", route = %self.route, upstream = %self.upstream.url, error = %cause, "upstream failed before answering: 502");
                    plain(
                        StatusCode::BAD_GATEWAY,
                        format!(
                            "corsica gateway: the upstream {} of route `{}` closed the connection before answering ({cause}); see the upstream's logs: it may have crashed or restarted\n",
                            self.upstream.url, self.route
                        ),
                    )
                }
            }
            Err(_elapsed) => {
                self.metrics.upstream_error(UpstreamError::Timeout);
                tracing::warn!(target: "corsica_gateway", route = %self.route, upstream = %self.upstream.url, timeout = ?self.timeout, "upstream did not answer in time: 504");
                plain(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "corsica gateway: the upstream {} of route `{}` did not answer within {} ({}); it may still be working on the request\n",
                        self.upstream.url,
                        self.route,
                        human(self.timeout),
                        self.timeout_key
                    ),
                )
            }
        }
    }

    /// The request's URI on the upstream: its base path, then the request
    /// path (without the route's prefix when `strip_prefix`), then the
    /// query.
    fn upstream_uri(&self, uri: &Uri) -> Option<Uri> {
        let path = uri.path();
        let rest = if self.strip_prefix && self.prefix != "/" {
            path.strip_prefix(&self.prefix).unwrap_or(path)
        } else {
            path
        };
        let mut pq = String::with_capacity(self.upstream.base_path.len() + uri.path().len() + 32);
        pq.push_str(&self.upstream.base_path);
        if !rest.starts_with('/') {
            pq.push('/');
        }
        pq.push_str(rest);
        if let Some(q) = uri.query() {
            pq.push('?');
            pq.push_str(q);
        }
        Uri::builder()
            .scheme(self.upstream.scheme.clone())
            .authority(self.upstream.authority.clone())
            .path_and_query(pq)
            .build()
            .ok()
    }
}

/// Whether the request failed because its body (from the client) did.
fn request_body_failed(e: &hyper_util::client::legacy::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_user()
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// The innermost error's message, worded for a person.
fn root_cause(e: &hyper_util::client::legacy::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    let mut last = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return match io.kind() {
                io::ErrorKind::ConnectionRefused => "connection refused".into(),
                io::ErrorKind::ConnectionReset => "connection reset".into(),
                io::ErrorKind::TimedOut => "connect timed out".into(),
                _ => io.to_string(),
            };
        }
        last = Some(s.to_string());
        source = s.source();
    }
    last.unwrap_or_else(|| e.to_string())
}

/// `30s`, `1.5s`, `250ms`.
pub(crate) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// A plain-text answer of the gateway's own.
pub(crate) fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::full(Bytes::from(text)));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_are_removed_with_those_connection_names() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("close, x-private"));
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("origin", HeaderValue::from_static("https://a.com"));
        strip_hop_by_hop(&mut h);
        let names: Vec<&str> = h.keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["origin"]);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_secs(30)), "30s");
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
    }
}
