//! Reading a console line back: which browser printed it, the rule that
//! broke, and the URL, origin and values it quotes.
//!
//! The templates are not written by hand. Every [`Reason`] is rendered by
//! the same message builders that print the engine's console lines
//! ([`Failure::chrome_message`], [`Failure::firefox_message`],
//! [`Failure::webkit_message`], and WebKit's closing `Fetch API cannot load
//! <url> due to access control checks.`, which stands for every failure), with
//! placeholders standing for the URL, the origin and the quoted value, in
//! every context the builders distinguish (a redirect or not, the preflight
//! or not). A pasted line is then matched against those templates. What is
//! recognised is therefore exactly what the engine can print, and a change
//! to a builder changes its template with it.
//!
//! ```
//! use corsica::explain::{recognize, Reason};
//! use corsica::fetch::Browser;
//!
//! let line = "Access to fetch at 'https://api.example/data' from origin \
//!             'https://app.example' has been blocked by CORS policy: Method PUT \
//!             is not allowed by Access-Control-Allow-Methods in preflight response.";
//! let seen = recognize(line).unwrap();
//! assert_eq!(seen.browser(), Browser::Chrome);
//! assert_eq!(seen.url(), "https://api.example/data");
//! assert_eq!(seen.origin(), Some("https://app.example"));
//! let failure = &seen.candidates()[0];
//! assert_eq!(failure.reason, Reason::MethodDisallowed { method: "PUT".into() });
//!
//! let err = recognize("Access to fetch has been blocked, no idea why").unwrap_err();
//! assert!(!err.closest().is_empty());
//! ```

use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use super::{Blocked, Browser, Failure, MessageContext, Reason, TypeError};

/// A part of a console message that changes from one failure to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Slot {
    /// The URL of the request that failed (the last hop of a redirect
    /// chain).
    Url,
    /// The URL the script fetched, when a redirect moved on from it
    /// (Chromium's "redirected from").
    InitialUrl,
    /// The page's origin.
    Origin,
    /// The page's URL.
    PageUrl,
    /// The value the browser quotes: a header's value, a method, a header
    /// name.
    Value,
    /// The status code (Firefox), or `(null)` when there was none.
    Status,
}

impl Slot {
    /// How the slot is shown in a template: `<url>`, `<origin>`, ...
    pub fn placeholder(self) -> &'static str {
        match self {
            Slot::Url => "<url>",
            Slot::InitialUrl => "<url fetched>",
            Slot::Origin => "<origin>",
            Slot::PageUrl => "<page url>",
            Slot::Value => "<value>",
            Slot::Status => "<status>",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// One console message the engine can print, with its changing parts left
/// open, and the failures it can stand for.
#[derive(Clone, Debug)]
pub struct Template {
    browser: Browser,
    pieces: Vec<Piece>,
    /// Every failure whose message this is (text values empty: the slot
    /// holds them). Firefox words some failures alike (a preflight's
    /// answer and another; a mismatched and a malformed origin), so a
    /// template may stand for several.
    candidates: Vec<Failure>,
    /// The words of its text, for [`closest`].
    words: HashSet<String>,
    /// WebKit: the key of the template (WebKit has no error names; these
    /// are the conformance runner's), `None` for the line every failure
    /// ends with.
    webkit_code: Option<&'static str>,
}

impl Template {
    /// The browser whose wording this is: [`Browser::Chrome`] for Chromium
    /// and the browsers built on it (Edge), [`Browser::Firefox`], or
    /// [`Browser::Webkit`] for Safari and the other WebKit browsers.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// The failures this message can stand for, values left empty.
    pub fn candidates(&self) -> &[Failure] {
        &self.candidates
    }

    /// The browser's name for the failure (Chromium's `CorsError`,
    /// Firefox's reason), when it has one; `None` when the candidates are
    /// named differently or not at all.
    pub fn error_code(&self) -> Option<&'static str> {
        if self.browser == Browser::Webkit {
            return self.webkit_code;
        }
        let mut codes = self.candidates.iter().map(|f| match self.browser {
            Browser::Firefox => f.firefox_reason(),
            _ => f.chrome_error(),
        });
        let first = codes.next()??;
        codes.all(|c| c == Some(first)).then_some(first)
    }

    /// Whether the template has `slot`.
    pub fn has(&self, slot: Slot) -> bool {
        self.pieces.contains(&Piece::Slot(slot))
    }

    /// The template for a listing: the browser, its error code, then the
    /// text (`Firefox CORSMissingAllowOrigin: Cross-Origin Request ...`).
    pub fn describe(&self) -> String {
        let mut s = String::from(match self.browser {
            Browser::Firefox => "Firefox",
            Browser::Webkit => "Safari/WebKit",
            _ => "Chrome/Edge",
        });
        if let Some(code) = self.error_code() {
            let _ = write!(s, " {code}");
        }
        let _ = write!(s, ": {self}");
        s
    }

    /// The words of the literal text, for scoring similarity.
    fn text_words(pieces: &[Piece]) -> HashSet<String> {
        let mut out = HashSet::new();
        for p in pieces {
            if let Piece::Text(t) = p {
                out.extend(words(t));
            }
        }
        out
    }
}

impl fmt::Display for Template {
    /// The message with placeholders: `Access to fetch at '<url>' ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Text(t) => f.write_str(t)?,
                Piece::Slot(s) => f.write_str(s.placeholder())?,
            }
        }
        Ok(())
    }
}

