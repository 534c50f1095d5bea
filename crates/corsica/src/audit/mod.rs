//! Auditing an endpoint for CORS misconfigurations: which origins to ask
//! from, and what each answer shows.
//!
//! A scanner asks an endpoint from many origins (a made-up one, `null`,
//! lookalikes of the origins it trusts, sandboxes anyone can publish on,
//! private addresses, ...) and reads what each answer lets a page on that
//! origin do. This module is that knowledge, sans I/O: [`Plan::new`] lists
//! the probes for a URL (with a random label the caller draws for each run,
//! so no allowlist can be written against the probes), and
//! [`Plan::judge`] reads the answers into [`Found`] misconfigurations, each
//! with its [`Class`], its [`Severity`] (from [`severity`]: credentials ×
//! origin class × `Vary`) and the answer that shows it. Whether an answer
//! lets a page read is the browser's CORS check and preflight check, the
//! same code the `fetch` model runs.
//!
//! ```
//! use corsica::audit::{Class, Label, Plan, Severity};
//! use corsica::fetch::ResponseHead;
//! use corsica::Origin;
//!
//! let label = Label::new("qzxkvwpt")?;
//! let trusted = [Origin::parse("https://app.example.com")?];
//! let plan = Plan::new("https://api.example.com/items", &trusted, &label)?;
//! // A server that echoes any Origin, with credentials.
//! let answers: Vec<_> = plan
//!     .probes()
//!     .iter()
//!     .map(|p| {
//!         let mut head = ResponseHead::new(200);
//!         head.push("Access-Control-Allow-Origin", p.origin.clone());
//!         head.push("Access-Control-Allow-Credentials", "true");
//!         head.push("Vary", "Origin");
//!         Some(head)
//!     })
//!     .collect();
//! let found = plan.judge(&answers);
//! let reflected = found.iter().find(|f| f.class == Class::ReflectedOrigin).unwrap();
//! assert_eq!(reflected.severity, Severity::Critical);
//! // The finer lookalike classes are explained by the echo: not repeated.
//! assert!(found.iter().all(|f| f.class != Class::PrefixMatch));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! References: the taxonomy and probes of CORScanner, Corsy, nuclei's
//! `cors-misconfig`, ZAP rule 40040, CORStest and aristos' cors-scanner;
//! James Kettle, "Exploiting CORS misconfigurations for Bitcoins and
//! bounties" (2016); <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>.

mod judge;
mod plan;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

pub use judge::Found;
pub use plan::{Label, LabelError, Plan, PlanError, Probe, ProbePreflight};

/// A kind of CORS misconfiguration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Class {
    /// Any origin is allowed: the server echoes `Origin`.
    ReflectedOrigin,
    /// `null` is allowed (sandboxed iframes, `file:` pages, some redirects).
    NullOrigin,
    /// A trusted origin with a domain appended is allowed
    /// (`https://app.example.com.evil.com`): a match not anchored at its end.
    PrefixMatch,
    /// The trusted domain with a prefix is allowed
    /// (`https://evilexample.com`): an `endsWith` without the dot.
    SuffixMatch,
    /// Any origin containing the trusted host, or contained in it, is
    /// allowed (`https://xapp.example.comx.com`, `https://example.co`).
    SubstringMatch,
    /// A dot of the trusted host matched as "any character"
    /// (`https://appxexample.com`): a regular expression with `.` unescaped.
    UnescapedDot,
    /// The trusted host followed by a character browsers (mostly Safari)
    /// accept in host names and lax origin parsers stop at
    /// (`https://app.example.com_.evil.com`).
    SpecialCharacters,
    /// Every subdomain of the trusted domain is allowed: a takeover or an
    /// XSS on any of them reads this endpoint.
    AnySubdomain,
    /// An `http:` origin is allowed by an `https:` resource: a network
    /// attacker can play that origin.
    InsecureOrigin,
    /// An origin anyone can publish a page on is allowed (`*.github.io`,
    /// codepen, jsfiddle, ...).
    ThirdPartyOrigin,
    /// `Access-Control-Allow-Origin: *`.
    Wildcard,
    /// `Access-Control-Allow-Origin` or `Access-Control-Allow-Credentials`
    /// holds a value no browser accepts (several origins, a pattern, a
    /// path, `*` with credentials).
    InvalidValue,
    /// A per-origin `Access-Control-Allow-Origin` without `Vary: Origin`: a
    /// cache serves one origin's answer to another.
    MissingVary,
    /// A CR/LF smuggled in a request header came back as a header of its
    /// own: the response can be split.
    CrlfInjection,
    /// The preflight allows any method and any header (echoed, or `*`).
    PermissivePreflight,
    /// A loopback or private-network origin is allowed (`http://localhost:3000`,
    /// `http://192.168.1.7`): whatever runs there can read this endpoint.
    PrivateOrigin,
}

