//! What a browser keeps between fetches, and the page a fetch starts from.

use bytes::Bytes;

use super::browser::Browser;
use super::cache::PreflightCache;
use super::http_cache::HttpCache;
use crate::origin::Origin;

/// One browser profile: which browser, the identity it sends, and what it
/// remembers between fetches (the CORS-preflight cache, the part of the
/// HTTP cache that changes what goes on the wire, cookies).
///
/// The caller owns it and passes it to every call of a
/// [`Fetch`](super::Fetch); fetches made with the same state share its
/// caches, as the requests of one page do.
///
/// ```
/// use corsica::fetch::{Browser, BrowserState};
///
/// let mut state = BrowserState::new(Browser::Firefox)
///     .with_accept_language("fr-FR,fr;q=0.8");
/// state.set_cookie("api.example", "session=abc");
/// assert_eq!(state.browser(), Browser::Firefox);
/// ```
#[derive(Clone, Debug)]
pub struct BrowserState {
    browser: Browser,
    pub(crate) user_agent: Bytes,
    pub(crate) accept_language: Bytes,
    pub(crate) preflight_cache: PreflightCache,
    pub(crate) http_cache: HttpCache,
    /// Host → `Cookie` value.
    cookies: Vec<(String, Bytes)>,
}

impl BrowserState {
    /// A fresh profile of `browser`: empty caches, no cookies, and the
    /// `User-Agent` and `Accept-Language` of a desktop build on Linux in an
    /// `en-US` locale.
    pub fn new(browser: Browser) -> BrowserState {
        BrowserState {
            browser,
            user_agent: Bytes::from_static(browser.default_user_agent().as_bytes()),
            accept_language: Bytes::from_static(browser.default_accept_language().as_bytes()),
            preflight_cache: PreflightCache::default(),
            http_cache: HttpCache::default(),
            cookies: Vec::new(),
        }
    }

    /// The browser this profile is.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// Sends `user_agent` as `User-Agent` (text: characters up to U+00FF
    /// are one byte each).
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: &str) -> BrowserState {
        self.user_agent = Bytes::from(crate::headers::wire_bytes(user_agent));
        self
    }

    /// Sends `accept_language` as the default `Accept-Language`.
    #[must_use]
    pub fn with_accept_language(mut self, accept_language: &str) -> BrowserState {
        self.accept_language = Bytes::from(crate::headers::wire_bytes(accept_language));
        self
    }

    /// Sends `Cookie: cookie` with requests to `host` that include
    /// credentials (`credentials: "include"`, or same-origin requests in
    /// the default mode). Replaces an earlier cookie for the host.
    pub fn set_cookie(&mut self, host: &str, cookie: &str) {
        let host = host.to_ascii_lowercase();
        let value = Bytes::from(crate::headers::wire_bytes(cookie));
        match self.cookies.iter_mut().find(|(h, _)| *h == host) {
            Some(slot) => slot.1 = value,
            None => self.cookies.push((host, value)),
        }
    }

    /// The cookie for `host`, if any.
    pub(crate) fn cookie(&self, host: &str) -> Option<&Bytes> {
        if self.cookies.is_empty() {
            return None;
        }
        self.cookies
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, v)| v)
    }

    /// Forgets every cached preflight and response (cookies stay).
    pub fn clear_caches(&mut self) {
        self.preflight_cache = PreflightCache::default();
        self.http_cache = HttpCache::default();
    }
}

/// The page a script runs on: its origin (what `Origin` says) and its URL
/// (what `Referer` says, and what relative URLs resolve against).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    origin: Origin,
    origin_text: String,
    url: String,
    base: Option<url::Url>,
}

/// Occurs when a page URL does not parse or is not http(s).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("page URL {url:?} is not an absolute http(s) URL")]
pub struct PageError {
    /// The URL, shortened.
    pub url: String,
}

impl Page {
    /// A page at `url`, an absolute `http:` or `https:` URL; its origin is
    /// the URL's.
    pub fn new(url: &str) -> Result<Page, PageError> {
        let refuse = || PageError {
            url: crate::shorten::shorten(url).to_string(),
        };
        let parsed = url::Url::parse(url).map_err(|_| refuse())?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(refuse());
        }
        let origin = Origin::of_parsed(&parsed);
        Ok(Page::with_origin(origin, url))
    }

    /// A page whose origin is not its URL's: a sandboxed document (opaque
    /// origin, `Origin: null`) or a page known only by its origin. `url` is
    /// what `Referer` quotes on same-origin requests.
    pub fn with_origin(origin: Origin, url: impl Into<String>) -> Page {
        let url = url.into();
        Page {
            origin_text: origin.serialize(),
            base: url::Url::parse(&url).ok(),
            origin,
            url,
        }
    }

    /// The page's origin.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The page's origin, serialized.
    pub fn origin_str(&self) -> &str {
        &self.origin_text
    }

    /// The page's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What relative URLs resolve against.
    pub(crate) fn base(&self) -> Option<&url::Url> {
        self.base.as_ref()
    }
}
