//! [`UpstreamClient`]: the connections to one upstream.
//!
//! For an HTTP/1.1 upstream, a pool of hyper `client::conn::http1`
//! connections owned by the gateway ([`Http1Pool`]): a stack of idle
//! connections behind a mutex, taken for one request and given back when
//! the answer's body has been read to its end. It replaces hyper-util's
//! legacy client, whose bookkeeping (a pool keyed by a hashed
//! scheme-and-authority, waiters, a task spawned per request to return
//! the connection) was about a quarter of a proxied GET's instructions
//! (BENCHMARKS.md, "Where the CPU goes"). For an h2c upstream, hyper-util's
//! legacy client: one HTTP/2 connection carries every request there, so
//! its per-request bookkeeping is small.
//!
//! What the pool keeps of the legacy client's behaviour: keep-alive
//! connections reused most recent first, `TCP_NODELAY`, the connect
//! timeout, idle connections closed after about a minute, and a request
//! that a reused connection could not even start to send (the upstream
//! closed it while it was idle) sent again on another connection.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use http::uri::Authority;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;

/// How often the pool looks for connections idle too long.
const IDLE_TICK: Duration = Duration::from_secs(15);
/// A connection idle for this many ticks (45 to 60 s) is closed (the
/// legacy client's pool closed them after 60 s).
const IDLE_TICKS: u32 = 4;
/// At most this many idle connections are kept per upstream; more are
/// closed after their request.
const MAX_IDLE: usize = 1024;

/// The client of one upstream: shared (cheaply cloned) by the routes and
/// the configuration generations that name the same upstream, so a reload
/// keeps the warm connections.
#[derive(Clone, Debug)]
pub(crate) enum UpstreamClient {
    /// HTTP/1.1: the gateway's own pool.
    Http1(Arc<Http1Pool>),
    /// h2c (HTTP/2 with prior knowledge): hyper-util's client.
    Http2(Arc<Client<HttpConnector, Incoming>>),
}

impl UpstreamClient {
    /// The client for the upstream at `authority` (`http` scheme).
    pub(crate) fn new(authority: &Authority, http2: bool, connect_timeout: Duration) -> Self {
        if http2 {
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            connector.set_connect_timeout(Some(connect_timeout));
            connector.enforce_http(true);
            let mut builder = Client::builder(TokioExecutor::new());
            builder
                .timer(TokioTimer::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(60))
                .http2_only(true);
            UpstreamClient::Http2(Arc::new(builder.build(connector)))
        } else {
            UpstreamClient::Http1(Arc::new(Http1Pool::new(authority, connect_timeout)))
        }
    }

    /// Sends `request` (origin-form URI and `Host` for HTTP/1.1, absolute
    /// URI for HTTP/2) and waits for the answer's head. For HTTP/1.1 the
    /// answer comes with the connection, to give back to the pool when
    /// its body has been read ([`Checkin`]). Not an `async fn`: the future
    /// is made here, holding the request once (each `async fn` layer would
    /// keep its own copy of it for the whole exchange).
    pub(crate) fn send(
        &self,
        request: Request<Incoming>,
    ) -> impl Future<Output = Sent> + Send + 'static {
        match self {
            UpstreamClient::Http1(pool) => Sending::Http1 {
                future: Http1Pool::send(pool.clone(), request),
            },
            UpstreamClient::Http2(client) => Sending::Http2 {
                future: client.request(request),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`UpstreamClient::send`].
    #[project = SendingProj]
    enum Sending<F> {
        Http1 { #[pin] future: F },
        Http2 { future: hyper_util::client::legacy::ResponseFuture },
    }
}

impl<F> Future for Sending<F>
where
    F: Future<Output = Result<(Response<Incoming>, Checkin), Failure>>,
{
    type Output = Sent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SendingProj::Http1 { future } => future
                .poll(cx)
                .map(|r| r.map(|(response, checkin)| (response, Some(checkin)))),
            SendingProj::Http2 { future } => Pin::new(future)
                .poll(cx)
                .map(|r| r.map(|response| (response, None)).map_err(Failure::Legacy)),
        }
    }
}

