//! `corsica check URL --origin O`: send a live endpoint what the browser
//! would, and show what the browser does with the answers.
//!
//! The check itself is `corsica_doctor::check`; this module parses the
//! flags and renders the report (a timeline, the verdict, the fix, the
//! findings, the probes) as text or JSON. Exit status: 0 allowed, 1
//! blocked, 2 could not check (or a usage error).

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use corsica::fetch::Browser;
use corsica_doctor::check::{
    self, CheckRequest, Exchange, Report, Verdict, is_cors_relevant_request_header,
    is_cors_relevant_response_header,
};
use corsica_doctor::export::{ExportError, Stack};
use owo_colors::OwoColorize;

use crate::output::Ctx;
use crate::verdict;

/// Arguments of `corsica check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The URL the page's script fetches (http or https).
    #[arg(value_name = "URL")]
    url: String,
    /// The page's origin, scheme://host[:port] (no path), or null.
    #[arg(long, value_name = "ORIGIN")]
    origin: String,
    #[command(flatten)]
    request: RequestFlags,
    /// Which browser to behave as: chrome, edge (Chromium) or firefox.
    #[arg(long, default_value = "chrome", value_name = "BROWSER", value_parser = crate::parse_browser)]
    browser: Browser,
    /// Also say the fix in this stack (the configuration `corsica export`
    /// writes): express, nginx, django, axum, caddy, spring, flask,
    /// fastapi.
    #[arg(long, value_name = "STACK", value_parser = parse_stack)]
    stack: Option<Stack>,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Accept any TLS certificate (a local or self-signed one).
    #[arg(long)]
    insecure: bool,
    /// Seconds to wait for each answer.
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = parse_timeout)]
    timeout: Duration,
    /// Do not ask again from other origins (an arbitrary one, lookalikes,
    /// null) when an answer names the page's origin.
    #[arg(long)]
    no_probes: bool,
}

/// The script's request: method, headers, credentials, body (shared with
/// `corsica why --check`).
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct RequestFlags {
    /// The method as the script writes it.
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// A header the script sets, 'Name: value'; repeat for more.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    pub(crate) headers: Vec<String>,
    /// The script sends credentials (credentials: "include").
    #[arg(long)]
    pub(crate) credentials: bool,
    /// The body the script sends (text).
    #[arg(long, value_name = "TEXT")]
    pub(crate) body: Option<String>,
}

fn parse_stack(s: &str) -> Result<Stack, String> {
    s.parse().map_err(|e: ExportError| e.to_string())
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match s.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 3600.0 => Ok(Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 3600"
        )),
    }
}

/// `Name: value` (or a bare `Name`, an empty value).
pub(crate) fn parse_header(h: &str) -> anyhow::Result<(String, String)> {
    let (name, value) = h.split_once(':').unwrap_or((h, ""));
    let name = name.trim();
    if name.is_empty() {
        anyhow::bail!("header {h:?} has no name; write it like 'Content-Type: application/json'");
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

impl RequestFlags {
    /// Fills `request` with these flags (those given).
    pub(crate) fn apply(&self, request: &mut CheckRequest) -> anyhow::Result<()> {
        if let Some(m) = &self.method {
            request.method = m.clone();
        }
        for h in &self.headers {
            request.headers.push(parse_header(h)?);
        }
        request.credentials |= self.credentials;
        if self.body.is_some() {
            request.body = self.body.clone();
        }
        Ok(())
    }
}

pub(crate) fn run(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut request = CheckRequest::new(&args.url, &args.origin);
    args.request.apply(&mut request)?;
    request.browser = args.browser;
    request.probes = !args.no_probes;
    let report = check::check(&request, args.timeout, args.insecure)?;
    let mut out = ctx.stdout();
    if args.json {
        serde_json::to_writer(&mut out, &report.to_json(args.stack))?;
        writeln!(out)?;
    } else {
        render(&mut out, &report, args.stack)?;
    }
    out.flush()?;
    Ok(ExitCode::from(report.verdict.exit_code()))
}

/// The report as text: the timeline, the verdict, the fix, the findings
/// and the probes.
pub(crate) fn render(
    out: &mut impl Write,
    report: &Report,
    stack: Option<Stack>,
) -> io::Result<()> {
    let r = &report.request;
    writeln!(
        out,
        "{} {} from {} ({})",
        r.method.bold(),
        r.url.bold(),
        r.origin.bold(),
        match r.browser {
            Browser::Firefox => "firefox",
            _ => "chrome",
        }
    )?;
    for e in &report.exchanges {
        writeln!(out)?;
        exchange(out, e, report)?;
    }
    writeln!(out)?;
    verdict(out, report)?;
    if !report.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "findings:".bold())?;
        for f in &report.findings {
            let mark = if f.is_security() {
                format!("{}", "!".red().bold())
            } else {
                format!("{}", "!".yellow().bold())
            };
            writeln!(
                out,
                "  {mark} {} {f}",
                format_args!("[{}]", f.code()).dimmed()
            )?;
        }
    }
    if !report.probes.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            "probes (the same request from other origins):".bold()
        )?;
        for p in &report.probes {
            let what = if p.allowed {
                format!("{}", "allowed".red().bold())
            } else {
                format!("{}", "refused".green())
            };
            writeln!(
                out,
                "  {what:<8} {} {}",
                p.origin,
                format_args!("({})", check::probe_kind(p.kind)).dimmed()
            )?;
        }
    }
    stack_fix(out, report, stack)
}

