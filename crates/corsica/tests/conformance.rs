//! The engine against real browsers: every field of every answer.
//!
//! Two tests:
//!
//! - [`engine_agrees_with_committed_answers`], on every run: the cases
//!   `conformance/cases/*.jsonl` are simulated for each browser and every
//!   field of every answer is compared with the answers recorded in real
//!   browsers, `conformance/answers/<browser>.jsonl` (written by
//!   `scripts/conformance`). Every request must have a recorded answer and
//!   every recorded answer a request.
//! - [`live_sample_agrees_with_model_and_committed_answers`], when
//!   `CORSICA_LIVE_ANSWERS_DIR` names a live run (`scripts/test` plays the
//!   examples and a seeded sample of the corpus there with `scripts/conformance
//!   --sample`: `cases.jsonl`, `answers.<browser>.jsonl`): every request
//!   played has a live answer, and each live answer equals, field for field,
//!   the committed answer (else the browser changed, the runner broke, or
//!   the committed answers are stale) and the model's answer. Without that
//!   variable the test says so and checks nothing, unless
//!   `CORSICA_LIVE_REQUIRED=1` (set by `scripts/test`), which makes a missing
//!   live run a failure.
//!
//! A difference between the model and a browser fails unless
//! `conformance/known-disagreements.md` lists it as
//! `- <browser> <case-id> <index> <field>: <reason>`. A missing truth file is
//! a failure, never a skip. The simulator never sees the truth: cases go in,
//! answers come out, and only this test reads both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use corsica::fetch::Browser;
use corsica::simulate::{Case, simulate_case};
use serde_json::Value;

/// The browsers whose answers are recorded.
const BROWSERS: [(Browser, &str); 2] = [(Browser::Chrome, "chrome"), (Browser::Firefox, "firefox")];

const FIELDS: [&str; 7] = [
    "preflight",
    "outcome",
    "status",
    "exposed",
    "error",
    "message",
    "sent",
];

/// How many disagreements a failure message shows.
const SHOWN: usize = 60;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_lines(path: &Path) -> Vec<(usize, String)> {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

fn load_cases(files: &[PathBuf]) -> Vec<Case> {
    let mut cases = Vec::new();
    for f in files {
        for (n, line) in read_lines(f) {
            let case: Case = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("{}:{n}: not a case: {e}", f.display()));
            cases.push(case);
        }
    }
    cases
}

/// The corpus: every `conformance/cases/*.jsonl`, sorted by name.
fn corpus_files() -> Vec<PathBuf> {
    let dir = root().join("conformance/cases");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    files
}

type Key = (String, u64);

fn load_answers(path: &Path) -> HashMap<Key, Value> {
    assert!(
        path.exists(),
        "answers file {} is missing: record it with scripts/conformance",
        path.display()
    );
    let mut map = HashMap::new();
    for (n, line) in read_lines(path) {
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{}:{n}: not JSON: {e}", path.display()));
        let id = v["id"].as_str().expect("answer id").to_owned();
        let index = v["index"].as_u64().expect("answer index");
        let previous = map.insert((id, index), v);
        assert!(
            previous.is_none(),
            "{}:{n}: a second answer for the same request",
            path.display()
        );
    }
    map
}

/// `- <browser> <case-id> <index> <field>: <reason>` lines.
fn load_known() -> HashSet<(String, String, u64, String)> {
    let Ok(text) = fs::read_to_string(root().join("conformance/known-disagreements.md")) else {
        return HashSet::new();
    };
    let mut known = HashSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("- ") else {
            continue;
        };
        let Some((head, _reason)) = rest.split_once(':') else {
            continue;
        };
        let parts: Vec<&str> = head.split_whitespace().collect();
        if let [browser, id, index, field] = parts[..]
            && let Ok(index) = index.parse()
        {
            known.insert((browser.to_owned(), id.to_owned(), index, field.to_owned()));
        }
    }
    known
}

#[derive(Default)]
struct Tally {
    agree: usize,
    known: usize,
    differ: usize,
}

