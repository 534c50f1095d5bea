//! [`Proxy`]: the service inside each route's CORS layer. It forwards a
//! request to the route's upstream and streams the answer back, or makes
//! the gateway's own error answer (431, 502, 504) in plain words; the
//! layer around it adds the CORS headers to every one of them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Response, StatusCode, Uri, Version};
use hyper::body::Incoming;

use crate::body::Body;
use crate::config::{Route, Upstream};
use crate::head_timer::{HeadClock, RequestDeadline};
use crate::metrics::{RouteMetrics, UpstreamError};
use crate::upstream::{Sent, UpstreamClient};

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
    /// The client's IP address, set on the connection's copy by the
    /// connection's service (for `X-Forwarded-For`).
    peer: Option<HeaderValue>,
    /// The connection's clock, set on the connection's copy: the timeout
    /// of an HTTP/1.1 request is published there instead of registering a
    /// tokio timer per request (`head_timer`).
    clock: Option<Arc<HeadClock>>,
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
    /// The `Host` of the requests sent to an HTTP/1.1 upstream, made once
    /// per route.
    host: Option<HeaderValue>,
}

/// The `Host` an HTTP/1.1 client sends to `upstream`: its host, and its
/// port unless it is 80 (what hyper-util's client wrote).
fn upstream_host(upstream: &Upstream) -> Option<HeaderValue> {
    if upstream.http2 {
        // HTTP/2 names the authority in `:authority`, from the URI.
        return None;
    }
    let authority = &upstream.authority;
    let text = match authority.port_u16() {
        Some(port) if port != 80 => format!("{}:{port}", authority.host()),
        _ => authority.host().to_owned(),
    };
    HeaderValue::try_from(text).ok()
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
                host: upstream_host(&route.upstream),
            }),
            peer: None,
            clock: None,
        }
    }

    /// The address of the client whose requests this copy forwards.
    pub(crate) fn set_peer(&mut self, peer: Option<HeaderValue>) {
        self.peer = peer;
    }

    /// The clock of the connection whose requests this copy forwards.
    pub(crate) fn set_clock(&mut self, clock: Arc<HeadClock>) {
        self.clock = Some(clock);
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
                host: inner.host.clone(),
            }),
            peer: self.peer.clone(),
            clock: self.clock.clone(),
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

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        // The request is made ready here, before the future: the boxed
        // future then holds only what waits for the upstream (smaller,
        // fewer bytes moved at each step).
        let peer = self.peer.clone();
        // HTTP/1.1 serves one request at a time per connection, whose task
        // polls this future: the connection's clock can time it. An HTTP/2
        // stream runs in a task of its own: a tokio timer.
        let one_at_a_time = request.version() < Version::HTTP_2;
        if let Some(answer) = self.inner.prepare(&mut request, peer) {
            return Box::pin(std::future::ready(Ok(answer)));
        }
        let started = Instant::now();
        let deadline = started + self.inner.timeout;
        let timer = match &self.clock {
            Some(clock) if one_at_a_time => Timer::Clock {
                deadline: Some(clock.request_deadline(deadline)),
            },
            _ => Timer::Tokio {
                sleep: tokio::time::sleep_until(deadline.into()),
            },
        };
        Box::pin(Exchange {
            answer: self.inner.client.send(request),
            timer,
            inner: self.inner.clone(),
            started,
        })
    }
}

pin_project_lite::pin_project! {
    /// A forwarded request waiting for the upstream's answer (or the
    /// timeout). Written out rather than an `async` block, which would
    /// keep the request and the send future twice (captured, then awaited).
    struct Exchange<F> {
        #[pin]
        answer: F,
        #[pin]
        timer: Timer,
        inner: Arc<ProxyInner>,
        started: Instant,
    }
}

pin_project_lite::pin_project! {
    /// A forwarded request's timeout: on its connection's clock (HTTP/1.1:
    /// the connection's task polls the request), else a tokio timer (an
    /// HTTP/2 stream runs in a task of its own).
    #[project = TimerProj]
    enum Timer {
        Clock { deadline: Option<RequestDeadline> },
        Tokio { #[pin] sleep: tokio::time::Sleep },
    }
}

impl<F> Future for Exchange<F>
where
    F: Future<Output = Sent>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let answer = match this.answer.poll(cx) {
            Poll::Ready(sent) => Some(sent),
            Poll::Pending => {
                let timed_out = match this.timer.as_mut().project() {
                    TimerProj::Clock { deadline } => deadline.as_ref().is_some_and(|d| d.passed()),
                    TimerProj::Tokio { sleep } => sleep.poll(cx).is_ready(),
                };
                if !timed_out {
                    return Poll::Pending;
                }
                None
            }
        };
        // Withdrawn from the connection's clock as soon as it is over.
        if let TimerProj::Clock { deadline } = this.timer.project() {
            deadline.take();
        }
        Poll::Ready(Ok(this.inner.finish(answer, *this.started)))
    }
}

