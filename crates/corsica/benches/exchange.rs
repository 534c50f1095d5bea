//! One exchange of the request-level driver (`Fetch::poll_transmit` then
//! `Fetch::handle_response`) on normal and hostile answers.
//!
//! Run: `cargo bench -p corsica --bench exchange`. Each row times one fetch
//! of one request with its answer already built (building the
//! `ResponseHead` is the caller's I/O; `head_build/*` times that apart):
//!
//! - `normal`: a CORS `GET` answered 200 with `Access-Control-Allow-Origin`
//!   and three other headers;
//! - `lines_10k`: the same answer with 10,000 extra header lines;
//! - `value_1mib`: an `Access-Control-Allow-Origin` of 1 MiB (over every
//!   browser's head limit, so a network error);
//! - `value_200kib`: an `Access-Control-Allow-Origin` of 200 KiB (under
//!   Chromium's 256 KiB limit: the CORS check reads it);
//! - `redirects_20`: a chain of 20 redirects, per exchange (the fetch is
//!   21 exchanges; the row divides by 21).

use std::sync::LazyLock;
use std::time::Duration;

use corsica::fetch::{Browser, BrowserState, Fetch, Page, Request, ResponseHead};
use divan::{Bencher, black_box};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

static PAGE: LazyLock<Page> = LazyLock::new(|| Page::new("https://app.example/").unwrap());
static REQUEST: LazyLock<Request> = LazyLock::new(|| Request::get("https://api.example/data"));

fn base() -> ResponseHead<'static> {
    let mut h = ResponseHead::new(200);
    h.push("Access-Control-Allow-Origin", "https://app.example");
    h.push("Content-Type", "application/json");
    h.push("Content-Length", "2");
    h.push("Vary", "Origin");
    h
}

fn lines_10k() -> ResponseHead<'static> {
    let mut h = base();
    for i in 0..10_000 {
        h.push(format!("X-Junk-{i}"), "1");
    }
    h
}

fn value(len: usize) -> ResponseHead<'static> {
    let mut h = ResponseHead::new(200);
    h.push("Access-Control-Allow-Origin", "a".repeat(len));
    h
}

const BROWSERS: [Browser; 2] = [Browser::Chrome, Browser::Firefox];

/// One fetch answered with `head`, on a fresh state each time.
fn one(browser: Browser, head: &ResponseHead<'_>) {
    let mut state = BrowserState::new(browser);
    let mut fetch = Fetch::new(&PAGE, &REQUEST);
    while let Some(tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
        black_box(&tx);
        fetch.handle_response(&mut state, Duration::ZERO, head);
    }
    black_box(fetch.finish());
}

#[divan::bench(args = BROWSERS)]
fn normal(bencher: Bencher, browser: Browser) {
    let head = base();
    bencher.bench(|| one(browser, &head));
}

#[divan::bench(args = BROWSERS)]
fn lines_10k_rows(bencher: Bencher, browser: Browser) {
    let head = lines_10k();
    bencher.bench(|| one(browser, &head));
}

#[divan::bench(args = BROWSERS)]
fn value_1mib(bencher: Bencher, browser: Browser) {
    let head = value(1 << 20);
    bencher.bench(|| one(browser, &head));
}

#[divan::bench(args = BROWSERS)]
fn value_200kib(bencher: Bencher, browser: Browser) {
    let head = value(200 << 10);
    bencher.bench(|| one(browser, &head));
}

/// A 20-hop chain: `/0` → `/1` → ... → `/20`, each a 307 with CORS
/// headers; the counter counts exchanges.
#[divan::bench(args = BROWSERS)]
fn redirects_20(bencher: Bencher, browser: Browser) {
    let hops: Vec<ResponseHead<'static>> = (1..=20)
        .map(|i| {
            let mut h = ResponseHead::new(307);
            h.push("Location", format!("/{i}"));
            h.push("Access-Control-Allow-Origin", "https://app.example");
            h
        })
        .chain(std::iter::once(base()))
        .collect();
    let request = Request::get("https://api.example/0");
    bencher
        .counter(divan::counter::ItemsCount::new(hops.len()))
        .bench(|| {
            let mut state = BrowserState::new(browser);
            let mut fetch = Fetch::new(&PAGE, &request);
            let mut i = 0;
            while let Some(tx) = fetch.poll_transmit(&mut state, Duration::ZERO) {
                black_box(&tx);
                fetch.handle_response(&mut state, Duration::ZERO, &hops[i.min(hops.len() - 1)]);
                i += 1;
            }
            black_box(fetch.finish());
        });
}

/// Building the heads (the caller's side: what parsing costs anyway).
mod head_build {
    use super::*;

    #[divan::bench]
    fn normal() -> ResponseHead<'static> {
        base()
    }

    #[divan::bench]
    fn lines_10k() -> ResponseHead<'static> {
        super::lines_10k()
    }
}
