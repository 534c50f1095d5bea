//! WebKit's console text (Safari's engine), as printed by WebKitGTK 2.50:
//! WebCore `CrossOriginAccessControl.cpp` (`passesAccessControlCheck`,
//! `validatePreflightResponse`), `CrossOriginPreflightResultCache.cpp`,
//! WebKit's `NetworkLoadChecker.cpp` and `NetworkLoad.cpp`, and WebCore's
//! fetch loader. The texts are cross-platform code, so Safari prints the
//! same lines (its Web Inspector shows them as `[Error] <text>`, and adds
//! a `Failed to load resource` line of its own).
//!
//! WebKit has no error names of its own. The names here are the keys the
//! conformance runner derives from each message template
//! (`conformance/runner/webkit-reasons.mjs`): `OriginNotAllowed`,
//! `PreflightNotSuccessful`, `Redirect` + the key of the reason for a
//! refused redirect (`RedirectOriginNotAllowed`), ...
//!
//! A failed fetch prints a reason line (`message`), then the fetch's own
//! line, `Fetch API cannot load <url> due to access control checks.`,
//! which is all many Safari users see: [`lines`] gives both.

use std::fmt::Write as _;

use super::{Blocked, Failure, MessageContext, Reason};

/// Whether the failure is refused by WebKit's network layer before any
/// CORS rule: a redirect to an `ftp:` URL (`NetworkLoad::
/// willPerformHTTPRedirection`: "FTP URLs are disabled").
fn is_ftp(f: &Failure, url: &str) -> bool {
    f.reason == Reason::CorsDisabledScheme
        && url.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("ftp:"))
}

/// The key of the CORS check's reason, without the `Redirect` prefix.
fn access_key(reason: &Reason) -> Option<&'static str> {
    Some(match reason {
        Reason::WildcardOriginNotAllowed => "WildcardOriginWithCredentials",
        Reason::MissingAllowOriginHeader
        | Reason::InvalidAllowOriginValue { .. }
        | Reason::AllowOriginMismatch { .. } => "OriginNotAllowed",
        Reason::MultipleAllowOriginValues { .. } => "MultipleAllowOrigin",
        Reason::InvalidAllowCredentials { .. } => "AllowCredentialsNotTrue",
        _ => return None,
    })
}

/// The runner's key for the failure's first console line; `url` is what
/// the line quotes (a refused redirect's target). `None` when WebKit prints
/// no line: a network error, a `TypeError` thrown by `fetch()`.
pub(super) fn error_name(f: &Failure, url: &str) -> Option<&'static str> {
    if is_ftp(f, url) {
        return Some("FtpDisabled");
    }
    if f.redirect
        && let Some(key) = access_key(&f.reason)
    {
        return Some(match key {
            "WildcardOriginWithCredentials" => "RedirectWildcardOriginWithCredentials",
            "OriginNotAllowed" => "RedirectOriginNotAllowed",
            "MultipleAllowOrigin" => "RedirectMultipleAllowOrigin",
            _ => "RedirectAllowCredentialsNotTrue",
        });
    }
    if let Some(key) = access_key(&f.reason) {
        return Some(key);
    }
    Some(match f.reason {
        Reason::PreflightInvalidStatus | Reason::PreflightDisallowedRedirect => {
            "PreflightNotSuccessful"
        }
        Reason::InvalidAllowMethods { .. } => "InvalidAllowMethods",
        Reason::InvalidAllowHeaders { .. } => "InvalidAllowHeaders",
        Reason::MethodDisallowed { .. } => "MethodNotAllowed",
        Reason::HeaderDisallowed { .. } => "HeaderNotAllowed",
        Reason::CorsDisabledScheme => "RedirectNonCorsScheme",
        Reason::RedirectContainsCredentials => "RedirectUrlHasCredentials",
        Reason::DisallowedByMode => "SameOriginModeCrossOrigin",
        Reason::SameOriginModeCrossOrigin => "FetchCannotLoad",
        Reason::RedirectFailed => "TooManyRedirects",
        _ => return None,
    })
}

