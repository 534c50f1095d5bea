//! [`OriginRef`]: a borrowed, checked split of a canonical `Origin`
//! header value, for hot paths.

use std::fmt;
use std::net::Ipv6Addr;

use super::{MAX_ORIGIN_LEN, Origin, OriginError, default_port, default_port_of};

/// Bytes [`OriginRef::parse`] accepts in a non-IPv6 host: ASCII `!` to `~`
/// except uppercase letters and the URL Standard's forbidden domain code
/// points that can appear there (`# % / : < > ? @ [ \ ] ^ |`).
pub(super) const CANONICAL_HOST_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'!';
    while b <= b'~' {
        table[b as usize] = !b.is_ascii_uppercase()
            && !matches!(
                b,
                b'#' | b'%'
                    | b'/'
                    | b':'
                    | b'<'
                    | b'>'
                    | b'?'
                    | b'@'
                    | b'['
                    | b'\\'
                    | b']'
                    | b'^'
                    | b'|'
            );
        b += 1;
    }
    table
};

/// Bytes of a scheme after its first letter: `[a-z0-9+.-]`.
const SCHEME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0u8;
    while b < 128 {
        table[b as usize] =
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'.' | b'-');
        b += 1;
    }
    table
};

/// A cheap, non-allocating split of an `Origin` header value, for hot paths.
/// Accepts only the canonical serialization a browser sends (lowercase ASCII
/// scheme and host, no default port); anything else is `None`.
///
/// Precisely, [`OriginRef::parse`] accepts input of at most
/// [`MAX_ORIGIN_LEN`] bytes that is
///
/// - a scheme `[a-z][a-z0-9+.-]*` other than `file`, then `://`;
/// - a host, one of
///   - `[` canonical IPv6 `]`: lowercase hex, the longest run of two or more
///     zero pieces compressed to `::` (the first such run on a tie), no
///     leading zeros, no dotted-IPv4 tail, as the URL Standard serializes it;
///   - for `http`, `https`, `ws`, `wss` and `ftp`, when the last label
///     (ignoring one trailing dot) is a number (all digits, or `0x` and hex
///     digits): exactly a dotted-decimal IPv4 address with four parts from 0
///     to 255 and no leading zeros;
///   - otherwise one or more bytes from ASCII `!` to `~` except uppercase
///     letters and `# % / : < > ? @ [ \ ] ^ |` (the URL Standard's
///     forbidden domain code points);
/// - optionally `:` and a port: 1 to 5 ASCII digits without a leading zero,
///   1 to 65535, and not the scheme's default port;
/// - and nothing else.
///
/// So `null`, uppercase, a trailing slash, userinfo, default ports and
/// IPv4 shorthand are all `None`. Everything this accepts,
/// [`Origin::parse_canonical`] accepts with the same parts, with one
/// exception: `xn--` labels are not checked to be valid punycode (browsers
/// only send valid ones; use [`Origin::parse`] to validate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OriginRef<'a> {
    // Private to `origin`: a value exists only once `parse` has checked it.
    pub(super) scheme: &'a str,
    pub(super) host: &'a str,
    pub(super) port: Option<u16>,
}

