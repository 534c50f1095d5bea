//! [`Gateway`]: the listeners, the connections, the route table that hot
//! reload swaps, and graceful shutdown.

use std::cell::RefCell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use corsica_tower::{Cors, CorsLayer};
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::Body;
use crate::config::{ConfigErrors, GatewayConfig, Route};
use crate::head_timer::{HeadClock, HeadTimer};
use crate::metrics::{Metrics, RouteMetrics};
use crate::proxy::{Oversize, Proxy, plain};
use crate::upstream::UpstreamClient;

/// Where the configuration comes from, so that a reload reads it again.
#[derive(Clone, Debug)]
pub enum ConfigSource {
    /// A configuration file (`corsica serve --config FILE`).
    File(PathBuf),
    /// The quick start (`--upstream URL --policy FILE [--listen ADDR]`):
    /// a reload reads the policy file again.
    Quick {
        /// The upstream URL.
        upstream: String,
        /// The policy file.
        policy: PathBuf,
        /// The listen address.
        listen: SocketAddr,
    },
    /// A configuration built by the program (the demo, tests): a reload
    /// changes nothing.
    Fixed,
}

impl ConfigSource {
    /// Reads and validates the configuration from its source; `None` for
    /// [`ConfigSource::Fixed`].
    pub fn load(&self) -> Option<Result<GatewayConfig, ConfigErrors>> {
        match self {
            ConfigSource::File(path) => Some(GatewayConfig::load(path)),
            ConfigSource::Quick {
                upstream,
                policy,
                listen,
            } => Some(GatewayConfig::quick(upstream, policy, *listen)),
            ConfigSource::Fixed => None,
        }
    }
}

/// How a [`Gateway`] runs besides its configuration.
#[derive(Clone, Debug)]
pub struct GatewayOptions {
    /// Where a reload reads the configuration.
    pub source: ConfigSource,
    /// Reload when a configuration or policy file changes on disk.
    pub watch_files: bool,
    /// Reload on SIGHUP; shut down gracefully on SIGTERM and SIGINT.
    pub signals: bool,
    /// Settings that win over the configuration's, at start and after each
    /// reload (the command line's `--debug`, `--shadow`, `--admin`).
    pub overrides: Overrides,
}

impl Default for GatewayOptions {
    fn default() -> GatewayOptions {
        GatewayOptions {
            source: ConfigSource::Fixed,
            watch_files: false,
            signals: false,
            overrides: Overrides::default(),
        }
    }
}

/// Settings that win over a configuration's (see
/// [`GatewayOptions::overrides`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Debug mode on every route.
    pub debug: bool,
    /// Shadow mode on every route.
    pub shadow: bool,
    /// The admin listener (`Some(None)`: none).
    pub admin: Option<Option<SocketAddr>>,
}

impl Overrides {
    /// Applies the overrides to `config`.
    pub fn apply(&self, config: &mut GatewayConfig) {
        if self.debug {
            config.debug = true;
        }
        if self.shadow {
            for route in &mut config.routes {
                route.shadow = true;
            }
        }
        if let Some(admin) = self.admin {
            config.admin = admin;
        }
    }
}

/// Occurs when the gateway cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Occurs when a listener cannot be bound.
    #[error("cannot listen on {addr}: {source}{}", hint(source))]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

fn hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "; another program uses this port: stop it, or choose another address (--listen, or `listen` in the configuration)"
        }
        std::io::ErrorKind::PermissionDenied => {
            "; ports below 1024 need privileges: choose a port above 1024"
        }
        _ => "",
    }
}

/// One route, ready to serve: the CORS layer around the proxy.
pub(crate) struct RouteService {
    pub(crate) service: Cors<Proxy>,
    pub(crate) metrics: Arc<RouteMetrics>,
}

/// A configuration in force.
pub(crate) struct State {
    pub(crate) generation: u64,
    pub(crate) config: GatewayConfig,
    pub(crate) routes: Vec<RouteService>,
    /// Whether a route names a host: if none does, a request's host does
    /// not choose its route and is not looked up.
    pub(crate) by_host: bool,
}

