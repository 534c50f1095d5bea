//! Hot reload: a valid configuration takes over without dropping a
//! request in flight; an invalid one is refused with every error logged
//! and the old one keeps serving; a file change reloads by itself.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use http::StatusCode;

fn config(upstream: &str) -> String {
    format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "127.0.0.1:0"
        [[routes]]
        name = "api"
        upstream = "{upstream}"
        policy = "cors.toml"
        "#
    )
}

#[tokio::test]
async fn an_invalid_reload_is_refused_and_the_old_policy_serves() {
    let up = upstream().await;
    let dir = TempDir::new("reload-bad");
    dir.write("cors.toml", r#"origins = ["https://a.example"]"#);
    let gw = start(&config(&up.url()), &dir.0, Some("gateway.toml"), false).await;

    dir.write(
        "cors.toml",
        "origins = [\"*\", \"https://b.example/\"]\ncredentials = true\n",
    );
    let errors = gw.handle.reload().unwrap_err();
    let codes: Vec<&str> = errors.errors.iter().map(|e| e.code).collect();
    assert!(codes.contains(&"credentialed-wildcard-origin"), "{codes:?}");
    assert!(codes.contains(&"origin-with-path"), "{codes:?}");
    assert_eq!(gw.handle.generation(), 1);
    assert_eq!(
        allowed_origin(&gw.url("/x"), "https://a.example")
            .await
            .as_deref(),
        Some("https://a.example")
    );
    let (_, status) = admin_get(&gw, "/status").await;
    assert!(status.contains("credentialed-wildcard-origin"), "{status}");
    let (_, m) = admin_get(&gw, "/metrics").await;
    assert_eq!(
        metric(&m, r#"corsica_gateway_reloads_total{result="error"}"#),
        1.0
    );

    // A broken gateway file too: still the old one.
    dir.write("gateway.toml", "[[routes]\n");
    assert!(gw.handle.reload().is_err());

    // Fixed: the new policy takes over.
    dir.write("gateway.toml", &config(&up.url()));
    dir.write("cors.toml", r#"origins = ["https://b.example"]"#);
    assert_eq!(gw.handle.reload().unwrap(), 2);
    assert_eq!(
        allowed_origin(&gw.url("/x"), "https://b.example")
            .await
            .as_deref(),
        Some("https://b.example")
    );
    assert_eq!(
        allowed_origin(&gw.url("/x"), "https://a.example").await,
        None
    );
}

#[tokio::test]
async fn a_file_change_reloads_by_itself() {
    let up = upstream().await;
    let dir = TempDir::new("reload-watch");
    dir.write("cors.toml", r#"origins = ["https://a.example"]"#);
    let gw = start(&config(&up.url()), &dir.0, Some("gateway.toml"), true).await;
    dir.write("cors.toml", r#"origins = ["https://c.example"]"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if allowed_origin(&gw.url("/x"), "https://c.example")
            .await
            .is_some()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the change was not picked up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(gw.handle.generation(), 2);
    // An invalid change is refused by the watcher as well.
    dir.write("cors.toml", r#"origins = ["null"]"#);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(gw.handle.generation(), 2);
    let (_, m) = admin_get(&gw, "/metrics").await;
    assert_eq!(
        metric(&m, r#"corsica_gateway_reloads_total{result="error"}"#),
        1.0
    );
    assert_eq!(
        allowed_origin(&gw.url("/x"), "https://c.example")
            .await
            .as_deref(),
        Some("https://c.example")
    );
}

#[tokio::test]
async fn reloading_under_load_loses_no_request() {
    let up = upstream().await;
    let dir = TempDir::new("reload-load");
    dir.write(
        "cors.toml",
        r#"origins = ["https://a.example", "https://b.example"]"#,
    );
    let gw = Arc::new(start(&config(&up.url()), &dir.0, Some("gateway.toml"), false).await);
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (gw, stop, ok) = (gw.clone(), stop.clone(), ok.clone());
        workers.push(tokio::spawn(async move {
            let c = client();
            let mut failures = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                // Some slow requests, in flight across a reload.
                let path = if i % 10 == 0 { "/slow?ms=50" } else { "/x" };
                let (status, h, body) =
                    send(&c, "GET", &gw.url(path), &[("origin", "https://a.example")]).await;
                if status != StatusCode::OK
                    || h.get("access-control-allow-origin").is_none()
                    || body.is_err()
                {
                    failures.push(format!("worker {w} #{i}: {status} {h:?} {body:?}"));
                } else {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            failures
        }));
    }
    // Alternate two valid policies (both allow a.example) and an invalid
    // one, 30 reloads.
    for i in 0..30 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let text = match i % 3 {
            0 => r#"origins = ["https://a.example"]"#,
            1 => r#"origins = ["https://*.example"]"#,
            _ => r#"origins = ["https://a.example/"]"#,
        };
        dir.write("cors.toml", text);
        let _ = gw.handle.reload();
    }
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for w in workers {
        failures.extend(w.await.unwrap());
    }
    assert!(
        failures.is_empty(),
        "{} lost:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        ok.load(Ordering::Relaxed) > 100,
        "too little load: {}",
        ok.load(Ordering::Relaxed)
    );
    assert_eq!(gw.handle.generation(), 21);
}