/// What [`UpstreamClient::send`] gives: the answer's head (with the
/// connection to give back, for HTTP/1.1), or why there is none.
pub(crate) type Sent = Result<(Response<Incoming>, Option<Checkin>), Failure>;

/// Why a request could not be sent or got no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No connection could be made (refused, timed out, the name did not
    /// resolve).
    Connect(io::Error),
    /// The connection failed after it was made: closed or reset before
    /// the answer, an answer that is not HTTP, or the client's own body
    /// broke while it was being passed on.
    Http(hyper::Error),
    /// The HTTP/2 client's error.
    Legacy(hyper_util::client::legacy::Error),
}

impl Failure {
    /// Whether no connection could be made.
    pub(crate) fn is_connect(&self) -> bool {
        match self {
            Failure::Connect(_) => true,
            Failure::Http(_) => false,
            Failure::Legacy(e) => e.is_connect(),
        }
    }

    fn error(&self) -> &(dyn std::error::Error + 'static) {
        match self {
            Failure::Connect(e) => e,
            Failure::Http(e) => e,
            Failure::Legacy(e) => e,
        }
    }

    /// Whether the request failed because its body (from the client) did.
    pub(crate) fn request_body_failed(&self) -> bool {
        let mut source = Some(self.error());
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

    /// The innermost error's message, worded for a person: `connection
    /// refused`, `connection reset`, `connect timed out`, `connection
    /// closed before message completed`.
    pub(crate) fn root_cause(&self) -> String {
        let mut source = Some(self.error());
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
            last = Some(s);
            source = s.source();
        }
        last.map_or_else(|| self.error().to_string(), |s| s.to_string())
    }
}

/// An idle connection and the tick at which it became idle.
struct Idle {
    sender: http1::SendRequest<Incoming>,
    tick: u32,
}

/// The idle HTTP/1.1 connections to one upstream.
pub(crate) struct Http1Pool {
    host: String,
    port: u16,
    /// The address when the host is an IP literal (no name to resolve).
    addr: Option<SocketAddr>,
    connect_timeout: Duration,
    /// Most recently used last.
    idle: Mutex<Vec<Idle>>,
    /// Advanced every [`IDLE_TICK`] by the reaper.
    tick: AtomicU32,
    reaper: AtomicBool,
}

impl std::fmt::Debug for Http1Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http1Pool")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// A connection lent to one request, given back to its pool when the
/// answer's body has been read to its end (then the connection is ready
/// for the next request). Dropped otherwise, which closes the connection:
/// an answer not read whole leaves it unusable.
pub(crate) struct Checkin {
    pool: Arc<Http1Pool>,
    sender: http1::SendRequest<Incoming>,
}

impl std::fmt::Debug for Checkin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkin").finish_non_exhaustive()
    }
}

impl Checkin {
    /// Gives the connection back to its pool: at once when it is ready for
    /// another request (the usual case: the connection's task has read the
    /// answer's end before the body passed it on), else once it is.
    pub(crate) fn done(self) {
        let Checkin { pool, mut sender } = self;
        if sender.is_ready() {
            pool.put(sender);
        } else if !sender.is_closed()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if poll_fn(|cx| sender.poll_ready(cx)).await.is_ok() {
                    pool.put(sender);
                }
            });
        }
    }
}

impl Http1Pool {
    fn new(authority: &Authority, connect_timeout: Duration) -> Http1Pool {
        let host = authority.host();
        let port = authority.port_u16().unwrap_or(80);
        // `[::1]` in a URL, `::1` as an address.
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Http1Pool {
            host: literal.to_owned(),
            port,
            addr: literal
                .parse::<std::net::IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, port)),
            connect_timeout,
            idle: Mutex::new(Vec::new()),
            tick: AtomicU32::new(0),
            reaper: AtomicBool::new(false),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently used idle connection that is still open.
    fn take(&self) -> Option<http1::SendRequest<Incoming>> {
        let mut idle = self.idle();
        while let Some(i) = idle.pop() {
            if !i.sender.is_closed() {
                return Some(i.sender);
            }
        }
        None
    }