/// A hook that serves some paths itself (the demo's lab).
pub(crate) trait Extra: Send + Sync {
    /// Serves `request` when it is for this hook; gives it back otherwise.
    #[allow(clippy::result_large_err)] // the request is handed back whole, as hyper gave it
    fn try_call(
        &self,
        request: Request<Incoming>,
        state: &State,
    ) -> Result<BoxResponse, Request<Incoming>>;
}

pub(crate) type BoxResponse = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// What the listeners, connections, reloads and the admin share.
pub(crate) struct Shared {
    pub(crate) state: ArcSwap<State>,
    pub(crate) metrics: Metrics,
    clients: Mutex<HashMap<(String, bool, Duration), UpstreamClient>>,
    source: ConfigSource,
    overrides: Overrides,
    reload_lock: Mutex<()>,
    last_reload_errors: Mutex<Option<String>>,
    fingerprint: Mutex<u64>,
    ready: AtomicBool,
    shutdown: watch::Sender<bool>,
    connections: AtomicUsize,
    drained: tokio::sync::Notify,
    extra: Option<Arc<dyn Extra>>,
    started: Instant,
}

impl Shared {
    /// Builds the services of every route of `config`.
    pub(crate) fn build_state(&self, config: GatewayConfig, generation: u64) -> State {
        let routes = config
            .routes
            .iter()
            .map(|route| self.route_service(route, &config))
            .collect();
        State {
            generation,
            by_host: config.routes.iter().any(|r| r.host.is_some()),
            config,
            routes,
        }
    }

    /// The CORS layer (corsica-tower's, with the route's policy, shadow and
    /// debug switches, and the metrics observer) around a proxy to the
    /// route's upstream.
    pub(crate) fn route_service(&self, route: &Route, config: &GatewayConfig) -> RouteService {
        let metrics = self.metrics.route(&route.name);
        let client = self.client(route, config);
        let proxy = Proxy::new(
            route,
            client,
            config.limits.request_timeout,
            metrics.clone(),
        );
        RouteService {
            service: self.cors_layer(route, config, metrics.clone()).layer(proxy),
            metrics,
        }
    }

    pub(crate) fn cors_layer(
        &self,
        route: &Route,
        config: &GatewayConfig,
        metrics: Arc<RouteMetrics>,
    ) -> CorsLayer {
        let debug = route.debug || config.debug;
        let shadow = route.shadow;
        CorsLayer::new((*route.policy).clone())
            .shadow(shadow)
            .debug(debug)
            .trace_allowed(debug)
            .on_decision(move |d| metrics.observe_decision(d, shadow))
    }

    /// The pooled client for a route's upstream, shared by the routes and
    /// the generations that use the same upstream, so a reload keeps the
    /// warm connections.
    pub(crate) fn client(&self, route: &Route, config: &GatewayConfig) -> UpstreamClient {
        let key = (
            route.upstream.authority.to_string(),
            route.upstream.http2,
            config.limits.connect_timeout,
        );
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(key)
            .or_insert_with(|| {
                UpstreamClient::new(
                    &route.upstream.authority,
                    route.upstream.http2,
                    config.limits.connect_timeout,
                )
            })
            .clone()
    }

    /// Reads the configuration again and puts it in force, or keeps the
    /// one in force and logs every error. `force`: reload even if the
    /// files did not change (SIGHUP, the admin's `/reload`).
    pub(crate) fn reload(&self, why: &str, force: bool) -> Result<u64, ConfigErrors> {
        let _one_at_a_time = self.reload_lock.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.state.load();
        if !force {
            let print = fingerprint(&current.config.files);
            let mut last = self.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
            if *last == print {
                return Ok(current.generation);
            }
            *last = print;
        }
        let Some(loaded) = self.source.load() else {
            tracing::info!(target: "corsica_gateway", why, "reload asked; the configuration is built in, nothing to read");
            return Ok(current.generation);
        };
        match loaded {
            Ok(mut config) => {
                self.overrides.apply(&mut config);
                let old = &current.config;
                if config.listen != old.listen || config.admin != old.admin {
                    tracing::warn!(target: "corsica_gateway", "listen or admin addresses changed; they take effect on restart (routes, policies and per-request limits are reloaded now)");
                }
                if config.limits.header_read_timeout != old.limits.header_read_timeout
                    || config.limits.idle_timeout != old.limits.idle_timeout
                    || config.limits.shutdown_timeout != old.limits.shutdown_timeout
                {
                    tracing::warn!(target: "corsica_gateway", "connection limits changed (header_read_timeout, idle_timeout, shutdown_timeout); they take effect on restart");
                }
                *self.fingerprint.lock().unwrap_or_else(|e| e.into_inner()) =
                    fingerprint(&config.files);
                let generation = current.generation + 1;
                let routes = config.routes.len();
                let state = self.build_state(config, generation);
                self.state.store(Arc::new(state));
                self.metrics.reloaded(true, generation);
                *self
                    .last_reload_errors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = None;
                tracing::info!(target: "corsica_gateway", why, generation, routes, "configuration reloaded");
                Ok(generation)
            }
            Err(errors) => {
                for e in &errors.errors {
                    tracing::error!(target: "corsica_gateway", code = e.code, file = %e.file, key = e.key.as_deref().unwrap_or(""), "{}", e.message);
                }
                self.metrics.reloaded(false, current.generation);
                *self
                    .last_reload_errors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(errors.to_string());
                tracing::error!(target: "corsica_gateway", why, errors = errors.errors.len(), generation = current.generation, "new configuration refused; still serving the one in force");
                Err(errors)
            }
        }
    }

