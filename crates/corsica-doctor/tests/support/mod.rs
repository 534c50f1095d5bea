//! Shared by the live export tests: an HTTP client and upstream, the
//! servers, the request matrix and the one comparison function.
#![allow(dead_code)] // each test binary uses a part

pub mod compare;
pub mod http;
pub mod matrix;
pub mod servers;

use corsica::Policy;
use corsica_doctor::export::{ExportError, ExportOptions, Stack, export};

use self::http::{Request, Response, Upstream};
use self::servers::Server;

/// A stack running one exported policy, and what it needs kept alive.
pub struct Running {
    pub server: Server,
    pub upstream: Option<Upstream>,
}

/// Exports `policy` to `stack` and starts the stack with it (nginx and
/// Caddy in front of a fresh upstream). Fails with the export error when
/// the stack refuses the policy, before starting anything.
pub fn start(stack: Stack, policy: &Policy) -> Result<Running, ExportError> {
    let text = export(policy, stack, &ExportOptions::default())?;
    let app = |server| Running {
        server,
        upstream: None,
    };
    Ok(match stack {
        Stack::Nginx | Stack::Caddy => {
            let upstream = Upstream::start();
            let url = upstream.url();
            let conf = |port: u16| {
                let options = ExportOptions::default()
                    .listen(&format!("127.0.0.1:{port}"))
                    .and_then(|o| o.upstream(&url))
                    .unwrap();
                export(policy, stack, &options).unwrap()
            };
            let server = if stack == Stack::Nginx {
                servers::nginx(conf)
            } else {
                servers::caddy(conf)
            };
            Running {
                server,
                upstream: Some(upstream),
            }
        }
        Stack::Express => app(servers::express(&text)),
        Stack::Django => app(servers::python_app("django_app.py", &text)),
        Stack::Flask => app(servers::python_app("flask_app.py", &text)),
        Stack::Fastapi => app(servers::python_app("fastapi_app.py", &text)),
        other => panic!("{other} does not run in these tests (see the README: untested)"),
    })
}

/// Checks every script request against the server and against the policy
/// standing in for it; returns the differences, one entry each.
pub fn run_checks(
    rt: &tokio::runtime::Runtime,
    policy: &Policy,
    requests: &[corsica_doctor::check::CheckRequest],
) -> Vec<String> {
    let mut diffs = Vec::new();
    for request in requests {
        for d in compare::check_against_policy(rt, policy, request) {
            diffs.push(format!(
                "{} {} from {} {:?}{}: {d}",
                request.method,
                request.url,
                request.origin,
                request.headers,
                if request.credentials {
                    " with credentials"
                } else {
                    ""
                }
            ));
        }
    }
    diffs
}

/// Sends every raw request and compares each answer with the policy's
/// decision; returns the differences, one line each.
pub fn run_matrix(policy: &Policy, server: &Server, requests: &[Request]) -> Vec<String> {
    let mut diffs = Vec::new();
    for request in requests {
        let got: Response = match http::send(server.addr, request) {
            Ok(r) => r,
            Err(e) => panic!("{e}\nserver log:\n{}", server.log()),
        };
        for d in compare::compare(policy, request, &got) {
            diffs.push(format!(
                "{} {} {:?}: {d}\n    answer: {} {:?}",
                request.method, request.path, request.headers, got.status, got.headers
            ));
        }
    }
    diffs
}
