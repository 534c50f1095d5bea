//! The request-level driver with hand-written responses: what goes on the
//! wire, step by step, and how a fetch ends.

use std::time::Duration;

use corsica::fetch::{
    Browser, BrowserState, Credentials, Fetch, Outcome, Page, Reason, Request, ResponseHead,
    ResponseType, Transmit,
};

fn head(status: u16, headers: &[(&'static str, &'static str)]) -> ResponseHead<'static> {
    let mut h = ResponseHead::new(status);
    for (n, v) in headers {
        h.push(*n, *v);
    }
    h
}

fn header(tx: &Transmit, name: &str) -> Option<String> {
    tx.header(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// A preflighted PUT redirected once, then the same PUT again, answered
/// from the preflight cache: every exchange, in Chromium and Firefox.
#[test]
fn preflight_redirect_and_cache_hit() {
    let page = Page::new("https://app.example/index.html").unwrap();
    let request = Request::new("PUT", "https://api.example/v1/items")
        .header("Content-Type", "application/json")
        .credentials(Credentials::Include);
    let allow_preflight = head(
        204,
        &[
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ],
    );
    let redirect = head(
        307,
        &[
            ("Location", "/v2/items"),
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    );
    let ok = head(
        200,
        &[
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "X-Request-Id"),
            ("X-Request-Id", "42"),
            ("Content-Length", "2"),
        ],
    );
    for browser in [Browser::Chrome, Browser::Firefox] {
        let mut state = BrowserState::new(browser);
        let t0 = Duration::from_secs(1);
        let mut fetch = Fetch::new(&page, &request);

        // 1. The preflight: OPTIONS with the method and the unsafe header.
        let tx = fetch.poll_transmit(&mut state, t0).expect("a preflight");
        assert!(tx.is_preflight(), "{browser}");
        assert_eq!(tx.method(), http::Method::OPTIONS);
        assert_eq!(tx.url().as_str(), "https://api.example/v1/items");
        assert_eq!(
            header(&tx, "origin").as_deref(),
            Some("https://app.example")
        );
        assert_eq!(
            header(&tx, "access-control-request-method").as_deref(),
            Some("PUT")
        );
        assert_eq!(
            header(&tx, "access-control-request-headers").as_deref(),
            Some("content-type")
        );
        assert_eq!(
            header(&tx, "cookie"),
            None,
            "{browser}: preflights carry no cookies"
        );
        // Nothing more until the answer comes back.
        assert!(fetch.poll_transmit(&mut state, t0).is_none());
        fetch.handle_response(&mut state, t0, &allow_preflight);

        // 2. The request itself, then its redirect.
        let tx = fetch.poll_transmit(&mut state, t0).expect("the request");
        assert!(!tx.is_preflight());
        assert_eq!(tx.method(), http::Method::PUT);
        assert_eq!(
            header(&tx, "content-type").as_deref(),
            Some("application/json")
        );
        fetch.handle_response(&mut state, t0, &redirect);

        // 3. The redirect target: same origin, a new URL, so a new
        // preflight (the cache is per URL).
        let tx = fetch.poll_transmit(&mut state, t0).expect("the next hop");
        assert_eq!(tx.url().as_str(), "https://api.example/v2/items");
        assert!(tx.is_preflight(), "{browser}");
        fetch.handle_response(&mut state, t0, &allow_preflight);
        let tx = fetch
            .poll_transmit(&mut state, t0)
            .expect("the request, again");
        assert_eq!(tx.method(), http::Method::PUT);
        fetch.handle_response(&mut state, t0, &ok);
        assert!(fetch.poll_transmit(&mut state, t0).is_none());
        assert!(fetch.is_done());
        assert!(fetch.preflighted());
        let Outcome::Readable(read) = fetch.finish() else {
            panic!("{browser}: blocked")
        };
        assert_eq!(read.response_type, ResponseType::Cors);
        assert_eq!(read.status, 200);
        assert!(read.redirected);
        assert_eq!(read.exposed, ["content-length", "x-request-id"]);

        // 4. Ten seconds later, the same PUT: both preflights are cached
        // (max-age 600), so the request goes straight out.
        let later = t0 + Duration::from_secs(10);
        let mut fetch = Fetch::new(&page, &request);
        let tx = fetch.poll_transmit(&mut state, later).expect("the request");
        assert!(!tx.is_preflight(), "{browser}: the preflight cache answers");
        fetch.handle_response(&mut state, later, &redirect);
        let tx = fetch
            .poll_transmit(&mut state, later)
            .expect("the next hop");
        assert!(!tx.is_preflight(), "{browser}");
        fetch.handle_response(&mut state, later, &ok);
        assert!(!fetch.preflighted());
        assert!(fetch.finish().readable().is_some());

        // 5. After the cache entries expire, preflights again.
        let expired = t0 + Duration::from_secs(601);
        let mut fetch = Fetch::new(&page, &request);
        let tx = fetch
            .poll_transmit(&mut state, expired)
            .expect("a preflight");
        assert!(tx.is_preflight(), "{browser}");
    }
}

/// A failure names its reason, each browser's console line, the cause and
/// the fix (the header, its value, and the policy line).
#[test]
fn a_failure_says_why_and_what_to_change() {
    let page = Page::new("https://app.example/").unwrap();
    let request = Request::get("https://api.example/data").credentials(Credentials::Include);
    let answer = head(200, &[("Access-Control-Allow-Origin", "*")]);
    let run = |browser| {
        let mut state = BrowserState::new(browser);
        let mut fetch = Fetch::new(&page, &request);
        let tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
        assert_eq!(
            header(&tx, "origin").as_deref(),
            Some("https://app.example")
        );
        fetch.handle_response(&mut state, Duration::ZERO, &answer);
        match fetch.finish() {
            Outcome::Blocked(b) => b,
            Outcome::Readable(_) => panic!("{browser}: readable"),
        }
    };
    let chrome = run(Browser::Chrome);
    assert_eq!(chrome.reason(), &Reason::WildcardOriginNotAllowed);
    assert_eq!(chrome.error_code(), Some("WildcardOriginNotAllowed"));
    assert_eq!(
        chrome.console_message().unwrap(),
        "Access to fetch at 'https://api.example/data' from origin 'https://app.example' has \
         been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in \
         the response must not be the wildcard '*' when the request's credentials mode is \
         'include'."
    );
    let firefox = run(Browser::Firefox);
    assert_eq!(firefox.error_code(), Some("CORSNotSupportingCredentials"));
    assert_eq!(
        firefox.console_message().unwrap(),
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
         resource at \u{2018}https://api.example/data\u{2019}. (Reason: Credential is not \
         supported if the CORS header \u{2018}Access-Control-Allow-Origin\u{2019} is \
         \u{2018}*\u{2019})."
    );
    for blocked in [&chrome, &firefox] {
        assert!(
            blocked.cause().contains("credentials"),
            "{}",
            blocked.cause()
        );
        let fix = blocked.fix();
        assert_eq!(
            fix.header,
            Some((
                "Access-Control-Allow-Origin",
                "https://app.example".to_owned()
            ))
        );
        assert_eq!(
            fix.also,
            [("Access-Control-Allow-Credentials", "true".to_owned())]
        );
        assert_eq!(
            fix.policy.as_deref(),
            Some("origins = [\"https://app.example\"]\ncredentials = true")
        );
    }
}

/// Transport failures and scripts that throw end the fetch without a
/// response; an abandoned fetch ends as a network error.
#[test]
fn errors_and_throws() {
    let page = Page::new("https://app.example/").unwrap();
    let request = Request::get("https://api.example/data");
    let mut state = BrowserState::new(Browser::Firefox);
    let mut fetch = Fetch::new(&page, &request);
    let _tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
    fetch.handle_error(&mut state, Duration::ZERO);
    let blocked = fetch.finish();
    let blocked = blocked.blocked().unwrap();
    assert_eq!(blocked.reason(), &Reason::RequestFailed);
    // Firefox reports a failed CORS request in the console; Chromium not.
    assert_eq!(blocked.error_code(), Some("CORSDidNotSucceed"));

    let thrower = Request::new("TRACE", "https://api.example/data");
    let mut fetch = Fetch::new(&page, &thrower);
    assert!(fetch.poll_transmit(&mut state, Duration::ZERO).is_none());
    let blocked = fetch.finish();
    assert!(matches!(
        blocked.blocked().unwrap().reason(),
        Reason::TypeError(_)
    ));

    let mut fetch = Fetch::new(&page, &request);
    let _tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
    assert_eq!(
        fetch.finish().blocked().unwrap().reason(),
        &Reason::NetworkError
    );
}

/// Relative URLs resolve against the page; a same-origin request carries
/// the page's URL as `Referer` and the page's cookies.
#[test]
fn same_origin_requests() {
    let page = Page::new("https://app.example/shop/cart.html#top").unwrap();
    let request = Request::get("../api/cart");
    let mut state = BrowserState::new(Browser::Chrome);
    state.set_cookie("app.example", "session=abc");
    let mut fetch = Fetch::new(&page, &request);
    let tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
    assert_eq!(tx.url().as_str(), "https://app.example/api/cart");
    assert_eq!(header(&tx, "origin"), None);
    assert_eq!(
        header(&tx, "referer").as_deref(),
        Some("https://app.example/shop/cart.html")
    );
    assert_eq!(header(&tx, "cookie").as_deref(), Some("session=abc"));
    assert_eq!(
        header(&tx, "accept-encoding").as_deref(),
        Some("gzip, deflate, br, zstd")
    );
    let request = tx.to_http().unwrap();
    assert_eq!(request.uri(), "https://app.example/api/cart");
    assert_eq!(request.headers()["host"], "app.example");
}

/// Hostile answers stay bounded: a head over the browser's limit is a
/// network error before any header is looked at.
#[test]
fn oversized_heads_are_network_errors() {
    let page = Page::new("https://app.example/").unwrap();
    let request = Request::get("https://api.example/data");
    let big = "a".repeat(1 << 20);
    let mut answer = ResponseHead::new(200);
    answer.push("Access-Control-Allow-Origin", big.as_str());
    for browser in [Browser::Chrome, Browser::Firefox] {
        let mut state = BrowserState::new(browser);
        let mut fetch = Fetch::new(&page, &request);
        let _ = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
        fetch.handle_response(&mut state, Duration::ZERO, &answer);
        assert_eq!(
            fetch.finish().blocked().unwrap().reason(),
            &Reason::RequestFailed,
            "{browser}"
        );
    }
}

/// A redirect head whose `Location` was resolved once against the URL it
/// answers leads where the header says: at that URL, at another one (here
/// with a fragment, which the target inherits), and after another
/// `Location` line was added (the two are combined, as received).
#[test]
fn resolved_location_leads_where_the_header_says() {
    let page = Page::new("https://app.example/").unwrap();
    let plain = head(
        302,
        &[
            ("Location", "../next?q=1"),
            ("Access-Control-Allow-Origin", "https://app.example"),
        ],
    );
    let mut resolved = plain.clone();
    resolved.resolve_location(&url::Url::parse("https://api.example/a/b").unwrap());
    let next = |url: &str, redirect: &ResponseHead<'_>| {
        let request = Request::get(url);
        let mut state = BrowserState::new(Browser::Chrome);
        let mut fetch = Fetch::new(&page, &request);
        let _ = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
        fetch.handle_response(&mut state, Duration::ZERO, redirect);
        let tx = fetch.poll_transmit(&mut state, Duration::ZERO);
        let to = tx.map(|tx| tx.url().as_str().to_owned());
        fetch.handle_response(&mut state, Duration::ZERO, &head(200, &[]));
        (to, fetch.finish())
    };
    let at_base = next("https://api.example/a/b", &resolved);
    assert_eq!(at_base.0.as_deref(), Some("https://api.example/next?q=1"));
    assert_eq!(at_base, next("https://api.example/a/b", &plain));
    let elsewhere = next("https://api.example/x/y/z#frag", &resolved);
    assert_eq!(
        elsewhere.0.as_deref(),
        Some("https://api.example/x/next?q=1")
    );
    match &elsewhere.1 {
        Outcome::Blocked(b) => assert_eq!(b.url(), "https://api.example/x/next?q=1#frag"),
        Outcome::Readable(r) => panic!("the target does not allow the page: {r:?}"),
    }
    assert_eq!(elsewhere, next("https://api.example/x/y/z#frag", &plain));
    let (mut plain2, mut resolved2) = (plain.clone(), resolved.clone());
    plain2.push("Location", "/other");
    resolved2.push("Location", "/other");
    assert_eq!(
        next("https://api.example/a/b", &resolved2),
        next("https://api.example/a/b", &plain2)
    );
}

