//! Configuration errors and warnings: every mistake in a [`PolicyConfig`],
//! typed, each naming the offending value and the fix.
//!
//! [`PolicyConfig`]: super::PolicyConfig

use std::fmt;

use crate::shorten::{shorten, shorten_quoted};

/// Why an origin pattern is not in its canonical form.
///
/// Browsers send the canonical serialization of an origin, byte for byte, so
/// a pattern in any other form would silently never match: corsica rejects it
/// and names the form to write instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonCanonical {
    /// The scheme or host has uppercase letters.
    Uppercase,
    /// The host has non-ASCII characters; browsers send the punycode form.
    Unicode,
    /// The port is the scheme's default port, which browsers leave out.
    DefaultPort,
    /// Another difference (for example a non-canonical IP address).
    Other,
}

/// A mistake in a [`PolicyConfig`](super::PolicyConfig) that prevents
/// building a [`Policy`](super::Policy).
///
/// `Display` is a lowercase message naming the bad value and the fix;
/// [`code`](Self::code) is a stable identifier and [`field`](Self::field)
/// the configuration key at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Occurs when the TOML text cannot be parsed or a value has the wrong
    /// type.
    #[error("{}invalid TOML: {}", location(*line, *column), shorten_quoted(.message))]
    Toml {
        /// What the TOML parser said.
        message: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// Occurs when the policy text is longer than
    /// [`MAX_POLICY_BYTES`](super::MAX_POLICY_BYTES).
    #[error(
        "the policy text is longer than {max} bytes, the most a policy may have ({bytes} bytes read); check that the path names a policy file"
    )]
    TooLarge {
        /// The text's length (at least `max + 1` when it was read with a
        /// bound).
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// Occurs when the configuration has a key corsica does not know.
    #[error("{}unknown key `{}`{}", location(*line, *column), shorten(.key), match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None => format!("; expected one of {}", super::keys::POLICY_KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")),
    })]
    UnknownKey {
        /// The unknown key.
        key: String,
        /// The known key it most resembles.
        suggestion: Option<&'static str>,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// Occurs when a key's value (or an entry of a list) has the wrong
    /// type: `credentials = "yes"`, `origins = "https://a.com"`,
    /// `methods = ["GET", 1]`.
    #[error("{}{field}{} is {found}, expected {expected}: e.g. `{example}`",
        location(*line, *column),
        index.map(|i| format!("[{i}]")).unwrap_or_default(),
        found = shorten(.found))]
    WrongType {
        /// The key.
        field: &'static str,
        /// The entry of the list at fault, for a list (0-based).
        index: Option<usize>,
        /// What the key holds (`a list of strings`, `a string`, `a bool`).
        expected: &'static str,
        /// What the file has (`a string`, `an integer`, `the integer 70000`).
        found: String,
        /// A line of TOML setting the key right.
        example: &'static str,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
    },
    /// Occurs when `origins` is empty.
    #[error(
        "no origins are allowed; list at least one origin in `origins`, e.g. origins = [\"https://app.example.com\"]"
    )]
    NoOrigins,
    /// Occurs when `null` is listed as an origin.
    #[error(
        "origin `{value}` is not allowed: sandboxed iframes, local files and redirects all send `null`, so anyone can forge it; list the real origins instead", value = shorten(.value))]
    NullOrigin {
        /// The entry as written.
        value: String,
    },
    /// Occurs when an origin has a path (a trailing slash included), a query
    /// or a fragment.
    #[error(
        "origin `{value}` has a path, query or fragment; an origin has none: write `{suggestion}`", value = shorten(.value), suggestion = shorten(.suggestion))]
    OriginWithPath {
        /// The entry as written.
        value: String,
        /// The entry without its path, query and fragment.
        suggestion: String,
    },
    /// Occurs when an origin is not written in the canonical form browsers
    /// send (uppercase, Unicode host, explicit default port, …).
    #[error("origin `{value}` {}; browsers send `{canonical}`: write that", match why {
        NonCanonical::Uppercase => "has uppercase letters",
        NonCanonical::Unicode => "has a Unicode host",
        NonCanonical::DefaultPort => "has an explicit default port",
        NonCanonical::Other => "is not in canonical form",
    }, value = shorten(.value), canonical = shorten(.canonical))]
    NonCanonicalOrigin {
        /// The entry as written.
        value: String,
        /// The canonical form, wildcards kept.
        canonical: String,
        /// What differs.
        why: NonCanonical,
    },
    /// Occurs when an origin has a port that is not a number from 1 to 65535.
    #[error(
        "origin `{value}` has an invalid port `{port}`; use a number from 1 to 65535, or `*` for any port", value = shorten(.value), port = shorten(.port))]
    InvalidPort {
        /// The entry as written.
        value: String,
        /// The port as written.
        port: String,
    },
    /// Occurs when an origin uses a scheme that cannot be allowed
    /// (`file`, whose origin browsers serialize as `null`).
    #[error(
        "origin `{value}` uses the `{scheme}` scheme, whose origin browsers send as `null`; serve the page over https instead", value = shorten(.value), scheme = shorten(.scheme))]
    UnsupportedScheme {
        /// The entry as written.
        value: String,
        /// The scheme.
        scheme: String,
    },
    /// Occurs when a `*` appears anywhere but as the whole entry, the first
    /// label of a domain (`https://*.example.com`) or the port (`:*`).
    #[error(
        "origin pattern `{value}` has a misplaced `*`; write `*` alone, `https://*.example.com` (any subdomain) or `http://localhost:*` (any port)", value = shorten(.value))]
    InvalidWildcard {
        /// The entry as written.
        value: String,
    },
    /// Occurs when an origin cannot be parsed at all.
    #[error(
        "origin `{value}` is not a valid origin ({detail}); write `scheme://host` with an optional `:port`, e.g. `https://app.example.com`", value = shorten(.value), detail = shorten(.detail))]
    InvalidOrigin {
        /// The entry as written.
        value: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Occurs when `origins` contains `*` and `credentials` is true.
    #[error(
        "`*` in origins cannot be combined with credentials = true: browsers reject `Access-Control-Allow-Origin: *` on credentialed requests; list the origins instead"
    )]
    CredentialedWildcardOrigin,
    /// Occurs when an origin that is not potentially trustworthy (plain
    /// `http`, not loopback) is allowed with credentials.
    #[error(
        "origin `{value}` is not secure (http and not loopback) and credentials = true: a network attacker can act as it and read your users' data; use https, or set dangerously_allow_insecure_origins = true", value = shorten(.value))]
    InsecureCredentialedOrigin {
        /// The entry as written.
        value: String,
    },
    /// Occurs when a subdomain wildcard covers a public suffix (anyone can
    /// register a subdomain there) and credentials are on.
    #[error(
        "origin pattern `{value}` allows every subdomain of the public suffix `{suffix}`, which anyone can register, with credentials = true; list your own subdomains, or set dangerously_allow_public_suffix_subdomains = true", value = shorten(.value), suffix = shorten(.suffix))]
    PublicSuffixWildcard {
        /// The entry as written.
        value: String,
        /// The public suffix.
        suffix: String,
    },
    /// Occurs when a method is not an HTTP token.
    #[error(
        "method `{value}` is not a valid HTTP method name (a token such as `PUT`); fix or remove it", value = shorten(.value))]
    InvalidMethod {
        /// The entry as written.
        value: String,
    },
    /// Occurs when a forbidden method (`CONNECT`, `TRACE`, `TRACK`) is
    /// listed: browsers never send them.
    #[error(
        "method `{value}` is forbidden by the Fetch Standard and browsers never send it; remove it", value = shorten(.value))]
    ForbiddenMethod {
        /// The entry as written.
        value: String,
    },
    /// Occurs when `methods` contains `*` and `credentials` is true.
    #[error(
        "`*` in methods cannot be combined with credentials = true: browsers treat it as the method named `*`; list the methods instead"
    )]
    CredentialedWildcardMethod,
    /// Occurs when a header name is not an HTTP token.
    #[error(
        "`{value}` in {field} is not a valid header name (a token such as `X-Request-Id`); fix or remove it", value = shorten(.value))]
    InvalidHeaderName {
        /// The configuration key (`request_headers` or `expose_headers`).
        field: &'static str,
        /// The entry as written.
        value: String,
    },
    /// Occurs when `request_headers` lists a name browsers never let
    /// scripts send (forbidden request headers, `Sec-*`, `Proxy-*`) or a
    /// CORS response header.
    #[error(
        "request header `{value}` can never be sent by a script ({why}); remove it from request_headers", value = shorten(.value))]
    ForbiddenRequestHeader {
        /// The entry as written.
        value: String,
        /// Why browsers never send it.
        why: &'static str,
    },
    /// Occurs when `request_headers` contains `*` and `credentials` is true.
    #[error(
        "`*` in request_headers cannot be combined with credentials = true: browsers treat it as the header named `*`; list the headers instead"
    )]
    CredentialedWildcardRequestHeaders,
    /// Occurs when `expose_headers` lists a name that exposing cannot
    /// concern: a forbidden response header (`Set-Cookie`, `Set-Cookie2`),
    /// which browsers never expose, a request-only header (`Origin`) or a
    /// CORS protocol header.
    #[error(
        "response header `{value}` cannot be exposed to scripts ({why}); remove it from expose_headers", value = shorten(.value))]
    ForbiddenExposeHeader {
        /// The entry as written.
        value: String,
        /// Why.
        why: &'static str,
    },
    /// Occurs when `expose_headers` contains `*` and `credentials` is true.
    #[error(
        "`*` in expose_headers cannot be combined with credentials = true: browsers treat it as the header named `*`; list the headers instead"
    )]
    CredentialedWildcardExposeHeaders,
    /// Occurs when `max_age` is outside 0..=86400 seconds.
    #[error(
        "max_age = {value} is out of range; use 0 to 86400 seconds (browsers cap it: Chromium at 7200, Firefox at 86400), or leave it out"
    )]
    MaxAgeOutOfRange {
        /// The value as written.
        value: i64,
    },
    /// Occurs when `preflight_status` is not a 2xx status (browsers fail a
    /// preflight whose status is not ok).
    #[error(
        "preflight_status = {value} is not a 2xx status; browsers fail such preflights: use 204 or 200"
    )]
    InvalidPreflightStatus {
        /// The value as written.
        value: u16,
    },
    /// Occurs when `rejected_preflight_status` is not a 2xx, 4xx or 5xx
    /// status.
    #[error("rejected_preflight_status = {value} is not a 2xx, 4xx or 5xx status; use 403")]
    InvalidRejectedPreflightStatus {
        /// The value as written.
        value: u16,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

impl PolicyError {
    /// A stable, kebab-case identifier of this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Toml { .. } => "invalid-toml",
            Self::TooLarge { .. } => "policy-too-large",
            Self::UnknownKey { .. } => "unknown-key",
            Self::WrongType { .. } => "wrong-type",
            Self::NoOrigins => "no-origins",
            Self::NullOrigin { .. } => "null-origin",
            Self::OriginWithPath { .. } => "origin-with-path",
            Self::NonCanonicalOrigin { why, .. } => match why {
                NonCanonical::Uppercase => "uppercase-origin",
                NonCanonical::Unicode => "unicode-origin",
                NonCanonical::DefaultPort => "default-port-origin",
                NonCanonical::Other => "non-canonical-origin",
            },
            Self::InvalidPort { .. } => "invalid-port",
            Self::UnsupportedScheme { .. } => "unsupported-scheme",
            Self::InvalidWildcard { .. } => "invalid-wildcard",
            Self::InvalidOrigin { .. } => "invalid-origin",
            Self::CredentialedWildcardOrigin => "credentialed-wildcard-origin",
            Self::InsecureCredentialedOrigin { .. } => "insecure-credentialed-origin",
            Self::PublicSuffixWildcard { .. } => "public-suffix-wildcard",
            Self::InvalidMethod { .. } => "invalid-method",
            Self::ForbiddenMethod { .. } => "forbidden-method",
            Self::CredentialedWildcardMethod => "credentialed-wildcard-method",
            Self::InvalidHeaderName { .. } => "invalid-header-name",
            Self::ForbiddenRequestHeader { .. } => "forbidden-request-header",
            Self::CredentialedWildcardRequestHeaders => "credentialed-wildcard-request-headers",
            Self::ForbiddenExposeHeader { .. } => "forbidden-expose-header",
            Self::CredentialedWildcardExposeHeaders => "credentialed-wildcard-expose-headers",
            Self::MaxAgeOutOfRange { .. } => "max-age-out-of-range",
            Self::InvalidPreflightStatus { .. } => "invalid-preflight-status",
            Self::InvalidRejectedPreflightStatus { .. } => "invalid-rejected-preflight-status",
        }
    }

    /// The configuration key at fault (empty for TOML syntax errors and
    /// unknown keys).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Toml { .. } | Self::TooLarge { .. } => "",
            Self::UnknownKey { .. } => "",
            Self::WrongType { field, .. } => field,
            Self::NoOrigins
            | Self::NullOrigin { .. }
            | Self::OriginWithPath { .. }
            | Self::NonCanonicalOrigin { .. }
            | Self::InvalidPort { .. }
            | Self::UnsupportedScheme { .. }
            | Self::InvalidWildcard { .. }
            | Self::InvalidOrigin { .. }
            | Self::CredentialedWildcardOrigin
            | Self::InsecureCredentialedOrigin { .. }
            | Self::PublicSuffixWildcard { .. } => "origins",
            Self::InvalidMethod { .. }
            | Self::ForbiddenMethod { .. }
            | Self::CredentialedWildcardMethod => "methods",
            Self::InvalidHeaderName { field, .. } => field,
            Self::ForbiddenRequestHeader { .. } | Self::CredentialedWildcardRequestHeaders => {
                "request_headers"
            }
            Self::ForbiddenExposeHeader { .. } | Self::CredentialedWildcardExposeHeaders => {
                "expose_headers"
            }
            Self::MaxAgeOutOfRange { .. } => "max_age",
            Self::InvalidPreflightStatus { .. } => "preflight_status",
            Self::InvalidRejectedPreflightStatus { .. } => "rejected_preflight_status",
        }
    }
}

