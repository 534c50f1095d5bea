//! Splits a stream of JSON text into its values, with the line and column
//! where each starts, so that a bad value is reported where it is and the
//! values after it are still read.
//!
//! Accepted, in any mix:
//! - JSON Lines: one value per line (what `conformance/cases/` holds);
//! - values written over several lines (pretty-printed), one after another;
//! - JSON arrays of values: `[` … `]`, each element a value (commas between
//!   them are optional).
//!
//! Input is read a line at a time and each value is handed on as soon as it
//! is complete, so a long JSON Lines stream is answered while it is read.
//!
//! Recovery: a value that is not valid JSON is reported at the line and
//! column of the fault; reading resumes at the first following line that
//! starts a value at most as indented as the bad one (for JSON Lines, the
//! next line), so one broken case costs one error, not one per line.

use std::io::{BufRead, Read};

use anyhow::Context as _;
use serde::de::IgnoredAny;

/// Where a value starts: 1-based line, and the 1-based column (in
/// characters) of its first character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Start {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Start {
    /// The absolute line and column of a position that a JSON parser,
    /// given only this value's text, reported as `line`:`column`.
    pub(crate) fn locate(self, line: usize, column: usize) -> (usize, usize) {
        if line <= 1 {
            (self.line, self.column + column.saturating_sub(1))
        } else {
            (self.line + line - 1, column)
        }
    }
}

/// Whether a `[` … `]` array is open at the top level.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Top,
    InArray,
}

/// What the next value in the buffer looks like.
enum Next {
    /// A complete value of this many bytes.
    Complete(usize),
    /// The text ends inside a value: more lines are needed.
    Incomplete(serde_json::Error),
    /// Not JSON.
    Invalid(serde_json::Error),
}

/// The most text one value may take, in bytes: a case with a few
/// megabyte-long headers fits; a line without end is not held in memory
/// whole, it is reported and skipped.
pub(crate) const MAX_VALUE_BYTES: usize = 64 << 20;

/// Reads `input` to its end, calling `on_value(start, text)` for every JSON
/// value (the elements of a top-level array one by one) and
/// `on_error(line, column, problem)` for every piece of text that is not
/// one. An error from `on_value` (a failed write) stops the reading and is
/// returned, as is a read error.
pub(crate) fn for_each_value(
    input: impl BufRead,
    on_value: impl FnMut(Start, &str) -> anyhow::Result<()>,
    on_error: impl FnMut(usize, Option<usize>, &str),
) -> anyhow::Result<()> {
    for_each_value_within(input, MAX_VALUE_BYTES, on_value, on_error)
}

/// [`for_each_value`], with values of at most `max` bytes: a longer line,
/// or a value that grows past it over several lines, is one error and
/// reading resumes after it.
fn for_each_value_within(
    input: impl BufRead,
    max: usize,
    mut on_value: impl FnMut(Start, &str) -> anyhow::Result<()>,
    mut on_error: impl FnMut(usize, Option<usize>, &str),
) -> anyhow::Result<()> {
    let mut reader = Reader {
        buf: String::new(),
        pos: 0,
        line: 1,
        column: 1,
        level: Level::Top,
        skip_deeper_than: None,
    };
    let mut input = input;
    let mut raw = Vec::with_capacity(4096);
    let mut line_no = 0usize;
    loop {
        raw.clear();
        let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
        let n = (&mut input)
            .take(limit)
            .read_until(b'\n', &mut raw)
            .context("cannot read cases")?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if raw.len() > max {
            let newline = raw.last() == Some(&b'\n');
            if !newline {
                skip_line(&mut input)?;
            }
            on_error(
                line_no,
                None,
                &format!(
                    "the line is longer than {} bytes, more than a case may hold; \
                     write each case on its own line",
                    max
                ),
            );
            reader.reset(line_no + 1);
            continue;
        }
        let Ok(text) = std::str::from_utf8(&raw) else {
            let e = std::str::from_utf8(&raw).unwrap_err();
            on_error(
                line_no,
                None,
                &format!("not UTF-8 ({e}); cases are JSON text"),
            );
            // A value in progress cannot be completed without this line.
            reader.reset(line_no + 1);
            continue;
        };
        if let Some(indent) = reader.skip_deeper_than {
            if !starts_value_at_most(text, indent, reader.level) {
                continue;
            }
            reader.skip_deeper_than = None;
            reader.reset(line_no);
        }
        reader.push_line(text, line_no);
        if reader.rest().len() > max {
            // A value spread over lines that never ends: drop it, resume at
            // the next line that starts one.
            on_error(
                reader.line,
                None,
                &format!(
                    "a value that starts here grows past {max} bytes, more than a case may hold"
                ),
            );
            reader.reset(line_no + 1);
            reader.skip_deeper_than = Some(usize::MAX);
            continue;
        }
        reader.drain(false, &mut on_value, &mut on_error)?;
    }
    reader.drain(true, &mut on_value, &mut on_error)?;
    if reader.level == Level::InArray && reader.skip_deeper_than.is_none() {
        on_error(
            line_no.max(1),
            None,
            "the input ends inside a JSON array: a `]` is missing",
        );
    }
    Ok(())
}

