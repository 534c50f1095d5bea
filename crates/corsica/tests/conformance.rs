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
//!   --sample`: `cases.jsonl`, `answers.<browser>.jsonl`, and for a browser
//!   that played a sample of its own, WebKit, `cases.<browser>.jsonl`): every request
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
const BROWSERS: [(Browser, &str); 3] = [
    (Browser::Chrome, "chrome"),
    (Browser::Firefox, "firefox"),
    (Browser::Webkit, "webkit"),
];

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

fn load_cases(files: &[PathBuf]) -> Vec<Case<'static>> {
    let mut cases = Vec::new();
    for f in files {
        for (n, line) in read_lines(f) {
            let case: Case = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("{}:{n}: not a case: {e}", f.display()));
            cases.push(case.into_owned());
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
        // WebKit plays a smaller sample of its own (`cases.webkit.jsonl`).
        let own = dir.join(format!("cases.{name}.jsonl"));
        let own_cases;
        let cases = if own.exists() {
            own_cases = load_cases(std::slice::from_ref(&own));
            println!(
                "{name}: {} cases of its own ({})",
                own_cases.len(),
                own.display()
            );
            &own_cases
        } else {
            &cases
        };
        // A short `Access-Control-Max-Age` can run out between two requests
        // of a live run on a loaded machine, where the model (and the
        // recording) had them back to back: such a case is played by the
        // model again with the time the browser must have waited.
        let (cases, timed) = explain_expired_preflights(cases, browser, &live);
        for id in &timed {
            println!(
                "{name} {id}: a preflight cache entry ran out between requests of the live \
                 run; the model agrees once {WAIT_MS} ms have passed"
            );
        }
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
            if timed.contains(&key.0) {
                continue;
            }
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

/// The wait put before a request of a case whose live answers only a
/// wait explains: longer than the 1 and 2 s `Access-Control-Max-Age` lines
/// of the random corpus, which a live run on a loaded machine can outlast
/// between two requests, and shorter than the 5 s a preflight is cached
/// without one, so it makes no other entry of the model run out.
const WAIT_MS: u64 = 3000;

/// The cases whose live answers differ from the model's only because a
/// preflight cache entry ran out between two requests: those are replaced
/// by the same case with [`WAIT_MS`] before one request, or all, from the
/// second on (the first variant the model's answers agree with on every
/// field of every request), and their ids returned. The model decides what
/// a wait changes; any other difference stays a failure.
fn explain_expired_preflights(
    cases: &[Case<'static>],
    browser: Browser,
    live: &HashMap<Key, Value>,
) -> (Vec<Case<'static>>, HashSet<String>) {
    let agrees = |case: &Case| {
        simulate_case(case, browser)
            .expect("case prepares")
            .iter()
            .all(|answer| {
                let got = serde_json::to_value(answer).expect("answer serializes");
                live.get(&(answer.id.clone(), answer.index as u64))
                    .is_some_and(|t| FIELDS.iter().all(|f| got[*f] == t[*f]))
            })
    };
    let mut out = Vec::with_capacity(cases.len());
    let mut timed = HashSet::new();
    for case in cases {
        if case.requests.len() < 2 || agrees(case) {
            out.push(case.clone());
            continue;
        }
        let mut variants: Vec<Vec<usize>> = (1..case.requests.len()).map(|i| vec![i]).collect();
        variants.push((1..case.requests.len()).collect());
        let explained = variants.into_iter().find_map(|later| {
            let mut v = case.clone();
            for i in later {
                v.requests[i].delay_ms = Some(v.requests[i].delay_ms.unwrap_or(0) + WAIT_MS);
            }
            agrees(&v).then_some(v)
        });
        match explained {
            Some(v) => {
                timed.insert(case.id.to_string());
                out.push(v);
            }
            None => out.push(case.clone()),
        }
    }
    (out, timed)
}

/// WebKit prints more than one line for a failure: the reason (the
/// answer's `message`), then `Fetch API cannot load <url> due to access
/// control checks.`, which is often all a Safari user looks at. Every
/// console line WebKit printed for every request of the corpus
/// (`conformance/answers/webkit.console.jsonl`, the runner's digest) is
/// what the model prints, in order, byte for byte; and every failure with
/// a console line has a cause and a fix (`explain`), so each of WebKit's
/// message templates is explained.
#[test]
fn webkit_console_lines_and_explanations() {
    let cases = load_cases(&corpus_files());
    let path = root().join("conformance/answers/webkit.console.jsonl");
    let mut printed: HashMap<Key, Vec<String>> = HashMap::new();
    for (n, line) in read_lines(&path) {
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{}:{n}: not JSON: {e}", path.display()));
        let lines = v["console"]
            .as_array()
            .unwrap_or_else(|| panic!("{}:{n}: no console array", path.display()))
            .iter()
            .map(|entry| entry[1].as_str().expect("console text").to_owned())
            .collect();
        let key = (
            v["id"].as_str().expect("id").to_owned(),
            v["index"].as_u64().expect("index"),
        );
        printed.insert(key, lines);
    }
    let mut failures = Vec::new();
    let mut templates: BTreeMap<&'static str, (usize, String)> = BTreeMap::new();
    let mut compared = 0usize;
    for case in &cases {
        for answer in simulate_case(case, Browser::Webkit).expect("case prepares") {
            let key = (answer.id.clone(), answer.index as u64);
            let Some(truth) = printed.get(&key) else {
                failures.push(format!("webkit {} {}: no console digest", key.0, key.1));
                continue;
            };
            compared += 1;
            let lines = answer
                .blocked
                .as_ref()
                .map(|b| b.console_lines())
                .unwrap_or_default();
            if &lines != truth {
                failures.push(format!(
                    "webkit {} {} console:\n  model:  {lines:?}\n  webkit: {truth:?}",
                    key.0, key.1
                ));
            }
            let (Some(blocked), Some(error)) = (&answer.blocked, answer.error) else {
                continue;
            };
            // Each line pasted into `corsica why` reads back as WebKit's,
            // the first with its key, each with the failure among the
            // candidates.
            for (i, line) in lines.iter().enumerate() {
                match corsica::explain::recognize(line) {
                    Err(e) => failures.push(format!(
                        "webkit {} {}: line {i} not recognised ({e}): {line:?}",
                        key.0, key.1
                    )),
                    Ok(r) => {
                        let f = blocked.failure();
                        let among = r.candidates().iter().any(|c| {
                            std::mem::discriminant(&c.reason) == std::mem::discriminant(&f.reason)
                                && c.preflight == f.preflight
                                && c.redirect == f.redirect
                        });
                        let code_ok = i > 0 || r.error_code() == Some(error);
                        if r.browser() != Browser::Webkit || !among || !code_ok {
                            failures.push(format!(
                                "webkit {} {}: line {i} read back as {} {:?}, candidates \
                                 {:?}, not {f:?}: {line:?}",
                                key.0,
                                key.1,
                                r.browser(),
                                r.error_code(),
                                r.candidates()
                            ));
                        }
                    }
                }
            }
            let cause = blocked.cause();
            let fix = blocked.fix();
            let seen = templates.entry(error).or_insert_with(|| {
                (
                    0,
                    format!(
                        "{} {}\n      message: {}\n      cause: {cause}\n      fix: {}",
                        key.0,
                        key.1,
                        answer.message.as_deref().unwrap_or_default(),
                        fix.summary
                    ),
                )
            });
            seen.0 += 1;
            // The cause must say more than WebKit's own line does.
            if cause.len() < 40
                || cause.contains("due to access control checks.\"") && cause.len() < 120
            {
                failures.push(format!(
                    "webkit {} {} {error}: thin cause: {cause}",
                    key.0, key.1
                ));
            }
            if fix.summary.trim().is_empty() {
                failures.push(format!("webkit {} {} {error}: no fix", key.0, key.1));
            }
        }
    }
    assert!(
        compared > 2000,
        "only {compared} requests have a console digest"
    );
    println!("\nwebkit: {compared} requests, console lines compared; templates explained:");
    for (error, (n, example)) in &templates {
        println!("  {error:<40} {n:>5}   e.g. {example}");
    }
    fail_if_any(&failures, "WebKit console or explanation failure(s)");
}
