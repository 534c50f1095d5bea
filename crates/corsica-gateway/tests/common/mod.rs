//! Shared by the gateway's integration tests: upstreams that behave (and
//! misbehave) on purpose, a gateway started in-process on ephemeral ports,
//! and a client.
#![allow(dead_code)] // each test file uses part of it

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use corsica_gateway::{ConfigSource, Gateway, GatewayConfig, GatewayHandle, GatewayOptions};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub const PAGE: &str = "https://app.example.com";

/// A temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "corsica-gateway-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        // Write then rename, as editors do: the file never appears half
        // written to a watcher.
        let tmp = self.path(&format!(".{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A well-behaved upstream (hyper, HTTP/1.1 and h2c): `/status/N` answers
/// N, `/slow?ms=N` waits, `/stream?n=N&ms=M` sends N chunks M ms apart,
/// `/echo-body` streams the request body back frame by frame, anything
/// else answers 200 `hello` with `x-upstream: yes`. Counts the requests it
/// sees (`OPTIONS` ones too).
pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<AtomicUsize>,
    pub options_seen: Arc<AtomicUsize>,
}

impl Upstream {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn query_num(query: Option<&str>, key: &str, default: u64) -> u64 {
    query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(str::to_owned))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

type BoxBody = http_body_util::combinators::BoxBody<Bytes, hyper::Error>;

fn full(s: &str) -> BoxBody {
    Full::new(Bytes::from(s.to_owned()))
        .map_err(|never| match never {})
        .boxed()
}

/// A body fed by a channel.
pub struct ChannelBody(pub mpsc::Receiver<Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = hyper::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

async fn upstream_answer(request: Request<Incoming>) -> Response<BoxBody> {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let mut response = match path.as_str() {
        p if p.starts_with("/status/") => {
            let code: u16 = p["/status/".len()..].parse().unwrap_or(500);
            let mut r = Response::new(full(&format!("upstream says {code}")));
            *r.status_mut() = StatusCode::from_u16(code).unwrap();
            r
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_millis(query_num(
                query.as_deref(),
                "ms",
                1000,
            )))
            .await;
            Response::new(full("slow"))
        }
        "/stream" => {
            let n = query_num(query.as_deref(), "n", 3);
            let ms = query_num(query.as_deref(), "ms", 100);
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(async move {
                for i in 0..n {
                    if tx.send(Bytes::from(format!("chunk{i};"))).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
            });
            Response::new(ChannelBody(rx).boxed())
        }
        "/echo-body" => {
            let (tx, rx) = mpsc::channel(1);
            let mut body = request.into_body();
            tokio::spawn(async move {
                while let Some(Ok(frame)) = body.frame().await {
                    if let Ok(data) = frame.into_data()
                        && tx.send(data).await.is_err()
                    {
                        return;
                    }
                }
            });
            Response::new(ChannelBody(rx).boxed())
        }
        "/headers" => {
            let mut lines = String::new();
            for (n, v) in request.headers() {
                lines.push_str(&format!("{}: {}\n", n, v.to_str().unwrap_or("?")));
            }
            Response::new(full(&lines))
        }
        _ => Response::new(full("hello")),
    };
    response
        .headers_mut()
        .insert("x-upstream", http::HeaderValue::from_static("yes"));
    if let Ok(v) = http::HeaderValue::from_str(&path) {
        response.headers_mut().insert("x-path", v);
    }
    response
}

/// Starts the well-behaved upstream.
pub async fn upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let options_seen = Arc::new(AtomicUsize::new(0));
    let (s, o) = (seen.clone(), options_seen.clone());
    tokio::spawn(async move {
        let builder = Arc::new(hyper_util::server::conn::auto::Builder::new(
            TokioExecutor::new(),
        ));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (s, o, builder) = (s.clone(), o.clone(), builder.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |r: Request<Incoming>| {
                    s.fetch_add(1, Ordering::SeqCst);
                    if r.method() == http::Method::OPTIONS {
                        o.fetch_add(1, Ordering::SeqCst);
                    }
                    async move { Ok::<_, Infallible>(upstream_answer(r).await) }
                });
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Upstream {
        addr,
        seen,
        options_seen,
    }
}

/// An upstream that speaks only HTTP/2 (h2c with prior knowledge) and
/// says which version it saw.
pub async fn h2_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|r: Request<Incoming>| async move {
                    Ok::<_, Infallible>(Response::new(full(&format!("{:?}", r.version()))))
                });
                let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// How a raw upstream misbehaves.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Accepts, reads the request, never answers.
    Hang,
    /// Accepts, reads the request, closes without a word.
    CloseBeforeAnswer,
    /// Sends a head announcing 100 bytes, then 10, then closes.
    CloseMidBody,
    /// Sends a chunked head and one chunk, then resets.
    ResetMidChunked,
}

/// A raw TCP upstream with a fault.
pub async fn faulty_upstream(fault: Fault) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = vec![0; 8192];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                match fault {
                    Fault::Hang => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    Fault::CloseBeforeAnswer => {}
                    Fault::CloseMidBody => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\ncontent-type: text/plain\r\n\r\n0123456789")
                            .await;
                        let _ = stream.flush().await;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Fault::ResetMidChunked => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
                            .await;
                        let _ = stream.flush().await;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    }
                }
            });
        }
    });
    addr
}

