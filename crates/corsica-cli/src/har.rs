//! `corsica har FILE`: every cross-origin request a DevTools export shows
//! the browser blocked, with its reason, console message and fix, then a
//! summary table.
//!
//! Reading and replaying is `corsica_doctor::har`; this module opens the
//! file and renders the report. Exit status: 0 nothing blocked, 1 some
//! request blocked, 2 the file could not be read (whole).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use corsica::fetch::Browser;
use corsica_doctor::har::{
    self, HarOptions, HarReport, Observed, PreflightSource, Replay, Replayed,
};
use owo_colors::OwoColorize;

use crate::output::{self, Ctx};
use crate::parse_browser;
use crate::verdict;

/// Arguments of `corsica har`.
#[derive(Debug, Args)]
pub(crate) struct HarArgs {
    /// The HAR file (Chromium or Firefox DevTools: "Save all as HAR"), or
    /// - for standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The page's origin, when the export does not tell it.
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,
    /// Replay in this browser instead of the export's: chrome, edge or
    /// firefox.
    #[arg(long, value_name = "BROWSER", value_parser = parse_browser)]
    browser: Option<Browser>,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also list the requests the browser allowed.
    #[arg(long)]
    all: bool,
}

pub(crate) fn run(args: &HarArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let file = if args.file == Path::new("-") {
        har::read(io::stdin().lock())
    } else {
        let f = File::open(&args.file)
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        har::read(f)
    };
    let options = HarOptions {
        origin: args.origin.clone(),
        browser: args.browser,
    };
    if let Some(o) = &args.origin {
        corsica::Origin::parse(o).map_err(|e| {
            anyhow::anyhow!(
                "--origin {o:?} is not an origin ({e}); write it like https://app.example.com"
            )
        })?;
    }
    let report = har::analyze(&file, &options);
    let mut out = ctx.stdout();
    if args.json {
        serde_json::to_writer(&mut out, &report.to_json())?;
        writeln!(out)?;
    } else {
        render(
            &mut out,
            &args.file.display().to_string(),
            &report,
            args.all,
        )?;
    }
    out.flush()?;
    if let Some(e) = &report.error {
        output::error(format_args!("{}: {e}", args.file.display()));
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn render(out: &mut impl Write, name: &str, report: &HarReport, all: bool) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} entries, replayed in {} ({})",
        name.bold(),
        report.entries,
        match report.browser {
            Browser::Firefox => "Firefox",
            _ => "Chrome",
        },
        report.browser_source
    )?;
    for p in &report.pages {
        writeln!(
            out,
            "page {}: origin {} ({})",
            p.pageref.as_deref().unwrap_or("(none)"),
            p.origin.bold(),
            p.source.describe()
        )?;
    }
    let blocked = report.blocked().count();
    writeln!(
        out,
        "{} cross-origin requests replayed: {} blocked, {} allowed ({} same-origin, {} not CORS \
         requests)",
        report.requests.len(),
        blocked,
        report
            .requests
            .iter()
            .filter(|r| matches!(r.replay, Replay::Allowed(_)))
            .count(),
        report.same_origin,
        report.not_cors
    )?;
    for r in &report.requests {
        if r.is_blocked() || all || !r.findings.is_empty() {
            writeln!(out)?;
            request(out, r)?;
        }
    }
    let rows = report.summary();
    if !rows.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "summary:".bold())?;
        let width = rows
            .iter()
            .map(|r| r.reason.len())
            .max()
            .unwrap_or(6)
            .max(6);
        writeln!(out, "  {:<width$}  {:>8}  first", "reason", "requests")?;
        for row in &rows {
            writeln!(
                out,
                "  {:<width$}  {:>8}  {}",
                row.reason, row.count, row.first_url
            )?;
        }
    } else if report.error.is_none() {
        writeln!(out)?;
        writeln!(out, "{}", "no request was blocked".green().bold())?;
    }
    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            format_args!(
                "warnings ({}):",
                report.warnings.len() + report.more_warnings
            )
            .yellow()
            .bold()
        )?;
        for w in report.warnings.iter().take(20) {
            writeln!(out, "  {w}")?;
        }
        let rest = report.warnings.len().saturating_sub(20) + report.more_warnings;
        if rest > 0 {
            writeln!(out, "  ... and {rest} more (--json lists them)")?;
        }
    }
    Ok(())
}

fn request(out: &mut impl Write, r: &Replayed) -> io::Result<()> {
    let mut notes = Vec::new();
    match r.preflight {
        PreflightSource::Recorded(i) => notes.push(format!("preflight: entry #{i}")),
        PreflightSource::Inferred => {
            notes.push("preflight: not in the export, passed (the request went out)".to_owned())
        }
        PreflightSource::None => {}
    }
    if !r.hops.is_empty() {
        notes.push(format!(
            "redirects: entries {}",
            r.hops
                .iter()
                .map(|h| format!("#{h}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if r.credentials_inferred {
        notes.push("credentials: include (inferred: only they explain the block)".to_owned());
    } else if r.credentials {
        notes.push("credentials: include (a Cookie was sent)".to_owned());
    }
    writeln!(
        out,
        "{} {} {}",
        format_args!("#{}", r.entry).dimmed(),
        r.method.bold(),
        r.url
    )?;
    for n in &notes {
        writeln!(out, "   {}", n.dimmed())?;
    }
    match &r.replay {
        Replay::Allowed(a) => writeln!(
            out,
            "   {} status {}, readable: {}",
            "allowed:".green().bold(),
            a.status,
            if a.exposed.is_empty() {
                "no headers".to_owned()
            } else {
                a.exposed.join(", ")
            }
        )?,
        Replay::Blocked(b) => verdict::write_blocked(out, b, None, "   ")?,
        Replay::Unknown { missing, error } => {
            let what = match missing.kind {
                corsica::fetch::TransmitKind::Preflight => "its preflight",
                _ => "this request",
            };
            writeln!(
                out,
                "   {} the export holds no answer to {what}{}",
                "blocked, reason not in the export:".red().bold(),
                error
                    .as_deref()
                    .map(|e| format!(" (the browser recorded {e})"))
                    .unwrap_or_default()
            )?;
            writeln!(
                out,
                "   the browser must have sent: {} {}",
                missing.method, missing.url
            )?;
            for (n, v) in &missing.headers {
                writeln!(out, "     {n}: {v}")?;
            }
            writeln!(out, "   see why: {}", r.check_command().cyan())?;
        }
    }
    if let Some(false) = r.agrees() {
        let shown = match &r.observed {
            Observed::Failed { .. } => "the browser failed it",
            _ => "the browser let it through",
        };
        writeln!(
            out,
            "   {} {shown}, unlike the replay: the export may lack headers the browser saw",
            "note:".yellow().bold()
        )?;
    }
    for f in &r.findings {
        writeln!(
            out,
            "   {} {} {f}",
            "!".yellow().bold(),
            format_args!("[{}]", f.code()).dimmed()
        )?;
    }
    Ok(())
}
