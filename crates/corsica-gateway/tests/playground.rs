//! The playground in real browsers: the demo runs in-process (ephemeral
//! ports), `tests/playground.mjs` drives the page in headless Chromium and
//! Firefox (Debian's, with the conformance runner's puppeteer-core),
//! preset by preset, then with each preset's corsica fix. For every run:
//! the page's verdict says the engine's prediction matches what the
//! browser did, the outcome is the one the preset is about, and the
//! browser's own console line is, byte for byte, the message the page
//! shows as the engine's. A screenshot of each run is saved under
//! `target/playground/<browser>/`. A missing browser fails the test:
//! `scripts/test` installs it.

use std::path::{Path, PathBuf};

use corsica_gateway::demo::{Demo, DemoOptions};

/// Where the engine and the browsers are known to disagree: (browser,
/// preset, what the browser does that the engine does not predict). The
/// playground shows these disagreements to its users as they are; the
/// test requires each to still be one (so that a fix of the engine shows
/// up here, and the entry goes) and everything else to agree.
const KNOWN_ENGINE_GAPS: &[(&str, &str, &str)] = &[
    // Found by this test (Chromium 156): a preflight answer that allows
    // neither of `Content-Type` (set first by the script) and
    // `Authorization`: Chromium names `authorization`, the engine's model
    // of Blink's header-map order names `content-type`. Firefox ESR 153
    // names `authorization`, as the engine predicts for it.
    (
        "chrome",
        "missing-allow-headers",
        "Chromium reports `authorization`, the engine `content-type`",
    ),
    // The engine's HTTP cache model holds only implicitly fresh answers
    // (301, 308 and the like): an answer with `Cache-Control: public,
    // max-age=600` and no `Vary: Origin`, stored for a no-cors request, is
    // served from the cache to the CORS request that follows in both
    // browsers (which then block it: no `Access-Control-Allow-Origin`);
    // the engine sends the request again and predicts it readable.
    (
        "chrome",
        "missing-vary",
        "served from the HTTP cache (max-age), not modelled by the engine",
    ),
    (
        "firefox",
        "missing-vary",
        "served from the HTTP cache (max-age), not modelled by the engine",
    ),
];

fn shots_dir(browser: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("playground").join(browser)
}

