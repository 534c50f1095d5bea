//! `corsica har FILE`: a DevTools export (Chromium, Firefox, Playwright)
//! replayed through the engine, to name every cross-origin request the
//! browser blocked, why, and the fix.
//!
//! The HAR is read as a stream ([`read`]). The page's origin comes from
//! the export (the page's URL, its document request, the `Origin` its
//! requests carried). Each cross-origin `fetch()` or `XMLHttpRequest` is
//! then replayed through [`corsica::fetch::Fetch`], which is fed the
//! answers the export recorded: the preflight Chromium records as an entry
//! of its own (`_resourceType: "preflight"`, `_initiator` naming the
//! request), the response, each redirect hop. Where the export holds no
//! preflight (Firefox, Playwright, an export cut down), the replay infers
//! it: a request that got an answer went through its preflight; a request
//! without one failed there or on the way, and the report says which
//! preflight the browser must have sent. A request the script sent with
//! credentials is recognised by its `Cookie`, or inferred when only
//! credentials explain what the browser did.
//!
//! ```
//! use corsica_doctor::har::{analyze, read, HarOptions};
//!
//! let har = r#"{"log": {"pages": [{"id": "p", "title": "https://app.example/"}], "entries": [
//!   {"pageref": "p", "_resourceType": "fetch",
//!    "request": {"method": "GET", "url": "https://api.example/x",
//!                "headers": [{"name": "Origin", "value": "https://app.example"}]},
//!    "response": {"status": 200, "headers": [], "_error": "net::ERR_FAILED"}}
//! ]}}"#;
//! let report = analyze(&read(har.as_bytes()), &HarOptions::default());
//! let blocked: Vec<_> = report.blocked().collect();
//! assert_eq!(blocked[0].error_code(), Some("MissingAllowOriginHeader"));
//! ```

mod read;

use std::collections::HashMap;
use std::time::Duration;

use corsica::Origin;
use corsica::explain::{self, Finding};
use corsica::fetch::{
    Blocked, Body, Browser, BrowserState, Credentials, Fetch, Outcome, Page, Readable, Request,
    ResponseHead, Transmit, TransmitKind,
};
use corsica::headers;
use serde_json::{Value, json};

pub use read::{
    HarEntry, HarFile, HarPage, MAX_ENTRIES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_WARNINGS,
    parse_time_ms, read,
};

/// What the command line can say instead of the export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarOptions {
    /// The page's origin, for every page.
    pub origin: Option<String>,
    /// The browser to replay in.
    pub browser: Option<Browser>,
}

/// Where the page's origin came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginSource {
    /// `--origin`.
    Given,
    /// The page's URL (Chromium's page title).
    PageUrl,
    /// The page's document request.
    Document,
    /// The `Origin` header its cross-origin requests carried.
    OriginHeader,
    /// The `Referer` its requests carried.
    Referer,
}

impl OriginSource {
    /// In words.
    pub fn describe(self) -> &'static str {
        match self {
            OriginSource::Given => "given with --origin",
            OriginSource::PageUrl => "the page's URL in the export",
            OriginSource::Document => "the page's document request",
            OriginSource::OriginHeader => "the Origin header of its requests",
            OriginSource::Referer => "the Referer header of its requests",
        }
    }
}

/// One page of the export and its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOrigin {
    /// The page's id (`None`: entries without a page).
    pub pageref: Option<String>,
    /// Its origin, serialized.
    pub origin: String,
    /// Where that came from.
    pub source: OriginSource,
}

/// Where the answer to a request's preflight came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreflightSource {
    /// The browser needed none (or its cache answered).
    None,
    /// The entry the export recorded (its index).
    Recorded(usize),
    /// Not in the export; the request got an answer, so it passed.
    Inferred,
}

/// What the export shows the browser did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// The request failed (status 0 or below, or an error recorded).
    Failed {
        /// The recorded error (`net::ERR_FAILED`), if any.
        error: Option<String>,
    },
    /// A response came back and nothing says it failed.
    Answered {
        /// Its status.
        status: i64,
    },
    /// No response was recorded.
    NotRecorded,
}