impl<'a> OriginRef<'a> {
    /// The scheme, lowercase, without `://`.
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The host as serialized: a domain, a dotted IPv4 or a bracketed IPv6.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The explicit port, `None` when absent (never the scheme's default).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Splits a canonical origin serialization; see [`OriginRef`] for what
    /// is accepted. Never allocates.
    pub fn parse(value: &'a [u8]) -> Option<OriginRef<'a>> {
        let Checked {
            scheme_len,
            host_len,
            port,
        } = check(value)?;
        // Every byte checked is ASCII (scheme alphabet, `://`, host table or
        // a canonical IPv6 address), so this cannot fail.
        let text = std::str::from_utf8(&value[..scheme_len + 3 + host_len]).ok()?;
        Some(OriginRef {
            scheme: &text[..scheme_len],
            host: &text[scheme_len + 3..],
            port,
        })
    }

    /// Whether [`parse`](Self::parse) accepts `value`, without making the
    /// text of the parts (no UTF-8 pass over the host): for a caller that
    /// only needs to know whether the value is a canonical origin.
    pub(crate) fn is_canonical(value: &[u8]) -> bool {
        check(value).is_some()
    }

    /// The port connections go to: the explicit port, else the scheme's
    /// [`default_port`].
    pub fn effective_port(&self) -> Option<u16> {
        self.port.or_else(|| default_port(self.scheme))
    }

    /// Converts to an owned [`Origin`] by running [`Origin::parse`] on the
    /// parts (which also validates `xn--` labels).
    pub fn to_origin(&self) -> Result<Origin, OriginError> {
        match self.port {
            Some(p) => Origin::parse(&format!("{}://{}:{p}", self.scheme, self.host)),
            None => Origin::parse(&format!("{}://{}", self.scheme, self.host)),
        }
    }
}

/// Where [`check`] found the parts of a canonical origin.
struct Checked {
    scheme_len: usize,
    host_len: usize,
    port: Option<u16>,
}

/// Every rule of [`OriginRef::parse`], on bytes. One pass over the bytes,
/// no substring search: this runs on every CORS request whose origin is not
/// listed byte for byte.
fn check(value: &[u8]) -> Option<Checked> {
    if value.len() > MAX_ORIGIN_LEN || !value.first()?.is_ascii_lowercase() {
        return None;
    }
    // The scheme runs to the first byte outside its alphabet, which must
    // begin `://` (`:` and `/` are outside it, so this is the first `://`).
    let sep = value
        .iter()
        .position(|&b| !SCHEME_BYTE[usize::from(b)])
        .unwrap_or(value.len());
    let (scheme, rest) = value.split_at(sep);
    let rest = rest.strip_prefix(b"://")?;
    if scheme == b"file" {
        return None;
    }
    let (host_len, port_text) = if rest.first() == Some(&b'[') {
        let close = rest.iter().position(|&b| b == b']')?;
        let after = &rest[close + 1..];
        let port = match after {
            [] => None,
            [b':', port @ ..] => Some(port),
            _ => return None,
        };
        (close + 1, port)
    } else {
        // A port has at most 5 digits, so its `:` is among the last 6
        // bytes; any other `:` fails the host check below.
        let tail = rest.len().saturating_sub(6);
        match rest[tail..].iter().rposition(|&b| b == b':') {
            Some(i) => (tail + i, Some(&rest[tail + i + 1..])),
            None => (rest.len(), None),
        }
    };
    let host = &rest[..host_len];
    let default_port = default_port_of(scheme);
    let special = default_port.is_some();
    if host.first() == Some(&b'[') {
        if !std::str::from_utf8(host).is_ok_and(is_canonical_ipv6) {
            return None;
        }
    } else if !is_canonical_host_bytes(host)
        || (special
            && ends_in_a_number(host)
            && !std::str::from_utf8(host).is_ok_and(is_canonical_ipv4))
    {
        return None;
    }
    let port = match port_text {
        None => None,
        Some(b) => {
            if b.is_empty() || b.len() > 5 || b[0] == b'0' {
                return None;
            }
            let mut p: u32 = 0;
            for &d in b {
                if !d.is_ascii_digit() {
                    return None;
                }
                p = p * 10 + u32::from(d - b'0');
            }
            let p = u16::try_from(p).ok()?;
            if special && Some(p) == default_port {
                return None;
            }
            Some(p)
        }
    };
    Some(Checked {
        scheme_len: sep,
        host_len,
        port,
    })
}

/// A non-empty host of [`CANONICAL_HOST_BYTE`]s. First the alphabet of
/// nearly every real host, `[a-z0-9.-]`, as comparisons folded without
/// short-circuiting (fewer instructions per byte than a table lookup); the
/// table only when that fails.
fn is_canonical_host_bytes(host: &[u8]) -> bool {
    !host.is_empty()
        && (host.iter().fold(true, |ok, &b| {
            ok & ((b.wrapping_sub(b'a') < 26)
                | (b.wrapping_sub(b'0') < 10)
                | (b.wrapping_sub(b'-') < 2))
        }) || host
            .iter()
            .fold(true, |ok, &b| ok & CANONICAL_HOST_BYTE[usize::from(b)]))
}

/// URL: "ends in a number checker", for input of allowed host bytes.
///
/// <https://url.spec.whatwg.org/#ends-in-a-number-checker>
fn ends_in_a_number(host: &[u8]) -> bool {
    // Steps 1-2: split on `.`, drop one trailing empty part.
    let host = host.strip_suffix(b".").unwrap_or(host);
    let last = match host.iter().rposition(|&b| b == b'.') {
        Some(dot) => &host[dot + 1..],
        None => host,
    };
    // Step 4: all digits.
    if !last.is_empty() && last.iter().all(u8::is_ascii_digit) {
        return true;
    }
    // Step 5: parses as an IPv4 number (here only hex can remain: octal and
    // decimal are all digits).
    match last
        .strip_prefix(b"0x")
        .or_else(|| last.strip_prefix(b"0X"))
    {
        Some(hex) => hex.iter().all(u8::is_ascii_hexdigit),
        None => false,
    }
}

/// Exactly `a.b.c.d`, each 0..=255 without leading zeros.
pub(super) fn is_canonical_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        let b = part.as_bytes();
        if b.is_empty()
            || b.len() > 3
            || (b.len() > 1 && b[0] == b'0')
            || !b.iter().all(|c| c.is_ascii_digit())
            || part.parse::<u16>().map_or(true, |n| n > 255)
        {
            return false;
        }
    }
    parts == 4
}

/// Whether `host` (with brackets) is the URL Standard's IPv6 serializer
/// output for the address it denotes. Does not allocate.
///
/// <https://url.spec.whatwg.org/#concept-ipv6-serializer>
pub(super) fn is_canonical_ipv6(host: &str) -> bool {
    let Some(text) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
        return false;
    };
    if text.len() > 39
        || !text
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b':'))
    {
        return false;
    }
    let Ok(addr) = text.parse::<Ipv6Addr>() else {
        return false;
    };
    let mut buf = StackBuf::default();
    // The `url` crate's serializer, written to the stack.
    if fmt::Write::write_fmt(&mut buf, format_args!("{}", url::Host::<&str>::Ipv6(addr))).is_err() {
        return false;
    }
    buf.as_bytes() == host.as_bytes()
}

/// A fixed buffer big enough for a bracketed IPv6 serialization (41 bytes).
struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl Default for StackBuf {
    fn default() -> Self {
        StackBuf {
            buf: [0; 48],
            len: 0,
        }
    }
}

impl StackBuf {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
