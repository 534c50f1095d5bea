//! Where output goes and whether it is coloured.
//!
//! Results go to stdout through [`anstream`], which removes the colour codes
//! when colour is off: code writes styled text everywhere and never asks.
//! Messages about the run itself (errors, notes) go to stderr, prefixed
//! `corsica: `, so that stdout stays clean for pipes and `--json`.

use std::fmt;
use std::io::{self, Write};

use anstream::{AutoStream, ColorChoice};

/// The `--color` flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour (unless `NO_COLOR` is set).
    Always,
    /// Never colour.
    Never,
}

/// What every subcommand gets: where to write and how.
#[derive(Debug)]
pub(crate) struct Ctx {
    color: ColorChoice,
}

impl Ctx {
    pub(crate) fn new(when: ColorWhen) -> Ctx {
        // NO_COLOR (https://no-color.org) wins over everything, even
        // `--color always`: whoever set it asked for no colour anywhere.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match when {
            _ if no_color => ColorChoice::Never,
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        };
        Ctx { color }
    }

    /// Stdout, locked, with colour codes kept or removed as chosen.
    pub(crate) fn stdout(&self) -> AutoStream<io::StdoutLock<'static>> {
        AutoStream::new(io::stdout().lock(), self.color)
    }
}

/// Prints `corsica: <msg>` to stderr. A failed write to stderr is ignored:
/// there is nowhere left to report it.
pub(crate) fn error(msg: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "corsica: {msg}");
}
