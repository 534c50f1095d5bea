//! `corsica check` reports what headless Chromium and Firefox report for
//! the same request, on live servers, message for message; and `corsica
//! why` reads every message they print back, and `--check` with what it
//! holds reaches the same verdict.
//!
//! The servers are the export tests' (`support`): nginx, Express and
//! Django running an exported policy, and the broken configurations people
//! copy (the seed's nginx snippet, Express `origin: true` with
//! credentials, an unanchored django-cors-headers regex, `cors()` with `*`
//! and one method). The pages are
//! served by `tests/browser/fetch.mjs` on an ephemeral port of 127.0.0.1:
//! `http://localhost:PORT` (which the policy allows, with credentials) and
//! `http://evil.test:PORT` (which it does not; `*.test` resolves to
//! 127.0.0.1 inside the browser). The browsers are the conformance
//! runner's (puppeteer-core from conformance/node_modules, Debian's
//! Chromium and Firefox ESR); a missing one fails the test, naming
//! scripts/test.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use corsica::Policy;
use corsica::fetch::Browser;
use corsica_doctor::check::CheckRequest;
use corsica_doctor::export::Stack;
use corsica_doctor::why::{self, Given};
use serde_json::{Value, json};

use support::compare::{check, runtime};
use support::servers;

const POLICY: &str = r#"
origins = ["http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT"]
request_headers = ["Content-Type", "X-Api-Key"]
expose_headers = ["X-Upstream"]
"#;

/// A script's request: page host, method, path, headers, credentials,
/// body.
type Script = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
    Option<&'static str>,
);

const SCRIPTS: [Script; 11] = [
    ("localhost", "GET", "/", &[], false, None),
    ("evil.test", "GET", "/", &[], false, None),
    ("localhost", "GET", "/", &[], true, None),
    (
        "localhost",
        "PUT",
        "/",
        &[("Content-Type", "application/json")],
        false,
        Some("{}"),
    ),
    (
        "evil.test",
        "PUT",
        "/",
        &[("Content-Type", "application/json")],
        false,
        Some("{}"),
    ),
    ("localhost", "DELETE", "/", &[], false, None),
    ("localhost", "GET", "/", &[("X-Other", "1")], false, None),
    ("localhost", "GET", "/error", &[], false, None),
    ("evil.test", "DELETE", "/", &[], false, None),
    ("evil.test", "GET", "/", &[("X-Other", "1")], false, None),
    ("evil.test", "GET", "/", &[], true, None),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn require_browsers() -> PathBuf {
    for (path, what) in [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/firefox-esr", "firefox-esr"),
    ] {
        assert!(
            Path::new(path).is_file(),
            "{path} is missing: scripts/test installs it (apt-get install {what})"
        );
    }
    assert!(
        root()
            .join("conformance/node_modules/puppeteer-core")
            .is_dir(),
        "conformance/node_modules/puppeteer-core is missing: scripts/test installs it (npm ci --prefix conformance)"
    );
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("node"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("node is missing: scripts/test needs Node.js 20"))
}

/// Runs the pages in `browser`; one result per request, by id.
fn run_browser(node: &Path, browser: &str, requests: &Path) -> BTreeMap<String, Value> {
    let out = Command::new(node)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fetch.mjs"))
        .arg(browser)
        .arg(requests)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fetch.mjs {browser} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v["id"].as_str()?.to_owned(), v)))
        .collect()
}

