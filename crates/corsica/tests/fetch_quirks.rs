//! Where the browsers differ, end to end through `simulate_case`: each test
//! names the knob (in `fetch/browser.rs`) it exercises.

use corsica::fetch::Browser;
use corsica::simulate::{Answer, Case, CaseOutcome, simulate_case};

fn case(json: &str) -> Case<'_> {
    serde_json::from_str(json).expect("case parses")
}

fn run(json: &str, browser: Browser) -> Vec<Answer> {
    simulate_case(&case(json), browser).expect("case prepares")
}

fn header(answer: &Answer, sent: usize, name: &str) -> Option<String> {
    answer.sent[sent]
        .header_text()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

/// The cache keeps every method one preflight granted (the replace/merge
/// difference of `cache_update` needs two different grants for one URL,
/// which a case cannot express; see the unit tests of `fetch::cache`).
#[test]
fn one_preflight_serves_every_granted_method() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/r":{"preflight":{"status":204,"headers":[
        ["Access-Control-Allow-Origin","http://app.test:8001"],
        ["Access-Control-Allow-Methods","PUT, DELETE"],["Access-Control-Max-Age","60"]]},
        "response":{"status":200,"headers":[["Access-Control-Allow-Origin","http://app.test:8001"]]}}},
      "requests":[
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"same-origin"},
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"same-origin"},
        {"url":"http://api.test:8002/r","method":"DELETE","headers":[],"mode":"cors","credentials":"same-origin"},
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"same-origin"}]}"#;
    let preflights = |b| run(json, b).iter().map(|a| a.preflight).collect::<Vec<_>>();
    // Both methods were granted by the first preflight, so every browser
    // serves the rest from the cache.
    assert_eq!(preflights(Browser::Chrome), [true, false, false, false]);
    assert_eq!(preflights(Browser::Firefox), [true, false, false, false]);
}

/// `invalid_max_age`: 5 s in Chromium, not cached in Firefox.
#[test]
fn unparsable_max_age() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/r":{"preflight":{"status":204,"headers":[
        ["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Methods","PUT"],
        ["Access-Control-Max-Age","60s"]]},
        "response":{"status":200,"headers":[["Access-Control-Allow-Origin","*"]]}}},
      "requests":[
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"omit"},
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"omit","delay_ms":1000},
        {"url":"http://api.test:8002/r","method":"PUT","headers":[],"mode":"cors","credentials":"omit","delay_ms":5000}]}"#;
    let preflights = |b| run(json, b).iter().map(|a| a.preflight).collect::<Vec<_>>();
    assert_eq!(preflights(Browser::Chrome), [true, false, true]);
    assert_eq!(preflights(Browser::Firefox), [true, true, true]);
}

