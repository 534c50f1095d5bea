use super::*;
use proptest::prelude::*;

fn safe(name: &str, value: &str) -> bool {
    is_cors_safelisted_request_header(name, value.as_bytes())
}

#[test]
fn safelisted_methods_are_byte_exact() {
    for m in ["GET", "HEAD", "POST"] {
        assert!(is_cors_safelisted_method(m));
    }
    for m in [
        "get", "Post", "PUT", "PATCH", "OPTIONS", "DELETE", "", "GET ",
    ] {
        assert!(!is_cors_safelisted_method(m), "{m}");
    }
}

#[test]
fn forbidden_methods_are_case_insensitive() {
    for m in ["CONNECT", "connect", "TRACE", "trace", "TrAcK"] {
        assert!(is_forbidden_method(m), "{m}");
    }
    for m in ["GET", "TRACES", "TRAC", "", "PATCH"] {
        assert!(!is_forbidden_method(m), "{m}");
    }
}

#[test]
fn normalize_uppercases_only_six_methods() {
    let table = [
        ("delete", "DELETE"),
        ("get", "GET"),
        ("Head", "HEAD"),
        ("options", "OPTIONS"),
        ("post", "POST"),
        ("pUt", "PUT"),
        ("GET", "GET"),
        ("patch", "patch"),
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
        ("connect", "connect"),
        ("gets", "gets"),
        ("x-custom", "x-custom"),
    ];
    for (input, want) in table {
        assert_eq!(normalize_method(input), want, "{input}");
    }
    // Other methods are returned as the input itself, not copied.
    let input = String::from("patch");
    assert!(std::ptr::eq(
        normalize_method(&input).as_ref(),
        input.as_str()
    ));
}

#[test]
fn token_grammar() {
    for t in ["GET", "x-custom", "!#$%&'*+-.^_`|~09azAZ", "a"] {
        assert!(is_token(t.as_bytes()), "{t}");
    }
    for t in [
        "", "a b", "a,b", "a\"", "a(b)", "a:b", "a/b", "a;b", "a=b", "a\tb", "é", "a@b", "{}",
        "[x]", "a?",
    ] {
        assert!(!is_token(t.as_bytes()), "{t}");
    }
    assert!(!is_token(b"a\x7f"));
    assert!(!is_token(b"a\x00"));
}

#[test]
fn unsafe_request_header_bytes() {
    let unsafe_bytes: Vec<u8> = (0u8..=255)
        .filter(|&b| is_cors_unsafe_request_header_byte(b))
        .collect();
    let mut want: Vec<u8> = (0u8..0x20).filter(|&b| b != 0x09).collect();
    want.extend(b"\"():<>?@[\\]{}");
    want.push(0x7F);
    want.sort_unstable();
    assert_eq!(unsafe_bytes, want);
}

#[test]
fn value_longer_than_128_bytes_is_never_safe() {
    let ok = "a".repeat(128);
    let long = "a".repeat(129);
    for name in ["Accept", "Accept-Language", "Content-Language"] {
        assert!(safe(name, &ok), "{name}");
        assert!(!safe(name, &long), "{name}");
    }
    let ct = format!("text/plain;x={}", "a".repeat(128 - 13));
    assert_eq!(ct.len(), 128);
    assert!(safe("content-type", &ct));
    assert!(!safe("content-type", &format!("{ct}a")));
}

#[test]
fn accept_rule() {
    assert!(safe("Accept", "*/*"));
    assert!(safe("ACCEPT", "text/html, application/xhtml+xml;q=0.9"));
    assert!(safe("accept", "\ttab ok"));
    assert!(safe("accept", ""));
    assert!(safe("accept", "é"));
    for bad in [
        "\"", "a\"b", "(", ")", ":", "<", ">", "?", "@", "[", "\\", "]", "{", "}", "\x7f", "\x01",
        "\n", "\r",
    ] {
        assert!(!safe("accept", bad), "{bad:?}");
    }
    assert!(!is_cors_safelisted_request_header("accept", b"\x00"));
}

