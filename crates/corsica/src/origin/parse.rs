//! Reading `scheme://host[:port]`: the split, then the URL Standard's host
//! parsing through the `url` crate.

use super::{Host, MAX_ORIGIN_LEN, Origin, OriginError, default_port, is_special};

/// The pieces of `scheme://host[:port]` as written.
pub(super) struct Split<'a> {
    pub(super) scheme: &'a str,
    pub(super) host: &'a str,
    /// The digits after `:`, `Some("")` for a bare `:`.
    pub(super) port: Option<&'a str>,
    /// Whether a lone `/` followed.
    pub(super) trailing_slash: bool,
}

/// URL: scheme start state / scheme state: an ASCII alpha, then ASCII
/// alphanumerics, `+`, `-`, `.`.
fn is_url_scheme(scheme: &str) -> bool {
    scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A guess at what was meant by an input without `://`.
pub(super) fn missing_separator_suggestion(input: &str) -> String {
    if let Some((scheme, rest)) = input.split_once(':') {
        let is_scheme = is_url_scheme(scheme);
        let is_port = rest.bytes().all(|b| b.is_ascii_digit());
        if is_scheme && !is_port {
            // `https:example.com`, `https:/example.com`
            return format!("{scheme}://{}", rest.trim_start_matches(['/', '\\']));
        }
    }
    // `example.com`, `localhost:3000`
    format!("https://{input}")
}

pub(super) fn check_len(input: &str) -> Result<(), OriginError> {
    if input.len() > MAX_ORIGIN_LEN {
        return Err(too_long(input));
    }
    Ok(())
}

pub(super) fn too_long(input: &str) -> OriginError {
    OriginError::TooLong {
        prefix: input.chars().take(40).collect(),
        len: input.len(),
    }
}

/// Splits `scheme://host[:port]`, rejecting anything else.
pub(super) fn split(input: &str) -> Result<Split<'_>, OriginError> {
    let owned = || input.to_owned();
    // The first `://` (a byte search: `split_once` with a string pattern
    // sets up a substring searcher, costly on inputs this short).
    let separator = input.as_bytes().windows(3).position(|w| w == b"://");
    let Some((scheme, rest)) = separator.map(|i| (&input[..i], &input[i + 3..])) else {
        return Err(OriginError::MissingSchemeSeparator { input: owned() });
    };
    let valid_scheme = is_url_scheme(scheme);
    if !valid_scheme {
        // `localhost:3000://x` or `a/b://c`: most likely a missing scheme.
        return Err(OriginError::InvalidScheme {
            input: owned(),
            scheme: scheme.to_owned(),
        });
    }
    if scheme.eq_ignore_ascii_case("file") {
        return Err(OriginError::FileScheme { input: owned() });
    }
    let special = is_special(&scheme.to_ascii_lowercase());
    // URL: authority state: the authority ends at `/`, `?`, `#`, and for
    // special URLs also at `\`.
    let end = rest
        .find(|c| matches!(c, '/' | '?' | '#') || (special && c == '\\'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(OriginError::Userinfo { input: owned() });
    }
    match tail.as_bytes().first() {
        None => {}
        Some(b'?') => return Err(OriginError::Query { input: owned() }),
        Some(b'#') => return Err(OriginError::Fragment { input: owned() }),
        // Reported by `build`, once the rest is known to be good, so that
        // the suggestion is a valid origin.
        Some(_) if tail == "/" => {}
        Some(_) => {
            let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
            return Err(OriginError::Path {
                input: owned(),
                path: tail[..path_end].to_owned(),
            });
        }
    }
    // URL: host state: a `:` outside brackets starts the port.
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(close) => {
                let (host, after) = authority.split_at(close + 1);
                match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None if after.is_empty() => (host, None),
                    None => {
                        return Err(OriginError::InvalidHost {
                            input: owned(),
                            host: authority.to_owned(),
                            reason: format!(
                                "unexpected `{after}` after `]`; write `[address]:port`"
                            ),
                        });
                    }
                }
            }
            None => (authority, None),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(OriginError::EmptyHost { input: owned() });
    }
    Ok(Split {
        scheme,
        host,
        port,
        trailing_slash: tail == "/",
    })
}

