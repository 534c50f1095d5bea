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

/// Which network a host's address belongs to, as Private Network Access
/// classifies IP addresses: the local machine, a private network, or the
/// public internet.
///
/// <https://wicg.github.io/private-network-access/#ip-address-space-section>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AddressSpace {
    /// The machine itself: loopback addresses and `localhost` names.
    Loopback,
    /// A private network: RFC 1918, carrier-grade NAT (RFC 6598) and
    /// link-local IPv4, unique-local and link-local IPv6.
    Private,
    /// Everything else, including every domain other than `localhost`
    /// (what a name resolves to is not known without resolving it).
    Public,
}

impl Host {
    /// The [`AddressSpace`] of this host. Domains are [`AddressSpace::Public`]
    /// unless they are `localhost` names (see [`Host::is_loopback`]); IPv4
    /// mapped into IPv6 (`::ffff:10.0.0.1`) is classified as the IPv4
    /// address.
    ///
    /// <https://wicg.github.io/private-network-access/#ip-address-space-section>
    pub fn address_space(&self) -> AddressSpace {
        fn v4(ip: Ipv4Addr) -> AddressSpace {
            let [a, b, ..] = ip.octets();
            if ip.is_loopback() {
                AddressSpace::Loopback
            } else if ip.is_private()
                || ip.is_link_local()
                // 100.64.0.0/10, carrier-grade NAT.
                || (a == 100 && (64..128).contains(&b))
            {
                AddressSpace::Private
            } else {
                AddressSpace::Public
            }
        }
        match self {
            Host::Domain(_) if self.is_loopback() => AddressSpace::Loopback,
            Host::Domain(_) => AddressSpace::Public,
            Host::Ipv4(ip) => v4(*ip),
            Host::Ipv6(ip) => {
                if let Some(mapped) = ip.to_ipv4_mapped() {
                    return v4(mapped);
                }
                let first = ip.segments()[0];
                if ip.is_loopback() {
                    AddressSpace::Loopback
                } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 {
                    // fc00::/7 unique local, fe80::/10 link-local.
                    AddressSpace::Private
                } else {
                    AddressSpace::Public
                }
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
