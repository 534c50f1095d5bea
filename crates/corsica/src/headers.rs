//! The Fetch Standard's header algorithms.
//!
//! INTERFACE STUB, to be implemented: see the doc of each item for the contract.
#![allow(missing_docs, unused_variables)]

/// <https://fetch.spec.whatwg.org/#cors-safelisted-method>: `GET`, `HEAD`, `POST`, byte-exact.
pub fn is_cors_safelisted_method(method: &str) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#forbidden-method>: `CONNECT`, `TRACE`, `TRACK`, case-insensitive.
pub fn is_forbidden_method(method: &str) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#concept-method-normalize>
pub fn normalize_method(method: &str) -> std::borrow::Cow<'_, str> {
    todo!()
}
/// RFC 9110 token.
pub fn is_token(bytes: &[u8]) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
pub fn is_cors_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>:
/// byte-lowercased, deduplicated, sorted.
pub fn cors_unsafe_request_header_names<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<String> {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
pub fn is_forbidden_request_header(name: &str, value: &[u8]) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name> (the fixed list part)
pub fn is_cors_safelisted_response_header_name(name: &str) -> bool {
    todo!()
}
/// <https://fetch.spec.whatwg.org/#concept-header-list-get-decode-split>
pub fn get_decode_split(value: &[u8]) -> Vec<String> {
    todo!()
}
