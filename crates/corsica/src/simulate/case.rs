//! The case format: a page, a server and the `fetch()` calls the page
//! makes, as JSON (one case per line in a file).
//!
//! The format is specified in `conformance/FORMAT.md`; the defaults here
//! are the conformance runner's, so a case means the same to the model and
//! to real browsers.
//!
//! A case's strings borrow from the JSON text it is parsed from when they
//! hold no escape (`corsica simulate` parses one case per line and drops it
//! after: copying every string of every case was a fifth of its time);
//! [`Case::into_owned`] makes a case that outlives its text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fetch::{Credentials, Mode, RedirectMode};
use crate::policy::PolicyConfig;

/// A page, a server and the requests the page makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case<'a> {
    /// The case's name, copied into every answer.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The origin of the page that calls `fetch()`.
    #[serde(borrow)]
    pub origin: Cow<'a, str>,
    /// The page's path on its origin (what same-origin `Referer` headers
    /// and a few messages quote). Default: the runner's,
    /// `/__corsica__/page.html`.
    #[serde(
        borrow,
        default = "default_page",
        skip_serializing_if = "is_default_page"
    )]
    pub page: Cow<'a, str>,
    /// The browser's `User-Agent`. Default: the one of the browser the
    /// runner drives (headless Chromium 156, Firefox ESR 153).
    #[serde(
        borrow,
        default,
        deserialize_with = "borrowed::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_agent: Option<Cow<'a, str>>,
    /// The browser's default `Accept-Language`. Default: the runner's,
    /// `en-US,en;q=0.9`.
    #[serde(
        borrow,
        default,
        deserialize_with = "borrowed::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub accept_language: Option<Cow<'a, str>>,
    /// What answers at each absolute URL.
    #[serde(borrow, default, deserialize_with = "borrowed::server")]
    pub server: BTreeMap<Cow<'a, str>, Endpoint<'a>>,
    /// The `fetch()` calls, made one after another from the same page.
    #[serde(borrow)]
    pub requests: Vec<CaseRequest<'a>>,
}

impl Case<'_> {
    /// The case with every string its own, free of the text it was parsed
    /// from.
    pub fn into_owned(self) -> Case<'static> {
        Case {
            id: owned(self.id),
            origin: owned(self.origin),
            page: owned(self.page),
            user_agent: self.user_agent.map(owned),
            accept_language: self.accept_language.map(owned),
            server: self
                .server
                .into_iter()
                .map(|(k, e)| (owned(k), e.into_owned()))
                .collect(),
            requests: self
                .requests
                .into_iter()
                .map(CaseRequest::into_owned)
                .collect(),
        }
    }
}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn owned_pairs(
    pairs: Vec<(Cow<'_, str>, Cow<'_, str>)>,
) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
    pairs
        .into_iter()
        .map(|(n, v)| (owned(n), owned(v)))
        .collect()
}

/// The path the conformance runner serves the page at.
pub const PAGE_PATH: &str = "/__corsica__/page.html";

fn default_page() -> Cow<'static, str> {
    Cow::Borrowed(PAGE_PATH)
}

fn is_default_page(p: &str) -> bool {
    p == PAGE_PATH
}

/// What the server answers at one URL: hand-written answers, or a corsica
/// policy in front of an application.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint<'a> {
    /// The answer to a CORS preflight (an `OPTIONS` with
    /// `Access-Control-Request-Method`); absent: 405 with no headers. With
    /// a `policy`, the policy answers preflights and this is the
    /// application's answer to the ones it passes through.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<ServerAnswer<'a>>,
    /// The answer to every other request; absent: 404 with no headers (200
    /// with a `policy`). With a `policy`, the policy's headers are added to
    /// it.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ServerAnswer<'a>>,
    /// A corsica policy standing in front of the application: a path to a
    /// policy file (resolved by whoever reads the case: `corsica simulate`
    /// reads it relative to the case file), or the policy itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySpec>,
}

impl Endpoint<'_> {
    /// The endpoint with every string its own.
    pub fn into_owned(self) -> Endpoint<'static> {
        Endpoint {
            preflight: self.preflight.map(ServerAnswer::into_owned),
            response: self.response.map(ServerAnswer::into_owned),
            policy: self.policy,
        }
    }
}

/// A policy in a case: a file to read, or the policy's keys inline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PolicySpec {
    /// A path to a policy file (TOML).
    File(String),
    /// The policy itself.
    Inline(PolicyConfig),
}

