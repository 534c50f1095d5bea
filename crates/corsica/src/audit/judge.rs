//! Reading the answers to a plan's probes into misconfigurations.

use crate::Origin;
use crate::explain::{varies_on_origin, vary_finding};
use crate::fetch::{
    Browser, PreflightFor, PreflightResponse, ResponseHead, cors_check, preflight_check,
};

use super::plan::{Plan, Probe};
use super::{Class, Severity, severity};

/// A misconfiguration found, with the probe whose answer shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// What kind.
    pub class: Class,
    /// How bad (see [`severity`]).
    pub severity: Severity,
    /// The probe (index into [`Plan::probes`]) whose answer shows it: the
    /// evidence.
    pub probe: usize,
    /// Whether that answer let the probe's origin read with credentials.
    pub credentials: bool,
    /// What the answer said, in a line.
    pub detail: String,
    /// For an origin class, the probes of the other origins let in (each
    /// origin once); empty for the other classes.
    pub also: Vec<usize>,
}

/// A finding before grouping.
#[derive(Clone, Debug)]
struct Candidate {
    class: Class,
    probe: usize,
    credentials: bool,
    severity: Severity,
    detail: String,
}

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";

impl Plan {
    /// Reads the answers (one per probe, in [`Plan::probes`]' order; `None`
    /// where no answer came) into what is misconfigured, one [`Found`] per
    /// class, in [`Class::ALL`]'s order.
    ///
    /// A finding explained by a broader one is not repeated: when any
    /// origin is let in, the lookalikes that were let in too are that same
    /// echo, not a second broken matcher; so are lookalikes a `contains`
    /// match explains, special characters after an unanchored prefix, and
    /// subdomains an `endsWith` without the dot lets in.
    ///
    /// # Panics
    ///
    /// Never; answers beyond the probes are ignored, missing ones count as
    /// `None`.
    pub fn judge(&self, answers: &[Option<ResponseHead<'_>>]) -> Vec<Found> {
        let quirks = Browser::Chrome.quirks();
        let marker = self.marker();
        let mut out: Vec<Candidate> = Vec::new();
        let answer = |i: usize| answers.get(i).and_then(Option::as_ref);
        // The made-up origin's GET, to tell per-origin answers from static ones.
        let arbitrary = self
            .probes
            .iter()
            .position(|p| p.class == Some(Class::ReflectedOrigin) && p.preflight.is_none())
            .and_then(answer);

        for (i, probe) in self.probes.iter().enumerate() {
            let Some(head) = answer(i) else { continue };
            // A smuggled header, whatever the probe.
            if head.iter().any(|(n, _)| n.eq_ignore_ascii_case(&marker)) {
                out.push(Candidate {
                    class: Class::CrlfInjection,
                    probe: i,
                    credentials: false,
                    severity: severity(Class::CrlfInjection, false, true),
                    detail: format!(
                        "the response carries a `{marker}` header the request smuggled in"
                    ),
                });
            }
            if probe.class == Some(Class::CrlfInjection) {
                continue;
            }
            if let Some(reason) = invalid_value(head, &probe.origin) {
                out.push(Candidate {
                    class: Class::InvalidValue,
                    probe: i,
                    credentials: false,
                    severity: severity(Class::InvalidValue, false, true),
                    detail: reason,
                });
            }
            let acao = head.get(ACAO);
            let names_origin = acao.as_deref().is_some_and(|v| v != "*");
            let allows =
                |include| names_origin && cors_check(head, &probe.origin, include, quirks).is_ok();
            let varies = varies_on_origin(head);

            if let Some(pre) = &probe.preflight {
                let names = [pre.headers.to_ascii_lowercase()];
                let passes = |include| {
                    preflight_check(
                        PreflightResponse {
                            head,
                            is_redirect: false,
                        },
                        PreflightFor {
                            method: &pre.method,
                            unsafe_names: &names,
                            check_order: None,
                            include,
                            origin: &probe.origin,
                            same_origin: false,
                        },
                        quirks,
                    )
                    .is_ok()
                };
                match probe.class {
                    Some(Class::PermissivePreflight) => {
                        let credentials = passes(true);
                        if credentials || passes(false) {
                            out.push(Candidate {
                                class: Class::PermissivePreflight,
                                probe: i,
                                credentials,
                                severity: severity(Class::PermissivePreflight, credentials, true),
                                detail: format!(
                                    "a preflight for method {} and header {} was allowed \
                                     (Access-Control-Allow-Methods: {}; \
                                     Access-Control-Allow-Headers: {})",
                                    pre.method,
                                    pre.headers,
                                    head.get("access-control-allow-methods").unwrap_or_default(),
                                    head.get("access-control-allow-headers").unwrap_or_default(),
                                ),
                            });
                        }
                    }
                    Some(c) if c.is_origin_class() && allows(false) => {
                        let credentials = allows(true);
                        out.push(Candidate {
                            class: c,
                            probe: i,
                            credentials,
                            severity: severity(c, credentials, varies),
                            detail: allowed_detail(probe, head, credentials, true),
                        });
                    }
                    _ => {}
                }
                continue;
            }

            if acao.as_deref() == Some("*") && head.get(ACAC).as_deref() != Some("true") {
                out.push(Candidate {
                    class: Class::Wildcard,
                    probe: i,
                    credentials: false,
                    severity: severity(Class::Wildcard, false, varies),
                    detail: "`Access-Control-Allow-Origin: *`: any site can read the answer \
                             without credentials"
                        .to_owned(),
                });
            }
            let per_origin = match probe.class {
                None => vary_finding(false, head, &probe.origin, arbitrary),
                Some(c) if c.is_origin_class() && allows(false) => {
                    let credentials = allows(true);
                    out.push(Candidate {
                        class: c,
                        probe: i,
                        credentials,
                        severity: severity(c, credentials, varies),
                        detail: allowed_detail(probe, head, credentials, false),
                    });
                    vary_finding(false, head, &probe.origin, None)
                }
                _ => None,
            };
            if per_origin.is_some() {
                let credentials = head.get(ACAC).as_deref() == Some("true");
                out.push(Candidate {
                    class: Class::MissingVary,
                    probe: i,
                    credentials,
                    severity: severity(Class::MissingVary, credentials, false),
                    detail: format!(
                        "`Access-Control-Allow-Origin: {}` answers `Origin: {}` and differs for \
                         other origins, but Vary is {}",
                        acao.as_deref().unwrap_or_default(),
                        probe.origin,
                        head.get("vary")
                            .map_or_else(|| "absent".to_owned(), |v| format!("`{v}`"))
                    ),
                });
            }
        }

        self.group(self.drop_explained(out))
    }

    /// Drops origin findings a broader one explains.
    fn drop_explained(&self, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let keep: Vec<bool> = candidates
            .iter()
            .map(|c| {
                !c.class.is_origin_class()
                    || !candidates.iter().any(|g| {
                        rank(g.class) > rank(c.class) && self.explains(g, &self.probes[c.probe])
                    })
            })
            .collect();
        candidates
            .into_iter()
            .zip(keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect()
    }

    /// Whether the matcher `g` shows would also let `probe`'s origin in.
    fn explains(&self, g: &Candidate, probe: &Probe) -> bool {
        let base = self.probes[g.probe].base.and_then(|b| self.bases.get(b));
        let host = host_of(&probe.origin);
        match (g.class, base) {
            (Class::ReflectedOrigin, _) => true,
            (Class::SubstringMatch, Some(b)) => probe.origin.contains(&b.host),
            (Class::PrefixMatch, Some(b)) => probe.origin.starts_with(&b.prefix()),
            (Class::SuffixMatch, Some(b)) => host.ends_with(&b.domain),
            (Class::AnySubdomain, Some(b)) => host.ends_with(&format!(".{}", b.domain)),
            _ => false,
        }
    }

    /// One finding per class, the most severe probe as evidence.
    fn group(&self, candidates: Vec<Candidate>) -> Vec<Found> {
        let mut out = Vec::new();
        for class in Class::ALL {
            let mut of: Vec<&Candidate> = candidates.iter().filter(|c| c.class == class).collect();
            if of.is_empty() {
                continue;
            }
            // Most severe first; among equals, the plan's order.
            of.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.probe.cmp(&b.probe)));
            let first = of[0];
            // For an origin class, the other origins let in; the other
            // classes are one answer's, which the rest only repeat.
            let mut also: Vec<usize> = Vec::new();
            if class.is_origin_class() {
                for c in &of[1..] {
                    let origin = &self.probes[c.probe].origin;
                    if *origin != self.probes[first.probe].origin
                        && !also.iter().any(|&p| self.probes[p].origin == *origin)
                    {
                        also.push(c.probe);
                    }
                }
            }
            out.push(Found {
                class,
                severity: first.severity,
                probe: first.probe,
                credentials: first.credentials,
                detail: first.detail.clone(),
                also,
            });
        }
        out
    }
}

