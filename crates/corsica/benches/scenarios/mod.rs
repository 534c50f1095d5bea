//! The origin lists of the scenarios of jub0bs/cors-benchmarks, as every
//! corsica benchmark uses them: the engine's `decide` bench and
//! corsica-tower's middleware benches (which include this file with
//! `#[path]`), so the two always measure the same policies.

/// A 253-byte host (the longest a DNS name can be) starting with `first`.
pub fn long_host(first: char) -> String {
    // 63 + 1 + 63 + 1 + 63 + 1 + 57 + 1 + 3 = 253 bytes.
    format!(
        "{}.{}.{}.{}.com",
        first.to_string().repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(57)
    )
}

/// The allowed origins of a scenario: `one`, `two` (two 253-byte hosts),
/// `multiple` (nine, most of them patterns), `many` (1,000), `many10k`
/// (10,000) or `all` (`*`).
pub fn origins(scenario: &str) -> Vec<String> {
    match scenario {
        "one" => vec!["https://example.com".into()],
        "two" => vec![
            format!("https://{}", long_host('a')),
            format!("https://{}", long_host('z')),
        ],
        "multiple" => [
            "https://example.com",
            "https://*.example.com",
            "http://localhost:*",
            "https://*.foo.org:*",
            "https://api.bar.net:8443",
            "https://*.a.b.c.dev",
            "http://127.0.0.1:*",
            "https://x.y.z",
            "https://*.qux.io",
        ]
        .map(String::from)
        .to_vec(),
        "many" => (0..1000)
            .map(|i| format!("https://{i:03}.example.com"))
            .collect(),
        "many10k" => (0..10_000)
            .map(|i| format!("https://{i:05}.example.com"))
            .collect(),
        "all" => vec!["*".into()],
        other => panic!("unknown scenario {other}"),
    }
}
