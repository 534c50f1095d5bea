//! The lab: the gateway's `/lab/{entry}/{run}/...` paths, where the
//! playground's runs go. Each entry is a policy (the gateway's CORS layer
//! in front of the echo API, with the debug header) or a broken-server
//! preset (the echo API answering CORS itself, behind the layer in shadow
//! mode with the preset's fix). Every request and answer of a run is
//! recorded, so the page can show what really went over the wire.
//!
//! A run's URLs are its own (`{run}` in the path), so no browser cache,
//! preflight cache or HTTP cache, carries over from one run to the next.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corsica::policy::Policy;
use corsica_tower::{Cors, CorsLayer};
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use hyper::body::Incoming;
use serde::Serialize;
use tower_layer::Layer;
use tower_service::Service;

use super::echo::PRESET_HEADER;
use super::presets::Preset;
use crate::body::Body;
use crate::config::{PolicySource, Route, Upstream};
use crate::metrics::RouteMetrics;
use crate::proxy::{Proxy, plain};
use crate::server::{BoxResponse, Extra, State};
use crate::upstream::UpstreamClient;

/// Entries kept at most (the oldest go first).
const MAX_ENTRIES: usize = 256;
/// Recorded exchanges kept at most.
const MAX_EXCHANGES: usize = 4096;

/// What a lab entry runs.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// A corsica policy, enforced by the gateway.
    Policy(Arc<Policy>),
    /// A broken server, played by the echo API.
    Preset(&'static Preset),
}

struct Entry {
    service: Cors<Proxy>,
}

/// One request the gateway received in a run, and its answer.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Exchange {
    pub(crate) run: u64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) status: u16,
    pub(crate) response_headers: Vec<(String, String)>,
}

/// The entries by id, and their ids oldest first.
type Entries = (HashMap<String, Arc<Entry>>, VecDeque<String>);

pub(crate) struct Lab {
    echo: Upstream,
    page: String,
    client: UpstreamClient,
    metrics: Arc<RouteMetrics>,
    entries: Mutex<Entries>,
    runs: AtomicU64,
    exchanges: Arc<Mutex<VecDeque<Exchange>>>,
}

fn pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Splits `/lab/{entry}/{run}/rest` into its parts; `rest` keeps its
/// leading slash.
pub(crate) fn parse_path(path: &str) -> Option<(&str, u64, &str)> {
    let rest = path.strip_prefix("/lab/")?;
    let (entry, rest) = rest.split_once('/')?;
    let (run, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Some((entry, run.parse().ok()?, rest))
}

impl Lab {
    pub(crate) fn new(echo: Upstream, page: String) -> Lab {
        let client = UpstreamClient::new(&echo.authority, false, Duration::from_secs(5));
        Lab {
            echo,
            page,
            client,
            metrics: Arc::new(RouteMetrics::default()),
            entries: Mutex::new((HashMap::new(), VecDeque::new())),
            runs: AtomicU64::new(0),
            exchanges: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    /// A new run number.
    pub(crate) fn next_run(&self) -> u64 {
        self.runs.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Makes (or finds) the entry for `target` under `id`.
    pub(crate) fn register(&self, id: &str, target: &Target) {
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *guard;
        if map.contains_key(id) {
            return;
        }
        let (policy, shadow) = match target {
            Target::Policy(p) => (p.clone(), false),
            Target::Preset(preset) => {
                let fix = preset.fix_policy.replace("{page}", &self.page);
                match Policy::from_toml_str(&fix) {
                    Ok(p) => (Arc::new(p), true),
                    Err(_) => return,
                }
            }
        };
        let route = Route {
            name: format!("lab-{id}"),
            host: None,
            path: "/".into(),
            strip_prefix: false,
            upstream: self.echo.clone(),
            policy: policy.clone(),
            policy_source: PolicySource::Builtin,
            shadow,
            debug: true,
            timeout: Some(Duration::from_secs(30)),
        };
        let mut proxy = Proxy::new(
            &route,
            self.client.clone(),
            Duration::from_secs(30),
            self.metrics.clone(),
        );
        if let Target::Preset(preset) = target {
            proxy = proxy.with_header(
                HeaderName::from_static(PRESET_HEADER),
                HeaderValue::from_static(preset.id),
            );
        }
        let layer = CorsLayer::new((*policy).clone())
            .shadow(shadow)
            .debug(true)
            .trace_allowed(true);
        map.insert(
            id.to_owned(),
            Arc::new(Entry {
                service: layer.layer(proxy),
            }),
        );
        order.push_back(id.to_owned());
        while order.len() > MAX_ENTRIES {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }

    /// What the gateway received and answered in `run`.
    pub(crate) fn observed(&self, run: u64) -> Vec<Exchange> {
        self.exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|e| e.run == run)
            .cloned()
            .collect()
    }
}

impl Extra for Lab {
    fn try_call(
        &self,
        request: Request<Incoming>,
        _state: &State,
    ) -> Result<BoxResponse, Request<Incoming>> {
        let Some((id, run, rest)) = parse_path(request.uri().path()) else {
            return Err(request);
        };
        let entry = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .get(id)
            .cloned();
        let Some(entry) = entry else {
            return Ok(Box::pin(async {
                plain(
                    StatusCode::NOT_FOUND,
                    "corsica demo: this lab entry is gone; run the request from the playground again\n"
                        .into(),
                )
            }));
        };
        let rest = rest.to_owned();
        let mut exchange = Exchange {
            run,
            method: request.method().as_str().to_owned(),
            path: rest.clone(),
            headers: pairs(request.headers()),
            status: 0,
            response_headers: Vec::new(),
        };
        let (mut parts, body) = request.into_parts();
        let pq = match parts.uri.query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest,
        };
        parts.uri = Uri::builder()
            .path_and_query(pq)
            .build()
            .unwrap_or_else(|_| Uri::from_static("/"));
        let mut service = entry.service.clone();
        let future = service.call(Request::from_parts(parts, body));
        let exchanges = self.exchanges.clone();
        Ok(Box::pin(async move {
            let response: Response<Body> = match future.await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            exchange.status = response.status().as_u16();
            exchange.response_headers = pairs(response.headers());
            let mut list = exchanges.lock().unwrap_or_else(|e| e.into_inner());
            list.push_back(exchange);
            while list.len() > MAX_EXCHANGES {
                list.pop_front();
            }
            drop(list);
            response
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_paths_split() {
        assert_eq!(
            parse_path("/lab/abc/7/items/1"),
            Some(("abc", 7, "/items/1"))
        );
        assert_eq!(parse_path("/lab/abc/7"), Some(("abc", 7, "/")));
        assert_eq!(parse_path("/lab/abc/x/items"), None);
        assert_eq!(parse_path("/items"), None);
    }
}