/// How broad a matcher a class shows: a broader one explains narrower ones.
fn rank(class: Class) -> u8 {
    match class {
        Class::ReflectedOrigin => 4,
        Class::SubstringMatch => 3,
        Class::PrefixMatch | Class::SuffixMatch => 2,
        Class::AnySubdomain => 1,
        _ => 0,
    }
}

/// The host part of an origin-like string (`scheme://host:port`).
fn host_of(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    match rest.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => rest,
    }
}

fn allowed_detail(
    probe: &Probe,
    head: &ResponseHead<'_>,
    credentials: bool,
    preflight: bool,
) -> String {
    format!(
        "{}`Origin: {}` was answered `Access-Control-Allow-Origin: {}`{}",
        if preflight { "a preflight from " } else { "" },
        probe.origin,
        head.get(ACAO).unwrap_or_default(),
        if credentials {
            " with `Access-Control-Allow-Credentials: true`"
        } else {
            ""
        }
    )
}

/// Why the CORS headers of an answer to `Origin: request_origin` hold a
/// value no browser accepts, if they do: several
/// `Access-Control-Allow-Origin` lines or values, a value that is not `*`,
/// `null` or a serialized origin (a pattern, a path, a trailing slash), `*`
/// with `Access-Control-Allow-Credentials: true`, or an
/// `Access-Control-Allow-Credentials` other than `true` (or a harmless
/// `false`).
///
/// An `Access-Control-Allow-Origin` equal to the request's `Origin` is
/// never invalid here (the browser compares bytes, so it is accepted):
/// whether that origin should be let in is the origin classes' question.
///
/// <https://fetch.spec.whatwg.org/#http-access-control-allow-origin>
pub(super) fn invalid_value(head: &ResponseHead<'_>, request_origin: &str) -> Option<String> {
    let lines = head
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(ACAO))
        .count();
    if lines > 1 {
        return Some(format!(
            "{lines} Access-Control-Allow-Origin lines (`{}`): browsers accept exactly one",
            head.get(ACAO).unwrap_or_default()
        ));
    }
    let credentials = head.get(ACAC);
    if let Some(v) = head.get(ACAO) {
        if v == "*" {
            if credentials.as_deref() == Some("true") {
                return Some(
                    "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: \
                     true`: browsers refuse `*` with credentials"
                        .to_owned(),
                );
            }
        } else if v != request_origin
            && v != "null"
            // `*` is a valid host code point for the URL parser, but no
            // origin has one: `https://*.example.com` is a pattern.
            && (v.contains('*') || Origin::parse_canonical(&v).ok().is_none_or(|o| o.serialize() != v))
        {
            return Some(format!(
                "`Access-Control-Allow-Origin: {v}` is not one serialized origin (scheme, host, \
                 port; no path, no pattern, no list)"
            ));
        }
    }
    match credentials.as_deref() {
        Some("true") | Some("false") | None => None,
        Some(other) => Some(format!(
            "`Access-Control-Allow-Credentials: {other}`: only `true` (lowercase) counts"
        )),
    }
}
