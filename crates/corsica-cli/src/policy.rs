//! `corsica policy check` and `corsica policy explain`.
//!
//! Both read a policy file and hand it to the engine; `explain` then builds
//! the request(s) a browser would send and asks the policy what it answers.
//! Nothing here decides anything about CORS: which requests need a preflight
//! and what a preflight carries come from `corsica::headers`, the answers
//! from `corsica::Policy::decide`.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use owo_colors::OwoColorize;

use corsica::headers;

use crate::output::{self, Ctx};
use corsica::policy::{Decision, POLICY_KEYS, Policy, PolicyError, PolicyErrors, PolicyWarning};
use corsica::shorten::shorten;

/// Exit status: the policy is invalid, or the request was rejected.
const EXIT_NO: u8 = 1;

/// `corsica policy …`
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Check a policy file: print every problem with its fix.
    ///
    /// Exits 0 when the policy is valid (warnings are printed), 1 when it
    /// is invalid, 2 when the file cannot be read. `corsica policy keys`
    /// lists the keys a policy file can set.
    Check(CheckArgs),
    /// Explain what a server running this policy answers to a request.
    ///
    /// Without --preflight, explains the request a page's script makes; if
    /// a browser would send a preflight first (a method other than GET,
    /// HEAD or POST, or a header that is not CORS-safelisted), explains the
    /// preflight first, then the request. With --preflight, explains only
    /// the preflight. Exits 0 when every step is allowed, 1 when one is
    /// rejected or the policy is invalid, 2 on a usage or read error.
    Explain(ExplainArgs),
    /// List every key a policy file can set: its type, default, meaning
    /// and an example.
    Keys(KeysArgs),
}

/// Arguments of `corsica policy keys`.
#[derive(Debug, Args)]
pub(crate) struct KeysArgs {
    /// Print the list as a Markdown table (the one in the README).
    #[arg(long)]
    markdown: bool,
}

/// Arguments of `corsica policy check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The policy file (TOML), or - to read standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print {"valid": …, "errors": […], "warnings": […]} instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `corsica policy explain`, as typed.
// The field docs are also the --help text, where a bare URL reads best.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The policy file (TOML), or - to read standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The origin of the page making the request, e.g. https://myapp.com.
    #[arg(long, value_name = "ORIGIN")]
    origin: String,
    /// The request method, as the script writes it.
    #[arg(long, short = 'X', value_name = "METHOD", default_value = "GET")]
    method: String,
    /// A request header the script sets: a name, or "name: value" (the
    /// value matters for content-type, whose only values that need no
    /// preflight are text/plain, multipart/form-data and
    /// application/x-www-form-urlencoded). Repeat for more headers.
    #[arg(long = "header", short = 'H', value_name = "NAME[: VALUE]")]
    headers: Vec<String>,
    /// Explain only the preflight (OPTIONS) request.
    #[arg(long)]
    preflight: bool,
    /// Print one JSON object per step, one per line, instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: PolicyCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check(args) => check(&args, ctx),
        PolicyCommand::Explain(args) => explain(args, ctx),
        PolicyCommand::Keys(args) => keys(&args, ctx),
    }
}

/// `corsica policy keys`: the engine's table of keys, as text or Markdown.
fn keys(args: &KeysArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut out = ctx.stdout();
    if args.markdown {
        out.write_all(keys_markdown().as_bytes())?;
    } else {
        for (i, k) in POLICY_KEYS.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let default = match k.default {
                "required" => "required".to_owned(),
                d => format!("default {d}"),
            };
            writeln!(out, "{}: {}, {default}", k.name.bold(), k.ty.name())?;
            for line in wrap(k.meaning, 74) {
                writeln!(out, "    {line}")?;
            }
            writeln!(out, "    {} {}", "example:".dimmed(), k.example)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The README's policy reference table, from the engine's table of keys.
pub(crate) fn keys_markdown() -> String {
    let mut md = String::from(
        "| key | type, default | what it does | example |\n|-----|---------------|--------------|---------|\n",
    );
    for k in POLICY_KEYS {
        let default = match k.default {
            "required" => "**required**",
            d => d,
        };
        md.push_str(&format!(
            "| `{}` | {}, {default} | {} | `{}` |\n",
            k.name,
            k.ty.name(),
            k.meaning,
            k.example
        ));
    }
    md
}

/// Splits `text` into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Reads the policy file (or stdin for `-`), with an error that names the
/// file and says what to do.
fn read_policy(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the policy from standard input (send UTF-8 TOML)")?;
        return Ok(text);
    }
    fs::read_to_string(path).map_err(|err| {
        let hint = match err.kind() {
            io::ErrorKind::NotFound => "check the path, or create the file",
            io::ErrorKind::PermissionDenied => "check the file's permissions",
            io::ErrorKind::InvalidData => "a policy file is UTF-8 TOML",
            io::ErrorKind::IsADirectory => "pass a policy file, not a directory",
            _ => "pass another path",
        };
        anyhow::anyhow!(
            "cannot read {}: {err} ({hint})",
            shorten(&path.display().to_string())
        )
    })
}

/// A name to show for the policy file in messages.
fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

fn check(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let text = read_policy(&args.file)?;
    let name = display_name(&args.file);
    let mut out = ctx.stdout();
    let valid = match Policy::from_toml_str(&text) {
        Ok(policy) => {
            let warnings = problems(&[], policy.warnings());
            report(&mut out, &name, args.json, true, &warnings)?;
            true
        }
        Err(PolicyErrors { errors, warnings }) => {
            let problems = problems(&errors, &warnings);
            report(&mut out, &name, args.json, false, &problems)?;
            false
        }
    };
    out.flush()?;
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NO)
    })
}

