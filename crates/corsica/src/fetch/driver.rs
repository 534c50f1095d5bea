//! One `fetch()` from start to finish, driven by the caller: main fetch,
//! HTTP fetch, the preflight, the CORS check and every redirect hop.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch>

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use super::browser::{Browser, EmptyLocation, HttpCacheModel, Quirks};
use super::cache::Lookup;
use super::cors_check::cors_check;
use super::failure::{Failure, Reason, TypeError};
use super::outcome::{Blocked, Outcome, Readable, ResponseType};
use super::preflight::{self, PreflightFor, PreflightResponse};
use super::redirect::{self, Hop, RedirectFrom};
use super::request::{self, Credentials, Hdr, Mode, RedirectMode, Request};
use super::response::{Known, ResponseHead};
use super::state::{BrowserState, Page};
use super::transmit::{Transmit, TransmitKind};
use super::wire::{self, HopContext, OriginSlot, host_header};
use crate::headers::eq_ci;
use crate::origin::Origin;

/// One `fetch()` call in progress: a state machine the caller drives.
///
/// The fetch opens no socket and reads no clock. The caller
///
/// 1. calls [`poll_transmit`](Fetch::poll_transmit) to learn what to send
///    next: the preflight, the request, or (after a redirect) the next hop;
/// 2. sends it, and hands back the response head with
///    [`handle_response`](Fetch::handle_response), or a transport failure
///    with [`handle_error`](Fetch::handle_error);
/// 3. repeats until `poll_transmit` returns `None`, then takes the
///    [`Outcome`] with [`finish`](Fetch::finish).
///
/// Every call takes the caller's [`BrowserState`] (the preflight cache and
/// the HTTP cache live there) and `now`, any monotonic time (for instance
/// since the state was made): preflight-cache entries expire against it.
/// A response that the browser's HTTP cache would serve never goes on the
/// wire; `poll_transmit` then goes straight on.
///
/// ```
/// use std::time::Duration;
/// use corsica::fetch::{Browser, BrowserState, Fetch, Page, Request, ResponseHead};
///
/// let page = Page::new("https://app.example/")?;
/// let request = Request::new("PUT", "https://api.example/items/1")
///     .header("Content-Type", "application/json");
/// let mut state = BrowserState::new(Browser::Chrome);
/// let now = Duration::ZERO;
///
/// let mut fetch = Fetch::new(&page, &request);
/// // A JSON PUT is preflighted.
/// let preflight = fetch.poll_transmit(&mut state, now).unwrap();
/// assert!(preflight.is_preflight());
/// assert_eq!(preflight.header("access-control-request-headers"), Some(&b"content-type"[..]));
/// let mut answer = ResponseHead::new(204);
/// answer.push("Access-Control-Allow-Origin", "https://app.example");
/// answer.push("Access-Control-Allow-Methods", "PUT");
/// fetch.handle_response(&mut state, now, &answer);
/// // The server forgot `Access-Control-Allow-Headers`.
/// assert!(fetch.poll_transmit(&mut state, now).is_none());
/// let blocked = fetch.finish();
/// let blocked = blocked.blocked().unwrap();
/// assert_eq!(blocked.error_code(), Some("HeaderDisallowedByPreflightResponse"));
/// assert_eq!(blocked.fix().header, Some(("Access-Control-Allow-Headers", "content-type".to_owned())));
/// # Ok::<(), corsica::fetch::PageError>(())
/// ```
#[derive(Debug)]
pub struct Fetch<'r> {
    page: &'r Page,
    request: &'r Request,
    phase: Phase,
    walk: Option<Walk<'r>>,
    /// How the fetch ended, once `phase` is `Done` (kept out of `Phase`,
    /// which is moved on every answer, so that it stays small).
    outcome: Option<Outcome>,
}

/// Where the fetch is.
#[derive(Debug)]
enum Phase {
    /// Nothing done yet.
    Start,
    /// At the start of a hop: mode, tainting, the preflight.
    Hop,
    /// The preflight went out; its answer is awaited.
    AwaitPreflight {
        /// Whether the preflight went with `Origin: null` (else the page's).
        null_origin: bool,
        check_order: Option<Vec<String>>,
    },
    /// Ready to send the request itself.
    Request,
    /// The request went out; its answer is awaited.
    AwaitResponse,
    /// The end (the outcome is in `Fetch::outcome`).
    Done,
}

