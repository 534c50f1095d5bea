//! `corsica simulate [--browser chrome|firefox|spec] [FILE|-]`: read cases,
//! write answers (one JSON line per request), in the format that
//! `corsica simulate --help` summarizes and `conformance/FORMAT.md`
//! specifies.
//!
//! Cases are JSON Lines, one case per line; a JSON array of cases and
//! pretty-printed cases one after another are read as well
//! ([`crate::json_values`]).
//!
//! Streaming: each case is answered as soon as it is read, through one
//! buffered writer. A malformed case is reported on stderr as
//! `corsica: line N, column C: <what is wrong>` and the other cases are
//! still answered; the exit status is then 1. A closed standard output
//! (`corsica simulate … | head -1`) ends the run quietly.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};

use owo_colors::OwoColorize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use corsica::fetch::Browser;
use corsica::policy::Policy;
use corsica::shorten::{shorten, shorten_quoted};
use corsica::simulate::{Answer, Case, CaseOutcome, PreparedCase, simulate_prepared};

use crate::json_values::{self, Start};
use crate::output::{self, Ctx};
use crate::verdict::{self, readable_value};

/// Where the case format is described, for messages.
pub(crate) const FORMAT_HINT: &str = "each case is one JSON object on one line (JSON Lines; a JSON \
     array of cases or pretty-printed cases are read too); `corsica simulate --help` lists the \
     fields, conformance/FORMAT.md in the corsica repository specifies them";

