//! Throughput of the browser model.
//!
//! - `model`: `simulate_prepared` on cases whose URLs are already parsed
//!   (`PreparedCase`), in requests per second.
//! - `end_to_end`: what `corsica simulate` does per line: parse the JSON
//!   case, prepare it, simulate it, write one JSON answer line per request.
//!
//! The cases are the file named by `CORSICA_BENCH_CASES`, else the
//! conformance corpus (`conformance/cases/*.jsonl`) when it is in the tree,
//! else the five shared examples. Run with
//! `cargo bench -p corsica --bench simulate`.

use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use corsica::fetch::Browser;
use corsica::simulate::{Case, PreparedCase, simulate_prepared};
use divan::{Bencher, counter::ItemsCount};

fn main() {
    divan::main();
}

/// The JSONL text of the cases.
static JSONL: LazyLock<String> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
    if let Some(path) = std::env::var_os("CORSICA_BENCH_CASES") {
        return std::fs::read_to_string(&path).expect("read CORSICA_BENCH_CASES");
    }
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        for f in files {
            text.push_str(&std::fs::read_to_string(f).expect("read case file"));
        }
    }
    if text.trim().is_empty() {
        text = include_str!("../tests/fixtures/examples.cases.jsonl").to_owned();
    }
    text
});

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    JSONL
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("case parses"))
        .collect()
});

fn request_count() -> usize {
    CASES.iter().map(|c| c.requests.len()).sum()
}

const BROWSERS: [Browser; 2] = [Browser::Chrome, Browser::Firefox];

#[divan::bench(args = BROWSERS)]
fn model(bencher: Bencher, browser: Browser) {
    let prepared: Vec<PreparedCase<'_>> = CASES
        .iter()
        .map(|c| PreparedCase::new(c).expect("case prepares"))
        .collect();
    bencher.counter(ItemsCount::new(request_count())).bench(|| {
        for p in &prepared {
            black_box(simulate_prepared(black_box(p), browser));
        }
    });
}

// Not inlined: `simulate_vs.sh` counts this function's instructions by
// its name.
#[divan::bench(args = BROWSERS)]
#[inline(never)]
fn end_to_end(bencher: Bencher, browser: Browser) {
    let input = JSONL.as_str();
    let mut out: Vec<u8> = Vec::with_capacity(input.len() * 2);
    bencher
        .counter(ItemsCount::new(request_count()))
        .bench_local(|| {
            out.clear();
            for line in input.lines() {
                if line.trim().is_empty() {
                    continue;
                }
                let case: Case = serde_json::from_str(line).expect("case parses");
                let prepared = PreparedCase::new(&case).expect("case prepares");
                for answer in simulate_prepared(&prepared, browser) {
                    serde_json::to_writer(&mut out, &answer).expect("write");
                    out.write_all(b"\n").expect("write");
                }
            }
            black_box(out.len());
        });
}