/// A request the browser sent that the export has no answer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unanswered {
    /// The preflight, or the request (or a redirect hop).
    pub kind: TransmitKind,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// Its CORS headers: `Origin`, `Access-Control-Request-*`.
    pub headers: Vec<(String, String)>,
}

/// What the replay found for one request.
#[derive(Clone, Debug)]
pub enum Replay {
    /// The script can read the response.
    Allowed(Readable),
    /// The browser blocks it.
    Blocked(Blocked),
    /// The export lacks an answer the browser needed: `missing` is the
    /// request the browser must have sent.
    Unknown {
        /// What the browser sent and the export does not answer.
        missing: Unanswered,
        /// Why no answer (the recorded error, or none).
        error: Option<String>,
    },
}

/// One cross-origin request, replayed.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The entry's index in the export.
    pub entry: usize,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The page's origin.
    pub origin: String,
    /// Whether credentials were included in the replay.
    pub credentials: bool,
    /// Whether that was inferred (no `Cookie` recorded; only credentials
    /// explain what the browser did).
    pub credentials_inferred: bool,
    /// The script's headers as reconstructed (the browser's own left out).
    pub headers: Vec<(String, String)>,
    /// Where the preflight's answer came from.
    pub preflight: PreflightSource,
    /// The entries of the redirect hops after the first.
    pub hops: Vec<usize>,
    /// What the replay found.
    pub replay: Replay,
    /// What the export shows.
    pub observed: Observed,
    /// What else to fix in the answers.
    pub findings: Vec<Finding>,
}

impl Replayed {
    /// Whether the browser blocked (or, in the replay, would block) it.
    pub fn is_blocked(&self) -> bool {
        match &self.replay {
            Replay::Blocked(_) => true,
            Replay::Unknown { .. } => matches!(self.observed, Observed::Failed { .. }),
            Replay::Allowed(_) => false,
        }
    }

    /// The failure, when the replay names one.
    pub fn blocked(&self) -> Option<&Blocked> {
        match &self.replay {
            Replay::Blocked(b) => Some(b),
            _ => None,
        }
    }

    /// The browser's error name, when the replay names one.
    pub fn error_code(&self) -> Option<&'static str> {
        self.blocked().and_then(Blocked::error_code)
    }

    /// Whether the replay and the export agree on blocked or not.
    pub fn agrees(&self) -> Option<bool> {
        let failed = match self.observed {
            Observed::Failed { .. } => true,
            Observed::Answered { .. } => false,
            Observed::NotRecorded => return None,
        };
        match &self.replay {
            Replay::Allowed(_) => Some(!failed),
            Replay::Blocked(_) => Some(failed),
            Replay::Unknown { .. } => None,
        }
    }

    /// `corsica check` for this request, to learn what the export does not
    /// say.
    pub fn check_command(&self) -> String {
        let mut cmd = format!("corsica check '{}' --origin '{}'", self.url, self.origin);
        if self.method != "GET" {
            cmd.push_str(&format!(" -X {}", self.method));
        }
        for (n, v) in &self.headers {
            if !headers::is_cors_safelisted_request_header(n, v.as_bytes())
                || n.eq_ignore_ascii_case("content-type")
            {
                cmd.push_str(&format!(" -H '{n}: {v}'"));
            }
        }
        if self.credentials {
            cmd.push_str(" --credentials");
        }
        cmd
    }
}

/// The whole replay.
#[derive(Clone, Debug)]
pub struct HarReport {
    /// The browser replayed.
    pub browser: Browser,
    /// How the browser was chosen.
    pub browser_source: String,
    /// Each page and its origin.
    pub pages: Vec<PageOrigin>,
    /// Entries read.
    pub entries: usize,
    /// Every cross-origin CORS request, replayed, in export order.
    pub requests: Vec<Replayed>,
    /// Entries to the page's own origin (no CORS).
    pub same_origin: usize,
    /// Cross-origin entries that are not CORS requests (images, scripts
    /// and styles without `crossorigin`, navigations, fonts).
    pub not_cors: usize,
    /// Preflight entries no request was found for.
    pub unpaired_preflights: usize,
    /// Entries of a page whose origin cannot be told.
    pub no_origin: usize,
    /// What was odd in the export.
    pub warnings: Vec<String>,
    /// Warnings beyond those kept.
    pub more_warnings: usize,
    /// Why the export could not be read to the end.
    pub error: Option<String>,
}

