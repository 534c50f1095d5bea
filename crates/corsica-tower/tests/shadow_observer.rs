//! Shadow mode changes nothing and still reports; the observer sees every
//! decision.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use corsica_tower::CorsLayer;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tower::ServiceExt;
use tower_layer::Layer;

const POLICY: &str = r#"origins = ["https://a.com"]
methods = ["GET", "PUT"]"#;

/// An app that answers every request, preflights included, with 418 and a
/// header of its own, and records the methods it saw.
fn app(
    seen: Arc<Mutex<Vec<Method>>>,
) -> impl tower::Service<Request<()>, Response = Response<()>, Error = Infallible, Future: Send> + Clone
{
    tower::service_fn(move |r: Request<()>| {
        seen.lock().unwrap().push(r.method().clone());
        async {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::IM_A_TEAPOT;
            response
                .headers_mut()
                .insert("x-app", HeaderValue::from_static("1"));
            Ok::<_, Infallible>(response)
        }
    })
}

fn req(method: Method, headers: &[(&str, &str)]) -> Request<()> {
    let mut r = Request::builder().method(method).uri("/");
    for (n, v) in headers {
        r = r.header(*n, *v);
    }
    r.body(()).unwrap()
}

#[tokio::test]
async fn shadow_mode_passes_everything_on_unchanged() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let layer = CorsLayer::from_toml_str(POLICY).unwrap().shadow(true);
    let cases = [
        // Allowed preflight: the layer would answer 204; in shadow mode the
        // app answers.
        req(
            Method::OPTIONS,
            &[
                ("origin", "https://a.com"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        // Rejected preflight: would be 403.
        req(
            Method::OPTIONS,
            &[
                ("origin", "https://evil.com"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        // Allowed actual request: would get ACAO.
        req(Method::GET, &[("origin", "https://a.com")]),
        // Not CORS: would get Vary.
        req(Method::GET, &[]),
    ];
    for request in cases {
        let response = layer
            .clone()
            .layer(app(seen.clone()))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        let names: Vec<&str> = response.headers().keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["x-app"], "shadow mode added headers");
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        4,
        "every request reached the app"
    );

    // Switched off at run time: the layer answers preflights again.
    layer.handle().set_shadow(false);
    let response = layer
        .clone()
        .layer(app(seen.clone()))
        .oneshot(req(
            Method::OPTIONS,
            &[
                ("origin", "https://a.com"),
                ("access-control-request-method", "PUT"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn observer_sees_each_decision_in_both_modes() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let layer = CorsLayer::from_toml_str(POLICY)
        .unwrap()
        .on_decision(move |d| {
            sink.lock().unwrap().push((
                d.is_cors(),
                d.is_preflight(),
                d.rejection().map(|r| r.code()),
            ))
        });
    let seen = Arc::new(Mutex::new(Vec::new()));
    for shadow in [false, true] {
        layer.handle().set_shadow(shadow);
        for request in [
            req(Method::GET, &[]),
            req(Method::GET, &[("origin", "https://a.com")]),
            req(Method::GET, &[("origin", "https://b.com")]),
            req(
                Method::OPTIONS,
                &[
                    ("origin", "https://a.com"),
                    ("access-control-request-method", "DELETE"),
                ],
            ),
        ] {
            layer
                .clone()
                .layer(app(seen.clone()))
                .oneshot(request)
                .await
                .unwrap();
        }
    }
    let expected = [
        (false, false, None),
        (true, false, None),
        (true, false, Some("origin-not-allowed")),
        (true, true, Some("method-not-allowed")),
    ];
    let log = log.lock().unwrap();
    assert_eq!(log[..4], expected);
    assert_eq!(log[4..], expected);
}