#[test]
fn language_rule() {
    for name in ["Accept-Language", "content-language"] {
        assert!(safe(name, "en-US,en;q=0.9, fr ; q=0.8, *"));
        assert!(safe(name, "de-CH.x=1"));
        assert!(safe(name, ""));
        for bad in [
            "\x01", "@", "en_US", "en\t", "é", "en/US", "\"en\"", "en:US", "en!",
        ] {
            assert!(!safe(name, bad), "{name} {bad:?}");
        }
    }
}

#[test]
fn content_type_rule() {
    for ok in [
        "text/plain",
        "Text/Plain;charset=utf-8",
        "TEXT/PLAIN",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=something",
        " text/plain ",
        "text/plain;",
        "text/plain; charset",
        "text/plain;a=b;a=c",
        "text/plain;\tx=y",
    ] {
        assert!(safe("Content-Type", ok), "{ok:?}");
    }
    for bad in [
        "text /plain",
        "text/plain,",
        "text/plain,x/x",
        "application/json",
        "text/html",
        "text/plain+x",
        "text",
        "",
        "/plain",
        "text/",
        "multipart/form-data;boundary=\"a\"", // `"` is a CORS-unsafe byte
        "text/plain;x=<y>",                   // `<` `>` unsafe bytes
        "text/plain;charset=utf-8:",          // `:` unsafe byte
        "text/plain\x01",
        "application/csp-report", // exceptions are UA-only, not safelisted
        "text\\/plain",
    ] {
        assert!(!safe("content-type", bad), "{bad:?}");
    }
    // Non-ASCII bytes are isomorphic-decoded, not rejected as bytes.
    assert!(is_cors_safelisted_request_header(
        "content-type",
        b"text/plain;x=\xe9"
    ));
    assert!(!is_cors_safelisted_request_header(
        "content-type",
        b"text/pl\xe9in"
    ));
}

#[test]
fn range_rule() {
    for ok in [
        "bytes=200-",
        "bytes=0-0",
        "bytes=100-200",
        "BYTES=1-2",
        "Bytes=5-5",
        "bytes=007-8",
        "bytes=0-99999999999999999999999999",
    ] {
        assert!(safe("Range", ok), "{ok:?}");
    }
    for bad in [
        "bytes=-500",
        "bytes=100-200,300-400",
        "bytes =100-200",
        "bytes= 100-200",
        "bytes=100 -200",
        "bytes=100- 200",
        "bytes=100-200 ",
        "bytes=5-1",
        "bytes=99999999999999999999999-1",
        "bytes=10-9",
        "bytes=-",
        "bytes=",
        "bytes",
        "items=1-2",
        "byte=1-2",
        "bytes=1",
        "bytes=a-b",
        "bytes=1-2-3",
        "bytes 0-",
        "bytes=0-\t",
        "bytes=\u{661}-",
        "",
    ] {
        assert!(!safe("range", bad), "{bad:?}");
    }
}

#[test]
fn range_parser_with_whitespace() {
    assert_eq!(
        parse_single_range_header_value(b"bytes \t= 1 - 2", true),
        Some((Some(&b"1"[..]), Some(&b"2"[..])))
    );
    assert_eq!(
        parse_single_range_header_value(b"bytes = - 2", true),
        Some((None, Some(&b"2"[..])))
    );
    assert_eq!(
        parse_single_range_header_value(b"bytes = 1 - 2 ", true),
        None
    );
    assert_eq!(
        parse_single_range_header_value(b"bytes=2-10", false),
        Some((Some(&b"2"[..]), Some(&b"10"[..])))
    );
    assert!(decimal_greater(b"10", b"9"));
    assert!(!decimal_greater(b"0009", b"10"));
    assert!(!decimal_greater(b"5", b"005"));
    assert!(decimal_greater(b"6", b"005"));
}

#[test]
fn other_names_are_never_safelisted() {
    for name in [
        "X-Custom",
        "Authorization",
        "Content-Length",
        "Accept-Encoding",
        "Cache-Control",
        "Save-Data",
        "DPR",
        "Width",
        "Viewport-Width",
        "Downlink",
        "Last-Event-ID",
        "",
    ] {
        assert!(!safe(name, "1"), "{name}");
    }
}