/// One error or warning, flattened for printing.
struct Problem {
    severity: Severity,
    code: &'static str,
    field: &'static str,
    message: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Severity {
    Error,
    Warning,
}

fn problems(errors: &[PolicyError], warnings: &[PolicyWarning]) -> Vec<Problem> {
    let errors = errors.iter().map(|e| Problem {
        severity: Severity::Error,
        code: e.code(),
        field: e.field(),
        message: e.to_string(),
    });
    let warnings = warnings.iter().map(|w| Problem {
        severity: Severity::Warning,
        code: w.code(),
        field: w.field(),
        message: w.to_string(),
    });
    errors.chain(warnings).collect()
}

/// `check --json`: `{"valid": …, "errors": […], "warnings": […]}`.
#[derive(serde::Serialize)]
struct CheckJson<'a> {
    valid: bool,
    errors: Vec<ProblemJson<'a>>,
    warnings: Vec<ProblemJson<'a>>,
}

/// One error or warning in `check --json`.
#[derive(serde::Serialize)]
struct ProblemJson<'a> {
    severity: &'static str,
    code: &'a str,
    field: &'a str,
    message: &'a str,
}

impl<'a> From<&&'a Problem> for ProblemJson<'a> {
    fn from(p: &&'a Problem) -> Self {
        ProblemJson {
            severity: match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: p.code,
            field: p.field,
            message: &p.message,
        }
    }
}

/// One line of `explain --json`.
#[derive(serde::Serialize)]
struct StepJson {
    step: &'static str,
    status: Option<u16>,
    headers: Vec<[String; 2]>,
    reason: Option<String>,
    code: Option<&'static str>,
}

