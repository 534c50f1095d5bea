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
//! Each connection is driven by the task of the request that uses it
//! ([`Link`]), not by a task of its own: the request's future polls the
//! connection, then its answer; the answer's body polls the connection,
//! then the body. A spawned task per connection cost three runs of that
//! task per proxied GET (the request handed over, the answer's head read,
//! the body taken), each a tokio schedule and wakeup across tasks, and as
//! many more runs of the request's own task, woken by the connection's.
//!
//! What the pool keeps of the legacy client's behaviour: keep-alive
//! connections reused most recent first, `TCP_NODELAY`, the connect
//! timeout, idle connections closed after about a minute, and a request
//! that a reused connection could not even start to send (the upstream
//! closed it while it was idle) sent again on another connection. An idle
//! connection is not polled while it waits in the pool: one the upstream
//! closed meanwhile is found closed by the next request that takes it
//! (hyper reads the end of the stream before it writes the request, and
//! hands the request back), or by the reaper's round.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};
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
    link: Box<Link>,
    tick: u32,
}

/// hyper's HTTP/1.1 client connection to the upstream.
type Conn = http1::Connection<TokioIo<TcpStream>, Incoming>;

/// An HTTP/1.1 connection to the upstream: the handle that sends requests
/// on it and the connection itself, which the task of the request using
/// it drives ([`Link::drive`]). Boxed, so that handing it from the pool to
/// a request and on to the answer's body moves a pointer.
pub(crate) struct Link {
    sender: http1::SendRequest<Incoming>,
    /// `None` once the connection has ended: it is never polled again.
    conn: Option<Conn>,
    wake: Arc<LinkWake>,
    /// The connection's waker: a [`LinkWake`].
    waker: Waker,
}

/// While the request's task is polling the connection ([`Link::drive`]).
const POLLING: u8 = 1;
/// The connection was woken since the last poll.
const WOKEN: u8 = 2;
/// How many times one [`Link::drive`] polls the connection when it keeps
/// waking itself (hyper's connection yields after 16 rounds of its own).
const DRIVE_ROUNDS: usize = 4;

/// The waker of a [`Link`]'s connection. A wake while the request's task
/// is polling the connection (the request queued for it, the body taken
/// from it) only notes that the connection has more to do, which the
/// poll then does at once; other wakes (the socket is readable, the
/// client's request body has more) wake the task. Waking the task from
/// inside its own poll would have tokio run it once more for nothing.
struct LinkWake {
    state: AtomicU8,
    /// The task driving the connection; none while it is idle in the pool.
    task: Mutex<Option<Waker>>,
}

impl LinkWake {
    fn task(&self) -> std::sync::MutexGuard<'_, Option<Waker>> {
        self.task.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_task(&self, waker: &Waker) {
        let mut task = self.task();
        if !task.as_ref().is_some_and(|t| t.will_wake(waker)) {
            *task = Some(waker.clone());
        }
    }
}

impl Wake for LinkWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.state.fetch_or(WOKEN, Ordering::AcqRel) & POLLING == 0
            && let Some(task) = &*self.task()
        {
            task.wake_by_ref();
        }
    }
}

impl Link {
    fn new(sender: http1::SendRequest<Incoming>, conn: Conn) -> Box<Link> {
        let wake = Arc::new(LinkWake {
            state: AtomicU8::new(0),
            task: Mutex::new(None),
        });
        Box::new(Link {
            sender,
            conn: Some(conn),
            waker: Waker::from(wake.clone()),
            wake,
        })
    }

    /// Whether the connection has ended.
    fn ended(&self) -> bool {
        self.conn.is_none()
    }

    /// Polls the connection once (with its own waker); `true` when it has
    /// ended. An ended connection is dropped at once: a request queued on
    /// it and not started comes back to its sender then.
    fn poll_conn(&mut self) -> bool {
        let Some(conn) = &mut self.conn else {
            return true;
        };
        match Pin::new(conn).poll(&mut Context::from_waker(&self.waker)) {
            Poll::Pending => false,
            Poll::Ready(result) => {
                if let Err(e) = result {
                    tracing::debug!(target: "corsica_gateway", error = %e, "upstream connection ended with an error");
                }
                self.conn = None;
                true
            }
        }
    }

