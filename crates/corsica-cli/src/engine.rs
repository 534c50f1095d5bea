//! TEMPORARY: a stand-in for `corsica::policy` with the agreed names and
//! signatures, so the CLI compiles and its plumbing can be exercised before
//! the real policy engine lands in `main`. Deleted at the merge.
#![allow(dead_code)]

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use std::fmt;

pub(crate) struct Policy {
    warnings: Vec<PolicyWarning>,
}
pub(crate) struct PolicyErrors {
    pub(crate) errors: Vec<PolicyError>,
    pub(crate) warnings: Vec<PolicyWarning>,
}
pub(crate) struct PolicyError(&'static str, &'static str, String);
pub(crate) struct PolicyWarning(&'static str, &'static str, String);
impl PolicyError {
    pub(crate) fn code(&self) -> &'static str {
        self.0
    }
    pub(crate) fn field(&self) -> &'static str {
        self.1
    }
}
impl PolicyWarning {
    pub(crate) fn code(&self) -> &'static str {
        self.0
    }
    pub(crate) fn field(&self) -> &'static str {
        self.1
    }
}
impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.2)
    }
}
impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.2)
    }
}
impl Policy {
    pub(crate) fn from_toml_str(s: &str) -> Result<Policy, PolicyErrors> {
        let mut warnings = vec![];
        if s.contains("max_age") {
            warnings.push(PolicyWarning(
                "max-age-capped",
                "max_age",
                "max_age is capped".into(),
            ));
        }
        if s.contains("\"*\"") && s.contains("credentials = true") {
            return Err(PolicyErrors {
                errors: vec![PolicyError(
                    "wildcard-with-credentials",
                    "origins",
                    "`*` with credentials".into(),
                )],
                warnings,
            });
        }
        Ok(Policy { warnings })
    }
    pub(crate) fn warnings(&self) -> &[PolicyWarning] {
        &self.warnings
    }
    pub(crate) fn decide<'a>(&'a self, method: &Method, headers: &'a HeaderMap) -> Decision<'a> {
        let origin = headers.get("origin").unwrap();
        let preflight =
            method == Method::OPTIONS && headers.contains_key("access-control-request-method");
        let rejected = origin.to_str().unwrap().contains("evil");
        let mut h = ResponseHeaders(vec![]);
        if !rejected {
            h.0.push((&http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        }
        Decision {
            preflight,
            status: preflight.then_some(if rejected {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NO_CONTENT
            }),
            headers: h,
            rejection: rejected.then_some(Rejection),
        }
    }
}
pub(crate) struct Decision<'a> {
    preflight: bool,
    status: Option<StatusCode>,
    headers: ResponseHeaders<'a>,
    rejection: Option<Rejection>,
}
impl<'a> Decision<'a> {
    pub(crate) fn status(&self) -> Option<StatusCode> {
        self.status
    }
    pub(crate) fn headers(&self) -> &ResponseHeaders<'a> {
        &self.headers
    }
    pub(crate) fn rejection(&self) -> Option<&Rejection> {
        self.rejection.as_ref()
    }
    pub(crate) fn is_preflight(&self) -> bool {
        self.preflight
    }
}
pub(crate) struct ResponseHeaders<'a>(Vec<(&'static HeaderName, &'a HeaderValue)>);
impl ResponseHeaders<'_> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static HeaderName, &HeaderValue)> {
        self.0.iter().copied()
    }
}
pub(crate) struct Rejection;
impl Rejection {
    pub(crate) fn code(&self) -> &'static str {
        "origin-not-allowed"
    }
}
impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("origin is not allowed")
    }
}
