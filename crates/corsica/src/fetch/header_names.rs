//! The header names WebKit and the GTK port's libsoup know, with their
//! spellings: they decide where a script's header goes on the wire and how
//! WebKit names it in a console message.
//!
//! WebCore keeps a request's headers in an `HTTPHeaderMap` whose names it
//! knows (`HTTPHeaderNames.in`) come before the others, and stores a known
//! name in its own spelling (`accept` → `Accept`). libsoup 3 keeps the names
//! of its `soup-header-names.in` in a list of their own, written before the
//! others, and also writes them in its own spelling. Observed in WebKitGTK
//! 2.50 with libsoup 3.2 (`conformance/webkit-findings.md` §2).

/// The names WebCore knows (`Source/WebCore/platform/network/
/// HTTPHeaderNames.in`), as it spells them. Sorted by lowercase name.
const WEBCORE: [&str; 88] = [
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Accept-Ranges",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Method",
    "Age",
    "Authorization",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Range",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Content-Type",
    "Cookie",
    "Cookie2",
    "Cross-Origin-Resource-Policy",
    "Date",
    "Default-Style",
    "DNT",
    "ETag",
    "Expect",
    "Expires",
    "Host",
    "Icy-Metadata",
    "Icy-MetaInt",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Keep-Alive",
    "Last-Event-ID",
    "Last-Modified",
    "Link",
    "Location",
    "Origin",
    "Ping-From",
    "Ping-To",
    "Pragma",
    "Proxy-Authorization",
    "Purpose",
    "Range",
    "Referer",
    "Referrer-Policy",
    "Refresh",
    "Sec-Fetch-Dest",
    "Sec-Fetch-Mode",
    "Sec-Fetch-Site",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Version",
    "Server-Timing",
    "Service-Worker",
    "Service-Worker-Allowed",
    "Set-Cookie",
    "Set-Cookie2",
    "SourceMap",
    "TE",
    "Timing-Allow-Origin",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Upgrade-Insecure-Requests",
    "User-Agent",
    "Vary",
    "Via",
    "X-Content-Type-Options",
    "X-DNS-Prefetch-Control",
    "X-Frame-Options",
    "X-SourceMap",
    "X-Temp-Tablet",
    "X-WebKit-CSP",
    "X-WebKit-CSP-Report-Only",
    "X-XSS-Protection",
];

/// The names libsoup 3 knows (`libsoup/soup-header-names.in`) and WebCore
/// does not, as it spells them. Sorted by lowercase name.
const LIBSOUP_ONLY: [&str; 6] = [
    "Authentication-Info",
    "Content-Location",
    "Proxy-Authenticate",
    "Proxy-Authentication-Info",
    "Server",
    "WWW-Authenticate",
];

/// Names WebCore knows that libsoup does not (they go with the unknown
/// names on the wire, in WebCore's spelling).
const WEBCORE_ONLY: [&str; 7] = [
    "Icy-Metadata",
    "Icy-MetaInt",
    "Sec-Fetch-Dest",
    "Sec-Fetch-Mode",
    "Sec-Fetch-Site",
    "X-WebKit-CSP",
    "X-WebKit-CSP-Report-Only",
];

fn find(table: &[&'static str], name: &str) -> Option<&'static str> {
    table
        .binary_search_by(|probe| {
            probe
                .bytes()
                .map(|b| b.to_ascii_lowercase())
                .cmp(name.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .ok()
        .map(|i| table[i])
}

/// WebCore's spelling of `name`, when WebCore knows it.
pub(crate) fn webcore(name: &str) -> Option<&'static str> {
    find(&WEBCORE, name)
}

/// libsoup's spelling of `name`, when libsoup knows it.
pub(crate) fn libsoup(name: &str) -> Option<&'static str> {
    if find(&WEBCORE_ONLY, name).is_some() {
        return None;
    }
    find(&WEBCORE, name).or_else(|| find(&LIBSOUP_ONLY, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for table in [&WEBCORE[..], &LIBSOUP_ONLY[..], &WEBCORE_ONLY[..]] {
            let lower: Vec<String> = table.iter().map(|n| n.to_ascii_lowercase()).collect();
            let mut sorted = lower.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(lower, sorted);
        }
    }

    #[test]
    fn spellings() {
        assert_eq!(webcore("accept"), Some("Accept"));
        assert_eq!(webcore("dnt"), Some("DNT"));
        assert_eq!(webcore("x-api-key"), None);
        assert_eq!(libsoup("www-authenticate"), Some("WWW-Authenticate"));
        assert_eq!(libsoup("icy-metadata"), None);
        assert_eq!(webcore("icy-metadata"), Some("Icy-Metadata"));
    }
}
