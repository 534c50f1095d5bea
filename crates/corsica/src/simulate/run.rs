//! Running a case: the request-level driver fed with the case's answers,
//! and the conformance runner's conventions applied around it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::fx_hash::FxHasher;

use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::answer::{Answer, CaseOutcome, Sent};
use super::case::{Case, CaseRequest, Endpoint, PolicySpec, ServerAnswer};
use super::policy_server::answer_with_policy;
use crate::fetch::{
    Body, Browser, BrowserState, Fetch, Outcome, Page, Request, ResponseHead, Transmit,
};
use crate::headers::eq_ci;
use crate::origin::Origin;
use crate::policy::Policy;

/// What answers at one URL of a case: each head built when first asked
/// for (a case prepared to be run once builds only the ones it uses), and
/// boxed (the routes stay small: a map of large entries makes each case's
/// preparation a large allocation).
#[derive(Clone, Debug)]
struct Route<'c> {
    endpoint: &'c Endpoint<'c>,
    /// The answer to a preflight.
    preflight: OnceLock<Box<ResponseHead<'c>>>,
    /// The answer to every other request.
    response: OnceLock<Box<ResponseHead<'c>>>,
    /// A policy in front of the application, if any.
    policy: Option<Arc<Policy>>,
}

impl<'c> Route<'c> {
    /// The application's answer to a preflight, or to any other request,
    /// at `url` (the route's).
    fn head(&self, preflight: bool, url: &url::Url) -> &ResponseHead<'c> {
        let slot = if preflight {
            &self.preflight
        } else {
            &self.response
        };
        // The endpoint (the case's own memory) is read only to build the
        // head: a case run again finds its heads without touching it.
        slot.get_or_init(|| {
            let (answer, default_status) = if preflight {
                (self.endpoint.preflight.as_ref(), 405)
            } else {
                let app_default = if self.policy.is_some() { 200 } else { 404 };
                (self.endpoint.response.as_ref(), app_default)
            };
            let mut head = rig_head(answer, default_status);
            // A redirect's target is resolved once per case, not on each
            // hop.
            if matches!(head.status(), 301 | 302 | 303 | 307 | 308)
                && head.get("location").is_some()
            {
                head.resolve_location(url);
            }
            Box::new(head)
        })
    }
}

/// Occurs when a case cannot be prepared: a policy it names cannot be read
/// or is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("case {id}: server {url}: {message}")]
pub struct CaseError {
    /// The case's id.
    pub id: String,
    /// The server URL whose endpoint is at fault.
    pub url: String,
    /// What is wrong.
    pub message: String,
}

/// A case with its URLs parsed and its answers indexed once, ready to
/// simulate any number of times.
#[derive(Clone, Debug)]
pub struct PreparedCase<'c> {
    case: &'c Case<'c>,
    page: Page,
    /// Each request, and the delay before it (read here, so that a run
    /// does not touch the case's own requests).
    requests: Vec<(Request, Duration)>,
    routes: HashMap<String, Route<'c>, BuildHasherDefault<FxHasher>>,
    /// The case's own `User-Agent` and `Accept-Language`, when it names
    /// them (else the runner's browser's, per browser).
    identity: (Option<Bytes>, Option<Bytes>),
    /// The case's id (kept here, so that a run reads nothing of the case
    /// itself but this text).
    id: &'c str,
}

/// A URL without user-info and fragment: its text is the routing key.
/// (Most have neither: the setters, which re-serialize the URL, run only
/// when there is something to remove.)
fn route_url(mut u: url::Url) -> url::Url {
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("");
        let _ = u.set_password(None);
    }
    if u.fragment().is_some() {
        u.set_fragment(None);
    }
    u
}

/// A response as the runner's server writes it: the case's lines, and a
/// `Content-Length` when the case gives none and the status may carry a
/// body (the runner's one addition, conformance/FORMAT.md).
fn rig_head<'c>(answer: Option<&'c ServerAnswer>, default_status: u16) -> ResponseHead<'c> {
    let (status, headers, body) = match answer {
        Some(a) => (a.status, &a.headers[..], a.body.as_deref()),
        None => (default_status, &[][..], None),
    };
    let mut head = ResponseHead::new(status);
    head.reserve(headers.len() + 1);
    let mut has_length = false;
    for (n, v) in headers {
        has_length |= eq_ci(n, "content-length");
        head.push(&**n, &**v);
    }
    let may_have_body = !(100..200).contains(&status) && status != 204 && status != 304;
    if may_have_body && !has_length {
        // Most bodies are empty: no number to format then.
        let length = match body.map_or(0, str::len) {
            0 => std::borrow::Cow::Borrowed("0"),
            n => std::borrow::Cow::Owned(n.to_string()),
        };
        head.push("Content-Length", length);
    }
    head
}

