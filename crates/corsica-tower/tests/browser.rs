//! End to end in real browsers: a page on one origin calls an axum app
//! behind the layer on another, in headless Chromium and Firefox (Debian's,
//! driven by `tests/browser.mjs` with the conformance runner's
//! puppeteer-core). The browser must accept what the policy allows, block
//! the rest, and print the console error the engine predicts, message for
//! message. Missing browsers fail the test: `scripts/test` installs them.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use corsica::fetch::Browser;
use corsica::policy::Policy;
use corsica::simulate::{
    Answer, Case, CaseOutcome as Outcome, CaseRequest, Endpoint, PAGE_PATH, PolicySpec,
    ServerAnswer, simulate_case,
};
use corsica_tower::CorsLayer;

/// What the engine predicts `browser` does with `request`, made from a page
/// on `page`, against a server that runs `policy` in front of an app that
/// answers `app` (status and headers, before CORS): the engine's own
/// policy-backed case, where the policy stands in for the server.
fn predict(
    policy: &Policy,
    page: &str,
    request: &CaseRequest,
    app: &ServerAnswer,
    browser: Browser,
) -> Answer {
    let endpoint = Endpoint {
        preflight: None,
        response: Some(app.clone()),
        policy: Some(PolicySpec::Inline(policy.config().clone())),
    };
    let case = Case {
        id: "e2e".into(),
        origin: page.into(),
        page: PAGE_PATH.into(),
        user_agent: None,
        accept_language: None,
        server: BTreeMap::from([(request.url.clone(), endpoint)]),
        requests: vec![request.clone()],
    };
    simulate_case(&case, browser)
        .expect("the policy is valid")
        .remove(0)
}

/// Serves the blank page the browser loads on `PAGE_PATH`.
async fn serve_page() -> SocketAddr {
    let page = Router::new().route(
        PAGE_PATH,
        get(|| async { axum::response::Html("<!doctype html><title>corsica-tower e2e</title>") }),
    );
    common::serve_axum(page).await
}

/// One fetch() of the plan, with what the app answers at its URL.
struct Step {
    page: String,
    request: CaseRequest<'static>,
    app: ServerAnswer<'static>,
    /// What we expect, so a model and a browser that agree on a wrong
    /// answer still fail.
    expect: Outcome,
}

fn text_answer(status: u16, body: &str) -> ServerAnswer<'static> {
    ServerAnswer {
        status,
        headers: vec![
            ("content-type".into(), "text/plain; charset=utf-8".into()),
            ("content-length".into(), body.len().to_string().into()),
        ],
        body: Some(body.to_owned().into()),
    }
}

