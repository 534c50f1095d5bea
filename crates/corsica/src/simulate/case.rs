//! The case format: a page, a server and the `fetch()` calls the page
//! makes, as JSON (one case per line in a file).
//!
//! The format is specified in `conformance/FORMAT.md`; the defaults here
//! are the conformance runner's, so a case means the same to the model and
//! to real browsers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fetch::{Credentials, Mode, RedirectMode};
use crate::policy::PolicyConfig;

/// A page, a server and the requests the page makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The case's name, copied into every answer.
    pub id: String,
    /// The origin of the page that calls `fetch()`.
    pub origin: String,
    /// The page's path on its origin (what same-origin `Referer` headers
    /// and a few messages quote). Default: the runner's,
    /// `/__corsica__/page.html`.
    #[serde(default = "default_page", skip_serializing_if = "is_default_page")]
    pub page: String,
    /// The browser's `User-Agent`. Default: the one of the browser the
    /// runner drives (headless Chromium 156, Firefox ESR 153).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The browser's default `Accept-Language`. Default: the runner's,
    /// `en-US,en;q=0.9`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_language: Option<String>,
    /// What answers at each absolute URL.
    #[serde(default)]
    pub server: BTreeMap<String, Endpoint>,
    /// The `fetch()` calls, made one after another from the same page.
    pub requests: Vec<CaseRequest>,
}

/// The path the conformance runner serves the page at.
pub const PAGE_PATH: &str = "/__corsica__/page.html";

fn default_page() -> String {
    PAGE_PATH.to_owned()
}

fn is_default_page(p: &String) -> bool {
    p == PAGE_PATH
}

/// What the server answers at one URL: hand-written answers, or a corsica
/// policy in front of an application.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The answer to a CORS preflight (an `OPTIONS` with
    /// `Access-Control-Request-Method`); absent: 405 with no headers. With
    /// a `policy`, the policy answers preflights and this is the
    /// application's answer to the ones it passes through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<ServerAnswer>,
    /// The answer to every other request; absent: 404 with no headers (200
    /// with a `policy`). With a `policy`, the policy's headers are added to
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ServerAnswer>,
    /// A corsica policy standing in front of the application: a path to a
    /// policy file (resolved by whoever reads the case: `corsica simulate`
    /// reads it relative to the case file), or the policy itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySpec>,
}

/// A policy in a case: a file to read, or the policy's keys inline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PolicySpec {
    /// A path to a policy file (TOML).
    File(String),
    /// The policy itself.
    Inline(PolicyConfig),
}

/// One HTTP response, written verbatim (header order and duplicates kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAnswer {
    /// The status code.
    pub status: u16,
    /// The header lines, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// One `fetch()` call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRequest {
    /// The URL fetched.
    pub url: String,
    /// The method as the script wrote it (`patch` stays `patch`).
    #[serde(default = "default_method")]
    pub method: String,
    /// The headers the script set, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The request mode.
    #[serde(default)]
    pub mode: Mode,
    /// The credentials mode.
    #[serde(default)]
    pub credentials: Credentials,
    /// The redirect mode.
    #[serde(default, skip_serializing_if = "is_follow")]
    pub redirect: RedirectMode,
    /// The body, if any (a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Milliseconds that pass before this request (for cache expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

fn default_method() -> String {
    "GET".to_owned()
}

fn is_follow(r: &RedirectMode) -> bool {
    *r == RedirectMode::Follow
}
