//! A policy standing in for the server: where the engine's two sides meet.
//!
//! A browser's request (a [`Transmit`]) goes to [`Policy::decide`]; the
//! answer is what a server running the policy in front of an application
//! sends back: the policy's own answer to a preflight, or the
//! application's answer with the policy's headers added.

use crate::fetch::{ResponseHead, Transmit};
use crate::policy::Policy;

/// What a server running `policy` in front of an application answers to
/// `transmit`; `app` is the application's answer, used when the policy
/// passes the request on (an actual request, or a preflight under
/// `preflight_passthrough`).
///
/// ```
/// use corsica::fetch::{Browser, BrowserState, Fetch, Page, Request, ResponseHead};
/// use corsica::policy::Policy;
/// use corsica::simulate::answer_with_policy;
/// use std::time::Duration;
///
/// let policy = Policy::from_toml_str(r#"origins = ["https://app.example"]"#).unwrap();
/// let page = Page::new("https://app.example/")?;
/// let request = Request::get("https://api.example/data");
/// let mut state = BrowserState::new(Browser::Chrome);
/// let mut fetch = Fetch::new(&page, &request);
/// let app = ResponseHead::new(200);
/// while let Some(tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
///     let head = answer_with_policy(&policy, &tx, &app);
///     fetch.handle_response(&mut state, Duration::ZERO, &head);
/// }
/// assert!(fetch.finish().readable().is_some());
/// # Ok::<(), corsica::fetch::PageError>(())
/// ```
pub fn answer_with_policy(
    policy: &Policy,
    transmit: &Transmit,
    app: &ResponseHead<'_>,
) -> ResponseHead<'static> {
    serve_with_policy(policy, transmit, app).head
}

/// What a policy standing in for the server did with one request: the
/// answer, whether the application made it (the policy passed the request
/// on and added its headers), the headers the policy added, and why the
/// policy rejected the request, if it did.
#[derive(Clone, Debug)]
pub struct PolicyAnswer {
    /// The answer the browser receives.
    pub head: ResponseHead<'static>,
    /// Whether the request went on to the application.
    pub passed_on: bool,
    /// The headers the policy set, in the order it sends them.
    pub added: Vec<(String, String)>,
    /// Why the policy rejected the request: its stable code and message.
    pub rejection: Option<(&'static str, String)>,
}

/// [`answer_with_policy`], saying what the policy decided.
pub fn serve_with_policy(
    policy: &Policy,
    transmit: &Transmit,
    app: &ResponseHead<'_>,
) -> PolicyAnswer {
    let Ok(request) = transmit.to_http() else {
        // A header http cannot carry never reaches a server built on it:
        // the request fails at the client.
        return PolicyAnswer {
            head: ResponseHead::new(400),
            passed_on: false,
            added: Vec::new(),
            rejection: None,
        };
    };
    let (parts, ()) = request.into_parts();
    let decision = policy.decide(&parts.method, &parts.headers);
    let added = decision
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                crate::headers::isomorphic_decode(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let rejection = decision.rejection().map(|r| (r.code(), r.to_string()));
    let passed_on = decision.status().is_none();
    let (status, mut headers) = match decision.status() {
        Some(status) => (status.as_u16(), http::HeaderMap::new()),
        None => {
            let mut map = http::HeaderMap::with_capacity(app.len() + 4);
            for (name, value) in app.iter() {
                let bytes = crate::headers::wire_bytes(value);
                if let (Ok(n), Ok(v)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_bytes(&bytes),
                ) {
                    map.append(n, v);
                }
            }
            (app.status(), map)
        }
    };
    decision.headers().apply_to(&mut headers);
    let mut head = ResponseHead::new(status);
    for (name, value) in &headers {
        head.push(
            name.as_str().to_owned(),
            crate::headers::isomorphic_decode(value.as_bytes()).into_owned(),
        );
    }
    PolicyAnswer {
        head,
        passed_on,
        added,
        rejection,
    }
}