    fn shut_down(&self) {
        self.ready.store(false, Ordering::SeqCst);
        self.shutdown.send_replace(true);
    }
}

/// A cheap fingerprint of the files' contents (and whether they exist).
fn fingerprint(files: &[PathBuf]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.hash(&mut h);
        // As much as a configuration may hold, and one byte more (a file
        // that grows past the limit still changes the fingerprint).
        crate::config::read_limited_bytes(f).ok().hash(&mut h);
    }
    h.finish()
}

/// A running gateway's handle: reload, shut down, read metrics.
#[derive(Clone)]
pub struct GatewayHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for GatewayHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayHandle")
            .field("generation", &self.generation())
            .finish()
    }
}

impl GatewayHandle {
    /// Reads the configuration again (as SIGHUP does): a valid one takes
    /// over for every request from now on, requests in flight finish under
    /// the old one; an invalid one is refused, every error logged, and the
    /// old one keeps serving. Returns the generation in force.
    pub fn reload(&self) -> Result<u64, ConfigErrors> {
        self.shared.reload("asked", true)
    }

    /// Starts a graceful shutdown: `/readyz` answers 503, the listeners
    /// close, connections finish their requests in flight (up to
    /// `limits.shutdown_timeout`), then [`Gateway::run`] returns.
    pub fn shutdown(&self) {
        self.shared.shut_down();
    }

    /// The configuration generation in force: 1 at start, plus one per
    /// successful reload.
    pub fn generation(&self) -> u64 {
        self.shared.state.load().generation
    }

    /// The metrics, in the Prometheus text format.
    pub fn metrics(&self) -> String {
        self.shared.metrics.render()
    }
}

/// A gateway with its listeners bound. [`Gateway::run`] serves until shut
/// down.
///
/// ```no_run
/// use corsica_gateway::{Gateway, GatewayConfig, GatewayOptions};
///
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let config = GatewayConfig::load("gateway.toml".as_ref())?;
/// let gateway = Gateway::bind(config, GatewayOptions::default()).await?;
/// println!("listening on {:?}", gateway.local_addrs());
/// gateway.run().await;
/// # Ok(()) }
/// ```
pub struct Gateway {
    shared: Arc<Shared>,
    listeners: Vec<TcpListener>,
    admin: Option<TcpListener>,
    addrs: Vec<SocketAddr>,
    admin_addr: Option<SocketAddr>,
    watcher: Option<crate::watch::WatchGuard>,
    signals: Option<Signals>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("addrs", &self.addrs)
            .field("admin", &self.admin_addr)
            .finish()
    }
}

impl Gateway {
    /// Binds the listeners of `config` (port 0 picks a free port: see
    /// [`local_addrs`](Self::local_addrs)) and builds every route.
    pub async fn bind(
        config: GatewayConfig,
        options: GatewayOptions,
    ) -> Result<Gateway, StartError> {
        Gateway::bind_with(config, options, None).await
    }

