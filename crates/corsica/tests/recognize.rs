//! `explain::recognize` against what real browsers printed: every console
//! message Chromium and Firefox recorded in `conformance/answers/` is read
//! back to the browser's own error name, its URL and (Chromium) its origin.

use std::fs;
use std::path::Path;

use corsica::explain::recognize;
use corsica::fetch::Browser;
use serde_json::Value;

fn answers(browser: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/answers")
        .join(format!("{browser}.jsonl"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_recorded_message_is_recognised() {
    for (name, browser) in [("chrome", Browser::Chrome), ("firefox", Browser::Firefox)] {
        let mut read = 0;
        for answer in answers(name) {
            let Some(message) = answer["message"].as_str() else {
                continue;
            };
            let id = answer["id"].as_str().unwrap_or_default();
            let seen = recognize(message)
                .unwrap_or_else(|e| panic!("{name} {id}: {message:?} not recognised: {e}"));
            assert_eq!(seen.browser(), browser, "{id}");
            // The recorded error name is one the candidates carry.
            let codes: Vec<Option<&str>> = seen
                .candidates()
                .iter()
                .map(|f| match browser {
                    Browser::Firefox => f.firefox_reason(),
                    _ => f.chrome_error(),
                })
                .collect();
            let recorded = answer["error"].as_str();
            assert!(
                codes.contains(&recorded),
                "{name} {id}: recorded {recorded:?}, recognised {codes:?} in {message:?}"
            );
            // The URLs named are the case's (its cache entries and
            // redirects decide which).
            assert!(seen.url().contains(':'), "{name} {id}: {}", seen.url());
            if seen.redirected() {
                assert_ne!(seen.initial_url(), seen.url(), "{name} {id}");
            }
            read += 1;
        }
        assert!(read > 300, "{name}: only {read} messages");
    }
}
