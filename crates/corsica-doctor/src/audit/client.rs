//! The audit's HTTP/1.1 client: the check's TLS setup (rustls, the
//! platform's roots or `--insecure`), with connections kept alive and
//! reused per host, since an audit sends dozens of requests to each.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use corsica::fetch::ResponseHead;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::check::TransportError;
use crate::check::transport::{tls_config, tls_connect};

/// The most body bytes read to keep a connection reusable; a longer body
/// closes the connection instead.
const MAX_BODY: usize = 1 << 20;
/// The most idle connections kept per host.
const MAX_IDLE: usize = 64;

type Sender = SendRequest<Full<Bytes>>;

/// One request: method, URL and header lines (values as bytes: probes may
/// carry non-ASCII).
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub(crate) method: http::Method,
    pub(crate) url: url::Url,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
}

pub(crate) struct Client {
    timeout: Duration,
    insecure: bool,
    tls: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
    idle: Mutex<HashMap<String, Vec<Sender>>>,
}

impl Client {
    pub(crate) fn new(timeout: Duration, insecure: bool) -> Client {
        Client {
            timeout,
            insecure,
            tls: OnceLock::new(),
            idle: Mutex::new(HashMap::new()),
        }
    }

    /// Sends `out` and returns the answer's head (the body is read and
    /// dropped), within the timeout.
    pub(crate) async fn send(
        &self,
        out: &Outgoing,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let target = authority(&out.url);
        match tokio::time::timeout(self.timeout, self.send_inner(out, &target)).await {
            Ok(r) => r,
            Err(_) => Err(TransportError::Timeout {
                target,
                after: self.timeout,
            }),
        }
    }

    async fn send_inner(
        &self,
        out: &Outgoing,
        target: &str,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let key = format!("{}://{target}", out.url.scheme());
        // A kept-alive connection the server has closed fails before any
        // answer: try once more on a fresh one.
        if let Some(sender) = self.take_idle(&key)
            && let Ok(r) = self.exchange(sender, out, &key, target).await
        {
            return Ok(r);
        }
        let sender = self.connect(&out.url, target).await?;
        self.exchange(sender, out, &key, target).await
    }

    fn take_idle(&self, key: &str) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.get_mut(key)?;
        while let Some(s) = list.pop() {
            if s.is_ready() && !s.is_closed() {
                return Some(s);
            }
        }
        None
    }

    fn put_idle(&self, key: &str, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.entry(key.to_owned()).or_default();
        if list.len() < MAX_IDLE {
            list.push(sender);
        }
    }

    async fn exchange(
        &self,
        mut sender: Sender,
        out: &Outgoing,
        key: &str,
        target: &str,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let http_error = |e: hyper::Error| TransportError::Http {
            target: target.to_owned(),
            detail: e.to_string(),
        };
        sender.ready().await.map_err(http_error)?;
        let request = request(out)?;
        let response = sender.send_request(request).await.map_err(http_error)?;
        let (parts, body) = response.into_parts();
        let head = ResponseHead::from(&parts).into_owned();
        // Read the body so the connection can carry the next probe.
        if Limited::new(body, MAX_BODY).collect().await.is_ok() && !sender.is_closed() {
            self.put_idle(key, sender);
        }
        Ok(head)
    }

    fn tls(&self, host: &str) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        self.tls
            .get_or_init(|| tls_config(self.insecure).map(Arc::new))
            .clone()
            .map_err(|detail| TransportError::Tls {
                host: host.to_owned(),
                detail,
                hint: "",
            })
    }

    async fn connect(&self, url: &url::Url, target: &str) -> Result<Sender, TransportError> {
        let host = url.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| TransportError::Dns {
                host: bare.to_owned(),
                detail: e.to_string(),
            })?
            .collect();
        let mut last = "no address".to_owned();
        let mut stream = None;
        for addr in &addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        let Some(stream) = stream else {
            return Err(if addrs.is_empty() {
                TransportError::Dns {
                    host: bare.to_owned(),
                    detail: last,
                }
            } else {
                TransportError::Connect {
                    target: target.to_owned(),
                    detail: last,
                }
            });
        };
        let _ = stream.set_nodelay(true);
        if url.scheme() == "https" {
            let tls = tls_connect(self.tls(bare)?, bare, stream, self.insecure).await?;
            handshake(tls, target).await
        } else {
            handshake(stream, target).await
        }
    }
}

async fn handshake<S>(io: S, target: &str) -> Result<Sender, TransportError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::Builder::new()
        .title_case_headers(true)
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| TransportError::Http {
            target: target.to_owned(),
            detail: e.to_string(),
        })?;
    tokio::spawn(conn);
    Ok(sender)
}

/// `host:port` of a URL.
pub(crate) fn authority(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(80)
    )
}

/// The request with an origin-form target and a `Host` header first.
fn request(out: &Outgoing) -> Result<http::Request<Full<Bytes>>, TransportError> {
    let unsupported = |detail: String| TransportError::Unsupported { detail };
    let path = match out.url.query() {
        Some(q) => format!("{}?{q}", out.url.path()),
        None => out.url.path().to_owned(),
    };
    let mut builder = http::Request::builder()
        .method(out.method.clone())
        .uri(path.as_str());
    let host = match out.url.port() {
        Some(p) => format!("{}:{p}", out.url.host_str().unwrap_or_default()),
        None => out.url.host_str().unwrap_or_default().to_owned(),
    };
    builder = builder.header(http::header::HOST, host);
    for (name, value) in &out.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| unsupported(format!("{name:?} is not a header name")))?;
        let value = http::HeaderValue::from_bytes(value)
            .map_err(|_| unsupported(format!("the value of {name} holds a byte HTTP forbids")))?;
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(Bytes::new()))
        .map_err(|e| unsupported(e.to_string()))
}
