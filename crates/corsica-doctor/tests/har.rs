//! `corsica har` on real exports of a failing page, recorded with headless
//! Chromium (`tests/har/record.mjs`): every request Chromium blocked is
//! named with Chromium's own error and console line, in the committed
//! export, in copies cut down the way other tools export (no preflight
//! entries; Playwright's failed requests without status or headers), and
//! in an export recorded afresh by this test. (`har_stream.rs`: a 200 MB
//! export.)

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use corsica_doctor::har::{self, HarOptions, HarReport, PreflightSource, Replay};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/har")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn analyze(har: &Value) -> HarReport {
    let text = serde_json::to_vec(har).unwrap();
    har::analyze(&har::read(&text[..]), &HarOptions::default())
}

/// (method, url) → (error, message) of each request Chromium blocked.
fn expected(path: &Path) -> BTreeMap<(String, String), (String, String)> {
    let e = json(path);
    e["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                (
                    b["method"].as_str().unwrap().to_owned(),
                    b["url"].as_str().unwrap().to_owned(),
                ),
                (
                    b["error"].as_str().unwrap().to_owned(),
                    b["message"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

/// Every request the replay names as blocked, with its error and message
/// (`None` when the export does not hold the reason).
fn named(report: &HarReport) -> BTreeMap<(String, String), Option<(String, String)>> {
    report
        .blocked()
        .map(|r| {
            let why = r.blocked().map(|b| {
                (
                    b.error_code().unwrap_or_default().to_owned(),
                    b.console_message().unwrap_or_default(),
                )
            });
            ((r.method.clone(), r.url.clone()), why)
        })
        .collect()
}

/// The whole export names exactly the requests Chromium blocked, each
/// with Chromium's error and console line.
fn assert_names_every_blocked_request(
    har: &Value,
    expected: &BTreeMap<(String, String), (String, String)>,
) {
    let report = analyze(har);
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let named = named(&report);
    assert_eq!(
        named.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "blocked requests"
    );
    for (key, want) in expected {
        assert_eq!(named[key].as_ref(), Some(want), "{key:?}");
    }
    // Every replay agrees with what the export shows the browser did.
    for r in &report.requests {
        assert_eq!(r.agrees(), Some(true), "{} {}", r.method, r.url);
    }
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn the_recorded_export_names_every_blocked_request() {
    let har = json(&dir().join("failing-page.har"));
    let expected = expected(&dir().join("failing-page.expected.json"));
    assert_eq!(expected.len(), 8);
    assert_names_every_blocked_request(&har, &expected);
}

/// The export without its preflight entries (as Firefox's and Playwright's
/// look): the requests whose own answer was recorded are named as before;
/// those that failed on their preflight are still named as blocked, with
/// the preflight the browser must have sent; one that went through is
/// allowed, its preflight inferred.
#[test]
fn without_preflight_entries_every_blocked_request_is_still_named() {
    let mut har = json(&dir().join("failing-page.har"));
    let entries = har["log"]["entries"].as_array_mut().unwrap();
    let before = entries.len();
    entries.retain(|e| e["_resourceType"] != "preflight");
    assert_eq!(before - entries.len(), 4, "the fixture has four preflights");
    let expected = expected(&dir().join("failing-page.expected.json"));
    let report = analyze(&har);
    let named = named(&report);
    assert_eq!(
        named.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (key, (error, message)) in &expected {
        match &named[key] {
            Some(got) => assert_eq!(got, &(error.clone(), message.clone()), "{key:?}"),
            None => {
                // Only a preflight failure leaves no answer behind.
                assert!(
                    error.contains("Preflight") || error.ends_with("PreflightResponse"),
                    "{key:?}: {error}"
                );
                let r = report
                    .blocked()
                    .find(|r| (&r.method, &r.url) == (&key.0, &key.1))
                    .unwrap();
                let Replay::Unknown { missing, .. } = &r.replay else {
                    panic!("{key:?}: {:?}", r.replay)
                };
                assert_eq!(missing.method, "OPTIONS");
                assert!(
                    missing
                        .headers
                        .iter()
                        .any(|(n, v)| n == "Access-Control-Request-Method" && *v == key.0),
                    "{missing:?}"
                );
                assert!(
                    r.check_command()
                        .starts_with("corsica check 'http://api.test:8002/")
                );
            }
        }
    }
    let ok = report
        .requests
        .iter()
        .find(|r| r.url.ends_with("/preflight-ok"))
        .unwrap();
    assert_eq!(ok.preflight, PreflightSource::Inferred);
    assert!(matches!(ok.replay, Replay::Allowed(_)));
}

/// As Playwright writes them: no preflight entries, no resource types,
/// failed requests with status -1, no headers and a `_failureText`. Every
/// blocked request is still named; nothing allowed is.
#[test]
fn a_playwright_style_export_names_every_blocked_request() {
    let mut har = json(&dir().join("failing-page.har"));
    har["log"]["creator"] = serde_json::json!({"name": "Playwright", "version": "1.50"});
    har["log"]["browser"] = serde_json::json!({"name": "chromium", "version": "156"});
    let entries = har["log"]["entries"].as_array_mut().unwrap();
    entries.retain(|e| e["_resourceType"] != "preflight");
    for e in entries.iter_mut() {
        let o = e.as_object_mut().unwrap();
        o.remove("_resourceType");
        o.remove("_initiator");
        if o["response"]["_error"].is_string() {
            let r = o["response"].as_object_mut().unwrap();
            r.insert("status".into(), (-1).into());
            r.insert("headers".into(), Value::Array(Vec::new()));
            let error = r.remove("_error").unwrap();
            r.insert("_failureText".into(), error);
        }
    }
    let expected = expected(&dir().join("failing-page.expected.json"));
    let report = analyze(&har);
    assert_eq!(report.browser_source, "the export's browser (chromium)");
    let named = named(&report);
    assert_eq!(
        named.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    // Nothing the export lacks is made up.
    assert!(named.values().all(Option::is_none), "{named:?}");
    assert_eq!(report.summary()[0].reason, "not in the export");
    assert_eq!(report.summary()[0].count, 8);
}

/// Records the failing page again with headless Chromium (ephemeral ports)
/// and checks the fresh export the same way.
#[test]
fn a_fresh_recording_names_every_blocked_request() {
    let node = which("node");
    let chromium = Path::new("/usr/bin/chromium");
    assert!(
        chromium.is_file(),
        "/usr/bin/chromium is missing: scripts/test installs it (apt-get install chromium)"
    );
    assert!(
        root()
            .join("conformance/node_modules/puppeteer-core")
            .is_dir(),
        "conformance/node_modules/puppeteer-core is missing: scripts/test installs it (npm ci --prefix conformance)"
    );
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("har-{}", std::process::id()));
    fs::create_dir_all(&out).unwrap();
    let har_path = out.join("fresh.har");
    let status = Command::new(node)
        .arg(dir().join("record.mjs"))
        .arg(&har_path)
        .status()
        .unwrap();
    assert!(status.success(), "record.mjs failed: {status}");
    let har = json(&har_path);
    let expected = expected(&out.join("fresh.expected.json"));
    assert_eq!(expected.len(), 8);
    assert_names_every_blocked_request(&har, &expected);
    let _ = fs::remove_dir_all(&out);
}

fn which(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is missing: scripts/test needs Node.js 20"))
}