fn exchange(out: &mut impl Write, e: &Exchange, report: &Report) -> io::Result<()> {
    let label = if e.is_preflight() {
        "(preflight)"
    } else {
        "(request)"
    };
    writeln!(
        out,
        "{} {} {} {}",
        ">".dimmed(),
        e.method.bold(),
        e.url,
        label.dimmed()
    )?;
    for (n, v) in &e.sent {
        if is_cors_relevant_request_header(n, &report.request) {
            writeln!(out, "{} {n}: {v}", ">".dimmed())?;
        }
    }
    match &e.answer {
        Ok(head) => {
            let status = head.status();
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let line = format!("{status} {reason}");
            let line = if status >= 400 {
                format!("{}", line.red().bold())
            } else {
                format!("{}", line.bold())
            };
            writeln!(
                out,
                "{} {line} {}",
                "<".dimmed(),
                format_args!("({} ms)", e.elapsed.as_millis()).dimmed()
            )?;
            let mut hidden = 0;
            for (n, v) in head.iter() {
                if is_cors_relevant_response_header(n) {
                    writeln!(out, "{} {}: {v}", "<".dimmed(), n.cyan())?;
                } else {
                    hidden += 1;
                }
            }
            if !head
                .iter()
                .any(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
            {
                writeln!(
                    out,
                    "{} {}",
                    "<".dimmed(),
                    "(no Access-Control-* headers)".yellow()
                )?;
            }
            if hidden > 0 {
                writeln!(
                    out,
                    "{} {}",
                    "<".dimmed(),
                    format_args!("({hidden} other headers; --json shows all)").dimmed()
                )?;
            }
        }
        Err(err) => writeln!(out, "{} {} {err}", "<".dimmed(), "no answer:".red().bold())?,
    }
    Ok(())
}

fn verdict(out: &mut impl Write, report: &Report) -> io::Result<()> {
    match &report.verdict {
        Verdict::Allowed(r) => {
            let readable = if r.exposed.is_empty() {
                "no headers".to_owned()
            } else {
                r.exposed.join(", ")
            };
            writeln!(
                out,
                "{} the script reads status {} and {readable}",
                "allowed:".green().bold(),
                r.status
            )?;
        }
        Verdict::Unreachable { error, blocked } => {
            writeln!(out, "{} {error}", "could not check:".red().bold())?;
            match blocked.console_message() {
                Some(m) => writeln!(out, "{} {m}", "the browser shows:".dimmed())?,
                None => writeln!(
                    out,
                    "{}",
                    "the browser shows only its network error (net::ERR_...), no CORS message"
                        .dimmed()
                )?,
            }
        }
        Verdict::Blocked(b) => verdict::write_blocked(out, b, None, "")?,
    }
    Ok(())
}

/// The fix said in `stack` (or how to ask for it), when there is one.
fn stack_fix(out: &mut impl Write, report: &Report, stack: Option<Stack>) -> io::Result<()> {
    if !report.needs_fix() {
        return Ok(());
    }
    match stack {
        Some(stack) => {
            let fix = report.stack_fix(stack);
            writeln!(out)?;
            match (&fix.policy, &fix.config) {
                (Ok(policy), Ok(config)) => {
                    writeln!(
                        out,
                        "{}",
                        format_args!(
                            "in {stack}: a policy that lets this request through, as `corsica \
                             export --to {stack}` writes it:"
                        )
                        .bold()
                    )?;
                    for line in policy.lines() {
                        writeln!(out, "    {}", line.cyan())?;
                    }
                    writeln!(out)?;
                    for line in config.lines() {
                        writeln!(out, "    {line}")?;
                    }
                }
                (Err(why), _) | (_, Err(why)) => {
                    writeln!(out, "{} {why}", format_args!("in {stack}:").bold())?;
                }
            }
        }
        None => {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                "(--stack express|nginx|django|axum|caddy|spring|flask|fastapi says the fix in \
                 your stack)"
                    .dimmed()
            )?;
        }
    }
    Ok(())
}