impl<'c> PreparedCase<'c> {
    /// Prepares a case whose endpoints have no policy files (inline
    /// policies are fine). A policy file is an error: use
    /// [`PreparedCase::with_policies`].
    pub fn new(case: &'c Case) -> Result<PreparedCase<'c>, CaseError> {
        PreparedCase::with_policies(case, &mut |path| {
            Err(format!(
                "policy file {path:?} cannot be read here; give the policy inline"
            ))
        })
    }

    /// Prepares a case; `load` turns a policy file path into a policy (it
    /// is called once per endpoint that names a file).
    pub fn with_policies(
        case: &'c Case<'c>,
        load: &mut dyn FnMut(&str) -> Result<Arc<Policy>, String>,
    ) -> Result<PreparedCase<'c>, CaseError> {
        let (origin, origin_text) = Origin::parse_serialized(&case.origin)
            .unwrap_or_else(|_| (Origin::new_opaque(), "null".to_owned()));
        let mut page_url = String::with_capacity(origin_text.len() + case.page.len());
        page_url.push_str(&origin_text);
        page_url.push_str(&case.page);
        let page = Page::with_serialized_origin(origin, origin_text, page_url);
        let mut routes =
            HashMap::with_capacity_and_hasher(case.server.len(), BuildHasherDefault::default());
        // A request's URL is nearly always written as one of the routes'
        // keys: the key's parse is then the request's too (a URL parse is
        // the largest single cost of preparing a case). Looked up by text,
        // so a case with many routes and many requests costs their sum,
        // not their product.
        let mut parsed_keys: HashMap<&str, url::Url, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(case.server.len(), BuildHasherDefault::default());
        for (key, endpoint) in &case.server {
            let Ok(url) = url::Url::parse(key) else {
                continue;
            };
            parsed_keys.insert(key, url.clone());
            let fail = |message: String| CaseError {
                id: case.id.to_string(),
                url: key.to_string(),
                message,
            };
            let policy = match &endpoint.policy {
                None => None,
                Some(PolicySpec::File(path)) => Some(load(path).map_err(fail)?),
                Some(PolicySpec::Inline(config)) => Some(Arc::new(
                    Policy::new(config).map_err(|e| fail(e.to_string()))?,
                )),
            };
            routes.insert(
                route_url(url).into(),
                Route {
                    endpoint,
                    preflight: OnceLock::new(),
                    response: OnceLock::new(),
                    policy,
                },
            );
        }
        let requests = case
            .requests
            .iter()
            .map(|r| {
                let delay = Duration::from_millis(r.delay_ms.unwrap_or(0));
                (request(r, parsed_keys.get(&*r.url).cloned()), delay)
            })
            .collect();
        let wire = |text: &Option<Cow<'_, str>>| {
            text.as_deref()
                .map(|t| Bytes::from(crate::headers::wire_bytes(t)))
        };
        Ok(PreparedCase {
            case,
            page,
            requests,
            routes,
            identity: (wire(&case.user_agent), wire(&case.accept_language)),
            id: &case.id,
        })
    }

    /// The case this was prepared from.
    pub fn case(&self) -> &'c Case<'c> {
        self.case
    }

    /// What the server answers to `tx`; an answer made for it (by a
    /// policy) is kept in `made`.
    fn answer<'a>(
        &'a self,
        tx: &Transmit,
        made: &'a mut Option<ResponseHead<'c>>,
    ) -> &'a ResponseHead<'c> {
        static NOT_FOUND: std::sync::OnceLock<ResponseHead<'static>> = std::sync::OnceLock::new();
        let Some(route) = self.routes.get(tx.url().as_str()) else {
            return NOT_FOUND.get_or_init(|| rig_head(None, 404).into_owned());
        };
        let app = route.head(tx.is_preflight(), tx.url());
        match &route.policy {
            Some(policy) => made.insert(answer_with_policy(policy, tx, app)),
            None => app,
        }
    }
}

/// The driver's request for a case request.
/// `parsed`: the request's URL parsed, when a route's key was the same
/// text (else `Request` parses it).
fn request(r: &CaseRequest, parsed: Option<url::Url>) -> Request {
    let request = Request::with_parsed_url(r.method.to_string(), r.url.to_string(), parsed)
        .headers(
            r.headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        )
        .mode(r.mode)
        .credentials(r.credentials)
        .redirect(r.redirect);
    match &r.body {
        Some(body) => request.body(Body::text(body)),
        None => request,
    }
}

/// The runner's default `Accept-Language`.
const RIG_ACCEPT_LANGUAGE: &str = "en-US,en;q=0.9";