// Placeholders rendered by the message builders. Context fields are
// printed as they are; values go through each browser's escaping, so they
// are printable ASCII; the status is a number no real status can be.
const URL: &str = "\u{e000}url\u{e000}";
const INITIAL_URL: &str = "\u{e000}initial\u{e000}";
const ORIGIN: &str = "\u{e000}origin\u{e000}";
const PAGE_URL: &str = "\u{e000}page\u{e000}";
const VALUE: &str = "~corsica-value~";
const STATUS: u16 = 65535;
const STATUS_TEXT: &str = "65535";

/// Every reason, with `v` in its text field if it has one.
///
/// [`ordinal`] keeps this complete: a new reason must be given an ordinal
/// (its match is exhaustive), and the test checks that every ordinal is
/// listed here.
fn every_reason(v: &str) -> Vec<Reason> {
    let s = || v.to_owned();
    vec![
        Reason::TypeError(TypeError::InvalidUrl),
        Reason::SameOriginModeCrossOrigin,
        Reason::DisallowedByMode,
        Reason::WildcardOriginNotAllowed,
        Reason::MissingAllowOriginHeader,
        Reason::MultipleAllowOriginValues { value: s() },
        Reason::InvalidAllowOriginValue { value: s() },
        Reason::AllowOriginMismatch { value: s() },
        Reason::InvalidAllowCredentials { value: s() },
        Reason::PreflightInvalidStatus,
        Reason::PreflightDisallowedRedirect,
        Reason::InvalidAllowMethods { token: s() },
        Reason::InvalidAllowHeaders { token: s() },
        Reason::MethodDisallowed { method: s() },
        Reason::HeaderDisallowed { name: s() },
        Reason::RedirectContainsCredentials,
        Reason::CorsDisabledScheme,
        Reason::RedirectFailed,
        Reason::RequestFailed,
        Reason::NetworkError,
    ]
}

/// The number of [`Reason`] variants.
#[cfg(test)]
const REASONS: usize = 20;

/// A distinct number per [`Reason`] variant, below [`REASONS`].
#[cfg(test)]
fn ordinal(r: &Reason) -> usize {
    match r {
        Reason::TypeError(_) => 0,
        Reason::SameOriginModeCrossOrigin => 1,
        Reason::DisallowedByMode => 2,
        Reason::WildcardOriginNotAllowed => 3,
        Reason::MissingAllowOriginHeader => 4,
        Reason::MultipleAllowOriginValues { .. } => 5,
        Reason::InvalidAllowOriginValue { .. } => 6,
        Reason::AllowOriginMismatch { .. } => 7,
        Reason::InvalidAllowCredentials { .. } => 8,
        Reason::PreflightInvalidStatus => 9,
        Reason::PreflightDisallowedRedirect => 10,
        Reason::InvalidAllowMethods { .. } => 11,
        Reason::InvalidAllowHeaders { .. } => 12,
        Reason::MethodDisallowed { .. } => 13,
        Reason::HeaderDisallowed { .. } => 14,
        Reason::RedirectContainsCredentials => 15,
        Reason::CorsDisabledScheme => 16,
        Reason::RedirectFailed => 17,
        Reason::RequestFailed => 18,
        Reason::NetworkError => 19,
    }
}

/// On which responses a reason can occur: the preflight's answer (`true`),
/// another response (`false`), or both.
fn occurs_on(r: &Reason) -> &'static [bool] {
    match r {
        Reason::WildcardOriginNotAllowed
        | Reason::MissingAllowOriginHeader
        | Reason::MultipleAllowOriginValues { .. }
        | Reason::InvalidAllowOriginValue { .. }
        | Reason::AllowOriginMismatch { .. }
        | Reason::InvalidAllowCredentials { .. }
        | Reason::RequestFailed => &[false, true],
        Reason::PreflightInvalidStatus
        | Reason::PreflightDisallowedRedirect
        | Reason::InvalidAllowMethods { .. }
        | Reason::InvalidAllowHeaders { .. }
        | Reason::MethodDisallowed { .. }
        | Reason::HeaderDisallowed { .. } => &[true],
        Reason::TypeError(_)
        | Reason::SameOriginModeCrossOrigin
        | Reason::DisallowedByMode
        | Reason::RedirectContainsCredentials
        | Reason::CorsDisabledScheme
        | Reason::RedirectFailed
        | Reason::NetworkError => &[false],
    }
}

/// The text value a reason carries, if any.
fn value_of(r: &Reason) -> Option<&str> {
    match r {
        Reason::MultipleAllowOriginValues { value }
        | Reason::InvalidAllowOriginValue { value }
        | Reason::AllowOriginMismatch { value }
        | Reason::InvalidAllowCredentials { value } => Some(value),
        Reason::InvalidAllowMethods { token } | Reason::InvalidAllowHeaders { token } => {
            Some(token)
        }
        Reason::MethodDisallowed { method } => Some(method),
        Reason::HeaderDisallowed { name } => Some(name),
        _ => None,
    }
}

/// `r` with its text value set to `v`.
fn with_value(r: &Reason, v: &str) -> Reason {
    let mut r = r.clone();
    match &mut r {
        Reason::MultipleAllowOriginValues { value }
        | Reason::InvalidAllowOriginValue { value }
        | Reason::AllowOriginMismatch { value }
        | Reason::InvalidAllowCredentials { value } => *value = v.to_owned(),
        Reason::InvalidAllowMethods { token } | Reason::InvalidAllowHeaders { token } => {
            *token = v.to_owned()
        }
        Reason::MethodDisallowed { method } => *method = v.to_owned(),
        Reason::HeaderDisallowed { name } => *name = v.to_owned(),
        _ => {}
    }
    r
}