    pub(crate) async fn bind_with(
        config: GatewayConfig,
        options: GatewayOptions,
        extra: Option<Arc<dyn Extra>>,
    ) -> Result<Gateway, StartError> {
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for addr in &config.listen {
            let l = TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind {
                    addr: *addr,
                    source,
                })?;
            addrs.push(l.local_addr().unwrap_or(*addr));
            listeners.push(l);
        }
        let admin = match config.admin {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartError::Bind { addr, source })?,
            ),
            None => None,
        };
        let admin_addr = admin.as_ref().and_then(|l| l.local_addr().ok());
        let (shutdown, _) = watch::channel(false);
        let files = config.files.clone();
        let shared = Arc::new(Shared {
            state: ArcSwap::from_pointee(State {
                generation: 0,
                config: config.clone(),
                routes: Vec::new(),
                by_host: false,
            }),
            metrics: Metrics::default(),
            clients: Mutex::new(HashMap::new()),
            source: options.source.clone(),
            overrides: options.overrides,
            reload_lock: Mutex::new(()),
            last_reload_errors: Mutex::new(None),
            fingerprint: Mutex::new(fingerprint(&files)),
            ready: AtomicBool::new(false),
            shutdown,
            connections: AtomicUsize::new(0),
            drained: tokio::sync::Notify::new(),
            extra,
            started: Instant::now(),
        });
        let state = shared.build_state(config, 1);
        shared.state.store(Arc::new(state));
        shared.metrics.reloaded(true, 1);
        // The signal handlers are installed here, not in `run`: a caller
        // that says "listening" after `bind` returns may be sent SIGHUP or
        // SIGTERM at once, and a signal without a handler would kill the
        // process (found by the CLI's serve tests on a loaded machine).
        let signals = if options.signals {
            match Signals::install() {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(target: "corsica_gateway", error = %e, "cannot install signal handlers");
                    None
                }
            }
        } else {
            None
        };
        // Watch from now on, so no change after `bind` returns is missed.
        let watcher = if options.watch_files {
            crate::watch::start(shared.clone())
        } else {
            None
        };
        Ok(Gateway {
            shared,
            listeners,
            admin,
            addrs,
            admin_addr,
            watcher,
            signals,
        })
    }

    /// The addresses of the API listeners, as bound.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The admin listener's address, if there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// A handle to reload or shut down while [`run`](Self::run) serves.
    pub fn handle(&self) -> GatewayHandle {
        GatewayHandle {
            shared: self.shared.clone(),
        }
    }

    /// Serves until [`GatewayHandle::shutdown`] (or SIGTERM/SIGINT with
    /// `signals`), then drains: stops accepting, lets the requests in
    /// flight finish (up to `limits.shutdown_timeout`), and returns.
    pub async fn run(self) {
        let shared = self.shared.clone();
        let limits = shared.state.load().config.limits.clone();
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .keep_alive(true)
            // hyper would queue the head and the body's chunks and send
            // them with one `writev`; flattened into one buffer, they go
            // with one `write`, the same bytes and system calls, and hyper
            // runs less code per answer: per preflight 788 -> 756 lines of
            // code, per proxied GET 9% fewer L1 instruction-cache misses
            // (BENCHMARKS.md, "Code layout and the instruction cache").
            // Bodies are copied into that buffer: a few bytes to kilobytes
            // for an API's answers.
            .writev(false)
            .header_read_timeout(limits.header_read_timeout)
            // The parser's hard limit; the gateway's own (answered 431 with
            // CORS headers) is `max_header_bytes`.
            .max_buf_size((limits.max_header_bytes * 4).max(8192))
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size((limits.max_header_bytes * 4) as u32)
            .max_concurrent_streams(256);
        let builder = Arc::new(builder);

        let mut tasks = Vec::new();
        for listener in self.listeners {
            tasks.push(tokio::spawn(accept_loop(
                listener,
                shared.clone(),
                builder.clone(),
                limits.idle_timeout,
            )));
        }
        if let Some(admin) = self.admin {
            tasks.push(tokio::spawn(crate::admin::serve(admin, shared.clone())));
        }
        if let Some(signals) = self.signals {
            tokio::spawn(signals.handle(shared.clone()));
        }
        let _watcher = self.watcher;
        shared.ready.store(true, Ordering::SeqCst);
        for addr in &self.addrs {
            tracing::info!(target: "corsica_gateway", %addr, "listening");
        }

        let mut stop = shared.shutdown.subscribe();
        let _ = stop.wait_for(|s| *s).await;
        tracing::info!(target: "corsica_gateway", connections = shared.connections.load(Ordering::SeqCst), "shutting down: draining requests in flight");
        let deadline = tokio::time::sleep(limits.shutdown_timeout);
        tokio::pin!(deadline);
        loop {
            let drained = shared.drained.notified();
            if shared.connections.load(Ordering::SeqCst) == 0 {
                break;
            }
            tokio::select! {
                _ = drained => {}
                _ = &mut deadline => {
                    tracing::warn!(target: "corsica_gateway", connections = shared.connections.load(Ordering::SeqCst), "shutdown timeout reached; closing the connections left");
                    break;
                }
            }
        }
        for t in tasks {
            t.abort();
        }
        tracing::info!(target: "corsica_gateway", "stopped");
    }
}

