//! Proof by running the real thing: every policy below is exported to
//! nginx, Caddy, Express (cors), Django (django-cors-headers), Flask
//! (flask-cors) and FastAPI (Starlette), the real server is started with
//! the output, and `corsica check` sends it what scripts on a matrix of
//! origins ask (allowed origins and lookalikes, `null`; methods, request
//! headers, with and without credentials, with and without a preflight,
//! errors). What the browser concludes from each real answer (outcome,
//! error, console message, readable headers, findings, probes) must be
//! what it concludes when the policy itself stands in for the server
//! (`support::compare::check_against_policy`). The few requests no script
//! can send (a Private Network Access preflight, requests without
//! `Origin`) are compared raw with `Policy::decide`. A stack that refuses
//! a policy must refuse it for the reasons listed.
//!
//! The same servers with the broken configurations people copy, checked
//! with `corsica check`, get the real problem named: the seed's nginx
//! snippet, Express `origin: true` with credentials, an unanchored
//! django-cors-headers regex.
//!
//! The peers come from `scripts/install-peers` (run by `scripts/test`); a
//! missing one fails with that name. Spring and axum are not run here (see
//! the README).

mod support;

use corsica::Policy;
use corsica::explain::{Finding, OtherOrigin};
use corsica_doctor::check::{CheckRequest, Verdict};
use corsica_doctor::export::{ExportError, Stack};

use support::compare::{check, check_against_policy, runtime};
use support::http::{Request, send};
use support::{matrix, run_checks, run_matrix, servers};

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

    let rt = runtime();
    let mut scripts = matrix::script_requests(&policy, server.addr, stack);
    if running.upstream.is_some() {
        // The upstream's own CORS headers must not get through.
        for origin in matrix::pages(&policy) {
            let mut r = CheckRequest::new(format!("http://{}/upstream-cors", server.addr), origin);
            r.probes = false;
            scripts.push(r);
        }
    }
    let diffs = run_checks(&rt, &policy, &scripts);
    assert!(
        diffs.is_empty(),
        "{stack}: {} of {} checks differ from the policy:\n{}\nserver log:\n{}",
        diffs.len(),
        scripts.len(),
        diffs.join("\n"),
        server.log()
    );
    let raw = matrix::requests(&policy);
    let diffs = run_matrix(&policy, server, &raw);
    assert!(
        diffs.is_empty(),
        "{stack}: {} of {} raw answers differ from the policy:\n{}\nserver log:\n{}",
        diffs.len(),
        raw.len(),
        diffs.join("\n"),
        server.log()
    );

    if let (Some(mut upstream), Some(origin)) = (running.upstream, matrix::pages(&policy).first()) {
        // The server's own error (502: the upstream is gone) carries the
        // headers too.
        upstream.stop();
        let mut request = CheckRequest::new(format!("http://{}/", server.addr), origin);
        request.probes = false;
        let report = check(&rt, &request);
        let status = report.exchanges.last().and_then(|e| e.status());
        assert_eq!(status.map(|s| s / 100), Some(5), "{stack}: {report:?}");
        let diffs = check_against_policy(&rt, &policy, &request);
        assert!(
            diffs.is_empty(),
            "{stack}, upstream down: {}",
            diffs.join("\n")
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

fn script(addr: std::net::SocketAddr, origin: &str, method: &str, path: &str) -> CheckRequest {
    let mut r = CheckRequest::new(format!("http://{addr}{path}"), origin);
    r.method = method.to_owned();
    r
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(Finding::code).collect()
}

/// The findings but `not-exposed` (the test application's own headers,
/// which no policy here exposes).
fn problems(findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.code() != "not-exposed")
        .cloned()
        .collect()
}

/// The seed's nginx snippet (`add_header` at the location level, and again
/// inside `if ($request_method = 'OPTIONS')`), in front of the upstream.
/// `corsica check` names both real problems: the preflight answer has no
/// Access-Control-Allow-Origin (the `if` block's own add_header replaces
/// every outer one), and an error answer has no CORS headers at all (no
/// `always`), so the page sees a CORS error instead of the server's. The
/// exported configuration of what its author meant passes both.
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
    let rt = runtime();

    // A JSON POST: preflighted, and the preflight answer lost the origin.
    let mut json = script(server.addr, "https://myapp.com", "POST", "/");
    json.headers = vec![("Content-Type".into(), "application/json".into())];
    json.body = Some("{}".into());
    let report = check(&rt, &json);
    let Verdict::Blocked(blocked) = &report.verdict else {
        panic!("{report:?}")
    };
    assert_eq!(
        blocked.error_code(),
        Some("PreflightMissingAllowOriginHeader")
    );
    assert!(
        blocked
            .cause()
            .starts_with("the preflight (OPTIONS) response has no `Access-Control-Allow-Origin`"),
        "{}",
        blocked.cause()
    );
    assert_eq!(
        blocked.fix().header,
        Some(("Access-Control-Allow-Origin", "https://myapp.com".into()))
    );
    assert_eq!(report.exchanges[0].status(), Some(204));

    // An application error: no `always`, no CORS headers, a CORS error.
    let report = check(
        &rt,
        &script(server.addr, "https://myapp.com", "GET", "/error"),
    );
    assert_eq!(
        report.verdict.error_code(),
        Some("MissingAllowOriginHeader")
    );
    assert_eq!(
        problems(&report.findings),
        [Finding::ErrorWithoutCors {
            status: 500,
            preflight: false
        }]
    );
    assert!(
        report.findings[0]
            .to_string()
            .starts_with("the server failed: it answered the request with 500 and no CORS headers")
    );

    // Both differ from the policy the author meant; its export agrees.
    assert!(!check_against_policy(&rt, &meant, &json).is_empty());
    let exported = support::start(Stack::Nginx, &meant).unwrap();
    let mut json = json.clone();
    json.url = format!("http://{}/", exported.server.addr);
    let error = script(exported.server.addr, "https://myapp.com", "GET", "/error");
    for request in [json, error] {
        let diffs = check_against_policy(&rt, &meant, &request);
        assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }
}