/// A response header's value as WebKit's GTK port holds it: libsoup
/// replaces bytes that are not UTF-8 with U+FFFD, and WebKit's soup layer
/// then reads the UTF-8 bytes as Latin-1 (`x-caf` + 0xE9 prints as
/// `x-cafï¿½`; observed in WebKitGTK 2.50, `odd-acah-non-ascii-byte`). An
/// ASCII value is unchanged.
fn held_value(value: &str) -> String {
    if value.is_ascii() {
        return value.to_owned();
    }
    let bytes = crate::headers::wire_bytes(value);
    String::from_utf8_lossy(&bytes)
        .as_bytes()
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// WTF `URL::stringCenterEllipsizedToLength`: a URL longer than 1024
/// characters loses its middle to `...`.
fn center_ellipsized(url: &str) -> String {
    const MAX: usize = 1024;
    let chars: Vec<char> = url.chars().collect();
    if chars.len() <= MAX {
        return url.to_owned();
    }
    let left: String = chars[..MAX / 2 - 1].iter().collect();
    let right: String = chars[chars.len() - (MAX / 2 - 2)..].iter().collect();
    format!("{left}...{right}")
}

/// A redirect target as the first part of WebKit's redirect line quotes
/// it: the network layer has already removed the user name and password
/// from the redirected request (`request.removeCredentials()` in
/// `NetworkDataTaskSoup::continueHTTPRedirection`; WebCore's
/// `validateCrossOriginRedirectionURL` still sees them and names the URL
/// with them). Observed in WebKitGTK 2.50 (`redirect-userinfo-*`). A URL
/// without credentials, or one that does not parse, is quoted as is.
fn without_credentials(url: &str) -> std::borrow::Cow<'_, str> {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            // Both setters fail only for URLs that cannot have credentials.
            let _ = u.set_username("");
            let _ = u.set_password(None);
            std::borrow::Cow::Owned(u.into())
        }
        _ => std::borrow::Cow::Borrowed(url),
    }
}

/// The text of a CORS check's failure (`passesAccessControlCheck`); `origin`
/// is the request's origin as serialized (`null` once tainted).
fn access_text(f: &Failure, origin: &str) -> Option<String> {
    Some(match f.reason {
        Reason::WildcardOriginNotAllowed => {
            "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
                .to_owned()
        }
        Reason::MultipleAllowOriginValues { .. } => {
            "Access-Control-Allow-Origin cannot contain more than one origin.".to_owned()
        }
        Reason::MissingAllowOriginHeader
        | Reason::InvalidAllowOriginValue { .. }
        | Reason::AllowOriginMismatch { .. } => format!(
            "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {}",
            f.status.unwrap_or(0)
        ),
        Reason::InvalidAllowCredentials { .. } => {
            "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."
                .to_owned()
        }
        _ => return None,
    })
}

/// The first console line WebKit prints for the failure (the reason),
/// byte for byte, without its `CONSOLE SECURITY ERROR ` prefix; `None`
/// when it prints none. `ctx.origin` is the request's origin (`null` once
/// a redirect tainted it); `ctx.url` the URL the line quotes: a refused
/// redirect's target, otherwise the request's URL.
pub(super) fn message(f: &Failure, ctx: &MessageContext<'_>) -> Option<String> {
    let url = ctx.url;
    if is_ftp(f, url) {
        return Some("FTP URLs are disabled".to_owned());
    }
    let redirect_prefix = || {
        format!(
            "Cross-origin redirection to {} denied by Cross-Origin Resource Sharing policy: ",
            without_credentials(url)
        )
    };
    if let Some(text) = access_text(f, ctx.origin) {
        if f.redirect {
            let mut m = redirect_prefix();
            m.push_str(&text);
            return Some(m);
        }
        return Some(text);
    }
    let mut m = String::with_capacity(128);
    match &f.reason {
        Reason::PreflightInvalidStatus | Reason::PreflightDisallowedRedirect => {
            let _ = write!(
                m,
                "Preflight response is not successful. Status code: {}",
                f.status.unwrap_or(0)
            );
        }
        Reason::InvalidAllowMethods { token } => {
            m.push_str("Header Access-Control-Allow-Methods has an invalid value: ");
            m.push_str(&held_value(token));
        }
        Reason::InvalidAllowHeaders { token } => {
            m.push_str("Header Access-Control-Allow-Headers has an invalid value: ");
            m.push_str(&held_value(token));
        }
        Reason::MethodDisallowed { method } => {
            let _ = write!(
                m,
                "Method {method} is not allowed by Access-Control-Allow-Methods."
            );
        }
        Reason::HeaderDisallowed { name } => {
            let _ = write!(
                m,
                "Request header field {name} is not allowed by Access-Control-Allow-Headers."
            );
        }
        Reason::CorsDisabledScheme => {
            m = redirect_prefix();
            m.push_str(
                "not allowed to follow a cross-origin CORS redirection with non CORS scheme",
            );
        }
        Reason::RedirectContainsCredentials => {
            m = redirect_prefix();
            let _ = write!(m, "redirection URL {url} has credentials");
        }
        // `NetworkLoadChecker::continueCheckingRequest`; the text ends with
        // a newline.
        Reason::DisallowedByMode => {
            let _ = writeln!(
                m,
                "Unsafe attempt to load URL {} from origin {}. Domains, protocols and ports must \
                 match.",
                center_ellipsized(url),
                ctx.origin
            );
        }
        // WebCore's fetch: the only line a same-origin mode request to
        // another origin prints.
        Reason::SameOriginModeCrossOrigin => {
            let _ = write!(m, "Fetch API cannot load {url}.");
        }
        Reason::RedirectFailed => m.push_str("Load cannot follow more than 20 redirections"),
        _ => return None,
    }
    Some(m)
}

