//! What a browser keeps between fetches, and the page a fetch starts from.

use bytes::Bytes;

use super::browser::Browser;
use super::cache::PreflightCache;
use super::http_cache::HttpCache;
use crate::headers::eq_ci;
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
    /// The cookie jar: (host, name, value), in the order set.
    cookies: Vec<Cookie>,
}

/// One stored cookie: host-only, as `Set-Cookie` without `Domain` makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cookie {
    host: String,
    name: String,
    value: String,
    /// `SameSite=Strict` or `Lax`: not sent on cross-site requests.
    same_site_only: bool,
}

/// The most cookies the jar keeps (browsers keep about 180 per domain and
/// a few thousand in all); beyond, the oldest go first.
const MAX_COOKIES: usize = 3000;

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

    /// Sets the identity from header bytes already made.
    pub(crate) fn set_identity(&mut self, user_agent: Bytes, accept_language: Bytes) {
        self.user_agent = user_agent;
        self.accept_language = accept_language;
    }

    /// Sends `accept_language` as the default `Accept-Language`.
    #[must_use]
    pub fn with_accept_language(mut self, accept_language: &str) -> BrowserState {
        self.accept_language = Bytes::from(crate::headers::wire_bytes(accept_language));
        self
    }

    /// Stores the cookies of a `Cookie` header value (`a=b; c=d`) for
    /// `host`, as if `host` had set them: they go with requests to `host`
    /// that include credentials (`credentials: "include"`, or same-origin
    /// requests in the default mode). A cookie of the same name replaces
    /// the earlier one.
    pub fn set_cookie(&mut self, host: &str, cookies: &str) {
        for pair in cookies.split(';') {
            let (name, value) = pair.split_once('=').unwrap_or(("", pair));
            self.put(Cookie {
                host: host.to_ascii_lowercase(),
                name: name.trim().to_owned(),
                value: value.trim().to_owned(),
                same_site_only: false,
            });
        }
    }

    fn put(&mut self, cookie: Cookie) {
        self.cookies
            .retain(|c| !(c.host == cookie.host && c.name == cookie.name));
        if self.cookies.len() >= MAX_COOKIES {
            self.cookies.remove(0);
        }
        self.cookies.push(cookie);
    }

    /// <https://httpwg.org/specs/rfc6265.html#storage-model>, the part the
    /// model needs: a response's `Set-Cookie` lines for `host` (name and
    /// value; `Max-Age` of 0 or less deletes; `Secure` is refused over
    /// plain HTTP; `SameSite=Strict` or `Lax` keeps it off cross-site
    /// requests; `Domain`, `Path` and `Expires` are not modelled).
    pub(crate) fn store_cookies(
        &mut self,
        host: &str,
        secure: bool,
        head: &super::ResponseHead<'_>,
    ) {
        for (name, line) in head.iter() {
            if !eq_ci(name, "set-cookie") {
                continue;
            }
            let mut parts = line.split(';');
            let pair = parts.next().unwrap_or_default();
            let (n, v) = pair.split_once('=').unwrap_or(("", pair));
            let mut cookie = Cookie {
                host: host.to_ascii_lowercase(),
                name: n.trim().to_owned(),
                value: v.trim().to_owned(),
                same_site_only: false,
            };
            let mut delete = false;
            let mut refused = false;
            for attr in parts {
                let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
                let (key, val) = (key.trim(), val.trim());
                if eq_ci(key, "max-age") {
                    delete |= val.parse::<i64>().is_ok_and(|s| s <= 0);
                } else if eq_ci(key, "secure") {
                    refused |= !secure;
                } else if eq_ci(key, "samesite") {
                    cookie.same_site_only = eq_ci(val, "strict") || eq_ci(val, "lax");
                }
            }
            if refused {
                continue;
            }
            if delete {
                self.cookies
                    .retain(|c| !(c.host == cookie.host && c.name == cookie.name));
            } else {
                self.put(cookie);
            }
        }
    }

    /// The `Cookie` value for a request to `host` (`same_site`: whether the
    /// request is same-site with the page), if any cookie goes.
    pub(crate) fn cookie_header(&self, host: &str, same_site: bool) -> Option<Bytes> {
        if self.cookies.is_empty() {
            return None;
        }
        let mut value = String::new();
        for c in &self.cookies {
            if !eq_ci(&c.host, host) || (c.same_site_only && !same_site) {
                continue;
            }
            if !value.is_empty() {
                value.push_str("; ");
            }
            if !c.name.is_empty() {
                value.push_str(&c.name);
                value.push('=');
            }
            value.push_str(&c.value);
        }
        (!value.is_empty()).then(|| Bytes::from(crate::headers::wire_bytes(&value)))
    }

    /// Forgets every cached preflight and response (cookies stay).
    pub fn clear_caches(&mut self) {
        self.preflight_cache = PreflightCache::default();
        self.http_cache = HttpCache::default();
    }
}

