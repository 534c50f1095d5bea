//! User input quoted in messages, shortened to a readable length.
//!
//! (Placeholder of the `i7` branch; the `i6` branch brings the real one with
//! the same interface.)

use std::fmt;

/// The longest quoted input printed whole, in characters.
pub const MAX_QUOTED_CHARS: usize = 80;

/// Quotes `input` for a message, shortened when long.
pub fn shorten(input: &str) -> Shortened<'_> {
    Shortened(input)
}

/// What [`shorten`] returns: displays the shortened quote.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        if n <= MAX_QUOTED_CHARS {
            return f.write_str(self.0);
        }
        let head: String = self.0.chars().take(56).collect();
        let tail: String = self.0.chars().skip(n - 16).collect();
        write!(f, "{head}\u{2026}{tail} ({n} characters)")
    }
}
