//! Firefox's reason names and console text (`security.properties`,
//! `nsCORSListenerProxy.cpp`). Quotes are U+2018 and U+2019.

use super::{Failure, MessageContext, Reason};

/// The MDN slug of the `security.properties` key (numeric suffix dropped).
pub(super) fn reason_name(f: &Failure) -> Option<&'static str> {
    Some(match f.reason {
        Reason::SameOriginModeCrossOrigin | Reason::NetworkError | Reason::TypeError(_) => {
            return None;
        }
        Reason::RedirectContainsCredentials | Reason::RedirectFailed | Reason::RequestFailed => {
            "CORSDidNotSucceed"
        }
        Reason::DisallowedByMode => return None,
        Reason::CorsDisabledScheme => "CORSRequestNotHttp",
        Reason::WildcardOriginNotAllowed => "CORSNotSupportingCredentials",
        Reason::MissingAllowOriginHeader => "CORSMissingAllowOrigin",
        Reason::MultipleAllowOriginValues { .. } => "CORSMultipleAllowOriginNotAllowed",
        Reason::InvalidAllowOriginValue { .. } | Reason::AllowOriginMismatch { .. } => {
            "CORSAllowOriginNotMatchingOrigin"
        }
        Reason::InvalidAllowCredentials { .. } => "CORSMissingAllowCredentials",
        Reason::PreflightInvalidStatus => "CORSPreflightDidNotSucceed",
        Reason::PreflightDisallowedRedirect => "CORSExternalRedirectNotAllowed",
        Reason::InvalidAllowMethods { .. } => "CORSInvalidAllowMethod",
        Reason::InvalidAllowHeaders { .. } => "CORSInvalidAllowHeader",
        Reason::MethodDisallowed { .. } => "CORSMethodNotFound",
        Reason::HeaderDisallowed { .. } => "CORSMissingAllowHeaderFromPreflight",
    })
}

fn status_text(f: &Failure) -> String {
    f.status
        .map_or_else(|| "(null)".to_owned(), |s| s.to_string())
}

/// A received value as Firefox prints it: its wire bytes decoded as UTF-8
/// (an invalid sequence becomes U+FFFD).
fn decoded(value: &str) -> String {
    String::from_utf8_lossy(&crate::headers::wire_bytes(value)).into_owned()
}

/// The `%2$S` parameter.
pub(super) fn parameter(f: &Failure) -> Option<String> {
    match &f.reason {
        Reason::RedirectContainsCredentials | Reason::RedirectFailed | Reason::RequestFailed => {
            Some("(null)".to_owned())
        }
        Reason::MissingAllowOriginHeader | Reason::PreflightInvalidStatus => Some(status_text(f)),
        Reason::InvalidAllowOriginValue { value } | Reason::AllowOriginMismatch { value } => {
            Some(decoded(value))
        }
        Reason::InvalidAllowMethods { token } | Reason::InvalidAllowHeaders { token } => {
            Some(decoded(token))
        }
        Reason::HeaderDisallowed { name } => Some(name.clone()),
        _ => None,
    }
}

/// The console line.
pub(super) fn message(f: &Failure, ctx: &MessageContext<'_>) -> Option<String> {
    if matches!(
        f.reason,
        Reason::SameOriginModeCrossOrigin | Reason::DisallowedByMode
    ) {
        // Observed in Firefox ESR 153: the content security check, not
        // CORS, refuses a same-origin mode request (no reason name).
        return Some(format!(
            "Security Error: Content at {} may not load data from {}.",
            ctx.page_url, ctx.url
        ));
    }
    reason_name(f)?;
    let url = ctx.url;
    let p = parameter(f).unwrap_or_default();
    const PREFIX: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
         resource at ";
    let mut m = String::with_capacity(PREFIX.len() + url.len() + p.len() + 160);
    m.push_str(PREFIX);
    m.push_str(url);
    m.push_str(". ");
    // The reason, with the parameter between `before` and `after`.
    let quote = |m: &mut String, before: &str, after: &str| {
        m.push_str(before);
        m.push_str(&p);
        m.push_str(after);
    };
    match &f.reason {
        Reason::DisallowedByMode => return None,
        Reason::CorsDisabledScheme => m.push_str("(Reason: CORS request not http)."),
        Reason::WildcardOriginNotAllowed => {
            // The only message that quotes the URL.
            return Some(format!(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                 remote resource at \u{2018}{url}\u{2019}. (Reason: Credential is not supported \
                 if the CORS header \u{2018}Access-Control-Allow-Origin\u{2019} is \
                 \u{2018}*\u{2019})."
            ));
        }
        Reason::MissingAllowOriginHeader => quote(
            &mut m,
            "(Reason: CORS header \u{2018}Access-Control-Allow-Origin\u{2019} missing). Status \
             code: ",
            ".",
        ),
        Reason::MultipleAllowOriginValues { .. } => m.push_str(
            "(Reason: Multiple CORS header \
             \u{2018}Access-Control-Allow-Origin\u{2019} not allowed).",
        ),
        Reason::InvalidAllowOriginValue { .. } | Reason::AllowOriginMismatch { .. } => quote(
            &mut m,
            "(Reason: CORS header \u{2018}Access-Control-Allow-Origin\u{2019} does not match \
             \u{2018}",
            "\u{2019}).",
        ),
        Reason::InvalidAllowCredentials { .. } => m.push_str(
            "(Reason: expected \u{2018}true\u{2019} in \
             CORS header \u{2018}Access-Control-Allow-Credentials\u{2019}).",
        ),
        Reason::PreflightInvalidStatus => quote(
            &mut m,
            "(Reason: CORS preflight response did not succeed). Status code: ",
            ".",
        ),
        Reason::PreflightDisallowedRedirect => {
            m.push_str("(Reason: CORS request external redirect not allowed).");
        }
        Reason::InvalidAllowMethods { .. } => quote(
            &mut m,
            "(Reason: invalid token \u{2018}",
            "\u{2019} in CORS header \u{2018}Access-Control-Allow-Methods\u{2019}).",
        ),
        Reason::InvalidAllowHeaders { .. } => quote(
            &mut m,
            "(Reason: invalid token \u{2018}",
            "\u{2019} in CORS header \u{2018}Access-Control-Allow-Headers\u{2019}).",
        ),
        Reason::MethodDisallowed { .. } => m.push_str(
            "(Reason: Did not find method in CORS header \
             \u{2018}Access-Control-Allow-Methods\u{2019}).",
        ),
        Reason::HeaderDisallowed { .. } => quote(
            &mut m,
            "(Reason: header \u{2018}",
            "\u{2019} is not allowed according to header \
             \u{2018}Access-Control-Allow-Headers\u{2019} from CORS preflight response).",
        ),
        Reason::RedirectContainsCredentials | Reason::RedirectFailed | Reason::RequestFailed => {
            quote(
                &mut m,
                "(Reason: CORS request did not succeed). Status code: ",
                ".",
            );
        }
        Reason::SameOriginModeCrossOrigin | Reason::NetworkError | Reason::TypeError(_) => {
            return None;
        }
    }
    Some(m)
}
