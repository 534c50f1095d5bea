//! User input quoted in messages, shortened to a readable length.
//!
//! Every corsica message that quotes what a user wrote (a policy entry, a
//! flag value, a case file's field) quotes it through [`shorten`]: up to
//! [`MAX_QUOTED_CHARS`] characters it is printed as written; a longer one
//! keeps its start and its end around an ellipsis and says how long it
//! was, so a 1 MB origin gives a one-line error, not a 1 MB one. Control
//! characters are escaped (`\n`, `\u{1b}`) so a quoted value cannot break
//! the line or drive the terminal. The value itself is kept whole in the
//! error types; only their `Display` shortens.
//!
//! Messages written by other libraries (serde_json, toml, clap) go through
//! [`shorten_quoted`], which shortens each quoted span inside them.
//!
//! Browser console messages (the `explain` module) are never shortened:
//! they are the browsers' text, byte for byte.
//!
//! ```
//! use corsica::shorten::shorten;
//!
//! assert_eq!(shorten("https://app.example.com").to_string(), "https://app.example.com");
//! let long = format!("https://{}.com", "a".repeat(1 << 20));
//! let quoted = shorten(&long).to_string();
//! assert!(quoted.len() < 120, "{quoted}");
//! assert!(quoted.starts_with("https://aaaa") && quoted.contains('…'));
//! assert!(quoted.ends_with("aaaa.com (1048588 characters)"), "{quoted}");
//! ```

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The longest quoted input printed whole, in characters.
pub const MAX_QUOTED_CHARS: usize = 80;

/// Characters kept from the start of a shortened input.
const HEAD_CHARS: usize = 56;
/// Characters kept from the end of a shortened input (a trailing `/` or a
/// port is often what the message is about).
const TAIL_CHARS: usize = 16;

/// The longest message of another library kept whole after its quoted
/// spans are shortened (a guard for text that quotes input unquoted).
const MAX_MESSAGE_CHARS: usize = 6 * MAX_QUOTED_CHARS;

/// Quotes `input` for a message: whole up to [`MAX_QUOTED_CHARS`]
/// characters, else its first and last characters around `…` followed by
/// its length (`https://aaaa…aaa.com (1048588 characters)`). Control
/// characters are escaped in both cases.
pub fn shorten(input: &str) -> Shortened<'_> {
    Shortened(input)
}

/// What [`shorten`] returns: displays the shortened quote.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        // Counting stops early: a 1 MB input is not walked twice.
        if s.chars().nth(MAX_QUOTED_CHARS).is_none() {
            return write_escaped(f, s);
        }
        let len = s.chars().count();
        let head_end = s.char_indices().nth(HEAD_CHARS).map_or(s.len(), |(i, _)| i);
        let tail_start = s
            .char_indices()
            .rev()
            .nth(TAIL_CHARS - 1)
            .map_or(0, |(i, _)| i);
        write_escaped(f, &s[..head_end])?;
        f.write_char('…')?;
        write_escaped(f, &s[tail_start..])?;
        write!(f, " ({len} characters)")
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if !s.chars().any(char::is_control) {
        return f.write_str(s);
    }
    for c in s.chars() {
        if c.is_control() {
            write!(f, "{}", c.escape_default())?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

/// Shortens every quoted span (between backticks, double quotes or single
/// quotes) of a message another library wrote, as [`shorten`] does, and
/// the whole message if it is still longer than a few lines' worth.
///
/// ```
/// use corsica::shorten::shorten_quoted;
///
/// let msg = format!("unknown variant `{}`, expected `cors`", "x".repeat(10_000));
/// let short = shorten_quoted(&msg);
/// assert!(short.len() < 200, "{short}");
/// assert!(short.ends_with("(10000 characters)`, expected `cors`"), "{short}");
/// assert_eq!(shorten_quoted("expected `,`"), "expected `,`");
/// ```
pub fn shorten_quoted(message: &str) -> Cow<'_, str> {
    if message.chars().nth(MAX_QUOTED_CHARS).is_none() && !message.chars().any(char::is_control) {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len().min(4 * MAX_MESSAGE_CHARS));
    let mut rest = message;
    let mut from = 0;
    while let Some(open) = rest[from..].find(['`', '"', '\'']).map(|i| from + i) {
        let quote = rest[open..].chars().next().unwrap_or('`');
        let body_start = open + quote.len_utf8();
        // An apostrophe (`doesn't`) opens nothing.
        if quote == '\''
            && rest[..open]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            from = body_start;
            continue;
        }
        let Some(len) = closing_quote(&rest[body_start..], quote) else {
            break;
        };
        from = 0;
        out.push_str(&rest[..body_start]);
        let _ = write!(out, "{}", shorten(&rest[body_start..body_start + len]));
        out.push(quote);
        rest = &rest[body_start + len + quote.len_utf8()..];
    }
    out.push_str(rest);
    if out.chars().nth(MAX_MESSAGE_CHARS).is_none() {
        return Cow::Owned(out);
    }
    // Unquoted input, or a quote left open: shorten the whole message.
    let head: String = out.chars().take(MAX_MESSAGE_CHARS - TAIL_CHARS).collect();
    let tail_start = out
        .char_indices()
        .rev()
        .nth(TAIL_CHARS - 1)
        .map_or(0, |(i, _)| i);
    Cow::Owned(format!(
        "{head}…{} ({} characters)",
        &out[tail_start..],
        out.chars().count()
    ))
}

