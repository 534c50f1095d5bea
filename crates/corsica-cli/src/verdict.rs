//! How a verdict reads on a terminal: why the browser blocked a fetch, with
//! its console line, cause and fix. Shared by `policy explain` and
//! `simulate`; the words are the engine's ([`corsica::explain`]).

use std::io::{self, Write};

use corsica::explain::Fix;
use corsica::fetch::Blocked;
use corsica::shorten::{shorten, shorten_quoted};
use owo_colors::OwoColorize;

/// Text output quotes the browser's words and the values sent as they
/// are, unless one is huge (a 1 MB header): then its quoted spans are
/// shortened so each line stays readable. `--json` keeps everything whole.
pub(crate) fn readable(text: &str) -> std::borrow::Cow<'_, str> {
    const LONGEST: usize = 1000;
    if text.len() <= LONGEST {
        std::borrow::Cow::Borrowed(text)
    } else {
        shorten_quoted(text)
    }
}

/// A header value in text output: whole up to a few hundred characters,
/// else shortened as user input is.
pub(crate) fn readable_value(value: &str) -> String {
    if value.len() <= 300 {
        value.to_owned()
    } else {
        shorten(value).to_string()
    }
}

/// Writes why the browser blocked a fetch: its error, console line, the
/// cause and the fix, each line starting with `indent`. `rejection` is the
/// policy's own reason when a policy stood in for the server.
pub(crate) fn write_blocked(
    out: &mut impl Write,
    b: &Blocked,
    rejection: Option<&(&'static str, String)>,
    indent: &str,
) -> io::Result<()> {
    // No CORS error name: fetch() rejected with a plain TypeError.
    let code = b.error_code().unwrap_or("TypeError");
    writeln!(out, "{indent}{} {code}", "blocked:".red().bold())?;
    if let Some(message) = b.console_message() {
        writeln!(out, "{indent}{} {}", "console:".bold(), readable(&message))?;
    }
    writeln!(out, "{indent}{} {}", "cause:".bold(), readable(&b.cause()))?;
    let fix = b.fix();
    if let Some((_, reason)) = rejection {
        // The browser's fix names the header it missed; the policy knows
        // which of its rules withheld it, and that is what to change.
        writeln!(out, "{indent}{} {}", "fix:".bold(), readable(reason))?;
        return writeln!(
            out,
            "{indent}  (the browser needs: {})",
            readable(&fix.summary)
        );
    }
    write_fix(out, &fix, indent)
}

/// Writes a fix: what to change, the header to send and its companions,
/// and the same in a corsica policy.
pub(crate) fn write_fix(out: &mut impl Write, fix: &Fix, indent: &str) -> io::Result<()> {
    writeln!(out, "{indent}{} {}", "fix:".bold(), readable(&fix.summary))?;
    if let Some((name, value)) = &fix.header {
        writeln!(out, "{indent}  send: {name}: {}", readable_value(value))?;
    }
    for (name, value) in &fix.also {
        writeln!(out, "{indent}  and:  {name}: {}", readable_value(value))?;
    }
    if let Some(policy) = &fix.policy {
        writeln!(out, "{indent}  corsica policy:")?;
        for line in policy.lines() {
            writeln!(out, "{indent}    {}", readable(line).cyan())?;
        }
    }
    Ok(())
}
