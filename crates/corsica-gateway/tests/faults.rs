//! Faults, each with the answer it must get: the gateway's own 502, 504
//! and 431 carry the policy's CORS headers (so the page reads the real
//! error instead of a CORS error) and say in plain words what went wrong;
//! a body broken off after its head breaks the client's connection (never
//! a silently short body); malformed and slow clients are cut off while
//! the others are served; a shutdown drains every accepted request.

mod common;

use std::time::{Duration, Instant};

use common::*;
use http::StatusCode;

const POLICY: &str = r#"origins = ["https://app.example.com"]"#;

async fn gateway_to(upstream: &str, extra: &str) -> (Running, TempDir) {
    let dir = TempDir::new("faults");
    let gw = start(&one_route(upstream, POLICY, extra), &dir.0, None, false).await;
    (gw, dir)
}

#[tokio::test]
async fn upstream_refused_is_a_502_the_page_can_read() {
    let addr = refused_addr().await;
    let (gw, _d) = gateway_to(&format!("http://{addr}"), "").await;
    let (status, h, body) = send(&client(), "GET", &gw.url("/items"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert_eq!(h["content-type"], "text/plain; charset=utf-8");
    let body = body.unwrap();
    assert!(
        body.contains("could not connect to its upstream") && body.contains("connection refused"),
        "{body}"
    );
    assert_eq!(upstream_errors(&gw, "api", "connect").await, 1.0);
}

#[tokio::test]
async fn upstream_hanging_is_a_504_after_the_route_timeout() {
    let addr = faulty_upstream(Fault::Hang).await;
    let (gw, _d) = gateway_to(&format!("http://{addr}"), "timeout = \"300ms\"").await;
    // HTTP/1.1 requests are timed by their connection's clock, h2c streams
    // by a tokio timer each; two requests per client, so the second runs
    // on a connection whose first request timed out.
    for (version, client) in [("HTTP/1.1", client()), ("h2c", h2_client())] {
        for round in 0..2 {
            let started = Instant::now();
            let (status, h, body) =
                send(&client, "GET", &gw.url("/items"), &[("origin", PAGE)]).await;
            let took = started.elapsed();
            assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{version} {round}");
            assert!(
                took >= Duration::from_millis(300) && took < Duration::from_secs(5),
                "{version} {round}: {took:?}"
            );
            assert_eq!(h["access-control-allow-origin"], PAGE);
            let body = body.unwrap();
            assert!(
                body.contains("did not answer within 300ms (the route's timeout)"),
                "{version} {round}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn upstream_closing_before_answering_is_a_502() {
    let addr = faulty_upstream(Fault::CloseBeforeAnswer).await;
    let (gw, _d) = gateway_to(&format!("http://{addr}"), "").await;
    let (status, h, body) = send(&client(), "GET", &gw.url("/items"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert!(
        body.unwrap()
            .contains("closed the connection before answering")
    );
}

#[tokio::test]
async fn upstream_closing_mid_body_breaks_the_client_connection() {
    for fault in [Fault::CloseMidBody, Fault::ResetMidChunked] {
        let addr = faulty_upstream(fault).await;
        let (gw, _d) = gateway_to(&format!("http://{addr}"), "").await;
        let (status, h, body) =
            send(&client(), "GET", &gw.url("/items"), &[("origin", PAGE)]).await;
        // The head went out with the CORS headers; the body cannot be
        // completed, so the client must see an error, not a short body.
        assert_eq!(status, StatusCode::OK, "{fault:?}");
        assert_eq!(h["access-control-allow-origin"], PAGE, "{fault:?}");
        assert!(
            body.is_err(),
            "{fault:?}: a short body passed as whole: {body:?}"
        );
        assert_eq!(upstream_errors(&gw, "api", "body").await, 1.0, "{fault:?}");
    }
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_gateway_goes_on() {
    let up = upstream().await;
    let (gw, _d) = gateway_to(&up.url(), "").await;
    let wait = Duration::from_secs(3);
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    ] {
        let answer = raw(gw.addr, bad, wait).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
            "{:?} got {answer:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // A broken chunked body: 400, the client's fault, not the upstream's.
    let answer = raw(
        gw.addr,
        b"POST /x HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        wait,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("access-control-allow-origin: https://app.example.com"),
        "{answer}"
    );
    assert!(answer.contains("body could not be read"), "{answer}");
    // Two Origin lines: the engine rejects it as malformed, nothing breaks.
    let answer = raw(
        gw.addr,
        b"GET /x HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nOrigin: https://evil.com\r\nConnection: close\r\n\r\n",
        wait,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.contains("access-control-allow-origin"), "{answer}");
    // And the gateway still serves.
    let (status, h, _) = send(&client(), "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], PAGE);
}

#[tokio::test]
async fn oversized_headers_get_431_with_cors_headers() {
    let up = upstream().await;
    let dir = TempDir::new("oversize");
    let text = format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "off"
        [limits]
        max_header_bytes = 4096
        [[routes]]
        name = "api"
        upstream = "{}"
        policy = {{ {POLICY} }}
        "#,
        up.url()
    );
    let gw = start(&text, &dir.0, None, false).await;
    let cookie = "a".repeat(6000);
    let (status, h, body) = send(
        &client(),
        "GET",
        &gw.url("/x"),
        &[("origin", PAGE), ("cookie", &cookie)],
    )
    .await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(h["access-control-allow-origin"], PAGE);
    assert!(body.unwrap().contains("over the gateway's limit of 4096"));
    assert_eq!(up.seen.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Far over: the HTTP parser refuses the head before any route is
    // known (431, no CORS headers: there is no request to read).
    let huge = format!(
        "GET /x HTTP/1.1\r\nHost: x\r\nOrigin: {PAGE}\r\nCookie: {}\r\n\r\n",
        "b".repeat(40_000)
    );
    let answer = raw(gw.addr, huge.as_bytes(), Duration::from_secs(3)).await;
    assert!(
        answer.starts_with("HTTP/1.1 431") || answer.is_empty(),
        "{answer}"
    );
    // Still serving.
    let (status, _, _) = send(&client(), "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off() {
    let up = upstream().await;
    let dir = TempDir::new("slow");
    let text = format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "off"
        [limits]
        header_read_timeout = "300ms"
        idle_timeout = "400ms"
        [[routes]]
        name = "api"
        upstream = "{}"
        policy = {{ {POLICY} }}
        "#,
        up.url()
    );
    let gw = start(&text, &dir.0, None, false).await;
    // A head that never ends.
    let started = Instant::now();
    let _ = raw(
        gw.addr,
        b"GET /x HTTP/1.1\r\nHost: x\r\n",
        Duration::from_secs(5),
    )
    .await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(3),
        "slow head not cut off in time: {took:?}"
    );
    // A keep-alive connection that goes quiet after its request.
    let started = Instant::now();
    let answer = raw(
        gw.addr,
        b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        took < Duration::from_secs(3),
        "idle connection kept: {took:?}"
    );
}

#[tokio::test]
async fn shutdown_drains_every_accepted_request() {
    let up = upstream().await;
    let dir = TempDir::new("drain");
    let gw = start(&one_route(&up.url(), POLICY, ""), &dir.0, None, false).await;
    let c = client();
    let mut requests = Vec::new();
    for i in 0..20 {
        let c = c.clone();
        let url = gw.url(&format!("/slow?ms=600&i={i}"));
        requests.push(tokio::spawn(async move {
            send(&c, "GET", &url, &[("origin", PAGE)]).await
        }));
    }
    // Let them all reach the upstream, then shut down.
    let deadline = Instant::now() + Duration::from_secs(5);
    while up.seen.load(std::sync::atomic::Ordering::SeqCst) < 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(up.seen.load(std::sync::atomic::Ordering::SeqCst), 20);
    let admin = gw.admin.unwrap();
    gw.handle.shutdown();
    // While draining, readiness is off.
    let (status, _, _) = send(&client(), "GET", &format!("http://{admin}/readyz"), &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    for r in requests {
        let (status, h, body) = r.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h["access-control-allow-origin"], PAGE);
        assert_eq!(body.unwrap(), "slow");
    }
    tokio::time::timeout(Duration::from_secs(5), gw.done)
        .await
        .expect("run() returned once drained")
        .unwrap();
    // No longer accepting.
    assert!(tokio::net::TcpStream::connect(gw.addr).await.is_err());
}
