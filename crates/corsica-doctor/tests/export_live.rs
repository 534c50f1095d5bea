//! Proof by running the real thing: every policy below is exported to
//! nginx, Caddy, Express (cors), Django (django-cors-headers), Flask
//! (flask-cors) and FastAPI (Starlette), the real server is started with
//! the output, and a matrix of requests (allowed origins and lookalikes,
//! `null`, methods, request headers, with and without credentials, with and
//! without a preflight, errors) goes to it over HTTP. Every answer must be
//! what `Policy::decide` says for the same request (`support::compare`).
//! A stack that refuses a policy must refuse it for the reasons listed.
//!
//! The same servers with the broken configurations people copy show the
//! real problem: the seed's nginx snippet, Express `origin: true` with
//! credentials, an unanchored django-cors-headers regex.
//!
//! The peers come from `scripts/install-peers` (run by `scripts/test`); a
//! missing one fails with that name. Spring and axum are not run here (see
//! the README).

mod support;

use corsica::Policy;
use corsica_doctor::export::{ExportError, Stack};

use support::http::{Request, send};
use support::{compare::compare, matrix, run_matrix, servers};

/// Exact origins (one with a port, one IPv6), no credentials.
const EXACT: &str = r#"
origins = ["https://myapp.com", "https://admin.myapp.com:8443", "http://[::1]:3000"]
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Content-Type", "X-Requested-With"]
"#;

/// A subdomain wildcard and its apex, with credentials.
const WILDCARD: &str = r#"
origins = ["https://example.com", "https://*.example.com"]
credentials = true
methods = ["GET", "POST", "PATCH"]
request_headers = ["Accept", "Accept-Language", "Content-Language", "Content-Type", "X-Api-Key"]
max_age = 300
"#;

/// Any port on localhost and loopback, and a wildcard with any port.
const ANY_PORT: &str = r#"
origins = ["http://localhost:*", "http://127.0.0.1:*", "https://*.dev.example.com:*"]
methods = ["GET", "POST", "DELETE"]
request_headers = ["*"]
max_age = 60
"#;

/// A public API: `*` everywhere it is allowed without credentials.
const PUBLIC: &str = r#"
origins = ["*"]
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["*"]
expose_headers = ["*"]
max_age = 7200
"#;

/// Credentials with request headers, exposed headers and max_age.
const CREDENTIALS: &str = r#"
origins = ["https://myapp.com", "https://*.myapp.com"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
request_headers = ["Authorization", "Content-Type", "X-Request-Id", "Accept", "Accept-Language", "Content-Language"]
expose_headers = ["X-Request-Id", "X-RateLimit-Remaining"]
max_age = 86400
"#;

/// Any method, odd statuses, a zero max_age.
const ODD: &str = r#"
origins = ["https://myapp.com"]
methods = ["*"]
request_headers = ["X-Custom"]
preflight_status = 200
rejected_preflight_status = 400
max_age = 0
"#;

/// Preflights passed on to the application, with Private Network Access
/// and a lowercase method.
const PASSTHROUGH: &str = r#"
origins = ["https://myapp.com"]
methods = ["GET", "PUT", "patch"]
private_network = true
preflight_passthrough = true
max_age = 10
"#;

/// Private Network Access answered here.
const PRIVATE_NETWORK: &str = r#"
origins = ["https://myapp.com", "http://localhost:*"]
private_network = true
request_headers = ["Accept", "Accept-Language", "Content-Language", "Content-Type"]
max_age = 5
"#;

/// Every token character but `$` (which nginx refuses) in a method and in
/// header names, an underscore and punycode in origins: each output must
/// quote and escape them in its own syntax.
const WEIRD: &str = r#"
origins = ["https://a_b.example.com", "https://*.xn--bcher-kva.example"]
methods = ["GET", "M!#%&'*+.^_`|~1"]
request_headers = ["X-!#%&'*+.^_`|~", "Accept", "Accept-Language", "Content-Language", "Content-Type"]
expose_headers = ["X-`tick", "X-'quote"]
max_age = 1
"#;

/// The README's example policy (examples/export/ holds its exports).
const EXAMPLE: &str = include_str!("../../../examples/policies/export.toml");

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}"))
}