/// Splits a rendered message into text and slots.
fn pieces_of(rendered: &str) -> Vec<Piece> {
    const MARKS: [(&str, Slot); 6] = [
        (URL, Slot::Url),
        (INITIAL_URL, Slot::InitialUrl),
        (ORIGIN, Slot::Origin),
        (PAGE_URL, Slot::PageUrl),
        (VALUE, Slot::Value),
        (STATUS_TEXT, Slot::Status),
    ];
    // A trailing newline (Chromium ends one message with it) is not part of
    // what people paste.
    let mut rest = rendered.trim_end_matches('\n');
    let mut out = Vec::new();
    while !rest.is_empty() {
        let next = MARKS
            .iter()
            .filter_map(|(m, s)| rest.find(m).map(|i| (i, *m, *s)))
            .min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, mark, slot)) => {
                if i > 0 {
                    out.push(Piece::Text(rest[..i].to_owned()));
                }
                out.push(Piece::Slot(slot));
                rest = &rest[i + mark.len()..];
            }
            None => {
                out.push(Piece::Text(rest.to_owned()));
                rest = "";
            }
        }
    }
    out
}

/// Every message the engine can print, as templates, Chromium's first.
pub fn templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(build_templates)
}

/// The fewest bytes a console line can have: the fixed words of the
/// shortest template. Shorter lines are not tried (a paste of many short
/// lines then costs little).
fn shortest_message() -> usize {
    static SHORTEST: OnceLock<usize> = OnceLock::new();
    *SHORTEST.get_or_init(|| {
        templates()
            .iter()
            .map(|t| {
                t.pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(s) => s.len(),
                        Piece::Slot(_) => 0,
                    })
                    .sum()
            })
            .min()
            .unwrap_or(0)
    })
}

fn build_templates() -> Vec<Template> {
    let contexts = [
        MessageContext {
            url: URL,
            initial_url: URL,
            origin: ORIGIN,
            page_url: PAGE_URL,
        },
        MessageContext {
            url: URL,
            initial_url: INITIAL_URL,
            origin: ORIGIN,
            page_url: PAGE_URL,
        },
    ];
    // WebKit has a line of its own for a redirect to an `ftp:` URL.
    let ftp_url = format!("ftp:{URL}");
    let ftp = MessageContext {
        url: &ftp_url,
        ..contexts[0]
    };
    let mut out: Vec<Template> = Vec::new();
    // WebKit ends every failure but one with this line, whatever the
    // reason: the template stands for all of them.
    let mut access_checks = Template {
        browser: Browser::Webkit,
        pieces: vec![
            Piece::Text("Fetch API cannot load ".to_owned()),
            Piece::Slot(Slot::Url),
            Piece::Text(" due to access control checks.".to_owned()),
        ],
        candidates: Vec::new(),
        words: HashSet::new(),
        webkit_code: None,
    };
    for browser in [Browser::Chrome, Browser::Firefox, Browser::Webkit] {
        for reason in every_reason(VALUE) {
            for &preflight in occurs_on(&reason) {
                let plain = Failure::new(reason.clone(), preflight, Some(STATUS));
                // WebKit words a failure that stopped a redirect apart: its
                // line ends with the plain one, so its template comes first
                // (a line is also looked for after a prefix).
                let failures = if browser == Browser::Webkit && !preflight {
                    vec![plain.clone().on_redirect(), plain]
                } else {
                    vec![plain]
                };
                for failure in &failures {
                    let ftp_too = browser == Browser::Webkit
                        && reason == Reason::CorsDisabledScheme
                        && failure.redirect;
                    for ctx in contexts.iter().chain(ftp_too.then_some(&ftp)) {
                        let rendered = match browser {
                            Browser::Firefox => failure.firefox_message(ctx),
                            Browser::Webkit => failure.webkit_message(ctx),
                            _ => failure.chrome_message(ctx),
                        };
                        let Some(rendered) = rendered else { continue };
                        let pieces = pieces_of(&rendered);
                        let mut blank = Failure::new(with_value(&reason, ""), preflight, None);
                        blank.redirect = failure.redirect;
                        let webkit_code = (browser == Browser::Webkit)
                            .then(|| failure.webkit_error(ctx.url))
                            .flatten();
                        if browser == Browser::Webkit
                            && reason != Reason::SameOriginModeCrossOrigin
                            && !access_checks.candidates.contains(&blank)
                        {
                            access_checks.candidates.push(blank.clone());
                        }
                        match out
                            .iter_mut()
                            .find(|t| t.browser == browser && t.pieces == pieces)
                        {
                            Some(t) => {
                                if !t.candidates.contains(&blank) {
                                    t.candidates.push(blank);
                                }
                            }
                            None => out.push(Template {
                                browser,
                                words: Template::text_words(&pieces),
                                pieces,
                                candidates: vec![blank],
                                webkit_code,
                            }),
                        }
                    }
                }
            }
        }
    }
    access_checks.words = Template::text_words(&access_checks.pieces);
    out.push(access_checks);
    out
}

