//! Chromium's names and console text (`cors.mojom`, Blink
//! `cors_error_string.cc`, wording as printed by Chromium 156).

use std::fmt::Write as _;

use super::{Failure, MessageContext, Reason};

/// DevTools `CorsError` name.
pub(super) fn error_name(f: &Failure) -> Option<&'static str> {
    let pf = f.preflight;
    Some(match f.reason {
        // Observed in Chromium 156: a same-origin mode request redirected
        // away is refused by the frame's loader, not by CORS.
        Reason::SameOriginModeCrossOrigin
        | Reason::NetworkError
        | Reason::RedirectFailed
        | Reason::RequestFailed
        | Reason::TypeError(_)
        | Reason::DisallowedByMode => {
            return None;
        }
        Reason::WildcardOriginNotAllowed if pf => "PreflightWildcardOriginNotAllowed",
        Reason::WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
        Reason::MissingAllowOriginHeader if pf => "PreflightMissingAllowOriginHeader",
        Reason::MissingAllowOriginHeader => "MissingAllowOriginHeader",
        Reason::MultipleAllowOriginValues { .. } if pf => "PreflightMultipleAllowOriginValues",
        Reason::MultipleAllowOriginValues { .. } => "MultipleAllowOriginValues",
        Reason::InvalidAllowOriginValue { .. } if pf => "PreflightInvalidAllowOriginValue",
        Reason::InvalidAllowOriginValue { .. } => "InvalidAllowOriginValue",
        Reason::AllowOriginMismatch { .. } if pf => "PreflightAllowOriginMismatch",
        Reason::AllowOriginMismatch { .. } => "AllowOriginMismatch",
        Reason::InvalidAllowCredentials { .. } if pf => "PreflightInvalidAllowCredentials",
        Reason::InvalidAllowCredentials { .. } => "InvalidAllowCredentials",
        Reason::PreflightInvalidStatus => "PreflightInvalidStatus",
        Reason::PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
        Reason::InvalidAllowMethods { .. } => "InvalidAllowMethodsPreflightResponse",
        Reason::InvalidAllowHeaders { .. } => "InvalidAllowHeadersPreflightResponse",
        Reason::MethodDisallowed { .. } => "MethodDisallowedByPreflightResponse",
        Reason::HeaderDisallowed { .. } => "HeaderDisallowedByPreflightResponse",
        Reason::RedirectContainsCredentials => "RedirectContainsCredentials",
        Reason::CorsDisabledScheme => "CorsDisabledScheme",
    })
}

/// `CorsErrorStatus::failed_parameter`.
pub(super) fn failed_parameter(f: &Failure) -> &str {
    match &f.reason {
        Reason::MultipleAllowOriginValues { value }
        | Reason::InvalidAllowOriginValue { value }
        | Reason::AllowOriginMismatch { value }
        | Reason::InvalidAllowCredentials { value } => value,
        Reason::MethodDisallowed { method } => method,
        Reason::HeaderDisallowed { name } => name,
        _ => "",
    }
}

/// Blink `EncodeHint`: a quoted header value keeps printable ASCII and
/// escapes every other byte as `\uXXXX`. The value's bytes are its wire
/// bytes: characters up to U+00FF are one byte each (Latin-1, as the
/// runner writes them), others their UTF-8 bytes.
fn push_hint(out: &mut String, hint: &str) {
    for b in crate::headers::wire_bytes(hint) {
        if (0x20..0x7f).contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "\\u{b:04X}");
        }
    }
}