/// The handlers of SIGHUP (reload), SIGTERM and SIGINT (shut down).
struct Signals {
    hup: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            hup: signal(SignalKind::hangup())?,
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Reload on SIGHUP; shut down on SIGTERM or SIGINT.
    async fn handle(mut self, shared: Arc<Shared>) {
        loop {
            tokio::select! {
                _ = self.hup.recv() => {
                    let _ = shared.reload("SIGHUP", true);
                }
                _ = self.term.recv() => {
                    tracing::info!(target: "corsica_gateway", "SIGTERM");
                    shared.shut_down();
                    return;
                }
                _ = self.int.recv() => {
                    tracing::info!(target: "corsica_gateway", "SIGINT");
                    shared.shut_down();
                    return;
                }
            }
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    idle: Duration,
) {
    let mut stop = shared.shutdown.subscribe();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait, go on.
                tracing::warn!(target: "corsica_gateway", error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        shared.metrics.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(serve_connection(
            stream,
            peer,
            shared.clone(),
            builder.clone(),
            idle,
        ));
    }
}

/// Per-connection activity, for the idle timeout.
#[derive(Default)]
struct Activity {
    active: AtomicUsize,
    /// Milliseconds since the gateway started, at the last request start
    /// or end.
    last: AtomicU64,
}

impl Activity {
    /// Notes a request answered at once (started and ended now).
    fn touch(&self, shared: &Shared) {
        self.last.store(
            shared.started.elapsed().as_millis() as u64,
            Ordering::Relaxed,
        );
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    idle: Duration,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::default());
    activity.last.store(
        shared.started.elapsed().as_millis() as u64,
        Ordering::Relaxed,
    );
    // hyper's header read timeout and the forwarded requests' timeouts
    // through the connection's own clock (see `head_timer`): this
    // connection's timer below wakes it by their deadlines, instead of a
    // tokio timer registered for every request.
    let clock = Arc::new(HeadClock::new(shared.started));
    let service = ConnService {
        shared: shared.clone(),
        activity: activity.clone(),
        routes: RefCell::new(ConnRoutes::new(
            &shared,
            HeaderValue::try_from(peer.ip().to_string()).ok(),
            clock.clone(),
        )),
    };
    let mut builder = (*builder).clone();
    builder.http1().timer(HeadTimer::new(clock.clone()));
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut shutdown = shared.shutdown.subscribe();
    let stop = shutdown.wait_for(|s| *s);
    tokio::pin!(stop);
    // One timer for the idle timeout and the head's deadline: `armed` is
    // when it fires, in milliseconds since the gateway started.
    let mut armed = clock.millis(Instant::now() + idle);
    // When the timer last fired: a head deadline not after it has been
    // handled (hyper ended the connection, or is looked at again shortly),
    // and must not pull the timer back, which would fire it at once,
    // again and again.
    let mut fired = 0;
    let timer = tokio::time::sleep_until(clock.instant(armed).into());
    tokio::pin!(timer);
    // The shutdown signal and the timer are polled with a waker of their
    // own, and only after one of them woke the task: the connection wakes
    // the task several times per request, and polling both at each wakeup
    // (as `select!` does) cost more than the rest of this loop.
    let side = Arc::new(SideWake::default());
    let side_waker = std::task::Waker::from(side.clone());
    let mut task_waker: Option<std::task::Waker> = None;
    let mut closing = false;
    let result = std::future::poll_fn(|cx| {
        if !task_waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            task_waker = Some(cx.waker().clone());
            *side.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
            // First poll (or a new waker): poll both below.
            side.woken.store(true, Ordering::Relaxed);
        }
        loop {
            if let Poll::Ready(result) = conn.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            // A head awaited by an earlier time than the timer is armed
            // for (usually not: the timer fires about once per
            // `header_read_timeout` on a busy connection).
            if let Some(head) = clock.deadline()
                && head < armed
                && head > fired
            {
                armed = head;
                timer.as_mut().reset(clock.instant(armed).into());
                // Polled below to arm it.
                side.woken.store(true, Ordering::Relaxed);
            }
            if !side.woken.swap(false, Ordering::AcqRel) {
                return Poll::Pending;
            }
            let mut side_cx = Context::from_waker(&side_waker);
            if !closing && stop.as_mut().poll(&mut side_cx).is_ready() {
                // Finishes the request in flight (with `Connection: close`
                // on HTTP/1.1, GOAWAY on HTTP/2), then ends.
                conn.as_mut().graceful_shutdown();
                closing = true;
                continue;
            }
            if armed != u64::MAX && timer.as_mut().poll(&mut side_cx).is_ready() {
                let now = shared.started.elapsed().as_millis() as u64;
                fired = now;
                let mut next = u64::MAX;
                if !closing {
                    let last = activity.last.load(Ordering::Relaxed);
                    let quiet = Duration::from_millis(now.saturating_sub(last));
                    if activity.active.load(Ordering::Relaxed) == 0 && quiet >= idle {
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    } else {
                        let wait = idle.saturating_sub(quiet).max(Duration::from_millis(100));
                        next = now + wait.as_millis() as u64;
                    }
                }
                if clock.head_deadline().is_some_and(|head| head <= now) {
                    // The request head did not come in time
                    // (`limits.header_read_timeout`): the connection ends,
                    // as hyper ends it with a timer of its own.
                    return Poll::Ready(Err(HEAD_TIMEOUT.into()));
                }
                if let Some(deadline) = clock.deadline() {
                    // A head, or the upstream's answer to a forwarded
                    // request, is awaited by then. A request's future
                    // (polled at the loop's start) sees its own deadline
                    // passed; looked at again shortly in case it was not
                    // polled.
                    next = next.min(deadline.max(now + 100));
                }
                armed = next;
                if armed != u64::MAX {
                    timer.as_mut().reset(clock.instant(armed).into());
                    // Polled again to arm it.
                    side.woken.store(true, Ordering::Relaxed);
                }
                continue;
            }
            return Poll::Pending;
        }
    })
    .await;
    if let Err(e) = result {
        tracing::debug!(target: "corsica_gateway", %peer, error = %e, "connection ended with an error");
    }
    shared.metrics.connections.fetch_sub(1, Ordering::Relaxed);
    if shared.connections.fetch_sub(1, Ordering::SeqCst) == 1 {
        shared.drained.notify_waiters();
    }
}

/// Why a connection ended whose request head did not come in time.
const HEAD_TIMEOUT: &str = "request head not received within limits.header_read_timeout";

/// The waker given to a connection's shutdown signal and idle timer: it
/// notes that one of them woke, then wakes the connection's task.
#[derive(Default)]
struct SideWake {
    woken: AtomicBool,
    task: Mutex<Option<std::task::Waker>>,
}

impl std::task::Wake for SideWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        if let Some(task) = &*self.task.lock().unwrap_or_else(|e| e.into_inner()) {
            task.wake_by_ref();
        }
    }
}