/// A console line recognised: the browser that printed it, what it quotes,
/// and the failures it can stand for.
#[derive(Clone, Debug)]
pub struct Recognized {
    template: &'static Template,
    line: String,
    url: String,
    initial_url: Option<String>,
    origin: Option<String>,
    page_url: Option<String>,
    value: Option<String>,
    status: Option<u16>,
    xhr: bool,
}

/// Facts about the request that a message may not quote, for
/// [`Recognized::blocked`]: the page's origin (Firefox never quotes it),
/// the method, the headers the script set, whether it sent credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts<'a> {
    /// The page's origin.
    pub origin: Option<&'a str>,
    /// The request's method.
    pub method: Option<&'a str>,
    /// The CORS-unsafe header names the script set, lowercase.
    pub headers: &'a [String],
    /// Whether the request included credentials.
    pub credentials: Option<bool>,
}

/// Stand-ins in a [`Blocked`] built from a message that does not say.
const UNKNOWN_ORIGIN: &str = "<the page's origin>";
const UNKNOWN_METHOD: &str = "<the request's method>";

impl Recognized {
    /// The template the line matched.
    pub fn template(&self) -> &'static Template {
        self.template
    }

    /// The line as recognised (trimmed, without what surrounded it).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The browser whose wording this is: [`Browser::Chrome`] for Chromium
    /// and Edge, or [`Browser::Firefox`].
    pub fn browser(&self) -> Browser {
        self.template.browser
    }

    /// The URL of the request that failed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL the script fetched: the one a redirect moved on from, when
    /// the message names it, else [`url`](Self::url).
    pub fn initial_url(&self) -> &str {
        self.initial_url.as_deref().unwrap_or(&self.url)
    }

    /// Whether the message says a redirect was followed.
    pub fn redirected(&self) -> bool {
        self.initial_url.is_some()
    }

    /// The page's origin, when the message quotes it (Chromium's do,
    /// Firefox's do not).
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The page's URL, when the message quotes it.
    pub fn page_url(&self) -> Option<&str> {
        self.page_url.as_deref()
    }

    /// The value the message quotes (a header value, a method, a header
    /// name), as received: one character per byte.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The status the message quotes (Firefox).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether the message named an `XMLHttpRequest` rather than a
    /// `fetch()` (Chromium words both alike otherwise).
    pub fn is_xhr(&self) -> bool {
        self.xhr
    }

    /// The browser's name for the failure, when the message has one.
    pub fn error_code(&self) -> Option<&'static str> {
        self.template.error_code()
    }

    /// Every failure this message can stand for, with the value and the
    /// status it quotes (values it does not quote are empty). More than one
    /// when the browser words several failures alike; then only the
    /// response itself tells them apart (`corsica check`).
    pub fn candidates(&self) -> Vec<Failure> {
        self.template
            .candidates
            .iter()
            .map(|c| {
                let reason = match (&self.value, value_of(&c.reason)) {
                    (Some(v), Some(_)) => with_value(&c.reason, v),
                    _ => c.reason.clone(),
                };
                let mut f = Failure::new(reason, c.preflight, self.status);
                f.redirect = c.redirect;
                f
            })
            .collect()
    }

    /// Whether the failure was on the preflight: `Some` when every
    /// candidate agrees.
    pub fn preflight(&self) -> Option<bool> {
        let c = &self.template.candidates;
        let first = c.first()?.preflight;
        c.iter().all(|f| f.preflight == first).then_some(first)
    }

    /// The method the message quotes (Chromium's "Method PUT is not
    /// allowed").
    pub fn method(&self) -> Option<&str> {
        self.quoted(|r| matches!(r, Reason::MethodDisallowed { .. }))
    }

    /// The request header the message quotes ("Request header field
    /// x-api-key is not allowed").
    pub fn header(&self) -> Option<&str> {
        self.quoted(|r| matches!(r, Reason::HeaderDisallowed { .. }))
    }

    fn quoted(&self, is: impl Fn(&Reason) -> bool) -> Option<&str> {
        let all = self.template.candidates.iter().all(|c| is(&c.reason));
        if all { self.value.as_deref() } else { None }
    }

    /// Whether the failure shows the request included credentials: every
    /// candidate is one only such a request meets (`*` refused, or
    /// `Access-Control-Allow-Credentials` missing).
    pub fn implies_credentials(&self) -> bool {
        self.template.candidates.iter().all(|c| {
            matches!(
                c.reason,
                Reason::WildcardOriginNotAllowed | Reason::InvalidAllowCredentials { .. }
            )
        })
    }

    /// `failure` (one of [`candidates`](Self::candidates)) as a
    /// [`Blocked`], for its cause and fix. What the message does not quote
    /// comes from `facts`; what neither says is a stand-in (`<the page's
    /// origin>`, `<the request's method>`).
    pub fn blocked(&self, failure: &Failure, facts: &RequestFacts<'_>) -> Blocked {
        let origin = self
            .origin
            .as_deref()
            .or(facts.origin)
            .unwrap_or(UNKNOWN_ORIGIN)
            .to_owned();
        let method = self
            .method()
            .or(facts.method)
            .unwrap_or(UNKNOWN_METHOD)
            .to_owned();
        let mut request_headers = facts.headers.to_vec();
        if let Some(h) = self.header()
            && !request_headers.iter().any(|n| n.eq_ignore_ascii_case(h))
        {
            request_headers.push(h.to_ascii_lowercase());
        }
        let page_url = self
            .page_url
            .clone()
            .unwrap_or_else(|| format!("{origin}/"));
        Blocked {
            failure: failure.clone(),
            browser: self.browser(),
            url: self.url.clone(),
            initial_url: self.initial_url().to_owned(),
            page_origin: origin.into(),
            page_url: page_url.into(),
            // A console line does not say whether a redirect tainted the
            // origin; the page's origin is what it quotes.
            tainted: false,
            method,
            request_headers,
            credentials: facts.credentials.unwrap_or(false) || self.implies_credentials(),
            loaded_url: None,
            credentialed_check: false,
            // A console line never quotes the preflight's allow lists.
            listed: None,
        }
    }
}

