//! Following a redirect in a CORS-aware way.
//!
//! <https://fetch.spec.whatwg.org/#http-redirect-fetch>

use std::borrow::Cow;

use url::Url;

use super::browser::{NonHttpRedirect, Quirks};
use super::failure::Reason;
use super::request::{Hdr, Mode};
use crate::headers::eq_ci;
use crate::origin::Origin;

/// <https://fetch.spec.whatwg.org/#redirect-status>
pub(crate) fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The most redirects a fetch follows (HTTP-redirect fetch, step 5).
pub(crate) const MAX_REDIRECTS: u32 = 20;

/// The request state a redirect may change.
#[derive(Debug)]
pub(crate) struct Hop<'a, 'h> {
    /// The request's method.
    pub(crate) method: &'a mut Cow<'h, str>,
    /// The request's headers.
    pub(crate) headers: &'a mut Vec<Hdr<'h>>,
    /// Whether the request has a body.
    pub(crate) has_body: &'a mut bool,
    /// The tainted-origin flag (redirect-taint is not same-origin).
    pub(crate) tainted: &'a mut bool,
    /// The redirect count.
    pub(crate) count: &'a mut u32,
}

/// What the redirect decides, given the request's state.
pub(crate) struct RedirectFrom<'a> {
    /// The status of the redirect response.
    pub(crate) status: u16,
    /// The current URL's origin.
    pub(crate) current_origin: &'a Origin,
    /// The page's origin.
    pub(crate) page_origin: &'a Origin,
    /// The request's mode.
    pub(crate) mode: Mode,
    /// Whether the response tainting is `cors`.
    pub(crate) cors_tainting: bool,
}

/// <https://fetch.spec.whatwg.org/#concept-response-location-url>: parse the
/// `Location` value against the current URL, keeping the current fragment
/// when the location has none.
pub(crate) fn location_url(current: &Url, location: &str) -> Option<Url> {
    let mut url = current.join(location).ok()?;
    if url.fragment().is_none() {
        url.set_fragment(current.fragment());
    }
    Some(url)
}

/// <https://fetch.spec.whatwg.org/#request-body-header-name>: the headers a
/// redirect that turns the request into a `GET` removes.
pub(crate) fn is_request_body_header(name: &str) -> bool {
    [
        "content-encoding",
        "content-language",
        "content-location",
        "content-type",
    ]
    .iter()
    .any(|b| eq_ci(name, b))
}

/// HTTP-redirect fetch, steps 4-13, for a `Location` already parsed into
/// `location` (with its origin): checks the redirect may be followed and
/// updates the request.
pub(crate) fn follow(
    from: &RedirectFrom<'_>,
    location: &Url,
    location_origin: &Origin,
    hop: Hop<'_, '_>,
    quirks: &Quirks,
) -> Result<(), Reason> {
    // Step 4: a location URL whose scheme is not HTTP(S) is a network error.
    if !matches!(location.scheme(), "http" | "https") {
        return Err(match quirks.redirect.non_http {
            NonHttpRedirect::Chromium
                if from.mode == Mode::Cors
                    && !matches!(
                        location.scheme(),
                        "data" | "about" | "file" | "blob" | "filesystem"
                    ) =>
            {
                Reason::CorsDisabledScheme
            }
            NonHttpRedirect::Firefox => match location.scheme() {
                "data" | "javascript" | "file" => Reason::RedirectFailed,
                _ => Reason::CorsDisabledScheme,
            },
            // WebKit: the redirect is refused, in every mode; the console
            // line quotes the target (`ftp:` has a line of its own, see
            // `explain::webkit`).
            NonHttpRedirect::Webkit => Reason::CorsDisabledScheme,
            _ => Reason::NetworkError,
        });
    }
    // Step 5: the 21st redirect is a network error.
    if *hop.count >= MAX_REDIRECTS {
        return Err(Reason::RedirectFailed);
    }
    *hop.count += 1;
    let has_credentials = !location.username().is_empty() || location.password().is_some();
    // Step 7: mode cors, location with credentials, not same origin with
    // the request's origin → network error.
    if from.mode == Mode::Cors
        && has_credentials
        && !from.page_origin.is_same_origin(location_origin)
    {
        return Err(Reason::RedirectContainsCredentials);
    }
    // Step 8: response tainting cors and location with credentials.
    if from.cors_tainting && has_credentials {
        return Err(Reason::RedirectContainsCredentials);
    }
    // Observed in Chromium 156: a location with credentials fails even
    // where the two rules above let it pass (no CORS message).
    if has_credentials && quirks.redirect.credentials_always_fail {
        return Err(Reason::NetworkError);
    }
    // Step 10: redirect-taint: a hop between two origins, neither of them
    // the request's, taints the origin (`Origin: null` from then on).
    if !location_origin.is_same_origin(from.current_origin)
        && !from.page_origin.is_same_origin(from.current_origin)
    {
        *hop.tainted = true;
    }
    // Step 12: 301/302 with POST, or 303 with anything but GET/HEAD, become
    // GET without a body and without the request-body headers. The GTK
    // port also turns a `DELETE` sent to another origin into a `GET`
    // (`RedirectQuirks::delete_becomes_get_cross_origin`).
    let cross_origin = !from.current_origin.is_same_origin(location_origin);
    if ((from.status == 301 || from.status == 302) && hop.method == "POST")
        || (from.status == 303 && hop.method != "GET" && hop.method != "HEAD")
        || (quirks.redirect.delete_becomes_get_cross_origin
            && cross_origin
            && hop.method == "DELETE")
    {
        *hop.method = Cow::Borrowed("GET");
        *hop.has_body = false;
        hop.headers.retain(|(n, _)| !is_request_body_header(n));
    }
    // Step 13: a cross-origin hop removes `Authorization`.
    if cross_origin {
        hop.headers.retain(|(n, _)| !eq_ci(n, "authorization"));
    }
    Ok(())
}
