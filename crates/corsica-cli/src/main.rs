//! The `corsica` command: check a CORS policy, explain what a server
//! running it answers to a given request, and simulate what browsers do.
//!
//! This binary only wires things together. Arguments are parsed by clap into
//! raw structs (`*Args`), validated into plain request values, and handed to
//! the `corsica` engine, which decides everything. What comes back is
//! rendered as text (coloured on a terminal) or as JSON.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | the policy is valid (`check`); every step was allowed (`explain`) |
//! | 1    | the policy is invalid (`check`, `explain`); a step was rejected (`explain`) |
//! | 2    | usage error (bad flag or value), or a file could not be read |
//!
//! A broken pipe (`corsica … | head`) ends the program quietly with 0.
//!
//! # Adding a subcommand
//!
//! Write a module with a `clap::Args` (or `Subcommand`) struct and a
//! `run(args, &Ctx) -> anyhow::Result<ExitCode>` function, then add one
//! variant to [`Command`] and one arm to the `match` in [`run`], as
//! `simulate` shows.

mod check;
mod explain;
mod export;
mod har;
mod json_values;
mod output;
mod policy;
mod serve;
mod simulate;
mod verdict;
mod why;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::{ColorWhen, Ctx};

/// CORS, both sides: check a policy, explain what it answers, and simulate
/// what browsers do with cross-origin requests.
#[derive(Debug, Parser)]
#[command(name = "corsica", version, propagate_version = true)]
struct Cli {
    /// When to colour the output: auto (when stdout is a terminal and
    /// NO_COLOR is not set), always or never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a policy file, explain what it answers, or list the keys it
    /// can set (`corsica policy keys`).
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Run cases through the browser model: one JSON answer line per request.
    ///
    /// Reads cases (a page, what a server answers, the fetch() calls the
    /// page makes) and writes what the browser does with each request:
    /// whether a preflight is sent, the outcome, the status and readable
    /// headers the script sees, the browser's error code and console
    /// message, and every request sent. Exits 0 when every case was read, 1
    /// when some case is malformed (reported on standard error with its
    /// line; the others are still answered), 2 when the input cannot be
    /// read.
    #[command(
        after_help = "`corsica simulate --help` describes the case and answer formats.",
        after_long_help = SIMULATE_FORMAT
    )]
    Simulate {
        /// Which browser to follow: chrome (Chromium 156), firefox (Firefox
        /// ESR 153), or spec (the Fetch Standard where the browsers depart
        /// from it).
        #[arg(long, default_value = "chrome", value_name = "BROWSER", value_parser = parse_browser)]
        browser: corsica::fetch::Browser,
        /// The case file, or - (the default) for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Write JSON Lines, the answer format (the default when standard
        /// output is not a terminal).
        #[arg(long, conflicts_with = "text")]
        json: bool,
        /// Write text for reading: each request's outcome, the requests
        /// sent, and for a blocked one the console line, cause and fix
        /// (the default on a terminal).
        #[arg(long)]
        text: bool,
    },
    /// Write the policy as configuration for nginx, caddy, express, django,
    /// flask, fastapi, axum or spring.
    ///
    /// Prints the configuration; exits 1 when the policy is invalid or the
    /// stack cannot express it exactly (each reason on standard error),
    /// 2 on a usage or read error.
    Export(export::ExportArgs),
    /// Send a live endpoint what the browser would, and say what the
    /// browser does with the answers.
    ///
    /// Sends the preflight when one is due, then the request, following
    /// redirects, exactly as the chosen browser would; shows each exchange
    /// with its CORS headers, the verdict, the browser's console message,
    /// the cause and the fix (in a corsica policy, and with --stack in your
    /// stack), and what else to fix (an error without CORS headers, no
    /// OPTIONS handler, a missing `Vary: Origin`, unexposed headers, origins
    /// let in that should not be). Exits 0 when the script can read the
    /// response, 1 when the browser blocks it, 2 when the check could not
    /// be made (DNS, connection, TLS, timeout) or on a usage error.
    Check(check::CheckArgs),
    /// Read a console error pasted from Chrome, Edge or Firefox: its
    /// reason, the cause and the fix.
    ///
    /// The message is recognised from the browsers' own templates (every
    /// CORS message corsica can print); one that matches none is said so,
    /// with the closest known messages. --check sends the request it
    /// describes (its URL and origin) as `corsica check` does. Exits 0 when
    /// recognised, 1 when not; with --check, the check's status.
    Why(why::WhyArgs),
    /// Replay a DevTools export (HAR) through the browser model: every
    /// cross-origin request the browser blocked, why, and the fix.
    ///
    /// Reads the HAR as a stream (a large export is fine), takes the page's
    /// origin from it, pairs each preflight with its request (or infers
    /// it), and replays every cross-origin fetch with the answers the
    /// export recorded; then a summary table by reason. Exits 0 when no
    /// request was blocked, 1 when some was, 2 when the file cannot be read
    /// whole.
    Har(har::HarArgs),
    /// Run the CORS gateway: a reverse proxy that applies a policy per
    /// route in front of any HTTP API. With no arguments, the demo (an
    /// echo API behind the gateway, and the playground page).
    Serve(serve::ServeArgs),
}