/// A message that matches no template, and the templates closest to it.
#[derive(Clone, Debug)]
pub struct Unrecognized {
    closest: Vec<&'static Template>,
    too_long: bool,
}

impl Unrecognized {
    /// Up to three templates sharing the most words with the message, the
    /// closest first.
    pub fn closest(&self) -> &[&'static Template] {
        &self.closest
    }

    /// Whether the message was refused for its length (over
    /// [`MAX_MESSAGE_BYTES`]).
    pub fn too_long(&self) -> bool {
        self.too_long
    }
}

impl fmt::Display for Unrecognized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.too_long {
            return write!(
                f,
                "the text is longer than {MAX_MESSAGE_BYTES} bytes; paste only the console line"
            );
        }
        f.write_str("no console message corsica knows matches this text")
    }
}

impl std::error::Error for Unrecognized {}

/// The longest text [`recognize`] reads. Console lines are short; a paste
/// of a whole log is cut down by the caller first.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The most steps the matcher takes per template before giving up, so a
/// hostile text costs bounded time (a step is one piece tried at one place,
/// or 64 bytes read looking for a piece).
const MAX_STEPS: usize = 4096;

/// Reads a console line back into the failure it reports.
///
/// `text` is what was pasted: one line, or several (the first line that is
/// a console message is read; Chromium pastes often carry a `GET ...
/// net::ERR_FAILED` line too). Around the message, a source location before
/// it (`page.html:12 `), Firefox's `[Learn More]` after it, and the
/// sentence older Chromium versions appended ("If an opaque response serves
/// your needs, ...") are ignored; `Access to XMLHttpRequest at` reads as
/// `Access to fetch at`.
pub fn recognize(text: &str) -> Result<Recognized, Unrecognized> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Unrecognized {
            closest: Vec::new(),
            too_long: true,
        });
    }
    let whole = text.trim();
    // A message is on one line: no template holds a line break, and no
    // slot can run over one (see `fits`).
    let shortest = shortest_message();
    let lines = whole.lines().map(str::trim).filter(|l| l.len() >= shortest);
    for line in lines {
        if let Some(r) = recognize_line(line) {
            return Ok(r);
        }
    }
    Err(Unrecognized {
        closest: closest(whole),
        too_long: false,
    })
}

/// Sentences some browser versions add after the message.
const SUFFIXES: [&str; 3] = [
    // Chromium before 2023 (still printed by many installed versions).
    " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch \
     the resource with CORS disabled.",
    // Firefox's console link.
    " [Learn More]",
    " Learn More",
];

fn recognize_line(line: &str) -> Option<Recognized> {
    let mut text = line.trim().to_owned();
    for s in SUFFIXES {
        if let Some(t) = text.strip_suffix(s) {
            text = t.trim_end().to_owned();
        }
    }
    const XHR: &str = "Access to XMLHttpRequest at '";
    const FETCH: &str = "Access to fetch at '";
    let xhr = text.contains(XHR);
    if xhr {
        text = text.replace(XHR, FETCH);
    }
    for template in templates() {
        let Some(Piece::Text(first)) = template.pieces.first() else {
            continue;
        };
        // At the start, or after a source location the console prints:
        // at every place the template's first words occur, so that the
        // line kept (from the start of the match) reads back the same.
        // Trying only the first place, a template that failed there was
        // not tried further on, where reading the kept line alone then
        // found it (fuzz target `console_message`).
        let starts = std::iter::once(0).chain(
            text.match_indices(first.as_str())
                .map(|(i, _)| i)
                .filter(|&i| i > 0),
        );
        let mut steps = 0;
        for start in starts {
            let mut caps = Captures::default();
            if match_from(&template.pieces, &text[start..], &mut caps, &mut steps) {
                return Some(build(template, &text[start..], caps, xhr));
            }
            if steps > MAX_STEPS {
                break;
            }
        }
    }
    None
}

#[derive(Clone, Debug, Default)]
struct Captures<'t> {
    url: Option<&'t str>,
    initial_url: Option<&'t str>,
    origin: Option<&'t str>,
    page_url: Option<&'t str>,
    value: Option<&'t str>,
    status: Option<&'t str>,
}

impl<'t> Captures<'t> {
    fn set(&mut self, slot: Slot, s: &'t str) {
        let field = match slot {
            Slot::Url => &mut self.url,
            Slot::InitialUrl => &mut self.initial_url,
            Slot::Origin => &mut self.origin,
            Slot::PageUrl => &mut self.page_url,
            Slot::Value => &mut self.value,
            Slot::Status => &mut self.status,
        };
        *field = Some(s);
    }
}

/// Whether `s` can fill `slot`: URLs and origins are serialized, so they
/// hold no whitespace and are not empty; a status is digits or `(null)`;
/// a value is on one line.
fn fits(slot: Slot, s: &str) -> bool {
    slot_end(slot, s) == s.len()
        && match slot {
            Slot::Url | Slot::InitialUrl | Slot::Origin | Slot::PageUrl => !s.is_empty(),
            Slot::Status => {
                s == "(null)"
                    || (!s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()))
            }
            Slot::Value => true,
        }
}

