//! `corsica why 'MESSAGE'`: a console error pasted from Chrome, Edge or
//! Firefox, read back into its reason, explained, with the fix; `--check`
//! sends the request it describes for real.
//!
//! Recognition is the engine's (`corsica::explain::recognize`); the
//! request `--check` sends is `corsica_doctor::why::check_request`. Exit
//! status: 0 recognised, 1 not recognised; with `--check`, the check's
//! (0 allowed, 1 blocked, 2 could not check).

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use corsica::explain::{MAX_MESSAGE_BYTES, Recognized, RequestFacts};
use corsica::fetch::Browser;
use corsica_doctor::check;
use corsica_doctor::export::{ExportError, Stack};
use corsica_doctor::why::{self, Given};
use owo_colors::OwoColorize;
use serde_json::{Value, json};

use crate::check::{RequestFlags, parse_header};
use crate::output::Ctx;
use crate::parse_browser;
use crate::verdict;

/// Arguments of `corsica why`.
#[derive(Debug, Args)]
pub(crate) struct WhyArgs {
    /// The console message, quoted; read from standard input when absent
    /// or `-`.
    #[arg(value_name = "MESSAGE")]
    message: Option<String>,
    /// Also run `corsica check` with the URL and origin the message holds.
    #[arg(long)]
    check: bool,
    /// The page's origin (Firefox's messages do not say it).
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    #[command(flatten)]
    request: RequestFlags,
    /// The browser, when not the one whose wording the message is in
    /// (edge for a Chromium message is the same).
    #[arg(long, value_name = "BROWSER", value_parser = parse_browser)]
    browser: Option<Browser>,
    /// With --check: also say the fix in this stack.
    #[arg(long, value_name = "STACK", value_parser = parse_stack)]
    stack: Option<Stack>,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// With --check: accept any TLS certificate.
    #[arg(long)]
    insecure: bool,
    /// With --check: seconds to wait for each answer.
    #[arg(long, default_value = "10", value_name = "SECS")]
    timeout: f64,
}

fn parse_stack(s: &str) -> Result<Stack, String> {
    s.parse().map_err(|e: ExportError| e.to_string())
}

fn read_message(arg: Option<&str>) -> anyhow::Result<String> {
    match arg {
        Some(m) if m != "-" => Ok(m.to_owned()),
        _ => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .take(MAX_MESSAGE_BYTES as u64 + 1)
                .read_to_end(&mut buf)
                .context("cannot read the message from standard input")?;
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
    }
}

pub(crate) fn run(args: &WhyArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let text = read_message(args.message.as_deref())?;
    let mut out = ctx.stdout();
    let seen = match why::recognize(&text) {
        Ok(seen) => seen,
        Err(err) => {
            if args.json {
                let value = json!({
                    "recognized": false,
                    "problem": err.to_string(),
                    "closest": err.closest().iter().map(|t| t.describe()).collect::<Vec<_>>(),
                });
                serde_json::to_writer(&mut out, &value)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{} {err}: it is not one of the {} messages Chrome, Edge and Firefox print \
                     for CORS that corsica knows, so corsica will not guess.",
                    "not recognised:".red().bold(),
                    corsica::explain::templates().len()
                )?;
                if !err.closest().is_empty() {
                    writeln!(out, "closest known messages:")?;
                    for t in err.closest() {
                        writeln!(out, "  - {}", t.describe())?;
                    }
                }
                writeln!(
                    out,
                    "{}",
                    "(paste the whole console line, as the browser printed it)".dimmed()
                )?;
            }
            out.flush()?;
            return Ok(ExitCode::from(1));
        }
    };

    let mut headers = Vec::new();
    for h in &args.request.headers {
        headers.push(parse_header(h)?);
    }
    let given = Given {
        origin: args.origin.clone(),
        method: args.request.method.clone(),
        headers,
        credentials: args.request.credentials,
        body: args.request.body.clone(),
        browser: args.browser,
    };
    let unsafe_names: Vec<String> = given
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let facts = RequestFacts {
        origin: given.origin.as_deref(),
        method: given.method.as_deref(),
        headers: &unsafe_names,
        credentials: Some(given.credentials),
    };

    let report = if args.check {
        let request = why::check_request(&seen, &given).map_err(anyhow::Error::msg)?;
        let timeout = Duration::try_from_secs_f64(args.timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .context("--timeout must be a positive number of seconds")?;
        Some(check::check(&request, timeout, args.insecure)?)
    } else {
        None
    };
    let same = report.as_ref().map(|r| same_verdict(&seen, r));

    if args.json {
        let mut value = recognised_json(&seen, &facts);
        if let Some(r) = &report {
            value["check"] = r.to_json(args.stack);
            value["same"] = json!(match same {
                Some(Same::Message) => "message",
                Some(Same::Error) => "error",
                _ => "different",
            });
        }
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        render(&mut out, &seen, &facts)?;
        if let Some(r) = &report {
            writeln!(out)?;
            writeln!(out, "{}", "checking the request again, for real:".bold())?;
            crate::check::render(&mut out, r, args.stack)?;
            writeln!(out)?;
            match same {
                Some(Same::Message) => writeln!(
                    out,
                    "{} the check reaches the browser's verdict, message for message",
                    "same:".green().bold()
                )?,
                Some(Same::Error) => writeln!(
                    out,
                    "{} the check reaches the browser's error, with other details (the \
                     server's answer changed since)",
                    "same error:".green().bold()
                )?,
                _ => writeln!(
                    out,
                    "{} the check does not reach the message's verdict: the server answers \
                     differently now, or the script's request differs (give its method, \
                     headers and credentials with -X, -H, --credentials)",
                    "different:".yellow().bold()
                )?,
            }
        }
    }
    out.flush()?;
    Ok(match &report {
        Some(r) => ExitCode::from(r.verdict.exit_code()),
        None => ExitCode::SUCCESS,
    })
}

