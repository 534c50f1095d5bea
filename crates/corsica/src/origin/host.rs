//! The host of a tuple origin.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A host of a tuple origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A domain, ASCII lowercase; IDNs are in punycode (`xn--`) form. For
    /// non-special schemes this is the URL Standard's opaque host (see
    /// [`Origin::parse`] for how we restrict and lowercase it).
    Domain(String),
    /// An IPv4 address (special schemes only).
    Ipv4(Ipv4Addr),
    /// An IPv6 address, serialized in brackets.
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Whether this host is a loopback address (`127.0.0.0/8`, `::1`) or the
    /// name `localhost` or a name ending in `.localhost` (trailing dot
    /// allowed).
    ///
    /// <https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6(ip) => ip.is_loopback(),
            Host::Domain(d) => {
                let d = d.strip_suffix('.').unwrap_or(d);
                d == "localhost" || d.ends_with(".localhost")
            }
        }
    }
}

impl fmt::Display for Host {
    /// The URL Standard host serializer: IPv6 in brackets, compressed the
    /// RFC 5952 way, never in dotted-IPv4 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(ip) => ip.fmt(f),
            Host::Ipv6(ip) => url::Host::<&str>::Ipv6(*ip).fmt(f),
        }
    }
}
