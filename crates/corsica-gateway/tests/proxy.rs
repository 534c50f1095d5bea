//! The gateway over real TCP: preflights answered by the gateway, other
//! requests streamed both ways with the policy's headers on every answer,
//! routes by host and prefix, shadow and debug modes, HTTP/2 on both
//! sides, the admin listener.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

const POLICY: &str = r#"origins = ["https://app.example.com"], methods = ["GET", "PUT"], request_headers = ["Content-Type"], expose_headers = ["X-Upstream"]"#;

#[tokio::test]
async fn preflights_are_answered_here_and_every_answer_carries_cors_headers() {
    let up = upstream().await;
    let dir = TempDir::new("proxy");
    let gw = start(&one_route(&up.url(), POLICY, ""), &dir.0, None, false).await;
    let c = client();

    // An allowed preflight: 204 from the gateway, the upstream never sees it.
    let (status, h, _) = send(
        &c,
        "OPTIONS",
        &gw.url("/items"),
        &[
            ("origin", PAGE),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert_eq!(h["access-control-allow-methods"], "GET, PUT");
    // A rejected one: 403, no CORS headers but Vary.
    let (status, h, _) = send(
        &c,
        "OPTIONS",
        &gw.url("/items"),
        &[
            ("origin", PAGE),
            ("access-control-request-method", "DELETE"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(h.get("access-control-allow-origin").is_none());
    assert!(h.get("vary").is_some());
    assert_eq!(up.options_seen.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Actual requests: 200, 404, 500 from the upstream, all with the
    // policy's headers and the upstream's own.
    for (path, code) in [("/x", 200), ("/status/404", 404), ("/status/500", 500)] {
        let (status, h, body) = send(&c, "GET", &gw.url(path), &[("origin", PAGE)]).await;
        assert_eq!(status.as_u16(), code, "{path}");
        assert_eq!(h["access-control-allow-origin"], PAGE, "{path}");
        assert_eq!(h["access-control-expose-headers"], "x-upstream", "{path}");
        assert_eq!(h["vary"], "Origin", "{path}");
        assert_eq!(h["x-upstream"], "yes");
        assert!(!body.unwrap().is_empty());
    }
    // Another origin: passed on, no ACAO (the browser withholds it).
    let (status, h, _) = send(&c, "GET", &gw.url("/x"), &[("origin", "https://evil.com")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());

    // The upstream sees the forwarding headers and its own Host.
    let (_, _, body) = send(&c, "GET", &gw.url("/headers"), &[("origin", PAGE)]).await;
    let body = body.unwrap();
    assert!(body.contains(&format!("host: {}", up.addr)), "{body}");
    assert!(body.contains("x-forwarded-for: 127.0.0.1"), "{body}");
    assert!(
        body.contains(&format!("x-forwarded-host: {}", gw.addr)),
        "{body}"
    );
    assert!(body.contains("x-forwarded-proto: http"), "{body}");

    let (_, metrics) = admin_get(&gw, "/metrics").await;
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_requests_total{route="api",kind="preflight",outcome="allowed",mode="enforce"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_rejections_total{route="api",reason="method-not-allowed",mode="enforce"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_rejections_total{route="api",reason="origin-not-allowed",mode="enforce"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_responses_total{route="api",status="5xx"}"#
        ),
        1.0
    );
    assert!(
        metric(
            &metrics,
            r#"corsica_gateway_upstream_latency_seconds_count{route="api"}"#
        ) >= 5.0
    );
}

#[tokio::test]
async fn bodies_stream_both_ways_without_buffering() {
    let up = upstream().await;
    let dir = TempDir::new("stream");
    let gw = start(&one_route(&up.url(), POLICY, ""), &dir.0, None, false).await;

    // The upstream echoes each request frame as it arrives: the client
    // sends frame 2 only after frame 1 came back, so neither direction
    // can be buffered whole.
    let client: Client<_, ChannelBody> = Client::builder(TokioExecutor::new()).build_http();
    let (tx, rx) = mpsc::channel(1);
    let request = Request::put(gw.url("/echo-body"))
        .header("origin", PAGE)
        .body(ChannelBody(rx))
        .unwrap();
    let sending = tokio::spawn(async move { client.request(request).await });
    tx.send(Bytes::from_static(b"one;")).await.unwrap();
    let response = tokio::time::timeout(Duration::from_secs(5), sending)
        .await
        .expect("the head came back before the request body ended")
        .unwrap()
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], PAGE);
    let mut body = response.into_body();
    let first = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("frame 1 came back while the request was still open")
        .unwrap()
        .unwrap()
        .into_data()
        .unwrap();
    assert_eq!(first, "one;");
    tx.send(Bytes::from_static(b"two;")).await.unwrap();
    let second = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(second, "two;");
    drop(tx);
    assert!(body.frame().await.is_none());

    // A slow chunked answer arrives chunk by chunk.
    let c = common::client(); // `client` is shadowed above
    let response = c
        .request(
            Request::get(gw.url("/stream?n=3&ms=300"))
                .body(http_body_util::Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(first, "chunk0;");
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "the first chunk waited for the others"
    );
}

#[tokio::test]
async fn routes_go_by_host_then_longest_prefix() {
    let a = upstream().await;
    let b = upstream().await;
    let dir = TempDir::new("routes");
    let text = format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "off"
        [[routes]]
        name = "default"
        upstream = "{a}"
        policy = {{ origins = ["https://a.example"] }}
        [[routes]]
        name = "v2"
        path = "/v2"
        strip_prefix = true
        upstream = "{b}/base"
        policy = {{ origins = ["https://b.example"] }}
        [[routes]]
        name = "host"
        host = "api.test"
        upstream = "{b}"
        policy = {{ origins = ["https://c.example"] }}
        "#,
        a = a.url(),
        b = b.url()
    );
    let gw = start(&text, &dir.0, None, false).await;
    let c = client();
    let ask = |path: &str, host: Option<&str>, origin: &str| {
        let mut headers = vec![("origin", origin.to_owned())];
        if let Some(h) = host {
            headers.push(("host", h.to_owned()));
        }
        (gw.url(path), headers)
    };
    for (path, host, origin, allowed) in [
        ("/x", None, "https://a.example", true),
        ("/x", None, "https://b.example", false),
        ("/v2/x", None, "https://b.example", true),
        ("/v2x", None, "https://a.example", true),
        ("/v2/x", Some("api.test"), "https://c.example", true),
        ("/v2/x", Some("API.TEST:80"), "https://c.example", true),
    ] {
        let (url, headers) = ask(path, host, origin);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let (status, h, _) = send(&c, "GET", &url, &headers).await;
        assert_eq!(status, StatusCode::OK, "{path} {host:?}");
        assert_eq!(
            h.get("access-control-allow-origin").is_some(),
            allowed,
            "{path} {host:?} {origin}"
        );
    }
    // strip_prefix and the base path: /v2/x?q=1 reaches b at /base/x?q=1.
    let (_, h, _) = send(&c, "GET", &gw.url("/v2/x?q=1"), &[]).await;
    assert_eq!(h["x-path"], "/base/x");
    let (_, h, _) = send(&c, "GET", &gw.url("/v2"), &[]).await;
    assert_eq!(h["x-path"], "/base/");
    let (_, h, _) = send(&c, "GET", &gw.url("/v2x/y"), &[]).await;
    assert_eq!(h["x-path"], "/v2x/y");
}

#[tokio::test]
async fn an_unmatched_request_gets_404_naming_the_routes() {
    let up = upstream().await;
    let dir = TempDir::new("noroute");
    let text = one_route(&up.url(), POLICY, "path = \"/api\"");
    let gw = start(&text, &dir.0, None, false).await;
    let (status, _, body) = send(&client(), "GET", &gw.url("/other"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.unwrap().contains("no route for host"));
}

#[tokio::test]
async fn shadow_mode_changes_nothing_and_counts_what_it_would_reject() {
    let up = upstream().await;
    let dir = TempDir::new("shadow");
    let gw = start(
        &one_route(&up.url(), POLICY, "shadow = true"),
        &dir.0,
        None,
        false,
    )
    .await;
    let c = client();
    // The preflight reaches the upstream, which answers it as it likes.
    let (status, h, body) = send(
        &c,
        "OPTIONS",
        &gw.url("/items"),
        &[
            ("origin", "https://evil.com"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.unwrap(), "hello");
    assert!(h.get("vary").is_none() && h.get("access-control-allow-origin").is_none());
    assert_eq!(up.options_seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    let (_, h, _) = send(&c, "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
    assert!(
        h.get("access-control-allow-origin").is_none(),
        "shadow adds nothing"
    );
    let (_, metrics) = admin_get(&gw, "/metrics").await;
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_rejections_total{route="api",reason="origin-not-allowed",mode="shadow"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &metrics,
            r#"corsica_gateway_requests_total{route="api",kind="actual",outcome="allowed",mode="shadow"}"#
        ),
        1.0
    );
}

#[tokio::test]
async fn debug_mode_says_why_on_rejected_answers() {
    let up = upstream().await;
    let dir = TempDir::new("debug");
    let gw = start(
        &one_route(&up.url(), POLICY, "debug = true"),
        &dir.0,
        None,
        false,
    )
    .await;
    let (status, h, _) = send(
        &client(),
        "OPTIONS",
        &gw.url("/items"),
        &[("origin", PAGE), ("access-control-request-method", "PATCH")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        h["corsica-rejection"]
            .to_str()
            .unwrap()
            .starts_with("method-not-allowed: method `PATCH`")
    );
}

#[tokio::test]
async fn http2_on_both_sides() {
    let h1 = upstream().await;
    let h2 = h2_upstream().await;
    let dir = TempDir::new("h2");
    let text = format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "off"
        [[routes]]
        name = "h1"
        upstream = "{}"
        policy = {{ origins = ["{PAGE}"] }}
        [[routes]]
        name = "h2"
        path = "/h2"
        upstream = "http://{h2}"
        upstream_http2 = true
        policy = {{ origins = ["{PAGE}"] }}
        "#,
        h1.url()
    );
    let gw = start(&text, &dir.0, None, false).await;
    // h2c from the client (prior knowledge), HTTP/1.1 to the upstream.
    let (status, h, body) = send(&h2_client(), "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert_eq!(body.unwrap(), "hello");
    // HTTP/1.1 from the client, h2c to the upstream.
    let (status, h, body) = send(&client(), "GET", &gw.url("/h2/x"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert_eq!(body.unwrap(), "HTTP/2.0");
    // An h2c preflight.
    let (status, _, _) = send(
        &h2_client(),
        "OPTIONS",
        &gw.url("/x"),
        &[("origin", PAGE), ("access-control-request-method", "GET")],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn admin_answers_health_readiness_status_and_metrics() {
    let up = upstream().await;
    let dir = TempDir::new("admin");
    let gw = start(&one_route(&up.url(), POLICY, ""), &dir.0, None, false).await;
    assert_eq!(
        admin_get(&gw, "/healthz").await,
        (StatusCode::OK, "ok\n".into())
    );
    assert_eq!(
        admin_get(&gw, "/readyz").await,
        (StatusCode::OK, "ready\n".into())
    );
    let (status, body) = admin_get(&gw, "/status").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["generation"], 1);
    assert_eq!(v["routes"][0]["origins"][0], PAGE);
    let (status, body) = admin_get(&gw, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("# TYPE corsica_gateway_upstream_latency_seconds histogram"));
    assert_eq!(admin_get(&gw, "/nope").await.0, StatusCode::NOT_FOUND);
}
