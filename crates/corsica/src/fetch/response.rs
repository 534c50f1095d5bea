//! A response head as the browser received it.
//!
//! The model reads a handful of headers (`Access-Control-*`, `Location`,
//! the caching headers) and walks the rest only to say which names a
//! script can read. [`ResponseHead`] keeps every line as received (order,
//! duplicates, name case, odd bytes) and indexes the names the model looks
//! up, once, when a line is added: a check then costs the same whether the
//! head has four lines or ten thousand.
//!
//! Header bytes are kept as text with one character per byte (Latin-1, the
//! Fetch Standard's "isomorphic decode"), so every byte a server can send
//! survives and comparisons stay byte for byte.

use std::borrow::Cow;

use crate::headers;
use crate::headers::eq_ci;

/// The names the model looks up, lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Known {
    AllowOrigin,
    AllowCredentials,
    AllowMethods,
    AllowHeaders,
    MaxAge,
    ExposeHeaders,
    Location,
    ContentLength,
    CacheControl,
    Pragma,
    Expires,
    Vary,
    ETag,
    LastModified,
    ContentType,
    ContentLanguage,
}

const KNOWN: usize = 16;

/// Beyond this many lines a head also keeps a set of its lowercase names,
/// so looking up any name stays O(1) whatever a hostile server sends.
const INDEX_ALL_ABOVE: usize = 32;

impl Known {
    /// The known name `name` is, compared ASCII case-insensitively.
    fn of(name: &str) -> Option<Known> {
        let k = match name.len() {
            27 => Known::AllowOrigin,
            32 => Known::AllowCredentials,
            28 => {
                return if eq_ci(name, "access-control-allow-methods") {
                    Some(Known::AllowMethods)
                } else if eq_ci(name, "access-control-allow-headers") {
                    Some(Known::AllowHeaders)
                } else {
                    None
                };
            }
            22 => Known::MaxAge,
            29 => Known::ExposeHeaders,
            8 => Known::Location,
            14 => Known::ContentLength,
            13 => {
                return if eq_ci(name, "cache-control") {
                    Some(Known::CacheControl)
                } else if eq_ci(name, "last-modified") {
                    Some(Known::LastModified)
                } else {
                    None
                };
            }
            6 => Known::Pragma,
            7 => Known::Expires,
            12 => Known::ContentType,
            16 => Known::ContentLanguage,
            4 => {
                return if eq_ci(name, "vary") {
                    Some(Known::Vary)
                } else if eq_ci(name, "etag") {
                    Some(Known::ETag)
                } else {
                    None
                };
            }
            _ => return None,
        };
        eq_ci(name, k.name()).then_some(k)
    }

    /// The name, lowercase.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Known::AllowOrigin => "access-control-allow-origin",
            Known::AllowCredentials => "access-control-allow-credentials",
            Known::AllowMethods => "access-control-allow-methods",
            Known::AllowHeaders => "access-control-allow-headers",
            Known::MaxAge => "access-control-max-age",
            Known::ExposeHeaders => "access-control-expose-headers",
            Known::Location => "location",
            Known::ContentLength => "content-length",
            Known::CacheControl => "cache-control",
            Known::Pragma => "pragma",
            Known::Expires => "expires",
            Known::Vary => "vary",
            Known::ETag => "etag",
            Known::LastModified => "last-modified",
            Known::ContentType => "content-type",
            Known::ContentLanguage => "content-language",
        }
    }
}

/// A response's status and header lines, as received.
///
/// Build one from the `http` crate's types (`From<&http::response::Parts>`,
/// which has lowercased the names), or line by line with [`push`] (names
/// as received, which Firefox's checks notice) or [`push_bytes`].
///
/// [`push`]: ResponseHead::push
/// [`push_bytes`]: ResponseHead::push_bytes
///
/// ```
/// use corsica::fetch::ResponseHead;
///
/// let mut head = ResponseHead::new(200);
/// head.push("Access-Control-Allow-Origin", "https://app.example");
/// head.push("access-control-allow-origin", "https://app.example");
/// assert_eq!(head.len(), 2);
/// assert_eq!(head.get("ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
///            Some("https://app.example, https://app.example"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead<'a> {
    status: u16,
    lines: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Bytes on the wire: names, values, and `: ` and CRLF per line.
    head_bytes: usize,
    /// For each known name, 1 + the index of its first line (0: absent).
    first: [u32; KNOWN],
    /// Bit `k` set: known name `k` has more than one line.
    repeated: u16,
    /// Every lowercase name, once the head is long (see `INDEX_ALL_ABOVE`).
    names: Option<std::collections::HashSet<String>>,
    /// `Location` parsed once against a base URL (its text), see
    /// [`ResponseHead::resolve_location`]; `None` inside when it does not
    /// parse.
    resolved: Option<Box<(String, Option<url::Url>)>>,
}

