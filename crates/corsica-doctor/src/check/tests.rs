//! `check` against small servers on 127.0.0.1 ephemeral ports: what each
//! answer makes the browser do, every finding, and every way of getting no
//! answer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::service::service_fn;
use tokio::net::TcpListener;

use super::*;

/// What the test server answers: status and headers, from the request's
/// method, path and `Origin`.
type Answer =
    Arc<dyn Fn(&str, &str, Option<&str>) -> (u16, Vec<(&'static str, String)>) + Send + Sync>;

/// Serves `answer` on 127.0.0.1:0 (plain HTTP, or TLS with `tls`) until
/// the runtime ends.
async fn serve(answer: Answer, tls: Option<Arc<rustls::ServerConfig>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let origin = req
                        .headers()
                        .get("origin")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let (status, headers) =
                        answer(req.method().as_str(), req.uri().path(), origin.as_deref());
                    let mut response = http::Response::builder().status(status);
                    for (n, v) in headers {
                        response = response.header(n, v);
                    }
                    async move {
                        Ok::<_, Infallible>(response.body(Full::new(Bytes::from("ok"))).unwrap())
                    }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(config) => {
                        let Ok(stream) =
                            tokio_rustls::TlsAcceptor::from(config).accept(stream).await
                        else {
                            return;
                        };
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                    None => {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    });
    addr
}

use hyper_util::rt::TokioIo;

const APP: &str = "https://app.example";

/// A runtime whose workers serve the test servers while the test blocks on
/// a check.
fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn run(request: &CheckRequest, insecure: bool) -> Report {
    let mut transport = HttpTransport::new(Duration::from_secs(5), insecure);
    futures_block(check_with(request, &mut transport)).unwrap()
}

fn futures_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(f)
}

/// A server allowing `APP` properly (echo, credentials, Vary), answering
/// preflights for PUT and `content-type`; `/error` fails with 500 and no
/// CORS headers; `/redirect` sends to `/`.
fn good() -> Answer {
    Arc::new(|method, path, origin| {
        let mut h: Vec<(&'static str, String)> = vec![("Vary", "Origin".into())];
        if origin == Some(APP) {
            h.push(("Access-Control-Allow-Origin", APP.into()));
            h.push(("Access-Control-Allow-Credentials", "true".into()));
        }
        if path == "/error" {
            return (500, vec![]);
        }
        if method == "OPTIONS" {
            if origin == Some(APP) {
                h.push(("Access-Control-Allow-Methods", "PUT".into()));
                h.push(("Access-Control-Allow-Headers", "content-type".into()));
            }
            return (204, h);
        }
        if path == "/redirect" {
            h.push(("Location", "/".into()));
            return (302, h);
        }
        h.push(("X-Request-Id", "42".into()));
        (200, h)
    })
}

#[test]
fn an_allowed_request_with_a_preflight() {
    let rt = rt();
    let _g = rt.enter();
    let addr = rt.block_on(serve(good(), None));
    let mut req = CheckRequest::new(format!("http://{addr}/items"), APP);
    req.method = "PUT".into();
    req.headers = vec![("Content-Type".into(), "application/json".into())];
    req.body = Some("{}".into());
    req.credentials = true;
    let report = run(&req, false);
    assert!(matches!(report.verdict, Verdict::Allowed(_)), "{report:?}");
    assert_eq!(report.verdict.exit_code(), 0);
    assert!(report.preflighted());
    assert_eq!(report.exchanges.len(), 2);
    assert_eq!(report.exchanges[0].method, "OPTIONS");
    assert!(
        report.exchanges[0]
            .sent
            .iter()
            .any(|(n, v)| n == "Access-Control-Request-Headers" && v == "content-type")
    );
    // Every probe was refused; the only finding is the unexposed header.
    assert_eq!(report.probes.len(), 4);
    assert!(report.probes.iter().all(|p| !p.allowed));
    assert_eq!(
        report.findings,
        [Finding::NotExposed {
            names: vec!["x-request-id".into()]
        }]
    );
    let fix = report.stack_fix(Stack::Express);
    assert!(
        fix.policy
            .as_ref()
            .unwrap()
            .contains("expose_headers = [\"x-request-id\"]"),
        "{fix:?}"
    );
    assert!(
        fix.config
            .as_ref()
            .unwrap()
            .contains("'https://app.example'"),
        "{fix:?}"
    );
}

#[test]
fn a_blocked_request_names_reason_message_and_fix() {
    let rt = rt();
    let _g = rt.enter();
    let addr = rt.block_on(serve(good(), None));
    let url = format!("http://{addr}/items");
    let req = CheckRequest::new(&url, "https://other.example");
    let report = run(&req, false);
    let Verdict::Blocked(blocked) = &report.verdict else {
        panic!("{report:?}")
    };
    assert_eq!(report.verdict.exit_code(), 1);
    assert_eq!(blocked.error_code(), Some("MissingAllowOriginHeader"));
    assert_eq!(
        report.verdict.message().unwrap(),
        format!(
            "Access to fetch at '{url}' from origin 'https://other.example' has been blocked by \
             CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested \
             resource."
        )
    );
    assert_eq!(
        blocked.fix().header,
        Some((
            "Access-Control-Allow-Origin",
            "https://other.example".to_owned()
        ))
    );
    // No answer named an origin: no probes.
    assert!(report.probes.is_empty());
    let json = report.to_json(Some(Stack::Nginx));
    assert_eq!(json["verdict"]["outcome"], "blocked");
    assert_eq!(json["verdict"]["error"], "MissingAllowOriginHeader");
    assert!(
        json["stack"]["config"]
            .as_str()
            .unwrap()
            .contains("https://other\\.example")
    );
}

#[test]
fn errors_and_missing_preflight_handlers_are_called_out() {
    let rt = rt();
    let _g = rt.enter();
    let addr = rt.block_on(serve(
        Arc::new(|method, path, _| match (method, path) {
            ("OPTIONS", _) => (405, vec![]),
            (_, "/error") => (502, vec![]),
            _ => (200, vec![("Access-Control-Allow-Origin", "*".into())]),
        }),
        None,
    ));
    let mut req = CheckRequest::new(format!("http://{addr}/x"), APP);
    req.method = "DELETE".into();
    let report = run(&req, false);
    // Browsers check the preflight's CORS headers before its status.
    assert_eq!(
        report.verdict.error_code(),
        Some("PreflightMissingAllowOriginHeader")
    );
    assert_eq!(
        report.findings,
        [Finding::NoPreflightHandler { status: 405 }]
    );

    let report = run(
        &CheckRequest::new(format!("http://{addr}/error"), APP),
        false,
    );
    assert_eq!(
        report.verdict.error_code(),
        Some("MissingAllowOriginHeader")
    );
    assert_eq!(
        report.findings,
        [Finding::ErrorWithoutCors {
            status: 502,
            preflight: false
        }]
    );
    assert!(
        report.findings[0]
            .to_string()
            .starts_with("the server failed")
    );
}

#[test]
fn reflection_without_vary_is_found_by_the_probes() {
    let rt = rt();
    let _g = rt.enter();
    // Express `cors({origin: true, credentials: true})`: every origin
    // echoed, credentials allowed, no Vary.
    let addr = rt.block_on(serve(
        Arc::new(|_, _, origin| {
            let mut h = vec![("Access-Control-Allow-Credentials", "true".to_owned())];
            if let Some(o) = origin {
                h.push(("Access-Control-Allow-Origin", o.to_owned()));
            }
            (200, h)
        }),
        None,
    ));
    let mut req = CheckRequest::new(format!("http://{addr}/me"), APP);
    req.credentials = true;
    let report = run(&req, false);
    assert!(matches!(report.verdict, Verdict::Allowed(_)));
    let codes: Vec<&str> = report.findings.iter().map(Finding::code).collect();
    assert_eq!(
        codes,
        [
            "vary-missing-origin",
            "allows-any-origin",
            "allows-lookalike-origin",
            "allows-lookalike-origin",
            "allows-null-origin"
        ]
    );
    // Without probes, the echo alone says the answer is per-origin.
    req.probes = false;
    let report = run(&req, false);
    assert_eq!(
        report
            .findings
            .iter()
            .map(Finding::code)
            .collect::<Vec<_>>(),
        ["vary-missing-origin"]
    );
}

#[test]
fn an_unanchored_match_lets_a_lookalike_in() {
    let rt = rt();
    let _g = rt.enter();
    // `^https://.*\.example\.com` matched from the start only.
    let addr = rt.block_on(serve(
        Arc::new(|_, _, origin| {
            let allowed = origin.is_some_and(|o| {
                o.strip_prefix("https://")
                    .is_some_and(|rest| rest.contains(".example.com"))
            });
            let mut h = vec![("Vary", "Origin".to_owned())];
            if allowed {
                h.push(("Access-Control-Allow-Origin", origin.unwrap().to_owned()));
                h.push(("Access-Control-Allow-Credentials", "true".to_owned()));
            }
            (200, h)
        }),
        None,
    ));
    let mut req = CheckRequest::new(format!("http://{addr}/"), "https://app.example.com");
    req.credentials = true;
    let report = run(&req, false);
    assert!(matches!(report.verdict, Verdict::Allowed(_)));
    assert_eq!(
        report.findings,
        [Finding::AllowsOrigin {
            origin: "https://app.example.com.corsica-probe.invalid".into(),
            kind: OtherOrigin::SuffixLookalike,
            credentials: true
        }]
    );
}

#[test]
fn redirects_are_followed_by_the_engine() {
    let rt = rt();
    let _g = rt.enter();
    let addr = rt.block_on(serve(good(), None));
    let report = run(
        &CheckRequest::new(format!("http://{addr}/redirect"), APP),
        false,
    );
    let Verdict::Allowed(r) = &report.verdict else {
        panic!("{report:?}")
    };
    assert!(r.redirected);
    assert_eq!(report.exchanges.len(), 2);
    assert_eq!(report.exchanges[1].url, format!("http://{addr}/"));
}

#[test]
fn no_answer_is_said_plainly_and_exits_2() {
    let rt = rt();
    let _g = rt.enter();
    // Refused: a port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut req = CheckRequest::new(format!("http://127.0.0.1:{port}/"), APP);
    req.browser = Browser::Firefox;
    let report = run(&req, false);
    let Verdict::Unreachable { error, .. } = &report.verdict else {
        panic!("{report:?}")
    };
    assert!(matches!(error, TransportError::Connect { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("cannot connect to 127.0.0.1:"),
        "{error}"
    );
    assert_eq!(report.verdict.exit_code(), 2);
    assert_eq!(report.verdict.error_code(), Some("CORSDidNotSucceed"));

    // Timeout: accepted, never answered.
    let silent = rt.block_on(async {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        addr
    });
    let req = CheckRequest::new(format!("http://{silent}/"), APP);
    let mut transport = HttpTransport::new(Duration::from_millis(300), false);
    let report = futures_block(check_with(&req, &mut transport)).unwrap();
    let Verdict::Unreachable { error, .. } = &report.verdict else {
        panic!("{report:?}")
    };
    assert!(matches!(error, TransportError::Timeout { .. }), "{error}");

    // A name that cannot resolve (`.invalid` is reserved).
    let req = CheckRequest::new("http://no-such-host.invalid/", APP);
    let mut transport = HttpTransport::new(Duration::from_secs(5), false);
    let report = futures_block(check_with(&req, &mut transport)).unwrap();
    let Verdict::Unreachable { error, .. } = &report.verdict else {
        panic!("{report:?}")
    };
    assert!(
        matches!(
            error,
            TransportError::Dns { .. } | TransportError::Timeout { .. }
        ),
        "{error}"
    );
}

#[test]
fn tls_checks_the_certificate_unless_insecure() {
    let rt = rt();
    let _g = rt.enter();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let addr = rt.block_on(serve(good(), Some(Arc::new(config))));
    let req = CheckRequest::new(format!("https://localhost:{}/", addr.port()), APP);
    let report = run(&req, false);
    let Verdict::Unreachable { error, .. } = &report.verdict else {
        panic!("{report:?}")
    };
    assert!(matches!(error, TransportError::Tls { .. }), "{error}");
    assert!(error.to_string().contains("--insecure"), "{error}");
    let report = run(&req, true);
    assert!(matches!(report.verdict, Verdict::Allowed(_)), "{report:?}");
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let rt = rt();
    let _g = rt.enter();
    let err = futures_block(check_with(
        &CheckRequest::new("http://127.0.0.1:1/", "https://app.example/page"),
        &mut HttpTransport::new(Duration::from_secs(1), false),
    ))
    .unwrap_err();
    assert!(matches!(err, CheckError::InvalidOrigin { .. }), "{err}");
    let err = futures_block(check_with(
        &CheckRequest::new("ftp://x/", APP),
        &mut HttpTransport::new(Duration::from_secs(1), false),
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("not an absolute http(s) URL"),
        "{err}"
    );
    // A request fetch() refuses is the browser's verdict, not an error.
    let mut req = CheckRequest::new("http://127.0.0.1:1/", APP);
    req.method = "TRACE".into();
    let report = run(&req, false);
    assert!(report.exchanges.is_empty());
    assert_eq!(report.verdict.exit_code(), 1);
}