/// A choice that is allowed but deserves a second look. A [`Policy`]
/// built with warnings works; [`Policy::warnings`] lists them.
///
/// [`Policy`]: super::Policy
/// [`Policy::warnings`]: super::Policy::warnings
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyWarning {
    /// Occurs when an insecure origin is allowed with credentials thanks to
    /// `dangerously_allow_insecure_origins`.
    #[error(
        "origin `{value}` is insecure and allowed with credentials (dangerously_allow_insecure_origins = true): a network attacker can act as it; move it to https", value = shorten(.value))]
    InsecureCredentialedOrigin {
        /// The entry as written.
        value: String,
    },
    /// Occurs when a subdomain wildcard over a public suffix is allowed with
    /// credentials thanks to `dangerously_allow_public_suffix_subdomains`.
    #[error(
        "origin pattern `{value}` allows anyone who registers a subdomain of `{suffix}` to make credentialed requests (dangerously_allow_public_suffix_subdomains = true); list your own subdomains", value = shorten(.value), suffix = shorten(.suffix))]
    PublicSuffixWildcard {
        /// The entry as written.
        value: String,
        /// The public suffix.
        suffix: String,
    },
    /// Occurs when a `dangerously_…` option is set but nothing needs it.
    #[error("{option} = true has no effect on this policy; remove it")]
    UnusedDangerousOption {
        /// The option's key.
        option: &'static str,
    },
    /// Occurs when `private_network` is on: Private Network Access is a
    /// legacy mechanism.
    #[error(
        "private_network = true answers the legacy Private Network Access preflight, which Chrome put on hold in favour of Local Network Access (a permission prompt, no preflight); keep it only for older Chrome versions"
    )]
    LegacyPrivateNetworkAccess,
    /// Occurs when `*` is listed in `origins` with other entries, which it
    /// makes redundant.
    #[error(
        "`*` in origins already allows every origin; {}: remove them", redundant_entries(*count)
    )]
    RedundantOrigins {
        /// How many other entries there are.
        count: usize,
    },
    /// Occurs when a method has lowercase letters and is not one of the six
    /// that browsers upper-case: it matches only scripts that write it
    /// exactly so.
    #[error(
        "method `{value}` allows only scripts that write it exactly so: browsers upper-case DELETE, GET, HEAD, OPTIONS, POST and PUT and send every other method as written; write `{suggestion}`, or list both if scripts really send it in lowercase",
        value = shorten(.value), suggestion = shorten(.suggestion)
    )]
    LowercaseMethod {
        /// The entry as written.
        value: String,
        /// The entry upper-cased.
        suggestion: String,
    },
    /// Occurs when an origin is listed twice.
    #[error("origin `{value}` is listed more than once; remove the repeat", value = shorten(.value))]
    DuplicateOrigin {
        /// The entry as written.
        value: String,
    },
    /// Occurs when a method is listed twice (after browsers' normalization:
    /// `get` is `GET`).
    #[error(
        "method `{value}` is the same as `{first}`, listed before it{}; remove the repeat",
        if value == first { "" } else { " (browsers upper-case it)" },
        value = shorten(.value), first = shorten(.first)
    )]
    DuplicateMethod {
        /// The repeated entry as written.
        value: String,
        /// The entry it repeats, as written.
        first: String,
    },
    /// Occurs when a header name is listed twice in `request_headers` or
    /// `expose_headers` (header names are case-insensitive).
    #[error(
        "`{value}` in {field} is the same header as `{first}`, listed before it (header names are case-insensitive); remove the repeat",
        value = shorten(.value), first = shorten(.first)
    )]
    DuplicateHeader {
        /// The configuration key (`request_headers` or `expose_headers`).
        field: &'static str,
        /// The repeated entry as written.
        value: String,
        /// The entry it repeats, as written.
        first: String,
    },
}

