//! Why a string is not an origin.

use super::MAX_ORIGIN_LEN;
use super::parse::missing_separator_suggestion;
use crate::shorten::{shorten, shorten_quoted};

/// Why a string is not an origin, or (for [`Origin::parse_canonical`]) not
/// one in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// Occurs when the input is empty.
    #[error("empty origin; write `scheme://host[:port]` (e.g. `https://example.com`) or `null`")]
    Empty,
    /// Occurs when the input (for [`Origin::of_url`], its
    /// `scheme://authority` part) is longer than [`MAX_ORIGIN_LEN`] bytes.
    #[error(
        "origin `{prefix}...` is {len} bytes long, over the limit of {max}; an origin is only `scheme://host[:port]`"
    , max = MAX_ORIGIN_LEN, prefix = shorten(.prefix))]
    TooLong {
        /// The first few characters of the input.
        prefix: String,
        /// The length of the input in bytes.
        len: usize,
    },
    /// Occurs when the input has no `://` after the scheme.
    #[error(
        "origin `{input}` has no `://`; write `scheme://host[:port]`, e.g. `{}`",
        shorten(&missing_separator_suggestion(.input)), input = shorten(.input))]
    MissingSchemeSeparator {
        /// The input.
        input: String,
    },
    /// Occurs when the scheme is not ASCII alphanumeric (plus `+ - .`)
    /// starting with a letter.
    #[error(
        "origin `{input}` has an invalid scheme `{scheme}`; a scheme is a letter followed by letters, digits, `+`, `-` or `.`, e.g. `https`", input = shorten(.input), scheme = shorten(.scheme))]
    InvalidScheme {
        /// The input.
        input: String,
        /// The scheme as written.
        scheme: String,
    },
    /// Occurs when the scheme is `file`: file URLs have an opaque origin.
    #[error(
        "origin `{input}` uses the `file` scheme, whose origin is opaque; browsers send `Origin: null` for it, so write `null` (and know that any sandboxed page sends it too)", input = shorten(.input))]
    FileScheme {
        /// The input.
        input: String,
    },
    /// Occurs when the input has userinfo (`user:password@`).
    #[error(
        "origin `{input}` contains userinfo (`...@`); origins never carry credentials: remove everything up to and including the `@`", input = shorten(.input))]
    Userinfo {
        /// The input.
        input: String,
    },
    /// Occurs when the input ends with a lone `/`.
    #[error("origin `{input}` ends with `/`; drop the trailing slash: `{suggestion}`", input = shorten(.input), suggestion = shorten(.suggestion))]
    TrailingSlash {
        /// The input.
        input: String,
        /// The input without the slash.
        suggestion: String,
    },
    /// Occurs when the input has a path other than a lone `/`.
    #[error(
        "origin `{input}` has a path `{path}`; an origin is only scheme, host and port: remove the path", input = shorten(.input), path = shorten(.path))]
    Path {
        /// The input.
        input: String,
        /// The path as written.
        path: String,
    },
    /// Occurs when the input has a query (`?...`).
    #[error(
        "origin `{input}` has a query (`?...`); an origin is only scheme, host and port: remove it", input = shorten(.input))]
    Query {
        /// The input.
        input: String,
    },
    /// Occurs when the input has a fragment (`#...`).
    #[error(
        "origin `{input}` has a fragment (`#...`); an origin is only scheme, host and port: remove it", input = shorten(.input))]
    Fragment {
        /// The input.
        input: String,
    },
    /// Occurs when the host is empty.
    #[error("origin `{input}` has an empty host; write `scheme://host[:port]`", input = shorten(.input))]
    EmptyHost {
        /// The input.
        input: String,
    },
    /// Occurs when the URL host parser rejects the host.
    #[error("origin `{input}` has an invalid host `{host}`: {reason}", input = shorten(.input), host = shorten(.host), reason = shorten_quoted(.reason))]
    InvalidHost {
        /// The input.
        input: String,
        /// The host as written.
        host: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Occurs when the port is not a number from 1 to 65535 (port 0 is
    /// rejected although the URL parser accepts it: no page can be loaded
    /// from port 0, so no browser sends it, and in a policy it is a typo).
    #[error("origin `{input}` has an invalid port `{port}`; a port is a number from 1 to 65535", input = shorten(.input), port = shorten(.port))]
    InvalidPort {
        /// The input.
        input: String,
        /// The port as written.
        port: String,
    },
    /// Occurs (in [`Origin::of_url`]) when the URL parser rejects the input,
    /// or it is longer than [`MAX_URL_LEN`] (then `input` is a prefix).
    #[error("`{input}` is not a valid absolute URL: {reason}", input = shorten(.input), reason = shorten_quoted(.reason))]
    InvalidUrl {
        /// The input.
        input: String,
        /// The URL parser's reason.
        reason: String,
    },
    /// Occurs (in [`Origin::parse_canonical`]) when the scheme or host has
    /// uppercase letters.
    #[error(
        "origin `{input}` is not canonical: browsers send it lowercase; write `{canonical}` instead", input = shorten(.input), canonical = shorten(.canonical))]
    UppercaseOrigin {
        /// The input.
        input: String,
        /// The canonical serialization.
        canonical: String,
    },
    /// Occurs (in [`Origin::parse_canonical`]) when the host is an IDN
    /// written in Unicode (or percent-encoded).
    #[error(
        "origin `{input}` has a non-ASCII or percent-encoded host; browsers send the punycode form: write `{canonical}` instead", input = shorten(.input), canonical = shorten(.canonical))]
    UnicodeHost {
        /// The input.
        input: String,
        /// The canonical serialization.
        canonical: String,
    },
    /// Occurs (in [`Origin::parse_canonical`]) when the scheme's default
    /// port is written out (`:443` on https, `:80` on http).
    #[error(
        "origin `{input}` spells out the scheme's default port, which browsers leave out; write `{canonical}` instead", input = shorten(.input), canonical = shorten(.canonical))]
    DefaultPort {
        /// The input.
        input: String,
        /// The canonical serialization.
        canonical: String,
    },
    /// Occurs (in [`Origin::parse_canonical`]) when an IP address is not in
    /// the form the URL Standard serializes (IPv4 shorthand like `127.1`,
    /// uncompressed or uppercase IPv6).
    #[error(
        "origin `{input}` writes its IP address in a form browsers never send; write `{canonical}` instead", input = shorten(.input), canonical = shorten(.canonical))]
    NonCanonicalIp {
        /// The input.
        input: String,
        /// The canonical serialization.
        canonical: String,
    },
    /// Occurs (in [`Origin::parse_canonical`]) when the input differs from
    /// its serialization in another way (a port with leading zeros, an empty
    /// port after `:`, a percent-encoded host).
    #[error("origin `{input}` is not in canonical form; write `{canonical}` instead", input = shorten(.input), canonical = shorten(.canonical))]
    NonCanonical {
        /// The input.
        input: String,
        /// The canonical serialization.
        canonical: String,
    },
}