/// The request's state across hops.
#[derive(Debug)]
struct Walk<'r> {
    quirks: &'static Quirks,
    browser: Browser,
    method: Cow<'r, str>,
    headers: Vec<Hdr<'r>>,
    body_len: Option<u64>,
    include: bool,
    mode: Mode,
    credentials: Credentials,
    redirect_mode: RedirectMode,
    /// The current URL (fragment and user-info as parsed).
    url: Cow<'r, Url>,
    /// The current URL on the wire (no user-info, no fragment); its text is
    /// the key of the caches.
    wire: Cow<'r, Url>,
    /// The current URL's origin.
    hop_origin: Cow<'r, Origin>,
    /// Whether `hop_origin` is the page's origin (kept with `hop_origin`).
    page_same_origin: bool,
    /// Whether `hop_origin` is same site with the page's origin, once
    /// asked (cleared with `hop_origin`).
    page_same_site: Option<bool>,
    /// `Host` for the current URL (borrowed from the request until a
    /// redirect: a clone would be two atomic reference count updates).
    host: Cow<'r, Bytes>,
    /// The URL the script fetched, once a redirect moved away from it.
    initial_url: Option<String>,
    tainted: bool,
    cors_tainting: bool,
    opaque_tainting: bool,
    redirects: u32,
    /// The CORS-unsafe names, computed when first needed and again only
    /// after a redirect removed headers.
    unsafe_names: Option<Vec<String>>,
    /// Chromium: `Origin: null` set by the network stack on a redirect (see
    /// `RedirectQuirks::net_origin_null_on_cross_origin_hop`).
    net_null_origin: bool,
    /// Firefox (see `PreflightQuirks::sticky_across_redirects`): the load
    /// info keeps the unsafe header names from the start, and
    /// `nsCORSListenerProxy::CheckPreflightNeeded` preflights a
    /// cross-origin hop while that list is non-empty or the current method
    /// is unsafe; once a hop needed a preflight, the replacement channels
    /// inherit it. A same-origin `DELETE` turned into a cross-origin `GET`
    /// by a 303 therefore goes without one (observed in Firefox ESR 153 on
    /// random holdout cases), while a cross-origin `PUT` turned into `GET`
    /// is preflighted again.
    initial_unsafe: bool,
    sticky_preflight: bool,
    /// The URL the failure names, once set.
    fail_url: Option<String>,
    /// Whether a preflight went on the wire.
    preflighted: bool,
    /// Chromium: the order of the script's headers on the wire, fixed at
    /// the start (see `request::header_map_order`).
    map_order: Option<Vec<Option<&'r str>>>,
    /// Whether a hop went to another origin than the page's: from then on
    /// `Referer` is the page's origin only, even back on the page's own
    /// origin (observed in Chromium 156 and Firefox ESR 153: the referrer
    /// policy is applied to the referrer as the previous hop left it).
    referrer_trimmed: bool,
    /// Whether the last request on the wire carried the page's full URL as
    /// `Referer` (see `PreflightQuirks::referrer_from_previous_hop`).
    last_referrer_full: bool,
    /// WebKit: the request's headers as the script made it (see
    /// `PreflightQuirks::original_headers` and
    /// `RedirectQuirks::restores_first_headers`).
    original: Option<Vec<Hdr<'r>>>,
    /// WebKit: where `Origin` goes on the wire.
    origin_slot: OriginSlot,
    /// WebKit: an `Origin` went out on an earlier hop
    /// (`RedirectQuirks::origin_persists`).
    origin_sent: bool,
    /// Whether the fetch started on the page's own origin.
    same_origin_start: bool,
    /// The URL of the last request on the wire, when the failure names
    /// another one (WebKit: a refused redirect's target).
    loaded_url: Option<String>,
    /// Whether the failing CORS check required credentials the request
    /// did not include.
    credentialed_check: bool,
    /// What the failing preflight's answer listed, when it refused the
    /// method or a header (boxed: it is rare, and `Blocked` sits in
    /// `Phase`).
    listed: Option<Box<preflight::Listed>>,
}

static NULL: Bytes = Bytes::from_static(b"null");

/// The URL as the wire carries it: without user-info and fragment
/// (borrowed when it has neither).
fn wire_url<'u>(url: &Cow<'u, Url>) -> Cow<'u, Url> {
    if url.username().is_empty() && url.password().is_none() && url.fragment().is_none() {
        return url.clone();
    }
    let mut u = Url::clone(url);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    Cow::Owned(u)
}

fn millis(now: Duration) -> u64 {
    u64::try_from(now.as_millis()).unwrap_or(u64::MAX)
}