fn report(
    out: &mut impl Write,
    name: &str,
    json: bool,
    valid: bool,
    problems: &[Problem],
) -> io::Result<()> {
    let (errors, warnings): (Vec<_>, Vec<_>) =
        problems.iter().partition(|p| p.severity == Severity::Error);
    if json {
        let value = CheckJson {
            valid,
            errors: errors.iter().map(ProblemJson::from).collect(),
            warnings: warnings.iter().map(ProblemJson::from).collect(),
        };
        serde_json::to_writer(&mut *out, &value)?;
        return writeln!(out);
    }
    let mut keys_hinted = false;
    for p in problems {
        match p.severity {
            Severity::Error => write!(out, "{}", format_args!("error[{}]", p.code).red().bold())?,
            Severity::Warning => write!(
                out,
                "{}",
                format_args!("warning[{}]", p.code).yellow().bold()
            )?,
        }
        writeln!(out, ": {}", p.message)?;
        // TOML syntax errors and unknown keys have no field; their message
        // gives the line and column instead.
        if p.field.is_empty() {
            writeln!(out, "  {} {name}", "-->".blue().bold())?;
        } else {
            writeln!(out, "  {} {name}: {}", "-->".blue().bold(), p.field)?;
        }
        if !keys_hinted && matches!(p.code, "unknown-key" | "wrong-type") {
            keys_hinted = true;
            writeln!(
                out,
                "  {} `corsica policy keys` lists every key, its type and an example",
                "= help:".blue().bold()
            )?;
        }
    }
    if !problems.is_empty() {
        writeln!(out)?;
    }
    let counts = match (errors.len(), warnings.len()) {
        (0, 0) => String::new(),
        (e, 0) => format!(": {}", plural(e, "error")),
        (0, w) => format!(", {}", plural(w, "warning")),
        (e, w) => format!(": {}, {}", plural(e, "error"), plural(w, "warning")),
    };
    if valid {
        writeln!(out, "{name}: {}{counts}", "valid".green().bold())
    } else {
        writeln!(out, "{name}: {}{counts}", "invalid".red().bold())
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A validated `explain` request: what the page's script asks for.
#[derive(Debug)]
struct ScriptRequest {
    /// The page's origin, serialized as a browser sends it.
    origin: HeaderValue,
    /// The method after the Fetch Standard's normalization (`put` -> `PUT`).
    method: Method,
    /// The headers the script sets, names lowercased, in the order given.
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Which requests to explain.
    plan: Plan,
}

/// Which requests `explain` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// The request alone: a browser sends no preflight for it.
    Actual,
    /// Only the preflight (`--preflight`).
    Preflight,
    /// The preflight a browser sends, then the request if it passes.
    PreflightThenActual,
}

impl ScriptRequest {
    /// Validates the raw flags. Every error names the bad value and says
    /// what is expected; they are usage errors (exit 2).
    fn from_args(args: &ExplainArgs) -> anyhow::Result<ScriptRequest> {
        let origin = canonical_origin(&args.origin)?;

        // Fetch: "normalize a method": DELETE, GET, HEAD, OPTIONS, POST, PUT
        // are uppercased, other methods are sent exactly as written.
        let method = headers::normalize_method(&args.method);
        if headers::is_forbidden_method(&method) {
            bail!(
                "--method {}: browsers refuse to send this method from a script \
                 (fetch() throws a TypeError); pick another method",
                shorten(&args.method)
            );
        }
        let method = Method::from_bytes(method.as_bytes()).with_context(|| {
            format!(
                "--method `{}` is not an HTTP method (a method is a token such as PUT or PATCH)",
                shorten(&args.method)
            )
        })?;

        let mut headers = Vec::new();
        for raw in &args.headers {
            let (name, value) = match raw.split_once(':') {
                Some((name, value)) => (name.trim(), value.trim()),
                None => (raw.trim(), ""),
            };
            let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).with_context(
                || {
                    format!(
                        "--header `{}`: `{}` is not a header name \
                         (write NAME or \"NAME: VALUE\", e.g. \"content-type: application/json\")",
                        shorten(raw),
                        shorten(name)
                    )
                },
            )?;
            let value = HeaderValue::from_str(value).with_context(|| {
                format!(
                    "--header `{}`: the value has characters a header cannot carry",
                    shorten(raw)
                )
            })?;
            // Fetch: a forbidden request-header is silently dropped by the
            // Headers object; say so rather than explaining a request no
            // browser can send.
            if headers::is_forbidden_request_header(name.as_str(), value.as_bytes()) {
                output::error(format_args!(
                    "note: browsers do not let a script set `{}`; left out of the request",
                    shorten(name.as_str())
                ));
                continue;
            }
            headers.push((name, value));
        }

        let needs_preflight =
            corsica::fetch::is_preflight_needed(method.as_str(), &unsafe_header_names(&headers));
        let plan = match (args.preflight, needs_preflight) {
            (true, _) => Plan::Preflight,
            (false, true) => Plan::PreflightThenActual,
            (false, false) => Plan::Actual,
        };
        Ok(ScriptRequest {
            origin,
            method,
            headers,
            plan,
        })
    }

    /// Fetch: CORS-preflight fetch, steps 1-4: an OPTIONS request with
    /// `Origin`, `Access-Control-Request-Method` and, when there are
    /// CORS-unsafe header names, `Access-Control-Request-Headers`.
    fn preflight(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(ORIGIN, self.origin.clone());
        map.insert(
            ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_str(self.method.as_str()).expect("a method is a valid header value"),
        );
        let names = unsafe_header_names(&self.headers);
        if !names.is_empty() {
            let value = HeaderValue::from_str(&names.join(","))
                .expect("header names joined by commas are a valid header value");
            map.insert(ACCESS_CONTROL_REQUEST_HEADERS, value);
        }
        map
    }

    /// The request itself: the script's headers and `Origin`.
    fn actual(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(ORIGIN, self.origin.clone());
        for (name, value) in &self.headers {
            map.append(name.clone(), value.clone());
        }
        map
    }
}

/// Fetch: CORS-unsafe request-header names (lowercased, sorted, unique).
fn unsafe_header_names(headers: &[(HeaderName, HeaderValue)]) -> Vec<String> {
    headers::cors_unsafe_request_header_names(
        headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
    )
}

/// Parses `--origin` and serializes it as a browser sends it (lowercase,
/// punycode, no default port), so `HTTPS://MyApp.com:443` means what the
/// user meant.
fn canonical_origin(raw: &str) -> anyhow::Result<HeaderValue> {
    let origin = corsica::Origin::parse(raw).map_err(|err| anyhow::anyhow!("--origin: {err}"))?;
    let serialized = origin.serialize();
    HeaderValue::from_str(&serialized).with_context(|| {
        format!(
            "--origin `{}` cannot be sent as a header value",
            shorten(raw)
        )
    })
}