async fn run(browser: Browser) {
    let page = serve_page().await;
    let other_page = serve_page().await;
    let page_origin = format!("http://{page}");
    let policy_toml = format!(
        r#"origins = ["{page_origin}"]
           methods = ["GET", "POST", "PUT"]
           request_headers = ["Content-Type", "X-Allowed"]
           expose_headers = ["X-Request-Id"]"#
    );
    let policy = Policy::from_toml_str(&policy_toml).unwrap();
    let app = Router::new()
        .route("/items", get(|| async { "items" }).put(|| async { "put" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database down") }),
        )
        .layer(CorsLayer::new(policy.clone()).debug(true));
    let api = common::serve_axum(app).await;

    let req = |path: &str,
               method: &str,
               headers: &[(&str, &str)],
               credentials: &str|
     -> CaseRequest<'static> {
        let json = serde_json::json!({
            "url": format!("http://{api}{path}"),
            "method": method,
            "headers": headers,
            "mode": "cors",
            "credentials": credentials,
        })
        .to_string();
        serde_json::from_str::<CaseRequest>(&json)
            .unwrap()
            .into_owned()
    };
    let o = page_origin.clone();
    let steps = vec![
        Step {
            page: o.clone(),
            request: req("/items?1", "GET", &[], "same-origin"),
            app: text_answer(200, "items"),
            expect: Outcome::Ok,
        },
        Step {
            page: o.clone(),
            request: req(
                "/items?2",
                "PUT",
                &[("Content-Type", "application/json"), ("X-Allowed", "1")],
                "same-origin",
            ),
            app: text_answer(200, "put"),
            expect: Outcome::Ok,
        },
        // A method the policy does not list: the layer answers 403.
        Step {
            page: o.clone(),
            request: req("/items?3", "DELETE", &[], "same-origin"),
            app: text_answer(405, ""),
            expect: Outcome::Blocked,
        },
        // A header the policy does not list.
        Step {
            page: o.clone(),
            request: req("/items?4", "GET", &[("X-Secret", "1")], "same-origin"),
            app: text_answer(200, "items"),
            expect: Outcome::Blocked,
        },
        // The app's 500 is readable: the layer added the headers.
        Step {
            page: o.clone(),
            request: req("/fail?5", "GET", &[], "same-origin"),
            app: text_answer(500, "database down"),
            expect: Outcome::Ok,
        },
        // A POST to a GET route: axum's 405 is readable too.
        Step {
            page: o.clone(),
            request: req(
                "/items?6",
                "POST",
                &[("Content-Type", "text/plain")],
                "same-origin",
            ),
            app: ServerAnswer {
                status: 405,
                headers: vec![
                    ("allow".into(), "GET,HEAD,PUT".into()),
                    ("content-length".into(), "0".into()),
                ],
                body: None,
            },
            expect: Outcome::Ok,
        },
        // Credentials the policy does not allow.
        Step {
            page: o.clone(),
            request: req("/items?7", "GET", &[], "include"),
            app: text_answer(200, "items"),
            expect: Outcome::Blocked,
        },
        // A page on an origin the policy does not list.
        Step {
            page: format!("http://{other_page}"),
            request: req("/items?8", "GET", &[], "same-origin"),
            app: text_answer(200, "items"),
            expect: Outcome::Blocked,
        },
        Step {
            page: format!("http://{other_page}"),
            request: req("/items?9", "PUT", &[], "same-origin"),
            app: text_answer(200, "put"),
            expect: Outcome::Blocked,
        },
    ];

    let plan = serde_json::json!({
        "requests": steps.iter().map(|s| serde_json::json!({
            "page": s.page,
            "url": s.request.url,
            "method": s.request.method,
            "headers": s.request.headers,
            "credentials": s.request.credentials,
        })).collect::<Vec<_>>(),
    });
    let dir = std::env::temp_dir().join(format!(
        "corsica-tower-e2e-{}-{}",
        browser.as_str(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, plan.to_string()).unwrap();

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser.mjs");
    let output = tokio::process::Command::new("node")
        .arg(&script)
        .arg("--browser")
        .arg(browser.as_str())
        .arg(&plan_file)
        .current_dir(&root)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20; scripts/test installs the browsers and conformance/node_modules"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser.mjs failed ({}); scripts/test installs chromium, firefox-esr and conformance/node_modules:\n{stderr}",
        output.status
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), steps.len(), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);

    let mut mismatches = Vec::new();
    for (i, (step, seen)) in steps.iter().zip(&lines).enumerate() {
        let predicted = predict(&policy, &step.page, &step.request, &step.app, browser);
        let outcome = match seen["outcome"].as_str().unwrap() {
            "ok" => Outcome::Ok,
            _ => Outcome::Blocked,
        };
        let status = seen["status"].as_u64().map(|s| s as u16);
        let message = seen["message"].as_str().map(str::to_owned);
        let mine = format!(
            "#{i} {} {} from {}: browser {outcome:?} {status:?} {message:?}; engine {:?} {:?} {:?}; expected {:?}",
            step.request.method,
            step.request.url,
            step.page,
            predicted.outcome,
            predicted.status,
            predicted.message,
            step.expect
        );
        eprintln!("{mine}");
        if outcome != predicted.outcome
            || status != predicted.status
            || message != predicted.message
            || outcome != step.expect
        {
            mismatches.push(format!("{mine}\n  console: {}", seen["console"]));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} disagreement(s):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_does_what_the_engine_predicts() {
    run(Browser::Chrome).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_does_what_the_engine_predicts() {
    run(Browser::Firefox).await;
}
