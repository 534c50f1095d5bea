//! `corsica export POLICY --to STACK`: the policy as working configuration
//! for nginx, Caddy, Express, Django, Flask, FastAPI, axum or Spring.
//!
//! The translation is `corsica_doctor::export`; this module reads the file,
//! validates the flags and prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use corsica::Policy;
use corsica_doctor::export::{ExportError, ExportOptions, Stack, export};

use crate::output::{self, Ctx};

/// Exit status: the policy is invalid, or the stack cannot express it.
const EXIT_NO: u8 = 1;

/// Arguments of `corsica export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The policy file (TOML), or - to read standard input.
    #[arg(value_name = "POLICY")]
    file: PathBuf,
    /// The stack to write configuration for: nginx, caddy, express, django,
    /// flask, fastapi, axum (corsica's own middleware) or spring.
    #[arg(long = "to", value_name = "STACK", value_parser = parse_stack)]
    to: Stack,
    /// nginx and caddy: the address the server listens on [default:
    /// 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// nginx and caddy: the application the server proxies to [default:
    /// http://127.0.0.1:3000].
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
}

fn parse_stack(s: &str) -> Result<Stack, String> {
    s.parse().map_err(|e: ExportError| e.to_string())
}

pub(crate) fn run(args: &ExportArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let name = if args.file == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    if !args.to.is_proxy() && (args.listen.is_some() || args.upstream.is_some()) {
        anyhow::bail!(
            "--listen and --upstream shape the nginx and caddy outputs; {} is code inside your \
             application: leave them out",
            args.to
        );
    }
    let mut options = ExportOptions::default();
    if let Some(addr) = &args.listen {
        options = options.listen(addr)?;
    }
    if let Some(url) = &args.upstream {
        options = options.upstream(url)?;
    }
    let text = crate::policy::read_policy(&args.file)?;
    let policy = match Policy::from_toml_str(&text) {
        Ok(policy) => policy,
        Err(errors) => {
            for e in &errors.errors {
                output::error(format_args!("{name}: error[{}]: {e}", e.code()));
            }
            output::error(format_args!(
                "{name}: invalid policy ({} errors); see `corsica policy check {name}`",
                errors.errors.len()
            ));
            return Ok(ExitCode::from(EXIT_NO));
        }
    };
    match export(&policy, args.to, &options) {
        Ok(config) => {
            let mut out = ctx.stdout();
            out.write_all(config.as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ExportError::Refused { stack, refusals }) => {
            output::error(format_args!(
                "{name}: {stack} cannot express this policy exactly, so nothing is written:"
            ));
            for r in &refusals {
                output::error(format_args!("  {r}"));
            }
            Ok(ExitCode::from(EXIT_NO))
        }
        Err(e) => Err(e.into()),
    }
}
