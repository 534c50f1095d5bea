//! The five shared example cases simulate (Chromium) to exactly what
//! headless Chromium 156 did with them (`tests/fixtures/examples.*`).

use corsica::fetch::Browser;
use corsica::simulate::{Case, simulate_case};
use serde_json::Value;

const CASES: &str = include_str!("fixtures/examples.cases.jsonl");
const ANSWERS: &str = include_str!("fixtures/examples.answers.chrome.jsonl");

#[test]
fn examples_match_chromium_156() {
    let expected: Vec<Value> = ANSWERS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("answer line parses"))
        .collect();
    let mut got = Vec::new();
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).expect("case line parses");
        got.extend(simulate_case(&case, Browser::Chrome).expect("case prepares"));
    }
    assert_eq!(got.len(), expected.len(), "one answer per request");
    assert_eq!(expected.len(), 6);
    for (g, e) in got.iter().zip(&expected) {
        let g = serde_json::to_value(g).expect("answer serializes");
        assert_eq!(&g, e, "case {} request {}", e["id"], e["index"]);
    }
}
