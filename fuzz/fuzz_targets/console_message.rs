//! `corsica why` on arbitrary text: `explain::recognize` never panics,
//! stays bounded, and what it recognises it recognises again from the
//! line it kept, with the same template and candidates.
#![no_main]

use corsica::explain::{RequestFacts, recognize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match recognize(&text) {
        Ok(seen) => {
            let candidates = seen.candidates();
            assert!(!candidates.is_empty());
            let again = recognize(seen.line()).expect("the kept line is recognised again");
            assert_eq!(again.template().to_string(), seen.template().to_string());
            assert_eq!(again.url(), seen.url());
            for f in &candidates {
                let blocked = seen.blocked(f, &RequestFacts::default());
                let _ = (f.cause(), blocked.fix(), seen.template().describe());
            }
        }
        Err(err) => {
            assert!(err.closest().len() <= 3);
            let _ = err.to_string();
        }
    }
});