/// The service of one client connection: picks the route, marks oversize
/// heads, adds the forwarding headers, and calls the route's service.
#[derive(Clone)]
struct ConnService {
    shared: Arc<Shared>,
    activity: Arc<Activity>,
    /// This connection's copies of the routes' services.
    routes: RefCell<ConnRoutes>,
}

/// A connection's copies of the routes' services of the configuration in
/// force, made at the first request of each route with the client's
/// address set (for `X-Forwarded-For`), and made again after a reload.
/// Cloning the route's service for each request (its `Arc`s, the
/// client's address) and dropping it after was about 20 atomic
/// read-modify-write operations per request.
#[derive(Clone)]
struct ConnRoutes {
    /// The configuration in force: checked at each request with one
    /// pointer comparison ([`arc_swap::Cache`]).
    state: arc_swap::Cache<StateSlot, Arc<State>>,
    /// The generation `services` were made for.
    generation: u64,
    /// By route index.
    services: Vec<Option<Cors<Proxy>>>,
    peer: Option<HeaderValue>,
    /// The connection's clock: an HTTP/1.1 request forwarded by a route
    /// publishes its timeout's deadline there (see `head_timer`).
    clock: Arc<HeadClock>,
}

/// The configuration slot, as [`arc_swap::Cache`] wants it.
#[derive(Clone)]
struct StateSlot(Arc<Shared>);