/// `preflight_sticky_across_redirects`: after a 303 turns a PUT into a GET,
/// Firefox still preflights the next hop; Chromium does not.
#[test]
fn firefox_preflights_again_after_a_303() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/a":{
        "preflight":{"status":204,"headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Methods","PUT"]]},
        "response":{"status":303,"headers":[["Access-Control-Allow-Origin","*"],["Location","/b"]]}},
      "http://api.test:8002/b":{
        "preflight":{"status":204,"headers":[["Access-Control-Allow-Origin","*"]]},
        "response":{"status":200,"headers":[["Access-Control-Allow-Origin","*"]]}}},
      "requests":[{"url":"http://api.test:8002/a","method":"PUT","headers":[],"mode":"cors","credentials":"same-origin","body":"x"}]}"#;
    let methods = |b| {
        run(json, b)[0]
            .sent
            .iter()
            .map(|s| s.method.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(methods(Browser::Chrome), ["OPTIONS", "PUT", "GET"]);
    assert_eq!(
        methods(Browser::Firefox),
        ["OPTIONS", "PUT", "OPTIONS", "GET"]
    );
    assert_eq!(methods(Browser::Spec), ["OPTIONS", "PUT", "GET"]);
}

/// Redirect taint: a cross-origin hop to a third origin sends `Origin:
/// null`; Firefox still preflights with the page's origin
/// (`preflight_ignores_taint`).
#[test]
fn tainted_origin_after_cross_origin_hop() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/a":{
        "preflight":{"status":204,"headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Headers","x-a"]]},
        "response":{"status":307,"headers":[["Access-Control-Allow-Origin","*"],["Location","http://other.test:8003/b"]]}},
      "http://other.test:8003/b":{
        "preflight":{"status":204,"headers":[["Access-Control-Allow-Origin","*"],["Access-Control-Allow-Headers","x-a"]]},
        "response":{"status":200,"headers":[["Access-Control-Allow-Origin","*"]]}}},
      "requests":[{"url":"http://api.test:8002/a","method":"GET","headers":[["X-A","1"]],"mode":"cors","credentials":"same-origin"}]}"#;
    let chrome = &run(json, Browser::Chrome)[0];
    assert_eq!(chrome.sent.len(), 4);
    assert_eq!(header(chrome, 2, "origin").as_deref(), Some("null"));
    assert_eq!(header(chrome, 3, "origin").as_deref(), Some("null"));
    let firefox = &run(json, Browser::Firefox)[0];
    assert_eq!(
        header(firefox, 2, "origin").as_deref(),
        Some("http://app.test:8001")
    );
    assert_eq!(header(firefox, 3, "origin").as_deref(), Some("null"));
}

/// `net_origin_null_on_cross_origin_hop`: a no-cors POST redirected from the
/// page's origin to another origin.
#[test]
fn no_cors_post_redirected_away_from_the_page_origin() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://app.test:8001/a":{"response":{"status":307,"headers":[["Location","http://api.test:8002/b"]]}},
      "http://api.test:8002/b":{"response":{"status":200,"headers":[]}}},
      "requests":[{"url":"http://app.test:8001/a","method":"POST","headers":[],"mode":"no-cors","credentials":"same-origin","body":"x"}]}"#;
    assert_eq!(
        header(&run(json, Browser::Chrome)[0], 1, "origin").as_deref(),
        Some("null")
    );
    assert_eq!(
        header(&run(json, Browser::Spec)[0], 1, "origin").as_deref(),
        Some("http://app.test:8001")
    );
    assert_eq!(run(json, Browser::Chrome)[0].status, Some(0));
}

/// `user_agent_forbidden`: Chromium drops a script's User-Agent, Firefox
/// sends it and so needs a preflight.
#[test]
fn script_user_agent() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/r":{"response":{"status":200,"headers":[["Access-Control-Allow-Origin","*"]]}}},
      "requests":[{"url":"http://api.test:8002/r","method":"GET","headers":[["User-Agent","bot"]],"mode":"cors","credentials":"omit"}]}"#;
    let chrome = &run(json, Browser::Chrome)[0];
    assert!(!chrome.preflight);
    assert_eq!(chrome.outcome, CaseOutcome::Ok);
    let firefox = &run(json, Browser::Firefox)[0];
    assert!(firefox.preflight);
    assert_eq!(firefox.error, Some("CORSMissingAllowOrigin"));
}

/// `acao_order`: a comma inside one `Access-Control-Allow-Origin` line.
#[test]
fn comma_in_allow_origin() {
    let json = r#"{"id":"q","origin":"http://app.test:8001","server":{
      "http://api.test:8002/r":{"response":{"status":200,"headers":[
        ["Access-Control-Allow-Origin","http://app.test:8001, http://x.test"]]}}},
      "requests":[{"url":"http://api.test:8002/r","method":"GET","headers":[],"mode":"cors","credentials":"omit"}]}"#;
    assert_eq!(
        run(json, Browser::Chrome)[0].error,
        Some("MultipleAllowOriginValues")
    );
    let firefox = &run(json, Browser::Firefox)[0];
    assert_eq!(firefox.error, Some("CORSAllowOriginNotMatchingOrigin"));
    assert!(
        firefox
            .message
            .as_deref()
            .unwrap()
            .ends_with("does not match \u{2018}http://app.test:8001, http://x.test\u{2019}).")
    );
}
