//! Every key of a policy file, described once: its type, default, meaning
//! and an example. The parser reads keys by this table, unknown keys are
//! matched against it, and `corsica policy keys` (and the README's policy
//! reference, checked by a test) print it.

/// The TOML type of a policy key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// An array of strings.
    Strings,
    /// `true` or `false`.
    Bool,
    /// An integer.
    Integer,
}

impl KeyType {
    /// How the type is written in messages and documentation.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Strings => "list of strings",
            KeyType::Bool => "bool",
            KeyType::Integer => "integer",
        }
    }

    /// What a value of this type is, for messages.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            KeyType::Strings => "a list of strings",
            KeyType::Bool => "a bool (true or false)",
            KeyType::Integer => "an integer",
        }
    }
}

/// One key of a policy file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyKey {
    /// The key, as written in the file.
    pub name: &'static str,
    /// The type of its value.
    pub ty: KeyType,
    /// Its value when absent (`required` for `origins`), as documentation.
    pub default: &'static str,
    /// What it does (Markdown: code is between backticks).
    pub meaning: &'static str,
    /// A line of TOML setting it.
    pub example: &'static str,
}

/// Every key of a policy file, in documentation order.
pub const POLICY_KEYS: &[PolicyKey] = &[
    PolicyKey {
        name: "origins",
        ty: KeyType::Strings,
        default: "required",
        meaning: "The origins allowed to make cross-origin requests. Each entry is an exact origin \
                  (`https://app.example.com`), a subdomain wildcard (`https://*.example.com`: one or \
                  more labels before `example.com`, not `example.com` itself), any port \
                  (`http://localhost:*`), both (`https://*.example.com:*`), or `\"*\"` alone for \
                  every origin. Written exactly as browsers send them in `Origin`: lowercase, \
                  punycode, no default port, no path.",
        example: "origins = [\"https://app.example.com\", \"https://*.example.com\"]",
    },
    PolicyKey {
        name: "credentials",
        ty: KeyType::Bool,
        default: "`false`",
        meaning: "Whether requests may carry cookies and HTTP authentication \
                  (`Access-Control-Allow-Credentials: true`).",
        example: "credentials = true",
    },
    PolicyKey {
        name: "methods",
        ty: KeyType::Strings,
        default: "`[\"GET\", \"HEAD\", \"POST\"]`",
        meaning: "Methods a preflight may ask for. Compared byte for byte as browsers do: \
                  browsers upper-case only `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` and `PUT`, \
                  so `PATCH` is not `patch` (a warning says so). `[\"*\"]` allows any method.",
        example: "methods = [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]",
    },
    PolicyKey {
        name: "request_headers",
        ty: KeyType::Strings,
        default: "`[]`",
        meaning: "Request headers (beyond the CORS-safelisted ones) a preflight may ask for; \
                  case-insensitive. `[\"*\"]` allows any header except `Authorization`, which \
                  browsers require by name.",
        example: "request_headers = [\"Authorization\", \"Content-Type\"]",
    },
    PolicyKey {
        name: "expose_headers",
        ty: KeyType::Strings,
        default: "`[]`",
        meaning: "Response headers scripts may read beyond the safelisted ones (`Cache-Control`, \
                  `Content-Language`, `Content-Length`, `Content-Type`, `Expires`, \
                  `Last-Modified`, `Pragma`). `[\"*\"]` exposes all.",
        example: "expose_headers = [\"X-Request-Id\"]",
    },
    PolicyKey {
        name: "max_age",
        ty: KeyType::Integer,
        default: "absent",
        meaning: "How long, in seconds, browsers may cache a preflight answer \
                  (`Access-Control-Max-Age`), 0 to 86400. Absent: no header, and browsers cache \
                  for 5 seconds. Chromium caps it at 7200, Firefox at 86400.",
        example: "max_age = 7200",
    },
    PolicyKey {
        name: "preflight_status",
        ty: KeyType::Integer,
        default: "`204`",
        meaning: "Status of an allowed preflight answer; must be 2xx.",
        example: "preflight_status = 200",
    },
    PolicyKey {
        name: "rejected_preflight_status",
        ty: KeyType::Integer,
        default: "`403`",
        meaning: "Status of a rejected preflight answer, which carries no CORS headers but `Vary`.",
        example: "rejected_preflight_status = 403",
    },
    PolicyKey {
        name: "preflight_passthrough",
        ty: KeyType::Bool,
        default: "`false`",
        meaning: "Pass preflights on to your application instead of answering them; corsica's \
                  headers are then added to its answer.",
        example: "preflight_passthrough = true",
    },
    PolicyKey {
        name: "private_network",
        ty: KeyType::Bool,
        default: "`false`",
        meaning: "Answer the legacy Private Network Access preflight \
                  (`Access-Control-Request-Private-Network: true`) with \
                  `Access-Control-Allow-Private-Network: true`. Warned about: Chrome put that \
                  mechanism on hold.",
        example: "private_network = true",
    },
    PolicyKey {
        name: "dangerously_allow_insecure_origins",
        ty: KeyType::Bool,
        default: "`false`",
        meaning: "Allow plain-http, non-loopback origins together with `credentials = true`. \
                  Warned about whenever it is used.",
        example: "dangerously_allow_insecure_origins = true",
    },
    PolicyKey {
        name: "dangerously_allow_public_suffix_subdomains",
        ty: KeyType::Bool,
        default: "`false`",
        meaning: "Allow a wildcard over a public suffix (`https://*.github.io`) together with \
                  `credentials = true`. Warned about whenever it is used.",
        example: "dangerously_allow_public_suffix_subdomains = true",
    },
];

/// The key named `name`.
pub(crate) fn key(name: &str) -> Option<&'static PolicyKey> {
    POLICY_KEYS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    /// Each example, with an origin it can apply to, is a valid policy.
    #[test]
    fn every_example_is_valid() {
        for k in POLICY_KEYS {
            let text = match k.name {
                "origins" => k.example.to_owned(),
                // The opt-ins need something to allow.
                "dangerously_allow_insecure_origins" => {
                    format!(
                        "origins = [\"http://a.com\"]\ncredentials = true\n{}",
                        k.example
                    )
                }
                "dangerously_allow_public_suffix_subdomains" => format!(
                    "origins = [\"https://*.github.io\"]\ncredentials = true\n{}",
                    k.example
                ),
                _ => format!("origins = [\"https://a.com\"]\n{}", k.example),
            };
            let policy = Policy::from_toml_str(&text).unwrap_or_else(|e| panic!("{}: {e}", k.name));
            let _ = policy;
            assert!(key(k.name).is_some());
        }
    }

    #[test]
    fn examples_set_their_key() {
        for k in POLICY_KEYS {
            assert!(
                k.example.starts_with(&format!("{} = ", k.name)),
                "{}",
                k.name
            );
        }
    }
}