/// The fetch's own line that follows the reason (`loaded` is the URL of
/// the last request that went on the wire).
pub(super) fn access_control_checks_line(loaded: &str) -> String {
    format!("Fetch API cannot load {loaded} due to access control checks.")
}

/// Every console line WebKit prints for the failure, in order, without the
/// `CONSOLE <SOURCE> <LEVEL> ` prefix: the reason, then (unless the reason
/// is the fetch's own line) `Fetch API cannot load <url> due to access
/// control checks.`. Empty when WebKit prints nothing.
pub(super) fn lines(b: &Blocked) -> Vec<String> {
    let ctx = context(b);
    let Some(first) = message(&b.failure, &ctx) else {
        return Vec::new();
    };
    if b.failure.reason == Reason::SameOriginModeCrossOrigin {
        return vec![first];
    }
    vec![first, access_control_checks_line(b.loaded_url())]
}

/// What WebKit's lines quote for `b`: the request's origin (`null` once
/// tainted) and the URL the failure names.
pub(super) fn context(b: &Blocked) -> MessageContext<'_> {
    MessageContext {
        url: &b.url,
        initial_url: &b.initial_url,
        origin: b.request_origin(),
        page_url: &b.page_url,
    }
}

/// The item of a WebKit-quoted allow list that is not a token.
fn bad_item(value: &str) -> Option<String> {
    crate::headers::parse_token_list(value)
        .err()
        .map(str::to_owned)
}

