//! What the engine predicts the browser does with a run: the browser
//! model ([`corsica::fetch::Fetch`]) sends each request; the server side
//! answers it without a network, from the same code the live servers run:
//! the echo API's [`respond`](super::echo::respond), and for a policy,
//! [`answer_with_policy`] (the engine's policy standing in for the
//! gateway); for a broken-server preset, the echo API's own CORS answer
//! (the gateway only watches, in shadow mode).

use std::time::Duration;

use corsica::fetch::{
    Body as FetchBody, Browser, BrowserState, Credentials, Fetch, Mode, Outcome, Page, Request,
    ResponseHead,
};
use corsica::simulate::answer_with_policy;
use serde::{Deserialize, Serialize};

use super::echo::{self, Seen};
use super::lab::{Target, parse_path};

/// One `fetch()` the page makes, as the page describes it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct ScriptStep {
    pub(crate) method: String,
    /// The path on the API (`/items/1`).
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) headers: Vec<(String, String)>,
    #[serde(default = "same_origin")]
    pub(crate) credentials: String,
    #[serde(default = "cors")]
    pub(crate) mode: String,
    #[serde(default)]
    pub(crate) body: Option<String>,
}

fn same_origin() -> String {
    "same-origin".into()
}

fn cors() -> String {
    "cors".into()
}

/// One request the model sent, and the answer it was given.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PredictedExchange {
    pub(crate) preflight: bool,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) status: u16,
    pub(crate) response_headers: Vec<(String, String)>,
}

/// The fix the engine proposes for a blocked fetch.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FixView {
    pub(crate) summary: String,
    pub(crate) header: Option<(String, String)>,
    pub(crate) also: Vec<(String, String)>,
    pub(crate) policy: Option<String>,
}

/// How one fetch ends, predicted.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PredictedFetch {
    pub(crate) url: String,
    pub(crate) exchanges: Vec<PredictedExchange>,
    /// `readable` or `blocked`.
    pub(crate) outcome: &'static str,
    /// The status the script sees (readable), or of the failing answer.
    pub(crate) status: Option<u16>,
    pub(crate) response_type: Option<String>,
    /// Readable header names (lowercase, sorted).
    pub(crate) exposed: Vec<String>,
    pub(crate) error_code: Option<&'static str>,
    pub(crate) console_message: Option<String>,
    pub(crate) cause: Option<String>,
    pub(crate) fix: Option<FixView>,
    pub(crate) preflight_failed: bool,
}

/// Why a step cannot be predicted.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct PredictError(pub(crate) String);

fn credentials(s: &str) -> Result<Credentials, PredictError> {
    match s {
        "omit" => Ok(Credentials::Omit),
        "same-origin" => Ok(Credentials::SameOrigin),
        "include" => Ok(Credentials::Include),
        other => Err(PredictError(format!(
            "credentials `{other}` is not omit, same-origin or include"
        ))),
    }
}

fn mode(s: &str) -> Result<Mode, PredictError> {
    match s {
        "cors" => Ok(Mode::Cors),
        "no-cors" => Ok(Mode::NoCors),
        "same-origin" => Ok(Mode::SameOrigin),
        other => Err(PredictError(format!(
            "mode `{other}` is not cors, no-cors or same-origin"
        ))),
    }
}

/// The URL of `step` in `run` of lab entry `entry`, on the API at `api`.
pub(crate) fn step_url(api: &str, entry: &str, run: u64, step: &ScriptStep) -> String {
    let path = if step.path.starts_with('/') {
        step.path.clone()
    } else {
        format!("/{}", step.path)
    };
    format!("{api}/lab/{entry}/{run}{path}")
}

/// Predicts every step of a run, in order, in one browser (the HTTP and
/// preflight caches carry from one step to the next, as in the page).
pub(crate) fn predict(
    target: &Target,
    page_url: &str,
    urls: &[String],
    steps: &[ScriptStep],
    browser: Browser,
) -> Result<Vec<PredictedFetch>, PredictError> {
    let page_origin = page_url.trim_end_matches('/').to_owned();
    let page = Page::new(page_url).map_err(|e| PredictError(e.to_string()))?;
    let mut state = BrowserState::new(browser);
    let mut out = Vec::new();
    for (step, url) in steps.iter().zip(urls) {
        let mut request = Request::new(step.method.clone(), url.clone())
            .headers(step.headers.clone())
            .credentials(credentials(&step.credentials)?)
            .mode(mode(&step.mode)?);
        if let Some(body) = &step.body {
            request = request.body(FetchBody::text(body));
        }
        let mut fetch = Fetch::new(&page, &request);
        let mut exchanges = Vec::new();
        while let Some(tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
            let headers: Vec<(String, String)> = tx
                .headers()
                .map(|(n, v)| {
                    (
                        n.to_ascii_lowercase(),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
                .collect();
            let rest = parse_path(tx.url().path()).map_or("/", |(_, _, rest)| rest);
            let seen = Seen {
                method: tx.method().as_str(),
                path: rest,
                query: tx.url().query(),
                headers: &headers,
            };
            let head: ResponseHead<'static> = match target {
                Target::Policy(policy) => {
                    let app = head_of(&echo::respond(None, &seen, &page_origin));
                    answer_with_policy(policy, &tx, &app)
                }
                Target::Preset(preset) => {
                    head_of(&echo::respond(Some(preset), &seen, &page_origin))
                }
            };
            exchanges.push(PredictedExchange {
                preflight: tx.is_preflight(),
                method: tx.method().as_str().to_owned(),
                url: tx.url().to_string(),
                headers: tx
                    .headers()
                    .map(|(n, v)| (n.to_owned(), String::from_utf8_lossy(v).into_owned()))
                    .collect(),
                status: head.status(),
                response_headers: head
                    .iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
            });
            fetch.handle_response(&mut state, Duration::ZERO, &head);
        }
        let predicted = match fetch.finish() {
            Outcome::Readable(r) => PredictedFetch {
                url: url.clone(),
                exchanges,
                outcome: "readable",
                status: Some(r.status),
                response_type: Some(format!("{:?}", r.response_type).to_ascii_lowercase()),
                exposed: r.exposed,
                error_code: None,
                console_message: None,
                cause: None,
                fix: None,
                preflight_failed: false,
            },
            Outcome::Blocked(b) => {
                let fix = b.fix();
                PredictedFetch {
                    url: url.clone(),
                    exchanges,
                    outcome: "blocked",
                    status: b.failure().status,
                    response_type: None,
                    exposed: Vec::new(),
                    error_code: b.error_code(),
                    console_message: b.console_message(),
                    cause: Some(b.cause()),
                    fix: Some(FixView {
                        summary: fix.summary,
                        header: fix.header.map(|(n, v)| (n.to_owned(), v)),
                        also: fix
                            .also
                            .into_iter()
                            .map(|(n, v)| (n.to_owned(), v))
                            .collect(),
                        policy: fix.policy,
                    }),
                    preflight_failed: b.failure().preflight,
                }
            }
        };
        out.push(predicted);
    }
    Ok(out)
}

fn head_of(answer: &echo::Answer) -> ResponseHead<'static> {
    let mut head = ResponseHead::new(answer.status);
    for (n, v) in &answer.headers {
        head.push(n.clone(), v.clone());
    }
    head
}
