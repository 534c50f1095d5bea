//! A plain hyper 1.x server (no framework) behind corsica-tower.
//!
//! ```sh
//! cargo run -p corsica-tower --example hyper
//! curl -i -X OPTIONS http://127.0.0.1:3001/ \
//!      -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: DELETE'
//! curl -i http://127.0.0.1:3001/ -H 'Origin: https://app.example.com'
//! ```
//!
//! The layer wraps a `tower::service_fn`, and hyper-util's
//! `TowerToHyperService` hands the result to hyper's HTTP/1.1 connection.
//! `PORT` picks the port (0: any free one).

use std::convert::Infallible;

use bytes::Bytes;
use corsica::policy::PolicyConfig;
use corsica_tower::CorsLayer;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tower_layer::Layer;

async fn app(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!("{} {}\n", request.method(), request.uri().path());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

#[tokio::main]
async fn main() {
    // The builder form of a policy; `from_config` reports every mistake.
    let config = PolicyConfig::default()
        .origins(["https://app.example.com", "http://localhost:*"])
        .methods(["GET", "POST", "DELETE"])
        .request_headers(["Content-Type"])
        .max_age(600);
    let cors = CorsLayer::from_config(&config).unwrap_or_else(|e| {
        eprintln!("hyper example: {e}");
        std::process::exit(1)
    });
    let service = cors.layer(tower::service_fn(app));

    let port = std::env::var("PORT").unwrap_or_else(|_| "3001".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    println!(
        "hyper example listening on http://{}",
        listener.local_addr().unwrap()
    );
    loop {
        let (stream, _) = listener.accept().await.expect("accept");
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("hyper example: connection error: {e}");
            }
        });
    }
}
