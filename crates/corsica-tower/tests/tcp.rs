//! The layer over real TCP: axum and plain hyper servers on 127.0.0.1:0,
//! requests from hyper-util's HTTP/1.1 client. Each case that tower-http's
//! `CorsLayer` gets wrong is run against it too, to show the difference.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, options};
use common::*;
use corsica::policy::PolicyConfig;
use corsica_tower::CorsLayer;
use http::{Method, Response};
use tower_http::catch_panic::CatchPanicLayer;

fn layer(toml: &str) -> CorsLayer {
    CorsLayer::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}"))
}

const POLICY: &str = r#"
    origins = ["https://app.example.com", "https://*.example.com"]
    credentials = true
    methods = ["GET", "POST", "PUT", "DELETE"]
    request_headers = ["Authorization", "Content-Type"]
    expose_headers = ["X-Request-Id"]
"#;

/// The same policy as far as tower-http can say it (no patterns).
fn tower_http_layer() -> tower_http::cors::CorsLayer {
    use http::header::{AUTHORIZATION, CONTENT_TYPE};
    tower_http::cors::CorsLayer::new()
        .allow_origin([http::HeaderValue::from_static(ORIGIN)])
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE])
}

fn get_only() -> Router {
    Router::new().route("/items", get(|| async { "items" }))
}

#[tokio::test]
async fn preflight_is_answered_before_a_router_that_would_405() {
    let c = client();
    let bare = serve_axum(get_only()).await;
    let ours = serve_axum(get_only().layer(layer(POLICY))).await;

    // Without CORS, axum answers OPTIONS on a GET-only route with 405.
    let got = send(
        &c,
        bare,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "PUT", None),
    )
    .await;
    assert_eq!(got.status, StatusCode::METHOD_NOT_ALLOWED);

    let got = send(
        &c,
        ours,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "PUT", Some("content-type")),
    )
    .await;
    assert_eq!(got.status, StatusCode::NO_CONTENT);
    assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(got.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        got.header("access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE")
    );
    assert_eq!(
        got.header("access-control-allow-headers"),
        Some("authorization, content-type")
    );
    assert_eq!(
        got.vary(),
        ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
    assert_eq!(got.body, "");

    // A subdomain through the pattern, and a path with no route at all.
    let got = send(
        &c,
        ours,
        Method::OPTIONS,
        "/nowhere",
        &preflight("https://a.b.example.com", "DELETE", None),
    )
    .await;
    assert_eq!(got.status, StatusCode::NO_CONTENT);
    assert_eq!(
        got.header("access-control-allow-origin"),
        Some("https://a.b.example.com")
    );
}

#[tokio::test]
async fn rejected_preflights_get_403_without_cors_headers_where_tower_http_says_200() {
    let c = client();
    let ours = serve_axum(get_only().layer(layer(POLICY))).await;
    let theirs = serve_axum(get_only().layer(tower_http_layer())).await;

    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("method", preflight(ORIGIN, "PATCH", None)),
        ("header", preflight(ORIGIN, "PUT", Some("x-secret"))),
        ("origin", preflight(EVIL, "PUT", None)),
    ];
    for (what, headers) in &cases {
        let got = send(&c, ours, Method::OPTIONS, "/items", headers).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(got.header("access-control-allow-origin"), None, "{what}");
        assert_eq!(got.header("access-control-allow-methods"), None, "{what}");
        assert!(got.header("vary").is_some(), "{what}");

        // tower-http: 200 for every one of them, and for the method and
        // header cases the full set of allow headers (it checks neither
        // Access-Control-Request-Method nor -Headers; the browser does).
        let got = send(&c, theirs, Method::OPTIONS, "/items", headers).await;
        assert_eq!(got.status, StatusCode::OK, "tower-http, {what}");
        if *what != "origin" {
            assert_eq!(
                got.header("access-control-allow-origin"),
                Some(ORIGIN),
                "tower-http, {what}"
            );
        }
    }
}