/// A port nothing listens on.
pub async fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

/// A gateway started in-process.
pub struct Running {
    pub addr: SocketAddr,
    pub admin: Option<SocketAddr>,
    pub handle: GatewayHandle,
    pub done: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Starts a gateway from configuration text, in `dir` (for relative
/// policy files); `file` set: the text is written there and reloads read
/// it.
pub async fn start(text: &str, dir: &Path, file: Option<&str>, watch: bool) -> Running {
    let (config, source) = match file {
        Some(name) => {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            (
                GatewayConfig::load(&path).unwrap(),
                ConfigSource::File(path),
            )
        }
        None => (
            GatewayConfig::from_toml_str(text, dir, "test.toml").unwrap(),
            ConfigSource::Fixed,
        ),
    };
    let gateway = Gateway::bind(
        config,
        GatewayOptions {
            source,
            watch_files: watch,
            signals: false,
            ..GatewayOptions::default()
        },
    )
    .await
    .unwrap();
    let addr = gateway.local_addrs()[0];
    let admin = gateway.admin_addr();
    let handle = gateway.handle();
    let done = tokio::spawn(gateway.run());
    Running {
        addr,
        admin,
        handle,
        done,
    }
}

/// A configuration with one route to `upstream` under `policy` (TOML
/// inline table body), ephemeral ports, and `extra` appended to the
/// route.
pub fn one_route(upstream: &str, policy: &str, extra: &str) -> String {
    format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "127.0.0.1:0"
        [limits]
        request_timeout = "2s"
        [[routes]]
        name = "api"
        upstream = "{upstream}"
        policy = {{ {policy} }}
        {extra}
        "#
    )
}

pub type TestClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build_http()
}

pub fn h2_client() -> TestClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

/// The `Access-Control-Allow-Origin` a CORS `GET` of `url` from `origin`
/// gets back (`None`: the origin is not allowed).
pub async fn allowed_origin(url: &str, origin: &str) -> Option<String> {
    let (_, h, _) = send(&client(), "GET", url, &[("origin", origin)]).await;
    h.get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

/// Sends `method url` with `headers`; returns status, headers and the
/// whole body (an error reading it as `Err`).
pub async fn send(
    client: &TestClient,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, http::HeaderMap, Result<String, String>) {
    let mut b = Request::builder().method(method).uri(url);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    let response = client
        .request(b.body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"));
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(b) => Ok(String::from_utf8_lossy(&b.to_bytes()).into_owned()),
        Err(e) => Err(format!("{e:?}")),
    };
    (parts.status, parts.headers, body)
}

/// A whole raw HTTP/1.1 exchange: writes `bytes`, reads until the peer
/// closes or `wait` passes.
pub async fn raw(addr: SocketAddr, bytes: &[u8], wait: Duration) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// GET on the admin listener.
pub async fn admin_get(running: &Running, path: &str) -> (StatusCode, String) {
    let (status, _, body) = send(
        &client(),
        "GET",
        &format!("http://{}{path}", running.admin.unwrap()),
        &[],
    )
    .await;
    (status, body.unwrap())
}

/// The route's `corsica_gateway_upstream_errors_total` of one kind, read
/// from `/metrics`. The gateway lists every kind of every route, zeros
/// included, so a missing line fails (a 0 read from nothing would pass).
pub async fn upstream_errors(running: &Running, route: &str, kind: &str) -> f64 {
    let (_, m) = admin_get(running, "/metrics").await;
    let sample =
        format!(r#"corsica_gateway_upstream_errors_total{{route="{route}",error="{kind}"}}"#);
    assert!(
        m.lines()
            .any(|l| l.strip_prefix(&sample).is_some_and(|r| r.starts_with(' '))),
        "no `{sample}` line in /metrics:\n{m}"
    );
    metric(&m, &sample)
}

/// The value of one metric sample line (`name{labels}`), 0 when absent.
pub fn metric(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample).and_then(|r| r.strip_prefix(' ')))
        .map_or(0.0, |v| v.parse().unwrap())
}
