//! axum: the policy itself, run by corsica's own tower middleware.
//!
//! The output is a Rust module holding the policy as TOML and a `layer()`
//! that loads it with `corsica-tower`, corsica's `tower::Layer` (which calls
//! [`Policy::decide`](corsica::Policy::decide) for every request). Nothing
//! is translated, so nothing can be lost: no policy is refused.
//!
//! Why not tower-http's `CorsLayer`, which axum users know: it cannot say
//! most policies exactly. It answers every `OPTIONS` request as a preflight
//! (a script's own `OPTIONS` never reaches the handler), answers a preflight
//! from a disallowed origin with 200, never checks the method or headers a
//! preflight asks for (a rejected preflight cannot be answered as the policy
//! says), has no subdomain or port wildcards (only an arbitrary predicate),
//! and panics instead of returning an error on `*` with credentials. Each of
//! those would be a refusal or an approximation; corsica-tower is exact by
//! construction.
//!
//! corsica-tower's API is not released yet: the `layer()` function in the
//! output is marked provisional, and its body may need renaming once the
//! crate is published. The TOML is final. This output is not run by the
//! export tests (the crate it calls does not exist yet); its TOML is checked
//! to read back as the same policy.

use super::{Facts, Stack, banner};

pub(super) fn render(f: &Facts<'_>) -> String {
    let toml = toml::to_string(f.policy.config()).unwrap_or_default();
    let mut out = banner("//", Stack::Axum, f);
    out.push_str(
        "//
// CORS for an axum (or any tower) service, with corsica's own middleware:
// it runs this policy with corsica's engine, so there is nothing to get
// wrong in translation. Save this as src/cors.rs, add `mod cors;`, and
//
//     let app = Router::new()
//         .route(\"/\", get(handler))
//         .layer(cors::layer());
//
// Cargo.toml: corsica and corsica-tower (same version as the corsica that
// exported this).
//
// PROVISIONAL: corsica-tower's API is not released yet. The policy below is
// final; the body of `layer()` may need a rename once corsica-tower is
// published.
//
// Why not tower_http::cors::CorsLayer: it answers every OPTIONS request as a
// preflight, answers preflights from disallowed origins with 200, never
// checks the method or headers a preflight asks for, has no subdomain or
// port wildcards, and panics on `*` with credentials.

/// The policy, as corsica reads it (`corsica policy check` validates it).
",
    );
    // A raw string with one more `#` than any `"#…` run in the TOML (a
    // header name may hold `#`).
    let hashes = "#".repeat(longest_quote_hash_run(&toml) + 1);
    out.push_str(&format!(
        "pub const POLICY_TOML: &str = r{hashes}\"\n{toml}\"{hashes};\n"
    ));
    out.push_str(
        "
/// The CORS layer for this policy.
///
/// PROVISIONAL: corsica-tower's API may still change before its release.
pub fn layer() -> corsica_tower::CorsLayer {
    let policy = corsica::Policy::from_toml_str(POLICY_TOML)
        .expect(\"the exported policy was valid when exported\");
    corsica_tower::CorsLayer::new(policy)
}
",
    );
    out
}

/// The longest run of `#` right after a `"` in `s`.
fn longest_quote_hash_run(s: &str) -> usize {
    s.split('"')
        .skip(1)
        .map(|rest| rest.bytes().take_while(|&b| b == b'#').count())
        .max()
        .unwrap_or(0)
}
