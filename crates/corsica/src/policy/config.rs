//! [`PolicyConfig`]: what a person writes, in TOML or through the builder.

use serde::{Deserialize, Serialize};

use super::error::{PolicyError, PolicyErrors};

/// Every top-level key of a policy file, in documentation order.
pub(crate) const KNOWN_KEYS: &[&str] = &[
    "origins",
    "credentials",
    "methods",
    "request_headers",
    "expose_headers",
    "max_age",
    "preflight_status",
    "rejected_preflight_status",
    "preflight_passthrough",
    "private_network",
    "dangerously_allow_insecure_origins",
    "dangerously_allow_public_suffix_subdomains",
];

/// A CORS policy as a person writes it (TOML on disk, or the builder
/// methods below). Nothing is checked here: [`Policy::new`] validates it and
/// reports every mistake at once.
///
/// ```toml
/// origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
/// credentials = true
/// methods = ["GET", "POST", "PUT", "DELETE"]
/// request_headers = ["Authorization", "Content-Type"]
/// expose_headers = ["X-Request-Id"]
/// max_age = 86400
/// ```
///
/// ```
/// use corsica::policy::{Policy, PolicyConfig};
/// let config = PolicyConfig::default()
///     .origins(["https://myapp.com", "https://*.example.com"])
///     .credentials(true)
///     .methods(["GET", "POST", "PUT"]);
/// let policy = Policy::new(&config).unwrap();
/// # let _ = policy;
/// ```
///
/// [`Policy::new`]: super::Policy::new
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[must_use]
pub struct PolicyConfig {
    /// Allowed origins: `https://app.example.com` (exact),
    /// `https://*.example.com` (one or more subdomain labels, the apex
    /// excluded), `http://localhost:*` (any port), both wildcards combined,
    /// or `["*"]` for every origin (not with credentials). Written exactly as
    /// browsers send them: lowercase, punycode, no default port, no path.
    pub origins: Vec<String>,
    /// Whether cross-origin requests may carry cookies and HTTP
    /// authentication (`Access-Control-Allow-Credentials: true`).
    /// Default false.
    pub credentials: bool,
    /// Methods a preflight may ask for. Default `GET`, `HEAD`, `POST` (which
    /// never need one). `["*"]` allows any method, not with credentials.
    /// Compared byte for byte, as browsers do: `PATCH` is not `patch`
    /// (`delete`, `get`, `head`, `options`, `post` and `put` are normalized
    /// to uppercase, as browsers normalize them before sending). Listing a
    /// safelisted method is harmless; it is sent in
    /// `Access-Control-Allow-Methods` like the others.
    pub methods: Vec<String>,
    /// Request headers a preflight may ask for, case-insensitive, sent
    /// lowercase. Default none. Safelisted names such as `Content-Type` are
    /// kept: they need listing whenever their value is not safelisted
    /// (`Content-Type: application/json`). `["*"]` allows any header except `Authorization` (which must be
    /// listed by name), not with credentials.
    pub request_headers: Vec<String>,
    /// Response headers scripts may read beyond the safelisted ones. Default
    /// none. `["*"]` exposes all, not with credentials.
    pub expose_headers: Vec<String>,
    /// How long, in seconds (0 to 86400), browsers may cache a preflight
    /// answer. Absent: no `Access-Control-Max-Age` header (browsers then use
    /// 5 seconds).
    pub max_age: Option<i64>,
    /// Status of an answered preflight. Default 204; must be 2xx.
    pub preflight_status: u16,
    /// Status of a rejected preflight, which gets no CORS headers except
    /// `Vary`. Default 403.
    pub rejected_preflight_status: u16,
    /// Forward preflights to the application instead of answering them; the
    /// CORS headers are then added to the application's answer.
    pub preflight_passthrough: bool,
    /// Answer the legacy Private Network Access preflight
    /// (`Access-Control-Request-Private-Network: true`) with
    /// `Access-Control-Allow-Private-Network: true`.
    pub private_network: bool,
    /// Allow plain-http, non-loopback origins with credentials. Dangerous:
    /// anyone on the network path can act as such an origin.
    pub dangerously_allow_insecure_origins: bool,
    /// Allow subdomain wildcards over a public suffix (`https://*.github.io`)
    /// with credentials. Dangerous: anyone can register such a subdomain.
    pub dangerously_allow_public_suffix_subdomains: bool,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            origins: Vec::new(),
            credentials: false,
            methods: vec!["GET".into(), "HEAD".into(), "POST".into()],
            request_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age: None,
            preflight_status: 204,
            rejected_preflight_status: 403,
            preflight_passthrough: false,
            private_network: false,
            dangerously_allow_insecure_origins: false,
            dangerously_allow_public_suffix_subdomains: false,
        }
    }
}

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