/// The hop-by-hop headers (RFC 9110, section 7.6.1): they describe one
/// connection and are not forwarded.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// [`HOP_BY_HOP`] as header names, in the same order.
static HOP_BY_HOP_NAMES: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Which of [`HOP_BY_HOP`] a header is (its bit), compared as strings (a
/// length switch, then the bytes): cheaper than comparing `HeaderName`s.
fn hop_by_hop_bit(name: &HeaderName) -> u8 {
    match name.as_str() {
        "connection" => 1,
        "keep-alive" => 1 << 1,
        "proxy-connection" => 1 << 2,
        "proxy-authenticate" => 1 << 3,
        "te" => 1 << 4,
        "trailer" => 1 << 5,
        "transfer-encoding" => 1 << 6,
        "upgrade" => 1 << 7,
        _ => 0,
    }
}

/// The names the `Connection` lines list (any case, spaces trimmed).
fn connection_tokens<'a>(
    connection: &header::GetAll<'a, HeaderValue>,
) -> impl Iterator<Item = &'a [u8]> {
    connection
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty())
}

/// Removes the hop-by-hop headers, and those the `Connection` header names
/// (every `Connection` line). One pass over the names finds them; the map
/// is only changed when there is something to remove (most requests carry
/// none; most answers only `Connection: keep-alive`), and then by the
/// hop-by-hop names found, without collecting them: removing eight names
/// one by one, each hashed, cost more than the rest of the forwarding
/// code, and collecting the names to remove cost an allocation per answer.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // The same pass looks at the `Connection` lines: the usual one, a
    // bare `keep-alive` or `close`, lists no other header, which spares
    // looking the lines up again and splitting them into names.
    let mut found = 0u8;
    let mut plain = true;
    for (name, value) in headers.iter() {
        let bit = hop_by_hop_bit(name);
        if bit == 1 {
            let v = value.as_bytes();
            plain &= v.eq_ignore_ascii_case(b"keep-alive") || v.eq_ignore_ascii_case(b"close");
        }
        found |= bit;
    }
    if found == 0 {
        // No `Connection` either, so no name it lists.
        return;
    }
    // A `Connection` that lists only hop-by-hop names (`keep-alive`,
    // `close`, `upgrade`): then only the hop-by-hop names found go.
    let lists_others = !plain && {
        let connection = headers.get_all(header::CONNECTION);
        connection_tokens(&connection).any(|t| {
            !t.eq_ignore_ascii_case(b"close")
                && !HOP_BY_HOP
                    .iter()
                    .any(|h| t.eq_ignore_ascii_case(h.as_bytes()))
        })
    };
    if lists_others {
        let connection = headers.get_all(header::CONNECTION);
        let doomed: Vec<HeaderName> = headers
            .keys()
            .filter(|n| {
                hop_by_hop_bit(n) != 0
                    || connection_tokens(&connection)
                        .any(|t| t.eq_ignore_ascii_case(n.as_str().as_bytes()))
            })
            .cloned()
            .collect();
        for name in doomed {
            headers.remove(name);
        }
        return;
    }
    for (bit, name) in HOP_BY_HOP_NAMES.iter().enumerate() {
        if found & (1 << bit) != 0 {
            headers.remove(name);
        }
    }
}

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Tells the upstream what the client asked for: `X-Forwarded-Host` (the
/// `Host` the client sent, `host`, which the caller took out of the map
/// as it put the upstream's in), `X-Forwarded-Proto`, and the client's address
/// appended to `X-Forwarded-For`. Added here, to forwarded requests only:
/// a preflight the layer answers never pays for them.
fn forwarded_headers(
    headers: &mut HeaderMap,
    host: Option<HeaderValue>,
    peer: Option<HeaderValue>,
) {
    // One growth of the map for the three, not one per insert.
    headers.reserve(3);
    if let Some(host) = host {
        headers.insert(X_FORWARDED_HOST.clone(), host);
    }
    headers.insert(X_FORWARDED_PROTO.clone(), HeaderValue::from_static("http"));
    if let Some(peer) = peer {
        // One lookup (the name hashed once) for both cases.
        match headers.entry(&X_FORWARDED_FOR) {
            header::Entry::Occupied(mut prior) => {
                let mut v = prior.get().as_bytes().to_vec();
                v.extend_from_slice(b", ");
                v.extend_from_slice(peer.as_bytes());
                if let Ok(v) = HeaderValue::from_bytes(&v) {
                    prior.insert(v);
                }
            }
            header::Entry::Vacant(slot) => {
                slot.insert(peer);
            }
        }
    }
}

impl ProxyInner {
    /// Makes the request ready to send upstream (its URI, version and
    /// headers made for the upstream), or gives the gateway's own answer
    /// when it cannot be sent.
    fn prepare(
        &self,
        request: &mut Request<Incoming>,
        peer: Option<HeaderValue>,
    ) -> Option<Response<Body>> {
        if let Some(o) = request.extensions().get::<Oversize>().copied() {
            return Some(too_large(o));
        }
        // Changed in place: the request is not moved (its head is a few
        // hundred bytes).
        let uri = request.uri_mut();
        match self.upstream_uri(std::mem::take(uri)) {
            Some(upstream) => *uri = upstream,
            None => return Some(unforwardable()),
        }
        *request.version_mut() = if self.upstream.http2 {
            Version::HTTP_2
        } else {
            Version::HTTP_11
        };
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        // `Host` names the upstream: made once for HTTP/1.1; for HTTP/2
        // the client writes `:authority` from the URI. The client's goes
        // to `X-Forwarded-Host`: taken out as it is replaced (one lookup).
        let client_host = match &self.host {
            Some(host) => headers.insert(header::HOST, host.clone()),
            None => headers.remove(header::HOST),
        };
        forwarded_headers(headers, client_host, peer);
        if let Some((name, value)) = &self.extra {
            headers.insert(name.clone(), value.clone());
        }
        None
    }

    /// The answer to send back, from what the upstream did: its answer,
    /// streamed, or the gateway's own 400, 502 or 504.
    /// The answer to the client: the upstream's, or the gateway's own
    /// error; `None` when the upstream did not answer in time.
    fn finish(&self, answer: Option<Sent>, started: Instant) -> Response<Body> {
        match answer {
            Some(Ok((mut response, checkin))) => {
                self.metrics.observe_latency(started.elapsed());
                strip_hop_by_hop(response.headers_mut());
                response.map(|body| Body::upstream(body, self.metrics.clone(), checkin))
            }
            Some(Err(e)) => self.failed(e),
            None => self.timed_out(),
        }
    }

    /// The gateway's own answer when the request could not be sent or got
    /// no answer. Out of line: the usual path has none of this code.
    #[cold]
    #[inline(never)]
    fn failed(&self, e: crate::upstream::Failure) -> Response<Body> {
        let cause = e.root_cause();
        if e.request_body_failed() {
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

    /// The 504 of a request the upstream did not answer in time.
    #[cold]
    #[inline(never)]
    fn timed_out(&self) -> Response<Body> {
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

    /// The request's URI on the upstream: its base path, then the request
    /// path (without the route's prefix when `strip_prefix`), then the
    /// query. In origin form (`/path?query`) for HTTP/1.1, what the
    /// request line carries; absolute for HTTP/2 (the client writes
    /// `:scheme` and `:authority` from it).
    fn upstream_uri(&self, uri: Uri) -> Option<Uri> {
        let rewrites =
            !self.upstream.base_path.is_empty() || (self.strip_prefix && self.prefix != "/");
        if !self.upstream.http2 && !rewrites {
            // The path and query as the client sent them: an origin-form
            // URI (what an HTTP/1.1 client sends) passes as it is, no copy.
            if uri.scheme().is_none() && uri.authority().is_none() {
                return Some(uri);
            }
            let mut parts = http::uri::Parts::default();
            parts.path_and_query = Some(
                uri.path_and_query()
                    .cloned()
                    .unwrap_or_else(|| PathAndQuery::from_static("/")),
            );
            return Uri::from_parts(parts).ok();
        }
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
        if !self.upstream.http2 {
            return Uri::try_from(pq).ok();
        }
        Uri::builder()
            .scheme(self.upstream.scheme.clone())
            .authority(self.upstream.authority.clone())
            .path_and_query(pq)
            .build()
            .ok()
    }
}

/// The 431 of a request whose head is over the gateway's limit.
#[cold]
#[inline(never)]
fn too_large(o: Oversize) -> Response<Body> {
    plain(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        format!(
            "corsica gateway: the request's headers are {} bytes, over the gateway's limit of {} (limits.max_header_bytes); send fewer or shorter headers (large cookies are the usual cause)\n",
            o.bytes, o.limit
        ),
    )
}

/// The 400 of a request whose path cannot be forwarded.
#[cold]
#[inline(never)]
fn unforwardable() -> Response<Body> {
    plain(
        StatusCode::BAD_REQUEST,
        "corsica gateway: the request's path cannot be forwarded\n".into(),
    )
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

    /// The names left once the hop-by-hop headers of `lines` are removed.
    fn after_strip(lines: &[(&'static str, &'static str)]) -> Vec<String> {
        let mut h = HeaderMap::new();
        for (name, value) in lines {
            h.append(*name, HeaderValue::from_static(value));
        }
        strip_hop_by_hop(&mut h);
        h.keys().map(|n| n.as_str().to_owned()).collect()
    }

    #[test]
    fn hop_by_hop_headers_are_removed_with_those_connection_names() {
        assert_eq!(
            after_strip(&[
                ("connection", "close, x-private"),
                ("x-private", "1"),
                ("keep-alive", "timeout=5"),
                ("transfer-encoding", "chunked"),
                ("origin", "https://a.com"),
            ]),
            ["origin"]
        );
        // Two `Connection` lines: the names of both go.
        assert_eq!(
            after_strip(&[
                ("connection", "x-one"),
                ("connection", "X-Two, keep-alive"),
                ("x-one", "1"),
                ("x-two", "2"),
                ("te", "trailers"),
                ("accept", "*/*"),
            ]),
            ["accept"]
        );
        // None: nothing changes.
        assert_eq!(
            after_strip(&[("accept", "*/*"), ("x-keep", "1")]),
            ["accept", "x-keep"]
        );
    }

    #[test]
    fn each_hop_by_hop_name_has_its_bit() {
        for (i, name) in HOP_BY_HOP.iter().enumerate() {
            assert_eq!(HOP_BY_HOP_NAMES[i].as_str(), *name);
            assert_eq!(hop_by_hop_bit(&HOP_BY_HOP_NAMES[i]), 1 << i);
        }
        assert_eq!(hop_by_hop_bit(&header::ORIGIN), 0);
        // Only `Connection: keep-alive`: both go, the rest stays.
        assert_eq!(
            after_strip(&[
                ("connection", "keep-alive"),
                ("keep-alive", "timeout=5"),
                ("content-type", "text/plain"),
            ]),
            ["content-type"]
        );
        // The previous X-Forwarded-For is kept, the client appended.
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        forwarded_headers(&mut h, None, Some(HeaderValue::from_static("127.0.0.1")));
        assert_eq!(h["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
        assert_eq!(h["x-forwarded-proto"], "http");
        let mut h = HeaderMap::new();
        forwarded_headers(
            &mut h,
            Some(HeaderValue::from_static("api.example.com")),
            Some(HeaderValue::from_static("127.0.0.1")),
        );
        assert_eq!(h["x-forwarded-for"], "127.0.0.1");
        assert_eq!(h["x-forwarded-host"], "api.example.com");
    }

    #[test]
    fn the_upstream_host_is_written_as_the_client_would() {
        let upstream = |url: &str, http2: bool| {
            let uri: Uri = url.parse().unwrap();
            Upstream {
                url: url.to_owned(),
                scheme: uri.scheme().unwrap().clone(),
                authority: uri.authority().unwrap().clone(),
                base_path: String::new(),
                http2,
            }
        };
        let host = |u: &Upstream| upstream_host(u).map(|h| h.to_str().unwrap().to_owned());
        assert_eq!(
            host(&upstream("http://127.0.0.1:3000", false)).as_deref(),
            Some("127.0.0.1:3000")
        );
        assert_eq!(
            host(&upstream("http://api.internal", false)).as_deref(),
            Some("api.internal")
        );
        assert_eq!(
            host(&upstream("http://api.internal:80", false)).as_deref(),
            Some("api.internal")
        );
        assert_eq!(
            host(&upstream("http://[::1]:8080", false)).as_deref(),
            Some("[::1]:8080")
        );
        assert_eq!(host(&upstream("http://127.0.0.1:3000", true)), None);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_secs(30)), "30s");
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
    }
}
