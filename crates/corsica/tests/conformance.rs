//! The engine against real browsers: every field of every answer.
//!
//! For each browser (chrome, firefox, webkit) the truth is read from
//! `$CORSICA_LIVE_ANSWERS_DIR/answers.<browser>.jsonl` when that variable is
//! set (scripts/test sets it after a live run), else from the checked-in
//! `conformance/answers/<browser>.jsonl`. The cases are
//! `conformance/cases/*.jsonl`. Every field of every answer is compared;
//! a difference fails the test unless `conformance/known-disagreements.md`
//! lists it as `- <browser> <case-id> <index> <field>: <reason>`. A missing
//! truth file is a failure, never a skip.
//!
//! The manifest beside a truth file (`<browser>.manifest.json`) says
//! whether every case was played: `"every": N` plays every Nth case, as the
//! live WebKit sample does, and such a sample is expected to cover about
//! one request in N.
//!
//! Until the corpus and the `conformance/answers` directory are in the tree
//! (and no live answers are given), the test runs the five shared examples
//! (`tests/fixtures/examples.*`) against the Chromium answers recorded for
//! them; Firefox has no recorded example answers, so only Chromium is
//! compared then (and the output says so).
//!
//! The simulator never sees the truth: cases go in, answers come out, and
//! only this test reads both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use corsica::fetch::Browser;
use corsica::simulate::{Case, simulate_case};
use serde_json::Value;

const FIELDS: [&str; 7] = [
    "preflight",
    "outcome",
    "status",
    "exposed",
    "error",
    "message",
    "sent",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The live answers of `browser` when the live directory has them, else the
/// committed ones. WebKit's live run is a sample scripts/test-webkit makes
/// apart from the other two; a live directory without it compares the
/// committed WebKit answers.
fn live_or_committed(live: Option<&OsStr>, root: &Path, browser: &str) -> PathBuf {
    if let Some(dir) = live {
        let path = PathBuf::from(dir).join(format!("answers.{browser}.jsonl"));
        if path.exists() {
            return path;
        }
    }
    root.join(format!("conformance/answers/{browser}.jsonl"))
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

fn load_truth(path: &Path) -> HashMap<(String, u64), Value> {
    assert!(
        path.exists(),
        "truth file {} is missing: record it with the runner (conformance/README.md) or set \
         CORSICA_LIVE_ANSWERS_DIR",
        path.display()
    );
    let mut map = HashMap::new();
    for (n, line) in read_lines(path) {
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{}:{n}: not JSON: {e}", path.display()));
        let id = v["id"].as_str().expect("answer id").to_owned();
        let index = v["index"].as_u64().expect("answer index");
        map.insert((id, index), v);
    }
    map
}

/// `- <browser> <case-id> <index> <field>: <reason>` lines.
fn load_known(path: &Path) -> HashSet<(String, String, u64, String)> {
    let Ok(text) = fs::read_to_string(path) else {
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

/// The sampling step of the run that recorded `truth` (1: every case).
fn sampling_step(truth: &Path, browser: &str) -> usize {
    let path = truth.with_file_name(format!("{browser}.manifest.json"));
    let Ok(text) = fs::read_to_string(&path) else {
        return 1;
    };
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
    v["every"].as_u64().map_or(1, |n| n.max(1) as usize)
}

#[derive(Default)]
struct Tally {
    agree: usize,
    known: usize,
    differ: usize,
}

#[test]
fn engine_agrees_with_recorded_browsers() {
    let root = root();
    let cases_dir = root.join("conformance/cases");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // The full suite once the corpus and a truth source exist; before the
    // runner's answers are merged, the shared examples (see the module doc).
    let live = std::env::var_os("CORSICA_LIVE_ANSWERS_DIR");
    let full = cases_dir.is_dir() && (live.is_some() || root.join("conformance/answers").is_dir());
    let (case_files, browsers): (Vec<PathBuf>, Vec<(Browser, PathBuf)>) = if full {
        let mut files: Vec<PathBuf> = fs::read_dir(&cases_dir)
            .expect("read conformance/cases")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        let truth = |b: &str| match &live {
            Some(dir) => PathBuf::from(dir).join(format!("answers.{b}.jsonl")),
            None => root.join(format!("conformance/answers/{b}.jsonl")),
        };
        (
            files,
            vec![
                (Browser::Chrome, truth("chrome")),
                (Browser::Firefox, truth("firefox")),
                (Browser::Webkit, live_or_committed(live.as_deref(), &root, "webkit")),
            ],
        )
    } else {
        println!(
            "conformance/cases or conformance/answers is not in the tree yet: comparing the 5 \
             shared examples with Chromium 156 only"
        );
        (
            vec![fixtures.join("examples.cases.jsonl")],
            vec![(
                Browser::Chrome,
                fixtures.join("examples.answers.chrome.jsonl"),
            )],
        )
    };
    assert!(!case_files.is_empty(), "no case files found");
    let cases = load_cases(&case_files);
    let known = load_known(&root.join("conformance/known-disagreements.md"));
    let mut failures = Vec::new();
    let mut used_known = HashSet::new();
    for (browser, truth_path) in &browsers {
        let truth = load_truth(truth_path);
        let every = sampling_step(truth_path, browser.as_str());
        let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut unobserved = 0usize;
        let mut simulated = HashSet::new();
        for case in &cases {
            for answer in simulate_case(case, *browser).expect("case prepares") {
                let key = (answer.id.clone(), answer.index as u64);
                simulated.insert(key.clone());
                let Some(t) = truth.get(&key) else {
                    unobserved += 1;
                    continue;
                };
                let got = serde_json::to_value(&answer).expect("answer serializes");
                for field in FIELDS {
                    let entry = tally.entry(field).or_default();
                    if got[field] == t[field] {
                        entry.agree += 1;
                        continue;
                    }
                    let k = (browser.to_string(), key.0.clone(), key.1, field.to_owned());
                    if known.contains(&k) {
                        entry.known += 1;
                        used_known.insert(k);
                    } else {
                        entry.differ += 1;
                        failures.push(format!(
                            "{browser} {} {} {field}:\n  engine: {}\n  {browser}: {}",
                            key.0, key.1, got[field], t[field]
                        ));
                    }
                }
            }
        }
        let compared = simulated.len() - unobserved;
        let expected = simulated.len() / every;
        if compared == 0 || compared * 50 < expected * 49 {
            failures.push(format!(
                "{browser}: only {compared} of {} requests have a recorded answer in {}",
                simulated.len(),
                truth_path.display()
            ));
        }
        let stray: Vec<_> = truth.keys().filter(|k| !simulated.contains(*k)).collect();
        for k in &stray {
            failures.push(format!(
                "{browser} {} {}: answer recorded but no such request in the cases",
                k.0, k.1
            ));
        }
        println!(
            "\n{browser}: {} answers recorded ({}), {unobserved} requests not recorded (not \
             compared)",
            truth.len(),
            truth_path.display()
        );
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
    }
    let stale: Vec<_> = known.difference(&used_known).collect();
    for s in &stale {
        println!("  stale: {} {} {} {}", s.0, s.1, s.2, s.3);
    }
    if !stale.is_empty() {
        println!(
            "\nnote: {} known-disagreement lines no longer disagree (or name unknown cases)",
            stale.len()
        );
    }
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(60).collect();
        panic!(
            "{} disagreement(s) with the recorded browsers (first {} shown):\n{}",
            failures.len(),
            shown.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