/// Builder methods: each sets one key; a later call overrides an earlier one.
impl PolicyConfig {
    /// Sets `origins`.
    pub fn origins<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.origins = strings(origins);
        self
    }
    /// Sets `credentials`.
    pub fn credentials(mut self, on: bool) -> Self {
        self.credentials = on;
        self
    }
    /// Sets `methods`.
    pub fn methods<I: IntoIterator<Item = S>, S: Into<String>>(mut self, methods: I) -> Self {
        self.methods = strings(methods);
        self
    }
    /// Sets `request_headers`.
    pub fn request_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.request_headers = strings(names);
        self
    }
    /// Sets `expose_headers`.
    pub fn expose_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.expose_headers = strings(names);
        self
    }
    /// Sets `max_age`, in seconds.
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }
    /// Sets `preflight_status`.
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.preflight_status = status;
        self
    }
    /// Sets `rejected_preflight_status`.
    pub fn rejected_preflight_status(mut self, status: u16) -> Self {
        self.rejected_preflight_status = status;
        self
    }
    /// Sets `preflight_passthrough`.
    pub fn preflight_passthrough(mut self, on: bool) -> Self {
        self.preflight_passthrough = on;
        self
    }
    /// Sets `private_network`.
    pub fn private_network(mut self, on: bool) -> Self {
        self.private_network = on;
        self
    }
    /// Sets `dangerously_allow_insecure_origins`.
    pub fn dangerously_allow_insecure_origins(mut self, on: bool) -> Self {
        self.dangerously_allow_insecure_origins = on;
        self
    }
    /// Sets `dangerously_allow_public_suffix_subdomains`.
    pub fn dangerously_allow_public_suffix_subdomains(mut self, on: bool) -> Self {
        self.dangerously_allow_public_suffix_subdomains = on;
        self
    }

    /// Reads a policy file. Syntax errors, wrong types and unknown keys
    /// become [`PolicyError`]s with their line and column; every unknown key
    /// is reported at once, with the known key it most resembles.
    /// Nothing else is checked: pass the result to [`Policy::new`].
    ///
    /// [`Policy::new`]: super::Policy::new
    pub fn from_toml_str(s: &str) -> Result<PolicyConfig, PolicyErrors> {
        // Unknown keys first, all of them, from a plain table: serde stops
        // at the first one.
        let table: toml::Table = s.parse().map_err(|e: toml::de::Error| toml_error(s, &e))?;
        let mut errors = Vec::new();
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                let (line, column) = key_position(s, key);
                errors.push(PolicyError::UnknownKey {
                    key: key.clone(),
                    suggestion: suggest(key),
                    line,
                    column,
                });
            }
        }
        // The table is sorted by key; report in the order of the file.
        errors.sort_by_key(|e| match e {
            PolicyError::UnknownKey { line, column, .. } => {
                (line.unwrap_or(usize::MAX), column.unwrap_or(0))
            }
            _ => (usize::MAX, 0),
        });
        match toml::from_str::<PolicyConfig>(s) {
            Ok(config) if errors.is_empty() => Ok(config),
            Ok(_) => Err(PolicyErrors {
                errors,
                warnings: Vec::new(),
            }),
            Err(e) => {
                // An unknown field is already reported, with its suggestion.
                if errors.is_empty() || !e.message().contains("unknown field") {
                    errors.push(toml_error(s, &e));
                }
                Err(PolicyErrors {
                    errors,
                    warnings: Vec::new(),
                })
            }
        }
    }
}

