//! The doctor as a library: check a live endpoint as Chrome would, read
//! the console line it prints back with `why`, and say the fix in a
//! stack.
//!
//! ```sh
//! cargo run -p corsica-doctor --example check                 # a local server with the usual bug
//! cargo run -p corsica-doctor --example check -- URL ORIGIN   # your endpoint
//! ```
//!
//! Without arguments it starts, on an ephemeral port of 127.0.0.1, the
//! server of "CORS errors explained": it answers requests with
//! `Access-Control-Allow-Origin` but has no `OPTIONS` handler (404), and
//! checks a `PUT` with a JSON body from `https://app.example`. Exits 0
//! when the browser would let the script read the response, 1 when it
//! blocks it, 2 when the check could not be made.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use corsica_doctor::check::{self, CheckRequest, Verdict};
use corsica_doctor::export::Stack;
use corsica_doctor::why::{self, Given};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, origin) = match &args[..] {
        [url, origin] => (url.clone(), origin.clone()),
        [] => (
            format!("http://{}/items/1", serve_without_options_handler()),
            "https://app.example".to_owned(),
        ),
        _ => {
            eprintln!("usage: check [URL ORIGIN]");
            return ExitCode::from(2);
        }
    };

    // What the script does: fetch(url, {method: "PUT", headers: {...}, body}).
    let mut request = CheckRequest::new(&url, &origin);
    request.method = "PUT".to_owned();
    request.headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    request.body = Some("{}".to_owned());

    let report = match check::check(&request, Duration::from_secs(10), false) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("corsica: {e}");
            return ExitCode::from(2);
        }
    };
    for e in &report.exchanges {
        let status = e
            .answer
            .as_ref()
            .map(|h| h.status().to_string())
            .unwrap_or_else(|err| err.to_string());
        println!("{} {} -> {status}", e.method, e.url);
    }
    match &report.verdict {
        Verdict::Allowed(r) => println!("allowed: the script reads status {}", r.status),
        Verdict::Unreachable { error, .. } => println!("could not check: {error}"),
        Verdict::Blocked(b) => {
            let message = b.console_message().unwrap_or_default();
            println!("blocked: {}", b.error_code().unwrap_or("TypeError"));
            println!("console: {message}");
            println!("cause:   {}", b.cause());
            println!("fix:     {}", b.fix().summary);

            // The console line, read back as `corsica why` does.
            let seen = why::recognize(&message).expect("the engine reads its own lines");
            assert_eq!(seen.error_code(), b.error_code());
            let again = why::check_request(&seen, &Given::default()).unwrap();
            println!("why:     {:?} from the line alone", seen.error_code());
            assert_eq!(again.url, request.url);
        }
    }
    for f in &report.findings {
        println!("finding: [{}] {f}", f.code());
    }
    if report.needs_fix() {
        let fix = report.stack_fix(Stack::Express);
        if let (Ok(policy), Ok(config)) = (&fix.policy, &fix.config) {
            println!("\nthe policy that lets it through:\n{policy}");
            println!(
                "as Express middleware: {} lines (`corsica export --to express`)",
                config.lines().count()
            );
        }
    }
    ExitCode::from(report.verdict.exit_code())
}

/// The usual first server: CORS headers on answers, no OPTIONS handler.
fn serve_without_options_handler() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = Vec::new();
            let mut chunk = [0; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = if buf.starts_with(b"OPTIONS ") {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0"
            } else {
                "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2"
            };
            let _ = stream.write_all(format!("{head}\r\nConnection: close\r\n\r\nok").as_bytes());
        }
    });
    addr
}