async fn get_json(url: &str) -> serde_json::Value {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let response = client.get(url.parse().unwrap()).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

fn check(
    run: &serde_json::Value,
    want_blocked: bool,
    label: String,
    browser: &str,
    problems: &mut Vec<String>,
) {
    eprintln!(
        "{browser} {label}: {} browser {} engine {} console {}",
        run["state"], run["browser"], run["engine"], run["console"]
    );
    if run["state"] != "done" {
        problems.push(format!(
            "{label}: the page ended {} ({})",
            run["state"], run["verdict"]
        ));
        return;
    }
    let want = if want_blocked { "blocked" } else { "readable" };
    if let Some((_, _, what)) = KNOWN_ENGINE_GAPS
        .iter()
        .find(|(b, p, _)| *b == browser && *p == label)
    {
        eprintln!("{browser} {label}: known engine gap: {what}");
        let first_line = run["console"].get(0).and_then(|l| l.as_str());
        let still = run["agree"] == false || first_line != run["engineConsole"].as_str();
        if !still || run["browser"]["outcome"] != want {
            problems.push(format!(
                "{label}: listed as a known engine gap ({what}), but the engine now agrees (page: agree={}; browser {}, console {}; engine {}): remove it from KNOWN_ENGINE_GAPS",
                run["agree"], run["browser"], run["console"], run["engineConsole"]
            ));
        }
        return;
    }
    if run["agree"] != true {
        problems.push(format!(
            "{label}: the page shows a disagreement: {}",
            run["verdict"]
        ));
    }
    if run["browser"]["outcome"] != want || run["engine"]["outcome"] != want {
        problems.push(format!(
            "{label}: expected {want}, browser {}, engine {}",
            run["browser"], run["engine"]
        ));
    }
    // The browser's first CORS line is the one the engine predicts
    // (Firefox adds "CORS request did not succeed" after a failed
    // preflight).
    let console: Vec<&str> = run["console"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let engine = run["engineConsole"].as_str();
    match (want_blocked, engine) {
        (true, Some(m)) if console.first() != Some(&m) => problems.push(format!(
            "{label}: the browser logged {console:?}, the engine predicted {m:?}"
        )),
        (true, None) => problems.push(format!("{label}: no console message predicted")),
        (false, _) if !console.is_empty() => problems.push(format!(
            "{label}: readable, yet the browser logged {console:?}"
        )),
        _ => {}
    }
    if want_blocked && run["fix"].is_null() {
        problems.push(format!("{label}: no fix shown"));
    }
    if run["arrows"].as_u64().unwrap_or(0) < 2 {
        problems.push(format!("{label}: no sequence diagram"));
    }
}

async fn run(browser: &str) {
    let demo = Demo::start(DemoOptions {
        api: "127.0.0.1:0".parse().unwrap(),
        playground: "127.0.0.1:0".parse().unwrap(),
        admin: None,
        debug: false,
        signals: false,
    })
    .await
    .unwrap();
    let base = demo.playground_url().to_owned();
    let handle = demo.handle();
    let served = tokio::spawn(demo.run());

    let presets = get_json(&format!("{base}/api/presets")).await;
    let presets = presets["presets"].as_array().unwrap().clone();
    let ids: Vec<String> = presets
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let shots = shots_dir(browser);
    let _ = std::fs::remove_dir_all(&shots);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/playground.mjs");
    let output = tokio::process::Command::new("node")
        .arg(&script)
        .args(["--browser", browser, "--shots"])
        .arg(&shots)
        .arg(&base)
        .args(&ids)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20; scripts/test installs the browsers and conformance/node_modules"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "playground.mjs failed ({}); scripts/test installs chromium, firefox-esr and conformance/node_modules:\n{stderr}",
        output.status
    );
    // What the script said even when it succeeded (a browser launched
    // again): shown by `--no-capture` and with a failure.
    eprint!("{stderr}");
    let runs: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    let mut problems = Vec::new();
    for preset in &presets {
        let id = preset["id"].as_str().unwrap();
        let blocked = preset["blocked"].as_bool().unwrap();
        let first = runs
            .iter()
            .find(|r| r["preset"] == id && r["fixed"] == false)
            .unwrap_or_else(|| panic!("no run of {id}: {stderr}"));
        if preset["kind"] == "policy" && preset["policy"].as_str().unwrap().contains("\"*\"") {
            // An invalid policy: refused by the engine's check, nothing runs.
            if first["state"] != "refused"
                || !first["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "credentialed-wildcard-origin")
            {
                problems.push(format!(
                    "{id}: not refused with credentialed-wildcard-origin: {first}"
                ));
            }
        } else {
            check(first, blocked, id.to_owned(), browser, &mut problems);
        }
        if !preset["fix_policy"].as_str().unwrap().is_empty() {
            match runs
                .iter()
                .find(|r| r["preset"] == id && r["fixed"] == true)
            {
                Some(fixed) => check(fixed, false, format!("{id}+fix"), browser, &mut problems),
                None => problems.push(format!("{id}: the fix was not run")),
            }
        }
        if !shots.join(format!("{id}.png")).exists() {
            problems.push(format!("{id}: no screenshot"));
        }
    }
    handle.shutdown();
    let _ = served.await;
    assert!(
        problems.is_empty(),
        "{} problem(s) in {browser}:\n{}\n(screenshots in {})",
        problems.len(),
        problems.join("\n"),
        shots.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playground_in_chromium() {
    run("chrome").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playground_in_firefox() {
    run("firefox").await;
}