/// Exports `toml` to `stack`: either the stack refuses it for exactly the
/// keys `refused`, or every answer of the running stack is the policy's.
fn case(stack: Stack, toml: &str, refused: &[&str]) {
    let policy = policy(toml);
    let running = match support::start(stack, &policy) {
        Err(ExportError::Refused { refusals, .. }) => {
            let keys: Vec<&str> = refusals.iter().map(|r| r.key).collect();
            assert_eq!(
                keys, refused,
                "{stack} refused for other reasons: {refusals:?}"
            );
            return;
        }
        Err(e) => panic!("{stack}: {e}"),
        Ok(running) => running,
    };
    assert!(refused.is_empty(), "{stack} should refuse {refused:?}");
    let server = &running.server;

    // The application answers behind the configuration.
    let probe = Request {
        method: "GET".into(),
        path: "/".into(),
        headers: Vec::new(),
    };
    let answer = send(server.addr, &probe).unwrap();
    assert_eq!(
        (answer.status, answer.get("x-upstream").as_deref()),
        (200, Some("yes")),
        "{stack}: the application did not answer: {answer:?}\n{}",
        server.log()
    );

    let mut requests = matrix::requests(&policy);
    if running.upstream.is_some() {
        // The upstream's own CORS headers must not get through.
        for origin in matrix::origins(&policy) {
            requests.push(Request {
                method: "GET".into(),
                path: "/upstream-cors".into(),
                headers: vec![("Origin".into(), origin)],
            });
        }
    }
    let diffs = run_matrix(&policy, server, &requests);
    assert!(
        diffs.is_empty(),
        "{stack}: {} of {} answers differ from the policy:\n{}\nserver log:\n{}",
        diffs.len(),
        requests.len(),
        diffs.join("\n"),
        server.log()
    );

    if let (Some(mut upstream), Some(origin)) = (running.upstream, matrix::origins(&policy).first())
    {
        // The server's own error (502: the upstream is gone) carries the
        // headers too.
        upstream.stop();
        let request = Request {
            method: "GET".into(),
            path: "/".into(),
            headers: vec![("Origin".into(), origin.clone())],
        };
        let got = send(server.addr, &request).unwrap();
        assert_eq!(got.status / 100, 5, "{stack}: {got:?}");
        let diffs = compare(&policy, &request, &got);
        assert!(
            diffs.is_empty(),
            "{stack}, upstream down: {diffs:?}\n{got:?}"
        );
    }
}

macro_rules! cases {
    ($($name:ident: $stack:ident, $policy:ident, [$($key:literal),*];)*) => {$(
        #[test]
        fn $name() {
            case(Stack::$stack, $policy, &[$($key),*]);
        }
    )*};
}

