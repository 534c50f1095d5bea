//! Rejections are reported through `tracing` with their typed reason;
//! allowed requests only when asked.

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use corsica_tower::CorsLayer;
use http::{Method, Request, Response};
use tower::ServiceExt;
use tower_layer::Layer;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `requests` through the layer under a capturing subscriber and
/// returns what was logged, one event per line.
fn logged(layer: CorsLayer, requests: Vec<Request<()>>) -> Vec<String> {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            for request in requests {
                let service = layer
                    .clone()
                    .layer(tower::service_fn(|_: Request<()>| async {
                        Ok::<_, Infallible>(Response::new(()))
                    }));
                service.oneshot(request).await.unwrap();
            }
        });
    });
    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

fn req(method: Method, headers: &[(&str, &str)]) -> Request<()> {
    let mut r = Request::builder().method(method).uri("/");
    for (n, v) in headers {
        r = r.header(*n, *v);
    }
    r.body(()).unwrap()
}

const POLICY: &str = r#"
    origins = ["https://a.com"]
    methods = ["PUT"]
"#;

#[test]
fn rejections_are_logged_with_code_and_reason_allowed_requests_are_not() {
    let lines = logged(
        CorsLayer::from_toml_str(POLICY).unwrap(),
        vec![
            req(Method::GET, &[("origin", "https://a.com")]),
            req(Method::GET, &[]),
            req(
                Method::OPTIONS,
                &[
                    ("origin", "https://a.com"),
                    ("access-control-request-method", "PUT"),
                ],
            ),
            req(Method::GET, &[("origin", "https://evil.com")]),
            req(
                Method::OPTIONS,
                &[
                    ("origin", "https://a.com"),
                    ("access-control-request-method", "PATCH"),
                ],
            ),
        ],
    );
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].contains(" INFO corsica_tower: CORS request rejected"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("code=\"origin-not-allowed\""),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("origin=Some(\"https://evil.com\")"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("preflight=false"), "{}", lines[0]);
    assert!(
        lines[1].contains("code=\"method-not-allowed\""),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("reason=method `PATCH` is not in the policy's methods"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("preflight=true"), "{}", lines[1]);
}

#[test]
fn allowed_requests_are_logged_when_asked() {
    let lines = logged(
        CorsLayer::from_toml_str(POLICY)
            .unwrap()
            .trace_allowed(true),
        vec![
            req(Method::GET, &[("origin", "https://a.com")]),
            req(Method::GET, &[]),
        ],
    );
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("CORS request allowed"), "{}", lines[0]);
}

#[test]
fn policy_warnings_are_logged_when_the_layer_is_built() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let _layer = CorsLayer::from_toml_str(
            r#"origins = ["*", "https://a.com"]
               dangerously_allow_insecure_origins = true"#,
        )
        .unwrap();
    });
    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN corsica_tower: CORS policy: "), "{text}");
    assert!(text.contains("code=\"redundant-origins\""), "{text}");
    assert!(text.contains("code=\"unused-dangerous-option\""), "{text}");
}