/// One row of the summary: a reason and how many requests it blocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The browser's error name, or what the export lacks.
    pub reason: String,
    /// How many requests.
    pub count: usize,
    /// The first of them.
    pub first_url: String,
}

impl HarReport {
    /// The requests the browser blocked or would block.
    pub fn blocked(&self) -> impl Iterator<Item = &Replayed> {
        self.requests.iter().filter(|r| r.is_blocked())
    }

    /// Blocked requests by reason, most frequent first.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let mut rows: Vec<SummaryRow> = Vec::new();
        for r in self.blocked() {
            let reason = match &r.replay {
                Replay::Blocked(b) => b.error_code().unwrap_or("NetworkError").to_owned(),
                _ => "not in the export".to_owned(),
            };
            match rows.iter_mut().find(|row| row.reason == reason) {
                Some(row) => row.count += 1,
                None => rows.push(SummaryRow {
                    reason,
                    count: 1,
                    first_url: r.url.clone(),
                }),
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
        rows
    }

    /// 0 nothing blocked, 1 some request blocked, 2 the export could not
    /// be read (or holds no request to replay and says why).
    pub fn exit_code(&self) -> u8 {
        if self.error.is_some() {
            2
        } else if self.blocked().next().is_some() {
            1
        } else {
            0
        }
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "browser": self.browser,
            "browser_source": self.browser_source,
            "pages": self.pages.iter().map(|p| json!({
                "pageref": p.pageref,
                "origin": p.origin,
                "source": p.source.describe(),
            })).collect::<Vec<_>>(),
            "entries": self.entries,
            "requests": self.requests.iter().map(replayed_json).collect::<Vec<_>>(),
            "summary": {
                "cross_origin_requests": self.requests.len(),
                "blocked": self.blocked().count(),
                "allowed": self.requests.iter().filter(|r| matches!(r.replay, Replay::Allowed(_))).count(),
                "same_origin": self.same_origin,
                "not_cors": self.not_cors,
                "no_origin": self.no_origin,
                "unpaired_preflights": self.unpaired_preflights,
                "reasons": self.summary().iter().map(|r| json!({
                    "reason": r.reason, "count": r.count, "first_url": r.first_url,
                })).collect::<Vec<_>>(),
            },
            "warnings": self.warnings,
            "more_warnings": self.more_warnings,
            "error": self.error,
        })
    }
}

fn replayed_json(r: &Replayed) -> Value {
    let (outcome, error, message, cause, fix, missing) = match &r.replay {
        Replay::Allowed(_) => ("ok", None, None, None, None, None),
        Replay::Blocked(b) => {
            let f = b.fix();
            (
                "blocked",
                b.error_code(),
                b.console_message(),
                Some(b.cause()),
                Some(json!({
                    "header": f.header.map(|(n, v)| [n.to_owned(), v]),
                    "also": f.also.iter().map(|(n, v)| [(*n).to_owned(), v.clone()]).collect::<Vec<_>>(),
                    "policy": f.policy,
                    "summary": f.summary,
                })),
                None,
            )
        }
        Replay::Unknown { missing, error } => (
            "unknown",
            None,
            None,
            None,
            None,
            Some(json!({
                "kind": if missing.kind == TransmitKind::Preflight { "preflight" } else { "request" },
                "method": missing.method,
                "url": missing.url,
                "headers": missing.headers,
                "error": error,
                "check": r.check_command(),
            })),
        ),
    };
    json!({
        "entry": r.entry,
        "method": r.method,
        "url": r.url,
        "origin": r.origin,
        "credentials": r.credentials,
        "credentials_inferred": r.credentials_inferred,
        "preflight": match r.preflight {
            PreflightSource::None => json!(null),
            PreflightSource::Recorded(i) => json!({"recorded": i}),
            PreflightSource::Inferred => json!("inferred"),
        },
        "hops": r.hops,
        "outcome": outcome,
        "blocked": r.is_blocked(),
        "error": error,
        "message": message,
        "cause": cause,
        "fix": fix,
        "missing": missing,
        "observed": match &r.observed {
            Observed::Failed { error } => json!({"failed": true, "error": error}),
            Observed::Answered { status } => json!({"failed": false, "status": status}),
            Observed::NotRecorded => json!(null),
        },
        "agrees": r.agrees(),
        "findings": r.findings.iter().map(|f| json!({"code": f.code(), "message": f.to_string()})).collect::<Vec<_>>(),
    })
}

