//! `corsica audit` as the binary runs it: targets from arguments, files
//! and stdin; text, JSON Lines and SARIF; `--fail-on` and the exit codes;
//! against small servers on ephemeral ports of 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::thread;

use serde_json::Value;

fn corsica(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A server that answers each request with `*` (`echo` false) or the
/// request's Origin echoed with credentials (`echo` true), one request per
/// connection.
fn serve(echo: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || answer(stream, echo));
        }
    });
    addr
}

fn answer(stream: TcpStream, echo: bool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut origin = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case("origin")
        {
            origin = v.trim().to_owned();
        }
    }
    let cors = if echo {
        format!(
            "Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Allow-Credentials: true\r\n"
        )
    } else {
        "Access-Control-Allow-Origin: *\r\n".to_owned()
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\n{cors}Vary: Origin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

const FAST: [&str; 4] = ["--rate", "0", "--origin", "https://app.example.com"];

#[test]
fn findings_as_text_json_and_sarif_with_exit_codes() {
    let echo = serve(true);
    let url = format!("http://{echo}/api/me");
    let out = corsica(&[&["audit", &url, "-q"][..], &FAST].concat(), None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("CRITICAL reflected-origin"), "{stdout}");
    assert!(
        stdout.contains("fix: stop echoing the Origin header"),
        "{stdout}"
    );
    assert!(stdout.contains("1 URL audited"), "{stdout}");

    let out = corsica(
        &[&["audit", &url, "--json", "-q"][..], &FAST].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        for key in ["url", "class", "severity", "probe", "evidence", "fix"] {
            assert!(l.get(key).is_some(), "{key} in {l}");
        }
        assert_eq!(l["url"], url);
    }
    assert_eq!(lines[0]["class"], "reflected-origin");
    assert_eq!(lines[0]["severity"], "critical");

    let out = corsica(
        &[&["audit", &url, "--sarif", "-q"][..], &FAST].concat(),
        None,
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "reflected-origin");
    assert_eq!(log["runs"][0]["results"][0]["level"], "error");
}

#[test]
fn fail_on_chooses_the_severity_that_fails() {
    let star = serve(false);
    let url = format!("http://{star}/public");
    // `*` alone is informational: the default (low) passes it.
    let out = corsica(&[&["audit", &url, "-q"][..], &FAST].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("INFO     wildcard"));
    let out = corsica(
        &[&["audit", &url, "-q", "--fail-on", "info"][..], &FAST].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let echo = serve(true);
    let url = format!("http://{echo}/me");
    let out = corsica(
        &[&["audit", &url, "-q", "--fail-on", "critical"][..], &FAST].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn targets_from_stdin_and_files() {
    let star = serve(false);
    let echo = serve(true);
    let dir = std::env::temp_dir().join(format!("corsica-audit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("urls.txt");
    std::fs::write(
        &list,
        format!("# APIs\nhttp://{echo}/a\n\nhttp://{star}/b\n"),
    )
    .unwrap();
    let out = corsica(
        &[
            &["audit", "-i", list.to_str().unwrap(), "--json", "-q"][..],
            &FAST,
        ]
        .concat(),
        None,
    );
    let urls: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(urls.contains(&format!("http://{echo}/a")));
    assert!(urls.contains(&format!("http://{star}/b")));
    let out = corsica(
        &[&["audit", "-", "--json", "-q"][..], &FAST].concat(),
        Some(&format!("http://{echo}/c\n")),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(&format!("http://{echo}/c")));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn usage_errors_and_unreachable_targets_exit_2() {
    let out = corsica(&["audit"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("corsica: nothing to audit"));
    let out = corsica(
        &[
            "audit",
            "http://127.0.0.1:9/",
            "--origin",
            "app.example.com/x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--origin"),
        "{}",
        text(&out.stderr)
    );
    let out = corsica(
        &["audit", "http://127.0.0.1:9/", "--fail-on", "severe"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    // Nothing listens on the discard port.
    let out = corsica(
        &[
            "audit",
            "http://127.0.0.1:9/",
            "-q",
            "--retries",
            "0",
            "--rate",
            "0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("not audited"),
        "{}",
        text(&out.stderr)
    );
}