#[test]
fn check_and_why_report_what_the_browsers_report() {
    let node = require_browsers();
    let policy = Policy::from_toml_str(POLICY).unwrap();

    // The servers.
    let nginx = support::start(Stack::Nginx, &policy).unwrap();
    let express = support::start(Stack::Express, &policy).unwrap();
    let django = support::start(Stack::Django, &policy).unwrap();
    let upstream = support::http::Upstream::start();
    let url = upstream.url();
    let seed = servers::nginx(|port| {
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
    let reflect = servers::express(
        "module.exports = require('cors')({ origin: true, credentials: true });\n",
    );
    let regex = servers::python_app(
        "django_app.py",
        "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^http://.*\\.test\"]\nCORS_ALLOW_CREDENTIALS = True\n",
    );
    // `cors()` with `*`, one method and one header: the usual first try.
    let star = servers::express(
        "module.exports = require('cors')({ origin: '*', methods: ['GET'], allowedHeaders: ['Content-Type'] });\n",
    );
    let targets: [(&str, SocketAddr); 7] = [
        ("nginx", nginx.server.addr),
        ("express", express.server.addr),
        ("django", django.server.addr),
        ("nginx-seed-snippet", seed.addr),
        ("express-origin-true", reflect.addr),
        ("django-unanchored-regex", regex.addr),
        ("express-star", star.addr),
    ];

    // The requests, each URL unique (no preflight cache is shared).
    let mut requests = Vec::new();
    let mut scripts: BTreeMap<String, (Script, String)> = BTreeMap::new();
    for (name, addr) in targets {
        for (i, s) in SCRIPTS.iter().enumerate() {
            let id = format!("{name}-{i}");
            let url = format!("http://{addr}{}?r={id}", s.2);
            requests.push(json!({
                "id": id, "page": s.0, "url": url, "method": s.1,
                "headers": s.3, "credentials": if s.4 { "include" } else { "same-origin" },
                "body": s.5,
            }));
            scripts.insert(id, (*s, url));
        }
    }
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browsers-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("requests.json");
    fs::write(&file, json!({ "requests": requests }).to_string()).unwrap();

    // Both browsers at once.
    let (chrome, firefox) = thread::scope(|s| {
        let c = s.spawn(|| run_browser(&node, "chrome", &file));
        let f = s.spawn(|| run_browser(&node, "firefox", &file));
        (c.join().unwrap(), f.join().unwrap())
    });
    let _ = fs::remove_dir_all(&dir);

    let rt = runtime();
    let mut diffs = Vec::new();
    let mut blocked = 0;
    let mut allowed = 0;
    for (browser, results) in [(Browser::Chrome, &chrome), (Browser::Firefox, &firefox)] {
        assert_eq!(results.len(), scripts.len(), "{browser}: {results:?}");
        for (id, got) in results {
            let ((_, method, _, headers, credentials, body), url) = &scripts[id];
            let origin = got["origin"].as_str().unwrap().to_owned();
            let mut request = CheckRequest::new(url.clone(), origin.clone());
            request.method = (*method).to_owned();
            request.headers = headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            request.credentials = *credentials;
            request.body = body.map(str::to_owned);
            request.browser = browser;
            request.probes = false;
            let report = check(&rt, &request);
            let v = &report.verdict;
            let mine = json!({
                "outcome": v.outcome(),
                "status": match v {
                    corsica_doctor::check::Verdict::Allowed(a) => json!(a.status),
                    _ => Value::Null,
                },
                "exposed": match v {
                    corsica_doctor::check::Verdict::Allowed(a) => json!(a.exposed),
                    _ => json!([]),
                },
                "error": v.error_code(),
                "message": v.message(),
            });
            for field in ["outcome", "status", "exposed", "error", "message"] {
                if mine[field] != got[field] {
                    diffs.push(format!(
                        "{browser} {id} {method} from {origin}: {field}: browser {}, check {}",
                        got[field], mine[field]
                    ));
                }
            }
            if got["outcome"] == "ok" {
                allowed += 1;
                continue;
            }
            blocked += 1;
            // `why` on the browser's own line, then `--check` with what it
            // holds (and, as a person would give them, the script's method,
            // headers and credentials; the origin for Firefox's lines).
            let Some(message) = got["message"].as_str() else {
                diffs.push(format!("{browser} {id}: blocked without a console line"));
                continue;
            };
            let seen = match why::recognize(message) {
                Ok(seen) => seen,
                Err(e) => {
                    diffs.push(format!("{browser} {id}: why: {e}: {message}"));
                    continue;
                }
            };
            if seen.browser() != browser || seen.error_code() != got["error"].as_str() {
                diffs.push(format!(
                    "{browser} {id}: why read {:?} {:?}, the browser said {}",
                    seen.browser(),
                    seen.error_code(),
                    got["error"]
                ));
            }
            let given = Given {
                origin: (browser == Browser::Firefox).then(|| origin.clone()),
                method: Some((*method).to_owned()),
                headers: request.headers.clone(),
                credentials: *credentials,
                body: request.body.clone(),
                browser: None,
            };
            let again = why::check_request(&seen, &given).unwrap();
            let report = check(&rt, &again);
            if report.verdict.message().as_deref() != Some(message) {
                diffs.push(format!(
                    "{browser} {id}: why --check got {:?}, the browser printed {message:?}",
                    report.verdict.message()
                ));
            }
        }
    }
    eprintln!(
        "{} requests per browser: {blocked} blocked and {allowed} allowed in all; chrome said {:?}; firefox said {:?}",
        scripts.len(),
        chrome
            .values()
            .filter_map(|v| v["error"].as_str())
            .collect::<std::collections::BTreeSet<_>>(),
        firefox
            .values()
            .filter_map(|v| v["error"].as_str())
            .collect::<std::collections::BTreeSet<_>>(),
    );
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    // Both outcomes, in both browsers, many times over.
    assert!(
        blocked >= 30 && allowed >= 20,
        "{blocked} blocked, {allowed} allowed"
    );
}