/// The console line (`GetErrorStringForConsoleMessage`).
pub(super) fn message(f: &Failure, ctx: &MessageContext<'_>) -> Option<String> {
    let mut m = String::with_capacity(320 + ctx.url.len() + ctx.initial_url.len());
    if f.reason == Reason::SameOriginModeCrossOrigin {
        // Blink FetchManager, not the network service.
        let _ = write!(
            m,
            "Fetch API cannot load {}. Request mode is \"same-origin\" but the URL's origin is \
             not same as the request origin {}.",
            ctx.url, ctx.origin
        );
        return Some(m);
    }
    if f.reason == Reason::DisallowedByMode {
        // Observed in Chromium 156 (the line ends with a newline).
        let _ = writeln!(
            m,
            "Unsafe attempt to load URL {} from frame with URL {}. Domains, protocols and ports \
             must match.",
            ctx.url, ctx.page_url
        );
        return Some(m);
    }
    error_name(f)?;
    for part in ["Access to fetch at '", ctx.url, "' "] {
        m.push_str(part);
    }
    if ctx.url != ctx.initial_url {
        for part in ["(redirected from '", ctx.initial_url, "') "] {
            m.push_str(part);
        }
    }
    for part in [
        "from origin '",
        ctx.origin,
        "' has been blocked by CORS policy: ",
    ] {
        m.push_str(part);
    }
    // Only the access-check errors of a preflight carry this prefix; the
    // method, header and parse errors do not.
    let preflight_prefix = f.preflight
        && matches!(
            f.reason,
            Reason::WildcardOriginNotAllowed
                | Reason::MissingAllowOriginHeader
                | Reason::MultipleAllowOriginValues { .. }
                | Reason::InvalidAllowOriginValue { .. }
                | Reason::AllowOriginMismatch { .. }
                | Reason::InvalidAllowCredentials { .. }
                | Reason::PreflightInvalidStatus
                | Reason::PreflightDisallowedRedirect
        );
    if preflight_prefix {
        m.push_str("Response to preflight request doesn't pass access control check: ");
    }
    const VALID_VALUE: &str = " Have the server send the header with a valid value.";
    match &f.reason {
        Reason::WildcardOriginNotAllowed => m.push_str(
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be \
             the wildcard '*' when the request's credentials mode is 'include'.",
        ),
        Reason::MissingAllowOriginHeader => m.push_str(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        Reason::MultipleAllowOriginValues { value } => {
            m.push_str("The 'Access-Control-Allow-Origin' header contains multiple values '");
            push_hint(&mut m, value);
            m.push_str("', but only one is allowed.");
            m.push_str(VALID_VALUE);
        }
        Reason::InvalidAllowOriginValue { value } => {
            m.push_str("The 'Access-Control-Allow-Origin' header contains the invalid value '");
            push_hint(&mut m, value);
            m.push_str("'.");
            m.push_str(VALID_VALUE);
        }
        Reason::AllowOriginMismatch { value } => {
            m.push_str("The 'Access-Control-Allow-Origin' header has a value '");
            push_hint(&mut m, value);
            m.push_str("' that is not equal to the supplied origin.");
            m.push_str(VALID_VALUE);
        }
        Reason::InvalidAllowCredentials { value } => {
            m.push_str(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '",
            );
            push_hint(&mut m, value);
            m.push_str("' which must be 'true' when the request's credentials mode is 'include'.");
        }
        Reason::PreflightInvalidStatus => m.push_str("It does not have HTTP ok status."),
        Reason::PreflightDisallowedRedirect => {
            m.push_str("Redirect is not allowed for a preflight request.")
        }
        Reason::InvalidAllowMethods { .. } => m.push_str(
            "Cannot parse Access-Control-Allow-Methods response header field in preflight \
             response.",
        ),
        Reason::InvalidAllowHeaders { .. } => m.push_str(
            "Cannot parse Access-Control-Allow-Headers response header field in preflight \
             response.",
        ),
        Reason::MethodDisallowed { method } => {
            m.push_str("Method ");
            push_hint(&mut m, method);
            m.push_str(" is not allowed by Access-Control-Allow-Methods in preflight response.");
        }
        Reason::HeaderDisallowed { name } => {
            m.push_str("Request header field ");
            push_hint(&mut m, name);
            m.push_str(" is not allowed by Access-Control-Allow-Headers in preflight response.");
        }
        // The network service sets no hint: the location prints empty.
        Reason::RedirectContainsCredentials => m.push_str(
            "Redirect location '' contains a username and password, which is disallowed for \
             cross-origin requests.",
        ),
        // The scheme list of Chromium 156's SchemeRegistry, as printed.
        Reason::CorsDisabledScheme => m.push_str(
            "Cross origin requests are only supported for protocol schemes: chrome, \
             chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, \
             http, https, isolated-app.",
        ),
        Reason::SameOriginModeCrossOrigin
        | Reason::NetworkError
        | Reason::RedirectFailed
        | Reason::RequestFailed
        | Reason::TypeError(_)
        | Reason::DisallowedByMode => {
            return None;
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_escape_non_printable_bytes() {
        let mut s = String::new();
        push_hint(&mut s, "a\tb\u{e9}");
        // `é` is one Latin-1 byte on the wire.
        assert_eq!(s, "a\\u0009b\\u00E9");
    }

    #[test]
    fn parse_errors_get_no_preflight_prefix() {
        let f = Failure::new(
            Reason::InvalidAllowMethods {
                token: "a b".into(),
            },
            true,
            Some(204),
        );
        let ctx = MessageContext {
            url: "u",
            initial_url: "u",
            origin: "o",
            page_url: "o/",
        };
        let m = message(&f, &ctx).unwrap();
        assert!(!m.contains("Response to preflight"));
        assert!(m.ends_with(
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
        ));
    }
}