#[tokio::test]
async fn options_that_is_not_a_preflight_reaches_the_app_where_tower_http_swallows_it() {
    let app = || {
        Router::new().route(
            "/rpc",
            options(|| async { (StatusCode::OK, [("allow", "GET, OPTIONS")], "from the app") }),
        )
    };
    let c = client();
    let ours = serve_axum(app().layer(layer(POLICY))).await;
    let theirs = serve_axum(app().layer(tower_http_layer())).await;

    // An OPTIONS with Origin but no Access-Control-Request-Method is a
    // CORS request, not a preflight.
    let got = send(&c, ours, Method::OPTIONS, "/rpc", &[("origin", ORIGIN)]).await;
    assert_eq!(got.body, "from the app");
    assert_eq!(got.header("allow"), Some("GET, OPTIONS"));
    assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));
    let got = send(&c, ours, Method::OPTIONS, "/rpc", &[]).await;
    assert_eq!(got.body, "from the app");

    // tower-http answers every OPTIONS itself: the app never sees them.
    for headers in [&[("origin", ORIGIN)][..], &[]] {
        let got = send(&c, theirs, Method::OPTIONS, "/rpc", headers).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, "", "tower-http answered instead of the app");
        assert_eq!(got.header("allow"), None);
    }
}

#[tokio::test]
async fn passthrough_hands_preflights_to_the_app_with_the_headers_added() {
    let app = Router::new()
        .route(
            "/items",
            options(|| async { (StatusCode::OK, "app preflight") }),
        )
        .layer(layer(
            r#"origins = ["https://app.example.com"]
               methods = ["PUT"]
               preflight_passthrough = true"#,
        ));
    let c = client();
    let addr = serve_axum(app).await;
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "PUT", None),
    )
    .await;
    assert_eq!(
        (got.status, got.body.as_str()),
        (StatusCode::OK, "app preflight")
    );
    assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(got.header("access-control-allow-methods"), Some("PUT"));
    // Rejected: still the app's answer, with only Vary.
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "DELETE", None),
    )
    .await;
    assert_eq!(got.body, "app preflight");
    assert_eq!(got.header("access-control-allow-origin"), None);
    assert!(got.header("vary").is_some());
}