/// Where the text of `slot` must end at the latest, at the start of
/// `text`: URLs and origins at the first whitespace, a value at the line's
/// end (RFC 9110, section 5.5: a field value holds no line break), a
/// status after six characters.
fn slot_end(slot: Slot, text: &str) -> usize {
    match slot {
        Slot::Url | Slot::InitialUrl | Slot::Origin | Slot::PageUrl => {
            text.find(char::is_whitespace).unwrap_or(text.len())
        }
        Slot::Value => text.find(['\r', '\n']).unwrap_or(text.len()),
        Slot::Status => text.char_indices().nth(6).map_or(text.len(), |(i, _)| i),
    }
}

/// The first character boundary of `text` at or after `at` (its length
/// past the end).
fn char_ceil(text: &str, at: usize) -> usize {
    (at..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len())
}

/// Matches `pieces` against the whole of `text`, trying each place the
/// text after a slot occurs (bounded by `steps`).
fn match_from<'t>(
    pieces: &[Piece],
    text: &'t str,
    caps: &mut Captures<'t>,
    steps: &mut usize,
) -> bool {
    *steps += 1;
    if *steps > MAX_STEPS {
        return false;
    }
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(t), rest)) => {
            text.starts_with(t.as_str()) && match_from(rest, &text[t.len()..], caps, steps)
        }
        Some((Piece::Slot(slot), rest)) => match rest.split_first() {
            None => {
                if fits(*slot, text) {
                    caps.set(*slot, text);
                    true
                } else {
                    false
                }
            }
            Some((Piece::Text(next), _)) => {
                // The slot's text cannot go past the first character it
                // cannot hold, so the next piece is looked for only up to
                // there: each try reads a token or a line, not the rest of
                // a hostile text (tried at every start of a template).
                let hay = &text[..char_ceil(text, slot_end(*slot, text) + next.len())];
                // Reading it counts too: a step per 64 bytes.
                *steps += hay.len() / 64;
                if *steps > MAX_STEPS {
                    return false;
                }
                let mut from = 0;
                while let Some(i) = hay[from..].find(next.as_str()) {
                    let at = from + i;
                    let candidate = &text[..at];
                    if fits(*slot, candidate) {
                        let mut trial = caps.clone();
                        trial.set(*slot, candidate);
                        if match_from(rest, &text[at..], &mut trial, steps) {
                            *caps = trial;
                            return true;
                        }
                    }
                    if *steps > MAX_STEPS {
                        return false;
                    }
                    // Step past this occurrence (to the next character).
                    from = at + text[at..].chars().next().map_or(1, char::len_utf8);
                }
                false
            }
            // Two slots in a row: no template has them.
            Some((Piece::Slot(_), _)) => false,
        },
    }
}