impl<'r> Fetch<'r> {
    /// A fetch of `request` by a script on `page`. Nothing happens until
    /// the first [`poll_transmit`](Fetch::poll_transmit).
    pub fn new(page: &'r Page, request: &'r Request) -> Fetch<'r> {
        Fetch {
            page,
            request,
            phase: Phase::Start,
            walk: None,
            outcome: None,
        }
    }

    /// The next request to send, or `None` when the fetch waits for the
    /// answer to the previous one or has ended (see
    /// [`is_done`](Fetch::is_done)).
    pub fn poll_transmit(&mut self, state: &mut BrowserState, now: Duration) -> Option<Transmit> {
        loop {
            match &self.phase {
                Phase::Start => self.start(state),
                Phase::Hop => {
                    if let Some(tx) = self.hop(state, now) {
                        return Some(tx);
                    }
                }
                Phase::Request => {
                    if let Some(tx) = self.send_request(state, now) {
                        return Some(tx);
                    }
                }
                Phase::AwaitPreflight { .. } | Phase::AwaitResponse | Phase::Done => {
                    return None;
                }
            }
        }
    }

    /// Hands back the answer to the last [`Transmit`]: its status and
    /// headers as received. Ignored when no answer is awaited.
    pub fn handle_response(
        &mut self,
        state: &mut BrowserState,
        now: Duration,
        head: &ResponseHead<'_>,
    ) {
        match std::mem::replace(&mut self.phase, Phase::Start) {
            Phase::AwaitPreflight {
                null_origin,
                check_order,
            } => {
                let origin = if null_origin {
                    "null"
                } else {
                    self.page.origin_str()
                };
                self.on_preflight(state, now, head, origin, check_order.as_deref());
            }
            Phase::AwaitResponse => self.on_response(state, head),
            other => self.phase = other,
        }
    }

    /// Hands back a transport failure for the last [`Transmit`]: the
    /// connection was refused, reset or timed out, TLS failed, or the
    /// response could not be read. Ignored when no answer is awaited.
    pub fn handle_error(&mut self, _state: &mut BrowserState, _now: Duration) {
        match &self.phase {
            Phase::AwaitPreflight { .. } | Phase::AwaitResponse => {
                let preflight = matches!(self.phase, Phase::AwaitPreflight { .. });
                let walk = self.walk.as_ref();
                // Firefox's CORS listener sees the failed channel of a CORS
                // request ("CORS request did not succeed"); otherwise it is
                // a plain network error.
                let reason = if walk.is_some_and(|w| w.cors_tainting) {
                    Reason::RequestFailed
                } else {
                    Reason::NetworkError
                };
                self.fail(Failure::new(reason, preflight, None));
            }
            _ => {}
        }
    }

    /// Whether the fetch has ended.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// Whether a preflight went on the wire so far.
    pub fn preflighted(&self) -> bool {
        self.walk.as_ref().is_some_and(|w| w.preflighted)
    }

    /// How the fetch ended. Called before the end, the fetch is treated as
    /// aborted: a network error.
    #[inline]
    pub fn finish(mut self) -> Outcome {
        // Inlined, so that the caller's fetch is not copied to be consumed.
        self.take_outcome()
    }

    fn take_outcome(&mut self) -> Outcome {
        if !self.is_done() {
            self.fail(Failure::new(Reason::NetworkError, false, None));
        }
        self.outcome.take().unwrap_or_else(unreachable_outcome)
    }

    /// Ends the fetch with `outcome`.
    fn done(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
        self.phase = Phase::Done;
    }

    /// Ends the fetch with `failure` at the current URL.
    fn fail(&mut self, failure: Failure) {
        let (page_origin, page_url) = self.page.shared();
        // The fetch ends here: what the failure keeps moves out of the walk
        // (only `preflighted` is read after the end).
        let blocked = match &mut self.walk {
            Some(w) => Blocked {
                failure,
                browser: w.browser,
                url: w
                    .fail_url
                    .take()
                    .unwrap_or_else(|| w.url.as_str().to_owned()),
                initial_url: w
                    .initial_url
                    .take()
                    .unwrap_or_else(|| w.url.as_str().to_owned()),
                page_origin,
                page_url,
                tainted: w.tainted,
                method: std::mem::take(&mut w.method).into_owned(),
                request_headers: w.unsafe_names.take().unwrap_or_default(),
                credentials: w.include,
                loaded_url: w.loaded_url.take(),
                credentialed_check: w.credentialed_check,
                listed: w.listed.take(),
            },
            None => Blocked {
                failure,
                browser: Browser::default(),
                url: self.request.url().to_owned(),
                initial_url: self.request.url().to_owned(),
                page_origin,
                page_url,
                tainted: false,
                method: self.request.method().to_owned(),
                request_headers: Vec::new(),
                credentials: self.request.credentials_mode().is_include(),
                loaded_url: None,
                credentialed_check: false,
                listed: None,
            },
        };
        self.done(Outcome::Blocked(blocked));
    }

    /// Parses the URL and runs the `Request` constructor.
    fn start(&mut self, state: &BrowserState) {
        let browser = state.browser();
        let quirks = browser.quirks();
        let thrown = |this: &mut Fetch<'r>, e: TypeError| {
            this.fail(Failure::new(Reason::TypeError(e), false, None));
            if let Some(Outcome::Blocked(b)) = &mut this.outcome {
                b.browser = browser;
            }
        };
        // Request constructor, step 5: parse the URL against the page's
        // (done once when the request was made, if it is absolute);
        // user-info throws.
        let (url, hop_origin, host): (Cow<'r, Url>, Cow<'r, Origin>, Cow<'r, Bytes>) =
            match self.request.absolute() {
                Some(a) => (
                    Cow::Borrowed(&a.url),
                    Cow::Borrowed(&a.origin),
                    Cow::Borrowed(&a.host),
                ),
                None => {
                    let parsed = match self.page.base() {
                        Some(base) => base.join(self.request.url()),
                        None => Url::parse(self.request.url()),
                    };
                    let Ok(url) = parsed else {
                        return thrown(self, TypeError::InvalidUrl);
                    };
                    let origin = Origin::of_parsed(&url);
                    let host = host_header(&url);
                    (Cow::Owned(url), Cow::Owned(origin), Cow::Owned(host))
                }
            };
        if !url.username().is_empty() || url.password().is_some() {
            return thrown(self, TypeError::UrlWithCredentials);
        }
        // Scheme fetch: only HTTP(S) reaches the network here.
        if !matches!(url.scheme(), "http" | "https") {
            return thrown(self, TypeError::UnsupportedScheme);
        }
        let constructed = match request::construct(self.request, quirks) {
            Ok(c) => c,
            Err(e) => return thrown(self, e),
        };
        let map_order = (quirks.wire.header_map_order && !constructed.headers.is_empty())
            .then(|| request::header_map_order(&constructed.headers));
        let same_origin_start = self.page.origin().is_same_origin(&hop_origin);
        let original = (quirks.preflight.original_headers
            || quirks.redirect.restores_first_headers)
            .then(|| constructed.headers.clone());
        let walk = self.walk.insert(Walk {
            quirks,
            browser,
            method: constructed.method,
            headers: constructed.headers,
            body_len: self.request.body_kind().map(super::Body::len),
            include: self.request.credentials_mode().is_include(),
            mode: self.request.request_mode(),
            credentials: self.request.credentials_mode(),
            redirect_mode: self.request.redirect_mode(),
            page_same_origin: same_origin_start,
            page_same_site: None,
            hop_origin,
            host,
            initial_url: None,
            wire: wire_url(&url),
            url,
            tainted: false,
            cors_tainting: false,
            opaque_tainting: false,
            redirects: 0,
            unsafe_names: None,
            net_null_origin: false,
            initial_unsafe: false,
            sticky_preflight: false,
            fail_url: None,
            preflighted: false,
            map_order,
            referrer_trimmed: false,
            last_referrer_full: false,
            original,
            origin_slot: OriginSlot::Last,
            origin_sent: false,
            same_origin_start,
            loaded_url: None,
            credentialed_check: false,
            listed: None,
        });
        walk.initial_unsafe =
            quirks.preflight.sticky_across_redirects && !walk.unsafe_names().is_empty();
        self.phase = Phase::Hop;
    }

    /// Main fetch, step 12, and HTTP fetch, step 4.1: the tainting of this
    /// hop and its preflight, unless the cache answers for it.
    fn hop(&mut self, state: &mut BrowserState, now: Duration) -> Option<Transmit> {
        let page = self.page;
        let Some(w) = self.walk.as_mut() else {
            self.done(unreachable_outcome());
            return None;
        };
        let quirks = w.quirks;
        // Main fetch, step 12.
        let same_origin = w.page_same_origin;
        w.referrer_trimmed |= !same_origin;
        if !(same_origin && !w.cors_tainting && !w.opaque_tainting) {
            match w.mode {
                // "request's mode is same-origin": network error. Blink
                // refuses the first URL with a console message; after a
                // redirect it is a plain network error (observed in
                // Chromium 156).
                Mode::SameOrigin => {
                    let reason = if w.redirects == 0 {
                        Reason::SameOriginModeCrossOrigin
                    } else {
                        Reason::DisallowedByMode
                    };
                    self.fail(Failure::new(reason, false, None));
                    return None;
                }
                // "request's mode is no-cors": opaque.
                Mode::NoCors => w.opaque_tainting = true,
                // Otherwise: cors (with or without preflight).
                Mode::Cors => w.cors_tainting = true,
            }
        }
        if w.redirects == 0 && w.cors_tainting {
            // WebKit: WebCore sets `Origin` on a CORS request when it makes
            // it.
            w.origin_slot = OriginSlot::First;
        }
        if w.cors_tainting {
            let redirected = w.redirects > 0;
            let sticky = w.sticky_preflight || w.initial_unsafe;
            let method = w.method.clone();
            let needed = preflight::is_needed(&method, w.unsafe_names()) || (redirected && sticky);
            w.sticky_preflight |= needed && quirks.preflight.sticky_across_redirects;
            if needed {
                // Firefox preflights with the untainted origin.
                let origin: &str = if w.tainted && !quirks.preflight.ignores_taint {
                    "null"
                } else {
                    page.origin_str()
                };
                let unsafe_names = w.unsafe_names.as_deref().unwrap_or_default();
                let lookup = Lookup {
                    origin,
                    url: w.wire.as_str(),
                    include: w.include,
                    method: &w.method,
                    unsafe_names,
                    now_ms: millis(now),
                };
                if !state.preflight_cache.allows(&lookup, quirks) {
                    w.preflighted = true;
                    let check_order = if quirks.preflight.names_as_held {
                        // WebKit: the original headers in its map order.
                        w.original
                            .as_deref()
                            .filter(|_| unsafe_names.len() > 1)
                            .map(|h| {
                                request::in_map_order(&request::webkit_map_order(h), unsafe_names)
                            })
                    } else {
                        w.map_order
                            .as_deref()
                            .filter(|_| unsafe_names.len() > 1)
                            .map(|order| request::in_map_order(order, unsafe_names))
                    };
                    let origin_bytes = if origin == "null" {
                        &NULL
                    } else {
                        &page.origin_bytes
                    };
                    let referrer = referrer(
                        page,
                        &w.url,
                        quirks.preflight.referrer_from_previous_hop
                            && w.redirects > 0
                            && w.last_referrer_full,
                    );
                    // WebKit: the request's `User-Agent`, the script's if set.
                    let script_ua = quirks
                        .preflight
                        .script_user_agent
                        .then(|| {
                            w.headers
                                .iter()
                                .find(|(n, _)| eq_ci(n, "user-agent"))
                                .map(|(_, v)| Bytes::from(crate::headers::wire_bytes(v)))
                        })
                        .flatten();
                    let ctx = HopContext {
                        host: &w.host,
                        secure: w.url.scheme() == "https",
                        referrer,
                        user_agent: script_ua.as_ref().unwrap_or(&state.user_agent),
                        accept_language: &state.accept_language,
                        body_len: None,
                        redirected: w.redirects > 0,
                        method: &w.method,
                        cached: None,
                        cookie: None,
                        conditional: wire::is_conditional(&w.headers),
                        cors: true,
                        map_order: None,
                        origin_slot: w.origin_slot,
                    };
                    let headers = wire::preflight_headers(
                        &w.method,
                        unsafe_names,
                        origin_bytes,
                        quirks,
                        &ctx,
                    );
                    let tx = Transmit {
                        kind: TransmitKind::Preflight,
                        method: http::Method::OPTIONS,
                        url: Url::clone(&w.wire),
                        headers,
                    };
                    self.phase = Phase::AwaitPreflight {
                        null_origin: origin == "null",
                        check_order,
                    };
                    return Some(tx);
                }
            }
        }
        self.phase = Phase::Request;
        None
    }

    /// HTTP-network-or-cache fetch: the request itself, unless the HTTP
    /// cache serves it.
    fn send_request(&mut self, state: &mut BrowserState, _now: Duration) -> Option<Transmit> {
        let page = self.page;
        let Some(w) = self.walk.as_mut() else {
            self.done(unreachable_outcome());
            return None;
        };
        let quirks = w.quirks;
        // A fresh stored response does not go on the wire (see
        // `NetworkQuirks::http_cache`); WebKit looks only the fetch's first
        // URL up.
        let cache_lookup = match quirks.network.http_cache {
            HttpCacheModel::Off => false,
            HttpCacheModel::Chromium => true,
            HttpCacheModel::Webkit => w.redirects == 0,
        };
        if cache_lookup && let Some(cached) = state.http_cache.fresh(&w.method, w.wire.as_str()) {
            let cached = cached.clone();
            self.phase = Phase::AwaitResponse;
            self.on_response_inner(state, &cached, true);
            return None;
        }
        // Append a request `Origin` header: CORS requests, and any request
        // whose method is neither GET nor HEAD.
        let send_origin = w.cors_tainting
            || (w.method != "GET" && w.method != "HEAD")
            || (quirks.redirect.origin_persists && w.origin_sent);
        w.origin_sent |= send_origin;
        let origin = send_origin.then_some(if w.tainted || w.net_null_origin {
            &NULL
        } else {
            &page.origin_bytes
        });
        let with_credentials = w.includes_credentials(page, quirks);
        let same_site = with_credentials && w.same_site(page);
        let same_origin = w.page_same_origin;
        let referrer = referrer(page, &w.url, same_origin && !w.referrer_trimmed);
        w.last_referrer_full = same_origin && !w.referrer_trimmed;
        let cached = if quirks.network.http_cache == HttpCacheModel::Chromium {
            state.http_cache.entity(w.wire.as_str())
        } else {
            None
        };
        let ctx = HopContext {
            host: &w.host,
            secure: w.url.scheme() == "https",
            referrer,
            user_agent: &state.user_agent,
            accept_language: &state.accept_language,
            body_len: w.body_len,
            redirected: w.redirects > 0,
            method: &w.method,
            cached,
            cookie: if with_credentials {
                state.cookie_header(w.url.host_str().unwrap_or_default(), same_site)
            } else {
                None
            },
            conditional: wire::is_conditional(&w.headers),
            cors: w.cors_tainting,
            map_order: w.map_order.as_deref(),
            origin_slot: w.origin_slot,
        };
        let headers = wire::request_headers(&w.headers, origin, quirks, &ctx);
        let method = http::Method::from_bytes(w.method.as_bytes()).unwrap_or(http::Method::GET);
        let tx = Transmit {
            kind: TransmitKind::Request,
            method,
            url: Url::clone(&w.wire),
            headers,
        };
        self.phase = Phase::AwaitResponse;
        Some(tx)
    }

    /// Fetch: CORS-preflight fetch, step 7: the preflight's answer.
    fn on_preflight(
        &mut self,
        state: &mut BrowserState,
        now: Duration,
        head: &ResponseHead<'_>,
        origin: &str,
        check_order: Option<&[String]>,
    ) {
        let Some(w) = self.walk.as_ref() else {
            return;
        };
        let quirks = w.quirks;
        if let Some(reason) = over_limit(head, w) {
            return self.fail(Failure::new(reason, true, None));
        }
        let is_redirect = match location(head) {
            Some(l) => !l.is_empty() || quirks.redirect.empty_location == EmptyLocation::Follow,
            None => false,
        };
        let unsafe_names = w.unsafe_names.as_deref().unwrap_or_default();
        let checked = preflight::check(
            PreflightResponse { head, is_redirect },
            PreflightFor {
                method: &w.method,
                unsafe_names,
                check_order,
                include: w.include,
                origin,
                same_origin: w.page_same_origin,
            },
            quirks,
        );
        match checked {
            Ok(grant) => {
                // Chromium keeps no entry for a long URL.
                if quirks
                    .cache
                    .max_url_len
                    .is_none_or(|max| w.wire.as_str().len() < max)
                {
                    let lookup = Lookup {
                        origin,
                        url: w.wire.as_str(),
                        include: w.include,
                        method: &w.method,
                        unsafe_names,
                        now_ms: millis(now),
                    };
                    state.preflight_cache.store(&lookup, grant, quirks);
                }
                self.phase = Phase::Request;
            }
            Err(mut failure) => {
                // Fetch: a failed preflight clears the entries.
                state.preflight_cache.clear(origin, w.wire.as_str());
                let matched = matches!(
                    failure.reason,
                    Reason::MethodDisallowed { .. } | Reason::HeaderDisallowed { .. }
                );
                // WebKit stores the result before it checks the method and
                // the headers.
                if matched
                    && quirks.cache.stores_failed_match
                    && let Some(grant) = preflight::grant_of(head, quirks)
                {
                    let lookup = Lookup {
                        origin,
                        url: w.wire.as_str(),
                        include: w.include,
                        method: &w.method,
                        unsafe_names,
                        now_ms: millis(now),
                    };
                    state.preflight_cache.store(&lookup, grant, quirks);
                }
                // WebKit names the header as its header map holds it.
                if quirks.preflight.names_as_held
                    && let Reason::HeaderDisallowed { name } = &mut failure.reason
                    && let Some(original) = &w.original
                {
                    *name = request::webkit_held_name(original, name);
                }
                let listed = matched.then(|| Box::new(preflight::listed(head, quirks)));
                if let Some(w) = self.walk.as_mut() {
                    w.listed = listed;
                }
                self.fail(failure);
            }
        }
    }

    fn on_response(&mut self, state: &mut BrowserState, head: &ResponseHead<'_>) {
        self.on_response_inner(state, head, false);
    }

    /// HTTP fetch, steps 4.3-8, and the end of main fetch: the answer to
    /// the request (from the wire or from the HTTP cache).
    fn on_response_inner(
        &mut self,
        state: &mut BrowserState,
        head: &ResponseHead<'_>,
        from_cache: bool,
    ) {
        let page = self.page;
        let Some(w) = self.walk.as_mut() else {
            return;
        };
        let quirks = w.quirks;
        if quirks.network.http_cache != HttpCacheModel::Off && !from_cache {
            state
                .http_cache
                .store(&w.method, w.wire.as_str(), head, quirks.network.http_cache);
        }
        if !from_cache && w.includes_credentials(page, quirks) {
            state.store_cookies(
                w.url.host_str().unwrap_or_default(),
                w.url.scheme() == "https",
                head,
            );
        }
        if let Some(reason) = over_limit(head, w) {
            return self.fail(Failure::new(reason, false, None));
        }
        let status = head.status();
        if status == 407 && quirks.network.status_407_is_network_error {
            return self.fail(Failure::new(Reason::NetworkError, false, Some(407)));
        }
        let origin_s: &str = if w.tainted { "null" } else { page.origin_str() };
        let loc = location(head);
        // WebKit: a same-origin start's redirect responses are checked as
        // credentialed (`CorsQuirks::credentialed_redirects_after_same_
        // origin_start`).
        let include = w.include
            || (quirks.cors.credentialed_redirects_after_same_origin_start
                && loc.is_some()
                && w.same_origin_start
                && w.credentials == Credentials::SameOrigin);
        // HTTP fetch, step 4.3-4.4: the CORS check applies to every
        // response of a CORS request, redirects included.
        if w.cors_tainting
            && let Err(reason) = cors_check(head, origin_s, include, quirks)
        {
            if quirks.cache.cors_failure_clears {
                // Firefox `nsCORSListenerProxy::OnStartRequest`.
                state.preflight_cache.clear(origin_s, w.wire.as_str());
            }
            w.credentialed_check = include && !w.include;
            let mut failure = Failure::new(reason, false, Some(status));
            if let Some(loc) = &loc
                && quirks.redirect.limit_reported
            {
                // WebKit: "Cross-origin redirection to <target> denied".
                failure = failure.on_redirect();
                w.fail_url = Some(match redirect::location_url(&w.url, loc) {
                    Some(next) => next.as_str().to_owned(),
                    None => loc.trim().to_owned(),
                });
                w.loaded_url = Some(w.url.as_str().to_owned());
            }
            return self.fail(failure);
        }
        let loc = match loc {
            Some(l) if l.is_empty() => match quirks.redirect.empty_location {
                EmptyLocation::Follow => Some(l),
                EmptyLocation::Final => None,
                EmptyLocation::NetworkError => {
                    return self.fail(Failure::new(Reason::NetworkError, false, Some(status)));
                }
            },
            other => other,
        };
        if let Some(loc) = loc {
            // HTTP fetch, step 8: the redirect mode.
            match w.redirect_mode {
                RedirectMode::Error => {
                    return self.fail(Failure::new(Reason::NetworkError, false, Some(status)));
                }
                RedirectMode::Manual => {
                    let url = w.url.as_str().to_owned();
                    let redirected = w.redirects > 0;
                    self.done(Outcome::Readable(Readable {
                        response_type: ResponseType::OpaqueRedirect,
                        status: 0,
                        exposed: Vec::new(),
                        redirected,
                        url,
                    }));
                    return;
                }
                RedirectMode::Follow => {}
            }
            // HTTP-redirect fetch. A network error the CORS listener sees
            // (Firefox logs "CORS request did not succeed") only on a CORS
            // request.
            let refused = if w.cors_tainting {
                Reason::RedirectFailed
            } else {
                Reason::NetworkError
            };
            let next = match head.resolved_location(&w.url) {
                Some(resolved) => resolved.cloned(),
                None => redirect::location_url(&w.url, &loc),
            };
            let Some(next) = next else {
                if quirks.redirect.non_http == super::browser::NonHttpRedirect::Webkit {
                    // WebKit: an unparsable `Location` is a URL of no CORS
                    // scheme, quoted as written.
                    w.fail_url = Some(loc.trim().to_owned());
                    w.loaded_url = Some(w.url.as_str().to_owned());
                    return self.fail(
                        Failure::new(Reason::CorsDisabledScheme, false, Some(status)).on_redirect(),
                    );
                }
                return self.fail(Failure::new(refused, false, Some(status)));
            };
            let next_origin = Origin::of_parsed(&next);
            let from = RedirectFrom {
                status,
                current_origin: &w.hop_origin,
                page_origin: page.origin(),
                mode: w.mode,
                cors_tainting: w.cors_tainting,
            };
            let before = w.headers.len();
            let (was_tainted, was_cors) = (w.tainted, w.cors_tainting);
            // WebCore's `shouldUseGet` (the standard's step 12), apart from
            // the GTK port's own `DELETE` rule.
            let webcore_rewrite = ((status == 301 || status == 302) && w.method == "POST")
                || (status == 303 && w.method != "GET" && w.method != "HEAD");
            let mut has_body = w.body_len.is_some();
            let hop = Hop {
                method: &mut w.method,
                headers: &mut w.headers,
                has_body: &mut has_body,
                tainted: &mut w.tainted,
                count: &mut w.redirects,
            };
            let followed = redirect::follow(&from, &next, &next_origin, hop, quirks);
            if !has_body {
                w.body_len = None;
            }
            if w.headers.len() != before && !quirks.preflight.original_headers {
                w.unsafe_names = None;
            }
            if let Err(mut reason) = followed {
                let limit = reason == Reason::RedirectFailed;
                if (reason == Reason::RedirectFailed || reason == Reason::NetworkError)
                    && !(limit && quirks.redirect.limit_reported)
                {
                    reason = refused;
                }
                let mut failure = Failure::new(reason.clone(), false, Some(status));
                if matches!(
                    reason,
                    Reason::CorsDisabledScheme | Reason::RedirectContainsCredentials
                ) {
                    // Chromium and WebKit quote the target URL.
                    if reason == Reason::CorsDisabledScheme || quirks.redirect.limit_reported {
                        w.fail_url = Some(next.as_str().to_owned());
                    }
                    if quirks.redirect.limit_reported {
                        w.loaded_url = Some(w.url.as_str().to_owned());
                        failure = failure.on_redirect();
                    }
                }
                return self.fail(failure);
            }
            // WebKit: a hop that changes the request's `Origin` gets the
            // first request's headers back, and `Accept`, `Origin`,
            // `Referer` again in that order.
            let cors_next =
                was_cors || (w.mode == Mode::Cors && !page.origin().is_same_origin(&next_origin));
            if quirks.redirect.restores_first_headers
                && cors_next
                && (!was_cors || (w.tainted && !was_tainted))
            {
                if let Some(original) = &w.original {
                    let keep_authorization =
                        w.headers.iter().any(|(n, _)| eq_ci(n, "authorization"));
                    // A hop that WebCore turns into a `GET` removes the
                    // body's headers again after the restore (WebCore
                    // `ResourceRequestBase::redirectAsGETIfNeeded`):
                    // observed in WebKitGTK 2.50, `random-20261130-77` (a
                    // same-origin `POST` whose 303 goes to another origin
                    // loses its `Content-Type`), while a `GET` made on an
                    // earlier hop (`random-20261129-25`) or by the GTK
                    // port's `DELETE` rule (`random-20261130-179`, a 301)
                    // gets the first request's `Content-Type` back.
                    w.headers = original
                        .iter()
                        .filter(|(n, _)| keep_authorization || !eq_ci(n, "authorization"))
                        .filter(|(n, _)| !webcore_rewrite || !redirect::is_request_body_header(n))
                        .cloned()
                        .collect();
                }
                w.origin_slot = OriginSlot::AfterAccept;
            }
            // WebKit's network layer removes `Origin` (and `Authorization`)
            // from a request it redirects to another origin (see
            // `RedirectQuirks::origin_persists`); a CORS request gets it back
            // from the `NetworkLoadChecker`, a no-cors one goes without.
            if quirks.redirect.origin_persists && !w.hop_origin.is_same_origin(&next_origin) {
                w.origin_sent = false;
            }
            // Chromium's network stack rewrites a present `Origin` to `null`
            // on any cross-origin hop it follows itself (`RedirectUtil::
            // UpdateHttpRequest`); CORS requests restart and set `Origin`
            // from the taint instead, so this shows only in no-cors mode.
            if quirks.redirect.net_origin_null_on_cross_origin_hop
                && w.mode == Mode::NoCors
                && w.method != "GET"
                && w.method != "HEAD"
                && !w.hop_origin.is_same_origin(&next_origin)
            {
                w.net_null_origin = true;
            }
            if w.initial_url.is_none() {
                w.initial_url = Some(w.url.as_str().to_owned());
            }
            w.host = Cow::Owned(host_header(&next));
            w.url = Cow::Owned(next);
            w.wire = Cow::Owned(wire_url(&w.url).into_owned());
            w.page_same_origin = page.origin().is_same_origin(&next_origin);
            w.page_same_site = None;
            w.hop_origin = Cow::Owned(next_origin);
            self.phase = Phase::Hop;
            return;
        }
        // The final response.
        let url = w.url.as_str().to_owned();
        let redirected = w.redirects > 0;
        let readable = if w.opaque_tainting {
            Readable {
                response_type: ResponseType::Opaque,
                status: 0,
                exposed: Vec::new(),
                url,
                redirected,
            }
        } else if w.cors_tainting {
            Readable {
                response_type: ResponseType::Cors,
                status,
                exposed: super::expose::cors(head, w.include, quirks),
                url,
                redirected,
            }
        } else {
            Readable {
                response_type: ResponseType::Basic,
                status,
                exposed: super::expose::basic(head),
                url,
                redirected,
            }
        };
        self.done(Outcome::Readable(readable));
    }
}

