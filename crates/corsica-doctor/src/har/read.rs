//! Reading a HAR file as a stream: one entry at a time, each reduced at
//! once to what a replay needs (method, URL, headers, status, the
//! DevTools extras), so a 200 MB export with large bodies costs the
//! memory of its headers. A field of the wrong type or a missing one is a
//! warning on its entry, never a failure; only text that is not JSON stops
//! the reading (what was read before is kept).

use std::fmt;
use std::io;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::Value;

/// The most header lines kept per request or response.
pub const MAX_HEADERS: usize = 512;
/// The longest header value kept, in bytes (longer ones are cut).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most entries kept.
pub const MAX_ENTRIES: usize = 1_000_000;
/// The most warnings kept (the rest are counted).
pub const MAX_WARNINGS: usize = 1000;

/// A HAR as far as a replay needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarFile {
    /// `log.creator.name` (`WebInspector` for Chromium's DevTools,
    /// `Firefox`, `Playwright`, ...).
    pub creator: Option<String>,
    /// `log.browser.name`, when the export says.
    pub browser: Option<String>,
    /// `log.pages`: id and title (Chromium's title is the page's URL).
    pub pages: Vec<HarPage>,
    /// The entries, in file order.
    pub entries: Vec<HarEntry>,
    /// What was odd, by entry.
    pub warnings: Vec<String>,
    /// Warnings beyond [`MAX_WARNINGS`], counted.
    pub more_warnings: usize,
    /// Why the reading stopped early (the text is not JSON from there on).
    pub error: Option<String>,
}

/// One page of the export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarPage {
    /// Its id (entries name it in `pageref`).
    pub id: String,
    /// Its title.
    pub title: String,
}

/// One entry: a request and its response, as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarEntry {
    /// Its position in `log.entries`, from 0.
    pub index: usize,
    /// The page it belongs to.
    pub pageref: Option<String>,
    /// `startedDateTime`, in milliseconds since 1970 when it parses.
    pub started_ms: Option<i64>,
    /// Chromium's `_resourceType` (`fetch`, `xhr`, `preflight`,
    /// `document`, ...).
    pub resource_type: Option<String>,
    /// Chromium's `_initiator.type` (`script`, `preflight`, `other`, ...).
    pub initiator_type: Option<String>,
    /// `_initiator.url`: for a preflight, the URL of the request it
    /// preceded.
    pub initiator_url: Option<String>,
    /// The request method.
    pub method: String,
    /// The request URL.
    pub url: String,
    /// The request's header lines, in order.
    pub request_headers: Vec<(String, String)>,
    /// The response status as recorded (0 or -1 when the request failed
    /// without one); `None` without a response object.
    pub status: Option<i64>,
    /// The response's header lines, in order.
    pub response_headers: Vec<(String, String)>,
    /// Why the request failed (Chromium's `_error`, Playwright's
    /// `_failureText`).
    pub error: Option<String>,
}

impl HarEntry {
    /// The first request header named `name` (ASCII case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a response came back: a status above 0, or headers.
    pub fn has_response(&self) -> bool {
        self.status.is_some_and(|s| s > 0)
    }
}

/// The kind of JSON value a field expects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
    Str,
    Num,
}

trait Expect {
    const KIND: Kind;
}
impl Expect for String {
    const KIND: Kind = Kind::Str;
}
impl Expect for i64 {
    const KIND: Kind = Kind::Num;
}
impl<T> Expect for Vec<T> {
    const KIND: Kind = Kind::Seq;
}

