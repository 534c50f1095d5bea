//! Origins as the URL and HTML Standards define them.
//!
//! An [`Origin`] is either opaque (serialized `null`) or a
//! (scheme, host, port) tuple. [`Origin::parse`] reads what a browser puts in
//! the `Origin` request header, or what a person writes in a policy, and
//! normalizes it the way the URL parser does (lowercase scheme and host, IDNs
//! to punycode, IPv4 shorthand expanded, default port dropped).
//! [`Origin::parse_canonical`] additionally insists that the input already
//! is in that form, and says what to write instead. [`OriginRef::parse`] is a
//! cheap, non-allocating split of the canonical form for hot paths.
//!
//! ```
//! use corsica::origin::{Origin, OriginError};
//!
//! let o = Origin::parse("HTTPS://Bücher.example:443")?;
//! assert_eq!(o.serialize(), "https://xn--bcher-kva.example");
//! assert!(o.is_same_site(&Origin::parse("https://www.xn--bcher-kva.example")?));
//!
//! let err = Origin::parse_canonical("https://Bücher.example").unwrap_err();
//! assert!(matches!(err, OriginError::UnicodeHost { .. }));
//! assert!(Origin::parse("https://example.com/").is_err()); // a trailing slash
//! # Ok::<(), OriginError>(())
//! ```
//!
//! References: <https://html.spec.whatwg.org/multipage/browsers.html#origin>,
//! <https://url.spec.whatwg.org/#host-parsing>,
//! [MDN `Origin`](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Origin).

use std::fmt;

/// The longest input, in bytes, that [`Origin::parse`], [`Origin::of_url`]
/// and [`OriginRef::parse`] look at; longer input is rejected unread.
///
/// DNS caps a name at 253 octets; a Unicode host written in UTF-8 may take
/// up to four bytes per code point before it is turned into punycode, and a
/// scheme and a port add a few more. 2048 bytes leaves room for all of that
/// (and for `Origin::of_url` paths of ordinary length) while bounding the work
/// hostile input can cause (IDNA processing is the costly step).
pub const MAX_ORIGIN_LEN: usize = 2048;

/// The longest URL, in bytes, that [`Origin::of_url`] reads: Chromium's
/// limit (`url::kMaxURLChars`, 2 MiB). Its authority (`scheme://` up to the
/// first `/`, `?` or `#`) is further held to [`MAX_ORIGIN_LEN`].
pub const MAX_URL_LEN: usize = 2 * 1024 * 1024;

mod error;
mod host;
mod origin_ref;
mod parse;

pub use error::OriginError;
pub use host::{AddressSpace, Host};
pub use origin_ref::OriginRef;
use parse::{Split, build, check_len, split, too_long};

/// The identity of an opaque origin. Only [`Origin::new_opaque`] makes
/// one, each different from every other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpaqueId(u64);

