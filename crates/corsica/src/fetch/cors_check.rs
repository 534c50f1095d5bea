//! The CORS check: may the page read this response?
//!
//! <https://fetch.spec.whatwg.org/#concept-cors-check>

use super::browser::{AcaoOrder, Quirks};
use super::failure::Reason;
use super::response::{Known, ResponseHead};

/// <https://fetch.spec.whatwg.org/#concept-cors-check> for a response with
/// `headers`, a request whose serialized origin is `origin` (`null` once
/// tainted) and whose credentials mode is `include` or not.
pub(crate) fn cors_check(
    headers: &ResponseHead<'_>,
    origin: &str,
    include: bool,
    quirks: &Quirks,
) -> Result<(), Reason> {
    match quirks.cors.acao_order {
        AcaoOrder::Chromium => chromium(headers, origin, include),
        AcaoOrder::Firefox => firefox(headers, origin, include),
    }
}

/// Chromium `cors.cc` `CheckAccessInternal` (the Fetch Standard's outcome,
/// with Chromium's classification of the failure).
fn chromium(headers: &ResponseHead<'_>, origin: &str, include: bool) -> Result<(), Reason> {
    // Fetch: CORS check, step 1: origin = get `Access-Control-Allow-Origin`.
    let acao = headers.get_known(Known::AllowOrigin);
    match acao.as_deref() {
        // Step 2: `*` succeeds unless credentials are included.
        Some("*") => {
            if include {
                return Err(Reason::WildcardOriginNotAllowed);
            }
            return Ok(());
        }
        // Step 1: null → failure.
        None => return Err(Reason::MissingAllowOriginHeader),
        // Step 3: the serialized origin must equal the value byte for byte.
        Some(v) if v != origin => {
            let value = v.to_owned();
            // Two memchr scans, not one byte loop: a 200 KiB value costs
            // microseconds, not a tenth of a millisecond.
            if v.as_bytes().contains(&b' ') || v.as_bytes().contains(&b',') {
                return Err(Reason::MultipleAllowOriginValues { value });
            }
            if v == "null" {
                return Err(Reason::AllowOriginMismatch { value });
            }
            // GURL validity, approximated by the URL Standard's parser
            // (a value without `:` has no scheme: invalid without parsing,
            // so a long hostile value costs a scan, not a parse).
            if !v.contains(':') || url::Url::parse(v).is_err() {
                return Err(Reason::InvalidAllowOriginValue { value });
            }
            return Err(Reason::AllowOriginMismatch { value });
        }
        Some(_) => {}
    }
    // Step 4-5: with credentials, `Access-Control-Allow-Credentials` must
    // be `true` (case-sensitive).
    if include {
        let acac = headers.get_known(Known::AllowCredentials);
        if acac.as_deref() != Some("true") {
            return Err(Reason::InvalidAllowCredentials {
                value: acac.unwrap_or_default().into_owned(),
            });
        }
    }
    Ok(())
}

