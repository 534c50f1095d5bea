//! The Fetch Standard's header algorithms.
//!
//! Which request headers a page may send without a preflight, which names
//! the preflight must list, which headers a page may not set at all, and
//! which response headers a page may read. Names are matched ASCII
//! case-insensitively throughout, values are bytes, as in the standard.
//!
//! ```
//! use corsica::headers;
//!
//! assert!(headers::is_cors_safelisted_request_header("Content-Type", b"Text/Plain;charset=utf-8"));
//! assert!(!headers::is_cors_safelisted_request_header("content-type", b"application/json"));
//! let unsafe_names = headers::cors_unsafe_request_header_names([
//!     ("Content-Type", &b"application/json"[..]),
//!     ("X-Trace", b"1"),
//!     ("Accept", b"*/*"),
//! ]);
//! assert_eq!(unsafe_names, ["content-type", "x-trace"]);
//! assert_eq!(headers::normalize_method("patch"), "patch");
//! assert_eq!(headers::normalize_method("delete"), "DELETE");
//! ```
//!
//! References: <https://fetch.spec.whatwg.org/#terminology-headers>,
//! [MDN: CORS-safelisted request header](https://developer.mozilla.org/en-US/docs/Glossary/CORS-safelisted_request_header).

use std::borrow::Cow;

mod mime;

/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>: the methods a
/// preflight never needs to be allowed, byte-exact.
pub const CORS_SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>: `GET`, `HEAD`, `POST`, byte-exact.
pub fn is_cors_safelisted_method(method: &str) -> bool {
    CORS_SAFELISTED_METHODS.contains(&method)
}

/// <https://fetch.spec.whatwg.org/#forbidden-method>: `CONNECT`, `TRACE`, `TRACK`, case-insensitive.
pub fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| eq_ci(method, m))
}

/// <https://fetch.spec.whatwg.org/#concept-method-normalize>
///
/// Byte-uppercases `method` only when it matches `DELETE`, `GET`, `HEAD`,
/// `OPTIONS`, `POST` or `PUT` case-insensitively; any other method is
/// returned as is (`patch` stays `patch`, and then does not match an
/// `Access-Control-Allow-Methods: PATCH`).
pub fn normalize_method(method: &str) -> Cow<'_, str> {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED.iter().find(|m| eq_ci(method, m)) {
        Some(m) if *m != method => Cow::Borrowed(m),
        _ => Cow::Borrowed(method),
    }
}

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>: `token = 1*tchar`.
///
/// `tchar` is one of ``!#$%&'*+-.^_`|~``, an ASCII digit or letter. Fetch's
/// <https://fetch.spec.whatwg.org/#concept-method> and header names are
/// tokens.
pub fn is_token(bytes: &[u8]) -> bool {
    // A table lookup per byte, folded without short-circuiting (names are
    // short; a branch per byte costs more than reading them all).
    !bytes.is_empty() && bytes.iter().fold(true, |ok, &b| ok & TCHAR[usize::from(b)])
}

/// [`is_tchar`] for every byte.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_tchar(b as u8);
        b += 1;
    }
    table
};

const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte>
///
/// A byte below 0x20 other than 0x09 (HT), one of `" ( ) : < > ? @ [ \ ] { }`,
/// or 0x7F (DEL).
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
///
/// Whether a request may carry the header (`name`, `value`) without a
/// preflight. Only `Accept`, `Accept-Language`, `Content-Language`,
/// `Content-Type` and `Range` can be, each under a value rule, and never
/// with a value longer than 128 bytes.
pub fn is_cors_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    // Step 1: If value's length is greater than 128, then return false.
    if value.len() > 128 {
        return false;
    }
    // Step 2: byte-lowercase name and switch on the result.
    if eq_ci(name, "accept") {
        // `accept`: if value contains a CORS-unsafe request-header byte,
        // return false.
        !value.iter().any(|&b| is_cors_unsafe_request_header_byte(b))
    } else if eq_ci(name, "accept-language") || eq_ci(name, "content-language") {
        // `accept-language`, `content-language`: if value contains a byte
        // that is not 0-9, A-Z, a-z, SP, `*`, `,`, `-`, `.`, `;` or `=`,
        // return false.
        value.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        })
    } else if eq_ci(name, "content-type") {
        // `content-type`, step 1: if value contains a CORS-unsafe
        // request-header byte, return false.
        if value.iter().any(|&b| is_cors_unsafe_request_header_byte(b)) {
            return false;
        }
        // Steps 2-3: parse the isomorphic decoding of value; failure → false.
        let Some((type_, subtype)) = mime::essence(value) else {
            return false;
        };
        // Step 4: the essence must be one of the three.
        let is = |t: &str, st: &str| {
            eq_ci_bytes(type_, t.as_bytes()) && eq_ci_bytes(subtype, st.as_bytes())
        };
        is("application", "x-www-form-urlencoded")
            || is("multipart", "form-data")
            || is("text", "plain")
    } else if eq_ci(name, "range") {
        // `range`, step 1: rangeValue = parse a single range header value
        // with allowWhitespace false; step 2: failure -> false; step 3: if
        // rangeValue[0] is null, return false.
        matches!(
            parse_single_range_header_value(value, false),
            Some((Some(_), _))
        )
    } else {
        // Otherwise: return false.
        false
    }
}

