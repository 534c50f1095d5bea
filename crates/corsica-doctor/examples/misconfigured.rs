//! A server of misconfigured CORS endpoints on 127.0.0.1, for trying
//! `corsica audit` and for its benchmark: one endpoint per
//! misconfiguration class, plus correct ones (the corpus of
//! `tests/audit.rs`).
//!
//! ```text
//! cargo run -p corsica-doctor --example misconfigured -- [--port P] [--threads N] [--list N]
//! ```
//!
//! Prints `listening on http://127.0.0.1:PORT`, then with `--list N` the
//! URLs of N distinct endpoints (`/e<i>/<name>`, cycling through the
//! corpus), one per line, then serves until killed.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::io::Write;
use std::net::TcpListener;

fn main() {
    let mut port = 0u16;
    let mut threads = 1usize;
    let mut list = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or_else(|| {
                    eprintln!("misconfigured: {a} needs a number");
                    std::process::exit(2)
                })
        };
        match a.as_str() {
            "--port" => port = u16::try_from(value()).unwrap_or(0),
            "--threads" => threads = value(),
            "--list" => list = value(),
            _ => {
                eprintln!("misconfigured: unknown argument {a}; use --port, --threads, --list");
                std::process::exit(2);
            }
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("misconfigured: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(2)
    });
    let addr = listener.local_addr().unwrap();
    corpus::serve(listener, threads);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{addr}");
    for i in 0..list {
        let (name, _) = corpus::ENDPOINTS[i % corpus::ENDPOINTS.len()];
        let _ = writeln!(out, "http://{addr}/e{i}/{name}");
    }
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
