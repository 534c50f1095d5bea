//! An axum app behind corsica-tower.
//!
//! ```sh
//! cargo run -p corsica-tower --example axum
//! # another terminal:
//! curl -i -X OPTIONS http://127.0.0.1:3000/items \
//!      -H 'Origin: http://localhost:5173' -H 'Access-Control-Request-Method: PUT' \
//!      -H 'Access-Control-Request-Headers: content-type'
//! curl -i http://127.0.0.1:3000/items -H 'Origin: https://evil.example'
//! ```
//!
//! The policy comes from the environment variable `CORS_POLICY` (TOML) when
//! it is set, from the built-in one below otherwise; a bad policy stops the
//! program with every mistake listed. `PORT` picks the port (0: any free
//! one). What it shows:
//!
//! - preflights answered before the router (it has no OPTIONS routes);
//! - CORS headers on the handler's 500 and on a panic turned into a 500
//!   (`CatchPanicLayer` inside the CORS layer);
//! - a second policy for `/admin` (a nested router with its own layer);
//! - the debug header on rejected requests, and rejections logged through
//!   `tracing` (`RUST_LOG`-style filtering left out to stay small);
//! - a policy reload at run time: `POST /reload` puts back `CORS_POLICY`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use corsica_tower::{CorsLayer, PolicyHandle};
use tower_http::catch_panic::CatchPanicLayer;

const DEFAULT_POLICY: &str = r#"
origins = ["http://localhost:*", "http://127.0.0.1:*", "https://*.example.com"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type"]
expose_headers = ["X-Request-Id"]
max_age = 600
"#;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().init();
    let cors = match std::env::var_os("CORS_POLICY") {
        Some(_) => CorsLayer::from_env("CORS_POLICY"),
        None => CorsLayer::from_toml_str(DEFAULT_POLICY),
    };
    let cors = match cors {
        Ok(layer) => layer.debug(cfg!(debug_assertions)),
        Err(e) => {
            eprintln!("axum example: {e}");
            std::process::exit(1);
        }
    };
    let admin_cors = CorsLayer::from_toml_str(
        r#"origins = ["https://admin.example.com"]
           credentials = true
           methods = ["DELETE"]"#,
    )
    .expect("the admin policy is valid");

    let admin = Router::new().route(
        "/users/{id}",
        get(|| async { "user" }).delete(|| async { StatusCode::NO_CONTENT }),
    );
    let app = Router::new()
        .route("/items", get(|| async { "[]" }).put(|| async { "stored" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .route("/panic", get(panics))
        .route("/reload", post(reload))
        .with_state(cors.handle())
        .layer(CatchPanicLayer::new())
        .layer(cors)
        .nest("/admin", admin.layer(admin_cors));

    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    println!(
        "axum example listening on http://{}",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app).await.unwrap();
}

async fn panics() -> &'static str {
    panic!("a handler bug: CatchPanicLayer makes it a 500 that still carries the CORS headers")
}

/// Puts `CORS_POLICY` back in force (say, after the origins in it changed).
async fn reload(State(handle): State<PolicyHandle>) -> (StatusCode, String) {
    match handle.reload_env("CORS_POLICY") {
        Ok(()) => (StatusCode::OK, "policy reloaded\n".into()),
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e}\n")),
    }
}