/// `corsica simulate --help`: the case and answer formats, in short.
const SIMULATE_FORMAT: &str = r#"CASES (input): one JSON object per line (JSON Lines). A JSON array of
cases, or pretty-printed cases one after another, are read too.

  {"id": "put-json", "origin": "http://app.test:8001",
   "server": {"http://api.test:8002/data": {
     "preflight": {"status": 204, "headers": [
       ["Access-Control-Allow-Origin", "http://app.test:8001"],
       ["Access-Control-Allow-Headers", "content-type"]]},
     "response": {"status": 200, "body": "{}", "headers": [
       ["Access-Control-Allow-Origin", "http://app.test:8001"]]}}},
   "requests": [{"url": "http://api.test:8002/data", "method": "PUT",
     "headers": [["Content-Type", "application/json"]]}]}

  id               the case's name, copied into its answers (required)
  origin           the origin of the page that calls fetch() (required)
  server           what answers at each absolute URL (default: nothing; a
                   URL not listed answers 404 with no headers)
    preflight      the answer to a CORS preflight to that URL (an OPTIONS
                   with Access-Control-Request-Method); default: 405, no
                   headers
    response       the answer to every other request; default: 404, no
                   headers
                   An answer has "status" (required), "headers" as
                   [name, value] pairs, in order, duplicates kept (default
                   []), and "body" (optional). A 3xx with a Location header
                   redirects.
    policy         instead of answers: a corsica policy in front of the
                   application, as the path of a policy file (relative to
                   the case file) or its keys inline as an object; it
                   answers preflights and adds its headers to "response"
                   (default: 200, no headers)
  requests         the fetch() calls, one after another from the same page,
                   so a later one can hit the preflight cache (required)
    url            the URL fetched (required)
    method         as the script writes it (default GET; `patch` stays
                   `patch`)
    headers        [name, value] pairs as the script sets them (default [])
    mode           cors (default), no-cors or same-origin
    credentials    omit, same-origin (default) or include
    body           a string (optional)
    redirect       follow (default), error or manual
    delay_ms       milliseconds that pass before this request (optional)
  page             the page's path on origin (default
                   /__corsica__/page.html), quoted by Referer and two
                   console messages
  user_agent       the browser's User-Agent (default: the conformance
                   runner's headless Chromium 156 or Firefox ESR 153)
  accept_language  the default Accept-Language (default en-US,en;q=0.9)

ANSWERS (output): one JSON object per line, one per request, in order:

  id, index        the case, and the request's position in it (from 0)
  browser          chrome, firefox or spec
  preflight        whether a preflight went on the wire (false when the
                   preflight cache answered)
  outcome          ok (the script reads the response), blocked (fetch()
                   rejects with a network error), opaque (a no-cors
                   response)
  status           the status the script sees: 0 when opaque, null when
                   blocked
  exposed          the response header names the script can read,
                   lowercase, sorted
  error            the browser's reason code (Chromium's CorsError name,
                   Firefox's CORS* reason), or null
  message          the console message the browser prints, byte for byte,
                   or null
  sent             every request that went on the wire: {"method", "url",
                   "headers": [[name, value], ...]}, the CORS-relevant
                   headers in wire order

