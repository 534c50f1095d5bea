//! `corsica policy explain`: a browser's fetch against a server that runs
//! the policy, exchange by exchange.
//!
//! The browser is the engine's request-level driver ([`corsica::fetch::Fetch`]):
//! it decides whether a preflight is due and what goes on the wire. The
//! server is the policy standing in for it
//! ([`corsica::simulate::serve_with_policy`]), in front of an application
//! that answers 200. This module only feeds one to the other and prints
//! what happened: no CORS rule is decided here.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use owo_colors::OwoColorize;
use serde::Serialize;

use corsica::explain::Fix;
use corsica::fetch::{
    Browser, BrowserState, Credentials, Fetch, Outcome, Page, Request, ResponseHead, Transmit,
};
use corsica::headers;
use corsica::policy::{Policy, PolicyErrors};
use corsica::shorten::shorten;
use corsica::simulate::{CaseOutcome, PolicyAnswer, serve_with_policy};
use corsica::{Origin, headers::isomorphic_decode};

use crate::output::{self, Ctx};
use crate::policy::{EXIT_NO, display_name, plural, read_policy};
use crate::verdict;

/// Arguments of `corsica policy explain`, as typed.
// The field docs are also the --help text, where a bare URL reads best.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The policy file (TOML), or - to read standard input.
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
    /// The origin of the page making the request, e.g. https://myapp.com.
    #[arg(long, value_name = "ORIGIN")]
    origin: String,
    /// The URL the script fetches [default: https://api.invalid/ (http://
    /// when the origin is http), a cross-origin URL standing for the API].
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The request method, as the script writes it (`patch` stays `patch`).
    #[arg(long, short = 'X', value_name = "METHOD", default_value = "GET")]
    method: String,
    /// A request header the script sets: a name, or "name: value" (the
    /// value matters: `content-type: text/plain` needs no preflight,
    /// `content-type: application/json` does). Repeat for more headers.
    #[arg(long = "header", short = 'H', value_name = "NAME[: VALUE]")]
    headers: Vec<String>,
    /// The script sends credentials (`credentials: "include"`: cookies,
    /// HTTP authentication).
    #[arg(long)]
    credentials: bool,
    /// The browser: chrome (also edge), firefox, webkit (also safari) or
    /// spec.
    #[arg(long, value_name = "BROWSER", default_value = "chrome", value_parser = crate::parse_browser)]
    browser: Browser,
    /// Stop after the preflight: explain only it (when the browser sends
    /// one).
    #[arg(long)]
    preflight: bool,
    /// Show every header the browser sends, not only the CORS-relevant
    /// ones and the script's.
    #[arg(long)]
    wire: bool,
    /// Print one JSON object per exchange, then the verdict, one per line.
    #[arg(long)]
    json: bool,
}

/// The application behind the policy: it answers every request it gets
/// with 200 and an empty body (`Content-Length: 0`, its only header).
fn app_answer() -> ResponseHead<'static> {
    let mut head = ResponseHead::new(200);
    head.push("Content-Length", "0");
    head
}

/// The script's request, checked: what the driver is given.
struct Script {
    page: Page,
    request: Request,
}