/// The browser the export came from: its creator, its `browser`, or the
/// `User-Agent` of its first request.
fn detect_browser(file: &HarFile) -> (Browser, String) {
    let named = |s: &str| {
        let s = s.to_ascii_lowercase();
        if s.contains("firefox") {
            Some(Browser::Firefox)
        } else if s.contains("webinspector")
            || s.contains("chrome")
            || s.contains("chromium")
            || s.contains("edge")
        {
            Some(Browser::Chrome)
        } else {
            None
        }
    };
    if let Some(b) = file.browser.as_deref().and_then(named) {
        return (
            b,
            format!(
                "the export's browser ({})",
                file.browser.as_deref().unwrap_or("")
            ),
        );
    }
    if let Some(b) = file.creator.as_deref().and_then(named) {
        return (
            b,
            format!(
                "the export's creator ({})",
                file.creator.as_deref().unwrap_or("")
            ),
        );
    }
    if let Some(ua) = file
        .entries
        .iter()
        .find_map(|e| e.request_header("user-agent"))
    {
        let b = if ua.contains("Firefox/") {
            Browser::Firefox
        } else {
            Browser::Chrome
        };
        return (b, "the User-Agent of its requests".to_owned());
    }
    (
        Browser::Chrome,
        "nothing in the export says: Chrome assumed (--browser)".to_owned(),
    )
}

fn origin_of(url: &str) -> Option<Origin> {
    let u = url::Url::parse(url).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| Origin::of_parsed(&u))
}

/// The most frequent value.
fn most_common(values: impl Iterator<Item = String>) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some(c) => c.1 += 1,
            None => counts.push((v, 1)),
        }
    }
    counts
        .into_iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.1.cmp(&b.1).then(j.cmp(i)))
        .map(|(_, (v, _))| v)
}

/// The origin of each page of the export.
fn page_origins(file: &HarFile, options: &HarOptions) -> (Vec<PageOrigin>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut refs: Vec<Option<String>> = Vec::new();
    for e in &file.entries {
        if !refs.contains(&e.pageref) {
            refs.push(e.pageref.clone());
        }
    }
    let mut out = Vec::new();
    for pageref in refs {
        let entries: Vec<&HarEntry> = file
            .entries
            .iter()
            .filter(|e| e.pageref == pageref)
            .collect();
        let given = options
            .origin
            .as_deref()
            .and_then(|o| Origin::parse(o).ok())
            .map(|o| (o, OriginSource::Given));
        let title = || {
            let title = &file
                .pages
                .iter()
                .find(|p| Some(&p.id) == pageref.as_ref())?
                .title;
            origin_of(title).map(|o| (o, OriginSource::PageUrl))
        };
        let document = || {
            let docs: Vec<&&HarEntry> = entries
                .iter()
                .filter(|e| {
                    e.resource_type.as_deref() == Some("document")
                        || e.request_header("sec-fetch-dest") == Some("document")
                })
                .collect();
            let doc = docs
                .iter()
                .find(|e| e.status.is_some_and(|s| (200..300).contains(&s)))
                .or(docs.first())?;
            origin_of(&doc.url).map(|o| (o, OriginSource::Document))
        };
        let header = |name: &str, source: OriginSource| {
            let value = most_common(entries.iter().filter_map(|e| {
                let v = e.request_header(name)?;
                let o = if name == "origin" {
                    Origin::parse(v).ok()?
                } else {
                    origin_of(v)?
                };
                (!o.is_opaque()).then(|| o.serialize())
            }))?;
            Origin::parse(&value).ok().map(|o| (o, source))
        };
        let found = given
            .or_else(title)
            .or_else(document)
            .or_else(|| header("origin", OriginSource::OriginHeader))
            .or_else(|| header("referer", OriginSource::Referer));
        match found {
            Some((origin, source)) => out.push(PageOrigin {
                pageref,
                origin: origin.serialize(),
                source,
            }),
            None => warnings.push(format!(
                "page {}: nothing in the export tells its origin (no page URL, document, Origin \
                 or Referer): its {} entries are not replayed; give it with --origin",
                pageref.as_deref().unwrap_or("(none)"),
                entries.len()
            )),
        }
    }
    (out, warnings)
}

