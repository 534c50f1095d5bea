//! Which probes to send: origins derived from the trusted origins and the
//! target's own host, each marked with the class it tests.

use std::fmt;

use crate::Origin;
use crate::origin::Host;

use super::Class;

/// A random label for one run's probe origins (`https://<label>.com`,
/// `https://app.example.com.<label>.com`): 4 to 16 lowercase ASCII
/// letters. Drawn anew for each run, it keeps an allowlist from being
/// written against the probes, and a server's logs from confusing two runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label(String);

/// The error of [`Label::new`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("probe label {0:?} is not 4 to 16 lowercase ASCII letters")]
pub struct LabelError(pub String);

impl Label {
    /// The label `s`, if it is 4 to 16 lowercase ASCII letters.
    pub fn new(s: &str) -> Result<Label, LabelError> {
        if (4..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Label(s.to_owned()))
        } else {
            Err(LabelError(s.to_owned()))
        }
    }

    /// Eight letters drawn from `seed` (the caller brings the randomness:
    /// the engine reads no clock and no entropy source).
    pub fn from_seed(seed: u64) -> Label {
        let mut x = seed;
        let mut s = String::with_capacity(8);
        for _ in 0..8 {
            // splitmix64
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            s.push(char::from(b'a' + (z % 26) as u8));
        }
        Label(s)
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number derived from the label, for the parts of probes that are
    /// not letters (private addresses, the dot replacement).
    fn number(&self) -> u64 {
        self.0.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a plan cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Occurs when the target is not an absolute http(s) URL.
    #[error("{0:?} is not an absolute http(s) URL; write it like https://api.example.com/path")]
    InvalidUrl(String),
    /// Occurs when a trusted origin is opaque (`null`).
    #[error("the trusted origin cannot be null; give the origin of the page that calls the API")]
    OpaqueTrusted,
}

/// The preflight part of a probe: `OPTIONS` with these
/// `Access-Control-Request-*` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbePreflight {
    /// `Access-Control-Request-Method`.
    pub method: String,
    /// `Access-Control-Request-Headers` (one lowercase name, or a value
    /// carrying a CR/LF probe).
    pub headers: String,
}

/// One request to send: `GET` (or, with `preflight`, `OPTIONS`) of the
/// target with `Origin: origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The class the probe tests; `None` for a trusted origin's own request
    /// (the baseline the others are compared with).
    pub class: Option<Class>,
    /// The `Origin` header's value (not always a valid origin: some probes
    /// carry what only a lax parser or an old browser accepts). May hold
    /// non-ASCII characters, sent as UTF-8.
    pub origin: String,
    /// `Some` for a preflight.
    pub preflight: Option<ProbePreflight>,
    /// The trusted origin (index into [`Plan::bases`]) the probe was
    /// derived from, when it was.
    pub base: Option<usize>,
}

impl Probe {
    /// The method to send: `GET`, or `OPTIONS` for a preflight.
    pub fn method(&self) -> &'static str {
        if self.preflight.is_some() {
            "OPTIONS"
        } else {
            "GET"
        }
    }

    /// The CORS request headers to send, in order (the caller adds its
    /// own: `Host`, `User-Agent`, cookies).
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![("Origin", self.origin.as_str())];
        if let Some(p) = &self.preflight {
            out.push(("Access-Control-Request-Method", p.method.as_str()));
            out.push(("Access-Control-Request-Headers", p.headers.as_str()));
        }
        out
    }
}

/// An origin the endpoint trusts, split for deriving lookalikes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Base {
    pub(super) origin: Origin,
    pub(super) scheme: String,
    /// The host, serialized.
    pub(super) host: String,
    /// The registrable domain, or the host when it has none.
    pub(super) domain: String,
    /// `:port` when explicit, else empty.
    pub(super) port: String,
    pub(super) is_ip: bool,
}

impl Base {
    fn new(origin: &Origin) -> Option<Base> {
        let host = origin.host()?;
        Some(Base {
            scheme: origin.scheme()?.to_owned(),
            host: host.to_string(),
            domain: origin
                .registrable_domain()
                .map_or_else(|| host.to_string(), str::to_owned),
            port: origin.port().map(|p| format!(":{p}")).unwrap_or_default(),
            is_ip: !matches!(host, Host::Domain(_)),
            origin: origin.clone(),
        })
    }