#[test]
fn no_cors_names() {
    for name in [
        "Accept",
        "accept-language",
        "CONTENT-LANGUAGE",
        "Content-Type",
    ] {
        assert!(is_no_cors_safelisted_request_header_name(name), "{name}");
    }
    for name in ["Range", "Authorization", "X-Custom", "accept-charset"] {
        assert!(!is_no_cors_safelisted_request_header_name(name), "{name}");
    }
    assert!(is_no_cors_safelisted_request_header(
        "content-type",
        b"text/plain"
    ));
    assert!(!is_no_cors_safelisted_request_header(
        "content-type",
        b"application/json"
    ));
    assert!(!is_no_cors_safelisted_request_header("range", b"bytes=1-2"));
    assert!(is_cors_non_wildcard_request_header_name("Authorization"));
    assert!(is_cors_non_wildcard_request_header_name("AUTHORIZATION"));
    assert!(!is_cors_non_wildcard_request_header_name(
        "Proxy-Authorization"
    ));
}

#[test]
fn unsafe_names_are_lowercased_deduplicated_sorted() {
    let names = cors_unsafe_request_header_names([
        ("X-B", &b"1"[..]),
        ("x-a", b"1"),
        ("X-A", b"2"),
        ("Content-Type", b"application/json"),
        ("Accept", b"*/*"),
        ("Range", b"bytes=-5"),
        ("Z", b""),
    ]);
    assert_eq!(names, ["content-type", "range", "x-a", "x-b", "z"]);
    // Byte order: uppercase-insensitive, `-` (0x2D) before letters.
    let names = cors_unsafe_request_header_names([("a_b", &b""[..]), ("a-b", b""), ("A", b"")]);
    assert_eq!(names, ["a", "a-b", "a_b"]);
    assert!(cors_unsafe_request_header_names(std::iter::empty()).is_empty());
    assert!(
        cors_unsafe_request_header_names([
            ("Accept", &b"*/*"[..]),
            ("Content-Type", b"text/plain")
        ])
        .is_empty()
    );
}

#[test]
fn the_1024_byte_rule() {
    let v = "a".repeat(120);
    let headers: Vec<(&str, &[u8])> = (0..9).map(|_| ("Accept", v.as_bytes())).collect();
    // 9 * 120 = 1080 > 1024: the safelisted names become unsafe.
    assert_eq!(
        cors_unsafe_request_header_names(headers.iter().copied()),
        ["accept"]
    );
    // 8 * 120 = 960: still safe.
    assert!(cors_unsafe_request_header_names(headers[..8].iter().copied()).is_empty());
    // Exactly 1024 is not "greater than 1024".
    let v128 = "a".repeat(128);
    let exactly: Vec<(&str, &[u8])> = (0..8).map(|_| ("accept", v128.as_bytes())).collect();
    assert!(cors_unsafe_request_header_names(exactly.iter().copied()).is_empty());
    let mut over = exactly.clone();
    over.push(("Content-Language", b"x"));
    over.push(("X-Other", b"1"));
    assert_eq!(
        cors_unsafe_request_header_names(over),
        ["accept", "content-language", "x-other"]
    );
    // Unsafe values do not count toward the size.
    let big = "\"".repeat(128);
    let mixed: Vec<(&str, &[u8])> = (0..9)
        .map(|_| ("Accept", big.as_bytes()))
        .chain([("Content-Type", &b"text/plain"[..])])
        .collect();
    assert_eq!(cors_unsafe_request_header_names(mixed), ["accept"]);
}

#[test]
fn forbidden_request_headers() {
    for name in [
        "Accept-Charset",
        "accept-encoding",
        "Access-Control-Request-Headers",
        "ACCESS-CONTROL-REQUEST-METHOD",
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
        "Proxy-Authorization",
        "proxy-",
        "PROXY-anything",
        "Sec-Fetch-Mode",
        "sec-",
        "SEC-CH-UA",
    ] {
        assert!(is_forbidden_request_header(name, b"x"), "{name}");
    }
    for name in [
        "User-Agent",
        "Referrer",
        "Proxy",
        "Sec",
        "Secret",
        "X-Origin",
        "Authorization",
        "Content-Type",
        "Cookies",
        "Access-Control-Allow-Origin",
        "",
    ] {
        assert!(!is_forbidden_request_header(name, b"x"), "{name}");
    }
}