fn is_preflight(e: &HarEntry) -> bool {
    e.method == "OPTIONS"
        && (e.resource_type.as_deref() == Some("preflight")
            || e.request_header("access-control-request-method").is_some())
}

/// Whether a cross-origin entry is a CORS request the replay can play: a
/// `fetch()` or `XMLHttpRequest` (Chromium's resource type), or a request
/// in mode `cors` (`Sec-Fetch-Mode`), or, with neither, one with `Origin`
/// (as `fetch()` sends it), or one mode `no-cors` could not have made.
fn is_cors(e: &HarEntry) -> bool {
    if let Some(t) = e.resource_type.as_deref() {
        return matches!(t, "fetch" | "xhr");
    }
    if let Some(mode) = e.request_header("sec-fetch-mode") {
        return mode.eq_ignore_ascii_case("cors");
    }
    // A request that never went out (blocked at its preflight) carries
    // only the script's headers: a method or a header that mode `no-cors`
    // refuses shows it was a CORS request.
    e.request_header("origin").is_some()
        || !headers::is_cors_safelisted_method(&e.method)
        || e.request_headers.iter().any(|(n, v)| {
            let lower = n.to_ascii_lowercase();
            !n.starts_with(':')
                && !headers::is_forbidden_request_header(n, v.as_bytes())
                && !matches!(lower.as_str(), "user-agent" | "cache-control" | "pragma")
                && !BROWSER_ADDED.contains(&lower.as_str())
                && !headers::is_no_cors_safelisted_request_header(n, v.as_bytes())
        })
}

/// Headers the browser adds that a script may also set but never did in
/// these exports: DevTools' "Disable cache" (`Cache-Control` and `Pragma`
/// `no-cache`), Firefox's `Priority` and `DNT`, navigations'
/// `Upgrade-Insecure-Requests`, prefetches' `Purpose`.
const BROWSER_ADDED: [&str; 4] = ["priority", "dnt", "upgrade-insecure-requests", "purpose"];

/// The headers the script set, as far as the export tells: without the
/// browser's own (forbidden names, `User-Agent`, HTTP/2 pseudo-headers,
/// [`BROWSER_ADDED`]); with a recorded preflight, the CORS-unsafe ones are
/// exactly the names it asked for.
fn script_headers(e: &HarEntry, asked: Option<&[String]>) -> Vec<(String, String)> {
    let no_cache = e.request_header("cache-control") == Some("no-cache")
        && e.request_header("pragma") == Some("no-cache");
    e.request_headers
        .iter()
        .filter(|(n, v)| {
            let lower = n.to_ascii_lowercase();
            if n.starts_with(':')
                || headers::is_forbidden_request_header(n, v.as_bytes())
                || lower == "user-agent"
            {
                return false;
            }
            match asked {
                Some(list) => {
                    list.contains(&lower)
                        || headers::is_cors_safelisted_request_header(n, v.as_bytes())
                }
                None => {
                    !BROWSER_ADDED.contains(&lower.as_str())
                        && !(no_cache && (lower == "cache-control" || lower == "pragma"))
                }
            }
        })
        .cloned()
        .collect()
}