    /// Puts a connection ready for a request among the idle ones.
    fn put(self: &Arc<Self>, sender: http1::SendRequest<Incoming>) {
        let tick = self.tick.load(Ordering::Relaxed);
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE {
            idle.push(Idle { sender, tick });
        }
        drop(idle);
        if !self.reaper.load(Ordering::Relaxed) {
            self.start_reaper();
        }
    }

    /// Starts the task that closes connections idle too long (once, from
    /// inside the runtime: the pool may be made outside it, by a reload
    /// the file watcher's thread runs).
    fn start_reaper(self: &Arc<Self>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.reaper.swap(true, Ordering::Relaxed) {
            return;
        }
        let pool: Weak<Http1Pool> = Arc::downgrade(self);
        runtime.spawn(async move {
            let mut every = tokio::time::interval(IDLE_TICK);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            every.tick().await;
            loop {
                every.tick().await;
                let Some(pool) = pool.upgrade() else { return };
                let now = pool.tick.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
                pool.idle()
                    .retain(|i| now.wrapping_sub(i.tick) < IDLE_TICKS && !i.sender.is_closed());
            }
        });
    }

    /// Opens a connection and starts its task.
    async fn connect(&self) -> Result<http1::SendRequest<Incoming>, Failure> {
        let stream = tokio::time::timeout(self.connect_timeout, self.tcp())
            .await
            .map_err(|_| {
                Failure::Connect(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))
            })?
            .map_err(Failure::Connect)?;
        let _ = stream.set_nodelay(true);
        // One buffer per write, as for the gateway's own answers
        // (`server.rs`: fewer instructions and instruction-cache lines
        // per request than the vectored writes hyper picks for TCP).
        let (sender, connection) = http1::Builder::new()
            .writev(false)
            .handshake(TokioIo::new(stream))
            .await
            .map_err(Failure::Http)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(target: "corsica_gateway", error = %e, "upstream connection ended with an error");
            }
        });
        Ok(sender)
    }

    /// A TCP connection to the first of the upstream's addresses that
    /// accepts one.
    async fn tcp(&self) -> io::Result<TcpStream> {
        if let Some(addr) = self.addr {
            return TcpStream::connect(addr).await;
        }
        let mut last = None;
        for addr in tokio::net::lookup_host((self.host.as_str(), self.port)).await? {
            match TcpStream::connect(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("the name {} has no address", self.host),
            )
        }))
    }

    /// Sends `request` on an idle connection, or on a new one when none
    /// is idle. A request that a reused connection could not start to
    /// send (it was closed while idle) goes on the next one; on a new
    /// connection, every failure is final.
    async fn send(
        self: Arc<Self>,
        mut request: Request<Incoming>,
    ) -> Result<(Response<Incoming>, Checkin), Failure> {
        loop {
            let (mut sender, reused) = match self.take() {
                Some(sender) => (sender, true),
                // Boxed: connecting is rare, and its future would
                // otherwise make every request's future larger.
                None => (Box::pin(self.connect()).await?, false),
            };
            // A new connection takes its first request before its task
            // runs; an idle one is ready unless it was closed since.
            if reused && poll_fn(|cx| sender.poll_ready(cx)).await.is_err() {
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => {
                    return Ok((
                        response,
                        Checkin {
                            pool: self.clone(),
                            sender,
                        },
                    ));
                }
                Err(mut e) => match e.take_message() {
                    Some(again) if reused => {
                        tracing::debug!(target: "corsica_gateway", error = %e.error(), "idle upstream connection closed; sending the request on another");
                        request = again;
                    }
                    _ => return Err(Failure::Http(e.into_error())),
                },
            }
        }
    }
}
