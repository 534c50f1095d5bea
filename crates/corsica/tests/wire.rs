//! The engine's requests against the full wire logs of real browsers: every
//! header of every request, in order, byte for byte.
//!
//! `conformance/answers/wire.<browser>.jsonl` holds, per fetch of the
//! corpus, every request the runner's server received with all its headers
//! (extracted from a runner debug log by `conformance/runner/
//! wire-from-debug.mjs`). The answer files keep only the CORS-relevant
//! headers; this test holds the model to the rest too (`User-Agent`,
//! `Referer`, `Accept-Encoding`, `Sec-Fetch-Mode`, `Priority`, their
//! order), which is what `corsica check` sends to real servers.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use corsica::fetch::Browser;
use corsica::simulate::{Case, PreparedCase, simulate_prepared_full};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cases() -> HashMap<String, Case> {
    let mut out = HashMap::new();
    for entry in fs::read_dir(root().join("conformance/cases")).expect("conformance/cases") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("case file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Case = serde_json::from_str(line).expect("case parses");
            out.insert(case.id.clone(), case);
        }
    }
    out
}

fn check(browser: Browser) {
    let path = root().join(format!("conformance/answers/wire.{browser}.jsonl"));
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (record it: conformance/README.md)", path.display()));
    let cases = cases();
    let mut simulated: HashMap<(String, u64), Value> = HashMap::new();
    let mut failures = Vec::new();
    let mut compared = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let truth: Value = serde_json::from_str(line).expect("wire line parses");
        let id = truth["id"].as_str().expect("id").to_owned();
        let index = truth["index"].as_u64().expect("index");
        if !simulated.contains_key(&(id.clone(), index)) {
            let Some(case) = cases.get(&id) else {
                failures.push(format!("{id}: in the wire log but not in the corpus"));
                continue;
            };
            let pc = PreparedCase::new(case).expect("case prepares");
            for answer in simulate_prepared_full(&pc, browser) {
                let sent = serde_json::to_value(&answer.sent).expect("sent serializes");
                simulated.insert((id.clone(), answer.index as u64), sent);
            }
        }
        compared += 1;
        let got = &simulated[&(id.clone(), index)];
        if got != &truth["wire"] {
            failures.push(format!(
                "{browser} {id} {index}:\n  engine:  {got}\n  browser: {}",
                truth["wire"]
            ));
        }
    }
    assert!(
        compared > 400,
        "{browser}: only {compared} fetches in {}",
        path.display()
    );
    println!("{browser}: {compared} fetches, {} differ", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {compared} fetches differ from {} (first 10):\n{}",
        failures.len(),
        path.display(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn chrome_requests_match_the_wire_log() {
    check(Browser::Chrome);
}

#[test]
fn firefox_requests_match_the_wire_log() {
    check(Browser::Firefox);
}