/// By the JSON type, not by trying each variant (serde's `untagged`), so
/// that a wrong key or value inside an inline policy is reported as such
/// (``unknown field `max_agee`, expected one of …``) rather than as "data
/// did not match any variant".
impl<'de> Deserialize<'de> for PolicySpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PolicySpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a policy file's path (a string) or a policy (an object with a policy file's keys)")
            }
            fn visit_str<E: serde::de::Error>(self, path: &str) -> Result<PolicySpec, E> {
                Ok(PolicySpec::File(path.to_owned()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                map: M,
            ) -> Result<PolicySpec, M::Error> {
                PolicyConfig::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(PolicySpec::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// One HTTP response, written verbatim (header order and duplicates kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAnswer<'a> {
    /// The status code.
    pub status: u16,
    /// The header lines, in order.
    #[serde(borrow, default, deserialize_with = "borrowed::pairs")]
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The body, if any.
    #[serde(
        borrow,
        default,
        deserialize_with = "borrowed::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<Cow<'a, str>>,
}

impl ServerAnswer<'_> {
    /// The answer with every string its own.
    pub fn into_owned(self) -> ServerAnswer<'static> {
        ServerAnswer {
            status: self.status,
            headers: owned_pairs(self.headers),
            body: self.body.map(owned),
        }
    }
}

/// One `fetch()` call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRequest<'a> {
    /// The URL fetched.
    #[serde(borrow)]
    pub url: Cow<'a, str>,
    /// The method as the script wrote it (`patch` stays `patch`).
    #[serde(borrow, default = "default_method")]
    pub method: Cow<'a, str>,
    /// The headers the script set, in order.
    #[serde(borrow, default, deserialize_with = "borrowed::pairs")]
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The request mode.
    #[serde(default)]
    pub mode: Mode,
    /// The credentials mode.
    #[serde(default)]
    pub credentials: Credentials,
    /// The redirect mode.
    #[serde(default, skip_serializing_if = "is_follow")]
    pub redirect: RedirectMode,
    /// The body, if any (a string).
    #[serde(
        borrow,
        default,
        deserialize_with = "borrowed::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<Cow<'a, str>>,
    /// Milliseconds that pass before this request (for cache expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl CaseRequest<'_> {
    /// The request with every string its own.
    pub fn into_owned(self) -> CaseRequest<'static> {
        CaseRequest {
            url: owned(self.url),
            method: owned(self.method),
            headers: owned_pairs(self.headers),
            mode: self.mode,
            credentials: self.credentials,
            redirect: self.redirect,
            body: self.body.map(owned),
            delay_ms: self.delay_ms,
        }
    }
}

fn default_method() -> Cow<'static, str> {
    Cow::Borrowed("GET")
}

fn is_follow(r: &RedirectMode) -> bool {
    *r == RedirectMode::Follow
}

