//! `corsica audit TARGET...`: probe live endpoints for CORS
//! misconfigurations.
//!
//! The probes and their reading are the engine's (`corsica::audit`), the
//! requests `corsica_doctor::audit`'s; this module gathers the targets
//! (arguments, `-i FILE`, `-` for stdin, `--har FILE`), shows progress on a
//! terminal, and renders the findings as text, JSON Lines or SARIF. Exit
//! status: 0 nothing at or above `--fail-on`, 1 something is, 2 a target
//! could not be audited (or a usage error).

use std::fs;
use std::io::{self, BufRead, Read as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use corsica::Origin;
use corsica::audit::{Label, Severity};
use corsica_doctor::audit::{self, AuditFinding, AuditOptions, TargetReport};
use corsica_doctor::check::is_cors_relevant_response_header;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use owo_colors::OwoColorize;

use crate::check::{parse_header, parse_timeout};
use crate::output::Ctx;

/// Arguments of `corsica audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// URLs to audit (http or https; a bare host means https://host/), or
    /// - to read them from standard input, one per line.
    #[arg(value_name = "TARGET")]
    targets: Vec<String>,
    /// A file of URLs, one per line (blank lines and # comments skipped).
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    input: Vec<PathBuf>,
    /// A DevTools export (HAR): every cross-origin endpoint it calls, with
    /// its pages' origins as trusted origins.
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
    /// An origin the endpoints are known to trust (the site's front end);
    /// lookalike probes are derived from it as well as from each URL's
    /// host. Repeat for more.
    #[arg(long = "origin", value_name = "ORIGIN")]
    origins: Vec<String>,
    /// A header sent with every probe, 'Name: value' (cookies,
    /// Authorization); repeat for more.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    headers: Vec<String>,
    /// One JSON object per finding per line (JSON Lines) instead of text.
    #[arg(long, conflicts_with = "sarif")]
    json: bool,
    /// One SARIF 2.1.0 log (for code-scanning dashboards) instead of text.
    #[arg(long)]
    sarif: bool,
    /// Exit 1 when a finding is at least this severe: info, low, medium,
    /// high or critical.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    fail_on: Severity,
    /// The most requests in flight at once.
    #[arg(long, default_value = "32", value_name = "N")]
    concurrency: usize,
    /// The most requests per second to one host; 0 for no limit.
    #[arg(long, default_value = "50", value_name = "N")]
    rate: f64,
    /// Seconds to wait for each answer.
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = parse_timeout)]
    timeout: Duration,
    /// Times a request that got no answer is sent again.
    #[arg(long, default_value = "2", value_name = "N")]
    retries: u32,
    /// Accept any TLS certificate (a local or self-signed one).
    #[arg(long)]
    insecure: bool,
    /// The probe label (4 to 16 lowercase letters) instead of a random
    /// one, to reproduce a run.
    #[arg(long, value_name = "LABEL")]
    label: Option<String>,
    /// No progress bar, even on a terminal.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Longest line of a target list (`-i FILE`, `-`): far beyond any URL a
/// browser sends (Chromium's limit is 2 MiB, real ones are under 8 KiB), so
/// a longer line means the file is not a list of URLs.
const MAX_TARGET_LINE_BYTES: usize = 64 << 10;

/// Most targets one audit reads from its lists.
const MAX_TARGETS: usize = 1_000_000;

/// Lines of URLs: trimmed, blank lines and `#` comments skipped. Bounded:
/// a line past [`MAX_TARGET_LINE_BYTES`] or a list past [`MAX_TARGETS`] is
/// an error naming where (a path such as `/dev/zero` is not read forever).
fn read_lines(mut reader: impl BufRead, what: &str, out: &mut Vec<String>) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    for number in 1.. {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_TARGET_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read {what}"))?;
        if n == 0 {
            break;
        }
        if buf.len() > MAX_TARGET_LINE_BYTES && buf.last() != Some(&b'\n') {
            anyhow::bail!(
                "{what}, line {number}: longer than {MAX_TARGET_LINE_BYTES} bytes; a target list has one URL or host per line"
            );
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            anyhow::bail!(
                "{what}, line {number}: not UTF-8; a target list is text, one URL or host per line"
            );
        };
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            if out.len() == MAX_TARGETS {
                anyhow::bail!(
                    "{what}, line {number}: more than {MAX_TARGETS} targets; split the list into several audits"
                );
            }
            out.push(line.to_owned());
        }
    }
    Ok(())
}

