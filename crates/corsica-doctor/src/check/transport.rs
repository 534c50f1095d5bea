//! Sending a browser's request for real: TCP, TLS (rustls with the
//! platform's roots) and HTTP/1.1 (hyper), one connection per request, and
//! the answer's head handed back as received.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use corsica::fetch::{ResponseHead, Transmit};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

/// Why a request got no answer. The message says it plainly; none of
/// these is about CORS: the browser would fail the same way before any
/// CORS check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Occurs when the host name does not resolve.
    #[error("cannot resolve {host}: {detail} (check the host name, or your DNS)")]
    Dns {
        /// The host.
        host: String,
        /// What the resolver said.
        detail: String,
    },
    /// Occurs when no address of the host accepts a connection.
    #[error("cannot connect to {target}: {detail} (is the server running and listening there?)")]
    Connect {
        /// `host:port` and the addresses tried.
        target: String,
        /// What the system said (refused, unreachable, ...).
        detail: String,
    },
    /// Occurs when the TLS handshake fails.
    #[error("TLS with {host} failed: {detail}{hint}")]
    Tls {
        /// The host.
        host: String,
        /// What rustls said.
        detail: String,
        /// What to try.
        hint: &'static str,
    },
    /// Occurs when no answer came within the time allowed.
    #[error(
        "no answer from {target} within {} s (raise --timeout, or check the server)",
        seconds(*.after)
    )]
    Timeout {
        /// `host:port`.
        target: String,
        /// The time allowed.
        after: Duration,
    },
    /// Occurs when the server's answer is not HTTP/1.1, or the connection
    /// closed before a response head.
    #[error("{target} did not answer with an HTTP response: {detail}")]
    Http {
        /// `host:port`.
        target: String,
        /// What went wrong.
        detail: String,
    },
    /// Occurs when the request cannot be sent: a URL scheme other than
    /// http and https, a header byte the HTTP library refuses.
    #[error("cannot send this request: {detail}")]
    Unsupported {
        /// Why.
        detail: String,
    },
}

/// `10`, `0.3`: seconds as people write them.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

/// Where a check's requests go: the network ([`HttpTransport`]), or
/// anything that answers a [`Transmit`] with a response head (a policy
/// standing in for the server, in tests).
///
/// `body` is the request's body, to send when the transmit carries one
/// (`Content-Length`).
pub trait Transport {
    /// Sends `transmit` and returns the answer's head as received.
    fn send(
        &mut self,
        transmit: &Transmit,
        body: Option<&Bytes>,
    ) -> impl Future<Output = Result<ResponseHead<'static>, TransportError>>;
}

/// Real HTTP/1.1 over TCP, with TLS for `https:` URLs.
pub struct HttpTransport {
    timeout: Duration,
    insecure: bool,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("timeout", &self.timeout)
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport that waits at most `timeout` per request (connect, TLS
    /// and the response head together) and, with `insecure`, accepts any
    /// server certificate.
    pub fn new(timeout: Duration, insecure: bool) -> HttpTransport {
        HttpTransport {
            timeout,
            insecure,
            tls: None,
        }
    }

    fn tls(&mut self, host: &str) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        if let Some(c) = &self.tls {
            return Ok(c.clone());
        }
        let config = tls_config(self.insecure).map_err(|detail| TransportError::Tls {
            host: host.to_owned(),
            detail,
            hint: "",
        })?;
        let config = Arc::new(config);
        self.tls = Some(config.clone());
        Ok(config)
    }

    async fn send_inner(
        &mut self,
        tx: &Transmit,
        body: Option<&Bytes>,
        target: &str,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let url = tx.url();
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(TransportError::Unsupported {
                    detail: format!("the URL scheme is {other}:, not http: or https:"),
                });
            }
        };
        let host = url.host_str().unwrap_or_default();
        // `[::1]` in a URL, `::1` to the resolver and to TLS.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| TransportError::Dns {
                host: bare.to_owned(),
                detail: e.to_string(),
            })?
            .collect();
        if addrs.is_empty() {
            return Err(TransportError::Dns {
                host: bare.to_owned(),
                detail: "no address".to_owned(),
            });
        }
        let mut last = String::new();
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
            return Err(TransportError::Connect {
                target: target.to_owned(),
                detail: last,
            });
        };
        let _ = stream.set_nodelay(true);
        let request = http_request(tx, body)?;
        if https {
            let config = self.tls(bare)?;
            let name = ServerName::try_from(bare.to_owned()).map_err(|e| TransportError::Tls {
                host: bare.to_owned(),
                detail: e.to_string(),
                hint: "",
            })?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await
                .map_err(|e| TransportError::Tls {
                    host: bare.to_owned(),
                    detail: e.to_string(),
                    hint: if self.insecure {
                        ""
                    } else {
                        " (a local or self-signed certificate? --insecure accepts any)"
                    },
                })?;
            exchange(tls, request, target).await
        } else {
            exchange(stream, request, target).await
        }
    }
}

impl Transport for HttpTransport {
    async fn send(
        &mut self,
        tx: &Transmit,
        body: Option<&Bytes>,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let url = tx.url();
        let target = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(80)
        );
        match tokio::time::timeout(self.timeout, self.send_inner(tx, body, &target)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout {
                target,
                after: self.timeout,
            }),
        }
    }
}

/// The transmit as an `http::Request` with an origin-form target (HTTP/1.1
/// sends the path, the `Host` header names the server), and its body when
/// it carries one.
fn http_request(
    tx: &Transmit,
    body: Option<&Bytes>,
) -> Result<http::Request<Full<Bytes>>, TransportError> {
    let request = tx.to_http().map_err(|e| TransportError::Unsupported {
        detail: e.to_string(),
    })?;
    let (mut parts, ()) = request.into_parts();
    let url = tx.url();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    parts.uri = target.parse().map_err(|_| TransportError::Unsupported {
        detail: format!("the path {target:?} is not a valid request target"),
    })?;
    let body = if tx.header("content-length").is_some() {
        body.cloned().unwrap_or_default()
    } else {
        Bytes::new()
    };
    Ok(http::Request::from_parts(parts, Full::new(body)))
}

/// One request on a fresh HTTP/1.1 connection; the answer's head.
async fn exchange<S>(
    io: S,
    request: http::Request<Full<Bytes>>,
    target: &str,
) -> Result<ResponseHead<'static>, TransportError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let http_error = |e: hyper::Error| TransportError::Http {
        target: target.to_owned(),
        detail: e.to_string(),
    };
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        // Title-Case names on the wire, as browsers write most of them over
        // HTTP/1.1 (servers compare names case-insensitively).
        .title_case_headers(true)
        .handshake(TokioIo::new(io))
        .await
        .map_err(http_error)?;
    let connection = tokio::spawn(conn);
    let response = sender.send_request(request).await.map_err(http_error)?;
    let (parts, _body) = response.into_parts();
    // The body is not read: the verdict depends on the head only.
    connection.abort();
    Ok(ResponseHead::from(&parts).into_owned())
}

/// rustls with the system's trusted roots, or (`insecure`) accepting any
/// certificate; HTTP/1.1 offered by ALPN.
fn tls_config(insecure: bool) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = rustls::RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(format!(
                "no trusted root certificates found on this system ({}); install the \
                 ca-certificates package, or use --insecure",
                found.errors.first().map_or_else(
                    || "none in the usual places".to_owned(),
                    ToString::to_string
                )
            ));
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// `--insecure`: any certificate is accepted; the handshake's signatures
/// are still checked, so the connection is at least to the key holder.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
