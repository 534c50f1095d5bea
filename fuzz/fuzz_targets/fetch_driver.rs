//! The request-level browser driver fed arbitrary scripts and server
//! answers: no panic, the fetch ends within a bounded number of exchanges,
//! and every failure can be presented (error code, console line, cause,
//! fix) and every request converted to the `http` types or refused with an
//! error.
//!
//! Input, as lines: browser/mode/credentials/redirect bytes; the method;
//! the URL; the script's headers (`Name: value`) up to an empty line; then
//! answers, each a status line and header lines up to an empty line (a
//! status line `!` is a transport failure).
#![no_main]

use std::time::Duration;

use corsica::fetch::{
    Browser, BrowserState, Credentials, Fetch, Mode, Outcome, Page, RedirectMode, Request,
    ResponseHead,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let control = lines.next().unwrap_or_default().as_bytes();
    let pick = |i: usize| control.get(i).copied().unwrap_or(0);
    let browser = Browser::ALL[usize::from(pick(0)) % Browser::ALL.len()];
    let mode = [Mode::Cors, Mode::NoCors, Mode::SameOrigin][usize::from(pick(1)) % 3];
    let credentials =
        [Credentials::Omit, Credentials::SameOrigin, Credentials::Include][usize::from(pick(2)) % 3];
    let redirect =
        [RedirectMode::Follow, RedirectMode::Error, RedirectMode::Manual][usize::from(pick(3)) % 3];
    let method = lines.next().unwrap_or("GET");
    let url = lines.next().unwrap_or("https://api.example/");
    let mut request = Request::new(method, url)
        .mode(mode)
        .credentials(credentials)
        .redirect(redirect);
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(':').unwrap_or((line, ""));
        request = request.header(n, v);
    }
    if pick(4) % 2 == 1 {
        request = request.body(corsica::fetch::Body::text("x"));
    }
    let mut answers: Vec<Option<ResponseHead<'static>>> = Vec::new();
    let mut current: Option<ResponseHead<'static>> = None;
    for line in lines {
        match current.as_mut() {
            None if line == "!" => answers.push(None),
            None => current = Some(ResponseHead::new(line.trim().parse().unwrap_or(200))),
            Some(_) if line.is_empty() => answers.push(current.take()),
            Some(head) => {
                let (n, v) = line.split_once(':').unwrap_or((line, ""));
                head.push(n.to_owned(), v.to_owned());
            }
        }
    }
    if current.is_some() {
        answers.push(current);
    }

    let page = Page::new("https://app.example/page.html").expect("a valid page");
    let mut state = BrowserState::new(browser);
    state.set_cookie("api.example", "a=b");
    // Two fetches share the state: caches carry over.
    let mut next = answers.into_iter().cycle().take(256);
    for round in 0..2u64 {
        let now = Duration::from_secs(round);
        let mut fetch = Fetch::new(&page, &request);
        let mut exchanges = 0;
        while let Some(tx) = fetch.poll_transmit(&mut state, now) {
            exchanges += 1;
            // 20 redirects, each with a preflight, and the last request.
            assert!(exchanges <= 44, "the fetch does not end");
            let _ = tx.to_http();
            assert!(tx.headers().all(|(n, _)| !n.is_empty()));
            match next.next().flatten() {
                Some(head) => fetch.handle_response(&mut state, now, &head),
                None => fetch.handle_error(&mut state, now),
            }
        }
        match fetch.finish() {
            Outcome::Readable(r) => {
                assert!(r.exposed.windows(2).all(|w| w[0] < w[1]));
            }
            Outcome::Blocked(b) => {
                let _ = b.error_code();
                let _ = b.failed_parameter();
                let _ = b.console_message();
                assert!(!b.cause().is_empty());
                assert!(!b.fix().summary.is_empty());
            }
        }
    }
});