/// `https://` before a bare host.
fn as_url(target: &str) -> String {
    if target.contains("://") {
        target.to_owned()
    } else {
        format!("https://{target}/")
    }
}

pub(crate) fn run(args: &AuditArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut options = AuditOptions {
        concurrency: args.concurrency.max(1),
        rate: (args.rate > 0.0).then_some(args.rate),
        timeout: args.timeout,
        retries: args.retries,
        insecure: args.insecure,
        ..AuditOptions::default()
    };
    for o in &args.origins {
        let origin = Origin::parse(o).map_err(|e| {
            anyhow::anyhow!(
                "--origin {o:?} is not an origin ({e}); write it like https://app.example.com"
            )
        })?;
        if origin.is_opaque() {
            anyhow::bail!(
                "--origin cannot be null; give the origin of the page that calls the API"
            );
        }
        options.origins.push(origin);
    }
    for h in &args.headers {
        options.headers.push(parse_header(h)?);
    }
    if let Some(label) = &args.label {
        options.label = Some(Label::new(label)?);
    }

    let mut targets = Vec::new();
    for t in &args.targets {
        if t == "-" {
            read_lines(io::stdin().lock(), "standard input", &mut targets)?;
        } else {
            targets.push(t.clone());
        }
    }
    for path in &args.input {
        let f = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        read_lines(
            io::BufReader::new(f),
            &path.display().to_string(),
            &mut targets,
        )?;
    }
    if let Some(path) = &args.har {
        let f = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let file = corsica_doctor::har::read(io::BufReader::new(f));
        if let Some(e) = &file.error {
            anyhow::bail!("{}: {e}", path.display());
        }
        let (urls, origins) = audit::har_targets(&file);
        if urls.is_empty() {
            crate::output::error(format_args!(
                "{} has no cross-origin request to audit",
                path.display()
            ));
        }
        targets.extend(urls);
        for o in origins {
            if !options.origins.contains(&o) {
                options.origins.push(o);
            }
        }
    }
    if targets.is_empty() {
        anyhow::bail!("nothing to audit: give URLs, -i FILE, - (standard input) or --har FILE");
    }
    let targets: Vec<String> = targets.iter().map(|t| as_url(t)).collect();

    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        // Drawn on standard error, and only when it is a terminal.
        let bar =
            ProgressBar::with_draw_target(Some(targets.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} URLs, {msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    };
    let start = Instant::now();
    let mut found = 0usize;
    let reports = audit::audit(&targets, &options, |r| {
        found += r.findings.len();
        bar.set_message(format!("{found} findings"));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let elapsed = start.elapsed();

    let mut out = ctx.stdout();
    if args.sarif {
        serde_json::to_writer_pretty(&mut out, &audit::sarif(&reports))?;
        writeln!(out)?;
    } else if args.json {
        for f in reports.iter().flat_map(|r| &r.findings) {
            serde_json::to_writer(&mut out, &f.to_json())?;
            writeln!(out)?;
        }
    } else {
        render(&mut out, &reports, elapsed)?;
    }
    out.flush()?;
    for r in reports.iter().filter(|r| !r.errors.is_empty()) {
        let what = if r.failed() {
            "not audited"
        } else {
            "some probes got no answer"
        };
        crate::output::error(format_args!("{}: {what}: {}", r.url, r.errors.join("; ")));
    }

    let failing = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity >= args.fail_on);
    Ok(if failing {
        ExitCode::from(1)
    } else if reports.iter().any(TargetReport::failed) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn severity_label(s: Severity) -> String {
    let text = format!("{:<8}", s.as_str().to_ascii_uppercase());
    match s {
        Severity::Critical | Severity::High => text.red().bold().to_string(),
        Severity::Medium => text.yellow().bold().to_string(),
        Severity::Low => text.yellow().to_string(),
        Severity::Info => text.dimmed().to_string(),
    }
}

fn render_finding(out: &mut impl Write, f: &AuditFinding) -> io::Result<()> {
    writeln!(
        out,
        "  {} {}  {}",
        severity_label(f.severity),
        f.class.name().bold(),
        f.class.title()
    )?;
    writeln!(out, "      {}", f.detail)?;
    let e = &f.evidence;
    let sent: Vec<String> = e
        .request
        .iter()
        .filter(|(n, _)| corsica::headers::is_cors_request_header(n))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    writeln!(
        out,
        "      {} {} {}  {}",
        ">".dimmed(),
        e.method,
        e.url,
        sent.join("; ")
    )?;
    let got: Vec<String> = e
        .response
        .iter()
        .filter(|(n, _)| is_cors_relevant_response_header(n) || n.starts_with("x-corsica-"))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    writeln!(
        out,
        "      {} {}  {}",
        "<".dimmed(),
        e.status,
        got.join("; ")
    )?;
    if !f.also.is_empty() {
        let shown: Vec<&str> = f.also.iter().take(3).map(String::as_str).collect();
        let more = f.also.len().saturating_sub(3);
        writeln!(
            out,
            "      also: {}{}",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out, "      {} {}", "fix:".green(), f.fix)
}

fn render(out: &mut impl Write, reports: &[TargetReport], elapsed: Duration) -> io::Result<()> {
    for r in reports.iter().filter(|r| !r.findings.is_empty()) {
        writeln!(out, "{}", r.url.bold())?;
        for f in &r.findings {
            render_finding(out, f)?;
        }
        writeln!(out)?;
    }
    let probes: usize = reports.iter().map(|r| r.probes).sum();
    let failed = reports.iter().filter(|r| r.failed()).count();
    let mut counts = Vec::new();
    for s in Severity::ALL.iter().rev() {
        let n = reports
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.severity == *s)
            .count();
        if n > 0 {
            counts.push(format!("{n} {s}"));
        }
    }
    writeln!(
        out,
        "{} URL{} audited with {probes} probes in {:.1} s: {}{}",
        reports.len() - failed,
        if reports.len() - failed == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        if counts.is_empty() {
            "no misconfiguration found".to_owned()
        } else {
            counts.join(", ")
        },
        if failed > 0 {
            format!("; {failed} could not be audited")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::{MAX_TARGET_LINE_BYTES, MAX_TARGETS, read_lines};

    fn lines(input: &[u8]) -> anyhow::Result<Vec<String>> {
        let mut out = Vec::new();
        read_lines(input, "list.txt", &mut out).map(|()| out)
    }

    #[test]
    fn target_lists_are_trimmed_and_skip_comments_and_blank_lines() {
        let got = lines(b"a.test\n# a comment\n\n  https://b.test/x  \r\nc.test").unwrap();
        assert_eq!(got, ["a.test", "https://b.test/x", "c.test"]);
    }

    #[test]
    fn a_line_too_long_or_not_text_is_an_error_naming_it() {
        let mut long = b"a.test\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_TARGET_LINE_BYTES + 1));
        let e = lines(&long).unwrap_err().to_string();
        assert!(
            e.starts_with("list.txt, line 2: longer than 65536 bytes"),
            "{e}"
        );
        // Exactly the limit, newline included, is a line.
        let mut at = vec![b'x'; MAX_TARGET_LINE_BYTES - 1];
        at.push(b'\n');
        assert_eq!(lines(&at).unwrap().len(), 1);
        let e = lines(b"a.test\n\xff\xfe\n").unwrap_err().to_string();
        assert!(e.starts_with("list.txt, line 2: not UTF-8"), "{e}");
        // An endless input (such as /dev/zero) ends in an error.
        let mut out = Vec::new();
        let e = read_lines(
            std::io::BufReader::new(std::io::repeat(b'x')),
            "endless",
            &mut out,
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 1: longer than"), "{e}");
    }

    #[test]
    fn a_list_past_the_most_targets_is_an_error() {
        let list = "x\n".repeat(MAX_TARGETS + 1);
        let e = lines(list.as_bytes()).unwrap_err().to_string();
        assert!(
            e.starts_with("list.txt, line 1000001: more than 1000000 targets"),
            "{e}"
        );
        assert_eq!(
            lines("x\n".repeat(MAX_TARGETS).as_bytes()).unwrap().len(),
            MAX_TARGETS
        );
    }
}
