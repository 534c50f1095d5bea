//! How a fetch ends: a response the script can read, or a failure.

use super::browser::Browser;
use super::failure::{Failure, Reason};

/// The type of the response the script gets.
///
/// <https://fetch.spec.whatwg.org/#concept-response-type>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseType {
    /// A same-origin response: every header but `Set-Cookie` is readable.
    Basic,
    /// A cross-origin response the server allowed: only safelisted and
    /// exposed headers are readable.
    Cors,
    /// A `no-cors` cross-origin response: status 0, nothing readable.
    Opaque,
    /// A redirect under `redirect: "manual"`: status 0, nothing readable.
    OpaqueRedirect,
}

/// A response the fetch resolved with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readable {
    /// The response's type.
    pub response_type: ResponseType,
    /// The status the script sees (0 when opaque).
    pub status: u16,
    /// The header names the script can read through `response.headers`,
    /// lowercase and sorted.
    pub exposed: Vec<String>,
    /// The URL of the final response.
    pub url: String,
    /// Whether a redirect was followed.
    pub redirected: bool,
}

/// A fetch that failed: the rule that broke and what the browser's
/// messages quote. [`crate::explain`] presents it: the browser's error
/// name, its console line, the cause and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    pub(crate) failure: Failure,
    pub(crate) browser: Browser,
    /// The URL the failure names (the last hop).
    pub(crate) url: String,
    /// The URL the script fetched.
    pub(crate) initial_url: String,
    /// The page's origin, serialized.
    pub(crate) page_origin: std::sync::Arc<str>,
    /// The page's URL.
    pub(crate) page_url: std::sync::Arc<str>,
    /// Whether a redirect tainted the request's origin (`Origin: null`).
    pub(crate) tainted: bool,
    /// The method of the failing request.
    pub(crate) method: String,
    /// Its CORS-unsafe header names (what a preflight asked for).
    pub(crate) request_headers: Vec<String>,
    /// Whether the request's credentials mode was `include`.
    pub(crate) credentials: bool,
    /// The URL of the last request that went on the wire, when `url` names
    /// another (a redirect's target that was refused): WebKit's second
    /// console line quotes it.
    pub(crate) loaded_url: Option<String>,
    /// Whether the failing CORS check required credentials though the
    /// request's mode is not `include` (WebKit: see `CorsQuirks::
    /// credentialed_redirects_after_same_origin_start`).
    pub(crate) credentialed_check: bool,
    /// What the failing preflight's answer listed, when it refused the
    /// method or a header.
    pub(crate) listed: Option<Box<super::preflight::Listed>>,
}

impl Blocked {
    /// The failure: reason, whether the preflight failed, the status.
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    /// The rule that broke.
    pub fn reason(&self) -> &Reason {
        &self.failure.reason
    }

    /// The browser whose behaviour and wording this follows.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// The URL the failure names: the request that failed (the last hop of
    /// a redirect chain).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL the script fetched.
    pub fn initial_url(&self) -> &str {
        &self.initial_url
    }

    /// The URL of the last request that went on the wire for this fetch:
    /// [`url`](Blocked::url), unless that names a redirect's target that
    /// was refused before it was requested (then the URL that redirected).
    pub fn loaded_url(&self) -> &str {
        self.loaded_url.as_deref().unwrap_or(&self.url)
    }

    /// The page's origin, serialized.
    pub fn page_origin(&self) -> &str {
        &self.page_origin
    }

    /// The `Origin` value the failing request carried: the page's origin,
    /// or `null` once a redirect tainted it.
    pub fn request_origin(&self) -> &str {
        if self.tainted {
            "null"
        } else {
            &self.page_origin
        }
    }

    /// The method of the failing request.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Whether the request included credentials (`credentials: "include"`).
    pub fn credentials_included(&self) -> bool {
        self.credentials
    }

    /// The CORS-unsafe header names of the failing request (lowercase):
    /// what its preflight listed in `Access-Control-Request-Headers`.
    pub fn request_headers(&self) -> &[String] {
        &self.request_headers
    }

    /// The methods the failing preflight's answer listed in
    /// `Access-Control-Allow-Methods`, as sent, when it refused the
    /// request's method or one of its headers (empty otherwise, or when
    /// the list did not parse).
    pub fn preflight_allowed_methods(&self) -> &[String] {
        self.listed.as_ref().map_or(&[], |l| &l.methods)
    }

    /// The header names the failing preflight's answer listed in
    /// `Access-Control-Allow-Headers`, as sent, on the same failures as
    /// [`Blocked::preflight_allowed_methods`].
    pub fn preflight_allowed_headers(&self) -> &[String] {
        self.listed.as_ref().map_or(&[], |l| &l.headers)
    }
}

/// How a fetch ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The fetch resolved with a response.
    Readable(Readable),
    /// The fetch rejected with a `TypeError` ("Failed to fetch").
    Blocked(Blocked),
}

impl Outcome {
    /// The response, if the fetch resolved.
    pub fn readable(&self) -> Option<&Readable> {
        match self {
            Outcome::Readable(r) => Some(r),
            Outcome::Blocked(_) => None,
        }
    }

    /// The failure, if the fetch rejected.
    pub fn blocked(&self) -> Option<&Blocked> {
        match self {
            Outcome::Readable(_) => None,
            Outcome::Blocked(b) => Some(b),
        }
    }
}