cases! {
    nginx_exact: Nginx, EXACT, [];
    nginx_wildcard: Nginx, WILDCARD, [];
    nginx_any_port: Nginx, ANY_PORT, [];
    nginx_public: Nginx, PUBLIC, [];
    nginx_credentials: Nginx, CREDENTIALS, [];
    nginx_odd: Nginx, ODD, [];
    nginx_passthrough: Nginx, PASSTHROUGH, [];
    nginx_example: Nginx, EXAMPLE, [];
    nginx_weird: Nginx, WEIRD, [];
    nginx_private_network: Nginx, PRIVATE_NETWORK, [];

    caddy_exact: Caddy, EXACT, [];
    caddy_wildcard: Caddy, WILDCARD, [];
    caddy_any_port: Caddy, ANY_PORT, [];
    caddy_public: Caddy, PUBLIC, [];
    caddy_credentials: Caddy, CREDENTIALS, [];
    caddy_odd: Caddy, ODD, [];
    caddy_passthrough: Caddy, PASSTHROUGH, [];
    caddy_example: Caddy, EXAMPLE, [];
    caddy_weird: Caddy, WEIRD, [];
    caddy_private_network: Caddy, PRIVATE_NETWORK, [];

    express_exact: Express, EXACT, [];
    express_wildcard: Express, WILDCARD, [];
    express_any_port: Express, ANY_PORT, [];
    express_public: Express, PUBLIC, [];
    express_credentials: Express, CREDENTIALS, [];
    express_odd: Express, ODD, [];
    express_passthrough: Express, PASSTHROUGH, ["private_network", "preflight_passthrough"];
    express_example: Express, EXAMPLE, [];
    express_weird: Express, WEIRD, [];
    express_private_network: Express, PRIVATE_NETWORK, ["private_network"];

    django_exact: Django, EXACT, [];
    django_wildcard: Django, WILDCARD, [];
    django_any_port: Django, ANY_PORT, [];
    django_public: Django, PUBLIC, [];
    django_credentials: Django, CREDENTIALS, [];
    django_odd: Django, ODD, ["max_age"];
    django_passthrough: Django, PASSTHROUGH, ["preflight_passthrough"];
    django_example: Django, EXAMPLE, [];
    django_weird: Django, WEIRD, [];
    django_private_network: Django, PRIVATE_NETWORK, [];

    flask_exact: Flask, EXACT, [];
    flask_wildcard: Flask, WILDCARD, [];
    flask_any_port: Flask, ANY_PORT, [];
    flask_public: Flask, PUBLIC, [];
    flask_credentials: Flask, CREDENTIALS, [];
    flask_odd: Flask, ODD, ["methods"];
    flask_passthrough: Flask, PASSTHROUGH, ["methods", "preflight_passthrough"];
    flask_example: Flask, EXAMPLE, [];
    flask_weird: Flask, WEIRD, [];
    flask_private_network: Flask, PRIVATE_NETWORK, [];

    fastapi_exact: Fastapi, EXACT, ["max_age", "request_headers"];
    fastapi_wildcard: Fastapi, WILDCARD, [];
    fastapi_any_port: Fastapi, ANY_PORT, [];
    fastapi_public: Fastapi, PUBLIC, [];
    fastapi_credentials: Fastapi, CREDENTIALS, [];
    fastapi_odd: Fastapi, ODD, ["methods", "request_headers"];
    fastapi_passthrough: Fastapi, PASSTHROUGH, ["request_headers", "preflight_passthrough"];
    fastapi_example: Fastapi, EXAMPLE, [];
    fastapi_weird: Fastapi, WEIRD, [];
    fastapi_private_network: Fastapi, PRIVATE_NETWORK, [];
}

fn get(origin: &str, path: &str) -> Request {
    Request {
        method: "GET".into(),
        path: path.into(),
        headers: vec![("Origin".into(), origin.into())],
    }
}

fn preflight(origin: &str, method: &str, names: &str) -> Request {
    Request {
        method: "OPTIONS".into(),
        path: "/".into(),
        headers: vec![
            ("Origin".into(), origin.into()),
            ("Access-Control-Request-Method".into(), method.into()),
            ("Access-Control-Request-Headers".into(), names.into()),
        ],
    }
}

/// The seed's nginx snippet (`add_header` at the location level, and again
/// inside `if ($request_method = 'OPTIONS')`), in front of the upstream.
/// What its author meant, as a policy: the preflight answer has no
/// Access-Control-Allow-Origin (the `if` block's own add_header replaces
/// every outer one), and neither does an error answer (no `always`).
#[test]
fn broken_nginx_seed_snippet_loses_the_origin_on_preflights_and_errors() {
    let meant = policy(
        r#"origins = ["https://myapp.com"]
methods = ["GET", "POST", "OPTIONS"]
request_headers = ["Authorization", "Content-Type"]
max_age = 86400"#,
    );
    let upstream = support::http::Upstream::start();
    let url = upstream.url();
    let server = servers::nginx(|port| {
        format!(
            "server {{
    listen 127.0.0.1:{port};
    location / {{
        add_header 'Access-Control-Allow-Origin' 'https://myapp.com';
        add_header 'Access-Control-Allow-Methods' 'GET, POST, OPTIONS';
        add_header 'Access-Control-Allow-Headers' 'Authorization, Content-Type';
        if ($request_method = 'OPTIONS') {{
            add_header 'Access-Control-Max-Age' 86400;
            return 204;
        }}
        proxy_pass {url};
    }}
}}
"
        )
    });

    // The preflight: 204, Max-Age, and nothing else.
    let request = preflight("https://myapp.com", "POST", "authorization,content-type");
    let got = send(server.addr, &request).unwrap();
    assert_eq!(got.status, 204);
    assert_eq!(got.get("access-control-max-age").as_deref(), Some("86400"));
    assert_eq!(got.get("access-control-allow-origin"), None, "{got:?}");
    let diffs = compare(&meant, &request, &got);
    assert!(
        diffs.iter().any(|d| d.starts_with(
            "Access-Control-Allow-Origin: policy Some(\"https://myapp.com\"), server None"
        )),
        "{diffs:?}"
    );
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with("Access-Control-Allow-Headers covers")),
        "{diffs:?}"
    );

    // An application error: no `always`, no CORS headers.
    let request = get("https://myapp.com", "/error");
    let got = send(server.addr, &request).unwrap();
    assert_eq!(got.status, 500);
    assert_eq!(got.get("access-control-allow-origin"), None, "{got:?}");
    let diffs = compare(&meant, &request, &got);
    assert!(
        diffs[0].starts_with("Access-Control-Allow-Origin: policy Some"),
        "{diffs:?}"
    );

    // The same requests through the exported configuration are right.
    let exported = support::start(Stack::Nginx, &meant).unwrap();
    for request in [
        preflight("https://myapp.com", "POST", "authorization,content-type"),
        get("https://myapp.com", "/error"),
    ] {
        let got = send(exported.server.addr, &request).unwrap();
        assert_eq!(
            compare(&meant, &request, &got),
            Vec::<String>::new(),
            "{got:?}"
        );
    }
}

