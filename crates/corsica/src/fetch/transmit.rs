//! A request the browser puts on the wire.

use std::borrow::Cow;

use bytes::Bytes;
use url::Url;

use super::wire::WireHeader;
use crate::headers::eq_ci;

/// Which request a [`Transmit`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransmitKind {
    /// The CORS preflight: an `OPTIONS` with `Access-Control-Request-Method`.
    Preflight,
    /// The request itself (or one of its redirect hops).
    Request,
}

/// A request to send, exactly as the browser would: method, URL (without
/// user-info or fragment), and every header with its bytes, in wire order.
///
/// Send it, then hand the response head back to
/// [`Fetch::handle_response`](super::Fetch::handle_response).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a Transmit is the request to send; the fetch waits for its response"]
pub struct Transmit {
    pub(crate) kind: TransmitKind,
    pub(crate) method: http::Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<WireHeader>,
}

/// Occurs when a request cannot be expressed with the `http` crate's
/// types: a header value holds a control byte that browsers send but
/// `http::HeaderValue` refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("header {name} holds a byte the http crate cannot carry (0x{byte:02x})")]
pub struct WireError {
    /// The header's name.
    pub name: String,
    /// The first byte refused.
    pub byte: u8,
}

impl Transmit {
    /// Whether this is the preflight or the request.
    pub fn kind(&self) -> TransmitKind {
        self.kind
    }

    /// Whether this is the preflight.
    pub fn is_preflight(&self) -> bool {
        self.kind == TransmitKind::Preflight
    }

    /// The method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The URL, without user-info or fragment.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Every header, in the order the browser writes them: the name as the
    /// browser (or the script) spells it, and the value's bytes.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&str, &[u8])> {
        self.headers.iter().map(|(n, v)| (&**n, &v[..]))
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| eq_ci(n, name))
            .map(|(_, v)| &v[..])
    }

    /// The request as the `http` crate's types, headers inserted in wire
    /// order (the `HeaderMap` keeps that order; it lowercases the names).
    /// The `Host` header stays in the map, for HTTP/1.1 clients that send
    /// the map as it is.
    pub fn to_http(&self) -> Result<http::Request<()>, WireError> {
        let mut map = http::HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let refused = |bytes: &[u8]| WireError {
                name: name.to_string(),
                byte: bytes
                    .iter()
                    .copied()
                    .find(|&b| (b < 0x20 && b != b'\t') || b == 0x7f || !b.is_ascii())
                    .unwrap_or(0),
            };
            let header_value =
                http::HeaderValue::from_maybe_shared(value.clone()).map_err(|_| refused(value))?;
            let header_name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| refused(name.as_bytes()))?;
            map.append(header_name, header_value);
        }
        let mut request = http::Request::builder()
            .method(self.method.clone())
            .uri(self.url.as_str())
            .body(())
            .map_err(|_| WireError {
                name: ":path".to_owned(),
                byte: 0,
            })?;
        *request.headers_mut() = map;
        Ok(request)
    }

    /// The parts, for drivers that keep what was sent.
    pub fn into_parts(
        self,
    ) -> (
        TransmitKind,
        http::Method,
        Url,
        Vec<(Cow<'static, str>, Bytes)>,
    ) {
        (self.kind, self.method, self.url, self.headers)
    }
}