/// One request explained: what was sent and what the policy answered.
struct Step<'a> {
    kind: StepKind,
    method: &'a Method,
    request: &'a HeaderMap,
    decision: Decision<'a>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StepKind {
    Preflight,
    Actual,
}

impl StepKind {
    fn as_str(self) -> &'static str {
        match self {
            StepKind::Preflight => "preflight",
            StepKind::Actual => "actual",
        }
    }
}

fn explain(args: ExplainArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let request = ScriptRequest::from_args(&args)?;
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

    let options = Method::OPTIONS;
    let preflight_headers = request.preflight();
    let actual_headers = request.actual();
    let mut out = ctx.stdout();
    let mut rejected = false;

    if matches!(request.plan, Plan::Preflight | Plan::PreflightThenActual) {
        let step = Step {
            kind: StepKind::Preflight,
            method: &options,
            request: &preflight_headers,
            decision: policy.decide(&options, &preflight_headers),
        };
        rejected = step.decision.rejection().is_some();
        render(&mut out, &step, args.json)?;
        if rejected && request.plan == Plan::PreflightThenActual && !args.json {
            writeln!(
                out,
                "\n{}",
                "the browser stops here: the request itself is never sent".dimmed()
            )?;
        }
    }
    if !rejected && matches!(request.plan, Plan::Actual | Plan::PreflightThenActual) {
        if request.plan == Plan::PreflightThenActual && !args.json {
            writeln!(out)?;
        }
        let step = Step {
            kind: StepKind::Actual,
            method: &request.method,
            request: &actual_headers,
            decision: policy.decide(&request.method, &actual_headers),
        };
        rejected = step.decision.rejection().is_some();
        render(&mut out, &step, args.json)?;
    }
    out.flush()?;
    Ok(if rejected {
        ExitCode::from(EXIT_NO)
    } else {
        ExitCode::SUCCESS
    })
}

/// Header value as text; bytes outside visible ASCII shown lossily.
fn value_text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

fn render(out: &mut impl Write, step: &Step<'_>, json: bool) -> io::Result<()> {
    let d = &step.decision;
    if json {
        let value = StepJson {
            step: step.kind.as_str(),
            status: d.status().map(|s| s.as_u16()),
            headers: d
                .headers()
                .iter()
                .map(|(n, v)| [n.as_str().to_owned(), value_text(v)])
                .collect(),
            reason: d.rejection().map(|r| r.to_string()),
            code: d.rejection().map(|r| r.code()),
        };
        serde_json::to_writer(&mut *out, &value)?;
        return writeln!(out);
    }

    // The request, curl -v style.
    let label = match step.kind {
        StepKind::Preflight => "(preflight)",
        StepKind::Actual => "(request)",
    };
    writeln!(
        out,
        "{} {} {}",
        ">".dimmed(),
        step.method.bold(),
        label.dimmed()
    )?;
    for (name, value) in step.request {
        let value = value_text(value);
        if value.is_empty() {
            writeln!(out, "{} {name}:", ">".dimmed())?;
        } else {
            writeln!(out, "{} {name}: {value}", ">".dimmed())?;
        }
    }
    writeln!(out)?;

    // The answer, curl -i style.
    match d.status() {
        Some(status) => writeln!(
            out,
            "{}",
            format_args!(
                "HTTP/1.1 {} {}",
                status.as_str(),
                status.canonical_reason().unwrap_or("")
            )
            .bold()
        )?,
        None => {
            if d.headers().iter().next().is_some() {
                writeln!(
                    out,
                    "{}",
                    "passed to your app; corsica adds to its response:".bold()
                )?;
            } else {
                writeln!(
                    out,
                    "{}",
                    "passed to your app; corsica adds no CORS headers".bold()
                )?;
            }
        }
    }
    for (name, value) in d.headers().iter() {
        writeln!(out, "{}: {}", name.cyan(), value_text(value))?;
    }
    let Some(r) = d.rejection() else {
        return Ok(());
    };
    writeln!(
        out,
        "{} {r} {}",
        "rejected:".red().bold(),
        format_args!("[{}]", r.code()).dimmed()
    )?;
    if step.kind == StepKind::Actual {
        // No Access-Control-Allow-Origin on the response: the browser gives
        // the script a network error instead of the response.
        writeln!(
            out,
            "{}",
            "the browser withholds the response from the script".dimmed()
        )?;
    }
    Ok(())
}
