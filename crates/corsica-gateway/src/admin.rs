//! The admin listener: `/metrics` (Prometheus text), `/healthz` (the
//! process answers), `/readyz` (serving, and not shutting down),
//! `/status` (the configuration in force, as JSON) and `POST /reload`.

use std::convert::Infallible;
use std::sync::Arc;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::body::Body;
use crate::proxy::plain;
use crate::server::{self, Shared};

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let builder = Arc::new(auto::Builder::new(TokioExecutor::new()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let shared = shared.clone();
        let builder = builder.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |r| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(answer(&shared, &r)) }
            });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(shared: &Shared, request: &Request<Incoming>) -> Response<Body> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") => {
            let mut r = Response::new(Body::full(shared.metrics.render()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        (&Method::GET, "/healthz") => plain(StatusCode::OK, "ok\n".into()),
        (&Method::GET, "/readyz") => {
            if server::is_ready(shared) {
                plain(StatusCode::OK, "ready\n".into())
            } else {
                plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not ready: starting or shutting down\n".into(),
                )
            }
        }
        (&Method::GET, "/status") => {
            let state = shared.state.load();
            let routes: Vec<serde_json::Value> = state
                .config
                .routes
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "host": r.host,
                        "path": r.path,
                        "upstream": r.upstream.url,
                        "shadow": r.shadow,
                        "debug": r.debug,
                        "origins": r.policy.config().origins,
                    })
                })
                .collect();
            let body = serde_json::json!({
                "generation": state.generation,
                "ready": server::is_ready(shared),
                "routes": routes,
                "last_reload_error": server::last_reload_errors(shared),
            });
            let mut r = Response::new(Body::full(format!("{body}\n")));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        (&Method::POST, "/reload") => match server::reload_from_admin(shared) {
            Ok(generation) => plain(
                StatusCode::OK,
                format!("reloaded: generation {generation}\n"),
            ),
            Err(errors) => plain(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{errors}\nthe configuration in force is unchanged\n"),
            ),
        },
        (_, "/metrics" | "/healthz" | "/readyz" | "/status" | "/reload") => plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "use GET (POST for /reload)\n".into(),
        ),
        _ => plain(
            StatusCode::NOT_FOUND,
            "corsica gateway admin: /metrics, /healthz, /readyz, /status, POST /reload\n".into(),
        ),
    }
}