    /// Drives the connection for the task of `cx` until `step` (what waits
    /// on the connection: the answer's head, the answer's body) is ready.
    /// `step` is polled after the connection, with a waker that does
    /// nothing: only the connection's poll can make it ready (the answer
    /// and the body's frames are handed over there, an ended connection
    /// fails them), and the connection's own waker wakes the task.
    fn drive<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut step: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.wake.set_task(cx.waker());
        let noop = &mut Context::from_waker(Waker::noop());
        for _ in 0..DRIVE_ROUNDS {
            self.wake.state.store(POLLING, Ordering::Release);
            self.poll_conn();
            let ready = step(noop);
            let state = self.wake.state.fetch_and(!POLLING, Ordering::AcqRel);
            if ready.is_ready() {
                // A wake noted meanwhile (the body taken) is seen at the
                // next poll: the body polls the connection before its
                // frames, and a connection given back is polled until it
                // is ready ([`Checkin::done`]).
                return ready;
            }
            if state & WOKEN == 0 {
                return Poll::Pending;
            }
        }
        // Still busy: later, after the other tasks.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
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
    link: Box<Link>,
}

impl std::fmt::Debug for Checkin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkin").finish_non_exhaustive()
    }
}

impl Checkin {
    /// Polls `body` (the answer's body), driving the connection that
    /// brings it, for the task of `cx`.
    pub(crate) fn poll_body(
        &mut self,
        mut body: Pin<&mut Incoming>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, hyper::Error>>> {
        use http_body::Body as _;
        if self.link.ended() {
            // The connection has let go of the body (its end or its error
            // is in it): nothing to drive.
            return body.poll_frame(cx);
        }
        // A frame the connection handed over already (a short body comes
        // whole with the head) is taken without polling the connection;
        // taking it wakes the connection, noted for its next poll.
        let noop = &mut Context::from_waker(Waker::noop());
        let state = &self.link.wake.state;
        state.store(POLLING, Ordering::Release);
        let frame = body.as_mut().poll_frame(noop);
        state.fetch_and(!POLLING, Ordering::AcqRel);
        if frame.is_ready() {
            return frame;
        }
        self.link.drive(cx, |noop| body.as_mut().poll_frame(noop))
    }

    /// Gives the connection back to its pool: at once when it is ready for
    /// another request (the usual case: the connection has read the
    /// answer's end in the poll that handed the last frame over), else
    /// once a task of its own has driven it there.
    pub(crate) fn done(self) {
        let Checkin { pool, mut link } = self;
        if link.ended() || link.sender.is_closed() {
            return;
        }
        if link.sender.is_ready() {
            pool.put(link);
        } else if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                // The connection's readiness changes only when it is
                // polled, so it is looked at after each poll.
                let ready = poll_fn(|cx| {
                    link.wake.set_task(cx.waker());
                    if link.poll_conn() {
                        Poll::Ready(false)
                    } else if link.sender.is_ready() {
                        Poll::Ready(true)
                    } else {
                        Poll::Pending
                    }
                })
                .await;
                if ready {
                    pool.put(link);
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

    /// The most recently used idle connection not known to be closed.
    fn take(&self) -> Option<Box<Link>> {
        let mut idle = self.idle();
        while let Some(i) = idle.pop() {
            if !i.link.ended() && !i.link.sender.is_closed() {
                return Some(i.link);
            }
        }
        None
    }

    /// Puts a connection ready for a request among the idle ones.
    fn put(self: &Arc<Self>, link: Box<Link>) {
        // Idle, the connection wakes no task (a close by the upstream is
        // found by the next request or the reaper).
        *link.wake.task() = None;
        let tick = self.tick.load(Ordering::Relaxed);
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE {
            idle.push(Idle { link, tick });
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
                // Polled here, an idle connection the upstream closed
                // sees the end of its stream and ends.
                pool.idle().retain_mut(|i| {
                    now.wrapping_sub(i.tick) < IDLE_TICKS
                        && !i.link.poll_conn()
                        && !i.link.sender.is_closed()
                });
            }
        });
    }

    /// Opens a connection.
    async fn connect(&self) -> Result<Box<Link>, Failure> {
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
        Ok(Link::new(sender, connection))
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
    /// is idle, driving the connection until the answer's head has come.
    /// A request that a reused connection could not start to send (it was
    /// closed while idle) goes on the next one; on a new connection, every
    /// failure is final.
    async fn send(
        self: Arc<Self>,
        mut request: Request<Incoming>,
    ) -> Result<(Response<Incoming>, Checkin), Failure> {
        loop {
            let (mut link, reused) = match self.take() {
                Some(link) => (link, true),
                // Boxed: connecting is rare, and its future would
                // otherwise make every request's future larger.
                None => (Box::pin(self.connect()).await?, false),
            };
            // Queued for the connection, which writes it when polled (an
            // idle connection that was closed since reads the end of its
            // stream first, ends, and gives the request back).
            let mut answer = std::pin::pin!(link.sender.try_send_request(request));
            match poll_fn(|cx| link.drive(cx, |noop| answer.as_mut().poll(noop))).await {
                Ok(response) => {
                    return Ok((
                        response,
                        Checkin {
                            pool: self.clone(),
                            link,
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