/// Reads and drops the rest of the current line, a buffer at a time.
fn skip_line(input: &mut impl BufRead) -> anyhow::Result<()> {
    loop {
        let buf = input.fill_buf().context("cannot read cases")?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Whether `line` starts (after spaces) with `{`, `[` (or, in an array,
/// `]`) at an indentation of at most `indent` characters: where reading
/// resumes after a bad value.
fn starts_value_at_most(line: &str, indent: usize, level: Level) -> bool {
    let trimmed = line.trim_start();
    let at = line.len() - trimmed.len();
    at <= indent
        && (trimmed.starts_with(['{', '['])
            || (level == Level::InArray && trimmed.starts_with(']')))
}

struct Reader {
    /// Text read and not yet consumed starts at `pos`.
    buf: String,
    pos: usize,
    /// Line and column of `buf[pos..]`.
    line: usize,
    column: usize,
    level: Level,
    /// After a bad value: skip lines until one starts a value at this
    /// indentation or less.
    skip_deeper_than: Option<usize>,
}

impl Reader {
    /// Forgets the text read so far; the next line read is `next_line`.
    fn reset(&mut self, next_line: usize) {
        self.buf.clear();
        self.pos = 0;
        self.line = next_line;
        self.column = 1;
    }

    fn push_line(&mut self, text: &str, line_no: usize) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.buf.is_empty() {
            self.line = line_no;
            self.column = 1;
        }
        self.buf.push_str(text);
    }

    /// Consumes `n` bytes, keeping the line and column of what follows.
    fn advance(&mut self, n: usize) {
        let skipped = &self.buf[self.pos..self.pos + n];
        match skipped.rfind('\n') {
            Some(i) => {
                self.line += skipped.matches('\n').count();
                self.column = skipped[i + 1..].chars().count() + 1;
            }
            None => self.column += skipped.chars().count(),
        }
        self.pos += n;
    }

    fn rest(&self) -> &str {
        &self.buf[self.pos..]
    }

    /// Hands on every complete value in the buffer; at the end of input,
    /// reports what is left as incomplete.
    fn drain(
        &mut self,
        at_end: bool,
        on_value: &mut impl FnMut(Start, &str) -> anyhow::Result<()>,
        on_error: &mut impl FnMut(usize, Option<usize>, &str),
    ) -> anyhow::Result<()> {
        if self.skip_deeper_than.is_some() {
            return Ok(());
        }
        loop {
            let rest = self.rest();
            let blank = rest.len() - rest.trim_start().len();
            self.advance(blank);
            let Some(first) = self.rest().chars().next() else {
                return Ok(());
            };
            match (self.level, first) {
                (Level::Top, '[') => {
                    self.level = Level::InArray;
                    self.advance(1);
                    continue;
                }
                (Level::InArray, ']') => {
                    self.level = Level::Top;
                    self.advance(1);
                    continue;
                }
                (Level::InArray, ',') => {
                    self.advance(1);
                    continue;
                }
                _ => {}
            }
            let start = Start {
                line: self.line,
                column: self.column,
            };
            match next_value(self.rest()) {
                Next::Complete(len) => {
                    let text = &self.buf[self.pos..self.pos + len];
                    on_value(start, text)?;
                    self.advance(len);
                }
                Next::Incomplete(e) => {
                    if at_end {
                        let (line, column) = start.locate(e.line(), e.column());
                        on_error(
                            line,
                            Some(column),
                            &format!(
                                "the input ends inside the value that starts on line {} ({})",
                                start.line,
                                message(&e)
                            ),
                        );
                        self.reset(line + 1);
                    }
                    return Ok(());
                }
                Next::Invalid(e) => {
                    let (line, column) = start.locate(e.line(), e.column());
                    on_error(line, Some(column), &format!("not JSON: {}", message(&e)));
                    self.recover(start, line);
                }
            }
        }
    }

    /// After a bad value that starts at `start` with a fault on line
    /// `fault`: resumes at the first line from `fault` on (after `start`'s
    /// own line) that starts a value at most as indented as the bad one,
    /// or skips lines read later until one does.
    fn recover(&mut self, start: Start, fault: usize) {
        let indent = start.column - 1;
        // The lines of the buffer after the bad value's first line.
        let mut line = self.line;
        let mut offset = self.pos;
        while let Some(nl) = self.buf[offset..].find('\n') {
            offset += nl + 1;
            line += 1;
            if line < fault {
                continue;
            }
            if starts_value_at_most(&self.buf[offset..], indent, self.level) {
                self.advance(offset - self.pos);
                return;
            }
        }
        // `line` is now the line after the buffer's last: the next one read.
        self.skip_deeper_than = Some(indent);
        self.reset(line);
    }
}

/// What serde_json says, without its "at line L column C" (the caller
/// gives the position in the whole input).
pub(crate) fn message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// How long the JSON value at the start of `text` is, if it is complete.
fn next_value(text: &str) -> Next {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) | None => Next::Complete(values.byte_offset()),
        Some(Err(e)) if e.is_eof() => Next::Incomplete(e),
        Some(Err(e)) => Next::Invalid(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, column, text) of each value; (line, column, problem) of each error.
    type Found = (
        Vec<(usize, usize, String)>,
        Vec<(usize, Option<usize>, String)>,
    );

    fn split(input: &str) -> Found {
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for_each_value(
            input.as_bytes(),
            |start, text| {
                values.push((start.line, start.column, text.to_owned()));
                Ok(())
            },
            |line, column, problem| errors.push((line, column, problem.to_owned())),
        )
        .unwrap();
        (values, errors)
    }

    #[test]
    fn json_lines() {
        let (values, errors) = split("{\"a\":1}\n\n  {\"b\":2}\n{\"c\":3}");
        assert_eq!(
            values,
            [
                (1, 1, "{\"a\":1}".to_owned()),
                (3, 3, "{\"b\":2}".to_owned()),
                (4, 1, "{\"c\":3}".to_owned()),
            ]
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn pretty_printed_values_one_after_another() {
        let (values, errors) =
            split("{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n{\n  \"c\": 3\n}\n");
        assert_eq!(values.len(), 2);
        assert_eq!((values[0].0, values[0].1), (1, 1));
        assert_eq!((values[1].0, values[1].1), (7, 1));
        assert!(errors.is_empty());
    }

    #[test]
    fn arrays_one_line_or_pretty() {
        let (values, errors) =
            split("[{\"a\":1}, {\"b\":2}]\n[\n  {\n    \"c\": 3\n  },\n  {\"d\": 4}\n]\n");
        let starts: Vec<(usize, usize)> = values.iter().map(|v| (v.0, v.1)).collect();
        assert_eq!(starts, [(1, 2), (1, 11), (3, 3), (6, 3)]);
        assert!(errors.is_empty());
    }

    #[test]
    fn a_bad_line_costs_one_error() {
        let (values, errors) = split("{\"a\":1}\n{not json\n{\"b\":2}\n{\"c\": 3,\n{\"d\":4}\n");
        let texts: Vec<&str> = values.iter().map(|v| v.2.as_str()).collect();
        assert_eq!(texts, ["{\"a\":1}", "{\"b\":2}", "{\"d\":4}"]);
        let at: Vec<(usize, Option<usize>)> = errors.iter().map(|e| (e.0, e.1)).collect();
        // `{"c": 3,` is cut short: the fault is where the next case starts.
        assert_eq!(at, [(2, Some(2)), (5, Some(1))], "{errors:?}");
        assert!(
            errors[0].2.starts_with("not JSON: key must be a string"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_bad_pretty_value_costs_one_error() {
        let input =
            "{\n  \"a\": 1,\n  \"b\": nope,\n  \"c\": {\n    \"d\": 2\n  }\n}\n{\n  \"e\": 5\n}\n";
        let (values, errors) = split(input);
        assert_eq!(errors.len(), 1, "{errors:?}");
        // serde_json points at the first character that cannot be `null`.
        assert_eq!((errors[0].0, errors[0].1), (3, Some(9)));
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].0, 8);
    }

    #[test]
    fn input_ending_inside_a_value_or_array() {
        let (values, errors) = split("{\"a\":1}\n{\"b\":\n");
        assert_eq!(values.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .2
                .contains("ends inside the value that starts on line 2"),
            "{errors:?}"
        );
        let (_, errors) = split("[{\"a\":1},\n");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].2.contains("`]` is missing"), "{errors:?}");
    }

    #[test]
    fn overlong_lines_and_values_are_one_error_each() {
        let input = format!(
            "{{\"a\":1}}\n{{\"long\":\"{}\"}}\n{{\"b\":2}}\n{{\n\"c\": \"{y}\",\n\"d\": \"{y}\"\n}}\n{{\"e\":3}}\n",
            "x".repeat(500),
            y = "y".repeat(60),
        );
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for_each_value_within(
            // A small buffer: the long line is skipped over several reads.
            std::io::BufReader::with_capacity(16, input.as_bytes()),
            120,
            |s, t| {
                values.push((s.line, t.to_owned()));
                Ok(())
            },
            |l, _, p| errors.push((l, p.to_owned())),
        )
        .unwrap();
        assert_eq!(
            values,
            [
                (1, "{\"a\":1}".to_owned()),
                (3, "{\"b\":2}".to_owned()),
                (8, "{\"e\":3}".to_owned())
            ]
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, 2);
        assert!(errors[0].1.contains("longer than 120 bytes"), "{errors:?}");
        assert_eq!(errors[1].0, 4);
        assert!(errors[1].1.contains("grows past 120 bytes"), "{errors:?}");
    }

    #[test]
    fn not_utf8_is_one_error_and_the_rest_is_read() {
        let mut input = b"{\"a\":1}\n".to_vec();
        input.extend_from_slice(b"{\"b\":\"\xff\"}\n{\"c\":1}\n");
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for_each_value(
            &input[..],
            |s, t| {
                values.push((s.line, t.to_owned()));
                Ok(())
            },
            |l, _, p| errors.push((l, p.to_owned())),
        )
        .unwrap();
        assert_eq!(
            values,
            [(1, "{\"a\":1}".to_owned()), (3, "{\"c\":1}".to_owned())]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
    }

    #[test]
    fn locate_maps_value_positions_to_the_input() {
        let s = Start { line: 4, column: 3 };
        assert_eq!(s.locate(1, 1), (4, 3));
        assert_eq!(s.locate(1, 10), (4, 12));
        assert_eq!(s.locate(3, 7), (6, 7));
    }
}