#[tokio::test]
async fn error_responses_carry_the_cors_headers() {
    let app = Router::new()
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .route("/teapot", get(|| async { StatusCode::IM_A_TEAPOT }))
        .layer(layer(POLICY));
    let c = client();
    let addr = serve_axum(app).await;
    for (path, status) in [
        ("/fail", StatusCode::INTERNAL_SERVER_ERROR),
        ("/teapot", StatusCode::IM_A_TEAPOT),
        ("/missing", StatusCode::NOT_FOUND),
    ] {
        let got = send(&c, addr, Method::GET, path, &[("origin", ORIGIN)]).await;
        assert_eq!(got.status, status, "{path}");
        assert_eq!(
            got.header("access-control-allow-origin"),
            Some(ORIGIN),
            "{path}"
        );
        assert_eq!(
            got.header("access-control-allow-credentials"),
            Some("true"),
            "{path}"
        );
        assert_eq!(
            got.header("access-control-expose-headers"),
            Some("x-request-id"),
            "{path}"
        );
    }
    let got = send(&c, addr, Method::GET, "/fail", &[("origin", EVIL)]).await;
    assert_eq!(got.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(got.header("access-control-allow-origin"), None);
    assert_eq!(got.vary(), ["Origin"]);
}

#[tokio::test]
async fn panic_turned_500_carries_cors_headers_only_when_catch_panic_is_inside() {
    async fn boom() -> &'static str {
        panic!("handler bug (expected by the test)")
    }
    let routes = || Router::new().route("/boom", get(boom));
    // axum: the last `.layer` is the outermost.
    let inside = routes().layer(CatchPanicLayer::new()).layer(layer(POLICY));
    let outside = routes().layer(layer(POLICY)).layer(CatchPanicLayer::new());
    let c = client();
    let inside = serve_axum(inside).await;
    let outside = serve_axum(outside).await;

    let got = send(&c, inside, Method::GET, "/boom", &[("origin", ORIGIN)]).await;
    assert_eq!(got.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));

    // CatchPanicLayer outside: the panic unwinds through the CORS layer's
    // future, and the 500 made outside has no CORS headers (the browser
    // reports a CORS error instead of the 500).
    let got = send(&c, outside, Method::GET, "/boom", &[("origin", ORIGIN)]).await;
    assert_eq!(got.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(got.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn vary_is_merged_once_with_the_apps_own_and_stacked_layers() {
    let app = |l1: CorsLayer, l2: Option<CorsLayer>| {
        let r = Router::new()
            .route(
                "/enc",
                get(|| async { ([("vary", "Accept-Encoding")], "x") }),
            )
            .route("/star", get(|| async { ([("vary", "*")], "x") }))
            .route("/origin", get(|| async { ([("vary", "origin")], "x") }))
            .route("/plain", get(|| async { "x" }))
            .layer(l1);
        match l2 {
            Some(l2) => r.layer(l2),
            None => r,
        }
    };
    let c = client();
    let one = serve_axum(app(layer(POLICY), None)).await;
    let two = serve_axum(app(layer(POLICY), Some(layer(POLICY)))).await;
    for addr in [one, two] {
        let vary = |path: &'static str| {
            let c = c.clone();
            async move {
                let got = send(&c, addr, Method::GET, path, &[("origin", ORIGIN)]).await;
                got.vary().iter().map(|s| s.to_string()).collect::<Vec<_>>()
            }
        };
        assert_eq!(vary("/enc").await, ["Accept-Encoding, Origin"]);
        assert_eq!(vary("/star").await, ["*"]);
        assert_eq!(vary("/origin").await, ["origin"]);
        assert_eq!(vary("/plain").await, ["Origin"]);
    }
    // Stacked preflight: the outer layer answers, one Vary line.
    let got = send(
        &c,
        two,
        Method::OPTIONS,
        "/plain",
        &preflight(ORIGIN, "PUT", None),
    )
    .await;
    assert_eq!(
        got.vary(),
        ["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
    );

    // tower-http 0.7 stacked twice on an app that already varies.
    let theirs = serve_axum(
        Router::new()
            .route(
                "/enc",
                get(|| async { ([("vary", "Accept-Encoding")], "x") }),
            )
            .layer(tower_http_layer())
            .layer(tower_http_layer()),
    )
    .await;
    let got = send(&c, theirs, Method::GET, "/enc", &[("origin", ORIGIN)]).await;
    eprintln!("tower-http stacked Vary: {:?}", got.vary());
    let names: Vec<String> = got
        .vary()
        .iter()
        .flat_map(|l| l.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    assert!(
        names.iter().filter(|n| *n == "origin").count() > 1,
        "tower-http no longer duplicates Vary when stacked: {names:?}"
    );
}

#[tokio::test]
async fn per_route_policies_with_route_layer_and_nested_routers() {
    let public = Router::new()
        .route("/status", get(|| async { "up" }))
        .layer(layer(r#"origins = ["*"]"#));
    let admin = Router::new()
        .route("/users", get(|| async { "users" }))
        .route_layer(layer(
            r#"origins = ["https://admin.example.com"]
               credentials = true
               methods = ["DELETE"]"#,
        ));
    let app = Router::new().nest("/public", public).nest("/admin", admin);
    let c = client();
    let addr = serve_axum(app).await;

    let got = send(&c, addr, Method::GET, "/public/status", &[("origin", EVIL)]).await;
    assert_eq!(got.header("access-control-allow-origin"), Some("*"));
    let got = send(&c, addr, Method::GET, "/admin/users", &[("origin", EVIL)]).await;
    assert_eq!(got.header("access-control-allow-origin"), None);
    let got = send(
        &c,
        addr,
        Method::GET,
        "/admin/users",
        &[("origin", "https://admin.example.com")],
    )
    .await;
    assert_eq!(
        got.header("access-control-allow-origin"),
        Some("https://admin.example.com")
    );
    assert_eq!(got.header("access-control-allow-credentials"), Some("true"));

    // route_layer also wraps the route's 405 for other methods: the
    // preflight to a GET-only route is answered.
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/admin/users",
        &preflight("https://admin.example.com", "DELETE", None),
    )
    .await;
    assert_eq!(got.status, StatusCode::NO_CONTENT);
    assert_eq!(got.header("access-control-allow-methods"), Some("DELETE"));
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/public/status",
        &preflight(EVIL, "DELETE", None),
    )
    .await;
    assert_eq!(
        got.status,
        StatusCode::FORBIDDEN,
        "DELETE is not in the public policy"
    );
}

#[tokio::test]
async fn debug_header_explains_rejections_and_is_switched_at_run_time() {
    let cors = layer(POLICY);
    let handle = cors.handle();
    let c = client();
    let addr = serve_axum(get_only().layer(cors)).await;

    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "PUT", Some("x-secret")),
    )
    .await;
    assert_eq!(got.header("corsica-rejection"), None, "off by default");

    handle.set_debug(true);
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/items",
        &preflight(ORIGIN, "PUT", Some("x-secret")),
    )
    .await;
    assert_eq!(got.status, StatusCode::FORBIDDEN);
    assert_eq!(
        got.header("corsica-rejection"),
        Some(
            "header-not-allowed: request header `x-secret` is not in the policy's request_headers; add it if it should be allowed"
        )
    );
    let got = send(&c, addr, Method::GET, "/items", &[("origin", EVIL)]).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(
        got.header("corsica-rejection")
            .unwrap()
            .starts_with("origin-not-allowed: ")
    );
    let got = send(&c, addr, Method::GET, "/items", &[("origin", ORIGIN)]).await;
    assert_eq!(
        got.header("corsica-rejection"),
        None,
        "allowed requests never carry it"
    );

    handle.set_debug(false);
    let got = send(&c, addr, Method::GET, "/items", &[("origin", EVIL)]).await;
    assert_eq!(got.header("corsica-rejection"), None);
}

