//! The server side: a validated CORS policy and its decisions.
//!
//! A [`PolicyConfig`] (what a person writes, TOML on disk) is validated into
//! a [`Policy`] (what runs): every mistake is reported at once as a typed
//! [`PolicyError`], dangerous choices need a `dangerously_…` opt-in and are
//! still reported as [`PolicyWarning`]s. For each request,
//! [`Policy::decide`] returns a [`Decision`]: not a CORS request; a
//! preflight to answer here (or reject, or forward); or an actual request to
//! pass on, with the [`ResponseHeaders`] to add to its response.
//!
//! ```
//! use corsica::policy::{Decision, Policy};
//! use http::{HeaderMap, HeaderValue, Method};
//!
//! let policy = Policy::from_toml_str(r#"
//!     origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
//!     credentials = true
//!     methods = ["GET", "POST", "PUT", "DELETE"]
//!     request_headers = ["Authorization", "Content-Type"]
//!     expose_headers = ["X-Request-Id"]
//!     max_age = 86400
//! "#).unwrap();
//!
//! let mut request = HeaderMap::new();
//! request.insert("origin", HeaderValue::from_static("https://api.example.com"));
//! request.insert("access-control-request-method", HeaderValue::from_static("PUT"));
//! let decision = policy.decide(&Method::OPTIONS, &request);
//! assert_eq!(decision.status(), Some(http::StatusCode::NO_CONTENT));
//! let mut response = HeaderMap::new();
//! decision.headers().apply_to(&mut response);
//! assert_eq!(response["access-control-allow-origin"], "https://api.example.com");
//! assert_eq!(response["access-control-allow-credentials"], "true");
//! ```
//!
//! The call contract: call [`Policy::decide`] once per request, before the
//! application sees it. If [`Decision::status`] is `Some`, answer with that
//! status, [`Decision::headers`] and an empty body; otherwise pass the
//! request on and apply [`Decision::headers`] to whatever response comes
//! back, error responses included (a missing `Access-Control-Allow-Origin`
//! on a 500 makes the browser report a CORS error instead of the 500).

mod config;
mod decision;
mod error;
mod keys;
mod matcher;
mod request_headers;
mod validate;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

pub use config::{MAX_POLICY_BYTES, PolicyConfig};
pub use decision::{Decision, OwnedResponseHeaders, REJECTION_HEADER, Rejection, ResponseHeaders};
pub use error::{NonCanonical, PolicyError, PolicyErrors, PolicyWarning};
pub use keys::{KeyType, POLICY_KEYS, PolicyKey};
pub use matcher::{Pattern as OriginPattern, PortRule};
pub use request_headers::{
    MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADERS_BYTES, MAX_REQUEST_HEADERS_LINES,
};

use decision::{ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, ResponseHeaders as Headers};
use matcher::OriginMatcher;
use request_headers::AllowedHeaders;

/// A validated, compiled CORS policy. Cheap to share (`Arc<Policy>`);
/// immutable, so no handler can change its header values (rs/cors #198).
#[derive(Clone, Debug)]
pub struct Policy {
    config: PolicyConfig,
    warnings: Vec<PolicyWarning>,
    any_origin: bool,
    /// The origin patterns, in the order written, without duplicates.
    patterns: Vec<OriginPattern>,
    matcher: OriginMatcher,
    any_method: bool,
    methods: Vec<String>,
    request_headers: AllowedHeaders,
    private_network: bool,
    passthrough: bool,
    preflight_status: StatusCode,
    rejected_preflight_status: StatusCode,
    // Precomputed header values.
    star: HeaderValue,
    true_: HeaderValue,
    allow_credentials: Option<HeaderValue>,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    expose_headers: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    vary_actual: Option<HeaderValue>,
    vary_preflight: HeaderValue,
}