/// The names a recorded preflight asked for.
fn asked_names(e: &HarEntry) -> Vec<String> {
    e.request_header("access-control-request-headers")
        .map(|v| {
            v.split(',')
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn head_of(e: &HarEntry) -> ResponseHead<'static> {
    let status = u16::try_from(e.status.unwrap_or(0)).unwrap_or(0);
    let mut head = ResponseHead::new(status);
    for (n, v) in &e.response_headers {
        head.push(n.clone(), v.clone());
    }
    head
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(mut x), Ok(mut y)) => {
            x.set_fragment(None);
            y.set_fragment(None);
            x == y
        }
        _ => a == b,
    }
}

/// How far (in entries) a preflight may be from its request.
const PAIR_WINDOW: usize = 64;

/// The recorded preflight of the request at `pos`: same page, same URL,
/// asking for its method, the nearest one not taken (Chromium records it
/// just after the request, Firefox just before).
fn find_preflight(entries: &[HarEntry], pos: usize, taken: &[bool]) -> Option<usize> {
    let e = &entries[pos];
    let lo = pos.saturating_sub(PAIR_WINDOW);
    let hi = (pos + PAIR_WINDOW).min(entries.len() - 1);
    (lo..=hi)
        .filter(|&p| p != pos && !taken[p])
        .filter(|&p| {
            let f = &entries[p];
            is_preflight(f)
                && f.pageref == e.pageref
                && same_url(&f.url, &e.url)
                && f.request_header("access-control-request-method")
                    .is_none_or(|m| m == e.method)
        })
        .min_by_key(|&p| (p.abs_diff(pos), p < pos))
}

/// One attempt at a replay (with or without credentials).
struct Attempt {
    replay: Replay,
    preflight: PreflightSource,
    hops: Vec<usize>,
    /// The recorded answers fed, for findings: (preflight, head).
    heads: Vec<(bool, ResponseHead<'static>)>,
    state: BrowserState,
    last: usize,
}

fn unanswered(tx: &Transmit) -> Unanswered {
    Unanswered {
        kind: tx.kind(),
        method: tx.method().to_string(),
        url: tx.url().to_string(),
        headers: tx
            .headers()
            .filter(|(n, _)| {
                n.eq_ignore_ascii_case("origin")
                    || n.to_ascii_lowercase()
                        .starts_with("access-control-request-")
            })
            .map(|(n, v)| (n.to_owned(), headers::isomorphic_decode(v).into_owned()))
            .collect(),
    }
}

/// The preflight answer a request that got through must have had: it
/// allowed what the preflight asked.
fn inferred_preflight(tx: &Transmit, credentials: bool) -> ResponseHead<'static> {
    let mut head = ResponseHead::new(204);
    let get = |n: &str| {
        tx.header(n)
            .map(|v| headers::isomorphic_decode(v).into_owned())
    };
    head.push(
        "Access-Control-Allow-Origin",
        get("origin").unwrap_or_default(),
    );
    if credentials {
        head.push("Access-Control-Allow-Credentials", "true");
    }
    if let Some(m) = get("access-control-request-method") {
        head.push("Access-Control-Allow-Methods", m);
    }
    if let Some(h) = get("access-control-request-headers") {
        head.push("Access-Control-Allow-Headers", h);
    }
    head
}