/// The page a script runs on: its origin (what `Origin` says) and its URL
/// (what `Referer` says, and what relative URLs resolve against).
#[derive(Clone, Debug)]
pub struct Page {
    origin: Origin,
    origin_text: std::sync::Arc<str>,
    url: std::sync::Arc<str>,
    /// `url` parsed, when first needed (a page made from its origin rarely
    /// needs it: only relative request URLs and an `https:` page do).
    base: std::sync::OnceLock<Option<url::Url>>,
    /// Whether `url` can have the `https` scheme at all (see
    /// [`Page::is_https`]).
    maybe_https: bool,
    /// Header bytes, made once: the serialized origin, the origin-only
    /// referrer (`origin/`) and the full one (the URL without fragment).
    pub(crate) origin_bytes: Bytes,
    pub(crate) referrer_origin: Bytes,
    pub(crate) referrer_full: Bytes,
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
        let page = Page::with_origin(origin, url);
        let _ = page.base.set(Some(parsed));
        Ok(page)
    }

    /// A page whose origin is not its URL's: a sandboxed document (opaque
    /// origin, `Origin: null`) or a page known only by its origin. `url` is
    /// what `Referer` quotes on same-origin requests.
    pub fn with_origin(origin: Origin, url: impl Into<String>) -> Page {
        let origin_text = origin.serialize();
        Page::with_serialized_origin(origin, origin_text, url.into())
    }

    /// [`Page::with_origin`] with the origin already serialized
    /// (`origin_text` is `origin.serialize()`).
    pub(crate) fn with_serialized_origin(origin: Origin, origin_text: String, url: String) -> Page {
        let without_fragment = match url.bytes().position(|b| b == b'#') {
            Some(i) => &url[..i],
            None => &url[..],
        };
        // The `Origin` value, and the origin-only `Referer` made from it.
        let origin_wire = crate::headers::wire_bytes(&origin_text);
        let mut slash = Vec::with_capacity(origin_wire.len() + 1);
        slash.extend_from_slice(&origin_wire);
        slash.push(b'/');
        Page {
            origin_bytes: Bytes::from(origin_wire),
            referrer_origin: Bytes::from(slash),
            referrer_full: Bytes::from(crate::headers::wire_bytes(without_fragment)),
            base: std::sync::OnceLock::new(),
            maybe_https: may_be_https(&url),
            origin_text: origin_text.into(),
            origin,
            url: url.into(),
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

    /// The page's origin and URL, shared (for failures that quote them).
    pub(crate) fn shared(&self) -> (std::sync::Arc<str>, std::sync::Arc<str>) {
        (self.origin_text.clone(), self.url.clone())
    }

    /// What relative URLs resolve against.
    pub(crate) fn base(&self) -> Option<&url::Url> {
        self.base
            .get_or_init(|| url::Url::parse(&self.url).ok())
            .as_ref()
    }

    /// Whether the page's URL parses with the `https` scheme.
    pub(crate) fn is_https(&self) -> bool {
        self.maybe_https && self.base().is_some_and(|u| u.scheme() == "https")
    }
}

/// Two pages are equal when their origins, URLs and header bytes are
/// (whether the URL was parsed yet does not matter).
impl PartialEq for Page {
    fn eq(&self, other: &Page) -> bool {
        self.origin == other.origin
            && self.origin_text == other.origin_text
            && self.url == other.url
            && self.origin_bytes == other.origin_bytes
            && self.referrer_origin == other.referrer_origin
            && self.referrer_full == other.referrer_full
    }
}

impl Eq for Page {}

/// Whether `url` can parse with the scheme `https`: the URL parser strips
/// leading C0 controls and spaces, removes tabs and newlines anywhere, and
/// lowercases the scheme, so the text must then start with `https:`.
fn may_be_https(url: &str) -> bool {
    let mut bytes = url
        .bytes()
        .skip_while(|&b| b <= b' ')
        .filter(|&b| !matches!(b, b'\t' | b'\n' | b'\r'));
    b"https:"
        .iter()
        .all(|&want| bytes.next().is_some_and(|b| b.eq_ignore_ascii_case(&want)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_pages_are_known_without_parsing_others() {
        for (url, https) in [
            ("https://app.test/", true),
            ("HTTPS://app.test/", true),
            (" \u{1}htt\tps://app.test/", true),
            ("http://app.test/", false),
            ("https:", false),
            ("null/__corsica__/page.html", false),
            ("httpsx://app.test/", false),
        ] {
            let page = Page::with_origin(Origin::new_opaque(), url);
            assert_eq!(page.is_https(), https, "{url:?}");
            assert_eq!(
                page.is_https(),
                url::Url::parse(url).is_ok_and(|u| u.scheme() == "https"),
                "{url:?}"
            );
        }
        let page = Page::new("https://app.test/x").unwrap();
        assert!(page.is_https());
        assert_eq!(page, Page::new("https://app.test/x").unwrap());
    }
}
