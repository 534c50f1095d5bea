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

/// The fixed answer: its status and its headers, in order.
struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
}

fn usage(error: &str) -> ! {
    eprintln!(
        "stack_floor: {error}\n\
         usage: stack_floor --listen ADDR [--status N] [--header 'Name: value']..."
    );
    std::process::exit(2);
}

fn parse_args() -> (SocketAddr, Answer) {
    let mut listen = None;
    let mut answer = Answer {
        status: StatusCode::NO_CONTENT,
        headers: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            usage(&format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--listen" => match value.parse() {
                Ok(addr) => listen = Some(addr),
                Err(e) => usage(&format!("--listen {value:?}: {e}")),
            },
            "--status" => match value
                .parse::<u16>()
                .ok()
                .and_then(|n| StatusCode::from_u16(n).ok())
            {
                Some(status) => answer.status = status,
                None => usage(&format!("--status {value:?} is not an HTTP status")),
            },
            "--header" => {
                let Some((name, v)) = value.split_once(':') else {
                    usage(&format!("--header {value:?} has no ':'"))
                };
                // Leaked once at start: static values are cloned without a
                // reference count, as the gateway's policy values are shared.
                let v: &'static str = Box::leak(v.trim().to_owned().into_boxed_str());
                match (
                    HeaderName::from_bytes(name.trim().as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    (Ok(n), Ok(_)) => answer.headers.push((n, HeaderValue::from_static(v))),
                    _ => usage(&format!("--header {value:?} is not a valid header")),
                }
            }
            _ => usage(&format!("unknown option {flag}")),
        }
    }
    let Some(listen) = listen else {
        usage("--listen is required")
    };
    (listen, answer)
}

fn main() -> std::io::Result<()> {
    let (listen, answer) = parse_args();
    let answer: &'static Answer = Box::leak(Box::new(answer));
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
                    for (name, value) in &answer.headers {
                        headers.append(name.clone(), value.clone());
                    }
                    let mut response = Response::new(Empty::<Bytes>::new());
                    *response.status_mut() = answer.status;
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
