//! `Origin::parse`, `Origin::parse_canonical` and `OriginRef::parse` on
//! arbitrary bytes: no panic, and the three agree with each other and with
//! the serializer.
#![no_main]

use corsica::origin::{Origin, OriginRef};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fast = OriginRef::parse(data);
    let Ok(s) = std::str::from_utf8(data) else {
        assert!(fast.is_none(), "OriginRef accepted non-UTF-8 {data:?}");
        return;
    };
    let lenient = Origin::parse(s);
    let canonical = Origin::parse_canonical(s);
    if let Ok(origin) = &lenient {
        // Serializing is canonical and idempotent.
        let serialized = origin.serialize();
        let again = Origin::parse(&serialized).expect("a serialization parses");
        assert_eq!(&again, origin, "{s:?} -> {serialized:?}");
        assert_eq!(again.serialize(), serialized);
        assert_eq!(Origin::parse_canonical(&serialized).as_ref(), Ok(origin));
    }
    match &canonical {
        // parse_canonical accepts exactly the inputs equal to their own
        // serialization.
        Ok(origin) => {
            assert_eq!(origin.serialize(), s);
            assert_eq!(lenient.as_ref(), Ok(origin));
        }
        Err(_) => assert!(lenient.as_ref().map_or(true, |o| o.serialize() != s), "{s:?}"),
    }
    // Whatever the hot-path split accepts is a canonical tuple origin with
    // the same parts (xn-- labels excepted, which OriginRef does not check).
    if let Some(r) = fast {
        let rebuilt = match r.port() {
            Some(p) => format!("{}://{}:{p}", r.scheme(), r.host()),
            None => format!("{}://{}", r.scheme(), r.host()),
        };
        assert_eq!(rebuilt, s);
        if !s.contains("xn--") {
            let origin = canonical.as_ref().unwrap_or_else(|e| panic!("OriginRef accepted {s:?}: {e}"));
            assert_eq!(origin.port(), r.port());
            assert_eq!(origin.scheme(), Some(r.scheme()));
        }
    }
});