/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name>:
/// `Accept`, `Accept-Language`, `Content-Language`, `Content-Type`.
pub fn is_no_cors_safelisted_request_header_name(name: &str) -> bool {
    [
        "accept",
        "accept-language",
        "content-language",
        "content-type",
    ]
    .iter()
    .any(|n| eq_ci(name, n))
}

/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header>
///
/// What a `no-cors` request may carry: a no-CORS-safelisted name whose
/// (name, value) is a CORS-safelisted request-header.
pub fn is_no_cors_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    // Step 1: if name is not a no-CORS-safelisted request-header name,
    // return false.
    // Step 2: return whether (name, value) is a CORS-safelisted
    // request-header.
    is_no_cors_safelisted_request_header_name(name)
        && is_cors_safelisted_request_header(name, value)
}

/// <https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>:
/// `Authorization`, the one name `Access-Control-Allow-Headers: *` never
/// covers.
pub fn is_cors_non_wildcard_request_header_name(name: &str) -> bool {
    eq_ci(name, "authorization")
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>:
/// byte-lowercased, deduplicated, sorted.
///
/// The names of the headers that are not CORS-safelisted, plus, when the
/// safelisted values add up to more than 1024 bytes, the names of the
/// safelisted ones too. The result is what a preflight lists in
/// `Access-Control-Request-Headers` (joined with `,`); empty means the
/// headers alone need no preflight.
pub fn cors_unsafe_request_header_names<'a, I>(headers: I) -> Vec<String>
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
    // Read twice when the safelisted values exceed 1024 bytes (step 5).
    I::IntoIter: Clone,
{
    cors_unsafe_names_of(headers)
}

/// [`cors_unsafe_request_header_names`] over values held any way (the
/// browser model's are borrowed or re-encoded per header).
pub(crate) fn cors_unsafe_names_of<'a, V: AsRef<[u8]>, I>(headers: I) -> Vec<String>
where
    I: IntoIterator<Item = (&'a str, V)>,
    I::IntoIter: Clone,
{
    let headers = headers.into_iter();
    // Step 1-3: unsafeNames, potentiallyUnsafeNames, safelistValueSize.
    // (unsafeNames is built lowercase as step 6 wants it; the
    // potentially unsafe names are read again only when step 5 needs
    // them, which a normal request never does.)
    let mut names: Vec<String> = Vec::new();
    let mut safelist_value_size: usize = 0;
    // Step 4: for each header of headers.
    for (name, value) in headers.clone() {
        let value = value.as_ref();
        if !is_cors_safelisted_request_header(name, value) {
            // Step 4.1: not safelisted: append name to unsafeNames.
            names.push(name.to_ascii_lowercase());
        } else {
            // Step 4.2: otherwise, append name to potentiallyUnsafeNames and
            // add value's length to safelistValueSize.
            safelist_value_size = safelist_value_size.saturating_add(value.len());
        }
    }
    // Step 5: if safelistValueSize is greater than 1024, then for each name
    // of potentiallyUnsafeNames, append name to unsafeNames.
    if safelist_value_size > 1024 {
        names.extend(
            headers
                .filter(|(n, v)| is_cors_safelisted_request_header(n, v.as_ref()))
                .map(|(n, _)| n.to_ascii_lowercase()),
        );
    }
    // Step 6: convert header names to a sorted-lowercase set; byte order,
    // as `str`'s `Ord` is.
    names.sort_unstable();
    names.dedup();
    names
}

/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
///
/// Whether a page may not set (`name`, `value`): the user agent controls
/// these headers, and `fetch()`/XHR silently drop them.
pub fn is_forbidden_request_header(name: &str, value: &[u8]) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "Accept-Charset",
        "Accept-Encoding",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Method",
        "Connection",
        "Content-Length",
        "Cookie",
        "Cookie2",
        "Date",
        "DNT",
        "Expect",
        "Host",
        "Keep-Alive",
        "Origin",
        "Referer",
        "Set-Cookie",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
    ];
    // Step 1: a byte-case-insensitive match for one of the list (compared
    // only with names of the same length).
    if FORBIDDEN
        .iter()
        .any(|n| n.len() == name.len() && eq_ci(name, n))
    {
        return true;
    }
    // Step 2: byte-lowercased name starts with `proxy-` or `sec-`.
    if starts_with_ignore_ascii_case(name, "proxy-") || starts_with_ignore_ascii_case(name, "sec-")
    {
        return true;
    }
    // Step 3: X-HTTP-Method, X-HTTP-Method-Override, X-Method-Override.
    if [
        "X-HTTP-Method",
        "X-HTTP-Method-Override",
        "X-Method-Override",
    ]
    .iter()
    .any(|n| eq_ci(name, n))
    {
        // Step 3.1: parsedValues = get, decode, and split value.
        // Step 3.2: for each method of parsedValues: if the isomorphic
        // encoding of method is a forbidden method, return true. (Forbidden
        // methods are ASCII, so comparing the decoded string is the same.)
        return get_decode_split(value)
            .iter()
            .any(|m| is_forbidden_method(m));
    }
    // Step 4.
    false
}