/// The browser the runner drives: its `User-Agent` and default
/// `Accept-Language` (headless Chromium 156 and Firefox ESR 153 on Linux,
/// as the runner launches them), unless the case names its own.
fn rig_state(browser: Browser, pc: &PreparedCase<'_>) -> BrowserState {
    static CHROME_UA: Bytes = Bytes::from_static(
        b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
          HeadlessChrome/156.0.0.0 Safari/537.36",
    );
    static FIREFOX_UA: Bytes = Bytes::from_static(
        b"Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
    );
    // The runner's WebKitGTK browser: the GTK port's user agent, and the
    // one preferred language it sets (`en-US`).
    static WEBKIT_UA: Bytes = Bytes::from_static(
        b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) \
          Version/60.5 Safari/605.1.15",
    );
    static ACCEPT_LANGUAGE: Bytes = Bytes::from_static(RIG_ACCEPT_LANGUAGE.as_bytes());
    static WEBKIT_ACCEPT_LANGUAGE: Bytes = Bytes::from_static(b"en-US");
    let mut state = BrowserState::new(browser);
    let (rig_ua, rig_al) = match browser {
        Browser::Firefox => (&FIREFOX_UA, &ACCEPT_LANGUAGE),
        Browser::Webkit => (&WEBKIT_UA, &WEBKIT_ACCEPT_LANGUAGE),
        _ => (&CHROME_UA, &ACCEPT_LANGUAGE),
    };
    let (ua, al) = &pc.identity;
    state.set_identity(
        ua.as_ref().unwrap_or(rig_ua).clone(),
        al.as_ref().unwrap_or(rig_al).clone(),
    );
    state
}

/// Whether the runner records a header of a request whose script set the
/// the headers `script`: `Accept`, `Origin`, `Access-Control-Request-*`,
/// and any name the script set (even one the browser dropped and sent its
/// own value for).
#[inline]
fn recorded(name: &str, script: &[(String, String)]) -> bool {
    (name.len() == 6 && eq_ci(name, "accept"))
        || crate::headers::is_cors_request_header(name)
        || script
            .iter()
            .any(|(n, _)| n.len() == name.len() && eq_ci(n, name))
}

/// Simulates every request of `case` in `browser`, in order, sharing one
/// browser state and one clock: one answer per request.
pub fn simulate_case(case: &Case, browser: Browser) -> Result<Vec<Answer>, CaseError> {
    Ok(simulate_prepared(&PreparedCase::new(case)?, browser))
}

/// [`simulate_case`] on a prepared case.
pub fn simulate_prepared(pc: &PreparedCase<'_>, browser: Browser) -> Vec<Answer> {
    simulate_with(pc, browser, Record::Runner)
}

/// [`simulate_prepared`], with every header of every request in `sent`
/// rather than the ones the runner's answers record (what the runner's
/// wire logs hold, `conformance/answers/wire.*.jsonl`).
pub fn simulate_prepared_full(pc: &PreparedCase<'_>, browser: Browser) -> Vec<Answer> {
    simulate_with(pc, browser, Record::All)
}

/// Which headers `sent` keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Record {
    Runner,
    All,
}

fn simulate_with(pc: &PreparedCase<'_>, browser: Browser, record: Record) -> Vec<Answer> {
    let mut state = rig_state(browser, pc);
    let mut now = Duration::ZERO;
    let mut answers = Vec::with_capacity(pc.requests.len());
    for (index, (request, delay)) in pc.requests.iter().enumerate() {
        now = now.saturating_add(*delay);
        let named = request.header_list();
        let mut fetch = Fetch::new(&pc.page, request);
        // A preflight and the request, without growing.
        let mut sent = Vec::with_capacity(2);
        let mut preflight = false;
        while let Some(tx) = fetch.poll_transmit(&mut state, now) {
            preflight |= tx.is_preflight();
            let mut made = None;
            let head = pc.answer(&tx, &mut made);
            fetch.handle_response(&mut state, now, head);
            let (_, method, url, mut headers) = tx.into_parts();
            if record == Record::Runner {
                headers.retain(|(n, _)| recorded(n, named));
            }
            sent.push(Sent {
                method,
                url: url.into(),
                headers,
            });
        }
        let finished = fetch.finish();
        let outcome = CaseOutcome::of(&finished);
        let (status, exposed, error, message, blocked) = match finished {
            Outcome::Readable(r) => (Some(r.status), r.exposed, None, None, None),
            Outcome::Blocked(b) => (
                None,
                Vec::new(),
                b.error_code(),
                b.console_message(),
                Some(Box::new(b)),
            ),
        };
        answers.push(Answer {
            id: pc.id.to_owned(),
            index,
            browser,
            preflight,
            outcome,
            status,
            exposed,
            error,
            message,
            sent,
            blocked,
        });
    }
    answers
}