impl Script {
    /// Validates the flags; every error is a usage error (exit 2) naming
    /// the bad value and what is expected.
    fn from_args(args: &ExplainArgs) -> anyhow::Result<Script> {
        let origin =
            Origin::parse(&args.origin).map_err(|err| anyhow::anyhow!("--origin: {err}"))?;
        let page_url = format!("{}/", origin.serialize());
        let page = Page::with_origin(origin, page_url);

        let normalized = headers::normalize_method(&args.method);
        if headers::is_forbidden_method(&normalized) {
            bail!(
                "--method {}: browsers refuse to send this method from a script \
                 (fetch() throws a TypeError); pick another method",
                shorten(&args.method)
            );
        }
        http::Method::from_bytes(args.method.as_bytes()).with_context(|| {
            format!(
                "--method `{}` is not an HTTP method (a method is a token such as PUT or PATCH)",
                shorten(&args.method)
            )
        })?;

        let url = match &args.url {
            Some(url) => {
                let parsed = url::Url::parse(url).with_context(|| {
                    format!(
                        "--url `{}` is not an absolute URL (write it as https://api.example.com/path)",
                        shorten(url)
                    )
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    bail!(
                        "--url `{}`: only http and https URLs are fetched with CORS",
                        shorten(url)
                    );
                }
                url.clone()
            }
            None => match page.origin().scheme() {
                Some("http") => "http://api.invalid/".to_owned(),
                _ => "https://api.invalid/".to_owned(),
            },
        };

        let mut script_headers = Vec::new();
        for raw in &args.headers {
            let (name, value) = match raw.split_once(':') {
                Some((name, value)) => (name.trim(), value.trim()),
                None => (raw.trim(), ""),
            };
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                bail!(
                    "--header `{}`: `{}` is not a header name \
                     (write NAME or \"NAME: VALUE\", e.g. \"content-type: application/json\")",
                    shorten(raw),
                    shorten(name)
                );
            }
            if http::HeaderValue::from_str(value).is_err() {
                bail!(
                    "--header `{}`: the value has characters a header cannot carry",
                    shorten(raw)
                );
            }
            // The browser drops a forbidden header without a word (the
            // engine does too); say so rather than leave the user guessing.
            if headers::is_forbidden_request_header(name, value.as_bytes()) {
                output::error(format_args!(
                    "note: browsers do not let a script set `{}`; the browser leaves it out",
                    shorten(name)
                ));
            }
            script_headers.push((name.to_owned(), value.to_owned()));
        }

        let credentials = if args.credentials {
            Credentials::Include
        } else {
            Credentials::SameOrigin
        };
        let request = Request::new(args.method.clone(), url)
            .headers(script_headers)
            .credentials(credentials);
        Ok(Script { page, request })
    }
}

/// One exchange: what the browser sent and what the policy answered.
struct Exchange {
    sent: Transmit,
    answer: PolicyAnswer,
}

/// Runs the fetch against the policy. With `preflight_only`, stops after
/// the preflight's answer unless the fetch ends there.
fn run_fetch(
    script: &Script,
    policy: &Policy,
    browser: Browser,
    preflight_only: bool,
) -> (Vec<Exchange>, Option<Outcome>) {
    let mut state = BrowserState::new(browser);
    let mut fetch = Fetch::new(&script.page, &script.request);
    let app = app_answer();
    let mut exchanges = Vec::new();
    let now = Duration::ZERO;
    while let Some(tx) = fetch.poll_transmit(&mut state, now) {
        if preflight_only && !tx.is_preflight() {
            // The preflight passed (or none was due): stop before the request.
            return (exchanges, None);
        }
        let answer = serve_with_policy(policy, &tx, &app);
        fetch.handle_response(&mut state, now, &answer.head);
        exchanges.push(Exchange { sent: tx, answer });
    }
    (exchanges, Some(fetch.finish()))
}