/// Whether `a` and `b` are the same name, ASCII case-insensitively.
///
/// The model compares header names at many places on each request's path;
/// the standard library's comparison, inlined at each, is unrolled and
/// vectorized every time, and those copies crowd the instruction cache.
/// Here the length check is inlined and the loop has one copy.
#[inline]
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    a.len() == b.len() && eq_ci_bytes(a.as_bytes(), b.as_bytes())
}

/// [`eq_ci`] on bytes (no length check inlined): eight bytes at a time
/// (the last word overlapping the one before), each word lowercased (ASCII
/// letters only) without a branch per byte.
#[inline(never)]
pub(crate) fn eq_ci_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 4 {
        return a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y));
    }
    if n < 8 {
        // The first four bytes and the last four (overlapping) in a word.
        let half = |s: &[u8]| {
            u64::from(u32::from_le_bytes(
                s.first_chunk::<4>().copied().unwrap_or_default(),
            ))
        };
        let short = |s: &[u8]| half(s) | half(&s[n - 4..]) << 32;
        return lower8(short(a)) == lower8(short(b));
    }
    let mut i = 0;
    while i + 8 <= n {
        if lower8(word(&a[i..])) != lower8(word(&b[i..])) {
            return false;
        }
        i += 8;
    }
    i == n || lower8(word(&a[n - 8..])) == lower8(word(&b[n - 8..]))
}

/// The first eight bytes as a word (`bytes` has at least eight).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.first_chunk::<8>().copied().unwrap_or_default())
}

/// Each ASCII capital of the word lowercased, every other byte as it is.
#[inline(always)]
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let heptets = x & (0x7f * ONES);
    // High bit of each byte: at least `A`, and beyond `Z` (no carry
    // crosses a byte: a heptet plus 0x3f or 0x25 stays below 0x100).
    let from_a = heptets + (0x80 - u64::from(b'A')) * ONES;
    let past_z = heptets + (0x7f - u64::from(b'Z')) * ONES;
    let capital = (from_a ^ past_z) & !x & (0x80 * ONES);
    x | (capital >> 2)
}

fn starts_with_ignore_ascii_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && eq_ci_bytes(&s.as_bytes()[..prefix.len()], prefix.as_bytes())
}

/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>:
/// `Set-Cookie`, `Set-Cookie2`; never exposed to a page.
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    eq_ci(name, "set-cookie") || eq_ci(name, "set-cookie2")
}

/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>
/// (the fixed list part), lowercase: readable from a CORS response
/// without `Access-Control-Expose-Headers`.
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether `name` is one of [`CORS_SAFELISTED_RESPONSE_HEADER_NAMES`]
/// (ASCII case-insensitive).
pub fn is_cors_safelisted_response_header_name(name: &str) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES
        .iter()
        .any(|n| eq_ci(name, n))
}