/// Chromium's `EncodeHint` undone: `\uXXXX` back to the byte it stands for.
fn unescape_chrome(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        out.push_str(&rest[..i]);
        let hex = rest.get(i + 2..i + 6);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if hex.is_some_and(|h| h.bytes().all(|c| c.is_ascii_hexdigit())) => {
                out.push(char::from(b));
                rest = &rest[i + 6..];
            }
            _ => {
                out.push_str("\\u");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn build(template: &'static Template, line: &str, caps: Captures<'_>, xhr: bool) -> Recognized {
    let mut seen = Recognized {
        template,
        line: line.to_owned(),
        url: caps.url.unwrap_or_default().to_owned(),
        initial_url: caps.initial_url.map(str::to_owned),
        origin: caps.origin.map(str::to_owned),
        page_url: caps.page_url.map(str::to_owned),
        value: None,
        status: caps.status.and_then(|s| s.parse().ok()),
        xhr,
    };
    if let Some(v) = caps.value {
        // The value as the builders took it: Chromium escapes bytes as
        // `\uXXXX`; Firefox decodes most values as UTF-8 (the engine keeps
        // one character per byte) and prints header names as they are. The
        // reading that renders back to the line is the one.
        let readings = match template.browser {
            Browser::Firefox => [v.bytes().map(char::from).collect(), v.to_owned()],
            _ => [unescape_chrome(v), v.to_owned()],
        };
        let ctx = MessageContext {
            url: &seen.url,
            initial_url: seen.initial_url.as_deref().unwrap_or(&seen.url),
            origin: seen.origin.as_deref().unwrap_or_default(),
            page_url: seen.page_url.as_deref().unwrap_or_default(),
        };
        let renders = |value: &str| {
            template.candidates.first().is_some_and(|c| {
                let mut f = Failure::new(with_value(&c.reason, value), c.preflight, seen.status);
                f.redirect = c.redirect;
                let back = match template.browser {
                    Browser::Firefox => f.firefox_message(&ctx),
                    Browser::Webkit => f.webkit_message(&ctx),
                    _ => f.chrome_message(&ctx),
                };
                back.as_deref() == Some(line)
            })
        };
        let [first, second] = readings;
        seen.value = Some(if !renders(&first) && renders(&second) {
            second
        } else {
            first
        });
    }
    seen
}

/// Lowercase words of three letters or more.
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
}

/// The templates sharing the most words with `text`.
fn closest(text: &str) -> Vec<&'static Template> {
    let seen: HashSet<String> = words(text).collect();
    let mut scored: Vec<(usize, usize, &'static Template)> = templates()
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let common = t.words.intersection(&seen).count();
            // Per mille of the template's words present in the text.
            (common > 0).then(|| (common * 1000 / t.words.len().max(1), i, t))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<&'static Template> = Vec::new();
    for (_, _, t) in scored {
        // Skip a template that reads like one already listed (the same
        // text with and without "redirected from").
        let shown = t.to_string();
        if out.iter().any(|o| {
            o.to_string()
                .replace(" (redirected from '<url fetched>')", "")
                == shown.replace(" (redirected from '<url fetched>')", "")
        }) {
            continue;
        }
        out.push(t);
        if out.len() == 3 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_line_reads_back_as_the_same_template() {
        // Found by the fuzz target `console_message` (eighth session): a
        // template whose first words occur twice was tried only at the
        // first place, and a value could run over a line break, so the
        // whole paste read as one message and its kept line as another.
        let text = "Access to fetch at 'http://#pi.te\u{fffd}\u{0}\u{0}\u{0}\u{0}Header Access-Control-Allow-Headers has an invalid value: \nCr.test:\u{0}\u{1a}02/csa/me-son: CORS headerAcc&ss to XMLHtt headerAccess to XMLHttpRequest at 'in\u{fffd}ace' from origin 'ht0' has been blocked by CORS policy: Cannot parse Access-Control-Allow-Methods response header field in preflight response.";
        let seen = recognize(text).unwrap();
        assert_eq!(
            seen.template().to_string(),
            "Access to fetch at '<url>' from origin '<origin>' has been blocked by CORS policy: \
             Cannot parse Access-Control-Allow-Methods response header field in preflight response."
        );
        assert_eq!(seen.url(), "in\u{fffd}ace");
        let again = recognize(seen.line()).unwrap();
        assert_eq!(again.template().to_string(), seen.template().to_string());
        assert_eq!(again.line(), seen.line());
    }

    #[test]
    fn a_message_is_found_after_an_earlier_false_start() {
        // The template's first words occur twice; only the second place
        // starts a message.
        let line = "Access to fetch at 'a b' was cut; Access to fetch at \
                    'https://api.example/x' from origin 'https://app.example' has been blocked by \
                    CORS policy: No 'Access-Control-Allow-Origin' header is present on the \
                    requested resource.";
        let seen = recognize(line).unwrap();
        assert_eq!(seen.url(), "https://api.example/x");
        assert!(
            seen.line()
                .starts_with("Access to fetch at 'https://api.example/x'")
        );
    }

    #[test]
    fn of_two_messages_pasted_the_first_is_read() {
        let message = |n: u8| {
            format!(
                "Access to fetch at 'https://api.example/{n}' from origin 'https://app.example' \
                 has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is \
                 present on the requested resource."
            )
        };
        let seen = recognize(&format!("{}\n{}", message(1), message(2))).unwrap();
        assert_eq!(seen.url(), "https://api.example/1");
    }

    #[test]
    fn a_value_does_not_run_over_a_line_break() {
        // WebKit's line, then whatever the paste carried on the next line.
        let text = "Header Access-Control-Allow-Headers has an invalid value: x y\n\
                    at script.js:3";
        let seen = recognize(text).unwrap();
        assert_eq!(seen.value(), Some("x y"));
        assert_eq!(
            seen.line(),
            "Header Access-Control-Allow-Headers has an invalid value: x y"
        );
    }

    #[test]
    fn every_reason_is_listed_once() {
        let listed: Vec<usize> = every_reason("v").iter().map(ordinal).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, (0..REASONS).collect::<Vec<_>>(), "{listed:?}");
        assert_eq!(listed.len(), REASONS);
    }

    /// Values as servers send them, to put in each reason's text field.
    const VALUES: [&str; 5] = [
        "https://evil.example",
        "http://a.test, http://b.test",
        "",
        "caf\u{e9}\tx",
        "X-Custom",
    ];

    fn contexts() -> Vec<MessageContext<'static>> {
        vec![
            MessageContext {
                url: "https://api.example/v1/items?id=1",
                initial_url: "https://api.example/v1/items?id=1",
                origin: "https://app.example",
                page_url: "https://app.example/page.html",
            },
            MessageContext {
                url: "http://127.0.0.1:8002/b",
                initial_url: "http://api.test:8002/a",
                origin: "http://localhost:3000",
                page_url: "http://localhost:3000/",
            },
        ]
    }

    fn render(browser: Browser, f: &Failure, ctx: &MessageContext<'_>) -> Option<String> {
        match browser {
            Browser::Firefox => f.firefox_message(ctx),
            _ => f.chrome_message(ctx),
        }
    }

    /// Every reason, on the preflight and off it, with every status kind and
    /// value, in both browsers and both contexts: the message is
    /// recognised, the original failure is among the candidates (its value
    /// where the message quotes it), and every candidate renders back to
    /// the same message.
    #[test]
    fn every_message_round_trips() {
        let mut rendered = 0;
        for browser in [Browser::Chrome, Browser::Firefox] {
            for v in VALUES {
                for reason in every_reason(v) {
                    for &preflight in occurs_on(&reason) {
                        for status in [Some(200), Some(404), None] {
                            let f = Failure::new(reason.clone(), preflight, status);
                            for ctx in contexts() {
                                let Some(msg) = render(browser, &f, &ctx) else {
                                    continue;
                                };
                                rendered += 1;
                                let seen =
                                    recognize(&msg).unwrap_or_else(|e| panic!("{msg:?}: {e}"));
                                assert_eq!(seen.browser(), browser, "{msg}");
                                assert_eq!(seen.url(), ctx.url, "{msg}");
                                if seen.template().has(Slot::InitialUrl) {
                                    assert_eq!(seen.initial_url(), ctx.initial_url);
                                }
                                if let Some(o) = seen.origin() {
                                    assert_eq!(o, ctx.origin);
                                }
                                let candidates = seen.candidates();
                                // Firefox prints values decoded as UTF-8: a
                                // byte that is not UTF-8 is lost.
                                let exact = browser != Browser::Firefox || v.is_ascii();
                                assert!(
                                    candidates.iter().any(|c| ordinal(&c.reason)
                                        == ordinal(&f.reason)
                                        && c.preflight == f.preflight
                                        && (!seen.template().has(Slot::Value)
                                            || !exact
                                            || value_of(&c.reason) == value_of(&f.reason))),
                                    "{msg}: {f:?} not in {candidates:?}"
                                );
                                for c in &candidates {
                                    let back = render(browser, c, &ctx);
                                    assert_eq!(back.as_deref(), Some(msg.as_str()), "{c:?}");
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(rendered > 500, "{rendered}");
    }

    #[test]
    fn every_template_is_reachable_and_distinct() {
        let all = templates();
        // Each browser's wording of every reason that has a message.
        assert!(all.len() > 30, "{}", all.len());
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(a.browser != b.browser || a.pieces != b.pieces);
            }
        }
    }

    #[test]
    fn pasted_noise_is_ignored() {
        let chrome = "Access to fetch at 'https://api.example/x' from origin 'https://app.example' \
                      has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is \
                      present on the requested resource.";
        let pasted = format!(
            "page.html:12 {chrome} If an opaque response serves your needs, set the request's \
             mode to 'no-cors' to fetch the resource with CORS disabled.\n\
             page.html:12  GET https://api.example/x net::ERR_FAILED 200 (OK)\n"
        );
        let seen = recognize(&pasted).unwrap();
        assert_eq!(seen.line(), chrome);
        assert_eq!(seen.error_code(), Some("MissingAllowOriginHeader"));

        let xhr = chrome.replace("Access to fetch at", "Access to XMLHttpRequest at");
        let seen = recognize(&xhr).unwrap();
        assert!(seen.is_xhr());
        assert_eq!(seen.origin(), Some("https://app.example"));

        let firefox = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                       remote resource at https://api.example/x. (Reason: CORS header \
                       \u{2018}Access-Control-Allow-Origin\u{2019} missing). Status code: 500. \
                       [Learn More]";
        let seen = recognize(firefox).unwrap();
        assert_eq!(seen.browser(), Browser::Firefox);
        assert_eq!(seen.status(), Some(500));
        assert_eq!(seen.origin(), None);
        assert_eq!(seen.preflight(), None);
        assert_eq!(seen.error_code(), Some("CORSMissingAllowOrigin"));
    }

    #[test]
    fn firefox_words_some_failures_alike() {
        let msg = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                   remote resource at https://api.example/x. (Reason: CORS header \
                   \u{2018}Access-Control-Allow-Origin\u{2019} does not match \
                   \u{2018}https://app.example/\u{2019}).";
        let seen = recognize(msg).unwrap();
        let kinds: HashSet<usize> = seen
            .candidates()
            .iter()
            .map(|c| ordinal(&c.reason))
            .collect();
        assert_eq!(kinds, HashSet::from([6, 7]));
        assert_eq!(seen.value(), Some("https://app.example/"));
    }

    #[test]
    fn unknown_text_lists_the_closest_templates() {
        let err = recognize(
            "Access to fetch at 'x' has been blocked: The 'Access-Control-Allow-Origin' header \
             is wrong.",
        )
        .unwrap_err();
        assert!(!err.too_long());
        let closest = err.closest();
        assert!(!closest.is_empty() && closest.len() <= 3);
        assert!(
            closest[0]
                .to_string()
                .contains("Access-Control-Allow-Origin"),
            "{closest:?}"
        );
        assert!(recognize("").is_err());
        assert!(
            recognize(&"a".repeat(MAX_MESSAGE_BYTES + 1))
                .unwrap_err()
                .too_long()
        );
    }

    #[test]
    fn hostile_text_costs_bounded_steps() {
        // Many candidate split points for every slot.
        let evil = format!(
            "Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: x",
            "' (redirected from '".repeat(2000),
            "' from origin '".repeat(1000)
        );
        assert!(recognize(&evil).is_err());
    }

    #[test]
    fn facts_fill_what_a_message_does_not_say() {
        let msg = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                   remote resource at https://api.example/x. (Reason: Did not find method in \
                   CORS header \u{2018}Access-Control-Allow-Methods\u{2019}).";
        let seen = recognize(msg).unwrap();
        let f = &seen.candidates()[0];
        let facts = RequestFacts {
            origin: Some("https://app.example"),
            method: Some("DELETE"),
            ..RequestFacts::default()
        };
        let blocked = seen.blocked(f, &facts);
        assert_eq!(
            blocked.fix().header,
            Some(("Access-Control-Allow-Methods", "DELETE".to_owned()))
        );
        let unknown = seen.blocked(f, &RequestFacts::default());
        assert_eq!(unknown.request_origin(), UNKNOWN_ORIGIN);
    }
}