/// Runs `simulate` on `input` (`None` or `-`: standard input) for `browser`.
///
/// Returns exit code 0 when every case was read, 1 when one was
/// malformed; an error when the input cannot be read or the output cannot
/// be written.
pub fn run(
    input: Option<PathBuf>,
    browser: Browser,
    format: Option<Format>,
    ctx: &Ctx,
) -> anyhow::Result<ExitCode> {
    // JSON Lines through a pipe (the format other tools read), text on a
    // terminal; --json or --text decides otherwise.
    let format = format.unwrap_or(if io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Json
    });
    let stdin = io::stdin();
    // Policy files named by a case are read relative to the case file
    // (conformance/FORMAT.md); from standard input, to the current directory.
    let base = match &input {
        Some(path) if path.as_os_str() != "-" => {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        }
        _ => PathBuf::new(),
    };
    let reader: Box<dyn BufRead> = match input {
        Some(path) if path.as_os_str() != "-" => {
            let file = File::open(&path).with_context(|| {
                format!(
                    "cannot read cases from {}",
                    shorten(&path.display().to_string())
                )
            })?;
            Box::new(BufReader::with_capacity(1 << 16, file))
        }
        _ => Box::new(stdin.lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, ctx.stdout());
    let malformed = simulate_stream(
        reader,
        &mut out,
        browser,
        format,
        &base,
        |line, column, what| match column {
            Some(c) => output::error(format_args!("line {line}, column {c}: {what}")),
            None => output::error(format_args!("line {line}: {what}")),
        },
    )?;
    out.flush().context("cannot write answers")?;
    if malformed {
        output::error(format_args!("{FORMAT_HINT}"));
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Simulates every case read from `input` and writes the answers to `out`;
/// `report(line, column, problem)` is called for each malformed case.
/// Returns whether any case was malformed.
pub fn simulate_stream(
    input: impl BufRead,
    out: &mut impl Write,
    browser: Browser,
    format: Format,
    base: &Path,
    report: impl FnMut(usize, Option<usize>, &str),
) -> anyhow::Result<bool> {
    // Both callbacks below report problems.
    let report = RefCell::new(report);
    let malformed = Cell::new(false);
    // One read per policy file, however many cases name it.
    let mut policies: HashMap<PathBuf, Result<Arc<Policy>, String>> = HashMap::new();
    let mut load = |name: &str| -> Result<Arc<Policy>, String> {
        let path = base.join(name);
        policies
            .entry(path.clone())
            .or_insert_with(|| read_policy(&path))
            .clone()
    };
    let problem = |line: usize, column: Option<usize>, what: &str| {
        malformed.set(true);
        (report.borrow_mut())(line, column, what);
    };
    json_values::for_each_value(
        input,
        |start, text| {
            let case: Case = match serde_json::from_str(text) {
                Ok(c) => c,
                Err(e) => {
                    let (line, column) = start.locate(e.line(), e.column());
                    problem(line, Some(column), &describe(&e, start));
                    return Ok(());
                }
            };
            let prepared = match PreparedCase::with_policies(&case, &mut load) {
                Ok(p) => p,
                Err(e) => {
                    problem(start.line, None, &e.to_string());
                    return Ok(());
                }
            };
            for answer in simulate_prepared(&prepared, browser) {
                match format {
                    // serde_json wraps a write error in its own type, whose
                    // source is not the io::Error: unwrap it, so a closed
                    // pipe is seen as one.
                    Format::Json => serde_json::to_writer(&mut *out, &answer)
                        .map_err(io::Error::from)
                        .and_then(|()| out.write_all(b"\n")),
                    Format::Text => write_text(&mut *out, &answer),
                }
                .context("cannot write answers")?;
            }
            Ok(())
        },
        problem,
    )?;
    Ok(malformed.get())
}

/// How answers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: the answer format.
    Json,
    /// For reading: each request's outcome, what went on the wire, and why
    /// a blocked one was blocked, with the fix.
    Text,
}

/// One answer as text: `id[index] browser: outcome`, the requests sent,
/// then for a blocked one its console line, cause and fix.
fn write_text(out: &mut impl Write, a: &Answer) -> io::Result<()> {
    let head = format!("{}[{}]", readable_value(&a.id), a.index);
    match a.outcome {
        CaseOutcome::Ok => {
            let exposed = if a.exposed.is_empty() {
                "none".to_owned()
            } else {
                a.exposed.join(", ")
            };
            writeln!(
                out,
                "{} {} status {}, readable headers: {exposed}",
                head.bold(),
                "ok:".green().bold(),
                a.status.unwrap_or_default()
            )?;
        }
        CaseOutcome::Opaque => writeln!(
            out,
            "{} {} the script gets an opaque response (status 0, nothing readable)",
            head.bold(),
            "opaque:".yellow().bold()
        )?,
        CaseOutcome::Blocked => writeln!(out, "{}", head.bold())?,
    }
    for sent in &a.sent {
        writeln!(
            out,
            "  {} {} {}",
            ">".dimmed(),
            sent.method.as_str(),
            readable_value(&sent.url)
        )?;
    }
    if let Some(blocked) = &a.blocked {
        verdict::write_blocked(out, blocked, None, "  ")?;
    }
    Ok(())
}

/// Reads and compiles a policy file a case names, every error in one
/// message.
fn read_policy(path: &Path) -> Result<Arc<Policy>, String> {
    let shown = shorten(&path.display().to_string()).to_string();
    let text = crate::policy::read_policy(path).map_err(|e| format!("{e:#}"))?; // the error names the file
    Policy::from_toml_str(&text)
        .map(Arc::new)
        .map_err(|errors| {
            let all: Vec<String> = errors.errors.iter().map(ToString::to_string).collect();
            format!("policy file {shown} is invalid: {}", all.join("; "))
        })
}

/// Why a JSON value is not a case (serde_json's words, quoted input
/// shortened, without its position: the caller gives it).
fn describe(e: &serde_json::Error, start: Start) -> String {
    let text = json_values::message(e);
    format!(
        "not a case (the case starting on line {}): {}",
        start.line,
        shorten_quoted(&text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A problem reported: line, column, what.
    type Problem = (usize, Option<usize>, String);

    fn run_on(input: &str) -> (Vec<String>, Vec<Problem>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        simulate_stream(
            input.as_bytes(),
            &mut out,
            Browser::Chrome,
            Format::Json,
            Path::new(""),
            |l, c, w| problems.push((l, c, w.to_owned())),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        (out.lines().map(str::to_owned).collect(), problems)
    }

    #[test]
    fn bad_lines_are_named_and_the_rest_answered() {
        let input = concat!(
            r#"{"id":"a","origin":"http://app.test:8001","server":{},"requests":[{"url":"http://api.test:8002/","method":"GET","headers":[],"mode":"cors","credentials":"omit"}]}"#,
            "\n\n{not json\n",
            r#"{"id":"b","origin":"http://app.test:8001","requests":[{"url":"http://app.test:8001/","method":"GET","mode":"bogus"}]}"#,
            "\n",
            r#"{"id":"c","origin":"http://app.test:8001","server":{},"requests":[{"url":"http://api.test:8002/","method":"GET","headers":[],"mode":"no-cors","credentials":"omit"}]}"#,
        );
        let (lines, problems) = run_on(input);
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [3, 4]);
        assert!(problems[1].2.contains("bogus"), "{}", problems[1].2);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(r#"{"id":"a","index":0,"browser":"chrome""#));
        assert!(lines[1].contains(r#""outcome":"opaque""#));
    }

    /// Issue 6: a pretty-printed case gave six cryptic errors, one per
    /// line. It is a case like any other now, and so is a JSON array.
    #[test]
    fn issue6_pretty_printed_cases_and_arrays_are_read() {
        let one = r#"{"id":"a","origin":"http://app.test:8001","requests":[{"url":"http://api.test:8002/"}]}"#;
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(one).unwrap())
                .unwrap();
        assert!(pretty.lines().count() >= 6, "{pretty}");
        let (lines, problems) = run_on(&format!("{pretty}\n{pretty}\n"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        let (lines, problems) = run_on(&format!("[{one},\n{pretty}\n]\n"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(lines.len(), 2);
        // A mistake in a pretty-printed case is one error, at its line.
        let bad = one.replace(r#""url""#, r#""mode":"bogus","url""#);
        let bad =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&bad).unwrap())
                .unwrap();
        let (lines, problems) = run_on(&format!("{bad}\n{pretty}\n"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let want_line = bad.lines().position(|l| l.contains("bogus")).unwrap() + 1;
        assert_eq!(problems[0].0, want_line, "{problems:?}\n{bad}");
        assert!(
            problems[0].2.contains("the case starting on line 1"),
            "{problems:?}"
        );
        assert_eq!(lines.len(), 1);
    }

    /// Issue 6: a huge value quoted in an error is shortened.
    #[test]
    fn issue6_huge_values_give_short_errors() {
        let input = format!(
            r#"{{"id":"a","origin":"http://app.test:8001","requests":[{{"url":"http://api.test:8002/","mode":"{}"}}]}}"#,
            "m".repeat(1 << 20)
        );
        let (_, problems) = run_on(&input);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].2.len() < 400, "{}", problems[0].2.len());
        assert!(
            problems[0].2.contains("(1048576 characters)"),
            "{}",
            problems[0].2
        );
    }
}
