//! Origins as the URL and HTML Standards define them.
//!
//! INTERFACE STUB, to be implemented: see the doc of each item for the contract.
#![allow(missing_docs, unused_variables)]

use std::net::{Ipv4Addr, Ipv6Addr};

/// A host of a tuple origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// An ASCII domain, lowercase, punycode (`xn--`) for IDNs.
    Domain(String),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

/// An origin: opaque (`null`) or a (scheme, host, port) tuple.
///
/// <https://html.spec.whatwg.org/multipage/browsers.html#concept-origin>
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An opaque origin, serialized `null`. Two opaque origins compare equal
    /// here (we have no identity for them); `same_origin` treats them as never
    /// same-origin with anything.
    Opaque,
    /// A tuple origin. `port` is `None` when it is the scheme's default port.
    Tuple { scheme: String, host: Host, port: Option<u16> },
}

/// Why a string is not an origin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    #[error("stub")]
    Stub,
}

impl Origin {
    /// Parses an `Origin` header value or an origin written in a policy:
    /// `null`, or `scheme "://" host [ ":" port ]` and nothing else.
    /// Lenient about case and IDN (it normalizes the way the URL parser
    /// does); rejects paths, queries, fragments, userinfo, bad ports.
    pub fn parse(input: &str) -> Result<Origin, OriginError> {
        todo!()
    }
    /// The origin of an absolute URL (URL Standard "origin" of a URL).
    pub fn of_url(url: &str) -> Result<Origin, OriginError> {
        todo!()
    }
    /// ASCII serialization (`null` for opaque, default port elided).
    pub fn serialize(&self) -> String {
        todo!()
    }
    pub fn is_same_origin(&self, other: &Origin) -> bool {
        todo!()
    }
    pub fn is_same_site(&self, other: &Origin) -> bool {
        todo!()
    }
}

/// A cheap, non-allocating split of an `Origin` header value, for hot paths.
/// Accepts only the canonical serialization a browser sends (lowercase ASCII
/// scheme and host, no default port); anything else is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OriginRef<'a> {
    pub scheme: &'a str,
    /// Host as serialized: a domain, a dotted IPv4 or a bracketed IPv6.
    pub host: &'a str,
    /// Explicit port, `None` when absent.
    pub port: Option<u16>,
}

impl<'a> OriginRef<'a> {
    pub fn parse(value: &'a [u8]) -> Option<OriginRef<'a>> {
        todo!()
    }
}
