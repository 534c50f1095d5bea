//! The replay on hand-written exports: pairing, inference, odd input.

use super::*;

fn entry(
    method: &str,
    url: &str,
    status: i64,
    req: &[(&str, &str)],
    resp: &[(&str, &str)],
) -> HarEntry {
    HarEntry {
        method: method.into(),
        url: url.into(),
        status: Some(status),
        pageref: Some("p".into()),
        resource_type: Some("fetch".into()),
        request_headers: req
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
        response_headers: resp
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
        ..HarEntry::default()
    }
}

fn file(entries: Vec<HarEntry>) -> HarFile {
    HarFile {
        pages: vec![HarPage {
            id: "p".into(),
            title: "https://app.example/page".into(),
        }],
        entries: entries
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.index = i;
                e
            })
            .collect(),
        ..HarFile::default()
    }
}

const O: (&str, &str) = ("Origin", "https://app.example");

#[test]
fn a_recorded_preflight_is_paired_and_replayed() {
    let mut pf = entry(
        "OPTIONS",
        "https://api.example/x",
        204,
        &[
            O,
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        &[
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Access-Control-Allow-Methods", "GET"),
        ],
    );
    pf.resource_type = Some("preflight".into());
    let mut req = entry(
        "PUT",
        "https://api.example/x",
        0,
        &[
            O,
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-cache"),
            ("Pragma", "no-cache"),
        ],
        &[],
    );
    req.error = Some("net::ERR_FAILED".into());
    let report = analyze(&file(vec![req, pf]), &HarOptions::default());
    assert_eq!(report.pages[0].source, OriginSource::PageUrl);
    let r = &report.requests[0];
    assert_eq!(r.preflight, PreflightSource::Recorded(1));
    assert_eq!(r.error_code(), Some("MethodDisallowedByPreflightResponse"));
    assert_eq!(r.agrees(), Some(true));
    // DevTools' "Disable cache" headers are the browser's, not the script's.
    assert_eq!(
        r.headers,
        [("Content-Type".to_owned(), "application/json".to_owned())]
    );
    assert_eq!(report.exit_code(), 1);
    assert_eq!(
        report.summary()[0].reason,
        "MethodDisallowedByPreflightResponse"
    );
}

#[test]
fn without_preflight_entries_the_replay_infers_them() {
    // Went through: the preflight passed.
    let ok = entry(
        "PUT",
        "https://api.example/ok",
        200,
        &[O, ("Content-Type", "application/json")],
        &[
            ("Access-Control-Allow-Origin", "https://app.example"),
            ("Vary", "Origin"),
        ],
    );
    // Failed without an answer: the preflight (or the request) failed.
    let mut failed = entry("DELETE", "https://api.example/gone", 0, &[O], &[]);
    failed.error = Some("net::ERR_FAILED".into());
    failed.status = Some(-1);
    let report = analyze(&file(vec![ok, failed]), &HarOptions::default());
    assert_eq!(report.requests[0].preflight, PreflightSource::Inferred);
    assert!(matches!(report.requests[0].replay, Replay::Allowed(_)));
    let r = &report.requests[1];
    assert!(r.is_blocked());
    let Replay::Unknown { missing, .. } = &r.replay else {
        panic!("{:?}", r.replay)
    };
    assert_eq!(missing.kind, TransmitKind::Preflight);
    assert!(
        missing
            .headers
            .contains(&("Access-Control-Request-Method".into(), "DELETE".into()))
    );
    assert_eq!(
        r.check_command(),
        "corsica check 'https://api.example/gone' --origin 'https://app.example' -X DELETE"
    );
    assert_eq!(report.summary()[0].reason, "not in the export");
}

#[test]
fn credentials_are_inferred_when_only_they_explain_the_block() {
    let mut e = entry(
        "GET",
        "https://api.example/me",
        200,
        &[O],
        &[("Access-Control-Allow-Origin", "*")],
    );
    e.error = Some("net::ERR_FAILED".into());
    let report = analyze(&file(vec![e]), &HarOptions::default());
    let r = &report.requests[0];
    assert!(r.credentials_inferred);
    assert_eq!(r.error_code(), Some("WildcardOriginNotAllowed"));
}

#[test]
fn redirect_hops_are_followed_through_the_export() {
    let first = entry(
        "GET",
        "https://api.example/a",
        302,
        &[O],
        &[
            ("Location", "/b"),
            ("Access-Control-Allow-Origin", "https://app.example"),
        ],
    );
    let mut second = entry("GET", "https://api.example/b", 200, &[O], &[]);
    second.error = Some("net::ERR_FAILED".into());
    let report = analyze(&file(vec![first, second]), &HarOptions::default());
    assert_eq!(report.requests.len(), 1);
    let r = &report.requests[0];
    assert_eq!(r.hops, [1]);
    let msg = r.blocked().unwrap().console_message().unwrap();
    assert!(
        msg.contains("(redirected from 'https://api.example/a')"),
        "{msg}"
    );
}

#[test]
fn the_page_origin_comes_from_what_the_export_holds() {
    let mut f = file(vec![entry("GET", "https://api.example/x", 200, &[O], &[])]);
    f.pages[0].title = "My page".into();
    let report = analyze(&f, &HarOptions::default());
    assert_eq!(report.pages[0].source, OriginSource::OriginHeader);
    assert_eq!(report.pages[0].origin, "https://app.example");
    f.entries[0].request_headers.clear();
    let report = analyze(&f, &HarOptions::default());
    assert!(report.pages.is_empty());
    assert_eq!(report.no_origin, 1);
    assert!(report.warnings[0].contains("give it with --origin"));
    let report = analyze(
        &f,
        &HarOptions {
            origin: Some("https://app.example".into()),
            browser: Some(Browser::Firefox),
        },
    );
    assert_eq!(report.pages[0].source, OriginSource::Given);
    assert_eq!(report.requests.len(), 1);
}

#[test]
fn same_origin_and_no_cors_entries_are_counted_not_replayed() {
    let same = entry("GET", "https://app.example/api", 200, &[], &[]);
    let mut img = entry("GET", "https://cdn.example/a.png", 200, &[], &[]);
    img.resource_type = Some("image".into());
    let report = analyze(&file(vec![same, img]), &HarOptions::default());
    assert_eq!(
        (report.same_origin, report.not_cors, report.requests.len()),
        (1, 1, 0)
    );
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn without_resource_types_the_mode_is_told_from_the_headers() {
    let mut nav = entry(
        "GET",
        "https://other.example/frame",
        200,
        &[
            ("Upgrade-Insecure-Requests", "1"),
            ("Cache-Control", "max-age=0"),
        ],
        &[],
    );
    nav.resource_type = None;
    let mut img = entry(
        "GET",
        "https://cdn.example/a.png",
        200,
        &[("Accept", "image/avif,image/webp,*/*")],
        &[],
    );
    img.resource_type = None;
    let mut put = entry(
        "PUT",
        "https://api.example/x",
        0,
        &[("Content-Type", "application/json")],
        &[],
    );
    put.resource_type = None;
    put.error = Some("NS_ERROR_DOM_BAD_URI".into());
    let mut f = file(vec![nav, img, put]);
    f.entries[2]
        .request_headers
        .push(("Origin".into(), "https://app.example".into()));
    let report = analyze(&f, &HarOptions::default());
    assert_eq!(report.not_cors, 2);
    assert_eq!(report.requests.len(), 1);
    assert!(report.requests[0].is_blocked());
}
