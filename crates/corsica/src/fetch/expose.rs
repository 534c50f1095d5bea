//! Which response headers a script can read.
//!
//! <https://fetch.spec.whatwg.org/#concept-filtered-response-cors>

use super::browser::{ExposeParse, Quirks};
use super::response::{Known, ResponseHead};
use crate::headers;

fn finish(mut names: Vec<String>) -> Vec<String> {
    names.sort_unstable();
    names.dedup();
    names
}

/// A basic filtered response: every header but `Set-Cookie` and
/// `Set-Cookie2`, names lowercased and sorted.
pub(crate) fn basic(head: &ResponseHead<'_>) -> Vec<String> {
    finish(
        head.iter()
            .filter(|(n, _)| !headers::is_forbidden_response_header_name(n))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect(),
    )
}

/// The parsed `Access-Control-Expose-Headers` (lowercased) and whether it
/// exposes all.
fn parse_list(value: Option<&str>, include: bool, quirks: &Quirks) -> (Vec<String>, bool) {
    let Some(value) = value else {
        return (Vec::new(), false);
    };
    // Duplicates stay: `finish` sorts and deduplicates what is exposed.
    let mut list = Vec::new();
    let mut all = false;
    match quirks.expose {
        ExposeParse::ClearOnInvalid => {
            // Firefox: the first non-token empties the list and stops; a `*`
            // already seen still exposes everything.
            for item in value.split(',') {
                let item = headers::trim_tab_or_space(item);
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
                list.push(item.to_ascii_lowercase());
            }
        }
        ExposeParse::Strict => {
            // Fetch: extract header list values; any failure → null.
            if let Ok(items) = headers::parse_token_list(value) {
                all = !include && items.contains(&"*");
                list = items.into_iter().map(str::to_ascii_lowercase).collect();
            }
        }
    }
    (list, all)
}

/// Fetch: main fetch, step 14.2 and the CORS filtered response: the
/// safelisted names, the exposed names (all of them for `*` without
/// credentials), never `Set-Cookie`. Without `*`, each candidate name is
/// looked up in the head rather than every line read, so a head of ten
/// thousand lines costs what a short one does.
pub(crate) fn cors(head: &ResponseHead<'_>, include: bool, quirks: &Quirks) -> Vec<String> {
    let aceh = head.get_known(Known::ExposeHeaders);
    let (list, all) = parse_list(aceh.as_deref(), include, quirks);
    if all {
        return finish(
            head.iter()
                .filter(|(n, _)| !headers::is_forbidden_response_header_name(n))
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect(),
        );
    }
    // The safelisted names are all indexed by the head.
    let mut names: Vec<String> = [
        Known::CacheControl,
        Known::ContentLanguage,
        Known::ContentLength,
        Known::ContentType,
        Known::Expires,
        Known::LastModified,
        Known::Pragma,
    ]
    .into_iter()
    .filter(|k| head.has(*k))
    .map(|k| k.name().to_owned())
    .collect();
    names.extend(
        list.into_iter()
            .filter(|n| !headers::is_forbidden_response_header_name(n) && head.contains(n)),
    );
    finish(names)
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
            cors(&h, false, Browser::Chrome.quirks()),
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
                cors(&h, false, b.quirks()),
                ["access-control-expose-headers", "x-a"]
            );
            assert!(cors(&h, true, b.quirks()).is_empty());
        }
    }

    #[test]
    fn invalid_tokens_differ() {
        let h = hs(&[
            ("Access-Control-Expose-Headers", "X-A, bad name"),
            ("X-A", "1"),
        ]);
        // Observed in Chromium 156: like the standard, nothing listed.
        assert!(cors(&h, false, Browser::Chrome.quirks()).is_empty());
        assert!(cors(&h, false, Browser::Firefox.quirks()).is_empty());
        assert!(cors(&h, false, Browser::Spec.quirks()).is_empty());
    }

    #[test]
    fn basic_hides_set_cookie() {
        let h = hs(&[("Set-Cookie", "a"), ("X-A", "1")]);
        assert_eq!(basic(&h), ["x-a"]);
    }
}