/// How close a check came to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Same {
    /// The same console line.
    Message,
    /// The same error name.
    Error,
    /// Something else.
    Not,
}

fn same_verdict(seen: &Recognized, report: &check::Report) -> Same {
    if report.verdict.message().as_deref() == Some(seen.line()) {
        return Same::Message;
    }
    match (report.verdict.error_code(), seen.error_code()) {
        (Some(a), Some(b)) if a == b => Same::Error,
        _ => Same::Not,
    }
}

fn browser_name(b: Browser) -> &'static str {
    match b {
        Browser::Firefox => "Firefox",
        _ => "Chrome/Edge",
    }
}

fn render(out: &mut impl Write, seen: &Recognized, facts: &RequestFacts<'_>) -> io::Result<()> {
    writeln!(
        out,
        "{} {}{}",
        format_args!("{}:", browser_name(seen.browser())).bold(),
        seen.error_code().unwrap_or("(no error name)").bold(),
        if seen.is_xhr() {
            " (XMLHttpRequest)"
        } else {
            ""
        }
    )?;
    writeln!(out, "  url:    {}", seen.url())?;
    if seen.redirected() {
        writeln!(out, "  redirected from: {}", seen.initial_url())?;
    }
    match seen.origin() {
        Some(o) => writeln!(out, "  origin: {o}")?,
        None => writeln!(
            out,
            "  origin: {}",
            match facts.origin {
                Some(o) => format!("{o} (from --origin)"),
                None => "not in the message (--origin gives it)".to_owned(),
            }
        )?,
    }
    if let Some(v) = seen.value() {
        writeln!(out, "  value:  {v:?}")?;
    }
    if let Some(s) = seen.status() {
        writeln!(out, "  status: {s}")?;
    }
    // Firefox words a failure on the preflight's answer and on the
    // response alike: one entry per reason, with the note.
    let all = seen.candidates();
    let mut candidates: Vec<(&corsica::explain::Failure, bool)> = Vec::new();
    for f in &all {
        match candidates.iter_mut().find(|(c, _)| c.reason == f.reason) {
            Some(entry) => entry.1 = true,
            None => candidates.push((f, false)),
        }
    }
    if candidates.len() > 1 {
        writeln!(out)?;
        writeln!(
            out,
            "{} words {} failures alike; the server's answer tells which (--check):",
            browser_name(seen.browser()),
            candidates.len()
        )?;
    }
    for (i, (f, either)) in candidates.iter().enumerate() {
        let blocked = seen.blocked(f, facts);
        writeln!(out)?;
        if candidates.len() > 1 {
            writeln!(out, "{}", format_args!("{}.", i + 1).bold())?;
        }
        writeln!(out, "{} {}", "cause:".bold(), f.cause())?;
        if *either {
            writeln!(
                out,
                "{}",
                "  (on the response, or on the preflight's answer: the message does not say)"
                    .dimmed()
            )?;
        }
        verdict::write_fix(out, &blocked.fix(), "")?;
    }
    Ok(())
}

fn recognised_json(seen: &Recognized, facts: &RequestFacts<'_>) -> Value {
    json!({
        "recognized": true,
        "browser": seen.browser(),
        "error": seen.error_code(),
        "url": seen.url(),
        "initial_url": seen.initial_url(),
        "origin": seen.origin(),
        "value": seen.value(),
        "status": seen.status(),
        "preflight": seen.preflight(),
        "template": seen.template().to_string(),
        "candidates": seen.candidates().iter().map(|f| {
            let fix = seen.blocked(f, facts).fix();
            json!({
                "preflight": f.preflight,
                "cause": f.cause(),
                "fix": {
                    "header": fix.header.map(|(n, v)| [n.to_owned(), v]),
                    "also": fix.also.iter().map(|(n, v)| [(*n).to_owned(), v.clone()]).collect::<Vec<_>>(),
                    "policy": fix.policy,
                    "summary": fix.summary,
                },
            })
        }).collect::<Vec<_>>(),
    })
}