/// A request fetched again goes out the same (a fetch leaves nothing
/// behind in the request), and one changed by a builder call after it was
/// fetched goes out changed.
#[test]
fn a_request_fetched_again_or_changed_after() {
    let page = Page::new("https://app.example/").unwrap();
    let first = |request: &Request, browser: Browser| {
        let mut state = BrowserState::new(browser);
        let mut fetch = Fetch::new(&page, request);
        let tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
        let headers: Vec<(String, Vec<u8>)> = tx
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_vec()))
            .collect();
        (tx.method().clone(), headers)
    };
    let request = Request::new("put", "https://api.example/x")
        .header("X-B", "1")
        .header("x-a", " 2 ")
        .header("X-b", "3");
    for browser in [Browser::Chrome, Browser::Firefox, Browser::Webkit] {
        let once = first(&request, browser);
        assert_eq!(once.0, http::Method::OPTIONS, "{browser}");
        assert_eq!(once, first(&request, browser), "{browser}");
    }
    let acrh = |request: &Request| {
        let (_, headers) = first(request, Browser::Chrome);
        headers
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("access-control-request-headers"))
            .map(|(_, v)| String::from_utf8(v).unwrap())
    };
    assert_eq!(acrh(&request).as_deref(), Some("x-a,x-b"));
    let cloned = request.clone().header("X-C", "4");
    assert_eq!(acrh(&cloned).as_deref(), Some("x-a,x-b,x-c"));
    // A no-cors PUT throws: nothing goes out.
    let moved = request.mode(corsica::fetch::Mode::NoCors);
    let mut state = BrowserState::new(Browser::Chrome);
    let mut fetch = Fetch::new(&page, &moved);
    assert!(fetch.poll_transmit(&mut state, Duration::ZERO).is_none());
    assert!(fetch.finish().blocked().is_some());
}