/// A plain hyper server (no axum) whose service is the layer over a
/// `service_fn`, reloaded while 8 clients send 400 requests: every request
/// is answered by exactly one of the two policies, none is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_server_reload_under_concurrent_requests_drops_nothing() {
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = answered.clone();
    let inner = tower::service_fn(move |_req: http::Request<hyper::body::Incoming>| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            tokio::task::yield_now().await;
            Ok::<_, Infallible>(Response::new(http_body_util::Full::new(
                bytes::Bytes::from_static(b"ok"),
            )))
        }
    });
    let policy = |expose: &str| {
        PolicyConfig::default()
            .origins(["https://app.example.com"])
            .expose_headers([expose])
    };
    let cors = CorsLayer::from_config(&policy("x-one")).unwrap();
    let handle = cors.handle();
    let addr = serve_hyper(tower_layer::Layer::layer(&cors, inner)).await;

    const CLIENTS: usize = 8;
    const EACH: usize = 50;
    let reloader = tokio::spawn(async move {
        let mut swaps = 0;
        for i in 0..200 {
            let expose = if i % 2 == 0 { "x-two" } else { "x-one" };
            handle.replace_with_config(&policy(expose)).unwrap();
            swaps += 1;
            tokio::task::yield_now().await;
        }
        swaps
    });
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let c = client();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..EACH {
                let got = send(&c, addr, Method::GET, "/", &[("origin", ORIGIN)]).await;
                assert_eq!(got.status, StatusCode::OK);
                assert_eq!(got.body, "ok");
                assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));
                let expose = got
                    .header("access-control-expose-headers")
                    .unwrap()
                    .to_owned();
                assert!(expose == "x-one" || expose == "x-two", "{expose}");
                seen.push(expose);
            }
            seen
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("no client task failed").len();
    }
    assert_eq!(reloader.await.unwrap(), 200);
    assert_eq!(total, CLIENTS * EACH);
    assert_eq!(answered.load(Ordering::Relaxed), CLIENTS * EACH);
}

#[tokio::test]
async fn hyper_server_answers_preflights_itself() {
    let inner = tower::service_fn(|req: http::Request<hyper::body::Incoming>| async move {
        let status = if req.method() == Method::OPTIONS {
            StatusCode::METHOD_NOT_ALLOWED
        } else {
            StatusCode::OK
        };
        let mut r = Response::new(http_body_util::Full::new(bytes::Bytes::from_static(b"app")));
        *r.status_mut() = status;
        Ok::<_, Infallible>(r)
    });
    let addr = serve_hyper(tower_layer::Layer::layer(&layer(POLICY), inner)).await;
    let c = client();
    let got = send(
        &c,
        addr,
        Method::OPTIONS,
        "/",
        &preflight(ORIGIN, "DELETE", Some("authorization")),
    )
    .await;
    assert_eq!(got.status, StatusCode::NO_CONTENT);
    // 204: no body, and hyper sends no Content-Length (RFC 9110, 8.6).
    assert_eq!(got.body, "");
    let got = send(&c, addr, Method::DELETE, "/", &[("origin", ORIGIN)]).await;
    assert_eq!((got.status, got.body.as_str()), (StatusCode::OK, "app"));
    assert_eq!(got.header("access-control-allow-origin"), Some(ORIGIN));
}