/// A header value from names we validated as tokens (or digits): always
/// valid. The fallback is unreachable and harmless (an empty value).
fn value(s: String) -> HeaderValue {
    HeaderValue::try_from(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn list_value(any: bool, names: &[String]) -> Option<HeaderValue> {
    if any {
        Some(HeaderValue::from_static("*"))
    } else if names.is_empty() {
        None
    } else {
        Some(value(names.join(", ")))
    }
}

impl Policy {
    /// Validates a configuration and compiles it. Every error is reported at
    /// once, with the warnings found alongside; a policy built with
    /// warnings lists them in [`warnings`](Self::warnings).
    pub fn new(config: &PolicyConfig) -> Result<Policy, PolicyErrors> {
        Ok(Policy::compile(config, validate::validate(config)?))
    }

    fn compile(config: &PolicyConfig, v: validate::Validated) -> Policy {
        // The patterns in order, each once (a set, not a scan: a list of
        // 10,000 origins is linear).
        let mut unique = std::collections::HashSet::with_capacity(v.patterns.len());
        let patterns: Vec<OriginPattern> = v
            .patterns
            .iter()
            .filter(|p| unique.insert(*p))
            .cloned()
            .collect();
        let matcher = OriginMatcher::new(v.patterns);
        let allow_headers = if v.any_request_header {
            // Fetch: `*` never covers `Authorization`; name it as well.
            if v.request_headers.iter().any(|n| n == "authorization") {
                Some(HeaderValue::from_static("*, authorization"))
            } else {
                Some(HeaderValue::from_static("*"))
            }
        } else {
            list_value(false, &v.request_headers)
        };
        // Vary on preflights: jub0bs/cors sends none, since RFC 9110 makes
        // OPTIONS responses uncacheable by default. Some caches and CDNs do
        // cache them when told to, and the answer depends on these request
        // headers, so we name them: correct for every cache, harmless for
        // the others.
        let mut vary = Vec::new();
        if !v.any_origin {
            vary.push("Origin");
        }
        vary.push("Access-Control-Request-Method");
        vary.push("Access-Control-Request-Headers");
        if config.private_network {
            vary.push("Access-Control-Request-Private-Network");
        }
        Policy {
            config: config.clone(),
            warnings: v.warnings,
            any_origin: v.any_origin,
            patterns,
            matcher,
            any_method: v.any_method,
            request_headers: AllowedHeaders::new(&v.request_headers, v.any_request_header),
            private_network: config.private_network,
            passthrough: config.preflight_passthrough,
            preflight_status: v.preflight_status,
            rejected_preflight_status: v.rejected_preflight_status,
            star: HeaderValue::from_static("*"),
            true_: HeaderValue::from_static("true"),
            allow_credentials: config.credentials.then(|| HeaderValue::from_static("true")),
            allow_methods: list_value(v.any_method, &v.methods),
            methods: v.methods,
            allow_headers,
            expose_headers: list_value(v.any_expose_header, &v.expose_headers),
            max_age: v.max_age.map(|s| value(s.to_string())),
            // With `*` and no credentials the answer never depends on Origin.
            vary_actual: (!v.any_origin).then(|| HeaderValue::from_static("Origin")),
            vary_preflight: value(vary.join(", ")),
        }
    }

    /// Reads, validates and compiles a policy file
    /// ([`PolicyConfig::from_toml_str`] then [`Policy::new`]), reporting
    /// every error at once: unknown keys and values of the wrong type, then
    /// the mistakes in the keys that could be read. Only a TOML syntax
    /// error hides the rest.
    ///
    /// ```
    /// use corsica::policy::Policy;
    ///
    /// let errors = Policy::from_toml_str(r#"
    ///     allowed_origins = ["https://app.com"]
    ///     origins = ["https://app.com/"]
    /// "#).unwrap_err().errors;
    /// let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
    /// assert_eq!(codes, ["unknown-key", "origin-with-path"]);
    /// assert!(errors[0].to_string().ends_with("did you mean `origins`?"));
    /// ```
    pub fn from_toml_str(s: &str) -> Result<Policy, PolicyErrors> {
        let read = config::read_toml(s)?;
        let validated = validate::validate(&read.config);
        if read.errors.is_empty() {
            return Ok(Policy::compile(&read.config, validated?));
        }
        let (errors, warnings) = match validated {
            Ok(v) => (Vec::new(), v.warnings),
            Err(e) => (e.errors, e.warnings),
        };
        // A key that could not be read is validated as its default, which
        // says nothing about the file: drop what is said about it.
        let unread = |field: &str, opt_in: Option<&str>| {
            read.unread.contains(&field) || opt_in.is_some_and(|k| read.unread.contains(&k))
        };
        let mut all = read.errors;
        all.extend(errors.into_iter().filter(|e| {
            let opt_in = match e {
                PolicyError::InsecureCredentialedOrigin { .. } => {
                    Some("dangerously_allow_insecure_origins")
                }
                PolicyError::PublicSuffixWildcard { .. } => {
                    Some("dangerously_allow_public_suffix_subdomains")
                }
                _ => None,
            };
            !unread(e.field(), opt_in)
        }));
        Err(PolicyErrors {
            errors: all,
            warnings: warnings
                .into_iter()
                .filter(|w| !unread(w.field(), None))
                .collect(),
        })
    }

    /// The warnings found while validating (each `dangerously_…` opt-in
    /// used, legacy options, redundant entries).
    pub fn warnings(&self) -> &[PolicyWarning] {
        &self.warnings
    }

    /// The configuration this policy was built from.
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// Whether the policy allows every origin (`origins = ["*"]`); its
    /// answers then carry `Access-Control-Allow-Origin: *`.
    pub fn allows_any_origin(&self) -> bool {
        self.any_origin
    }

    /// The origin patterns the policy matches a request's origin with, as
    /// validated (canonical form, wildcards split out), in the order
    /// written, without duplicates. Empty when the policy
    /// [allows any origin](Self::allows_any_origin). For tools that write
    /// the policy in another form (`corsica export`); [`decide`](Self::decide)
    /// is what answers requests.
    pub fn origin_patterns(&self) -> &[OriginPattern] {
        &self.patterns
    }

    /// Decides what to do with a request from its method and headers.
    /// Never allocates on the allowed paths; rejected paths do not allocate
    /// either. See [`Decision`] for what to do with the result.
    ///
    /// <https://fetch.spec.whatwg.org/#http-cors-protocol>
    pub fn decide<'a>(&'a self, method: &Method, headers: &'a HeaderMap) -> Decision<'a> {
        let found = CorsHeaders::find(headers, method == Method::OPTIONS);
        let Some(origin) = found.origin.first else {
            // Not a CORS request; the answer still depends on Origin.
            return Decision::NotCors {
                headers: self.vary_only(false),
            };
        };
        let origin = if found.origin.more {
            Err(Rejection::MalformedOrigin)
        } else {
            self.check_origin(origin)
        };

        // Fetch: CORS-preflight fetch, step 1-4: an OPTIONS request with
        // `Origin` and `Access-Control-Request-Method`. An OPTIONS request
        // without the latter is an actual request.
        let Some(request_method) = found.request_method else {
            return match origin {
                Ok(allow_origin) => Decision::Actual {
                    headers: Headers {
                        allow_origin: Some(allow_origin),
                        allow_credentials: self.allow_credentials.as_ref(),
                        expose_headers: self.expose_headers.as_ref(),
                        vary: self.vary_actual.as_ref(),
                        ..Headers::default()
                    },
                    rejection: None,
                },
                Err(r) => Decision::Actual {
                    headers: self.vary_only(false),
                    rejection: Some(r),
                },
            };
        };

        let checked = origin.and_then(|allow_origin| {
            self.check_method(request_method)?;
            let acrh = found.request_headers;
            if acrh.more {
                let lines = acrh
                    .all
                    .unwrap_or_else(|| headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS));
                self.request_headers.check(|| lines.iter())?;
            } else {
                self.request_headers.check(|| acrh.first.into_iter())?;
            }
            let pna = self.check_private_network(found.private_network)?;
            Ok((allow_origin, pna))
        });
        match checked {
            Ok((allow_origin, pna)) => {
                let headers = Headers {
                    allow_origin: Some(allow_origin),
                    allow_credentials: self.allow_credentials.as_ref(),
                    allow_methods: self.allow_methods.as_ref(),
                    allow_headers: self.allow_headers.as_ref(),
                    max_age: self.max_age.as_ref(),
                    allow_private_network: pna.then_some(&self.true_),
                    expose_headers: None,
                    vary: Some(&self.vary_preflight),
                };
                if self.passthrough {
                    Decision::PreflightPassthrough {
                        headers,
                        rejection: None,
                    }
                } else {
                    Decision::Preflight {
                        status: self.preflight_status,
                        headers,
                    }
                }
            }
            Err(rejection) => {
                let headers = self.vary_only(true);
                if self.passthrough {
                    Decision::PreflightPassthrough {
                        headers,
                        rejection: Some(rejection),
                    }
                } else {
                    Decision::PreflightRejected {
                        status: self.rejected_preflight_status,
                        headers,
                        rejection,
                    }
                }
            }
        }
    }

    /// [`decide`](Self::decide) on a request's parts.
    pub fn decide_parts<'a>(&'a self, parts: &'a http::request::Parts) -> Decision<'a> {
        self.decide(&parts.method, &parts.headers)
    }

    fn vary_only(&self, preflight: bool) -> Headers<'_> {
        Headers {
            vary: if preflight {
                Some(&self.vary_preflight)
            } else {
                self.vary_actual.as_ref()
            },
            ..Headers::default()
        }
    }

    /// The `Access-Control-Allow-Origin` value for an allowed origin: `*`,
    /// or the request's own `Origin` value.
    fn check_origin<'a>(
        &'a self,
        origin: &'a HeaderValue,
    ) -> Result<&'a HeaderValue, Rejection<'a>> {
        if self.any_origin {
            // `*` (never with credentials, by validation) allows every
            // origin, `null` included.
            return Ok(&self.star);
        }
        let bytes = origin.as_bytes();
        if bytes == b"null" {
            return Err(Rejection::NullOrigin);
        }
        // Listed origins, byte for byte: no need to split the value, and
        // the answer carries the policy's copy of the bytes, not the
        // request's (`OriginMatcher::listed` says why).
        if let Some(own) = self.matcher.listed(bytes) {
            return Ok(own);
        }
        if self.matcher.only_listed() {
            // No pattern can match an unlisted origin: only the reason is
            // left to find, which needs no split of the value.
            return Err(if crate::origin::OriginRef::is_canonical(bytes) {
                Rejection::OriginNotAllowed
            } else {
                Rejection::MalformedOrigin
            });
        }
        match crate::origin::OriginRef::parse(bytes) {
            Some(o) if self.matcher.matches_unlisted(&o) => Ok(origin),
            Some(_) => Err(Rejection::OriginNotAllowed),
            None => Err(Rejection::MalformedOrigin),
        }
    }

    /// Fetch: CORS-preflight fetch, step 7.5: the method must be safelisted,
    /// listed (byte-exact), or covered by `*`.
    fn check_method<'a>(&self, lines: Lines<'a>) -> Result<(), Rejection<'a>> {
        let (Some(line), false) = (lines.first, lines.more) else {
            return Err(Rejection::MalformedMethod);
        };
        let bytes = line.as_bytes();
        if !crate::headers::is_token(bytes) {
            return Err(Rejection::MalformedMethod);
        }
        // Compared as bytes (a method is byte-exact); text only to name it
        // in a rejection.
        if crate::headers::CORS_SAFELISTED_METHODS
            .iter()
            .any(|m| m.as_bytes() == bytes)
            || self.any_method
            || self.methods.iter().any(|m| m.as_bytes() == bytes)
        {
            Ok(())
        } else {
            // A token is ASCII, so this cannot fail.
            let method = std::str::from_utf8(bytes).map_err(|_| Rejection::MalformedMethod)?;
            Err(Rejection::MethodNotAllowed { method })
        }
    }

    /// Legacy Private Network Access: `Access-Control-Request-Private-Network:
    /// true` needs `Access-Control-Allow-Private-Network: true`.
    fn check_private_network<'a>(
        &self,
        request: Option<&'a HeaderValue>,
    ) -> Result<bool, Rejection<'a>> {
        match request {
            Some(v) if v.as_bytes() == b"true" => {
                if self.private_network {
                    Ok(true)
                } else {
                    Err(Rejection::PrivateNetworkNotAllowed)
                }
            }
            _ => Ok(false),
        }
    }
}

