//! Validation: a [`PolicyConfig`] checked key by key, every error collected,
//! into the normalized pieces a [`Policy`](super::Policy) is built from.

use std::collections::{HashMap, HashSet};

use http::StatusCode;

use super::config::PolicyConfig;
use super::error::{NonCanonical, PolicyError, PolicyErrors, PolicyWarning};
use super::matcher::{Pattern, PortRule};
use crate::headers;
use crate::origin::{Host, Origin, OriginError};

/// The validated, normalized configuration.
#[derive(Clone, Debug)]
pub(crate) struct Validated {
    pub(crate) any_origin: bool,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) any_method: bool,
    /// Normalized (Fetch: method normalize), unique, in the order written.
    pub(crate) methods: Vec<String>,
    pub(crate) any_request_header: bool,
    /// Lowercase, unique, in the order written.
    pub(crate) request_headers: Vec<String>,
    pub(crate) any_expose_header: bool,
    /// Lowercase, unique, in the order written.
    pub(crate) expose_headers: Vec<String>,
    pub(crate) max_age: Option<u32>,
    pub(crate) preflight_status: StatusCode,
    pub(crate) rejected_preflight_status: StatusCode,
    pub(crate) warnings: Vec<PolicyWarning>,
}

pub(crate) fn validate(c: &PolicyConfig) -> Result<Validated, PolicyErrors> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // origins
    let mut any_origin = false;
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut used_insecure = false;
    let mut used_public_suffix = false;
    if c.origins.is_empty() {
        errors.push(PolicyError::NoOrigins);
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(c.origins.len());
    for value in &c.origins {
        if value == "*" {
            if !any_origin && c.credentials {
                errors.push(PolicyError::CredentialedWildcardOrigin);
            }
            any_origin = true;
            continue;
        }
        // A repeat is reported once, with its errors (if any) said once.
        if !seen.insert(value) {
            warnings.push(PolicyWarning::DuplicateOrigin {
                value: value.clone(),
            });
            continue;
        }
        let (pattern, secure) = match parse_pattern(value) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if c.credentials {
            if !secure {
                if c.dangerously_allow_insecure_origins {
                    used_insecure = true;
                    warnings.push(PolicyWarning::InsecureCredentialedOrigin {
                        value: value.clone(),
                    });
                } else {
                    errors.push(PolicyError::InsecureCredentialedOrigin {
                        value: value.clone(),
                    });
                }
            }
            if pattern.subdomains && is_public_suffix(&pattern.host) {
                let suffix = pattern.host.to_string();
                if c.dangerously_allow_public_suffix_subdomains {
                    used_public_suffix = true;
                    warnings.push(PolicyWarning::PublicSuffixWildcard {
                        value: value.clone(),
                        suffix,
                    });
                } else {
                    errors.push(PolicyError::PublicSuffixWildcard {
                        value: value.clone(),
                        suffix,
                    });
                }
            }
        }
        // Duplicates are dropped by the matcher.
        patterns.push(pattern);
    }
    if any_origin && c.origins.len() > 1 {
        warnings.push(PolicyWarning::RedundantOrigins {
            count: c.origins.len() - 1,
        });
    }
    if c.dangerously_allow_insecure_origins && !used_insecure {
        warnings.push(PolicyWarning::UnusedDangerousOption {
            option: "dangerously_allow_insecure_origins",
        });
    }
    if c.dangerously_allow_public_suffix_subdomains && !used_public_suffix {
        warnings.push(PolicyWarning::UnusedDangerousOption {
            option: "dangerously_allow_public_suffix_subdomains",
        });
    }

    // methods
    let mut any_method = false;
    let mut methods: Vec<String> = Vec::new();
    // The entry each normalized method was first written as.
    let mut written: Vec<&str> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for value in &c.methods {
        if value == "*" {
            if !any_method && c.credentials {
                errors.push(PolicyError::CredentialedWildcardMethod);
            }
            any_method = true;
        } else if !headers::is_token(value.as_bytes()) {
            errors.push(PolicyError::InvalidMethod {
                value: value.clone(),
            });
        } else if headers::is_forbidden_method(value) {
            errors.push(PolicyError::ForbiddenMethod {
                value: value.clone(),
            });
        } else {
            // Browsers normalize `delete` to `DELETE` before sending it
            // (Fetch: method normalize), so the list holds the sent form.
            let m = headers::normalize_method(value).into_owned();
            match seen.get(&m) {
                Some(&j) => warnings.push(PolicyWarning::DuplicateMethod {
                    value: value.clone(),
                    first: written[j].to_owned(),
                }),
                None => {
                    seen.insert(m.clone(), methods.len());
                    methods.push(m);
                    written.push(value);
                }
            }
        }
    }
    // Fetch: "normalize a method" upper-cases only DELETE, GET, HEAD,
    // OPTIONS, POST and PUT; `patch` is sent as `patch`, which a listed
    // `PATCH` does not allow. A lowercase entry is almost always meant
    // uppercase; listing both says the lowercase one is meant.
    for (m, value) in methods.iter().zip(&written) {
        let upper = m.to_ascii_uppercase();
        if *m != upper && !seen.contains_key(&upper) {
            warnings.push(PolicyWarning::LowercaseMethod {
                value: (*value).to_owned(),
                suggestion: upper,
            });
        }
    }

    // request_headers
    let mut any_request_header = false;
    let mut request_headers: Vec<String> = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    // Where each name was first listed: duplicates found in one pass,
    // however long the list.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for value in &c.request_headers {
        if value == "*" {
            if !any_request_header && c.credentials {
                errors.push(PolicyError::CredentialedWildcardRequestHeaders);
            }
            any_request_header = true;
            continue;
        }
        if !headers::is_token(value.as_bytes()) {
            errors.push(PolicyError::InvalidHeaderName {
                field: "request_headers",
                value: value.clone(),
            });
            continue;
        }
        let name = value.to_ascii_lowercase();
        if headers::is_forbidden_request_header(&name, b"") {
            errors.push(PolicyError::ForbiddenRequestHeader {
                value: value.clone(),
                why: "the Fetch Standard forbids it and browsers set it themselves",
            });
        } else if name.starts_with("access-control-") {
            errors.push(PolicyError::ForbiddenRequestHeader {
                value: value.clone(),
                why: "it is a CORS header that only servers or browsers send",
            });
        } else if let Some(&j) = seen.get(&name) {
            warnings.push(PolicyWarning::DuplicateHeader {
                field: "request_headers",
                value: value.clone(),
                first: written[j].to_owned(),
            });
        } else {
            seen.insert(name.clone(), request_headers.len());
            request_headers.push(name);
            written.push(value);
        }
    }

    // expose_headers
    let mut any_expose_header = false;
    let mut expose_headers: Vec<String> = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for value in &c.expose_headers {
        if value == "*" {
            if !any_expose_header && c.credentials {
                errors.push(PolicyError::CredentialedWildcardExposeHeaders);
            }
            any_expose_header = true;
            continue;
        }
        if !headers::is_token(value.as_bytes()) {
            errors.push(PolicyError::InvalidHeaderName {
                field: "expose_headers",
                value: value.clone(),
            });
            continue;
        }
        let name = value.to_ascii_lowercase();
        let why = if headers::is_forbidden_response_header_name(&name) {
            Some("browsers never expose it")
        } else if name == "origin" || name.starts_with("access-control-") {
            Some("it is a request-only or CORS protocol header")
        } else {
            None
        };
        if let Some(why) = why {
            errors.push(PolicyError::ForbiddenExposeHeader {
                value: value.clone(),
                why,
            });
        } else if let Some(&j) = seen.get(&name) {
            warnings.push(PolicyWarning::DuplicateHeader {
                field: "expose_headers",
                value: value.clone(),
                first: written[j].to_owned(),
            });
        } else {
            seen.insert(name.clone(), expose_headers.len());
            expose_headers.push(name);
            written.push(value);
        }
    }

    // max_age
    let max_age = match c.max_age {
        None => None,
        Some(v @ 0..=86400) => u32::try_from(v).ok(),
        Some(v) => {
            errors.push(PolicyError::MaxAgeOutOfRange { value: v });
            None
        }
    };

    // statuses
    let preflight_status = match c.preflight_status {
        200..=299 => StatusCode::from_u16(c.preflight_status).ok(),
        _ => None,
    };
    if preflight_status.is_none() {
        errors.push(PolicyError::InvalidPreflightStatus {
            value: c.preflight_status,
        });
    }
    let rejected_preflight_status = match c.rejected_preflight_status {
        200..=299 | 400..=599 => StatusCode::from_u16(c.rejected_preflight_status).ok(),
        _ => None,
    };
    if rejected_preflight_status.is_none() {
        errors.push(PolicyError::InvalidRejectedPreflightStatus {
            value: c.rejected_preflight_status,
        });
    }

    if c.private_network {
        warnings.push(PolicyWarning::LegacyPrivateNetworkAccess);
    }

    if !errors.is_empty() {
        return Err(PolicyErrors { errors, warnings });
    }
    Ok(Validated {
        any_origin,
        patterns,
        any_method,
        methods,
        any_request_header,
        request_headers,
        any_expose_header,
        expose_headers,
        max_age,
        preflight_status: preflight_status.unwrap_or(StatusCode::NO_CONTENT),
        rejected_preflight_status: rejected_preflight_status.unwrap_or(StatusCode::FORBIDDEN),
        warnings,
    })
}