/// Express `cors({origin: true, credentials: true})`, the usual way out of
/// "`*` with credentials": the page's request goes through, and `corsica
/// check` names what is wrong with it: every origin, a stranger, lookalikes
/// and `null`, is reflected with credentials, so any site can read the
/// users' data. The exported configuration of what was meant lets in only
/// the page's origin.
#[test]
fn broken_express_origin_true_reflects_every_origin_with_credentials() {
    let server = servers::express(
        "module.exports = require('cors')({ origin: true, credentials: true });\n",
    );
    let rt = runtime();
    let mut me = script(server.addr, "https://myapp.com", "GET", "/");
    me.credentials = true;
    let report = check(&rt, &me);
    assert!(matches!(report.verdict, Verdict::Allowed(_)), "{report:?}");
    let found = codes(&report.findings);
    assert!(found.contains(&"allows-any-origin"), "{found:?}");
    let any = report
        .findings
        .iter()
        .find(|f| f.code() == "allows-any-origin")
        .unwrap();
    assert!(any.is_security());
    assert!(
        any.to_string()
            .contains("with credentials: a page there can read your users' data")
    );
    assert!(
        report.probes.iter().all(|p| p.allowed),
        "{:?}",
        report.probes
    );

    // A preflight asking for anything gets it: the headers are reflected.
    let mut anything = script(server.addr, "https://evil.net", "DELETE", "/");
    anything.headers = vec![("X-Anything".into(), "1".into())];
    anything.credentials = true;
    anything.probes = false;
    let report = check(&rt, &anything);
    assert!(matches!(report.verdict, Verdict::Allowed(_)), "{report:?}");

    // What the author meant, exported: the page's origin only.
    let meant = policy("origins = [\"https://myapp.com\"]\ncredentials = true");
    let exported = support::start(Stack::Express, &meant).unwrap();
    let mut me = me.clone();
    me.url = format!("http://{}/", exported.server.addr);
    let report = check(&rt, &me);
    assert!(matches!(report.verdict, Verdict::Allowed(_)));
    assert!(
        problems(&report.findings).is_empty(),
        "{:?}",
        report.findings
    );
    assert!(report.probes.iter().all(|p| !p.allowed));
    assert!(check_against_policy(&rt, &meant, &me).is_empty());
}

/// django-cors-headers matches `CORS_ALLOWED_ORIGIN_REGEXES` with
/// `re.match`, anchored at the start only: `^https://.*\.example\.com`
/// allows `https://app.example.com.corsica-probe.invalid`, with
/// credentials, and `corsica check` from the real page says so. The
/// exported configuration anchors the match.
#[test]
fn broken_django_unanchored_regex_lets_lookalikes_in() {
    let server = servers::python_app(
        "django_app.py",
        "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^https://.*\\.example\\.com\"]\nCORS_ALLOW_CREDENTIALS = True\n",
    );
    let rt = runtime();
    let mut page = script(server.addr, "https://app.example.com", "GET", "/");
    page.credentials = true;
    let report = check(&rt, &page);
    assert!(
        matches!(report.verdict, Verdict::Allowed(_)),
        "{report:?}\n{}",
        server.log()
    );
    let found = problems(&report.findings);
    assert_eq!(
        found,
        [Finding::AllowsOrigin {
            origin: "https://app.example.com.corsica-probe.invalid".into(),
            kind: OtherOrigin::SuffixLookalike,
            credentials: true,
        }],
        "{}",
        server.log()
    );
    assert!(found[0].to_string().contains("not anchored at its end"));

    let meant = policy("origins = [\"https://*.example.com\"]\ncredentials = true");
    let exported = support::start(Stack::Django, &meant).unwrap();
    let mut page = page.clone();
    page.url = format!("http://{}/", exported.server.addr);
    let report = check(&rt, &page);
    assert!(
        problems(&report.findings).is_empty(),
        "{:?}",
        report.findings
    );
    assert!(check_against_policy(&rt, &meant, &page).is_empty());
}