The format is specified in conformance/FORMAT.md in the corsica repository
(https://github.com/corsica-rs/corsica), whose conformance/cases/ holds
1,328 cases that real Chromium and Firefox answer exactly as corsica does."#;

/// `--browser`: the engine's names, with an error that quotes the input
/// shortened.
pub(crate) fn parse_browser(s: &str) -> Result<corsica::fetch::Browser, String> {
    s.parse().map_err(|_| {
        format!(
            "unknown browser `{}`; use chrome, firefox or spec",
            corsica::shorten::shorten(s)
        )
    })
}

/// Exit status: a usage error or an error reading input.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints usage errors to stderr and exits 2, help and version
        // to stdout and exits 0.
        Err(err) => shorten_clap_error(err).exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            output::error(format_args!("{err:#}"));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Ctx::new(cli.color);
    match cli.command {
        Command::Policy(cmd) => policy::run(cmd, &ctx),
        Command::Simulate {
            browser,
            file,
            json,
            text,
        } => {
            let format = match (json, text) {
                (true, _) => Some(simulate::Format::Json),
                (_, true) => Some(simulate::Format::Text),
                _ => None,
            };
            simulate::run(file, browser, format, &ctx)
        }
        Command::Export(args) => export::run(&args, &ctx),
        Command::Check(args) => check::run(&args, &ctx),
        Command::Why(args) => why::run(&args, &ctx),
        Command::Har(args) => har::run(&args, &ctx),
        Command::Serve(args) => serve::run(&args, &ctx),
    }
}

/// Shortens the user input a clap usage error quotes (an unknown flag, a
/// bad value), as every corsica message does.
fn shorten_clap_error(mut err: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue};
    for kind in [
        ContextKind::InvalidArg,
        ContextKind::InvalidValue,
        ContextKind::InvalidSubcommand,
    ] {
        if let Some(ContextValue::String(s)) = err.get(kind)
            && s.chars().nth(corsica::shorten::MAX_QUOTED_CHARS).is_some()
        {
            let short = corsica::shorten::shorten(s).to_string();
            err.insert(kind, ContextValue::String(short));
        }
    }
    err
}

/// Whether the error is a write to a closed pipe (`corsica … | head`): that
/// is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's own consistency checks on the whole command tree (conflicting
    /// short flags, bad defaults, …), which otherwise only fire when a
    /// broken combination is typed.
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// `simulate --help` shows a case that reads, and the defaults it
    /// states are the ones the engine applies.
    #[test]
    fn simulate_help_example_and_defaults_are_true() {
        let example = &SIMULATE_FORMAT[SIMULATE_FORMAT.find("  {").unwrap()..];
        let example = &example[..example.find("\n\n").unwrap()];
        let case: corsica::simulate::Case = serde_json::from_str(example).unwrap();
        assert_eq!(case.id, "put-json");
        let minimal: corsica::simulate::Case = serde_json::from_str(
            r#"{"id": "a", "origin": "http://app.test:8001", "requests": [{"url": "http://api.test:8002/"}]}"#,
        )
        .unwrap();
        assert!(minimal.server.is_empty());
        let r = &minimal.requests[0];
        assert_eq!(r.method, "GET");
        assert!(r.headers.is_empty());
        assert_eq!(r.mode, corsica::fetch::Mode::Cors);
        assert_eq!(r.credentials, corsica::fetch::Credentials::SameOrigin);
        assert_eq!((&r.body, r.delay_ms), (&None, None));
        assert_eq!(r.redirect, corsica::fetch::RedirectMode::Follow);
        assert_eq!(minimal.page, "/__corsica__/page.html");
        assert_eq!(minimal.accept_language, None, "the runner's default");
        for d in [
            "follow (default)",
            "/__corsica__/page.html",
            "en-US,en;q=0.9",
            "default GET",
            "cors (default)",
            "same-origin (default)",
            "default: 405",
            "default: 404",
        ] {
            assert!(SIMULATE_FORMAT.contains(d), "{d}");
        }
    }

    #[test]
    fn broken_pipe_is_recognized_through_context() {
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("writing the report");
        assert!(is_broken_pipe(&err));
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&err));
    }
}