/// <https://fetch.spec.whatwg.org/#concept-header-list-get>
///
/// All values of one name, in order, each trimmed of HTTP tab or space (as
/// an HTTP parser leaves them), joined with `, ` (0x2C 0x20); `None` when
/// there are none. Pass the values of every header line with the name (the
/// caller matches names case-insensitively). Borrowed when there is one.
pub fn get_combined<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Cow<'a, str>> {
    let mut values = values.into_iter();
    // Step 1: if list does not contain name, return null.
    let mut combined = Cow::Borrowed(trim_tab_or_space(values.next()?));
    // Step 2: the values, separated from each other by 0x2C 0x20.
    for v in values {
        let c = combined.to_mut();
        c.push_str(", ");
        c.push_str(trim_tab_or_space(v));
    }
    Some(combined)
}

/// Trims HTTP tab or space (U+0009, U+0020) from both ends.
///
/// <https://fetch.spec.whatwg.org/#http-tab-or-space>
pub fn trim_tab_or_space(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// <https://fetch.spec.whatwg.org/#concept-header-list-get-decode-split>
///
/// The "decode and split" half, on a value already combined with
/// [`get_combined`]: isomorphic-decodes `value`, splits it on commas outside
/// `"` quoted strings, and trims HTTP tab or space from each item. Empty
/// items are kept (`x / x,,,1` gives `["x / x", "", "", "1"]`); quoted
/// strings are kept with their quotes and backslashes.
pub fn get_decode_split(value: &[u8]) -> Vec<String> {
    // Step 1: input = isomorphic decoding of value.
    let input: Vec<char> = value.iter().map(|&b| char::from(b)).collect();
    // Steps 2-4.
    let mut pos = 0;
    let mut values = Vec::new();
    let mut temporary = String::new();
    // Step 5.
    loop {
        // Step 5.1: collect code points that are not `"` or `,`.
        while pos < input.len() && input[pos] != '"' && input[pos] != ',' {
            temporary.push(input[pos]);
            pos += 1;
        }
        // Step 5.2: at a `"`, collect an HTTP quoted string and, unless at
        // the end, continue.
        if pos < input.len() && input[pos] == '"' {
            collect_http_quoted_string(&input, &mut pos, &mut temporary);
            if pos < input.len() {
                continue;
            }
        }
        // Steps 5.3-5.5: trim HTTP tab or space, append, reset.
        values.push(temporary.trim_matches(|c| c == ' ' || c == '\t').to_owned());
        temporary.clear();
        // Step 5.6: past the end: return values.
        if pos >= input.len() {
            return values;
        }
        // Steps 5.7-5.8: the code point is `,`: skip it.
        debug_assert_eq!(input[pos], ',');
        pos += 1;
    }
}

/// Fetch: collect an HTTP quoted string, with extract-value false: appends
/// the code points from the opening `"` to the closing one (or the end)
/// to `out`.
///
/// <https://fetch.spec.whatwg.org/#collect-an-http-quoted-string>
fn collect_http_quoted_string(input: &[char], pos: &mut usize, out: &mut String) {
    // Step 1: positionStart.
    let start = *pos;
    // Step 4: skip the opening `"`.
    *pos += 1;
    // Step 5.
    loop {
        // Step 5.1: skip code points that are not `"` or `\`.
        while *pos < input.len() && input[*pos] != '"' && input[*pos] != '\\' {
            *pos += 1;
        }
        // Step 5.2.
        if *pos >= input.len() {
            break;
        }
        // Steps 5.3-5.4.
        let quote_or_backslash = input[*pos];
        *pos += 1;
        if quote_or_backslash == '\\' {
            // Step 5.5: a `\` escapes the next code point.
            if *pos >= input.len() {
                break;
            }
            *pos += 1;
        } else {
            // Step 5.6: the closing `"`.
            break;
        }
    }
    // Step 7: the code points from positionStart to position.
    out.extend(&input[start..*pos]);
}

/// <https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1.2>: parses a
/// `#token` list, the ABNF of `Access-Control-Allow-Methods`,
/// `Access-Control-Allow-Headers`, `Access-Control-Expose-Headers` and
/// `Access-Control-Request-Headers`.
///
/// Elements are separated by `,` with optional spaces and tabs around it;
/// empty elements are skipped, as recipients must accept them (so `""` and
/// `" , "` give an empty list). `Err` carries the first element that is not
/// a [token](is_token) (`a b`, `"a"`, `x/y`), which Fetch's "extract header
/// list values" treats as failure and Firefox quotes in its message.
/// Splitting on every comma decides the same as the standard's quote-aware
/// "get, decode, and split": an element holding a `"` is not a token
/// either way. Elements are returned as written, not lowercased.
pub fn parse_token_list(value: &str) -> Result<Vec<&str>, &str> {
    // Room for a short list without growing.
    let mut tokens = Vec::with_capacity(4);
    for element in value.split(',') {
        let element = trim_tab_or_space(element);
        if element.is_empty() {
            continue;
        }
        if !is_token(element.as_bytes()) {
            return Err(element);
        }
        tokens.push(element);
    }
    Ok(tokens)
}

/// Trims HTTP tab or space from both ends of bytes.
pub fn trim_http_tab_or_space(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// <https://infra.spec.whatwg.org/#isomorphic-decode>: one character per
/// byte; borrowed when the bytes are ASCII.
pub fn isomorphic_decode(value: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(s) if s.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(value.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The bytes a header value written as text puts on the wire: Latin-1 for
/// characters up to U+00FF (so [`isomorphic_decode`] text round-trips),
/// UTF-8 for the rest.
pub(crate) fn wire_bytes(value: &str) -> Vec<u8> {
    if value.is_ascii() {
        return value.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(value.len());
    for c in value.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// A range's (start, end), each a decimal digit string or null.
type RangeValue<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// <https://fetch.spec.whatwg.org/#simple-range-header-value>: "parse a
/// single range header value". Returns (start, end) as digit strings,
/// `None` for failure.
fn parse_single_range_header_value(value: &[u8], allow_whitespace: bool) -> Option<RangeValue<'_>> {
    // Step 1: data = isomorphic decoding of value (we stay on bytes: every
    // test below is on ASCII).
    let mut pos = 0;
    fn collect_bytes<'v>(value: &'v [u8], pos: &mut usize, keep: fn(u8) -> bool) -> &'v [u8] {
        let start = *pos;
        while *pos < value.len() && keep(value[*pos]) {
            *pos += 1;
        }
        &value[start..*pos]
    }
    let collect = |pos: &mut usize, keep: fn(u8) -> bool| collect_bytes(value, pos, keep);
    let skip_ws = |pos: &mut usize| {
        if allow_whitespace {
            while *pos < value.len() && matches!(value[*pos], b' ' | b'\t') {
                *pos += 1;
            }
        }
    };
    // Step 3: rangeUnit = collect ASCII alpha.
    let unit = collect(&mut pos, |b| b.is_ascii_alphabetic());
    // Step 4: rangeUnit must be an ASCII case-insensitive match for "bytes".
    if !unit.eq_ignore_ascii_case(b"bytes") {
        return None;
    }
    // Step 5.
    skip_ws(&mut pos);
    // Steps 6-7: `=`.
    if value.get(pos) != Some(&b'=') {
        return None;
    }
    pos += 1;
    // Step 8.
    skip_ws(&mut pos);
    // Steps 9-10: rangeStart.
    let start = collect(&mut pos, |b| b.is_ascii_digit());
    // Step 11.
    skip_ws(&mut pos);
    // Steps 12-13: `-`.
    if value.get(pos) != Some(&b'-') {
        return None;
    }
    pos += 1;
    // Step 14.
    skip_ws(&mut pos);
    // Steps 15-16: rangeEnd.
    let end = collect(&mut pos, |b| b.is_ascii_digit());
    // Step 17: if position is not past the end of data, return failure.
    if pos < value.len() {
        return None;
    }
    let start = (!start.is_empty()).then_some(start);
    let end = (!end.is_empty()).then_some(end);
    match (start, end) {
        // Step 18: both null: failure.
        (None, None) => None,
        // Step 19: start > end: failure (compared as numbers, of any size).
        (Some(s), Some(e)) if decimal_greater(s, e) => None,
        // Step 20.
        range => Some(range),
    }
}

/// Whether decimal digit string `a` denotes a greater number than `b`.
fn decimal_greater(a: &[u8], b: &[u8]) -> bool {
    let strip = |d: &[u8]| -> usize { d.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b)).is_gt()
}

/// Whether a request header is part of the CORS protocol: `Origin` or an
/// `Access-Control-Request-*` header (Fetch: the headers a CORS request and
/// a preflight add). Faces use it to show what matters in a request.
#[inline]
pub fn is_cors_request_header(name: &str) -> bool {
    eq_ci(name, "origin")
        || (name.len() > 23 && eq_ci_bytes(&name.as_bytes()[..23], b"access-control-request-"))
}

#[cfg(test)]
mod tests;