/// Many headers, some dropped by the constructor (forbidden), some
/// repeated, some beyond the small-list threshold: the second fetch sends
/// what the first sent.
#[test]
fn many_headers_go_out_the_same_when_fetched_again() {
    let page = Page::new("https://app.example/").unwrap();
    let mut request =
        Request::new("POST", "https://api.example/x").body(corsica::fetch::Body::text("{}"));
    for i in 0..300 {
        request = match i % 5 {
            0 => request.header("Connection", "close"),
            1 => request.header(format!("X-H{}", i % 7), format!(" v{i} ")),
            2 => request.header("content-type", "text/plain"),
            _ => request.header(format!("X-Only-{i}"), "1"),
        };
    }
    for browser in [Browser::Chrome, Browser::Firefox] {
        let send = || {
            let mut state = BrowserState::new(browser);
            let mut fetch = Fetch::new(&page, &request);
            let tx = fetch.poll_transmit(&mut state, Duration::ZERO).unwrap();
            let mut answer = ResponseHead::new(204);
            answer.push("Access-Control-Allow-Origin", "https://app.example");
            answer.push("Access-Control-Allow-Methods", "POST");
            answer.push("Access-Control-Allow-Headers", "*");
            fetch.handle_response(&mut state, Duration::ZERO, &answer);
            let request_tx = fetch.poll_transmit(&mut state, Duration::ZERO);
            let headers = |tx: &Transmit| -> Vec<(String, Vec<u8>)> {
                tx.headers()
                    .map(|(n, v)| (n.to_owned(), v.to_vec()))
                    .collect()
            };
            (headers(&tx), request_tx.as_ref().map(headers))
        };
        let first = send();
        assert!(
            first
                .0
                .iter()
                .any(|(n, _)| n == "Access-Control-Request-Headers")
        );
        assert_eq!(first, send(), "{browser}");
        assert_eq!(first, send(), "{browser}");
    }
}