impl PolicyWarning {
    /// A stable, kebab-case identifier of this kind of warning.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InsecureCredentialedOrigin { .. } => "insecure-credentialed-origin",
            Self::PublicSuffixWildcard { .. } => "public-suffix-wildcard",
            Self::UnusedDangerousOption { .. } => "unused-dangerous-option",
            Self::LegacyPrivateNetworkAccess => "legacy-private-network-access",
            Self::RedundantOrigins { .. } => "redundant-origins",
            Self::LowercaseMethod { .. } => "lowercase-method",
            Self::DuplicateOrigin { .. } => "duplicate-origin",
            Self::DuplicateMethod { .. } => "duplicate-method",
            Self::DuplicateHeader { .. } => "duplicate-header",
        }
    }

    /// The configuration key concerned.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InsecureCredentialedOrigin { .. }
            | Self::PublicSuffixWildcard { .. }
            | Self::RedundantOrigins { .. }
            | Self::DuplicateOrigin { .. } => "origins",
            Self::LowercaseMethod { .. } | Self::DuplicateMethod { .. } => "methods",
            Self::DuplicateHeader { field, .. } => field,
            Self::UnusedDangerousOption { option } => option,
            Self::LegacyPrivateNetworkAccess => "private_network",
        }
    }
}

/// Every error found in a configuration, and the warnings found alongside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyErrors {
    /// The errors, in the order of the configuration's keys and entries.
    pub errors: Vec<PolicyError>,
    /// The warnings found while validating.
    pub warnings: Vec<PolicyWarning>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => write!(f, "invalid CORS policy: {}", self.errors[0])?,
            n => {
                write!(f, "invalid CORS policy ({n} errors):")?;
                for e in &self.errors {
                    write!(f, "\n  - {e}")?;
                }
            }
        }
        for w in &self.warnings {
            write!(f, "\n  warning: {w}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

impl From<PolicyError> for PolicyErrors {
    fn from(e: PolicyError) -> Self {
        PolicyErrors {
            errors: vec![e],
            warnings: Vec::new(),
        }
    }
}

/// "the other entry is redundant" / "the other 3 entries are redundant".
fn redundant_entries(count: usize) -> String {
    match count {
        1 => "the other entry is redundant".to_owned(),
        n => format!("the other {n} entries are redundant"),
    }
}
