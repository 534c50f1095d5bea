//! The gateway's pool of HTTP/1.1 upstream connections: a connection is
//! reused once its answer has been read whole, never while an answer is
//! still streaming, and an upstream that closes its idle keep-alive
//! connections (as servers do after their keep-alive timeout) costs no
//! request: the closed connection is left, and a request that one could
//! not start to send goes on another.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use http::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const POLICY: &str = r#"origins = ["https://app.example.com"]"#;

/// A raw HTTP/1.1 upstream that answers each request with its body, or
/// `ok` when it has none (keep-alive, no `Connection` header) and, with
/// `close_after_answer`, closes the connection once the answer is written,
/// without a word. Counts the connections it accepted.
async fn counting_upstream(close_after_answer: bool) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // One request head, then its body (`Content-Length`).
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    buf.drain(..end);
                    while buf.len() < length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: Vec<u8> = buf.drain(..length).collect();
                    let body = if body.is_empty() {
                        b"ok".to_vec()
                    } else {
                        body
                    };
                    let mut answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\ncontent-type: text/plain\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    answer.extend_from_slice(&body);
                    if stream.write_all(&answer).await.is_err() {
                        return;
                    }
                    if close_after_answer {
                        return;
                    }
                }
            });
        }
    });
    (addr, accepted)
}

/// A gateway with the test policy in front of the upstream at `addr`.
async fn gateway_to(addr: SocketAddr, dir: &TempDir) -> Running {
    start(
        &one_route(&format!("http://{addr}"), POLICY, ""),
        &dir.0,
        None,
        false,
    )
    .await
}

#[tokio::test]
async fn one_connection_serves_requests_one_after_another() {
    let (addr, accepted) = counting_upstream(false).await;
    let dir = TempDir::new("pool");
    let gw = gateway_to(addr, &dir).await;
    let c = client();
    for _ in 0..20 {
        let (status, h, body) = send(&c, "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h["access-control-allow-origin"], PAGE);
        assert_eq!(body.unwrap(), "ok");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_answer_still_streaming_keeps_its_connection() {
    // `/stream` sends its chunks 100 ms apart: a second request meanwhile
    // must not be queued behind it on the same connection.
    let up = upstream().await;
    let dir = TempDir::new("pool-stream");
    let gw = start(&one_route(&up.url(), POLICY, ""), &dir.0, None, false).await;
    let c = client();
    let slow = {
        let c = c.clone();
        let url = gw.url("/stream?n=5&ms=100");
        tokio::spawn(async move { send(&c, "GET", &url, &[("origin", PAGE)]).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = std::time::Instant::now();
    let (status, _, body) = send(&c, "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.unwrap(), "hello");
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "waited for the streaming answer: {:?}",
        started.elapsed()
    );
    let (status, _, body) = slow.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_ok());
}

#[tokio::test]
async fn an_upstream_closing_idle_connections_costs_no_request() {
    let (addr, accepted) = counting_upstream(true).await;
    let dir = TempDir::new("pool-close");
    let gw = gateway_to(addr, &dir).await;
    let c = client();
    for i in 0..20 {
        let (status, _, body) = send(&c, "GET", &gw.url("/x"), &[("origin", PAGE)]).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {body:?}");
        assert_eq!(body.unwrap(), "ok");
        if i % 2 == 0 {
            // Give the close time to arrive (the connection is seen
            // closed and left), or not (the request may find it closed
            // while sending, and goes on a new one).
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 20);
    for kind in ["connect", "closed"] {
        assert_eq!(upstream_errors(&gw, "api", kind).await, 0.0, "{kind}");
    }
}

#[tokio::test]
async fn a_request_body_given_back_by_a_closed_idle_connection_goes_whole_on_another() {
    // Each connection is closed by the upstream after one answer: the
    // next request is queued on it, which finds it closed before writing
    // a byte and hands the request back, body unread, to go on a new one.
    let (addr, accepted) = counting_upstream(true).await;
    let dir = TempDir::new("pool-close-body");
    let gw = gateway_to(addr, &dir).await;
    let c = client();
    for i in 0..10 {
        let sent = format!("body of request {i}");
        let response = c
            .request(
                http::Request::post(gw.url("/x"))
                    .header("origin", PAGE)
                    .body(http_body_util::Full::new(bytes::Bytes::from(sent.clone())))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "request {i}");
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(body, sent.as_bytes(), "request {i}");
        // The close arrives while the connection waits in the pool.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 10);
    assert_eq!(upstream_errors(&gw, "api", "closed").await, 0.0);
}