impl OpaqueId {
    fn next() -> OpaqueId {
        // A counter, not an address or a clock: the engine owns no I/O.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        OpaqueId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// An origin: opaque (`null`) or a (scheme, host, port) tuple.
///
/// <https://html.spec.whatwg.org/multipage/browsers.html#concept-origin>
///
/// Values made by [`Origin::parse`] are canonical: the scheme is lowercase
/// and `port` is `None` when it is the scheme's default port. Build
/// `Origin::Tuple` by hand only with the same invariants.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// An opaque origin, serialized `null`. Each has an identity: a copy
    /// (`clone`) is the same opaque origin, equal and same-origin with it;
    /// two opaque origins made apart (two `null` headers, two sandboxed
    /// documents) are neither, as HTML says.
    Opaque(OpaqueId),
    /// A tuple origin. `port` is `None` when it is the scheme's default port.
    Tuple {
        /// The scheme, ASCII lowercase, without `:`.
        scheme: String,
        /// The host.
        host: Host,
        /// The port, `None` when it is the scheme's default port (or the
        /// scheme has none and none was given).
        port: Option<u16>,
    },
}

/// The default port of a URL Standard special scheme: `http` and `ws` 80,
/// `https` and `wss` 443, `ftp` 21; `None` for any other scheme.
///
/// <https://url.spec.whatwg.org/#default-port>
pub fn default_port(scheme: &str) -> Option<u16> {
    default_port_of(scheme.as_bytes())
}

/// [`default_port`] on bytes (for parsers that have not made text yet).
pub(super) fn default_port_of(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

/// <https://url.spec.whatwg.org/#special-scheme> (minus `file`, which never
/// reaches the host code here).
fn is_special(scheme: &str) -> bool {
    default_port(scheme).is_some()
}

impl Origin {
    /// Parses an `Origin` header value or an origin written in a policy:
    /// `null`, or `scheme "://" host [ ":" port ]` and nothing else.
    /// Lenient about case and IDN (it normalizes the way the URL parser
    /// does); rejects paths, queries, fragments, userinfo, bad ports.
    ///
    /// - `null`, in any case, is [`Origin::Opaque`] (browsers send it
    ///   lowercase; [`Origin::parse_canonical`] insists on that).
    /// - Special schemes (`http`, `https`, `ws`, `wss`, `ftp`): the host goes
    ///   through the URL Standard host parser (percent-decoding, IDNA to
    ///   punycode, IPv4 in any of its shorthand forms, bracketed IPv6).
    /// - `file` is rejected: its origin is opaque ([`OriginError::FileScheme`]).
    /// - Any other scheme (`chrome-extension://id`, `tauri://localhost`,
    ///   `moz-extension://uuid`) is a tuple origin with the URL Standard's
    ///   opaque host, as Chromium treats schemes registered as standard.
    ///   Where we depart from the URL Standard (which keeps an opaque host's
    ///   case, and gives such URLs an opaque origin): the host is ASCII
    ///   lowercased, as browsers canonicalize these hosts, and non-ASCII or
    ///   `%` in it is rejected rather than percent-encoded.
    /// - A port is ASCII digits, leading zeros allowed, 1 to 65535; port 0 is
    ///   rejected ([`OriginError::InvalidPort`]); the default port is dropped.
    ///   A bare `:` with no digits is accepted as the URL parser does.
    /// - Input longer than [`MAX_ORIGIN_LEN`] bytes is rejected unread.
    pub fn parse(input: &str) -> Result<Origin, OriginError> {
        check_len(input)?;
        if input.is_empty() {
            return Err(OriginError::Empty);
        }
        if input.eq_ignore_ascii_case("null") {
            return Ok(Origin::new_opaque());
        }
        let split = split(input)?;
        build(input, &split)
    }

    /// [`Origin::parse`], with the origin's serialization.
    pub(crate) fn parse_serialized(input: &str) -> Result<(Origin, String), OriginError> {
        check_len(input)?;
        if input.is_empty() {
            return Err(OriginError::Empty);
        }
        if input.eq_ignore_ascii_case("null") {
            return Ok((Origin::new_opaque(), "null".to_owned()));
        }
        let split = split(input)?;
        parse::build_serialized(input, &split)
    }

    /// Like [`Origin::parse`], and additionally fails when `input` is not
    /// byte-identical to its own serialization, with an error that carries
    /// the canonical form to write instead (checked in this order:
    /// [`OriginError::UnicodeHost`], [`OriginError::NonCanonicalIp`],
    /// [`OriginError::UppercaseOrigin`], [`OriginError::DefaultPort`],
    /// [`OriginError::NonCanonical`]). This is the form browsers send, so
    /// an origin that passes here matches `Origin` headers byte for byte.
    pub fn parse_canonical(input: &str) -> Result<Origin, OriginError> {
        check_len(input)?;
        if input.is_empty() {
            return Err(OriginError::Empty);
        }
        if input == "null" {
            return Ok(Origin::new_opaque());
        }
        if input.eq_ignore_ascii_case("null") {
            return Err(OriginError::UppercaseOrigin {
                input: input.to_owned(),
                canonical: "null".to_owned(),
            });
        }
        let split = split(input)?;
        let origin = build(input, &split)?;
        let canonical = origin.serialize();
        if canonical == input {
            return Ok(origin);
        }
        let input = input.to_owned();
        let Origin::Tuple { scheme, host, port } = &origin else {
            // `split` only succeeds for tuple origins.
            return Ok(origin);
        };
        if !split.host.is_ascii() || (is_special(scheme) && split.host.contains('%')) {
            return Err(OriginError::UnicodeHost { input, canonical });
        }
        if matches!(host, Host::Ipv4(_) | Host::Ipv6(_)) && split.host != host.to_string() {
            return Err(OriginError::NonCanonicalIp { input, canonical });
        }
        if split.scheme.bytes().any(|b| b.is_ascii_uppercase())
            || split.host.bytes().any(|b| b.is_ascii_uppercase())
        {
            return Err(OriginError::UppercaseOrigin { input, canonical });
        }
        if port.is_none() && split.port.is_some_and(|p| !p.is_empty()) {
            return Err(OriginError::DefaultPort { input, canonical });
        }
        Err(OriginError::NonCanonical { input, canonical })
    }

    /// The origin of an absolute URL (URL Standard "origin" of a URL).
    ///
    /// <https://url.spec.whatwg.org/#concept-url-origin>
    ///
    /// `blob:` URLs take the origin of the URL inside them when it is http(s)
    /// and are opaque otherwise; `file:` URLs and URLs without a host
    /// (`data:`, `about:blank`, `javascript:`) are opaque. Like
    /// [`Origin::parse`], and unlike the URL Standard, a non-special URL with
    /// a host (`chrome-extension://id/page.html`) has a tuple origin. Userinfo,
    /// path, query and fragment are ignored. Fails on input the URL parser
    /// rejects, on a host [`Origin::parse`] would reject, and on input longer
    /// than [`MAX_URL_LEN`] or whose `scheme://authority` is longer than
    /// [`MAX_ORIGIN_LEN`].
    pub fn of_url(url: &str) -> Result<Origin, OriginError> {
        if url.len() > MAX_URL_LEN {
            return Err(OriginError::InvalidUrl {
                input: format!("{}...", url.chars().take(40).collect::<String>()),
                reason: format!(
                    "it is {} bytes long, over the limit of {MAX_URL_LEN}",
                    url.len()
                ),
            });
        }
        // Hold the authority to the origin limit before the URL parser (and
        // IDNA) sees it; `blob:` URLs nest one, and the first `://` is it.
        if let Some(sep) = url.find("://") {
            let rest = &url[sep + 3..];
            let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
            if sep + 3 + end > MAX_ORIGIN_LEN {
                return Err(too_long(url));
            }
        }
        let parsed = url::Url::parse(url).map_err(|e| OriginError::InvalidUrl {
            input: url.to_owned(),
            reason: e.to_string(),
        })?;
        Origin::of_parsed_url(url, &parsed)
    }

    /// The origin of a URL already parsed; opaque when [`Origin::of_url`]
    /// would fail on its text. For the special schemes the URL parser has
    /// already done the host's work, so nothing is parsed again.
    pub fn of_parsed(url: &url::Url) -> Origin {
        match (url.scheme(), url.host()) {
            (scheme @ ("http" | "https" | "ws" | "wss" | "ftp"), Some(host)) => Origin::Tuple {
                scheme: scheme.to_owned(),
                host: match host {
                    url::Host::Domain(d) => Host::Domain(d.to_owned()),
                    url::Host::Ipv4(ip) => Host::Ipv4(ip),
                    url::Host::Ipv6(ip) => Host::Ipv6(ip),
                },
                // `Url::port` is `None` for the scheme's default port.
                port: url.port(),
            },
            _ => Origin::of_parsed_url(url.as_str(), url).unwrap_or_else(|_| Origin::new_opaque()),
        }
    }

    /// A new opaque origin, different from every other (HTML: "a new
    /// opaque origin").
    pub fn new_opaque() -> Origin {
        Origin::Opaque(OpaqueId::next())
    }

    fn of_parsed_url(input: &str, url: &url::Url) -> Result<Origin, OriginError> {
        match url.scheme() {
            // URL origin: "blob": if pathURL's scheme is http or https, return
            // pathURL's origin; otherwise a new opaque origin.
            "blob" => match url::Url::parse(url.path()) {
                Ok(inner) if matches!(inner.scheme(), "http" | "https") => {
                    Origin::of_parsed_url(input, &inner)
                }
                _ => Ok(Origin::new_opaque()),
            },
            // URL origin: "file": implementation-defined; browsers use opaque.
            "file" => Ok(Origin::new_opaque()),
            scheme => {
                let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
                    return Ok(Origin::new_opaque());
                };
                let port = url.port().filter(|&p| Some(p) != default_port(scheme));
                let port_text = port.map(|p| p.to_string());
                let split = Split {
                    scheme,
                    host,
                    port: port_text.as_deref(),
                    trailing_slash: false,
                };
                build(input, &split)
            }
        }
    }

    /// ASCII serialization (`null` for opaque, default port elided).
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>
    pub fn serialize(&self) -> String {
        match self {
            // The common case without the formatting machinery.
            Origin::Tuple {
                scheme,
                host: Host::Domain(host),
                port,
            } => {
                let mut out = String::with_capacity(scheme.len() + 3 + host.len() + 6);
                out.push_str(scheme);
                out.push_str("://");
                out.push_str(host);
                if let Some(p) = port {
                    out.push(':');
                    push_port(&mut out, *p);
                }
                out
            }
            _ => self.to_string(),
        }
    }

    /// Whether the two origins are the same origin: equal schemes, hosts and
    /// ports for tuple origins.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#same-origin>
    ///
    /// An opaque origin is same-origin only with itself (a copy of it); two
    /// `null` headers parsed apart are two opaque origins, never same-origin.
    pub fn is_same_origin(&self, other: &Origin) -> bool {
        match (self, other) {
            // HTML: same origin, step 1: A and B are the same opaque origin.
            (Origin::Opaque(a), Origin::Opaque(b)) => a == b,
            (Origin::Tuple { .. }, Origin::Tuple { .. }) => {
                // Compare effective ports so a hand-built `Some(443)` on
                // https equals `None`.
                self.scheme() == other.scheme()
                    && self.host() == other.host()
                    && self.effective_port() == other.effective_port()
            }
            _ => false,
        }
    }

    /// Whether the two origins are same site: both tuple origins with the
    /// same scheme and either the same registrable domain, or, when there is
    /// none (IP addresses, `localhost`, single labels, public suffixes
    /// themselves), the same host. An opaque origin is same site only with
    /// itself.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#same-site>
    pub fn is_same_site(&self, other: &Origin) -> bool {
        // HTML: same site, step 1: A and B are the same opaque origin; step
        // 2: A is schemelessly same site with B, and both are tuple origins
        // with the same scheme.
        match (self, other) {
            (Origin::Opaque(a), Origin::Opaque(b)) => a == b,
            (
                Origin::Tuple {
                    scheme: sa,
                    host: ha,
                    ..
                },
                Origin::Tuple {
                    scheme: sb,
                    host: hb,
                    ..
                },
            ) => {
                if sa != sb {
                    return false;
                }
                // HTML: schemelessly same site, steps 2.3 and 2.4.
                match (self.registrable_domain(), other.registrable_domain()) {
                    (None, _) => ha == hb,
                    (Some(a), Some(b)) => a == b,
                    (Some(_), None) => false,
                }
            }
            // HTML: schemelessly same site, step 1: an opaque origin is same
            // site only when same origin, which it never is here.
            _ => false,
        }
    }

    /// The registrable domain of the host (the public suffix plus one label),
    /// per the Public Suffix List as the `psl` crate ships it, including its
    /// private section (`github.io`) and the implicit `*` rule (so
    /// `a.localhost` has registrable domain `a.localhost`). `None` for opaque
    /// origins, IP addresses, hosts that are a public suffix themselves,
    /// single labels, hosts with an empty label (`a..com`), and hosts of
    /// non-special schemes. A trailing dot is kept, as the URL Standard
    /// keeps it.
    ///
    /// <https://url.spec.whatwg.org/#host-registrable-domain>
    pub fn registrable_domain(&self) -> Option<&str> {
        let Origin::Tuple {
            scheme,
            host: Host::Domain(d),
            ..
        } = self
        else {
            return None;
        };
        if !is_special(scheme) {
            return None;
        }
        // The URL Standard accepts empty labels (`a..com`, `.com`, `a.com..`)
        // but no DNS name has them; we give them no registrable domain so
        // such hosts are same site only with themselves.
        let name = d.strip_suffix('.').unwrap_or(d);
        if name.is_empty() || name.starts_with('.') || name.ends_with('.') || name.contains("..") {
            return None;
        }
        let found = psl::domain(d.as_bytes())?;
        let len = found.as_bytes().len();
        // `psl` returns a tail of its input; take the same tail of ours.
        d.get(d.len().checked_sub(len)?..)
            .filter(|tail| tail.as_bytes() == found.as_bytes())
    }

    /// The scheme, `None` for an opaque origin.
    pub fn scheme(&self) -> Option<&str> {
        match self {
            Origin::Tuple { scheme, .. } => Some(scheme),
            Origin::Opaque(_) => None,
        }
    }

    /// The host, `None` for an opaque origin.
    pub fn host(&self) -> Option<&Host> {
        match self {
            Origin::Tuple { host, .. } => Some(host),
            Origin::Opaque(_) => None,
        }
    }

    /// The explicit port (`None` when it is the default port, or for an
    /// opaque origin).
    pub fn port(&self) -> Option<u16> {
        match self {
            Origin::Tuple { port, .. } => *port,
            Origin::Opaque(_) => None,
        }
    }

    /// The port connections go to: the explicit port, else the scheme's
    /// [`default_port`]; `None` for opaque origins and for non-special
    /// schemes without an explicit port.
    pub fn effective_port(&self) -> Option<u16> {
        match self {
            Origin::Tuple { scheme, port, .. } => port.or_else(|| default_port(scheme)),
            Origin::Opaque(_) => None,
        }
    }

    /// Whether this is an opaque origin.
    pub fn is_opaque(&self) -> bool {
        matches!(self, Origin::Opaque(_))
    }

    /// Whether the origin is potentially trustworthy: scheme `https` or
    /// `wss`, or a loopback host (`127.0.0.0/8`, `::1`, `localhost`,
    /// `*.localhost`) with any scheme. Opaque origins are not.
    ///
    /// <https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>
    pub fn is_potentially_trustworthy(&self) -> bool {
        match self {
            Origin::Opaque(_) => false,
            Origin::Tuple { scheme, host, .. } => {
                // Secure Contexts: "Is origin potentially trustworthy?" steps 3-6.
                matches!(scheme.as_str(), "https" | "wss") || host.is_loopback()
            }
        }
    }
}

/// Appends a port in decimal (what `{port}` formats, without the
/// formatter).
pub(crate) fn push_port(out: &mut String, port: u16) {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    let mut n = port;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

impl fmt::Display for Origin {
    /// The ASCII serialization, as [`Origin::serialize`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // HTML: ASCII serialization of an origin, step 1.
            Origin::Opaque(_) => f.write_str("null"),
            Origin::Tuple { scheme, host, port } => {
                write!(f, "{scheme}://{host}")?;
                match port {
                    Some(p) => write!(f, ":{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::str::FromStr for Origin {
    type Err = OriginError;
    /// [`Origin::parse`].
    fn from_str(s: &str) -> Result<Origin, OriginError> {
        Origin::parse(s)
    }
}

impl serde::Serialize for Origin {
    /// Serializes as the string [`Origin::serialize`] returns.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Origin {
    /// Deserializes a string with the lenient [`Origin::parse`]; the error
    /// message is the [`OriginError`]'s. Validate with
    /// [`Origin::parse_canonical`] yourself when the canonical form matters.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Origin, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Origin::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