impl std::ops::Deref for StateSlot {
    type Target = ArcSwap<State>;

    fn deref(&self) -> &ArcSwap<State> {
        &self.0.state
    }
}

impl ConnRoutes {
    fn new(shared: &Arc<Shared>, peer: Option<HeaderValue>, clock: Arc<HeadClock>) -> ConnRoutes {
        let state = arc_swap::Cache::new(StateSlot(shared.clone()));
        let generation = state.arc_swap().load().generation;
        ConnRoutes {
            state,
            generation,
            services: Vec::new(),
            peer,
            clock,
        }
    }
}

/// This connection's copy of route `index`'s service of `state`, made on
/// first use (and again after a reload).
fn route_service<'a>(
    services: &'a mut Vec<Option<Cors<Proxy>>>,
    generation: &mut u64,
    peer: &Option<HeaderValue>,
    clock: &Arc<HeadClock>,
    state: &State,
    index: usize,
) -> &'a mut Cors<Proxy> {
    if state.generation != *generation {
        *generation = state.generation;
        services.clear();
    }
    if services.len() <= index {
        services.resize_with(state.routes.len().max(index + 1), || None);
    }
    services[index].get_or_insert_with(|| {
        let mut service = state.routes[index].service.clone();
        // The client's address, for the X-Forwarded-For of a request the
        // proxy forwards (a preflight answered by the layer needs none).
        service.get_mut().set_peer(peer.clone());
        service.get_mut().set_clock(clock.clone());
        service
    })
}

/// Counts a request in flight until its response head is ready (or the
/// request is dropped).
struct InFlight {
    shared: Arc<Shared>,
    activity: Arc<Activity>,
}