impl Walk<'_> {
    /// HTTP-network-or-cache fetch, step 8.13: whether this hop carries
    /// and stores cookies (`include`, or `same-origin` when the response is
    /// basic), and the browser's rule on other sites.
    fn includes_credentials(&mut self, page: &Page, quirks: &Quirks) -> bool {
        let mode = match self.credentials {
            Credentials::Include => true,
            Credentials::SameOrigin => !self.cors_tainting && !self.opaque_tainting,
            Credentials::Omit => false,
        };
        mode && (quirks.network.third_party_cookies || self.same_site(page))
    }

    /// Whether the current URL is same site with the page (HTML's "same
    /// site"), computed once per hop.
    fn same_site(&mut self, page: &Page) -> bool {
        let hop_origin = &self.hop_origin;
        *self
            .page_same_site
            .get_or_insert_with(|| page.origin().is_same_site(hop_origin))
    }

    /// The request's CORS-unsafe names, computed once per header list.
    fn unsafe_names(&mut self) -> &[String] {
        let (headers, quirks) = (&self.headers, self.quirks);
        self.unsafe_names
            .get_or_insert_with(|| request::unsafe_names(headers, quirks))
    }
}

/// The failure a response head over the browser's size limit causes:
/// Chromium's `ERR_RESPONSE_HEADERS_TOO_BIG`, a network error (which
/// Firefox reports on a CORS request as "CORS request did not succeed").
fn over_limit(head: &ResponseHead<'_>, w: &Walk<'_>) -> Option<Reason> {
    (head.wire_len() > w.quirks.network.max_response_head_bytes).then_some(if w.cors_tainting {
        Reason::RequestFailed
    } else {
        Reason::NetworkError
    })
}

/// The `Location` of a redirect response, if it is one (possibly empty:
/// see `RedirectQuirks::empty_location`).
fn location<'h>(head: &'h ResponseHead<'_>) -> Option<Cow<'h, str>> {
    if !redirect::is_redirect_status(head.status()) {
        return None;
    }
    head.get_known(Known::Location)
}

/// The `Referer` under the default policy, strict-origin-when-cross-origin:
/// the page's URL to its own origin, its origin elsewhere, nothing from
/// `https:` to `http:`.
///
/// <https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-strict-origin-when-cross-origin>
fn referrer<'p>(page: &'p Page, target: &Url, same_origin: bool) -> Option<&'p Bytes> {
    if target.scheme() == "http" && page.is_https() {
        return None;
    }
    Some(if same_origin {
        &page.referrer_full
    } else {
        &page.referrer_origin
    })
}

/// Never reached: a fetch without its walk has always ended already.
fn unreachable_outcome() -> Outcome {
    Outcome::Readable(Readable {
        response_type: ResponseType::Basic,
        status: 0,
        exposed: Vec::new(),
        url: String::new(),
        redirected: false,
    })
}