fn toml_error(s: &str, e: &toml::de::Error) -> PolicyError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_column(s, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    PolicyError::Toml {
        message: e.message().trim().to_string(),
        line,
        column,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(s: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(s.len());
    let before = s.get(..offset).unwrap_or(s);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Where a top-level key is written: the first line that starts with it
/// (bare or quoted) followed by `=`.
fn key_position(s: &str, key: &str) -> (Option<usize>, Option<usize>) {
    for (i, line) in s.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for candidate in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(rest) = trimmed.strip_prefix(candidate.as_str())
                && rest.trim_start().starts_with('=')
            {
                return (Some(i + 1), Some(line[..indent].chars().count() + 1));
            }
        }
    }
    (None, None)
}

/// The known key closest to `key`, if it is close enough to be a typo.
fn suggest(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase().replace('-', "_");
    KNOWN_KEYS
        .iter()
        .map(|k| (levenshtein(&lower, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_example_parses() {
        let c = PolicyConfig::from_toml_str(
            r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type"]   # "*" allowed without credentials
expose_headers = ["X-Request-Id"]
max_age = 86400
"#,
        )
        .unwrap();
        assert_eq!(c.origins.len(), 3);
        assert!(c.credentials);
        assert_eq!(c.methods, ["GET", "POST", "PUT", "DELETE"]);
        assert_eq!(c.max_age, Some(86400));
        assert_eq!(c.preflight_status, 204);
        assert_eq!(c.rejected_preflight_status, 403);
    }

    #[test]
    fn defaults_apply() {
        let c = PolicyConfig::from_toml_str("origins = [\"https://a.com\"]").unwrap();
        assert_eq!(c.methods, ["GET", "HEAD", "POST"]);
        assert!(!c.credentials);
        assert_eq!(c, PolicyConfig::default().origins(["https://a.com"]));
    }

    #[test]
    fn all_unknown_keys_with_suggestions() {
        let e =
            PolicyConfig::from_toml_str("orgins = []\ncredential = true\nzzz = 1\n").unwrap_err();
        assert_eq!(e.errors.len(), 3, "{e}");
        assert_eq!(
            e.errors[0],
            PolicyError::UnknownKey {
                key: "orgins".into(),
                suggestion: Some("origins"),
                line: Some(1),
                column: Some(1)
            }
        );
        assert!(matches!(
            &e.errors[1],
            PolicyError::UnknownKey {
                suggestion: Some("credentials"),
                line: Some(2),
                ..
            }
        ));
        assert!(matches!(
            &e.errors[2],
            PolicyError::UnknownKey {
                suggestion: None,
                ..
            }
        ));
        assert!(e.to_string().contains("did you mean `origins`?"), "{e}");
        assert_eq!(e.errors[0].code(), "unknown-key");
    }

    #[test]
    fn syntax_and_type_errors_have_positions() {
        let e = PolicyConfig::from_toml_str("origins = [\n\"a\",\n").unwrap_err();
        assert!(
            matches!(e.errors[0], PolicyError::Toml { line: Some(_), .. }),
            "{e}"
        );
        let e = PolicyConfig::from_toml_str("origins = []\ncredentials = \"yes\"\n").unwrap_err();
        match &e.errors[0] {
            PolicyError::Toml { line, .. } => assert_eq!(*line, Some(2), "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(e.errors[0].code(), "invalid-toml");
    }

    #[test]
    fn serializes_back_to_toml() {
        for config in [
            PolicyConfig::default().origins(["https://a.com"]),
            PolicyConfig::default()
                .origins(["https://*.a.com", "http://localhost:*"])
                .credentials(true)
                .max_age(600)
                .request_headers(["X-A"])
                .private_network(true),
        ] {
            let text = toml::to_string(&config).unwrap();
            assert_eq!(
                PolicyConfig::from_toml_str(&text).unwrap(),
                config,
                "{text}"
            );
        }
    }

    #[test]
    fn known_keys_are_the_fields() {
        let text = toml::to_string(&PolicyConfig::default().max_age(1)).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut known = KNOWN_KEYS.to_vec();
        keys.sort_unstable();
        known.sort_unstable();
        assert_eq!(keys, known);
    }

    #[test]
    fn levenshtein_is_right() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(suggest("max-age"), Some("max_age"));
        assert_eq!(suggest("methds"), Some("methods"));
    }
}
