//! `corsica har` on arbitrary bytes: the streaming reader, then the
//! replay through the engine. No panic; what is read is consistent; the
//! report serializes.
#![no_main]

use corsica::fetch::Browser;
use corsica_doctor::har::{self, HarOptions, MAX_HEADERS, MAX_HEADER_BYTES, MAX_WARNINGS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = har::read(data);
    assert!(file.warnings.len() <= MAX_WARNINGS);
    let mut last = None;
    for e in &file.entries {
        // Entries keep their order and their positions in the export.
        assert!(last.is_none_or(|l| e.index > l));
        last = Some(e.index);
        assert!(e.request_headers.len() <= MAX_HEADERS && e.response_headers.len() <= MAX_HEADERS);
        assert!(e
            .request_headers
            .iter()
            .chain(&e.response_headers)
            .all(|(_, v)| v.len() <= MAX_HEADER_BYTES));
    }
    for options in [
        HarOptions::default(),
        HarOptions {
            origin: Some("https://app.example".into()),
            browser: Some(Browser::Firefox),
        },
    ] {
        let report = har::analyze(&file, &options);
        assert!(report.requests.len() <= file.entries.len());
        let blocked = report.blocked().count();
        assert_eq!(report.summary().iter().map(|r| r.count).sum::<usize>(), blocked);
        for r in &report.requests {
            let _ = r.check_command();
            if let Some(b) = r.blocked() {
                let _ = (b.console_message(), b.cause(), b.fix());
            }
        }
        let _ = serde_json::to_string(&report.to_json()).unwrap();
    }
});
