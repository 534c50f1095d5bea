//! A tonic gRPC service reachable from browsers through gRPC-Web, behind
//! corsica-tower. The service is tonic's built-in health service (no
//! protobuf code generation, so no `protoc` needed).
//!
//! ```sh
//! cargo run -p corsica-tower --example tonic_grpc_web
//! # The browser's preflight:
//! curl -i -X OPTIONS http://127.0.0.1:50051/grpc.health.v1.Health/Check \
//!      -H 'Origin: http://localhost:5173' -H 'Access-Control-Request-Method: POST' \
//!      -H 'Access-Control-Request-Headers: content-type,x-grpc-web,x-user-agent'
//! # The call (an empty HealthCheckRequest in a gRPC-Web frame: 5 zero bytes):
//! printf '\0\0\0\0\0' | curl -si http://127.0.0.1:50051/grpc.health.v1.Health/Check \
//!      -H 'Origin: http://localhost:5173' -H 'Content-Type: application/grpc-web+proto' \
//!      -H 'X-Grpc-Web: 1' --data-binary @- | sed -n '1,/^\r$/p'
//! ```
//!
//! gRPC-Web needs the browser to send `Content-Type`, `X-Grpc-Web` and
//! `X-User-Agent` (and `Grpc-Timeout` with deadlines), and to read
//! `Grpc-Status` and `Grpc-Message`: the policy says exactly that. The CORS
//! layer goes outside `GrpcWebLayer`, so preflights never reach tonic.
//! `PORT` picks the port (0: any free one).

use corsica_tower::CorsLayer;
use tonic::transport::Server;
use tonic_health::ServingStatus;
use tonic_web::GrpcWebLayer;

const POLICY: &str = r#"
origins = ["http://localhost:*", "http://127.0.0.1:*"]
methods = ["POST"]
request_headers = ["Content-Type", "X-Grpc-Web", "X-User-Agent", "Grpc-Timeout"]
expose_headers = ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"]
max_age = 7200
"#;

#[tokio::main]
async fn main() {
    let cors = CorsLayer::from_toml_str(POLICY).unwrap_or_else(|e| {
        eprintln!("tonic example: {e}");
        std::process::exit(1)
    });
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;

    let port = std::env::var("PORT").unwrap_or_else(|_| "50051".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    println!(
        "tonic gRPC-Web example listening on http://{}",
        listener.local_addr().unwrap()
    );
    Server::builder()
        .accept_http1(true)
        .layer(cors)
        .layer(GrpcWebLayer::new())
        .add_service(health)
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
        .await
        .unwrap();
}
