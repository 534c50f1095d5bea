//! What to change so a blocked request goes through.

use crate::fetch::{Blocked, Browser, Reason, Request};
use crate::origin::Origin;
use crate::policy::PolicyConfig;

/// The change that lets a blocked request through: the header the server
/// must send (with its value), anything else it needs, how to say it in a
/// corsica policy, and the same in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The header the server must send, with the value it needs, when one
    /// header is the fix.
    pub header: Option<(&'static str, String)>,
    /// Further headers the answer needs along with it (credentials).
    pub also: Vec<(&'static str, String)>,
    /// The same in a corsica policy (TOML), when a policy can say it.
    pub policy: Option<String>,
    /// What to change, in plain words.
    pub summary: String,
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|i| format!("\"{}\"", i.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// The allow list a preflight answer needs: what the server `listed`
/// already, so the fix does not take away what other requests use, then
/// each of `needed` it lacks. A `*` in the list is kept only without
/// credentials: with them it is a literal name that allows nothing
/// (Fetch, CORS-preflight fetch, steps 7.5 and 7.8).
fn merged(
    listed: &[String],
    needed: &[String],
    credentials: bool,
    same: fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut value: Vec<String> = listed
        .iter()
        .filter(|item| !(credentials && *item == "*"))
        .cloned()
        .collect();
    for n in needed {
        if !value.iter().any(|item| same(item, n)) {
            value.push(n.clone());
        }
    }
    value
}

/// The fix for `blocked`.
pub(super) fn fix(blocked: &Blocked) -> Fix {
    let origin = blocked.request_origin().to_owned();
    // WebKit checks some redirect responses as if credentials were
    // included (`CorsQuirks::credentialed_redirects_after_same_origin_start`):
    // the answer then needs what a credentialed request needs.
    let credentials = blocked.credentials || blocked.credentialed_check;
    let because = if blocked.credentials || !blocked.credentialed_check {
        "because the request includes credentials"
    } else {
        "because WebKit (Safari) checks the redirect responses of a fetch that started on the \
         page's own origin with credentials \"same-origin\" as if credentials were included \
         (or send the request with credentials: \"omit\")"
    };
    let on = if blocked.failure().preflight {
        "the answer to the preflight (OPTIONS)"
    } else {
        "the response"
    };
    let acac = || {
        if credentials {
            vec![("Access-Control-Allow-Credentials", "true".to_owned())]
        } else {
            Vec::new()
        }
    };
    let origin_policy = || {
        if origin == "null" {
            None
        } else if credentials {
            Some(format!("origins = [\"{origin}\"]\ncredentials = true"))
        } else {
            Some(format!("origins = [\"{origin}\"]"))
        }
    };
    let plain = |summary: String| Fix {
        header: None,
        also: Vec::new(),
        policy: None,
        summary,
    };
    match blocked.reason() {
        Reason::MissingAllowOriginHeader
        | Reason::AllowOriginMismatch { .. }
        | Reason::InvalidAllowOriginValue { .. }
        | Reason::MultipleAllowOriginValues { .. } => {
            let mut summary = format!(
                "{on} must carry `Access-Control-Allow-Origin: {origin}`, exactly one value, \
                 equal to the request's `Origin`"
            );
            if origin == "null" {
                summary.push_str(
                    "; the origin is `null` because a redirect crossed origins: point the \
                     request at the final URL instead of allowing `null`, which anyone can send",
                );
            }
            if blocked.failure().status.is_some_and(|s| s >= 400) && !blocked.failure().preflight {
                summary.push_str(&format!(
                    "; the server also answered with an error ({}): add CORS headers to error \
                     responses so the page sees the real error, then fix it",
                    blocked.failure().status.unwrap_or_default()
                ));
            }
            Fix {
                header: Some(("Access-Control-Allow-Origin", origin.clone())),
                also: acac(),
                policy: origin_policy(),
                summary,
            }
        }
        Reason::WildcardOriginNotAllowed => Fix {
            header: Some(("Access-Control-Allow-Origin", origin.clone())),
            also: vec![("Access-Control-Allow-Credentials", "true".to_owned())],
            policy: origin_policy(),
            summary: format!(
                "{on} must name the page's origin instead of `*` {}: send \
                 `Access-Control-Allow-Origin: {origin}` and \
                 `Access-Control-Allow-Credentials: true` (and `Vary: Origin`)",
                if blocked.credentialed_check && !blocked.credentials {
                    because
                } else {
                    "when the request carries credentials"
                }
            ),
        },
        Reason::InvalidAllowCredentials { .. } => Fix {
            header: Some(("Access-Control-Allow-Credentials", "true".to_owned())),
            also: Vec::new(),
            policy: Some("credentials = true".to_owned()),
            summary: format!(
                "{on} must carry `Access-Control-Allow-Credentials: true` (exactly `true`) \
                 {because}"
            ),
        },
        Reason::PreflightInvalidStatus => Fix {
            header: None,
            also: Vec::new(),
            policy: Some(format!("origins = [\"{origin}\"]")),
            summary: format!(
                "answer the preflight (OPTIONS {}) with a 2xx status, usually 204 No Content, \
                 before any authentication or routing that rejects OPTIONS; a corsica policy \
                 answers preflights itself",
                blocked.url()
            ),
        },
        Reason::PreflightDisallowedRedirect => plain(format!(
            "answer the preflight at {} itself: browsers never follow a redirect of a \
             preflight (fix trailing-slash or http-to-https redirects, or call the final URL)",
            blocked.url()
        )),
        Reason::InvalidAllowMethods { .. } | Reason::MethodDisallowed { .. } => {
            let method = blocked.method().to_owned();
            let mut summary = format!(
                "the preflight answer must list {method} in `Access-Control-Allow-Methods` \
                 (comma-separated method names, matched case-sensitively)"
            );
            let upper = method.to_ascii_uppercase();
            if upper != method {
                summary.push_str(&format!(
                    "; browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT, so \
                     the script sends `{method}`: write `{upper}` in the script"
                ));
            }
            let listed = blocked.preflight_allowed_methods();
            let value = merged(listed, std::slice::from_ref(&method), credentials, str::eq);
            if value.len() > 1 {
                summary.push_str(&format!(
                    "; keep the methods it lists already: `{}`",
                    value.join(", ")
                ));
            }
            Fix {
                header: Some(("Access-Control-Allow-Methods", value.join(", "))),
                also: Vec::new(),
                policy: Some(format!("methods = {}", toml_list(&[method]))),
                summary,
            }
        }
        Reason::InvalidAllowHeaders { .. } | Reason::HeaderDisallowed { .. } => {
            let names = blocked.request_headers().to_vec();
            let value = merged(
                blocked.preflight_allowed_headers(),
                &names,
                credentials,
                str::eq_ignore_ascii_case,
            );
            Fix {
                header: Some(("Access-Control-Allow-Headers", value.join(", "))),
                also: Vec::new(),
                policy: Some(format!("request_headers = {}", toml_list(&names))),
                summary: format!(
                    "the preflight answer must list every header the request asks for in \
                     `Access-Control-Allow-Headers`: {}",
                    names.join(", ")
                ),
            }
        }
        Reason::RedirectContainsCredentials => plain(
            "redirect to a URL without a username or password: browsers refuse such \
             redirects for cross-origin requests"
                .to_owned(),
        ),
        // WebKit reports the redirect limit itself ("Load cannot follow
        // more than 20 redirections"); the other browsers' `RedirectFailed`
        // is a refused target.
        Reason::RedirectFailed if blocked.browser == Browser::Webkit => plain(format!(
            "break the redirect chain: the request was redirected more than 20 times (a loop? \
             the last redirect came from {}); redirect once, to the final URL, or call it \
             directly",
            blocked.loaded_url()
        )),
        Reason::CorsDisabledScheme | Reason::RedirectFailed => {
            plain("redirect only to http or https URLs, or call the final URL directly".to_owned())
        }
        Reason::SameOriginModeCrossOrigin | Reason::DisallowedByMode => plain(
            "use mode \"cors\" (the default) for a cross-origin URL, and have the server \
             allow the page's origin"
                .to_owned(),
        ),
        Reason::TypeError(e) => plain(format!("change the script: {}", e.describe())),
        Reason::RequestFailed | Reason::NetworkError => plain(
            "make the server answer at all: the request failed before any CORS check (the \
             connection, the redirects or the response head)"
                .to_owned(),
        ),
    }
}

/// The smallest corsica policy that lets `request`, made by a page on
/// `page_origin` in `browser`, through, and exposes `expose` to it: the
/// page's origin, credentials when the request includes them, its method
/// when it is not safelisted, and the request headers a preflight asks for.
///
/// `None` when no policy can allow it: an opaque origin (`null`, which a
/// policy refuses because anyone can send it), or a request `fetch()`
/// throws on. The result is not validated: [`Policy::new`] says what is
/// wrong with it (a plain-http origin with credentials, for one).
///
/// [`Policy::new`]: crate::policy::Policy::new
///
/// ```
/// use corsica::Origin;
/// use corsica::explain::policy_allowing;
/// use corsica::fetch::{Browser, Credentials, Request};
///
/// let origin = Origin::parse("https://app.example").unwrap();
/// let request = Request::new("PUT", "https://api.example/items/1")
///     .header("Content-Type", "application/json")
///     .credentials(Credentials::Include);
/// let config = policy_allowing(&origin, &request, Browser::Chrome, &[]).unwrap();
/// assert_eq!(config.origins, ["https://app.example"]);
/// assert!(config.credentials);
/// assert_eq!(config.methods, ["GET", "HEAD", "POST", "PUT"]);
/// assert_eq!(config.request_headers, ["content-type"]);
/// ```
pub fn policy_allowing(
    page_origin: &Origin,
    request: &Request,
    browser: Browser,
    expose: &[String],
) -> Option<PolicyConfig> {
    if page_origin.is_opaque() {
        return None;
    }
    let (method, unsafe_names) = crate::fetch::script_facts(request, browser.quirks()).ok()?;
    let mut request_headers = unsafe_names;
    request_headers.dedup();
    let mut config = PolicyConfig {
        origins: vec![page_origin.serialize()],
        credentials: request.credentials_mode().is_include(),
        request_headers,
        expose_headers: expose.to_vec(),
        ..PolicyConfig::default()
    };
    if !config.methods.contains(&method) {
        config.methods.push(method);
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::fetch::{Body, BrowserState, Credentials, Fetch, Page, ResponseHead};
    use crate::policy::Policy;
    use crate::simulate::answer_with_policy;

    /// The policy, standing in for the server, lets the request through in
    /// both browsers.
    #[test]
    fn the_allowing_policy_allows() {
        let requests = [
            Request::get("https://api.example/a"),
            Request::new("patch", "https://api.example/a").header("X-Api-Key", "k"),
            Request::new("DELETE", "https://api.example/a")
                .header("Authorization", "Bearer x")
                .credentials(Credentials::Include),
            Request::new("POST", "https://api.example/a")
                .header("Content-Type", "application/json")
                .body(Body::text("{}")),
            Request::get("https://api.example/a").header("Range", "BYTES=0-1"),
        ];
        for browser in [Browser::Chrome, Browser::Firefox] {
            for request in &requests {
                let origin = Origin::parse("https://app.example").unwrap();
                let config = policy_allowing(&origin, request, browser, &["x-id".into()]).unwrap();
                let policy = Policy::new(&config).unwrap_or_else(|e| panic!("{config:?}: {e}"));
                let page = Page::new("https://app.example/").unwrap();
                let mut state = BrowserState::new(browser);
                let mut fetch = Fetch::new(&page, request);
                let mut app = ResponseHead::new(200);
                app.push("X-Id", "1");
                while let Some(tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
                    let head = answer_with_policy(&policy, &tx, &app);
                    fetch.handle_response(&mut state, Duration::ZERO, &head);
                }
                let outcome = fetch.finish();
                let readable = outcome
                    .readable()
                    .unwrap_or_else(|| panic!("{browser} {request:?}: {outcome:?}"));
                assert!(readable.exposed.contains(&"x-id".to_owned()));
            }
        }
    }

    #[test]
    fn no_policy_allows_an_opaque_origin() {
        let request = Request::get("https://api.example/a");
        assert_eq!(
            policy_allowing(&Origin::new_opaque(), &request, Browser::Chrome, &[]),
            None
        );
    }

    /// The fix of a refused preflight, answered with `acam` and `acah`.
    fn refused(browser: Browser, request: &Request, acam: &str, acah: &str) -> Fix {
        let page = Page::new("https://app.example/").unwrap();
        let mut state = BrowserState::new(browser);
        let mut fetch = Fetch::new(&page, request);
        let mut head = ResponseHead::new(204);
        head.push("Access-Control-Allow-Origin", "https://app.example");
        head.push("Access-Control-Allow-Credentials", "true");
        head.push("Access-Control-Allow-Methods", acam);
        head.push("Access-Control-Allow-Headers", acah);
        while let Some(_tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
            fetch.handle_response(&mut state, Duration::ZERO, &head);
        }
        let outcome = fetch.finish();
        let blocked = outcome.blocked().expect("the preflight refuses");
        blocked.fix()
    }

    /// A fix that adds the refused method or header keeps what the server
    /// listed, so other requests keep working.
    #[test]
    fn the_fix_keeps_what_the_preflight_listed() {
        for browser in [Browser::Chrome, Browser::Firefox, Browser::Webkit] {
            let put = Request::new("PUT", "https://api.example/a");
            let fix = refused(browser, &put, "GET, POST", "");
            assert_eq!(
                fix.header,
                Some(("Access-Control-Allow-Methods", "GET, POST, PUT".to_owned())),
                "{browser}"
            );
            assert!(fix.summary.contains("keep the methods"), "{}", fix.summary);

            let keyed = Request::get("https://api.example/a")
                .header("X-Api-Key", "k")
                .header("Content-Type", "application/json");
            let fix = refused(browser, &keyed, "GET", "Content-Type");
            assert_eq!(
                fix.header,
                Some((
                    "Access-Control-Allow-Headers",
                    "Content-Type, x-api-key".to_owned()
                )),
                "{browser}"
            );

            // With credentials, `*` is a literal name: the fix drops it.
            let put = put.credentials(Credentials::Include);
            let fix = refused(browser, &put, "*, DELETE", "");
            assert_eq!(
                fix.header,
                Some(("Access-Control-Allow-Methods", "DELETE, PUT".to_owned())),
                "{browser}"
            );
        }
    }
}
