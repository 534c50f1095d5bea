//! The MIME Sniffing Standard's "parse a MIME type", as far as the Fetch
//! Standard's `Content-Type` safelist rule needs it: the essence.
//!
//! The rule asks whether parsing succeeds and what the essence
//! (`type/subtype`) is. Only steps 1 to 9 of the parser can fail or shape
//! the essence: parameters (steps 10 and on) are skipped when malformed,
//! never a failure. So this walks those steps over the header's bytes
//! (its isomorphic decoding is one character per byte) and builds nothing.

/// <https://mimesniff.spec.whatwg.org/#http-whitespace>
fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | b'\t' | b' ')
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b
        && is_http_whitespace(*first)
    {
        b = rest;
    }
    while let [rest @ .., last] = b
        && is_http_whitespace(*last)
    {
        b = rest;
    }
    b
}

/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>, steps 1-9:
/// the type and subtype as written (compare them ASCII
/// case-insensitively: the parser lowercases them), or `None` when parsing
/// fails.
pub(crate) fn essence(value: &[u8]) -> Option<(&[u8], &[u8])> {
    // Step 1: remove leading and trailing HTTP whitespace.
    let input = trim(value);
    // Steps 2-3: type = the code points up to `/`.
    let slash = input.iter().position(|&b| b == b'/');
    let type_ = &input[..slash.unwrap_or(input.len())];
    // Step 4: empty or not HTTP token code points: failure.
    if !super::is_token(type_) {
        return None;
    }
    // Step 5: past the end: failure.
    let slash = slash?;
    // Steps 6-7: skip `/`; subtype = the code points up to `;`.
    let rest = &input[slash + 1..];
    let subtype = &rest[..rest.iter().position(|&b| b == b';').unwrap_or(rest.len())];
    // Step 8: remove trailing HTTP whitespace from subtype.
    let mut subtype = subtype;
    while let [rest @ .., last] = subtype
        && is_http_whitespace(*last)
    {
        subtype = rest;
    }
    // Step 9: empty or not HTTP token code points: failure.
    if !super::is_token(subtype) {
        return None;
    }
    Some((type_, subtype))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ess(s: &str) -> Option<String> {
        essence(s.as_bytes()).map(|(t, st)| {
            format!(
                "{}/{}",
                String::from_utf8_lossy(t).to_ascii_lowercase(),
                String::from_utf8_lossy(st).to_ascii_lowercase()
            )
        })
    }

    #[test]
    fn types_and_subtypes() {
        assert_eq!(
            ess("Text/Plain;charset=utf-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(ess(" \ttext/html \r\n").as_deref(), Some("text/html"));
        assert_eq!(ess("text/plain ;x=y").as_deref(), Some("text/plain"));
        assert_eq!(ess("text/plain;"), Some("text/plain".to_owned()));
        assert_eq!(ess("text /plain"), None);
        assert_eq!(ess("text/plain,"), None);
        assert_eq!(ess("text/plain,x/x"), None);
        assert_eq!(ess("text"), None);
        assert_eq!(ess("/plain"), None);
        assert_eq!(ess("text/"), None);
        assert_eq!(ess("text/;x"), None);
        assert_eq!(ess("te\u{e9}xt/plain"), None);
    }

    #[test]
    fn parameters_never_fail_the_parse() {
        assert_eq!(
            ess("text/plain; Charset=\"ut\\f-8\" junk; charset=latin1;;x;y=;z=\"\\").as_deref(),
            Some("text/plain")
        );
        assert_eq!(ess("a/b;q=\u{1}").as_deref(), Some("a/b"));
    }
}