/// Up to how many lines (or names) a request is walked rather than looked
/// up by name: a browser's preflight has about a dozen.
const SCAN: usize = 16;

/// The lines of one request header a decision reads: the first, and
/// whether there are more.
#[derive(Default)]
struct Lines<'a> {
    first: Option<&'a HeaderValue>,
    more: bool,
    /// All of them, when they were looked up by name.
    all: Option<header::GetAll<'a, HeaderValue>>,
}

impl<'a> Lines<'a> {
    fn of(headers: &'a HeaderMap, name: &HeaderName) -> Lines<'a> {
        let all = headers.get_all(name);
        let mut lines = all.iter();
        Lines {
            first: lines.next(),
            more: lines.next().is_some(),
            all: Some(all),
        }
    }

    fn push(&mut self, value: &'a HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.more = true;
        }
    }
}

/// The first `Access-Control-Request-Private-Network` line. The name is
/// not in http's table, so a lookup hashes its 38 bytes; a map with few
/// names (1,000 lines of one name are one name) is scanned for it instead,
/// names comparing by kind and length first, and it is usually absent.
fn private_network_of(headers: &HeaderMap) -> Option<&HeaderValue> {
    if headers.keys_len() <= SCAN
        && !headers
            .keys()
            .any(|name| name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
    {
        return None;
    }
    headers.get(&ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
}

/// The request headers of the CORS protocol, as `decide` reads them.
struct CorsHeaders<'a> {
    origin: Lines<'a>,
    /// `Access-Control-Request-Method`, when it has a line; only an OPTIONS
    /// request is looked at for it, and for the two below.
    request_method: Option<Lines<'a>>,
    request_headers: Lines<'a>,
    /// The first `Access-Control-Request-Private-Network` line.
    private_network: Option<&'a HeaderValue>,
}

impl<'a> CorsHeaders<'a> {
    /// A preflight with few lines (a browser's has about a dozen) is read
    /// in one pass over its lines: names compare by kind, a byte,
    /// for the standard ones, where each lookup by name hashes it and
    /// probes the map (three or four per preflight), and the private
    /// network name, not in http's table, would hash its 38 bytes. More
    /// lines (up to hyper's limit) are looked up by name, so that the cost
    /// does not grow with them.
    fn find(headers: &'a HeaderMap, preflight: bool) -> CorsHeaders<'a> {
        if !preflight {
            // Only `Origin` is read: one lookup.
            return CorsHeaders {
                origin: Lines::of(headers, &header::ORIGIN),
                request_method: None,
                request_headers: Lines::default(),
                private_network: None,
            };
        }
        // `len` counts lines, not names: 1,000 lines of one name are
        // looked up, not walked.
        if headers.len() > SCAN {
            let request_method = Lines::of(headers, &header::ACCESS_CONTROL_REQUEST_METHOD);
            return CorsHeaders {
                origin: Lines::of(headers, &header::ORIGIN),
                request_method: request_method.first.is_some().then_some(request_method),
                request_headers: Lines::of(headers, &header::ACCESS_CONTROL_REQUEST_HEADERS),
                private_network: private_network_of(headers),
            };
        }
        let mut origin = Lines::default();
        let mut request_method = Lines::default();
        let mut request_headers = Lines::default();
        let mut private_network = None;
        for (name, value) in headers {
            if *name == header::ORIGIN {
                origin.push(value);
            } else if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                request_method.push(value);
            } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                request_headers.push(value);
            } else if *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK {
                private_network.get_or_insert(value);
            }
        }
        CorsHeaders {
            origin,
            request_method: request_method.first.is_some().then_some(request_method),
            request_headers,
            private_network,
        }
    }
}

#[cfg(test)]
mod tests;
