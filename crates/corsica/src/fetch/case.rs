//! The case format (`corsica simulate`): serde types for a case and its
//! answers, and the entry points that simulate a case.
//!
//! The format is described in `case-format.md`: JSON Lines, one case per
//! line in, one answer per request out.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::cache::PreflightCache;
use super::http_cache::HttpCache;
use super::walk;
use super::{Browser, Credentials, Mode};
use crate::origin::Origin;

/// A page, a server and the requests the page makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The case's name, copied into every answer.
    pub id: String,
    /// The origin of the page that calls `fetch()`.
    pub origin: String,
    /// What answers at each absolute URL.
    #[serde(default)]
    pub server: BTreeMap<String, Endpoint>,
    /// The `fetch()` calls, made one after another from the same page.
    pub requests: Vec<CaseRequest>,
}

/// What the server answers at one URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The answer to a CORS preflight (an `OPTIONS` with
    /// `Access-Control-Request-Method`); absent: 405 with no headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<ServerAnswer>,
    /// The answer to every other request; absent: 404 with no headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ServerAnswer>,
}

/// One HTTP response, written verbatim (header order and duplicates kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAnswer {
    /// The status code.
    pub status: u16,
    /// The header lines, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// One `fetch()` call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRequest {
    /// The URL fetched.
    pub url: String,
    /// The method as the script wrote it (`patch` stays `patch`).
    #[serde(default = "default_method")]
    pub method: String,
    /// The headers the script set, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The request mode.
    #[serde(default)]
    pub mode: Mode,
    /// The credentials mode.
    #[serde(default)]
    pub credentials: Credentials,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Milliseconds that pass before this request (for cache expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

fn default_method() -> String {
    "GET".to_owned()
}

/// What the script gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The script can read the response.
    Ok,
    /// The promise rejects with a network error.
    Blocked,
    /// A `no-cors` response the script cannot read.
    Opaque,
}

/// A header on the wire: name and value (borrowed when the browser's own).
pub type WireHeader = (Cow<'static, str>, Cow<'static, str>);

/// One request that went on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The method.
    pub method: Cow<'static, str>,
    /// The URL (without user-info or fragment).
    pub url: String,
    /// The CORS-relevant headers, in wire order.
    pub headers: Vec<WireHeader>,
}

/// What happened to one request of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The case's id.
    pub id: String,
    /// The request's index in the case.
    pub index: usize,
    /// `chrome`, `firefox` or `spec`.
    pub browser: Browser,
    /// Whether a preflight went on the wire for this request.
    pub preflight: bool,
    /// What the script gets.
    pub outcome: Outcome,
    /// The status the script sees: the response's when `ok`, 0 when
    /// `opaque`, null when `blocked`.
    pub status: Option<u16>,
    /// The readable response header names, lowercased and sorted.
    pub exposed: Vec<String>,
    /// The browser's reason code, or null.
    pub error: Option<String>,
    /// The browser's console message, or null.
    pub message: Option<String>,
    /// Every request that went on the wire, in order.
    pub sent: Vec<Sent>,
}

/// A server URL resolved once per case.
#[derive(Clone, Debug)]
pub(crate) struct Route<'c> {
    pub(crate) origin: Origin,
    pub(crate) endpoint: &'c Endpoint,
    /// The response's `Location` resolved against this URL, when the
    /// response is a redirect with one that parses.
    pub(crate) location: Option<url::Url>,
}

/// One request of a case, its URL parsed once.
#[derive(Clone, Debug)]
pub(crate) struct PreparedRequest {
    /// The parsed URL, `None` when it does not parse.
    pub(crate) url: Option<url::Url>,
    /// Its routing key.
    pub(crate) key: String,
    /// The script's header names, lowercased.
    pub(crate) named: Vec<String>,
}

/// A case with its URLs parsed once, ready to simulate any number of times.
#[derive(Clone, Debug)]
pub struct PreparedCase<'c> {
    pub(crate) case: &'c Case,
    /// The page's origin, `None` when it does not parse.
    pub(crate) page_origin: Option<Origin>,
    /// Its serialization.
    pub(crate) page_origin_s: String,
    /// Server URLs (normalized: no user-info, no fragment) → route.
    pub(crate) routes: HashMap<String, Route<'c>>,
    /// The requests, parsed.
    pub(crate) requests: Vec<PreparedRequest>,
    /// The `Referer` the page sends cross-origin: its origin and `/`.
    pub(crate) referrer: String,
    /// The page's URL: its origin and [`PAGE_PATH`].
    pub(crate) page_url: String,
}

/// The path the conformance runner serves the page at. The case format
/// names only the page's origin; a few things the browsers print or send
/// quote the page's full URL.
pub const PAGE_PATH: &str = "/__corsica__/page.html";

/// The routing key of a URL: serialized without user-info and fragment.
pub(crate) fn route_key(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    u.into()
}

impl<'c> PreparedCase<'c> {
    /// Parses the case's origin and server URLs.
    pub fn new(case: &'c Case) -> PreparedCase<'c> {
        let page_origin = Origin::parse(&case.origin).ok();
        let page_origin_s = page_origin
            .as_ref()
            .map_or_else(|| case.origin.clone(), Origin::serialize);
        let mut routes = HashMap::with_capacity(case.server.len());
        for (key, endpoint) in &case.server {
            let Ok(url) = url::Url::parse(key) else {
                continue;
            };
            let origin = Origin::of_url(url.as_str()).unwrap_or(Origin::Opaque);
            let location = endpoint
                .response
                .as_ref()
                .filter(|a| super::redirect::is_redirect_status(a.status))
                .and_then(|a| super::cors_check::get(&a.headers, "location"))
                .and_then(|l| super::redirect::location_url(&url, &l));
            routes.insert(
                route_key(&url),
                Route {
                    origin,
                    endpoint,
                    location,
                },
            );
        }
        let requests = case
            .requests
            .iter()
            .map(|r| {
                let url = url::Url::parse(&r.url).ok();
                PreparedRequest {
                    key: url.as_ref().map(route_key).unwrap_or_default(),
                    url,
                    named: r
                        .headers
                        .iter()
                        .map(|(n, _)| n.to_ascii_lowercase())
                        .collect(),
                }
            })
            .collect();
        let referrer = format!("{page_origin_s}/");
        let page_url = format!("{page_origin_s}{PAGE_PATH}");
        PreparedCase {
            page_url,
            case,
            page_origin,
            page_origin_s,
            routes,
            requests,
            referrer,
        }
    }

    /// The case this was prepared from.
    pub fn case(&self) -> &'c Case {
        self.case
    }
}

/// Simulates every request of `case` in `browser`, in order, sharing one
/// preflight cache and one clock: one answer per request.
pub fn simulate_case(case: &Case, browser: Browser) -> Vec<Answer> {
    simulate_prepared(&PreparedCase::new(case), browser)
}

/// [`simulate_case`] on a case prepared with [`PreparedCase::new`].
pub fn simulate_prepared(pc: &PreparedCase<'_>, browser: Browser) -> Vec<Answer> {
    let mut cache = PreflightCache::default();
    let mut http = HttpCache::default();
    let mut now_ms: u64 = 0;
    let quirks = browser.quirks();
    pc.case
        .requests
        .iter()
        .enumerate()
        .zip(&pc.requests)
        .map(|((index, req), pre)| {
            now_ms = now_ms.saturating_add(req.delay_ms.unwrap_or(0));
            let done = walk::fetch(pc, &mut cache, &mut http, now_ms, req, pre, quirks);
            walk::answer(pc, index, browser, pre, req, done)
        })
        .collect()
}
