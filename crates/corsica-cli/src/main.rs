//! The `corsica` command: check a CORS policy, and explain what a server
//! running it answers to a given request.
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
//! variant to [`Command`] and one arm to the `match` in [`run`]. For
//! `simulate` (whose `run(Option<PathBuf>, Browser)` lives in
//! `simulate.rs`), that is `mod simulate;` and
//!
//! ```text
//! /// Run conformance cases through the browser model, one answer per request.
//! Simulate {
//!     /// chrome, firefox or spec.
//!     #[arg(long, default_value = "chrome")]
//!     browser: corsica::fetch::Browser,
//!     /// A JSON Lines case file, or - (the default) for standard input.
//!     file: Option<PathBuf>,
//! },
//! // ...
//! Command::Simulate { browser, file } => simulate::run(file, browser),
//! ```

mod engine;
mod output;
mod policy;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::{ColorWhen, Ctx};

/// CORS, both sides: check a policy and explain what it answers.
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