/// The length of a quoted span's body: up to the next `quote` (a double
/// quote escaped with `\`, as `{:?}` writes it, does not close the span).
/// A single quote closes a span only when it is not between two letters
/// (`doesn't`).
fn closing_quote(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if quote == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == quote && !escaped {
            let next = s[i + c.len_utf8()..].chars().next();
            if quote == '\'' && next.is_some_and(char::is_alphanumeric) {
                continue;
            }
            return Some(i);
        }
        escaped = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_kept_whole() {
        let s = "a".repeat(MAX_QUOTED_CHARS);
        assert_eq!(shorten(&s).to_string(), s);
        assert_eq!(shorten("").to_string(), "");
    }

    #[test]
    fn long_input_keeps_its_ends_and_says_its_length() {
        let s = format!("{}{}/", "h".repeat(100), "é".repeat(10));
        let got = shorten(&s).to_string();
        assert_eq!(
            got,
            format!(
                "{}…{}{}/ (111 characters)",
                "h".repeat(HEAD_CHARS),
                "h".repeat(5),
                "é".repeat(10)
            )
        );
        assert!(got.chars().count() <= MAX_QUOTED_CHARS + 20, "{got}");
    }

    #[test]
    fn one_character_over_is_shortened() {
        let s = "x".repeat(MAX_QUOTED_CHARS + 1);
        assert!(shorten(&s).to_string().contains('…'));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shorten("a\nb\u{1b}[31m").to_string(), "a\\nb\\u{1b}[31m");
    }

    #[test]
    fn quoted_spans_of_foreign_messages_are_shortened() {
        let long = "y".repeat(500);
        let msg = format!("invalid type: string \"{long}\\\"{long}\", expected u16");
        let got = shorten_quoted(&msg);
        assert!(got.starts_with("invalid type: string \"yyyy"), "{got}");
        assert!(got.ends_with("(1002 characters)\", expected u16"), "{got}");
        // An apostrophe is not a quote.
        let msg = format!("doesn't match '{long}'");
        let got = shorten_quoted(&msg);
        assert!(got.starts_with("doesn't match 'yyy"), "{got}");
        assert!(got.ends_with("(500 characters)'"), "{got}");
    }

    #[test]
    fn unquoted_or_unclosed_input_shortens_the_whole_message() {
        let msg = format!("trailing characters `{}", "z".repeat(100_000));
        let got = shorten_quoted(&msg);
        assert!(got.chars().count() < MAX_MESSAGE_CHARS + 40, "{got}");
        assert!(got.ends_with("(100021 characters)"), "{got}");
    }

    #[test]
    fn short_messages_are_borrowed() {
        assert!(matches!(shorten_quoted("expected `,`"), Cow::Borrowed(_)));
    }
}