#[allow(clippy::too_many_arguments)] // one replay's inputs
fn attempt(
    entries: &[HarEntry],
    pos: usize,
    preflight_pos: Option<usize>,
    taken: &[bool],
    page: &Page,
    request: &Request,
    mut state: BrowserState,
    now: Duration,
    credentials: bool,
) -> Attempt {
    let e = &entries[pos];
    let mut fetch = Fetch::new(page, request);
    let mut preflight = PreflightSource::None;
    let mut hops: Vec<usize> = Vec::new();
    let mut heads = Vec::new();
    let mut last = pos;
    let mut first_sent = false;
    while let Some(tx) = fetch.poll_transmit(&mut state, now) {
        if tx.is_preflight() {
            match preflight_pos.filter(|&p| same_url(&entries[p].url, tx.url().as_str())) {
                Some(p) if entries[p].has_response() => {
                    let head = head_of(&entries[p]);
                    fetch.handle_response(&mut state, now, &head);
                    heads.push((true, head));
                    preflight = PreflightSource::Recorded(entries[p].index);
                }
                Some(p) => {
                    // Recorded without an answer: it failed on the way.
                    preflight = PreflightSource::Recorded(entries[p].index);
                    return Attempt {
                        replay: Replay::Unknown {
                            missing: unanswered(&tx),
                            error: entries[p].error.clone(),
                        },
                        preflight,
                        hops,
                        heads,
                        state,
                        last,
                    };
                }
                None if e.has_response() => {
                    fetch.handle_response(&mut state, now, &inferred_preflight(&tx, credentials));
                    preflight = PreflightSource::Inferred;
                }
                None => {
                    return Attempt {
                        replay: Replay::Unknown {
                            missing: unanswered(&tx),
                            error: e.error.clone(),
                        },
                        preflight,
                        hops,
                        heads,
                        state,
                        last,
                    };
                }
            }
            continue;
        }
        // The request itself, then each redirect hop: the next entry of
        // that URL and method.
        let at = if first_sent {
            (last + 1..entries.len()).find(|&p| {
                !taken[p]
                    && !is_preflight(&entries[p])
                    && entries[p].pageref == e.pageref
                    && entries[p].method == tx.method().as_str()
                    && same_url(&entries[p].url, tx.url().as_str())
            })
        } else {
            Some(pos)
        };
        first_sent = true;
        let Some(at) = at else {
            return Attempt {
                replay: Replay::Unknown {
                    missing: unanswered(&tx),
                    error: None,
                },
                preflight,
                hops,
                heads,
                state,
                last,
            };
        };
        if at != pos {
            hops.push(at);
        }
        last = at;
        let hop = &entries[at];
        if !hop.has_response() {
            return Attempt {
                replay: Replay::Unknown {
                    missing: unanswered(&tx),
                    error: hop.error.clone(),
                },
                preflight,
                hops,
                heads,
                state,
                last,
            };
        }
        let head = head_of(hop);
        fetch.handle_response(&mut state, now, &head);
        heads.push((false, head));
    }
    let replay = match fetch.finish() {
        Outcome::Readable(r) => Replay::Allowed(r),
        Outcome::Blocked(b) => Replay::Blocked(b),
    };
    Attempt {
        replay,
        preflight,
        hops,
        heads,
        state,
        last,
    }
}

fn observed(e: &HarEntry) -> Observed {
    match e.status {
        _ if e.error.is_some() => Observed::Failed {
            error: e.error.clone(),
        },
        Some(s) if s <= 0 => Observed::Failed { error: None },
        Some(s) => Observed::Answered { status: s },
        None => Observed::NotRecorded,
    }
}

