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
        AcaoOrder::Webkit => webkit(headers, origin, include),
    }
}

/// WebCore `passesAccessControlCheck` (WebKit, so Safari too): the joined
/// value compared as a string. Every "not allowed" case is one message in
/// WebKit; the reasons below keep apart what the cause and the fix need
/// (absent, or another value).
fn webkit(headers: &ResponseHead<'_>, origin: &str, include: bool) -> Result<(), Reason> {
    let acao = headers.get_known(Known::AllowOrigin);
    let value = acao.as_deref().unwrap_or_default();
    if value == "*" && !include {
        return Ok(());
    }
    if value != origin {
        if value == "*" {
            return Err(Reason::WildcardOriginNotAllowed);
        }
        if value.contains(',') {
            return Err(Reason::MultipleAllowOriginValues {
                value: value.to_owned(),
            });
        }
        return Err(match acao {
            None => Reason::MissingAllowOriginHeader,
            Some(v) => Reason::AllowOriginMismatch {
                value: v.into_owned(),
            },
        });
    }
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
            if !v.contains(':') || !is_valid_url(v) {
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

/// Whether the URL Standard's parser accepts `v`. An origin-like value
/// (`http` or `https`, a plain lowercase domain whose last label starts
/// with a letter, a port) is decided without parsing: the values a
/// mismatch carries are nearly always such, and a parse costs thousands
/// of instructions. Anything else is parsed.
fn is_valid_url(v: &str) -> bool {
    plainly_valid_origin(v) || url::Url::parse(v).is_ok()
}

/// `true` only for values the URL parser surely accepts (see
/// [`is_valid_url`]); `false` says nothing.
fn plainly_valid_origin(v: &str) -> bool {
    let Some(rest) = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    // A port: one to five digits, at most 65535 (leading zeros are fine).
    if let Some(p) = port
        && (p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |n| n > 65535))
    {
        return false;
    }
    // Labels of lowercase letters, digits and inner hyphens, none empty,
    // none punycode (its decoding can fail); the last starting with a
    // letter, so the host is not an IPv4 address to be parsed (the URL
    // Standard's "ends in a number").
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && !l.starts_with("xn--")
    };
    host.len() <= 253
        && host.split('.').all(label_ok)
        && host
            .rsplit('.')
            .next()
            .is_some_and(|last| last.as_bytes()[0].is_ascii_lowercase())
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
    fn webkit_compares_strings() {
        let w = |pairs: &[(&str, &str)], include| {
            cors_check(&hs(pairs), O, include, Browser::Webkit.quirks())
        };
        let two = [
            ("Access-Control-Allow-Origin", O),
            ("access-control-allow-origin", O),
        ];
        assert!(matches!(
            w(&two, false),
            Err(Reason::MultipleAllowOriginValues { .. })
        ));
        assert_eq!(
            w(&[("Access-Control-Allow-Origin", "*")], true),
            Err(Reason::WildcardOriginNotAllowed)
        );
        assert_eq!(w(&[], false), Err(Reason::MissingAllowOriginHeader));
        assert_eq!(
            w(&[("Access-Control-Allow-Origin", "foo")], false),
            Err(Reason::AllowOriginMismatch {
                value: "foo".into()
            })
        );
        assert_eq!(
            w(
                &[
                    ("Access-Control-Allow-Origin", O),
                    ("Access-Control-Allow-Credentials", "True")
                ],
                true
            ),
            Err(Reason::InvalidAllowCredentials {
                value: "True".into()
            })
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

    #[test]
    fn origin_like_values_are_valid_without_a_parse_and_the_rest_are_parsed() {
        for v in [
            "http://app.test",
            "https://other.example:8443",
            "http://a-b.c0:0080",
            "https://x",
        ] {
            assert!(plainly_valid_origin(v), "{v}");
            assert!(url::Url::parse(v).is_ok(), "{v}");
        }
        // Left to the parser, which accepts some and refuses others.
        for (v, valid) in [
            ("http://1.2.3.4", true),
            ("http://1.2.3.256", false),
            ("http://a.0x1g", true),
            ("http://a.0x1", false),
            ("http://xn--a", false),
            ("http://App.test", true),
            ("http://a:99999", false),
            ("http://a:", true),
            ("http://", false),
            ("https://a..b", true),
            ("ftp://a", true),
        ] {
            assert!(!plainly_valid_origin(v), "{v}");
            assert_eq!(is_valid_url(v), valid, "{v}");
            assert_eq!(url::Url::parse(v).is_ok(), valid, "{v}");
        }
    }

    proptest::proptest! {
        #[test]
        fn what_passes_without_a_parse_parses(
            scheme in "https?",
            host in "[a-z0-9x.-]{0,12}",
            port in proptest::option::of("[0-9]{0,6}"),
        ) {
            let v = match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            };
            if plainly_valid_origin(&v) {
                proptest::prop_assert!(url::Url::parse(&v).is_ok(), "{}", v);
            }
        }
    }
}