/// Parses the split pieces into a canonical tuple origin.
pub(super) fn build(input: &str, split: &Split<'_>) -> Result<Origin, OriginError> {
    build_serialized(input, split).map(|(origin, _)| origin)
}

/// [`build`], with the origin's serialization (made anyway, to check its
/// length).
pub(super) fn build_serialized(
    input: &str,
    split: &Split<'_>,
) -> Result<(Origin, String), OriginError> {
    let scheme = split.scheme.to_ascii_lowercase();
    let special = is_special(&scheme);
    let invalid_host = |reason: String| OriginError::InvalidHost {
        input: input.to_owned(),
        host: split.host.to_owned(),
        reason,
    };
    let host = if special {
        // URL: host parser, with isOpaque false.
        match url::Host::parse(split.host) {
            Ok(url::Host::Domain(d)) => Host::Domain(d),
            Ok(url::Host::Ipv4(ip)) => Host::Ipv4(ip),
            Ok(url::Host::Ipv6(ip)) => Host::Ipv6(ip),
            Err(e) => return Err(invalid_host(host_error_reason(e))),
        }
    } else {
        if split
            .host
            .bytes()
            .any(|b| !b.is_ascii_graphic() || b == b'%')
        {
            return Err(invalid_host(format!(
                "non-ASCII, `%`, space and control characters are only supported in http(s), ws(s) and ftp origins; use the host `{scheme}:` URLs are served from, in plain ASCII"
            )));
        }
        // URL: opaque-host parser (we then lowercase, see `Origin::parse`).
        match url::Host::parse_opaque(split.host) {
            Ok(url::Host::Domain(d)) => Host::Domain(d.to_ascii_lowercase()),
            Ok(url::Host::Ipv4(ip)) => Host::Ipv4(ip),
            Ok(url::Host::Ipv6(ip)) => Host::Ipv6(ip),
            Err(e) => return Err(invalid_host(host_error_reason(e))),
        }
    };
    let port = match split.port {
        None | Some("") => None,
        Some(text) => {
            // URL: port state: ASCII digits, value at most 2^16 - 1.
            let invalid = || OriginError::InvalidPort {
                input: input.to_owned(),
                port: text.to_owned(),
            };
            if !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            let digits = text.trim_start_matches('0');
            if digits.len() > 5 {
                return Err(invalid());
            }
            match digits.parse::<u32>() {
                Ok(p @ 1..=65535) => Some(p as u16),
                // Port 0 (or "000"), which the URL parser would accept.
                _ => return Err(invalid()),
            }
        }
    };
    // URL: port state: if port is scheme's default port, set it to null.
    let port = port.filter(|&p| Some(p) != default_port(&scheme));
    if split.trailing_slash {
        return Err(OriginError::TrailingSlash {
            input: input.to_owned(),
            suggestion: input[..input.len() - 1].to_owned(),
        });
    }
    let origin = Origin::Tuple { scheme, host, port };
    // A Unicode host can grow in its punycode form: an input under the
    // limit whose serialization is over it would be an origin that cannot
    // be read back (found by the origin_parse fuzz target). The limit holds
    // for the serialization too.
    let serialized = origin.serialize();
    if serialized.len() > MAX_ORIGIN_LEN {
        return Err(too_long(&serialized));
    }
    Ok((origin, serialized))
}

fn host_error_reason(e: url::ParseError) -> String {
    match e {
        url::ParseError::IdnaError => {
            "not a valid domain name (IDNA processing failed: a forbidden character, or an invalid `xn--` label)".to_owned()
        }
        url::ParseError::InvalidIpv4Address => {
            "it ends in a number, so it must be an IPv4 address, and it is not a valid one".to_owned()
        }
        url::ParseError::InvalidIpv6Address => {
            "not a valid IPv6 address; write it in brackets, e.g. `[::1]`".to_owned()
        }
        url::ParseError::InvalidDomainCharacter => {
            "it contains a character not allowed in a host (one of space # % / : < > ? @ [ \\ ] ^ |)".to_owned()
        }
        url::ParseError::EmptyHost => "the host is empty".to_owned(),
        other => other.to_string(),
    }
}