#[test]
fn method_override_headers() {
    for name in [
        "X-HTTP-Method",
        "X-HTTP-Method-Override",
        "x-method-override",
    ] {
        for v in [
            "TRACE",
            "trace",
            "GET, TRACE",
            "CONNECT",
            " track ",
            "GET,,TRACK",
        ] {
            assert!(
                is_forbidden_request_header(name, v.as_bytes()),
                "{name}: {v}"
            );
        }
        for v in [
            "GET",
            "PATCH",
            "DELETE",
            "\"TRACE\"",
            "TRACE-X",
            "GET, PUT",
            "",
        ] {
            assert!(
                !is_forbidden_request_header(name, v.as_bytes()),
                "{name}: {v}"
            );
        }
    }
    assert!(!is_forbidden_request_header("X-Method", b"TRACE"));
}

#[test]
fn forbidden_response_header_names() {
    assert!(is_forbidden_response_header_name("Set-Cookie"));
    assert!(is_forbidden_response_header_name("set-cookie2"));
    assert!(!is_forbidden_response_header_name("Set-Cookie3"));
    assert!(!is_forbidden_response_header_name("Cookie"));
}

#[test]
fn safelisted_response_header_names() {
    for name in [
        "Cache-Control",
        "content-language",
        "Content-Length",
        "CONTENT-TYPE",
        "Expires",
        "Last-Modified",
        "Pragma",
    ] {
        assert!(is_cors_safelisted_response_header_name(name), "{name}");
    }
    for name in [
        "Content-Encoding",
        "Date",
        "ETag",
        "Set-Cookie",
        "Vary",
        "Server",
        "X-Custom",
    ] {
        assert!(!is_cors_safelisted_response_header_name(name), "{name}");
    }
}

#[test]
fn get_joins_with_comma_space() {
    assert_eq!(get_combined(std::iter::empty()), None);
    assert_eq!(get_combined([""]).as_deref(), Some(""));
    assert_eq!(get_combined([" a\t"]), Some(Cow::Borrowed("a")));
    assert_eq!(
        get_combined(["a", "b, c", ""]).as_deref(),
        Some("a, b, c, ")
    );
}

#[test]
fn decode_and_split() {
    let split = |v: &[u8]| get_decode_split(v);
    assert_eq!(split(b"x / x,,,1"), ["x / x", "", "", "1"]);
    assert_eq!(split(b"nosniff, "), ["nosniff", ""]);
    assert_eq!(split(b""), [""]);
    assert_eq!(split(b" \t a \t "), ["a"]);
    assert_eq!(split(b"\"1,2\", 3"), ["\"1,2\"", "3"]);
    assert_eq!(split(b"a\"b,c\"d, e"), ["a\"b,c\"d", "e"]);
    // An unterminated quoted string runs to the end.
    assert_eq!(split(b"nosniff, \""), ["nosniff", "\""]);
    assert_eq!(split(b"\"a,b"), ["\"a,b"]);
    // Backslash escapes inside quotes are kept verbatim.
    assert_eq!(split(b"\"a\\\",b\",c"), ["\"a\\\",b\"", "c"]);
    assert_eq!(split(b"\"a\\"), ["\"a\\"]);
    // Only tab and space are trimmed, not other whitespace.
    assert_eq!(split(b"\na\r"), ["\na\r"]);
    // Isomorphic decoding.
    assert_eq!(split(b"\xe9,\xff"), ["\u{e9}", "\u{ff}"]);
}

