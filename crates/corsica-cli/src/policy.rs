//! `corsica policy check`, `corsica policy explain` and `corsica policy keys`.
//!
//! `check` reads a policy file and reports what the engine finds in it;
//! `explain` lives in [`crate::explain`]; `keys` prints the engine's table
//! of policy keys.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use owo_colors::OwoColorize;

use crate::output::Ctx;
use corsica::policy::{
    MAX_POLICY_BYTES, POLICY_KEYS, Policy, PolicyError, PolicyErrors, PolicyWarning,
};
use corsica::shorten::shorten;

/// Exit status: the policy is invalid, or the request was rejected.
pub(crate) const EXIT_NO: u8 = 1;

/// `corsica policy …`
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Check a policy file: print every problem with its fix.
    ///
    /// Exits 0 when the policy is valid (warnings are printed), 1 when it
    /// is invalid, 2 when the file cannot be read. `corsica policy keys`
    /// lists the keys a policy file can set.
    Check(CheckArgs),
    /// Explain what a browser does with a request to a server running this
    /// policy: the preflight when one is due, the request, the policy's
    /// answer to each, and the verdict (the console message, the cause and
    /// the fix when the browser blocks it).
    ///
    /// The browser is corsica's model of Chrome (default), Firefox, WebKit
    /// (Safari's engine) or the Fetch Standard (--browser). Exits 0 when the script can read the
    /// response (with --preflight: when the preflight passes), 1 when the
    /// browser blocks it or the policy is invalid, 2 on a usage or read
    /// error.
    Explain(crate::explain::ExplainArgs),
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

pub(crate) fn run(cmd: PolicyCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check(args) => check(&args, ctx),
        PolicyCommand::Explain(args) => crate::explain::explain(args, ctx),
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
/// file and says what to do. At most one byte more than the engine's
/// `MAX_POLICY_BYTES` is read (the engine refuses longer text), so a wrong
/// path such as `/dev/zero` fails instead of filling the memory.
pub(crate) fn read_policy(path: &Path) -> anyhow::Result<String> {
    let limit = MAX_POLICY_BYTES as u64 + 1;
    let mut text = String::new();
    if path == Path::new("-") {
        io::stdin()
            .take(limit)
            .read_to_string(&mut text)
            .context("cannot read the policy from standard input (send UTF-8 TOML)")?;
        return Ok(text);
    }
    fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_string(&mut text))
        .map_err(|err| {
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
        })?;
    Ok(text)
}

/// A name to show for the policy file in messages.
pub(crate) fn display_name(path: &Path) -> String {
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

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