impl Class {
    /// Every class, in the order reports list them.
    pub const ALL: [Class; 16] = [
        Class::ReflectedOrigin,
        Class::NullOrigin,
        Class::PrefixMatch,
        Class::SuffixMatch,
        Class::SubstringMatch,
        Class::UnescapedDot,
        Class::SpecialCharacters,
        Class::AnySubdomain,
        Class::InsecureOrigin,
        Class::ThirdPartyOrigin,
        Class::Wildcard,
        Class::InvalidValue,
        Class::MissingVary,
        Class::CrlfInjection,
        Class::PermissivePreflight,
        Class::PrivateOrigin,
    ];

    /// The class's stable name (`reflected-origin`, ...), as reports and
    /// `--json` write it.
    pub fn name(self) -> &'static str {
        match self {
            Class::ReflectedOrigin => "reflected-origin",
            Class::NullOrigin => "null-origin",
            Class::PrefixMatch => "prefix-match",
            Class::SuffixMatch => "suffix-match",
            Class::SubstringMatch => "substring-match",
            Class::UnescapedDot => "unescaped-dot",
            Class::SpecialCharacters => "special-characters",
            Class::AnySubdomain => "any-subdomain",
            Class::InsecureOrigin => "insecure-origin",
            Class::ThirdPartyOrigin => "third-party-origin",
            Class::Wildcard => "wildcard",
            Class::InvalidValue => "invalid-value",
            Class::MissingVary => "missing-vary",
            Class::CrlfInjection => "crlf-injection",
            Class::PermissivePreflight => "permissive-preflight",
            Class::PrivateOrigin => "private-origin",
        }
    }

    /// What is wrong, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            Class::ReflectedOrigin => "any origin is allowed (Origin is echoed)",
            Class::NullOrigin => "the null origin is allowed",
            Class::PrefixMatch => "a trusted origin with a domain appended is allowed",
            Class::SuffixMatch => "the trusted domain with a prefix is allowed",
            Class::SubstringMatch => "origins are matched as substrings",
            Class::UnescapedDot => "a dot in the origin match matches any character",
            Class::SpecialCharacters => {
                "the trusted host followed by a special character is allowed"
            }
            Class::AnySubdomain => "every subdomain is allowed",
            Class::InsecureOrigin => "an http: origin is allowed by an https: resource",
            Class::ThirdPartyOrigin => "an origin anyone can publish on is allowed",
            Class::Wildcard => "Access-Control-Allow-Origin: *",
            Class::InvalidValue => "a CORS header value browsers reject",
            Class::MissingVary => "a per-origin answer without Vary: Origin",
            Class::CrlfInjection => "a CR/LF in a request header splits the response",
            Class::PermissivePreflight => "the preflight allows any method and header",
            Class::PrivateOrigin => "a loopback or private-network origin is allowed",
        }
    }

    /// What to do about it.
    pub fn fix(self) -> &'static str {
        match self {
            Class::ReflectedOrigin => {
                "stop echoing the Origin header: list the origins allowed, exactly (scheme, \
                 host and port), and answer every other origin without \
                 Access-Control-Allow-Origin; a corsica policy (origins = [...]) does, and \
                 `corsica export` writes it for your stack"
            }
            Class::NullOrigin => {
                "remove `null` from the allowed origins: any site can make a page send \
                 `Origin: null` (a sandboxed iframe); serve local files from a real origin \
                 instead"
            }
            Class::PrefixMatch => {
                "anchor the origin match at its end: compare the whole origin (or a regular \
                 expression ending in `$`), not `startsWith`; a corsica policy lists exact \
                 origins"
            }
            Class::SuffixMatch => {
                "match subdomains with the dot: `endsWith(\".example.com\")` on the host, or a \
                 regular expression `^https://([a-z0-9-]+\\.)*example\\.com$`; a corsica \
                 policy writes `https://*.example.com`"
            }
            Class::SubstringMatch => {
                "compare whole origins, never `contains`/`includes`/`in` or an unanchored \
                 regular expression; a corsica policy lists exact origins"
            }
            Class::UnescapedDot => {
                "escape the dots of the origin's regular expression (`app\\.example\\.com`), \
                 or list exact origins instead of patterns"
            }
            Class::SpecialCharacters => {
                "compare the Origin header as a whole string (or parse it with a URL parser \
                 and compare scheme, host and port), never the host a lax parser cuts out of \
                 it"
            }
            Class::AnySubdomain => {
                "allow only the subdomains that serve your front end, by name; a subdomain \
                 takeover or an XSS on any other subdomain reads this endpoint otherwise"
            }
            Class::InsecureOrigin => {
                "allow only https: origins: anyone on the network path can answer for an \
                 http: origin and read this endpoint"
            }
            Class::ThirdPartyOrigin => {
                "remove the shared-hosting origins (github.io, codepen, jsfiddle, netlify, S3, \
                 ...) from the allowed origins: anyone can publish a page there"
            }
            Class::Wildcard => {
                "fine for a public, unauthenticated API; if the endpoint is only reachable from \
                 a private network or identifies users by address, list the allowed origins \
                 instead (`*` lets any site read it through a user's browser)"
            }
            Class::InvalidValue => {
                "send one origin (or `*`) in Access-Control-Allow-Origin, as the request's \
                 Origin serialized (no path, no trailing slash, no pattern), never `*` with \
                 credentials, and Access-Control-Allow-Credentials exactly `true` or not at \
                 all; a corsica policy picks the right origin per request"
            }
            Class::MissingVary => {
                "send `Vary: Origin` on every answer of this endpoint, allowed or not, so \
                 caches keep one copy per origin"
            }
            Class::CrlfInjection => {
                "never decode request header values into response headers; reject or strip \
                 CR and LF (and their encodings) before echoing anything; better, do not echo: \
                 list the allowed origins"
            }
            Class::PermissivePreflight => {
                "list the methods and request headers the API uses in \
                 Access-Control-Allow-Methods and Access-Control-Allow-Headers instead of \
                 echoing the request's or answering `*`"
            }
            Class::PrivateOrigin => {
                "remove development and private-network origins (localhost, 127.0.0.1, \
                 192.168.x.x, 10.x.x.x) from the production allowlist"
            }
        }
    }

    /// Whether this class is about which origins are allowed (found by
    /// asking from a probe origin).
    pub fn is_origin_class(self) -> bool {
        matches!(
            self,
            Class::ReflectedOrigin
                | Class::NullOrigin
                | Class::PrefixMatch
                | Class::SuffixMatch
                | Class::SubstringMatch
                | Class::UnescapedDot
                | Class::SpecialCharacters
                | Class::AnySubdomain
                | Class::InsecureOrigin
                | Class::ThirdPartyOrigin
                | Class::PrivateOrigin
        )
    }
}