pub(crate) fn explain(args: ExplainArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let script = Script::from_args(&args)?;
    let text = read_policy(&args.file)?;
    let name = display_name(&args.file);
    let policy = match Policy::from_toml_str(&text) {
        Ok(policy) => policy,
        Err(PolicyErrors { errors, .. }) => {
            output::error(format_args!(
                "{name} is invalid ({}); nothing to explain",
                plural(errors.len(), "error")
            ));
            for e in &errors {
                output::error(format_args!("error[{}]: {e}", e.code()));
            }
            output::error(format_args!(
                "run `corsica policy check {name}` for the full report"
            ));
            return Ok(ExitCode::from(EXIT_NO));
        }
    };
    for w in policy.warnings() {
        output::error(format_args!("warning[{}]: {w}", w.code()));
    }

    let (exchanges, outcome) = run_fetch(&script, &policy, args.browser, args.preflight);
    let mut out = ctx.stdout();
    let shown = Shown {
        script: &script.request,
        wire: args.wire,
    };
    for (i, exchange) in exchanges.iter().enumerate() {
        if args.json {
            serde_json::to_writer(&mut out, &ExchangeJson::new(exchange, &shown))?;
            writeln!(out)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            render_exchange(&mut out, exchange, &shown)?;
        }
    }
    // The policy's own reason, when it refused the last request: the
    // browser only sees the headers missing, the policy knows which rule.
    let rejection = exchanges.last().and_then(|e| e.answer.rejection.as_ref());
    let blocked = match &outcome {
        Some(Outcome::Blocked(b)) => Some(b),
        _ => None,
    };
    match &outcome {
        Some(outcome) if args.json => {
            let verdict = VerdictJson::new(outcome, args.browser, rejection);
            serde_json::to_writer(&mut out, &verdict)?;
            writeln!(out)?;
        }
        Some(outcome) => {
            writeln!(out)?;
            render_verdict(&mut out, outcome, rejection)?;
        }
        None if exchanges.is_empty() && !args.json => writeln!(
            out,
            "{}",
            "no preflight: the browser sends this request directly (run without --preflight to see it)"
                .dimmed()
        )?,
        None if !args.json => {
            writeln!(out)?;
            writeln!(
                out,
                "{} the browser accepts this preflight and sends the request next",
                "preflight passed:".green().bold()
            )?;
        }
        None => {}
    }
    out.flush()?;
    Ok(if blocked.is_some() {
        ExitCode::from(EXIT_NO)
    } else {
        ExitCode::SUCCESS
    })
}

/// Which request headers are shown: with `--wire` all of them; otherwise
/// `Origin`, `Access-Control-Request-*` and the ones the script set (the
/// browser's own `User-Agent`, `Accept-Language`, `Sec-Fetch-*` … are left
/// out: a presentation choice, not a CORS rule).
struct Shown<'a> {
    script: &'a Request,
    wire: bool,
}

impl Shown<'_> {
    fn shows(&self, name: &str) -> bool {
        self.wire
            || headers::is_cors_request_header(name)
            || self
                .script
                .header_list()
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn headers<'t>(&self, tx: &'t Transmit) -> Vec<(&'t str, String)> {
        tx.headers()
            .filter(|(n, _)| self.shows(n))
            .map(|(n, v)| (n, isomorphic_decode(v).into_owned()))
            .collect()
    }
}

fn status_line(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("HTTP/1.1 {status} {reason}")
}

fn render_exchange(out: &mut impl Write, ex: &Exchange, shown: &Shown<'_>) -> io::Result<()> {
    let tx = &ex.sent;
    let label = if tx.is_preflight() {
        "(preflight)"
    } else {
        "(request)"
    };
    writeln!(
        out,
        "{} {} {} {}",
        ">".dimmed(),
        tx.method().as_str().bold(),
        tx.url(),
        label.dimmed()
    )?;
    // Text quotes values shortened (a 1 MB header is one short line);
    // --json keeps them whole.
    for (name, value) in shown.headers(tx) {
        writeln!(
            out,
            "{} {name}: {}",
            ">".dimmed(),
            verdict::readable_value(&value)
        )?;
    }
    writeln!(out)?;
    let a = &ex.answer;
    if a.passed_on {
        writeln!(
            out,
            "{} {}",
            status_line(a.head.status()).bold(),
            if a.added.is_empty() {
                "(your application's answer; corsica adds no CORS headers)"
            } else {
                "(your application's answer, with corsica's headers)"
            }
            .dimmed()
        )?;
    } else {
        writeln!(
            out,
            "{} {}",
            status_line(a.head.status()).bold(),
            "(answered by corsica)".dimmed()
        )?;
    }
    for (name, value) in &a.added {
        writeln!(out, "{}: {}", name.cyan(), verdict::readable_value(value))?;
    }
    if let Some((code, reason)) = &a.rejection {
        writeln!(
            out,
            "{} {reason} {}",
            "policy rejects:".red().bold(),
            format_args!("[{code}]").dimmed()
        )?;
    }
    Ok(())
}