#[test]
fn token_lists() {
    let list = parse_token_list;
    assert_eq!(list("GET, PUT,DELETE"), Ok(vec!["GET", "PUT", "DELETE"]));
    assert_eq!(list(" \tx-a ,\tX-B\t"), Ok(vec!["x-a", "X-B"]));
    assert_eq!(list(",, a ,,"), Ok(vec!["a"]));
    assert_eq!(list(""), Ok(vec![]));
    assert_eq!(list(" , "), Ok(vec![]));
    assert_eq!(list("*"), Ok(vec!["*"]));
    assert_eq!(list("a b"), Err("a b"));
    assert_eq!(list("\"a\""), Err("\"a\""));
    assert_eq!(list("x/y, a b"), Err("x/y"));
    assert_eq!(list("a,\u{e9}"), Err("\u{e9}"));
    assert_eq!(list("a\n,b"), Err("a\n"));
}

proptest! {
    #[test]
    fn split_then_join_preserves_commas(v in prop::collection::vec(any::<u8>(), 0..64)) {
        let items = get_decode_split(&v);
        // Without quotes every comma separates, so the item count is one
        // more than the comma count.
        if !v.contains(&b'"') {
            prop_assert_eq!(items.len(), v.iter().filter(|&&b| b == b',').count() + 1);
        }
        for item in &items {
            prop_assert!(!item.starts_with([' ', '\t']) && !item.ends_with([' ', '\t']));
        }
    }

    #[test]
    fn header_functions_never_panic(name in "[ -~]{0,20}", v in prop::collection::vec(any::<u8>(), 0..200)) {
        let safe = is_cors_safelisted_request_header(&name, &v);
        if v.len() > 128 {
            prop_assert!(!safe);
        }
        let _ = is_forbidden_request_header(&name, &v);
        let names = cors_unsafe_request_header_names([(name.as_str(), v.as_slice())]);
        prop_assert_eq!(names.is_empty(), safe);
    }

    #[test]
    fn normalize_is_idempotent(m in "[a-zA-Z]{0,8}") {
        let once = normalize_method(&m).into_owned();
        prop_assert_eq!(normalize_method(&once), once.as_str());
        prop_assert!(once.eq_ignore_ascii_case(&m));
    }
}

#[test]
fn cors_request_headers_are_origin_and_access_control_request() {
    for yes in [
        "Origin",
        "origin",
        "Access-Control-Request-Method",
        "access-control-request-headers",
        "Access-Control-Request-Private-Network",
    ] {
        assert!(is_cors_request_header(yes), "{yes}");
    }
    for no in [
        "Accept",
        "Access-Control-Request-",
        "Access-Control-Allow-Origin",
        "Originator",
        "Referer",
        "",
    ] {
        assert!(!is_cors_request_header(no), "{no}");
    }
}

#[test]
fn eq_ci_bytes_agrees_with_std_on_every_byte_pair() {
    for x in 0..=255u8 {
        for y in 0..=255u8 {
            // Short and long, at each end and inside.
            for (len, at) in [
                (1, 0),
                (3, 2),
                (5, 0),
                (5, 4),
                (7, 3),
                (14, 0),
                (14, 7),
                (14, 13),
            ] {
                let (mut a, mut b) = (vec![b'a'; len], vec![b'A'; len]);
                a[at] = x;
                b[at] = y;
                assert_eq!(
                    eq_ci_bytes(&a, &b),
                    a.eq_ignore_ascii_case(&b),
                    "{x:#x} {y:#x} at {at}"
                );
            }
        }
    }
}

proptest! {
    #[test]
    fn eq_ci_agrees_with_std(a in "[ -~\u{80}-\u{ff}]{0,40}", flip in any::<u64>()) {
        // `b`: `a` with some letters' case flipped, and sometimes a byte
        // changed.
        let mut b: Vec<u8> = a
            .bytes()
            .enumerate()
            .map(|(i, c)| if flip >> (i % 64) & 1 == 1 && c.is_ascii_alphabetic() { c ^ 0x20 } else { c })
            .collect();
        if flip % 3 == 0 && !b.is_empty() {
            let i = (flip as usize / 3) % b.len();
            b[i] = b[i].wrapping_add(1);
        }
        prop_assert_eq!(eq_ci_bytes(a.as_bytes(), &b), a.as_bytes().eq_ignore_ascii_case(&b));
        if let Ok(b) = std::str::from_utf8(&b) {
            prop_assert_eq!(eq_ci(&a, b), a.eq_ignore_ascii_case(b));
        }
    }
}
