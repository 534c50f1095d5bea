//! The answer format: one line per request of a case.

use std::borrow::Cow;

use bytes::Bytes;
use serde::ser::{SerializeSeq, SerializeStruct, SerializeTuple};
use serde::{Serialize, Serializer};

use crate::fetch::{Browser, Outcome, ResponseType};

/// What the script gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseOutcome {
    /// The script can read the response.
    Ok,
    /// The promise rejects with a network error.
    Blocked,
    /// A `no-cors` response (or a manual redirect) the script cannot read.
    Opaque,
}

impl CaseOutcome {
    /// What the script gets from a fetch that ended with `outcome`.
    pub fn of(outcome: &Outcome) -> CaseOutcome {
        match outcome {
            Outcome::Readable(r)
                if matches!(
                    r.response_type,
                    ResponseType::Opaque | ResponseType::OpaqueRedirect
                ) =>
            {
                CaseOutcome::Opaque
            }
            Outcome::Readable(_) => CaseOutcome::Ok,
            Outcome::Blocked(_) => CaseOutcome::Blocked,
        }
    }
}

/// One request that went on the wire, as the runner records it: the
/// method, the URL, and the CORS-relevant headers in wire order (`Accept`,
/// `Origin`, `Access-Control-Request-*`, and every header whose name the
/// script set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The method.
    pub method: http::Method,
    /// The URL (without user-info or fragment).
    pub url: String,
    /// The recorded headers: name as sent, value bytes.
    pub headers: Vec<(Cow<'static, str>, Bytes)>,
}

impl Sent {
    /// The recorded headers as text (one character per byte).
    pub fn header_text(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.headers
            .iter()
            .map(|(n, v)| (&**n, crate::headers::isomorphic_decode(v)))
    }
}

struct Pair<'a>(&'a str, &'a [u8]);

impl Serialize for Pair<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(self.0)?;
        t.serialize_element(&crate::headers::isomorphic_decode(self.1))?;
        t.end()
    }
}

struct Pairs<'a>(&'a [(Cow<'static, str>, Bytes)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (n, v) in self.0 {
            seq.serialize_element(&Pair(n, v))?;
        }
        seq.end()
    }
}

impl Serialize for Sent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Sent", 3)?;
        st.serialize_field("method", self.method.as_str())?;
        st.serialize_field("url", &self.url)?;
        st.serialize_field("headers", &Pairs(&self.headers))?;
        st.end()
    }
}

/// What happened to one request of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The case's id.
    pub id: String,
    /// The request's index in the case.
    pub index: usize,
    /// `chrome`, `firefox` or `spec`.
    pub browser: Browser,
    /// Whether a preflight went on the wire for this request.
    pub preflight: bool,
    /// What the script gets.
    pub outcome: CaseOutcome,
    /// The status the script sees: the response's when `ok`, 0 when
    /// `opaque`, null when `blocked`.
    pub status: Option<u16>,
    /// The readable response header names, lowercased and sorted.
    pub exposed: Vec<String>,
    /// The browser's reason code, or null.
    pub error: Option<&'static str>,
    /// The browser's console message, or null.
    pub message: Option<String>,
    /// Every request that went on the wire, in order.
    pub sent: Vec<Sent>,
    /// The failure, for presentations that explain it (not serialized;
    /// boxed, so that an answer stays small to move and to keep).
    #[serde(skip)]
    pub blocked: Option<Box<crate::fetch::Blocked>>,
}
