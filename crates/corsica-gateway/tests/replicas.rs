//! Beyond one machine: two gateway replicas behind HAProxy (Debian's
//! `haproxy`, started as the current user with a temporary configuration on
//! ephemeral ports), sharing one configuration file. Under load through
//! HAProxy, the shared policy file is rewritten again and again (valid and
//! invalid versions; each replica watches the file and reloads by itself),
//! and not one request may be lost or answered without its CORS headers.
//! A missing `haproxy` fails the test: `scripts/test` installs it.

mod common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use http::StatusCode;

/// A port that was free a moment ago (HAProxy needs a number in its
/// configuration).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn haproxy_config(front: u16, replicas: &[(SocketAddr, SocketAddr)]) -> String {
    let mut servers = String::new();
    for (i, (api, admin)) in replicas.iter().enumerate() {
        servers.push_str(&format!(
            "    server gw{i} {api} check port {} inter 200ms fall 2 rise 1\n",
            admin.port()
        ));
    }
    format!(
        "global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 15s
    timeout server 15s
    retries 3
    option redispatch
    option http-keep-alive

frontend api
    bind 127.0.0.1:{front}
    default_backend gateways

backend gateways
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
{servers}"
    )
}

struct Haproxy(tokio::process::Child);

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_behind_haproxy_reload_under_load_and_lose_nothing() {
    let haproxy_bin = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("haproxy is missing (Debian package haproxy); scripts/test installs it");

    let up = upstream().await;
    let dir = TempDir::new("replicas");
    dir.write(
        "cors.toml",
        r#"origins = ["https://a.example"]
expose_headers = ["X-Upstream"]"#,
    );
    let config = format!(
        r#"
        [server]
        listen = "127.0.0.1:0"
        admin = "127.0.0.1:0"
        [[routes]]
        name = "api"
        upstream = "{}"
        policy = "cors.toml"
        "#,
        up.url()
    );
    // Both replicas read the same file (as two pods mount one ConfigMap).
    let path = dir.write("gateway.toml", &config);
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let gateway = corsica_gateway::Gateway::bind(
            corsica_gateway::GatewayConfig::load(&path).unwrap(),
            corsica_gateway::GatewayOptions {
                source: corsica_gateway::ConfigSource::File(path.clone()),
                watch_files: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let addrs = (gateway.local_addrs()[0], gateway.admin_addr().unwrap());
        let handle = gateway.handle();
        tokio::spawn(gateway.run());
        replicas.push((addrs, handle));
    }

    let front = free_port();
    let cfg = dir.write(
        "haproxy.cfg",
        &haproxy_config(front, &replicas.iter().map(|r| r.0).collect::<Vec<_>>()),
    );
    let check = std::process::Command::new(haproxy_bin)
        .args(["-c", "-q", "-f"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "haproxy -c refused the configuration: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _haproxy = Haproxy(
        tokio::process::Command::new(haproxy_bin)
            .args(["-db", "-f"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap(),
    );
    let front_url = format!("http://127.0.0.1:{front}");
    // Wait for HAProxy to listen and see both replicas up.
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ok = tokio::time::timeout(
            Duration::from_secs(1),
            c.get(format!("{front_url}/x").parse().unwrap()),
        )
        .await
        .is_ok_and(|r| r.is_ok_and(|r| r.status() == StatusCode::OK));
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "haproxy did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..12 {
        let (stop, ok, url) = (stop.clone(), ok.clone(), front_url.clone());
        workers.push(tokio::spawn(async move {
            let c = client();
            let mut lost = Vec::new();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let path = if i.is_multiple_of(7) {
                    "/slow?ms=30"
                } else {
                    "/x"
                };
                let (status, h, body) = send(
                    &c,
                    "GET",
                    &format!("{url}{path}"),
                    &[("origin", "https://a.example")],
                )
                .await;
                if status != StatusCode::OK
                    || h.get("access-control-allow-origin").map(|v| v.as_bytes())
                        != Some(b"https://a.example")
                    || body.is_err()
                {
                    lost.push(format!("worker {w} #{i}: {status} {h:?} {body:?}"));
                } else {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
            lost
        }));
    }

    // Rewrite the shared policy under load: valid versions (all allow
    // https://a.example, whose requests must never lose their headers) and
    // an invalid one, which both replicas must refuse.
    let versions = [
        "origins = [\"https://a.example\", \"https://b.example\"]\n",
        "origins = [\"https://*.example\"]\nexpose_headers = [\"X-Upstream\"]\n",
        "origins = [\"https://a.example/\"]\n",
        "origins = [\"https://a.example\", \"https://c.example\"]\nmax_age = 60\n",
    ];
    for round in 0..12 {
        dir.write("cors.toml", versions[round % versions.len()]);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    dir.write(
        "cors.toml",
        "origins = [\"https://a.example\", \"https://z.example\"]\n",
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    stop.store(true, Ordering::Relaxed);
    let mut lost = Vec::new();
    for w in workers {
        lost.extend(w.await.unwrap());
    }
    let served = ok.load(Ordering::Relaxed);
    assert!(
        lost.is_empty(),
        "{} of {} requests lost or without CORS headers:\n{}",
        lost.len(),
        served + lost.len(),
        lost.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(served > 200, "too little load to mean anything: {served}");

    // Both replicas reloaded to the last version, refused the invalid one,
    // and both served part of the load.
    for (i, ((api, admin), handle)) in replicas.iter().enumerate() {
        let (_, h, _) = send(
            &client(),
            "GET",
            &format!("http://{api}/x"),
            &[("origin", "https://z.example")],
        )
        .await;
        assert_eq!(
            h.get("access-control-allow-origin").map(|v| v.as_bytes()),
            Some(&b"https://z.example"[..]),
            "replica {i} did not pick up the last policy"
        );
        let (_, m, body) = send(&client(), "GET", &format!("http://{admin}/metrics"), &[]).await;
        let _ = m;
        let text = body.unwrap();
        let errors = metric(&text, r#"corsica_gateway_reloads_total{result="error"}"#);
        assert!(
            errors >= 1.0,
            "replica {i} never refused the invalid policy"
        );
        let allowed = metric(
            &text,
            r#"corsica_gateway_requests_total{route="api",kind="actual",outcome="allowed",mode="enforce"}"#,
        );
        assert!(allowed > 50.0, "replica {i} served only {allowed} requests");
        eprintln!(
            "replica {i}: generation {}, {allowed} allowed requests, {errors} refused reloads",
            handle.generation()
        );
        handle.shutdown();
    }
    eprintln!("{served} requests through haproxy, none lost");
}
