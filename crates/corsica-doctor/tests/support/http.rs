//! A minimal HTTP/1.1 client over a `TcpStream` (one request per
//! connection, `Connection: close`), so the tests send exactly the header
//! lines they mean to, and a trivial upstream server.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// A request to send: method, path and header lines, in order.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What came back: the status and every header line, in order.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// Every value of a header, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The values of a header joined with `, ` (Fetch: get), `None` when
    /// absent.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.all(name).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// Sends `request` to `addr` and reads the whole answer.
pub fn send(addr: SocketAddr, request: &Request) -> Result<Response, String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\n",
        request.method, request.path
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let has_body = matches!(request.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE");
    if has_body {
        head.push_str("Content-Length: 2\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    if has_body {
        head.push_str("{}");
    }
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("write to {addr}: {e}"))?;
    let mut raw = Vec::new();
    // Read until the server closes; a reset after a complete head is fine.
    let _ = stream.read_to_end(&mut raw);
    parse(&raw).ok_or_else(|| {
        format!(
            "no HTTP answer from {addr} to {} {}: {:?}",
            request.method,
            request.path,
            String::from_utf8_lossy(&raw)
        )
    })
}

fn parse(raw: &[u8]) -> Option<Response> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(raw) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return None,
    }
    Some(Response {
        status: response.code?,
        headers: response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
    })
}

/// The application behind nginx and Caddy: `/error` and `/throw` answer
/// 500, everything else 200; every answer carries `x-upstream: yes`.
/// `/upstream-cors` answers with its own (wrong) CORS headers, which the
/// exported proxies must drop.
pub struct Upstream {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Upstream {
    pub fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the upstream on 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    thread::spawn(move || serve(stream));
                }
            }
        });
        Upstream {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL nginx and Caddy proxy to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops answering: later connections are refused.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(mut stream: TcpStream) {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // Read the head, then the body by Content-Length.
    let (path, body_len, head_len) = loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(len)) = req.parse(&buf) {
            let body_len = req
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .unwrap_or(0usize);
            // The path alone: a query (the browser tests make each URL
            // unique with one) does not change the answer.
            let path = req.path.unwrap_or("/");
            let path = path.split('?').next().unwrap_or(path);
            break (path.to_owned(), body_len, len);
        }
    };
    while buf.len() < head_len + body_len {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let (status, extra) = match path.as_str() {
        "/error" | "/throw" => ("500 Internal Server Error", ""),
        "/upstream-cors" => (
            "200 OK",
            "Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\nAccess-Control-Expose-Headers: x-upstream\r\n",
        ),
        _ => ("200 OK", ""),
    };
    let answer = format!(
        "HTTP/1.1 {status}\r\nx-upstream: yes\r\nVary: Accept-Encoding\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok"
    );
    let _ = stream.write_all(answer.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}