/// Strings that borrow from the JSON text inside containers, where
/// `#[serde(borrow)]` alone does not reach (serde borrows a `Cow<str>`
/// field, not one in an `Option`, a tuple or a map key).
mod borrowed {
    use std::borrow::Cow;
    use std::collections::BTreeMap;
    use std::collections::btree_map::Entry;
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, Error as _, Visitor};

    use super::Endpoint;

    type Lines<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

    /// A string, borrowed when the text has it without escapes.
    struct Str<'a>(Cow<'a, str>);

    impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Str<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Str<'de>, E> {
                    Ok(Str(Cow::Borrowed(s)))
                }
                fn visit_str<E>(self, s: &str) -> Result<Str<'de>, E> {
                    Ok(Str(Cow::Owned(s.to_owned())))
                }
                fn visit_string<E>(self, s: String) -> Result<Str<'de>, E> {
                    Ok(Str(Cow::Owned(s)))
                }
            }
            d.deserialize_str(V)
        }
    }

    pub(super) fn option<'de: 'a, 'a, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'a, str>>, D::Error> {
        Ok(Option::<Str<'a>>::deserialize(d)?.map(|s| s.0))
    }

    pub(super) fn pairs<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Lines<'a>, D::Error> {
        let pairs = Vec::<(Str<'a>, Str<'a>)>::deserialize(d)?;
        Ok(pairs.into_iter().map(|(n, v)| (n.0, v.0)).collect())
    }

    pub(super) fn server<'de: 'a, 'a, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Cow<'a, str>, Endpoint<'a>>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BTreeMap<Cow<'de, str>, Endpoint<'de>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from URLs to endpoints")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut server = BTreeMap::new();
                while let Some((url, endpoint)) = map.next_entry::<Str<'de>, Endpoint<'de>>()? {
                    // A second entry for a URL would replace the first
                    // without a word: refused, as a duplicate field is.
                    match server.entry(url.0) {
                        Entry::Occupied(e) => {
                            return Err(M::Error::custom(format_args!(
                                "the server has two entries for `{}`: keep one",
                                e.key()
                            )));
                        }
                        Entry::Vacant(e) => {
                            e.insert(endpoint);
                        }
                    }
                }
                Ok(server)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::Case;

    #[test]
    fn strings_borrow_from_the_text_unless_escaped_and_into_owned_keeps_them() {
        let text = r#"{"id": "a\"b", "origin": "http://app.test",
            "user_agent": "UA\u0031",
            "server": {"http://api.test/x": {"response": {"status": 200,
                "headers": [["X-A", "1"], ["X-B", "tab\there"]], "body": "ok"}}},
            "requests": [{"url": "http://api.test/x", "headers": [["X-C", "3"]]}]}"#;
        let case: Case<'_> = serde_json::from_str(text).unwrap();
        assert!(matches!(case.id, Cow::Owned(ref s) if s == "a\"b"));
        assert!(matches!(case.origin, Cow::Borrowed("http://app.test")));
        assert!(matches!(case.user_agent, Some(Cow::Owned(ref s)) if s == "UA1"));
        assert_eq!(case.page, super::PAGE_PATH);
        let (key, endpoint) = case.server.iter().next().unwrap();
        assert!(matches!(key, Cow::Borrowed("http://api.test/x")));
        let answer = endpoint.response.as_ref().unwrap();
        assert!(matches!(answer.headers[0].1, Cow::Borrowed("1")));
        assert!(matches!(answer.headers[1].1, Cow::Owned(ref s) if s == "tab\there"));
        assert!(matches!(answer.body, Some(Cow::Borrowed("ok"))));
        assert!(matches!(case.requests[0].method, Cow::Borrowed("GET")));
        assert!(matches!(
            case.requests[0].headers[0].0,
            Cow::Borrowed("X-C")
        ));

        let owned: Case<'static> = case.clone().into_owned();
        assert_eq!(owned, case);
        // What serializes reads back the same.
        let json = serde_json::to_string(&owned).unwrap();
        let again: Case<'_> = serde_json::from_str(&json).unwrap();
        assert_eq!(again, case);
    }

    fn with_server(server: &str) -> String {
        format!(
            r#"{{"id": "p", "origin": "https://app.test", "server": {server},
                "requests": [{{"url": "https://api.test/x"}}]}}"#
        )
    }

    #[test]
    fn a_policy_is_a_path_or_a_policy_and_its_errors_name_what_is_wrong() {
        use super::PolicySpec;
        let text = with_server(r#"{"https://api.test/x": {"policy": "api.toml"}}"#);
        let case: Case<'_> = serde_json::from_str(&text).unwrap();
        let endpoint = &case.server["https://api.test/x"];
        assert_eq!(endpoint.policy, Some(PolicySpec::File("api.toml".into())));

        let text = with_server(
            r#"{"https://api.test/x": {"policy": {"origins": ["https://app.test"], "max_age": 60}}}"#,
        );
        let case: Case<'_> = serde_json::from_str(&text).unwrap();
        let Some(PolicySpec::Inline(config)) = &case.server["https://api.test/x"].policy else {
            panic!("not an inline policy");
        };
        assert_eq!(config.origins, ["https://app.test"]);
        assert_eq!(config.max_age, Some(60));

        // The key or value at fault, not "did not match any variant".
        let text =
            with_server(r#"{"https://api.test/x": {"policy": {"origins": [], "max_agee": 60}}}"#);
        let e = serde_json::from_str::<Case<'_>>(&text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `max_agee`"), "{e}");
        let text = with_server(r#"{"https://api.test/x": {"policy": {"credentials": "yes"}}}"#);
        let e = serde_json::from_str::<Case<'_>>(&text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a boolean"), "{e}");
        let text = with_server(r#"{"https://api.test/x": {"policy": 3}}"#);
        let e = serde_json::from_str::<Case<'_>>(&text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a policy file's path (a string) or a policy"),
            "{e}"
        );
    }

    #[test]
    fn a_url_given_twice_in_the_server_is_refused() {
        let text = with_server(
            r#"{"https://api.test/x": {"response": {"status": 200}},
                "https://api.test/x": {"response": {"status": 500}}}"#,
        );
        let e = serde_json::from_str::<Case<'_>>(&text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the server has two entries for `https://api.test/x`"),
            "{e}"
        );
    }
}