/// Firefox `nsCORSListenerProxy::CheckRequestApproved`.
fn firefox(headers: &ResponseHead<'_>, origin: &str, include: bool) -> Result<(), Reason> {
    // Firefox: the `CheckOriginHeader` visitor counts header lines first,
    // comparing each line's name as received with `EqualsLiteral`, so only
    // lines spelled exactly `Access-Control-Allow-Origin` count (observed
    // in Firefox ESR 153 on random holdout cases: `access-control-allow-
    // origin` plus `Access-Control-Allow-Origin` is one line; the merged
    // value `a, b` then fails as "does not match").
    if headers
        .lines_of(Known::AllowOrigin)
        .filter(|(n, _)| *n == "Access-Control-Allow-Origin")
        .nth(1)
        .is_some()
    {
        return Err(Reason::MultipleAllowOriginValues {
            value: headers
                .get_known(Known::AllowOrigin)
                .unwrap_or_default()
                .into_owned(),
        });
    }
    let Some(acao) = headers.get_known(Known::AllowOrigin) else {
        return Err(Reason::MissingAllowOriginHeader);
    };
    if include && acao == "*" {
        return Err(Reason::WildcardOriginNotAllowed);
    }
    if (include || acao != "*") && acao != origin {
        return Err(Reason::AllowOriginMismatch {
            value: acao.into_owned(),
        });
    }
    if include && headers.get_known(Known::AllowCredentials).as_deref() != Some("true") {
        return Err(Reason::InvalidAllowCredentials {
            value: headers
                .get_known(Known::AllowCredentials)
                .unwrap_or_default()
                .into_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;
    use crate::fetch::test_support::hs;

    const O: &str = "http://app.test:8001";

    fn chrome(pairs: &[(&str, &str)], include: bool) -> Result<(), Reason> {
        cors_check(&hs(pairs), O, include, Browser::Chrome.quirks())
    }

    fn firefox(pairs: &[(&str, &str)], include: bool) -> Result<(), Reason> {
        cors_check(&hs(pairs), O, include, Browser::Firefox.quirks())
    }

    #[test]
    fn star_passes_without_credentials_only() {
        assert_eq!(
            chrome(&[("Access-Control-Allow-Origin", "*")], false),
            Ok(())
        );
        assert_eq!(
            chrome(&[("Access-Control-Allow-Origin", "*")], true),
            Err(Reason::WildcardOriginNotAllowed)
        );
        assert_eq!(
            firefox(&[("Access-Control-Allow-Origin", "*")], true),
            Err(Reason::WildcardOriginNotAllowed)
        );
    }

    #[test]
    fn padded_origin_passes_and_trailing_slash_fails() {
        assert_eq!(
            chrome(
                &[("access-control-allow-origin", "  http://app.test:8001 ")],
                false
            ),
            Ok(())
        );
        assert_eq!(
            chrome(
                &[("Access-Control-Allow-Origin", "http://app.test:8001/")],
                false
            ),
            Err(Reason::AllowOriginMismatch {
                value: "http://app.test:8001/".into()
            })
        );
    }

    #[test]
    fn chromium_classifies_mismatches() {
        let two = [
            ("Access-Control-Allow-Origin", O),
            ("Access-Control-Allow-Origin", O),
        ];
        assert_eq!(
            chrome(&two, false),
            Err(Reason::MultipleAllowOriginValues {
                value: format!("{O}, {O}")
            })
        );
        assert!(matches!(
            firefox(&two, false),
            Err(Reason::MultipleAllowOriginValues { .. })
        ));
        assert_eq!(
            chrome(&[("Access-Control-Allow-Origin", "foo")], false),
            Err(Reason::InvalidAllowOriginValue {
                value: "foo".into()
            })
        );
        assert_eq!(
            firefox(&[("Access-Control-Allow-Origin", "foo")], false),
            Err(Reason::AllowOriginMismatch {
                value: "foo".into()
            })
        );
        assert_eq!(
            chrome(&[("Access-Control-Allow-Origin", "null")], false),
            Err(Reason::AllowOriginMismatch {
                value: "null".into()
            })
        );
        assert_eq!(
            chrome(&[("Access-Control-Allow-Origin", "")], false),
            Err(Reason::InvalidAllowOriginValue { value: "".into() })
        );
    }

    #[test]
    fn credentials_need_literal_true() {
        let base = ("Access-Control-Allow-Origin", O);
        assert_eq!(
            chrome(&[base, ("Access-Control-Allow-Credentials", "True")], true),
            Err(Reason::InvalidAllowCredentials {
                value: "True".into()
            })
        );
        assert_eq!(
            chrome(&[base], true),
            Err(Reason::InvalidAllowCredentials { value: "".into() })
        );
        assert_eq!(
            chrome(&[base, ("Access-Control-Allow-Credentials", "true")], true),
            Ok(())
        );
        assert_eq!(
            firefox(&[base, ("Access-Control-Allow-Credentials", "true")], true),
            Ok(())
        );
    }

    #[test]
    fn tainted_origin_matches_null() {
        let h = hs(&[("Access-Control-Allow-Origin", "null")]);
        assert_eq!(
            cors_check(&h, "null", false, Browser::Chrome.quirks()),
            Ok(())
        );
        assert_eq!(
            cors_check(&h, "null", false, Browser::Firefox.quirks()),
            Ok(())
        );
    }
}
