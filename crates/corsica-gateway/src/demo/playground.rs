//! The playground's own server, on an origin other than the API's: the
//! page (`web/`, embedded in the binary) and its small JSON API:
//!
//! - `GET /api/presets`: the presets, the page's and the API's origins;
//! - `POST /api/prepare`: checks the policy (or takes a preset), makes the
//!   lab entry and a run, and returns the run's URLs and the engine's
//!   prediction for each step;
//! - `GET /api/observed?run=N`: what the gateway received and answered in
//!   run N.

use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;
use corsica::fetch::Browser;
use corsica::policy::Policy;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;

use super::lab::{Lab, Target};
use super::predict::{self, ScriptStep};
use super::presets::{self, PRESETS};

const INDEX: &str = include_str!("../../../../web/index.html");
const APP_JS: &str = include_str!("../../../../web/app.js");
const STYLE: &str = include_str!("../../../../web/style.css");

/// The largest request body the JSON API reads.
const MAX_BODY: usize = 64 * 1024;

pub(crate) struct Playground {
    pub(crate) lab: Arc<Lab>,
    /// `http://127.0.0.1:8000`
    pub(crate) page_origin: String,
    /// `http://127.0.0.1:8080`
    pub(crate) api_origin: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TargetSpec {
    Preset(String),
    Policy(String),
}

#[derive(Deserialize)]
struct Prepare {
    target: TargetSpec,
    steps: Vec<ScriptStep>,
    #[serde(default)]
    browser: Option<String>,
}

pub(crate) async fn serve(listener: TcpListener, playground: Arc<Playground>) {
    let builder = Arc::new(auto::Builder::new(TokioExecutor::new()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let builder = builder.clone();
        let playground = playground.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |r| {
                let playground = playground.clone();
                async move { Ok::<_, Infallible>(playground.answer(r).await) }
            });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn json_response(status: StatusCode, value: serde_json::Value) -> Response<Full<Bytes>> {
    respond(status, "application/json", value.to_string())
}

impl Playground {
    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_owned();
        match (request.method().clone(), path.as_str()) {
            (Method::GET, "/" | "/index.html") => {
                respond(StatusCode::OK, "text/html; charset=utf-8", INDEX)
            }
            (Method::GET, "/app.js") => {
                respond(StatusCode::OK, "text/javascript; charset=utf-8", APP_JS)
            }
            (Method::GET, "/style.css") => {
                respond(StatusCode::OK, "text/css; charset=utf-8", STYLE)
            }
            (Method::GET, "/favicon.ico") => respond(StatusCode::NO_CONTENT, "image/x-icon", ""),
            (Method::GET, "/api/presets") => json_response(StatusCode::OK, self.presets()),
            (Method::GET, "/api/observed") => {
                let run = request
                    .uri()
                    .query()
                    .unwrap_or("")
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("run="))
                    .and_then(|v| v.parse::<u64>().ok());
                match run {
                    Some(run) => json_response(
                        StatusCode::OK,
                        json!({ "run": run, "exchanges": self.lab.observed(run) }),
                    ),
                    None => json_response(
                        StatusCode::BAD_REQUEST,
                        json!({ "error": "give the run: /api/observed?run=N" }),
                    ),
                }
            }
            (Method::POST, "/api/prepare") => {
                let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(_) => {
                        return json_response(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            json!({ "error": format!("the request is over {MAX_BODY} bytes") }),
                        );
                    }
                };
                match serde_json::from_slice::<Prepare>(&body) {
                    Ok(p) => self.prepare(p),
                    Err(e) => json_response(
                        StatusCode::BAD_REQUEST,
                        json!({ "error": format!("not a run description: {e}") }),
                    ),
                }
            }
            _ => respond(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "not found\n",
            ),
        }
    }

    fn with_page(&self, text: &str) -> String {
        text.replace("{page}", &self.page_origin)
    }

    fn presets(&self) -> serde_json::Value {
        let list: Vec<serde_json::Value> = PRESETS
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "title": p.title,
                    "mistake": p.mistake,
                    "snippet": p.snippet.replace("https://myapp.com", &self.page_origin),
                    "steps": p.steps,
                    "kind": if p.server.is_some() { "server" } else { "policy" },
                    "policy": p.policy.map(|t| self.with_page(t)),
                    "fix_policy": self.with_page(p.fix_policy),
                    "fix_steps": p.fix_steps,
                    "blocked": p.blocked,
                })
            })
            .collect();
        json!({
            "page": self.page_origin,
            "api": self.api_origin,
            "presets": list,
        })
    }

    fn prepare(&self, p: Prepare) -> Response<Full<Bytes>> {
        if p.steps.is_empty() || p.steps.len() > 4 {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({ "error": "a run has 1 to 4 steps" }),
            );
        }
        let browser = match p.browser.as_deref().unwrap_or("chrome").parse::<Browser>() {
            Ok(b) => b,
            Err(e) => {
                return json_response(StatusCode::BAD_REQUEST, json!({ "error": e.to_string() }));
            }
        };
        let (id, target, check) = match &p.target {
            TargetSpec::Preset(name) => match presets::find(name) {
                Some(preset) if preset.server.is_some() => (
                    format!("preset-{}", preset.id),
                    Target::Preset(preset),
                    json!({ "errors": [], "warnings": [] }),
                ),
                _ => {
                    return json_response(
                        StatusCode::BAD_REQUEST,
                        json!({ "error": format!("no server preset named `{name}`") }),
                    );
                }
            },
            TargetSpec::Policy(text) => match Policy::from_toml_str(text) {
                Ok(policy) => {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    text.hash(&mut h);
                    let warnings: Vec<serde_json::Value> = policy
                        .warnings()
                        .iter()
                        .map(|w| json!({ "code": w.code(), "field": w.field(), "message": w.to_string() }))
                        .collect();
                    (
                        format!("p{:016x}", h.finish()),
                        Target::Policy(Arc::new(policy)),
                        json!({ "errors": [], "warnings": warnings }),
                    )
                }
                Err(errors) => {
                    let list: Vec<serde_json::Value> = errors
                        .errors
                        .iter()
                        .map(|e| json!({ "code": e.code(), "field": e.field(), "message": e.to_string() }))
                        .collect();
                    let warnings: Vec<serde_json::Value> = errors
                        .warnings
                        .iter()
                        .map(|w| json!({ "code": w.code(), "field": w.field(), "message": w.to_string() }))
                        .collect();
                    return json_response(
                        StatusCode::OK,
                        json!({ "ok": false, "check": { "errors": list, "warnings": warnings } }),
                    );
                }
            },
        };
        self.lab.register(&id, &target);
        let run = self.lab.next_run();
        let urls: Vec<String> = p
            .steps
            .iter()
            .map(|s| predict::step_url(&self.api_origin, &id, run, s))
            .collect();
        let page_url = format!("{}/", self.page_origin);
        match predict::predict(&target, &page_url, &urls, &p.steps, browser) {
            Ok(prediction) => json_response(
                StatusCode::OK,
                json!({
                    "ok": true,
                    "check": check,
                    "entry": id,
                    "run": run,
                    "urls": urls,
                    "browser": browser.as_str(),
                    "shadow": matches!(target, Target::Preset(_)),
                    "prediction": prediction,
                }),
            ),
            Err(e) => json_response(StatusCode::BAD_REQUEST, json!({ "error": e.to_string() })),
        }
    }
}
