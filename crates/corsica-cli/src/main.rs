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

mod export;
mod output;
mod policy;
mod serve;
mod simulate;

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
    /// Check a policy file or explain what it answers.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Run cases through the browser model: one JSON answer line per request.
    ///
    /// Reads cases (JSON Lines, the format of conformance/cases/) and
    /// writes what the browser does with each request: whether a preflight
    /// is sent, the outcome, the status and readable headers the script
    /// sees, the browser's error code and console message. Exits 0 when
    /// every line is a case, 1 when some line is malformed (reported on
    /// standard error with its line number; the others are still answered),
    /// 2 when the input cannot be read.
    Simulate {
        /// Which browser to follow: chrome, firefox, or spec (the Fetch
        /// Standard where the browsers depart from it).
        #[arg(long, default_value = "chrome", value_name = "BROWSER")]
        browser: corsica::fetch::Browser,
        /// The case file, or - (the default) for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Write the policy as configuration for nginx, caddy, express, django,
    /// flask, fastapi, axum or spring.
    ///
    /// Prints the configuration; exits 1 when the policy is invalid or the
    /// stack cannot express it exactly (each reason on standard error),
    /// 2 on a usage or read error.
    Export(export::ExportArgs),
    /// Run the CORS gateway: a reverse proxy that applies a policy per
    /// route in front of any HTTP API. With no arguments, the demo (an
    /// echo API behind the gateway, and the playground page).
    Serve(serve::ServeArgs),
}

/// Exit status: a usage error or an error reading input.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints usage errors to stderr and exits 2, help and version
        // to stdout and exits 0.
        Err(err) => err.exit(),
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
        Command::Simulate { browser, file } => simulate::run(file, browser),
        Command::Export(args) => export::run(&args, &ctx),
        Command::Serve(args) => serve::run(&args, &ctx),
    }
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

    #[test]
    fn broken_pipe_is_recognized_through_context() {
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("writing the report");
        assert!(is_broken_pipe(&err));
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&err));
    }
}
