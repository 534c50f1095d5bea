//! `corsica simulate`'s input: one case as JSON text, parsed as the CLI
//! parses it (strings borrowed from the text where they have no escape),
//! prepared, and simulated in every browser.
//!
//! Asserts: no panic; a case that parses is the same case once owned
//! (`Case::into_owned`) and after a round trip through its own
//! serialization; every answer serializes.
#![no_main]

use corsica::fetch::Browser;
use corsica::simulate::{Case, PreparedCase, simulate_prepared};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(case) = serde_json::from_str::<Case>(text) else {
        return;
    };
    assert_eq!(case.clone().into_owned(), case, "owning a case changed it");
    let written = serde_json::to_string(&case).expect("a case serializes");
    let reread: Case = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("a written case does not parse: {e}: {written}"));
    assert_eq!(reread, case, "a case changed through its serialization");
    // Inline policies only: a policy file is refused (an error, not a
    // panic).
    if let Ok(prepared) = PreparedCase::new(&case) {
        for browser in Browser::ALL {
            for answer in simulate_prepared(&prepared, browser) {
                serde_json::to_string(&answer).expect("an answer serializes");
            }
        }
    }
});
