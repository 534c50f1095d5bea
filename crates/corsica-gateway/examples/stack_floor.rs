//! The control of `scripts/bench-gateway --floor`, not an example of use:
//! hyper 1.x's HTTP/1 server on a current-thread tokio runtime (the stack
//! the gateway is built on, in its leanest form) answering every request
//! with one fixed answer given on the command line, and doing nothing else:
//! no routing, no policy, no timers, no metrics, no HTTP/2 detection. What
//! it costs per preflight is the least any server on hyper and tokio pays
//! for one, so the benchmark can say how much of the gateway's CPU per
//! preflight is the stack's and how much is the gateway's own.
//!
//! ```sh
//! cargo run --release -p corsica-gateway --example stack_floor -- \
//!     --listen 127.0.0.1:8081 --status 204 \
//!     --header 'access-control-allow-origin: https://myapp.com'
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The control server's command line.
#[derive(clap::Parser)]
#[command(
    about = "hyper and tokio alone, sending one fixed answer (scripts/bench-gateway --floor)"
)]
struct Args {
    /// Where to listen.
    #[arg(long)]
    listen: SocketAddr,
    /// The answer's status.
    #[arg(long, default_value = "204", value_parser = parse_status)]
    status: StatusCode,
    /// A header of the answer, `Name: value`; repeat for more, in order.
    #[arg(long = "header", value_parser = parse_header)]
    headers: Vec<(HeaderName, HeaderValue)>,
}

fn parse_status(text: &str) -> Result<StatusCode, String> {
    text.parse::<u16>()
        .ok()
        .and_then(|n| StatusCode::from_u16(n).ok())
        .ok_or_else(|| format!("{text:?} is not an HTTP status"))
}

fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} has no ':' (write `Name: value`)"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|e| format!("{name:?} is not a header name: {e}"))?;
    // Leaked once at start: static values are cloned without a reference
    // count, as the gateway's policy values are shared.
    let value: &'static str = Box::leak(value.trim().to_owned().into_boxed_str());
    HeaderValue::from_str(value).map_err(|e| format!("{value:?} is not a header value: {e}"))?;
    Ok((name, HeaderValue::from_static(value)))
}

fn main() -> std::io::Result<()> {
    let args: &'static Args = Box::leak(Box::new(<Args as clap::Parser>::parse()));
    let listen = args.listen;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(listen).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<Incoming>| {
                    // The request's map, emptied, holds the answer's headers
                    // (as the gateway does: no allocation per answer).
                    let mut headers = request.into_parts().0.headers;
                    headers.clear();
                    for (name, value) in &args.headers {
                        headers.append(name.clone(), value.clone());
                    }
                    let mut response = Response::new(Empty::<Bytes>::new());
                    *response.status_mut() = args.status;
                    *response.headers_mut() = headers;
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .writev(false)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