/// Compares the model's answers with `truth` field by field, for the
/// requests of `cases`. Returns the failures; prints a table per field.
fn compare_model(
    what: &str,
    cases: &[Case],
    browser: Browser,
    name: &str,
    truth: &HashMap<Key, Value>,
    known: &HashSet<(String, String, u64, String)>,
    used_known: &mut HashSet<(String, String, u64, String)>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut simulated = HashSet::new();
    for case in cases {
        for answer in simulate_case(case, browser).expect("case prepares") {
            let key = (answer.id.clone(), answer.index as u64);
            simulated.insert(key.clone());
            let Some(t) = truth.get(&key) else {
                failures.push(format!(
                    "{name} {} {}: no {what} answer for this request",
                    key.0, key.1
                ));
                continue;
            };
            let got = serde_json::to_value(&answer).expect("answer serializes");
            for field in FIELDS {
                let entry = tally.entry(field).or_default();
                if got[field] == t[field] {
                    entry.agree += 1;
                    continue;
                }
                let k = (name.to_owned(), key.0.clone(), key.1, field.to_owned());
                if known.contains(&k) {
                    entry.known += 1;
                    used_known.insert(k);
                } else {
                    entry.differ += 1;
                    failures.push(format!(
                        "{name} {} {} {field}:\n  model: {}\n  {name} ({what}): {}",
                        key.0, key.1, got[field], t[field]
                    ));
                }
            }
        }
    }
    for k in truth.keys().filter(|k| !simulated.contains(*k)) {
        failures.push(format!(
            "{name} {} {}: {what} answer recorded but no such request in the cases",
            k.0, k.1
        ));
    }
    println!("\n{name}: the model against {} {what} answers", truth.len());
    println!("field       agree  known  differ  agreement");
    for field in FIELDS {
        let t = tally
            .get(field)
            .map_or((0, 0, 0), |t| (t.agree, t.known, t.differ));
        let n = t.0 + t.1 + t.2;
        let pct = if n == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}%", 100.0 * t.0 as f64 / n as f64)
        };
        println!("{field:<10} {:>6} {:>6} {:>7} {pct:>10}", t.0, t.1, t.2);
    }
    failures
}

fn fail_if_any(failures: &[String], what: &str) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<&str> = failures.iter().take(SHOWN).map(String::as_str).collect();
    panic!(
        "{} {what} (first {} shown):\n{}",
        failures.len(),
        shown.len(),
        shown.join("\n")
    );
}

/// The model against every answer recorded in real browsers
/// (`conformance/answers/`), on every run.
#[test]
fn engine_agrees_with_committed_answers() {
    let cases = load_cases(&corpus_files());
    let known = load_known();
    let mut used_known = HashSet::new();
    let mut failures = Vec::new();
    for (browser, name) in BROWSERS {
        let truth = load_answers(&root().join(format!("conformance/answers/{name}.jsonl")));
        failures.extend(compare_model(
            "recorded",
            &cases,
            browser,
            name,
            &truth,
            &known,
            &mut used_known,
        ));
    }
    let stale: Vec<_> = known.difference(&used_known).collect();
    if !stale.is_empty() {
        println!(
            "\nnote: {} known-disagreement lines no longer disagree (or name unknown cases)",
            stale.len()
        );
    }
    fail_if_any(&failures, "disagreement(s) with the recorded browsers");
}

/// A live run of the examples and a sample of the corpus (`scripts/test`)
/// against the model and against the committed answers.
#[test]
fn live_sample_agrees_with_model_and_committed_answers() {
    let Some(dir) = std::env::var_os("CORSICA_LIVE_ANSWERS_DIR").map(PathBuf::from) else {
        assert!(
            std::env::var("CORSICA_LIVE_REQUIRED").as_deref() != Ok("1"),
            "CORSICA_LIVE_REQUIRED=1 but CORSICA_LIVE_ANSWERS_DIR is not set: run the live step \
             (scripts/conformance --sample) first"
        );
        println!(
            "CORSICA_LIVE_ANSWERS_DIR is not set: no live answers to compare (scripts/test plays \
             a sample in the browsers and sets it)"
        );
        return;
    };
    let played = dir.join("cases.jsonl");
    let cases = load_cases(std::slice::from_ref(&played));
    assert!(!cases.is_empty(), "{} holds no case", played.display());
    if let Ok(seed) = fs::read_to_string(dir.join("seed")) {
        println!("live sample: seed {}, {} cases", seed.trim(), cases.len());
    }
    let known = load_known();
    let mut used_known = HashSet::new();
    let mut failures = Vec::new();
    for (browser, name) in BROWSERS {
        let live = load_answers(&dir.join(format!("answers.{name}.jsonl")));
        // Every request played has a live answer, and the model agrees.
        failures.extend(compare_model(
            "live",
            &cases,
            browser,
            name,
            &live,
            &known,
            &mut used_known,
        ));
        // The browser still answers as it did when the answers were
        // committed, on every field (the `browser` field included).
        let committed = load_answers(&root().join(format!("conformance/answers/{name}.jsonl")));
        let mut same = 0;
        for (key, answer) in &live {
            match committed.get(key) {
                None => failures.push(format!(
                    "{name} {} {}: played live but not in conformance/answers/{name}.jsonl \
                     (run scripts/conformance)",
                    key.0, key.1
                )),
                Some(c) if c == answer => same += 1,
                Some(c) => {
                    for field in c.as_object().expect("an answer is an object").keys() {
                        if c[field] != answer[field] {
                            failures.push(format!(
                                "{name} {} {} {field}: the live browser differs from the \
                                 committed answer (a changed browser, a broken runner, or \
                                 stale answers: run scripts/conformance):\n  committed: {}\n  \
                                 live: {}",
                                key.0, key.1, c[field], answer[field]
                            ));
                        }
                    }
                }
            }
        }
        println!(
            "{name}: {same} of {} live answers identical to the committed ones",
            live.len()
        );
    }
    fail_if_any(&failures, "disagreement(s) in the live sample");
}