impl fmt::Display for Class {
    /// The class's name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How bad a misconfiguration is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; nothing to exploit (`*` on a public API).
    Info,
    /// Needs a rare position (a network attacker, a foothold on a
    /// subdomain or a private machine), or breaks pages rather than leaks.
    Low,
    /// A foothold or a network attacker reads data with the user's
    /// credentials.
    Medium,
    /// An origin anyone can get reads data with the user's credentials.
    High,
    /// Any site reads data with the user's credentials.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// `info`, `low`, `medium`, `high` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Severity::from_str`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?}; use info, low, medium, high or critical")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Severity, UnknownSeverity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

/// The severity table: a class, whether the answer let the probe origin
/// read *with credentials* (`Access-Control-Allow-Credentials: true` for
/// that origin), and whether it carries `Vary: Origin`.
///
/// | class | with credentials | without, `Vary: Origin` | without, no `Vary` |
/// |---|---|---|---|
/// | reflected-origin | critical | info | low |
/// | null-origin, prefix-, suffix-, substring-match, unescaped-dot, third-party-origin | high | low | low |
/// | special-characters | medium | low | low |
/// | any-subdomain, insecure-origin, private-origin | medium | info | low |
/// | wildcard | — (that is invalid-value) | info | info |
/// | invalid-value | low | low | low |
/// | missing-vary | medium | low | low |
/// | crlf-injection | high | high | high |
/// | permissive-preflight | low | info | info |
///
/// Without credentials a page reads only what anyone can fetch directly,
/// so letting every origin in is what a public API does (`*` or an echo
/// are the same); a broken matcher is still worth fixing (low), as it
/// becomes an exploit the day credentials are turned on. An echo without
/// `Vary` lets caches mix origins (low). With credentials the severity
/// follows how easily an attacker gets the origin: anyone (critical for
/// any origin, high for lookalikes, `null` and shared hosting; medium for
/// special characters, which mostly only Safari sends), or only with a
/// foothold or a network position (medium: a subdomain, an `http:`
/// origin, a private address).
pub fn severity(class: Class, credentials: bool, varies: bool) -> Severity {
    use Severity::*;
    match class {
        Class::ReflectedOrigin => match (credentials, varies) {
            (true, _) => Critical,
            (false, true) => Info,
            (false, false) => Low,
        },
        Class::NullOrigin
        | Class::PrefixMatch
        | Class::SuffixMatch
        | Class::SubstringMatch
        | Class::UnescapedDot
        | Class::ThirdPartyOrigin => {
            if credentials {
                High
            } else {
                Low
            }
        }
        Class::SpecialCharacters => {
            if credentials {
                Medium
            } else {
                Low
            }
        }
        Class::AnySubdomain | Class::InsecureOrigin | Class::PrivateOrigin => {
            match (credentials, varies) {
                (true, _) => Medium,
                (false, true) => Info,
                (false, false) => Low,
            }
        }
        Class::Wildcard => Info,
        Class::InvalidValue => Low,
        Class::MissingVary => {
            if credentials {
                Medium
            } else {
                Low
            }
        }
        Class::CrlfInjection => High,
        Class::PermissivePreflight => {
            if credentials {
                Low
            } else {
                Info
            }
        }
    }
}