impl InFlight {
    fn new(shared: &Arc<Shared>, activity: &Arc<Activity>) -> InFlight {
        shared.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.active.fetch_add(1, Ordering::Relaxed);
        InFlight {
            shared: shared.clone(),
            activity: activity.clone(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.shared
            .metrics
            .in_flight
            .fetch_sub(1, Ordering::Relaxed);
        self.activity.active.fetch_sub(1, Ordering::Relaxed);
        self.activity.last.store(
            self.shared.started.elapsed().as_millis() as u64,
            Ordering::Relaxed,
        );
    }
}

/// The size of a request head as the client sent it (HTTP/1.1 framing).
fn head_size<B>(request: &Request<B>) -> usize {
    let line = request.method().as_str().len()
        + request
            .uri()
            .path_and_query()
            .map_or(1, |pq| pq.as_str().len())
        + 12;
    request
        .headers()
        .iter()
        .fold(line, |n, (k, v)| n + k.as_str().len() + v.len() + 4)
}

/// The host a request is for: its URI's authority, else its `Host`.
fn request_host<B>(request: &Request<B>) -> Option<&str> {
    request.uri().authority().map(|a| a.as_str()).or_else(|| {
        request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
    })
}

impl ConnService {
    /// The demo's own paths (its lab): out of line, as the gateway proper
    /// has none (instruction cache).
    #[inline(never)]
    #[allow(clippy::result_large_err)] // the request is handed back whole, as hyper gave it
    fn call_extra(
        &self,
        extra: &dyn Extra,
        request: Request<Incoming>,
        state: &State,
    ) -> Result<ConnFuture, Request<Incoming>> {
        let guard = InFlight::new(&self.shared, &self.activity);
        let response = extra.try_call(request, state)?;
        Ok(ConnFuture::Boxed(Box::pin(async move {
            let response = response.await;
            drop(guard);
            Ok(response)
        })))
    }

    /// The 404 of a request no route takes.
    #[cold]
    #[inline(never)]
    fn not_found(&self, request: &Request<Incoming>, state: &State) -> ConnFuture {
        self.shared.metrics.unrouted.fetch_add(1, Ordering::Relaxed);
        let text = format!(
            "corsica gateway: no route for host `{}` and path `{}`; the configured routes are: {}\n",
            request_host(request).unwrap_or(""),
            request.uri().path(),
            state
                .config
                .routes
                .iter()
                .map(|r| format!("{}{}", r.host.as_deref().unwrap_or("*"), r.path))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.activity.touch(&self.shared);
        ConnFuture::Ready(Some(plain(StatusCode::NOT_FOUND, text)))
    }
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ConnFuture;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let mut routes = self.routes.borrow_mut();
        let routes = &mut *routes;
        // hyper has read this request's head (see `head_timer`).
        routes.clock.head_received();
        let mut request = match &self.shared.extra {
            Some(extra) => match self.call_extra(&**extra, request, routes.state.load()) {
                Ok(future) => return future,
                Err(request) => request,
            },
            None => request,
        };
        let ConnRoutes {
            state,
            generation,
            services,
            peer,
            clock,
        } = routes;
        let state = state.load();
        let host = if state.by_host {
            request_host(&request)
        } else {
            None
        };
        let Some(index) = state.config.route_for(host, request.uri().path()) else {
            return self.not_found(&request, state);
        };
        let limit = state.config.limits.max_header_bytes;
        let size = head_size(&request);
        if size > limit {
            request
                .extensions_mut()
                .insert(Oversize { bytes: size, limit });
        }
        let metrics = &state.routes[index].metrics;
        // `Cors<Proxy>` is always ready (the proxy's readiness is constant).
        let mut future =
            route_service(services, generation, peer, clock, state, index).call(request);
        if future.is_answered() {
            // A preflight answered by the layer: ready at once without
            // the waker, so taken now and sent without boxing, and never
            // counted in flight (it would be counted and uncounted here).
            let noop = &mut Context::from_waker(std::task::Waker::noop());
            match Pin::new(&mut future).poll(noop) {
                Poll::Ready(Ok(response)) => {
                    metrics.observe_status(response.status().as_u16());
                    self.activity.touch(&self.shared);
                    return ConnFuture::Ready(Some(response));
                }
                Poll::Ready(Err(never)) => match never {},
                Poll::Pending => {}
            }
        }
        // Not boxed again: the proxy's future is boxed already, and hyper
        // keeps this one in its connection's slot.
        ConnFuture::Routed {
            future,
            metrics: metrics.clone(),
            guard: Some(InFlight::new(&self.shared, &self.activity)),
        }
    }
}

/// The answer of [`ConnService`]: ready at once (a preflight, a 404), or
/// to wait for.
// Large on purpose: hyper keeps it in one slot per connection, allocated
// once; boxing the routed variant would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
enum ConnFuture {
    Ready(Option<Response<Body>>),
    /// A route's answer: the CORS layer's future around the proxy's.
    Routed {
        future: corsica_tower::ResponseFuture<<Proxy as Service<Request<Incoming>>>::Future, Body>,
        metrics: Arc<RouteMetrics>,
        guard: Option<InFlight>,
    },
    Boxed(Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>),
}

impl Future for ConnFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            ConnFuture::Ready(response) => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled after completion: hyper does not.
                None => Poll::Pending,
            },
            ConnFuture::Routed {
                future,
                metrics,
                guard,
            } => {
                let response = match ready!(Pin::new(future).poll(cx)) {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                metrics.observe_status(response.status().as_u16());
                guard.take();
                Poll::Ready(Ok(response))
            }
            ConnFuture::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

pub(crate) fn is_ready(shared: &Shared) -> bool {
    shared.ready.load(Ordering::SeqCst)
}

pub(crate) fn last_reload_errors(shared: &Shared) -> Option<String> {
    shared
        .last_reload_errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

pub(crate) fn reload_from_admin(shared: &Shared) -> Result<u64, ConfigErrors> {
    shared.reload("admin /reload", true)
}