fn render_verdict(
    out: &mut impl Write,
    outcome: &Outcome,
    rejection: Option<&(&'static str, String)>,
) -> io::Result<()> {
    match outcome {
        Outcome::Readable(r) => {
            let exposed = if r.exposed.is_empty() {
                "none".to_owned()
            } else {
                r.exposed.join(", ")
            };
            writeln!(
                out,
                "{} the script reads the response (status {}; readable headers: {exposed})",
                "allowed:".green().bold(),
                r.status
            )
        }
        Outcome::Blocked(b) => verdict::write_blocked(out, b, rejection, ""),
    }
}

#[derive(Serialize)]
struct ExchangeJson<'a> {
    step: &'static str,
    method: &'a str,
    url: &'a str,
    /// The request headers shown (all of them with `--wire`), in wire order.
    request: Vec<(&'a str, String)>,
    status: u16,
    /// Whether the policy passed the request on to the application.
    passed_on: bool,
    /// The headers the policy set.
    headers: &'a [(String, String)],
    reason: Option<&'a str>,
    code: Option<&'static str>,
}

impl<'a> ExchangeJson<'a> {
    fn new(ex: &'a Exchange, shown: &Shown<'_>) -> ExchangeJson<'a> {
        ExchangeJson {
            step: if ex.sent.is_preflight() {
                "preflight"
            } else {
                "actual"
            },
            method: ex.sent.method().as_str(),
            url: ex.sent.url().as_str(),
            request: shown.headers(&ex.sent),
            status: ex.answer.head.status(),
            passed_on: ex.answer.passed_on,
            headers: &ex.answer.added,
            reason: ex.answer.rejection.as_ref().map(|(_, r)| r.as_str()),
            code: ex.answer.rejection.as_ref().map(|(c, _)| *c),
        }
    }
}

/// The verdict, with `corsica simulate`'s `outcome`, `status`, `exposed`,
/// `error` and `message` fields, and the cause and fix when blocked.
#[derive(Serialize)]
struct VerdictJson<'a> {
    step: &'static str,
    browser: Browser,
    outcome: CaseOutcome,
    status: Option<u16>,
    exposed: Vec<String>,
    error: Option<&'static str>,
    message: Option<String>,
    cause: Option<String>,
    fix: Option<FixJson>,
    /// The policy rule that refused the last request: code and message.
    policy_rejection: Option<PolicyRejectionJson<'a>>,
}

#[derive(Serialize)]
struct PolicyRejectionJson<'a> {
    code: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct FixJson {
    header: Option<(&'static str, String)>,
    also: Vec<(&'static str, String)>,
    policy: Option<String>,
    summary: String,
}

impl From<Fix> for FixJson {
    fn from(f: Fix) -> FixJson {
        FixJson {
            header: f.header,
            also: f.also,
            policy: f.policy,
            summary: f.summary,
        }
    }
}

impl<'a> VerdictJson<'a> {
    fn new(
        outcome: &Outcome,
        browser: Browser,
        rejection: Option<&'a (&'static str, String)>,
    ) -> VerdictJson<'a> {
        let mut v = VerdictJson {
            step: "verdict",
            browser,
            outcome: CaseOutcome::of(outcome),
            status: None,
            exposed: Vec::new(),
            error: None,
            message: None,
            cause: None,
            fix: None,
            policy_rejection: rejection.map(|(code, reason)| PolicyRejectionJson {
                code,
                reason: reason.as_str(),
            }),
        };
        match outcome {
            Outcome::Readable(r) => {
                v.status = Some(r.status);
                v.exposed = r.exposed.clone();
            }
            Outcome::Blocked(b) => {
                v.error = b.error_code();
                v.message = b.console_message();
                v.cause = Some(b.cause());
                v.fix = Some(b.fix().into());
            }
        }
        v
    }
}