/// Text with one character per byte, and its length in bytes: borrowed
/// when `s` has no character beyond U+00FF (every such string already
/// is), else its wire bytes (UTF-8 for the characters beyond) decoded one
/// byte per character.
fn isomorphic(s: Cow<'_, str>) -> (Cow<'_, str>, usize) {
    if s.is_ascii() {
        let len = s.len();
        return (s, len);
    }
    if s.chars().all(|c| c <= '\u{ff}') {
        let len = s.chars().count();
        return (s, len);
    }
    let bytes = headers::wire_bytes(&s);
    let len = bytes.len();
    (Cow::Owned(bytes.into_iter().map(char::from).collect()), len)
}

impl<'a> ResponseHead<'a> {
    /// A head with `status` and no headers yet.
    pub fn new(status: u16) -> ResponseHead<'a> {
        ResponseHead {
            status,
            lines: Vec::new(),
            // The status line: `HTTP/1.1 200 OK` and CRLF, roughly.
            head_bytes: 17,
            first: [0; KNOWN],
            repeated: 0,
            names: None,
            resolved: None,
        }
    }

    /// Makes room for `additional` more lines.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.lines.reserve(additional);
    }

    /// Adds a header line: the name as received and the value. Text is
    /// taken as the case format and `fetch()` read header values: each
    /// character up to U+00FF is one byte, and characters beyond go out as
    /// UTF-8.
    pub fn push(&mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        let (name, name_len) = isomorphic(name.into());
        let (value, value_len) = isomorphic(value.into());
        self.push_line(name, value, name_len + value_len);
    }

    /// Adds a header line from its bytes as received.
    pub fn push_bytes(&mut self, name: &'a [u8], value: &'a [u8]) {
        self.push_line(
            headers::isomorphic_decode(name),
            headers::isomorphic_decode(value),
            name.len() + value.len(),
        );
    }

    /// Adds a line whose name and value are `bytes` long on the wire.
    fn push_line(&mut self, name: Cow<'a, str>, value: Cow<'a, str>, bytes: usize) {
        self.head_bytes = self.head_bytes.saturating_add(bytes + 4);
        if let Some(k) = Known::of(&name) {
            if k == Known::Location {
                self.resolved = None;
            }
            let slot = &mut self.first[k as usize];
            if *slot == 0 {
                *slot = u32::try_from(self.lines.len() + 1).unwrap_or(u32::MAX);
            } else {
                self.repeated |= 1 << (k as u16);
            }
        }
        match &mut self.names {
            Some(names) => {
                names.insert(name.to_ascii_lowercase());
            }
            None if self.lines.len() >= INDEX_ALL_ABOVE => {
                let mut names: std::collections::HashSet<String> = self
                    .lines
                    .iter()
                    .map(|(n, _)| n.to_ascii_lowercase())
                    .collect();
                names.insert(name.to_ascii_lowercase());
                self.names = Some(names);
            }
            None => {}
        }
        self.lines.push((name, value));
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The number of header lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the head has no header lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The size of the head on the wire, in bytes (status line, names,
    /// values, separators).
    pub fn wire_len(&self) -> usize {
        self.head_bytes
    }

    /// The header lines in order: name as received and value, one
    /// character per byte.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines.iter().map(|(n, v)| (&**n, &**v))
    }

    /// <https://fetch.spec.whatwg.org/#concept-header-list-get>: every
    /// value of `name` (ASCII case-insensitive), trimmed of spaces and
    /// tabs, joined with `, `; `None` when there is no such line.
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        match Known::of(name) {
            Some(k) => self.get_known(k),
            None => headers::get_combined(
                self.lines
                    .iter()
                    .filter(|(n, _)| eq_ci(n, name))
                    .map(|(_, v)| &**v),
            ),
        }
    }

    /// [`ResponseHead::get`] for a name the model looks up: the first line
    /// is found through the index, later lines only when there are some.
    pub(crate) fn get_known(&self, k: Known) -> Option<Cow<'_, str>> {
        let first = self.first[k as usize];
        if first == 0 {
            return None;
        }
        let at = (first - 1) as usize;
        if self.repeated & (1 << (k as u16)) == 0 {
            return Some(Cow::Borrowed(headers::trim_tab_or_space(&self.lines[at].1)));
        }
        headers::get_combined(
            self.lines[at..]
                .iter()
                .filter(|(n, _)| eq_ci(n, k.name()))
                .map(|(_, v)| &**v),
        )
    }

    /// Parses `Location` against `base` (the URL this head answers) once,
    /// for a caller that hands the same head back for many requests to
    /// `base` (a simulator's fixed answers): a fetch at `base` then takes
    /// the parsed URL instead of parsing the header on each redirect. What
    /// the fetch does is the same either way.
    pub fn resolve_location(&mut self, base: &url::Url) {
        let parsed = self
            .get_known(Known::Location)
            .and_then(|loc| super::redirect::location_url(base, &loc));
        self.resolved = Some(Box::new((base.as_str().to_owned(), parsed)));
    }

    /// The `Location` parsed against `current`, if
    /// [`resolve_location`](ResponseHead::resolve_location) did it for
    /// that URL: `Some(None)` when it does not parse.
    pub(crate) fn resolved_location(&self, current: &url::Url) -> Option<Option<&url::Url>> {
        match &self.resolved {
            Some(r) if r.0 == current.as_str() => Some(r.1.as_ref()),
            _ => None,
        }
    }

    /// Whether `k` is present.
    pub(crate) fn has(&self, k: Known) -> bool {
        self.first[k as usize] != 0
    }

    /// Whether a line named `lowercase` (a lowercase name) is present:
    /// O(1) for known names and long heads, a scan of a short head
    /// otherwise.
    pub(crate) fn contains(&self, lowercase: &str) -> bool {
        if let Some(k) = Known::of(lowercase) {
            return self.has(k);
        }
        match &self.names {
            Some(names) => names.contains(lowercase),
            None => self.lines.iter().any(|(n, _)| eq_ci(n, lowercase)),
        }
    }

    /// The lines of known name `k`, names as received.
    pub(crate) fn lines_of(&self, k: Known) -> impl Iterator<Item = (&str, &str)> {
        let first = self.first[k as usize] as usize;
        let (from, to) = match (first, self.repeated & (1 << (k as u16)) != 0) {
            (0, _) => (0, 0),
            (f, false) => (f - 1, f),
            (f, true) => (f - 1, self.lines.len()),
        };
        self.lines[from..to]
            .iter()
            .filter(move |(n, _)| eq_ci(n, k.name()))
            .map(|(n, v)| (&**n, &**v))
    }

    /// The same head, owning its text.
    pub fn into_owned(self) -> ResponseHead<'static> {
        ResponseHead {
            status: self.status,
            lines: self
                .lines
                .into_iter()
                .map(|(n, v)| (Cow::Owned(n.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
            head_bytes: self.head_bytes,
            first: self.first,
            repeated: self.repeated,
            names: self.names,
            resolved: self.resolved,
        }
    }
}

impl<'a> From<&'a http::response::Parts> for ResponseHead<'a> {
    /// The head of a response received with the `http` crate's types. Its
    /// header names are lowercase: a Firefox check that looks at name case
    /// (counting `Access-Control-Allow-Origin` lines) then sees none.
    fn from(parts: &'a http::response::Parts) -> ResponseHead<'a> {
        let mut head = ResponseHead::new(parts.status.as_u16());
        head.lines.reserve(parts.headers.len());
        for (name, value) in &parts.headers {
            head.push_bytes(name.as_str().as_bytes(), value.as_bytes());
        }
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_are_indexed_case_insensitively() {
        for k in [
            Known::AllowOrigin,
            Known::AllowCredentials,
            Known::AllowMethods,
            Known::AllowHeaders,
            Known::MaxAge,
            Known::ExposeHeaders,
            Known::Location,
            Known::ContentLength,
            Known::CacheControl,
            Known::Pragma,
            Known::Expires,
            Known::Vary,
            Known::ETag,
            Known::LastModified,
            Known::ContentType,
            Known::ContentLanguage,
        ] {
            assert_eq!(Known::of(k.name()), Some(k));
            assert_eq!(Known::of(&k.name().to_ascii_uppercase()), Some(k));
        }
        assert_eq!(Known::of("access-control-allow-originx"), None);
        assert_eq!(Known::of("x-vary"), None);
    }

    #[test]
    fn get_joins_every_line_trimmed() {
        let mut h = ResponseHead::new(200);
        h.push("X-A", " 1 ");
        h.push("Vary", "Origin");
        h.push("x-a", "\t2");
        h.push("VARY", "Accept ");
        assert_eq!(h.get("x-a").as_deref(), Some("1, 2"));
        assert_eq!(h.get("vary").as_deref(), Some("Origin, Accept"));
        assert_eq!(h.get_known(Known::Vary).as_deref(), Some("Origin, Accept"));
        assert_eq!(h.get("x-b"), None);
        assert_eq!(
            h.lines_of(Known::Vary).map(|(n, _)| n).collect::<Vec<_>>(),
            ["Vary", "VARY"]
        );
    }

    #[test]
    fn bytes_and_wide_characters_become_one_character_per_byte() {
        let mut h = ResponseHead::new(200);
        h.push_bytes(b"X-A", b"caf\xe9");
        h.push("X-B", "caf\u{e9}");
        h.push("X-C", "\u{2192}");
        let lines: Vec<_> = h.iter().collect();
        assert_eq!(lines[0].1, "caf\u{e9}");
        assert_eq!(lines[1].1, "caf\u{e9}");
        assert_eq!(lines[2].1, "\u{e2}\u{86}\u{92}");
        // 17 for the status line, then name + value + 4 per line.
        assert_eq!(h.wire_len(), 17 + (3 + 4 + 4) * 2 + (3 + 3 + 4));
    }

    #[test]
    fn from_http_parts() {
        let (parts, ()) = http::Response::builder()
            .status(204)
            .header("access-control-allow-origin", "*")
            .body(())
            .unwrap()
            .into_parts();
        let h = ResponseHead::from(&parts);
        assert_eq!(h.status(), 204);
        assert_eq!(h.get_known(Known::AllowOrigin).as_deref(), Some("*"));
    }
}