/// Express `cors({origin: true, credentials: true})`, the usual way out of
/// "`*` with credentials": every origin, lookalikes and strangers included,
/// is reflected with credentials, so any site can read the users' data.
#[test]
fn broken_express_origin_true_reflects_every_origin_with_credentials() {
    let server = servers::express(
        "module.exports = require('cors')({ origin: true, credentials: true });\n",
    );
    for origin in ["https://evil.net", "https://myapp.com.evil.net", "null"] {
        let got = send(server.addr, &get(origin, "/")).unwrap();
        assert_eq!(
            got.get("access-control-allow-origin").as_deref(),
            Some(origin),
            "{got:?}"
        );
        assert_eq!(
            got.get("access-control-allow-credentials").as_deref(),
            Some("true")
        );
    }
    // A preflight asking for anything gets it: the headers are reflected.
    let got = send(
        server.addr,
        &preflight("https://evil.net", "DELETE", "x-anything,authorization"),
    )
    .unwrap();
    assert_eq!(got.status, 204);
    assert_eq!(
        got.get("access-control-allow-origin").as_deref(),
        Some("https://evil.net")
    );
    assert_eq!(
        got.get("access-control-allow-headers").as_deref(),
        Some("x-anything,authorization")
    );

    // What the author meant, exported, reflects nobody it should not.
    let meant = policy("origins = [\"https://myapp.com\"]\ncredentials = true");
    let exported = support::start(Stack::Express, &meant).unwrap();
    let request = get("https://evil.net", "/");
    let got = send(exported.server.addr, &request).unwrap();
    assert_eq!(got.get("access-control-allow-origin"), None);
    assert_eq!(compare(&meant, &request, &got), Vec::<String>::new());
}

/// django-cors-headers matches `CORS_ALLOWED_ORIGIN_REGEXES` with
/// `re.match`, anchored at the start only: `^https://.*\.example\.com`
/// allows `https://x.example.com.evil.net`, with credentials.
#[test]
fn broken_django_unanchored_regex_lets_lookalikes_in() {
    let server = servers::python_app(
        "django_app.py",
        "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^https://.*\\.example\\.com\"]\nCORS_ALLOW_CREDENTIALS = True\n",
    );
    for origin in ["https://x.example.com.evil.net", "https://app.example.com"] {
        let got = send(server.addr, &get(origin, "/")).unwrap();
        assert_eq!(
            got.get("access-control-allow-origin").as_deref(),
            Some(origin),
            "{got:?}\n{}",
            server.log()
        );
        assert_eq!(
            got.get("access-control-allow-credentials").as_deref(),
            Some("true")
        );
    }

    let meant = policy("origins = [\"https://*.example.com\"]\ncredentials = true");
    let exported = support::start(Stack::Django, &meant).unwrap();
    let request = get("https://x.example.com.evil.net", "/");
    let got = send(exported.server.addr, &request).unwrap();
    assert_eq!(got.get("access-control-allow-origin"), None, "{got:?}");
    assert_eq!(compare(&meant, &request, &got), Vec::<String>::new());
}
