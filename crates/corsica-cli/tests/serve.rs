//! `corsica serve` as a process: refuses an invalid configuration with
//! every error and exit code 2, serves the quick start, reloads on SIGHUP,
//! drains and exits 0 on SIGTERM; with no arguments, starts the demo and
//! prints its URLs. Every server binds port 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn corsica() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corsica"));
    c.env("NO_COLOR", "1");
    c
}

fn temp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("corsica-serve-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A one-answer-per-connection upstream: 200 `ok`.
fn upstream() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
            });
        }
    });
    addr
}

/// Sends a GET with an Origin over a fresh connection; returns the head.
fn get(addr: &str, path: &str, origin: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.to_ascii_lowercase()
}

/// A running `corsica serve`, its stderr (and stdout) lines on channels.
struct Serve {
    child: Child,
    stderr: mpsc::Receiver<String>,
    stdout: mpsc::Receiver<String>,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let mut child = corsica()
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = |r: Box<dyn Read + Send>| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines() {
                    let Ok(line) = line else { return };
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            });
            rx
        };
        let stderr = lines(Box::new(child.stderr.take().unwrap()));
        let stdout = lines(Box::new(child.stdout.take().unwrap()));
        Serve {
            child,
            stderr,
            stdout,
        }
    }

    /// Waits for a line containing `needle` on `stream`.
    fn wait_line(rx: &mpsc::Receiver<String>, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line with {needle:?}"),
            }
        }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    fn wait_exit(mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("corsica serve did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_invalid_configuration_is_refused_with_every_error_and_exit_2() {
    let d = temp("invalid");
    std::fs::write(
        d.join("cors.toml"),
        "origins = [\"*\", \"https://a.com/\"]\ncredentials = true\n",
    )
    .unwrap();
    std::fs::write(
        d.join("gateway.toml"),
        "[server]\nlisten = \"nowhere\"\n[[routes]]\nupstream = \"ftp://x\"\npolicy = \"cors.toml\"\n",
    )
    .unwrap();
    let out = corsica()
        .args(["serve", "--config"])
        .arg(d.join("gateway.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for code in [
        "invalid-address",
        "invalid-upstream",
        "credentialed-wildcard-origin",
        "origin-with-path",
    ] {
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{code} in:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("corsica: not started: 4 errors"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    // The quick start's flags too.
    let out = corsica()
        .args(["serve", "--upstream", "http://127.0.0.1:1", "--policy"])
        .arg(d.join("cors.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A listener that cannot be bound.
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    std::fs::write(d.join("ok.toml"), "origins = [\"https://a.com\"]\n").unwrap();
    let out = corsica()
        .args([
            "serve",
            "--upstream",
            "http://127.0.0.1:1",
            "--admin",
            "off",
        ])
        .arg("--policy")
        .arg(d.join("ok.toml"))
        .arg("--listen")
        .arg(busy.local_addr().unwrap().to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another program uses this port"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn quick_start_serves_reloads_on_sighup_and_drains_on_sigterm() {
    let d = temp("quick");
    let policy = d.join("cors.toml");
    std::fs::write(&policy, "origins = [\"https://a.example\"]\n").unwrap();
    let up = upstream();
    let serve = Serve::start(&[
        "--upstream",
        &format!("http://{up}"),
        "--policy",
        policy.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
        "--no-watch",
    ]);
    let line = Serve::wait_line(&serve.stderr, "listening on http://");
    let addr = line.rsplit("http://").next().unwrap().to_owned();
    let head = get(&addr, "/x", "https://a.example");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("access-control-allow-origin: https://a.example"),
        "{head}"
    );

    // An invalid policy and SIGHUP: refused, logged, the old one serves.
    std::fs::write(&policy, "origins = [\"https://b.example/\"]\n").unwrap();
    serve.signal("HUP");
    Serve::wait_line(&serve.stderr, "new configuration refused");
    assert!(get(&addr, "/x", "https://a.example").contains("access-control-allow-origin"));
    // A valid one and SIGHUP: it takes over.
    std::fs::write(&policy, "origins = [\"https://b.example\"]\n").unwrap();
    serve.signal("HUP");
    Serve::wait_line(&serve.stderr, "configuration reloaded");
    let head = get(&addr, "/x", "https://b.example");
    assert!(
        head.contains("access-control-allow-origin: https://b.example"),
        "{head}"
    );

    serve.signal("TERM");
    assert_eq!(serve.wait_exit(), 0);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn with_no_arguments_the_demo_starts_and_prints_its_urls() {
    let serve = Serve::start(&[
        "--listen",
        "127.0.0.1:0",
        "--playground",
        "127.0.0.1:0",
        "--admin",
        "off",
    ]);
    let page = Serve::wait_line(&serve.stdout, "playground");
    let api = Serve::wait_line(&serve.stdout, "API");
    let url = |line: &str| {
        line.split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .trim_start_matches("http://")
            .to_owned()
    };
    let (page, api) = (url(&page), url(&api));
    assert_ne!(page, api, "the page and the API must be different origins");
    let html = get(&page, "/", "http://x");
    assert!(html.contains("<title>corsica playground</title>"), "{html}");
    let head = get(&api, "/items", &format!("http://{page}"));
    assert!(
        head.contains(&format!("access-control-allow-origin: http://{page}")),
        "{head}"
    );
    serve.signal("TERM");
    assert_eq!(serve.wait_exit(), 0);
}