/// Replays every cross-origin CORS request of `file`.
pub fn analyze(file: &HarFile, options: &HarOptions) -> HarReport {
    let (browser, browser_source) = match options.browser {
        Some(b) => (b, "given with --browser".to_owned()),
        None => detect_browser(file),
    };
    let (pages, mut warnings) = page_origins(file, options);
    warnings.extend(file.warnings.iter().cloned());
    let entries = &file.entries;
    let mut taken = vec![false; entries.len()];
    let mut states: HashMap<Option<String>, BrowserState> = HashMap::new();
    let base_ms = entries.iter().filter_map(|e| e.started_ms).min();
    let mut report = HarReport {
        browser,
        browser_source,
        pages: pages.clone(),
        entries: entries.len(),
        requests: Vec::new(),
        same_origin: 0,
        not_cors: 0,
        unpaired_preflights: 0,
        no_origin: 0,
        warnings: Vec::new(),
        more_warnings: file.more_warnings,
        error: file.error.clone(),
    };
    for pos in 0..entries.len() {
        if taken[pos] || is_preflight(&entries[pos]) {
            continue;
        }
        let e = &entries[pos];
        let Some(page) = pages.iter().find(|p| p.pageref == e.pageref) else {
            report.no_origin += 1;
            continue;
        };
        let Ok(page_origin) = Origin::parse(&page.origin) else {
            report.no_origin += 1;
            continue;
        };
        let Some(target) = origin_of(&e.url) else {
            report.not_cors += 1;
            continue;
        };
        if page_origin.is_same_origin(&target) {
            report.same_origin += 1;
            continue;
        }
        if !is_cors(e) {
            report.not_cors += 1;
            continue;
        }
        taken[pos] = true;
        let preflight_pos = find_preflight(entries, pos, &taken);
        if let Some(p) = preflight_pos {
            taken[p] = true;
        }
        let asked = preflight_pos.map(|p| asked_names(&entries[p]));
        let script = script_headers(e, asked.as_deref());
        let cookie = e.request_header("cookie").is_some();
        let page_url = format!("{}/", page.origin);
        let page_obj = Page::with_origin(page_origin.clone(), page_url);
        let now = match (e.started_ms, base_ms) {
            (Some(t), Some(b)) => Duration::from_millis(u64::try_from(t - b).unwrap_or(0)),
            _ => Duration::ZERO,
        };
        let state = states
            .entry(e.pageref.clone())
            .or_insert_with(|| BrowserState::new(browser))
            .clone();
        let has_body = !matches!(e.method.as_str(), "GET" | "HEAD")
            && e.request_header("content-length")
                .and_then(|l| l.trim().parse::<u64>().ok())
                .is_some_and(|l| l > 0);
        let build = |credentials: bool| {
            let mut r = Request::new(e.method.clone(), e.url.clone())
                .headers(script.clone())
                .credentials(if credentials {
                    Credentials::Include
                } else {
                    Credentials::SameOrigin
                });
            if has_body {
                let len = e
                    .request_header("content-length")
                    .and_then(|l| l.trim().parse().ok())
                    .unwrap_or(0);
                r = r.body(Body::Bytes { len });
            }
            r
        };
        let first = attempt(
            entries,
            pos,
            preflight_pos,
            &taken,
            &page_obj,
            &build(cookie),
            state.clone(),
            now,
            cookie,
        );
        let seen = observed(&entries[first.last]);
        // Only credentials explain a request the browser blocked that the
        // recorded answers let through (`*` with credentials, no
        // `Access-Control-Allow-Credentials`).
        let (chosen, credentials, inferred) = match (&first.replay, &seen) {
            (Replay::Allowed(_), Observed::Failed { .. }) if !cookie => {
                let second = attempt(
                    entries,
                    pos,
                    preflight_pos,
                    &taken,
                    &page_obj,
                    &build(true),
                    state.clone(),
                    now,
                    true,
                );
                if matches!(second.replay, Replay::Blocked(_)) {
                    (second, true, true)
                } else {
                    (first, false, false)
                }
            }
            _ => (first, cookie, false),
        };
        for &h in &chosen.hops {
            taken[h] = true;
        }
        states.insert(e.pageref.clone(), chosen.state.clone());
        let observed = observed(&entries[chosen.last]);
        let mut findings: Vec<Finding> = Vec::new();
        for (pre, head) in &chosen.heads {
            for f in explain::response_findings(*pre, head) {
                if !findings.contains(&f) {
                    findings.push(f);
                }
            }
        }
        if let Some((_, head)) = chosen.heads.iter().rev().find(|(pre, _)| !pre) {
            if let Some(f) = explain::vary_finding(false, head, &page.origin, None) {
                findings.push(f);
            }
            if let Replay::Allowed(r) = &chosen.replay
                && let Some(f) = explain::not_exposed(head, r)
            {
                findings.push(f);
            }
        }
        report.requests.push(Replayed {
            entry: e.index,
            method: e.method.clone(),
            url: e.url.clone(),
            origin: page.origin.clone(),
            credentials,
            credentials_inferred: inferred,
            headers: script,
            preflight: chosen.preflight,
            hops: chosen.hops.iter().map(|&h| entries[h].index).collect(),
            replay: chosen.replay,
            observed,
            findings,
        });
    }
    report.unpaired_preflights = entries
        .iter()
        .enumerate()
        .filter(|(p, e)| is_preflight(e) && !taken[*p])
        .count();
    report.warnings = warnings;
    report
}

#[cfg(test)]
mod tests;