/// A field read leniently: absent, `null`, of another type than expected
/// (named, for the warning), or the value.
#[derive(Clone, Debug, Default)]
enum Lenient<T> {
    #[default]
    Missing,
    Null,
    Wrong(&'static str),
    Value(T),
}

impl<T> Lenient<T> {
    fn value(self) -> Option<T> {
        match self {
            Lenient::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A warning when the field is there but unusable.
    fn problem(&self, field: &str, expected: &str) -> Option<String> {
        match self {
            Lenient::Wrong(got) => Some(format!("`{field}` is {got}, not {expected}")),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de> + Expect> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Expect> LenientVisitor<T> {
    /// `T` from a value already taken whole: a type error is a `Wrong`.
    fn from_scalar<D>(d: D, got: &'static str) -> Lenient<T>
    where
        D: Deserializer<'de, Error = de::value::Error>,
    {
        T::deserialize(d).map_or(Lenient::Wrong(got), Lenient::Value)
    }
}

impl<'de, T: Deserialize<'de> + Expect> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(match T::KIND {
            Kind::Num => Self::from_scalar(v.into_deserializer(), "a number"),
            _ => Lenient::Wrong("a number"),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Ok(Lenient::Wrong("a number out of range")),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if T::KIND == Kind::Num && v.fract() == 0.0 && v.abs() < 1e15 {
            #[allow(clippy::cast_possible_truncation)] // integral and in range
            return self.visit_i64(v as i64);
        }
        Ok(Lenient::Wrong("a number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match T::KIND {
            Kind::Str => Self::from_scalar(v.into_deserializer(), "a string"),
            _ => Lenient::Wrong("a string"),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if T::KIND == Kind::Map {
            // `T`'s fields are all lenient: only bad JSON fails here.
            return T::deserialize(MapAccessDeserializer::new(map)).map(Lenient::Value);
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if T::KIND == Kind::Seq {
            return T::deserialize(SeqAccessDeserializer::new(seq)).map(Lenient::Value);
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an array"))
    }
}

macro_rules! lenient_struct {
    ($(#[$m:meta])* struct $name:ident { $($(#[$fm:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(default)]
        struct $name { $($(#[$fm])* $field: $ty,)* }
        impl Expect for $name {
            const KIND: Kind = Kind::Map;
        }
    };
}

lenient_struct! {
    struct RawHeader {
        name: Lenient<String>,
        value: Lenient<String>,
    }
}

lenient_struct! {
    struct RawRequest {
        method: Lenient<String>,
        url: Lenient<String>,
        headers: Lenient<Vec<Lenient<RawHeader>>>,
    }
}

lenient_struct! {
    struct RawResponse {
        status: Lenient<i64>,
        headers: Lenient<Vec<Lenient<RawHeader>>>,
        #[serde(rename = "_error")]
        error: Lenient<String>,
        #[serde(rename = "_failureText")]
        failure_text: Lenient<String>,
    }
}

lenient_struct! {
    struct RawEntry {
        pageref: Lenient<String>,
        #[serde(rename = "startedDateTime")]
        started: Lenient<String>,
        #[serde(rename = "_resourceType")]
        resource_type: Lenient<String>,
        #[serde(rename = "_initiator")]
        initiator: Option<Value>,
        request: Lenient<RawRequest>,
        response: Lenient<RawResponse>,
    }
}

lenient_struct! {
    struct RawCreator {
        name: Lenient<String>,
    }
}

lenient_struct! {
    struct RawPage {
        id: Lenient<String>,
        title: Lenient<String>,
    }
}

/// Where the entries go while the file is read.
struct Sink {
    file: HarFile,
    seen_log: bool,
    seen_entries: bool,
    next_index: usize,
}

impl Sink {
    fn warn(&mut self, message: String) {
        if self.file.warnings.len() < MAX_WARNINGS {
            self.file.warnings.push(message);
        } else {
            self.file.more_warnings += 1;
        }
    }
}

/// Header lines kept from a recorded list, with a warning per odd line.
fn headers(
    raw: Lenient<Vec<Lenient<RawHeader>>>,
    what: &str,
    warn: &mut Vec<String>,
) -> Vec<(String, String)> {
    if let Some(p) = raw.problem(what, "an array") {
        warn.push(p);
    }
    let mut out = Vec::new();
    let mut odd = 0;
    let mut cut = 0;
    for h in raw.value().unwrap_or_default() {
        let Some(h) = h.value() else {
            odd += 1;
            continue;
        };
        let (Some(name), Some(mut value)) = (h.name.value(), h.value.value()) else {
            odd += 1;
            continue;
        };
        if out.len() >= MAX_HEADERS {
            cut += 1;
            continue;
        }
        if value.len() > MAX_HEADER_BYTES {
            let mut end = MAX_HEADER_BYTES;
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            value.truncate(end);
            cut += 1;
        }
        out.push((name, value));
    }
    if odd > 0 {
        warn.push(format!(
            "{odd} of its {what} have no string `name` or `value` (left out)"
        ));
    }
    if cut > 0 {
        warn.push(format!(
            "{cut} of its {what} were cut (over {MAX_HEADERS} lines or {MAX_HEADER_BYTES} bytes)"
        ));
    }
    out
}

/// The entry kept from a raw one, or `None` (with warnings) when it has
/// no request to replay.
fn entry(index: usize, raw: RawEntry, warn: &mut Vec<String>) -> Option<HarEntry> {
    let request = match raw.request {
        Lenient::Value(r) => r,
        other => {
            warn.push(match other.problem("request", "an object") {
                Some(p) => format!("{p}: left out"),
                None => "it has no `request`: left out".to_owned(),
            });
            return None;
        }
    };
    if let Some(p) = request.method.problem("request.method", "a string") {
        warn.push(p);
    }
    if let Some(p) = request.url.problem("request.url", "a string") {
        warn.push(p);
    }
    let (Some(method), Some(url)) = (request.method.value(), request.url.value()) else {
        warn.push("its request has no `method` or `url`: left out".to_owned());
        return None;
    };
    let request_headers = headers(request.headers, "request.headers", warn);
    let (status, response_headers, error) = match raw.response {
        Lenient::Value(r) => {
            if let Some(p) = r.status.problem("response.status", "a number") {
                warn.push(p);
            }
            let headers = headers(r.headers, "response.headers", warn);
            let error = r
                .error
                .value()
                .or_else(|| r.failure_text.value())
                .filter(|e| !e.is_empty());
            (r.status.value(), headers, error)
        }
        other => {
            warn.push(match other.problem("response", "an object") {
                Some(p) => p,
                None => "it has no `response` (taken as: no answer recorded)".to_owned(),
            });
            (None, Vec::new(), None)
        }
    };
    let (initiator_type, initiator_url) = match raw.initiator {
        Some(Value::Object(o)) => (
            o.get("type").and_then(Value::as_str).map(str::to_owned),
            o.get("url").and_then(Value::as_str).map(str::to_owned),
        ),
        // chrome-har writes the initiator's URL alone.
        Some(Value::String(s)) => (None, Some(s)),
        _ => (None, None),
    };
    let started_ms = raw.started.value().and_then(|s| parse_time_ms(&s));
    Some(HarEntry {
        index,
        pageref: raw.pageref.value(),
        started_ms,
        resource_type: raw.resource_type.value(),
        initiator_type,
        initiator_url,
        method,
        url,
        request_headers,
        status,
        response_headers,
        error,
    })
}

struct RootSeed<'s>(&'s mut Sink);

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object ({\"log\": ...})")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                self.0.seen_log = true;
                map.next_value_seed(LogSeed(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct LogSeed<'s>(&'s mut Sink);

impl<'de> DeserializeSeed<'de> for LogSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the `log` object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "creator" => {
                    let c: Lenient<RawCreator> = map.next_value()?;
                    self.0.file.creator = c.value().and_then(|c| c.name.value());
                }
                "browser" => {
                    let c: Lenient<RawCreator> = map.next_value()?;
                    self.0.file.browser = c.value().and_then(|c| c.name.value());
                }
                "pages" => {
                    let pages: Lenient<Vec<Lenient<RawPage>>> = map.next_value()?;
                    for p in pages.value().unwrap_or_default() {
                        if let Some(p) = p.value() {
                            self.0.file.pages.push(HarPage {
                                id: p.id.value().unwrap_or_default(),
                                title: p.title.value().unwrap_or_default(),
                            });
                        }
                    }
                }
                "entries" => {
                    self.0.seen_entries = true;
                    map.next_value_seed(EntriesSeed(self.0))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.0.warn("`log` is an array, not an object".to_owned());
        Ok(())
    }
}

struct EntriesSeed<'s>(&'s mut Sink);

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the `entries` array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Lenient<RawEntry>>()? {
            let index = self.0.next_index;
            self.0.next_index += 1;
            let mut warn = Vec::new();
            let kept = match raw {
                Lenient::Value(raw) => entry(index, raw, &mut warn),
                other => {
                    warn.push(
                        other
                            .problem("entry", "an object")
                            .unwrap_or_else(|| "it is null".to_owned()),
                    );
                    None
                }
            };
            for w in warn {
                self.0.warn(format!("entry {index}: {w}"));
            }
            if let Some(e) = kept {
                if self.0.file.entries.len() < MAX_ENTRIES {
                    self.0.file.entries.push(e);
                } else if self.0.file.entries.len() == MAX_ENTRIES {
                    self.0
                        .warn(format!("over {MAX_ENTRIES} entries: the rest are not read"));
                }
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.0
            .warn("`log.entries` is an object, not an array".to_owned());
        Ok(())
    }
}

/// Reads a HAR from `input`, streaming. Never fails: what cannot be read
/// is in [`HarFile::error`] and [`HarFile::warnings`].
pub fn read(input: impl io::Read) -> HarFile {
    let mut sink = Sink {
        file: HarFile::default(),
        seen_log: false,
        seen_entries: false,
        next_index: 0,
    };
    let reader = io::BufReader::with_capacity(1 << 16, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = RootSeed(&mut sink)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = result {
        let what = if e.is_io() {
            format!("cannot read the file: {e}")
        } else if e.is_eof() {
            format!(
                "the file ends early (line {}, column {}): it is cut off",
                e.line(),
                e.column()
            )
        } else {
            let text = e.to_string();
            let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
            format!(
                "not JSON at line {}, column {}: {text}",
                e.line(),
                e.column()
            )
        };
        sink.file.error = Some(format!(
            "{what}; {} entries were read before",
            sink.file.entries.len()
        ));
    } else if !sink.seen_log {
        sink.file.error = Some(
            "not a HAR: there is no `log` object (export it from the Network panel: \
             right-click, \"Save all as HAR\")"
                .to_owned(),
        );
    } else if !sink.seen_entries {
        sink.warn("`log.entries` is missing: the export holds no requests".to_owned());
    }
    sink.file
}

/// `2024-05-01T12:34:56.789Z` (or with an offset) in milliseconds since
/// 1970; `None` when it is not such a time.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        let f = &frac[..digits];
        ms = f
            .get(..3.min(f.len()))
            .and_then(|x| x.parse::<i64>().ok())
            .map_or(0, |x| {
                x * 10_i64.pow(3 - u32::try_from(f.len().min(3)).unwrap_or(3))
            });
        rest = &frac[digits..];
    }
    let offset_min = match rest.as_bytes().first() {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6).or(rest.get(3..5))?.parse().ok()?;
            let m = oh * 60 + om;
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + sec * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time_ms("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            parse_time_ms("2000-03-01T00:00:00.000Z"),
            Some(951_868_800_000)
        );
        assert_eq!(
            parse_time_ms("2000-03-01T01:00:00.000+01:00"),
            Some(951_868_800_000)
        );
        assert_eq!(parse_time_ms("yesterday"), None);
        assert_eq!(parse_time_ms("2000-13-01T00:00:00Z"), None);
    }

    #[test]
    fn odd_fields_are_warnings_not_failures() {
        let har = r#"{"log": {"creator": {"name": "X"}, "pages": 3, "entries": [
            {"request": {"method": "GET", "url": "http://a.test/", "headers": [{"name": "A", "value": 1}, 7]},
             "response": {"status": "200", "headers": [], "content": {"text": "big"}}},
            {"request": "nope"},
            null,
            {"request": {"method": "GET"}},
            {"request": {"method": "PUT", "url": "http://a.test/x", "headers": []}, "response": {"status": 0.0, "_error": "net::ERR_FAILED"}},
            {"request": {"method": "GET", "url": "http://a.test/y", "headers": {}}, "_initiator": "http://a.test/page"}
        ]}}"#;
        let f = read(har.as_bytes());
        assert_eq!(f.error, None);
        assert_eq!(f.creator.as_deref(), Some("X"));
        assert_eq!(f.entries.len(), 3);
        assert_eq!(f.entries[0].status, None);
        assert_eq!(f.entries[1].index, 4);
        assert_eq!(f.entries[1].status, Some(0));
        assert_eq!(f.entries[1].error.as_deref(), Some("net::ERR_FAILED"));
        assert_eq!(
            f.entries[2].initiator_url.as_deref(),
            Some("http://a.test/page")
        );
        let w = f.warnings.join("\n");
        for needle in [
            "entry 0: 2 of its request.headers have no string",
            "entry 0: `response.status` is a string, not a number",
            "entry 1: `request` is a string, not an object: left out",
            "entry 2: it is null",
            "entry 3: its request has no `method` or `url`: left out",
            "entry 5: `request.headers` is an object, not an array",
        ] {
            assert!(w.contains(needle), "{needle:?} not in\n{w}");
        }
    }

    #[test]
    fn broken_json_keeps_what_was_read() {
        let f = read(
            &br#"{"log": {"entries": [{"request": {"method": "GET", "url": "http://a/"}}, {"request": "#[..],
        );
        assert_eq!(f.entries.len(), 1);
        assert!(
            f.error.as_deref().unwrap().contains("cut off"),
            "{:?}",
            f.error
        );
        let f = read(&b"[1, 2]"[..]);
        assert!(f.error.is_some());
        let f = read(&br#"{"nolog": 1}"#[..]);
        assert!(f.error.as_deref().unwrap().starts_with("not a HAR"));
        let f = read(&b"\xff\xfe"[..]);
        assert!(f.error.is_some());
    }

    #[test]
    fn huge_values_are_cut_with_a_warning() {
        let big = "x".repeat(MAX_HEADER_BYTES * 2);
        let har = format!(
            r#"{{"log": {{"entries": [{{"request": {{"method": "GET", "url": "http://a/", "headers": [{{"name": "A", "value": "{big}"}}]}}}}]}}}}"#
        );
        let f = read(har.as_bytes());
        assert_eq!(f.entries[0].request_headers[0].1.len(), MAX_HEADER_BYTES);
        assert!(f.warnings.iter().any(|w| w.contains("were cut")));
    }
}
