//! Which response headers a script can read.
//!
//! <https://fetch.spec.whatwg.org/#concept-filtered-response-cors>

use super::browser::{ExposeParse, Quirks};
use super::cors_check::get;
use crate::headers;

fn finish(mut names: Vec<String>, content_length: bool) -> Vec<String> {
    if content_length {
        names.push("content-length".to_owned());
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// A basic filtered response: every header but `Set-Cookie` and
/// `Set-Cookie2`, names lowercased and sorted; `content_length` adds a
/// `Content-Length` the headers do not list.
pub(crate) fn basic(response_headers: &[(String, String)], content_length: bool) -> Vec<String> {
    finish(
        response_headers
            .iter()
            .filter(|(n, _)| !headers::is_forbidden_response_header_name(n))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect(),
        content_length,
    )
}

/// The parsed `Access-Control-Expose-Headers` and whether it exposes all.
fn parse_list<'v>(value: Option<&'v str>, include: bool, quirks: &Quirks) -> (Vec<&'v str>, bool) {
    let Some(value) = value else {
        return (Vec::new(), false);
    };
    let mut list = Vec::new();
    let mut all = false;
    match quirks.expose_parse {
        ExposeParse::ClearOnInvalid => {
            // Firefox: the first non-token empties the list and stops; a `*`
            // already seen still exposes everything.
            for item in value.split(',') {
                let item = item.trim_matches(|c| c == ' ' || c == '\t');
                if item.is_empty() {
                    continue;
                }
                if !headers::is_token(item.as_bytes()) {
                    list.clear();
                    break;
                }
                if item == "*" && !include {
                    all = true;
                }
                list.push(item);
            }
        }
        ExposeParse::Strict => {
            // Fetch: extract header list values; any failure → null. (A
            // plain split on commas is enough: a `"` makes some item a
            // non-token whether or not the split respects quotes.)
            let valid = value.split(',').all(|i| {
                let i = i.trim_matches(|c| c == ' ' || c == '\t');
                i.is_empty() || headers::is_token(i.as_bytes())
            });
            if valid {
                list = value
                    .split(',')
                    .map(|i| i.trim_matches(|c| c == ' ' || c == '\t'))
                    .filter(|i| !i.is_empty())
                    .collect();
                all = !include && list.contains(&"*");
            }
        }
    }
    (list, all)
}

/// Fetch: main fetch, step 14.2 and the CORS filtered response: the
/// safelisted names, the exposed names (all of them for `*` without
/// credentials), never `Set-Cookie`.
pub(crate) fn cors(
    response_headers: &[(String, String)],
    content_length: bool,
    include: bool,
    quirks: &Quirks,
) -> Vec<String> {
    let aceh = get(response_headers, "access-control-expose-headers");
    let (list, all) = parse_list(aceh.as_deref(), include, quirks);
    finish(
        response_headers
            .iter()
            .filter(|(n, _)| {
                if headers::is_forbidden_response_header_name(n) {
                    return false;
                }
                all || headers::is_cors_safelisted_response_header_name(n)
                    || list.iter().any(|l| l.eq_ignore_ascii_case(n))
            })
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect(),
        // Content-Length is a safelisted response header.
        content_length,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;
    use crate::fetch::test_support::hs;

    #[test]
    fn safelist_and_listed_names() {
        let h = hs(&[
            ("Access-Control-Expose-Headers", "X-Request-Id"),
            ("X-Request-Id", "42"),
            ("X-Internal", "s"),
            ("Content-Type", "a/b"),
            ("Content-Length", "2"),
        ]);
        assert_eq!(
            cors(&h, false, false, Browser::Chrome.quirks()),
            ["content-length", "content-type", "x-request-id"]
        );
    }

    #[test]
    fn star_exposes_all_but_set_cookie_without_credentials() {
        let h = hs(&[
            ("Access-Control-Expose-Headers", "*"),
            ("X-A", "1"),
            ("Set-Cookie", "a=b"),
        ]);
        for b in [Browser::Chrome, Browser::Firefox, Browser::Spec] {
            assert_eq!(
                cors(&h, false, false, b.quirks()),
                ["access-control-expose-headers", "x-a"]
            );
            assert!(cors(&h, false, true, b.quirks()).is_empty());
        }
    }

    #[test]
    fn invalid_tokens_differ() {
        let h = hs(&[
            ("Access-Control-Expose-Headers", "X-A, bad name"),
            ("X-A", "1"),
        ]);
        // Observed in Chromium 156: like the standard, nothing listed.
        assert!(cors(&h, false, false, Browser::Chrome.quirks()).is_empty());
        assert!(cors(&h, false, false, Browser::Firefox.quirks()).is_empty());
        assert!(cors(&h, false, false, Browser::Spec.quirks()).is_empty());
    }

    #[test]
    fn basic_hides_set_cookie() {
        let h = hs(&[("Set-Cookie", "a"), ("X-A", "1")]);
        assert_eq!(basic(&h, false), ["x-a"]);
    }
}