    /// `scheme://host`.
    pub(super) fn prefix(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

/// Characters a browser (Safari for most, every browser for `_`) accepts
/// in a host and a lax parser may stop at, after CORScanner's and nuclei's
/// lists (`%60` is the backtick as Safari sends it).
const SPECIAL_CHARACTERS: &[&str] = &["_", "`", "%60", "$", "+", "~", "!", "&", "'", ","];

/// Hosts anyone can publish a page on; `{}` is the label. Public-suffix
/// hosting (a subdomain per user) and the code sandboxes CORScanner and
/// CORStest list.
const THIRD_PARTY: &[&str] = &[
    "https://{}.github.io",
    "https://{}.netlify.app",
    "https://{}.s3.amazonaws.com",
    "https://codepen.io",
    "https://jsfiddle.net",
    "https://jsbin.com",
];

/// The most dots of a host replaced, one probe each, for unescaped-dot.
const MAX_DOT_PROBES: usize = 3;

/// The probes for one URL.
#[derive(Clone, Debug)]
pub struct Plan {
    pub(super) target: Origin,
    pub(super) bases: Vec<Base>,
    pub(super) label: Label,
    pub(super) probes: Vec<Probe>,
}

impl Plan {
    /// The probes for `url`, derived from the `trusted` origins (the front
    /// ends known to call it) and from the URL's own origin, with this
    /// run's `label`.
    ///
    /// The first trusted origin (or the URL's, when none is given) is the
    /// main one: the special-character, CR/LF and preflight probes use it.
    pub fn new(url: &str, trusted: &[Origin], label: &Label) -> Result<Plan, PlanError> {
        let parsed = url::Url::parse(url).map_err(|_| PlanError::InvalidUrl(url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(PlanError::InvalidUrl(url.to_owned()));
        }
        let target = Origin::of_parsed(&parsed);
        let mut bases: Vec<Base> = Vec::new();
        for o in trusted.iter().chain(std::iter::once(&target)) {
            if o.is_opaque() {
                return Err(PlanError::OpaqueTrusted);
            }
            if !bases.iter().any(|b| b.origin.is_same_origin(o))
                && let Some(b) = Base::new(o)
            {
                bases.push(b);
            }
        }
        let mut plan = Plan {
            target,
            bases,
            label: label.clone(),
            probes: Vec::new(),
        };
        plan.build();
        Ok(plan)
    }

    fn push(&mut self, class: Option<Class>, origin: String, base: Option<usize>) {
        self.push_probe(Probe {
            class,
            origin,
            preflight: None,
            base,
        });
    }

    fn push_probe(&mut self, probe: Probe) {
        // A probe equal to a trusted origin would test nothing.
        let is_base = probe.class.is_some()
            && probe.preflight.is_none()
            && self
                .bases
                .iter()
                .any(|b| b.origin.serialize() == probe.origin);
        let dup = self
            .probes
            .iter()
            .any(|p| p.origin == probe.origin && p.preflight == probe.preflight);
        if !is_base && !dup {
            self.probes.push(probe);
        }
    }

    fn build(&mut self) {
        let l = self.label.as_str().to_owned();
        let n = self.label.number();
        let main = self.bases[0].clone();
        let scheme = main.scheme.clone();

        // The trusted origins' own requests.
        for i in 0..self.bases.len() {
            let o = self.bases[i].origin.serialize();
            self.push(None, o, Some(i));
        }
        self.push(
            Some(Class::ReflectedOrigin),
            format!("{scheme}://{l}.com"),
            None,
        );
        self.push(Some(Class::NullOrigin), "null".to_owned(), None);

        for (i, b) in self.bases.clone().iter().enumerate() {
            let (s, h, d, p) = (&b.scheme, &b.host, &b.domain, &b.port);
            self.push(
                Some(Class::PrefixMatch),
                format!("{s}://{h}.{l}.com{p}"),
                Some(i),
            );
            self.push(
                Some(Class::SuffixMatch),
                format!("{s}://{l}{d}{p}"),
                Some(i),
            );
            self.push(
                Some(Class::SubstringMatch),
                format!("{s}://{l}{h}{l}.com{p}"),
                Some(i),
            );
            // The trusted host cut short: a server testing whether its
            // allowlist *contains* the origin (`"https://example.com"
            // .includes(origin)`) lets `https://example.co` in.
            if h.len() > 3 && !b.is_ip {
                let mut cut = h.clone();
                cut.pop();
                self.push(
                    Some(Class::SubstringMatch),
                    format!("{s}://{cut}{p}"),
                    Some(i),
                );
            }
            if !b.is_ip {
                // One dot at a time, from the left: `apiXexample.com`,
                // `api.exampleXcom`.
                let letter = char::from(b'a' + (n % 26) as u8);
                for (at, _) in h.match_indices('.').take(MAX_DOT_PROBES) {
                    let mut host = h.clone();
                    host.replace_range(at..=at, &letter.to_string());
                    self.push(
                        Some(Class::UnescapedDot),
                        format!("{s}://{host}{p}"),
                        Some(i),
                    );
                }
                self.push(
                    Some(Class::AnySubdomain),
                    format!("{s}://{l}.{h}{p}"),
                    Some(i),
                );
                if d != h {
                    self.push(
                        Some(Class::AnySubdomain),
                        format!("{s}://{l}.{d}{p}"),
                        Some(i),
                    );
                }
            }
            if s == "https" {
                self.push(
                    Some(Class::InsecureOrigin),
                    format!("http://{h}{p}"),
                    Some(i),
                );
            }
        }

        for c in SPECIAL_CHARACTERS {
            let (s, h, p) = (&main.scheme, &main.host, &main.port);
            self.push(
                Some(Class::SpecialCharacters),
                format!("{s}://{h}{c}.{l}.com{p}"),
                Some(0),
            );
        }
        for t in THIRD_PARTY {
            self.push(Some(Class::ThirdPartyOrigin), t.replace("{}", &l), None);
        }
        // Development leftovers and any private address a pattern lets in.
        let (a, b, c) = ((n >> 8) % 254 + 1, (n >> 16) % 254 + 1, (n >> 24) % 254 + 1);
        for o in [
            "http://localhost".to_owned(),
            "http://localhost:3000".to_owned(),
            "http://127.0.0.1".to_owned(),
            "http://127.0.0.1:8080".to_owned(),
            format!("http://192.168.{a}.{b}"),
            format!("http://10.{a}.{b}.{c}"),
        ] {
            self.push(Some(Class::PrivateOrigin), o, None);
        }

        // CR/LF: percent-encoded (a server that decodes before echoing),
        // and U+560D U+560A, whose low bytes are CR and LF (a server that
        // writes each character as one byte, as Node did before 2019).
        let marker = format!("X-Corsica-{l}");
        self.push(
            Some(Class::CrlfInjection),
            format!("{scheme}://{l}.com%0d%0a{marker}:%20injected"),
            None,
        );
        self.push(
            Some(Class::CrlfInjection),
            format!("{scheme}://{l}.com\u{560d}\u{560a}{marker}: injected"),
            None,
        );
        let main_origin = main.origin.serialize();
        self.push_probe(Probe {
            class: Some(Class::CrlfInjection),
            origin: main_origin.clone(),
            preflight: Some(ProbePreflight {
                method: "PUT".to_owned(),
                headers: format!("x-corsica-{l}%0d%0a{marker}:%20injected"),
            }),
            base: Some(0),
        });

        // Preflights: from the main trusted origin, a method and a header
        // nobody lists (only an echo or `*` lets them); from a made-up
        // origin, an ordinary PUT.
        self.push_probe(Probe {
            class: Some(Class::PermissivePreflight),
            origin: main_origin,
            preflight: Some(ProbePreflight {
                method: l.to_ascii_uppercase(),
                headers: format!("x-corsica-{l}"),
            }),
            base: Some(0),
        });
        self.push_probe(Probe {
            class: Some(Class::ReflectedOrigin),
            origin: format!("{scheme}://{l}.com"),
            preflight: Some(ProbePreflight {
                method: "PUT".to_owned(),
                headers: "content-type".to_owned(),
            }),
            base: None,
        });
    }

    /// The probes, in the order to report them (send them in any order).
    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }

    /// The origin of the URL audited.
    pub fn target(&self) -> &Origin {
        &self.target
    }

    /// The trusted origins probes were derived from: those given, then the
    /// URL's own origin (when it is not one of them).
    pub fn bases(&self) -> impl Iterator<Item = &Origin> {
        self.bases.iter().map(|b| &b.origin)
    }

    /// This run's label.
    pub fn label(&self) -> &Label {
        &self.label
    }

    /// The name of the header a CR/LF probe smuggles in, lowercase.
    pub(super) fn marker(&self) -> String {
        format!("x-corsica-{}", self.label.as_str())
    }
}