/// What went wrong, in plain words, for a failure in WebKit: the rule
/// (WebKit's console often shows only "due to access control checks"), and
/// what WebKit did that the other browsers do not.
pub(super) fn cause(b: &Blocked) -> String {
    let f = &b.failure;
    let status = f
        .status
        .map_or_else(|| "none".to_owned(), |s| s.to_string());
    let mut cause = match &f.reason {
        _ if is_ftp(f, &b.url) => format!(
            "the server redirected the request from {} to {}, an ftp: URL, which WebKit refuses \
             to load",
            b.loaded_url(),
            b.url
        ),
        Reason::RedirectFailed => format!(
            "the request was redirected more than 20 times (the last redirect came from {}); \
             WebKit stops at the 21st",
            b.loaded_url()
        ),
        Reason::CorsDisabledScheme => format!(
            "the server redirected the request from {} to {}, which is not an http(s) URL; \
             WebKit follows CORS redirects only to http and https URLs",
            b.loaded_url(),
            b.url
        ),
        Reason::RedirectContainsCredentials => format!(
            "the server redirected the request from {} to {}, a URL with a username or \
             password, which WebKit refuses for cross-origin requests",
            b.loaded_url(),
            b.url
        ),
        Reason::InvalidAllowMethods { token } | Reason::InvalidAllowHeaders { token } => {
            let header = if matches!(f.reason, Reason::InvalidAllowMethods { .. }) {
                "Access-Control-Allow-Methods"
            } else {
                "Access-Control-Allow-Headers"
            };
            let item =
                bad_item(token).map_or_else(String::new, |i| format!(": {i:?} is not a token"));
            format!(
                "`{header}: {token}` in the preflight response does not parse{item}; list names \
                 separated by commas"
            )
        }
        Reason::PreflightInvalidStatus if f.status.is_some_and(|s| (300..400).contains(&s)) => {
            format!(
                "the preflight (OPTIONS) request was answered with a redirect (status {status}); \
                 WebKit never follows a preflight's redirect and reports it as an unsuccessful \
                 preflight"
            )
        }
        _ => {
            let mut c = f.cause();
            if f.redirect {
                c = format!(
                    "WebKit checks each redirect response before it follows it: {} (the redirect \
                     from {} to {}, status {status})",
                    c.replacen("the response", "the redirect response", 1),
                    b.loaded_url(),
                    b.url
                );
            }
            c
        }
    };
    if b.credentialed_check && !b.credentials {
        cause.push_str(
            "; the request does not include credentials, but it started on the page's own \
             origin with credentials \"same-origin\", and WebKit checks the redirect responses \
             of such a fetch as if credentials were included",
        );
    }
    if let Some(line) = lines(b).get(1) {
        let _ = write!(
            cause,
            ". WebKit (Safari) logs this reason before its line \"{line}\", which is all some \
             consoles show"
        );
    }
    cause
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: MessageContext<'static> = MessageContext {
        url: "http://api.test:8002/b",
        initial_url: "http://api.test:8002/a",
        origin: "http://app.test:8001",
        page_url: "http://app.test:8001/",
    };

    #[test]
    fn access_failures() {
        let f = Failure::new(Reason::MissingAllowOriginHeader, true, Some(204));
        assert_eq!(error_name(&f, CTX.url), Some("OriginNotAllowed"));
        assert_eq!(
            message(&f, &CTX).unwrap(),
            "Origin http://app.test:8001 is not allowed by Access-Control-Allow-Origin. Status \
             code: 204"
        );
        let f = Failure::new(
            Reason::InvalidAllowCredentials { value: "".into() },
            false,
            Some(302),
        )
        .on_redirect();
        assert_eq!(
            error_name(&f, CTX.url),
            Some("RedirectAllowCredentialsNotTrue")
        );
        assert_eq!(
            message(&f, &CTX).unwrap(),
            "Cross-origin redirection to http://api.test:8002/b denied by Cross-Origin Resource \
             Sharing policy: Credentials flag is true, but Access-Control-Allow-Credentials is not \
             \"true\"."
        );
    }

    #[test]
    fn redirect_and_mode_lines() {
        let ftp = MessageContext {
            url: "ftp://example.test/x",
            ..CTX
        };
        let f = Failure::new(Reason::CorsDisabledScheme, false, Some(302)).on_redirect();
        assert_eq!(error_name(&f, ftp.url), Some("FtpDisabled"));
        assert_eq!(message(&f, &ftp).unwrap(), "FTP URLs are disabled");
        assert_eq!(error_name(&f, CTX.url), Some("RedirectNonCorsScheme"));
        let f = Failure::new(Reason::DisallowedByMode, false, None);
        assert!(message(&f, &CTX).unwrap().ends_with("must match.\n"));
        let f = Failure::new(Reason::NetworkError, false, None);
        assert_eq!(message(&f, &CTX), None);
        assert_eq!(error_name(&f, CTX.url), None);
    }

    #[test]
    fn credentials_only_in_the_reason_part() {
        let ctx = MessageContext {
            url: "http://user:pass@api.test:8002/b",
            ..CTX
        };
        let f = Failure::new(Reason::RedirectContainsCredentials, false, Some(302)).on_redirect();
        assert_eq!(
            message(&f, &ctx).unwrap(),
            "Cross-origin redirection to http://api.test:8002/b denied by Cross-Origin Resource \
             Sharing policy: redirection URL http://user:pass@api.test:8002/b has credentials"
        );
        assert_eq!(
            without_credentials("data:text/plain,a@b"),
            "data:text/plain,a@b"
        );
        assert_eq!(without_credentials("http://:p@a.test/"), "http://a.test/");
    }

    #[test]
    fn values_are_held_as_latin1_of_utf8() {
        assert_eq!(held_value("x-caf\u{e9}"), "x-caf\u{ef}\u{bf}\u{bd}");
        assert_eq!(held_value("PUT, GET"), "PUT, GET");
    }

    #[test]
    fn long_urls_lose_their_middle() {
        let url = format!("http://a.test/{}", "x".repeat(2000));
        let e = center_ellipsized(&url);
        assert_eq!(e.chars().count(), 511 + 3 + 510);
        assert!(e.contains("..."));
    }
}
