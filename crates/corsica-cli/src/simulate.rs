//! `corsica simulate [--browser chrome|firefox|spec] [FILE|-]`: read cases
//! (JSON Lines, one case per line), write answers (one JSON line per
//! request), as `case-format.md` describes.
//!
//! Streaming: each line is answered as soon as it is read, through one
//! buffered writer. A malformed line is reported on stderr as
//! `corsica: line N: <what is wrong>` and the other lines are still
//! answered; the exit status is then 1. Blank lines are skipped.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use corsica::fetch::Browser;
use corsica::simulate::{Case, PreparedCase, simulate_prepared};

/// Runs `simulate` on `input` (`None` or `-`: standard input) for `browser`.
///
/// Returns exit code 0 when every line was a case, 1 when a line was
/// malformed; an error when the input cannot be read or the output cannot
/// be written.
pub fn run(input: Option<PathBuf>, browser: Browser) -> anyhow::Result<ExitCode> {
    let stdin = io::stdin();
    let reader: Box<dyn BufRead> = match input {
        Some(path) if path.as_os_str() != "-" => {
            let file = File::open(&path)
                .with_context(|| format!("cannot read cases from {}", path.display()))?;
            Box::new(BufReader::with_capacity(1 << 16, file))
        }
        _ => Box::new(stdin.lock()),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let malformed = simulate_stream(reader, &mut out, browser, |n, what| {
        eprintln!("corsica: line {n}: {what}");
    })?;
    out.flush().context("cannot write answers")?;
    Ok(if malformed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Simulates every case read from `input` and writes the answers to `out`;
/// `report(line_number, problem)` is called for each malformed line.
/// Returns whether any line was malformed.
pub fn simulate_stream(
    mut input: impl BufRead,
    out: &mut impl Write,
    browser: Browser,
    mut report: impl FnMut(usize, &str),
) -> anyhow::Result<bool> {
    let mut malformed = false;
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .context("cannot read cases")?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = match std::str::from_utf8(&buf) {
            Ok(l) => l,
            Err(e) => {
                malformed = true;
                report(line_no, &format!("not UTF-8 ({e}); cases are JSON text"));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = match serde_json::from_str(line) {
            Ok(c) => c,
            Err(e) => {
                malformed = true;
                report(line_no, &describe(&e));
                continue;
            }
        };
        let prepared = match PreparedCase::new(&case) {
            Ok(p) => p,
            Err(e) => {
                malformed = true;
                report(line_no, &e.to_string());
                continue;
            }
        };
        for answer in simulate_prepared(&prepared, browser) {
            serde_json::to_writer(&mut *out, &answer).context("cannot write answers")?;
            out.write_all(b"\n").context("cannot write answers")?;
        }
    }
    Ok(malformed)
}

/// A serde_json error without its "at line 1" (the caller names the line).
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    format!(
        "not a case: {text} (column {}); see case-format.md for the fields",
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_named_and_the_rest_answered() {
        let input = concat!(
            r#"{"id":"a","origin":"http://app.test:8001","server":{},"requests":[{"url":"http://api.test:8002/","method":"GET","headers":[],"mode":"cors","credentials":"omit"}]}"#,
            "\n\n{not json\n",
            r#"{"id":"b","origin":"http://app.test:8001","requests":[{"url":"http://app.test:8001/","method":"GET","mode":"bogus"}]}"#,
            "\n",
            r#"{"id":"c","origin":"http://app.test:8001","server":{},"requests":[{"url":"http://api.test:8002/","method":"GET","headers":[],"mode":"no-cors","credentials":"omit"}]}"#,
        );
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let bad = simulate_stream(input.as_bytes(), &mut out, Browser::Chrome, |n, w| {
            problems.push((n, w.to_owned()))
        })
        .unwrap();
        assert!(bad);
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [3, 4]);
        assert!(problems[1].1.contains("bogus"), "{}", problems[1].1);
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(r#"{"id":"a","index":0,"browser":"chrome""#));
        assert!(lines[1].contains(r#""outcome":"opaque""#));
    }
}