/// Parses one origin pattern: `scheme://host[:port]`, `scheme://*.host`,
/// `scheme://host:*`, or both wildcards. The wildcards are stripped and the
/// rest must be an origin in the canonical form browsers send.
/// Also returns whether the origins it allows are potentially trustworthy
/// (Secure Contexts: `https`, `wss` or a loopback host; every subdomain of
/// `localhost` is loopback too).
pub(crate) fn parse_pattern(value: &str) -> Result<(Pattern, bool), PolicyError> {
    let invalid = |detail: &str| PolicyError::InvalidOrigin {
        value: value.to_string(),
        detail: detail.to_string(),
    };
    if value.eq_ignore_ascii_case("null") {
        return Err(PolicyError::NullOrigin {
            value: value.to_string(),
        });
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(invalid("no `scheme://`"));
    };
    // The scheme first: `file:///x` is a file origin, not an origin with a
    // path to drop.
    if scheme.eq_ignore_ascii_case("file") {
        return Err(PolicyError::UnsupportedScheme {
            value: value.to_string(),
            scheme: scheme.to_string(),
        });
    }
    if let Some(i) = rest.find(['/', '?', '#']) {
        return Err(PolicyError::OriginWithPath {
            value: value.to_string(),
            suggestion: format!("{scheme}://{}", &rest[..i]),
        });
    }
    let (subdomains, host_port) = match rest.strip_prefix("*.") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // Split host and port; an IPv6 host is bracketed and has colons.
    let (host, port) = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(i) => match &host_port[i + 1..] {
                "" => (&host_port[..=i], None),
                p => match p.strip_prefix(':') {
                    Some(p) => (&host_port[..=i], Some(p)),
                    None => return Err(invalid("characters after the IPv6 address")),
                },
            },
            None => return Err(invalid("an unclosed `[`")),
        }
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if scheme.contains('*')
        || host.contains('*')
        || port.is_some_and(|p| p != "*" && p.contains('*'))
    {
        return Err(PolicyError::InvalidWildcard {
            value: value.to_string(),
        });
    }
    if host.is_empty() {
        return Err(invalid("an empty host"));
    }
    let port_rule = match port {
        None => PortRule::Default,
        Some("*") => PortRule::Any,
        Some(p) => match p.parse::<u32>() {
            Ok(n @ 1..=65535) if p.bytes().all(|b| b.is_ascii_digit()) => PortRule::Exact(n as u16),
            _ => {
                return Err(PolicyError::InvalidPort {
                    value: value.to_string(),
                    port: p.to_string(),
                });
            }
        },
    };
    let candidate = match port {
        Some(p) if p != "*" => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    };
    let canonical_with_wildcards = |canonical: &str| {
        let mut c = canonical.to_string();
        if subdomains {
            c = c.replacen("://", "://*.", 1);
        }
        if port_rule == PortRule::Any {
            c.push_str(":*");
        }
        c
    };
    let non_canonical = |canonical: &str, why| PolicyError::NonCanonicalOrigin {
        value: value.to_string(),
        canonical: canonical_with_wildcards(canonical),
        why,
    };
    let origin = Origin::parse_canonical(&candidate).map_err(|e| match e {
        OriginError::UppercaseOrigin { canonical, .. } => {
            non_canonical(&canonical, NonCanonical::Uppercase)
        }
        OriginError::UnicodeHost { canonical, .. } => {
            non_canonical(&canonical, NonCanonical::Unicode)
        }
        OriginError::DefaultPort { canonical, .. } => {
            non_canonical(&canonical, NonCanonical::DefaultPort)
        }
        OriginError::NonCanonicalIp { canonical, .. }
        | OriginError::NonCanonical { canonical, .. } => {
            non_canonical(&canonical, NonCanonical::Other)
        }
        OriginError::FileScheme { .. } => PolicyError::UnsupportedScheme {
            value: value.to_string(),
            scheme: scheme.to_string(),
        },
        OriginError::InvalidPort { port, .. } => PolicyError::InvalidPort {
            value: value.to_string(),
            port,
        },
        other => invalid(&other.to_string()),
    })?;
    let Origin::Tuple {
        scheme: canon_scheme,
        host: canon_host,
        ..
    } = &origin
    else {
        return Err(invalid(
            "it is an opaque origin, which browsers send as `null`",
        ));
    };
    if subdomains && !matches!(canon_host, Host::Domain(_)) {
        return Err(PolicyError::InvalidWildcard {
            value: value.to_string(),
        });
    }
    let pattern = Pattern {
        scheme: canon_scheme.as_str().into(),
        // The host as browsers serialize it (IPv6 bracketed).
        host: canon_host.to_string().into(),
        subdomains,
        port: port_rule,
    };
    Ok((pattern, origin.is_potentially_trustworthy()))
}

/// Whether a domain is exactly a public suffix on the Public Suffix List
/// (ICANN and private sections: `com`, `co.uk`, `github.io`).
fn is_public_suffix(domain: &str) -> bool {
    match psl::suffix(domain.as_bytes()) {
        Some(s) => s.is_known() && s.as_bytes() == domain.as_bytes(),
        None => false,
    }
}
