//! Which route a request takes: by host, then by the longest path prefix.

use crate::config::Route;

/// The host part of a `Host` header or URI authority: without port, and
/// without the brackets of an IPv6 literal.
pub(crate) fn host_without_port(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Whether `prefix` (normalized: `/` or without trailing slash) covers
/// `path` on a segment boundary: `/api` covers `/api` and `/api/x`, not
/// `/apix`.
pub(crate) fn prefix_matches(prefix: &str, path: &str) -> bool {
    if prefix == "/" {
        return true;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// The index of the route for `host` and `path`: the longest prefix among
/// the routes naming that host, else the longest among the routes for any
/// host.
pub(crate) fn best_route(routes: &[Route], host: Option<&str>, path: &str) -> Option<usize> {
    let host = host.map(host_without_port);
    let mut named: Option<(usize, usize)> = None;
    let mut any: Option<(usize, usize)> = None;
    for (i, route) in routes.iter().enumerate() {
        if !prefix_matches(&route.path, path) {
            continue;
        }
        let slot = match (&route.host, host) {
            (Some(h), Some(req)) if h.eq_ignore_ascii_case(req) => &mut named,
            (Some(_), _) => continue,
            (None, _) => &mut any,
        };
        let len = route.path.len();
        if slot.is_none_or(|(_, best)| len > best) {
            *slot = Some((i, len));
        }
    }
    named.or(any).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_is_removed() {
        assert_eq!(host_without_port("a.com:8080"), "a.com");
        assert_eq!(host_without_port("a.com"), "a.com");
        assert_eq!(host_without_port("[::1]:80"), "::1");
        assert_eq!(host_without_port("[::1]"), "::1");
    }

    #[test]
    fn prefixes_match_on_segment_boundaries() {
        assert!(prefix_matches("/", "/anything"));
        assert!(prefix_matches("/api", "/api"));
        assert!(prefix_matches("/api", "/api/"));
        assert!(prefix_matches("/api", "/api/items"));
        assert!(!prefix_matches("/api", "/apix"));
        assert!(!prefix_matches("/api", "/"));
    }
}
