//! [`PolicyConfig`]: what a person writes, in TOML or through the builder.

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

use super::error::{PolicyError, PolicyErrors};
use super::keys::{self, KeyType, POLICY_KEYS, PolicyKey};

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
    /// and every value of the wrong type is reported at once, an unknown key
    /// with the known key it most resembles. Nothing else is checked: pass
    /// the result to [`Policy::new`], or call [`Policy::from_toml_str`],
    /// which also checks the keys that could be read when others could not.
    ///
    /// [`Policy::new`]: super::Policy::new
    /// [`Policy::from_toml_str`]: super::Policy::from_toml_str
    pub fn from_toml_str(s: &str) -> Result<PolicyConfig, PolicyErrors> {
        let read = read_toml(s)?;
        if read.errors.is_empty() {
            Ok(read.config)
        } else {
            Err(PolicyErrors {
                errors: read.errors,
                warnings: Vec::new(),
            })
        }
    }
}

/// Most bytes of policy text (TOML) a policy is read from: a policy
/// file, standard input, an environment variable. Larger text is refused
/// before it is parsed, and the faces read at most one byte more than
/// this from a file, so a path such as `/dev/zero` or a runaway file is an
/// error, not an exhausted memory. 16 MiB hold several hundred thousand
/// origins.
pub const MAX_POLICY_BYTES: usize = 16 << 20;

/// What reading a policy file found.
#[derive(Debug)]
pub(crate) struct ReadConfig {
    /// The configuration: every key that could be read, the defaults for
    /// the others (a list keeps the entries that are strings).
    pub(crate) config: PolicyConfig,
    /// Unknown keys and values of the wrong type, in the order of the file.
    pub(crate) errors: Vec<PolicyError>,
    /// The keys whose value could not be read at all: validating their
    /// default would report mistakes the file does not make.
    pub(crate) unread: Vec<&'static str>,
}

/// Reads a policy file key by key, so that one unknown key or wrong type
/// hides nothing else (serde's derive stops at the first). Only a TOML
/// syntax error stops the reading.
pub(crate) fn read_toml(s: &str) -> Result<ReadConfig, PolicyError> {
    if s.len() > MAX_POLICY_BYTES {
        return Err(PolicyError::TooLarge {
            bytes: s.len(),
            max: MAX_POLICY_BYTES,
        });
    }
    let table = DeTable::parse(s).map_err(|e| toml_error(s, &e))?;
    let mut config = PolicyConfig::default();
    // (byte offset, error), sorted by offset at the end: the table is
    // sorted by key, the report follows the file.
    let mut found: Vec<(usize, PolicyError)> = Vec::new();
    let mut unread = Vec::new();
    for (key, value) in table.get_ref().iter() {
        let name: &str = key.get_ref();
        let Some(k) = keys::key(name) else {
            let (line, column) = line_column(s, key.span().start);
            found.push((
                key.span().start,
                PolicyError::UnknownKey {
                    key: name.to_owned(),
                    suggestion: suggest(name),
                    line: Some(line),
                    column: Some(column),
                },
            ));
            continue;
        };
        let mut wrong =
            |offset: usize, index: Option<usize>, expected: &'static str, found_: String| {
                let (line, column) = line_column(s, offset);
                found.push((
                    offset,
                    PolicyError::WrongType {
                        field: k.name,
                        index,
                        expected,
                        found: found_,
                        example: k.example,
                        line: Some(line),
                        column: Some(column),
                    },
                ));
            };
        let start = value.span().start;
        let read = match (k.ty, value.get_ref()) {
            (KeyType::Strings, DeValue::Array(items)) => {
                let mut strings = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.get_ref() {
                        DeValue::String(v) => strings.push(v.to_string()),
                        other => wrong(item.span().start, Some(i), "a string", a(other.type_str())),
                    }
                }
                // A list whose every entry is wrong is not read: `origins`
                // would otherwise also be reported empty.
                let read = strings.len() == items.len() || !strings.is_empty();
                if read {
                    set_strings(&mut config, k, strings);
                }
                read
            }
            (KeyType::Bool, DeValue::Boolean(b)) => {
                set_bool(&mut config, k, *b);
                true
            }
            (KeyType::Integer, DeValue::Integer(i)) => {
                let n = i64::from_str_radix(i.as_str(), i.radix()).ok();
                let read = n.is_some_and(|n| set_integer(&mut config, k, n));
                if !read {
                    let (expected, _) = integer_range(k);
                    wrong(start, None, expected, format!("the integer {i}"));
                }
                read
            }
            (ty, other) => {
                wrong(start, None, ty.expected(), a(other.type_str()));
                false
            }
        };
        if !read {
            unread.push(k.name);
        }
    }
    found.sort_by_key(|(offset, _)| *offset);
    Ok(ReadConfig {
        config,
        errors: found.into_iter().map(|(_, e)| e).collect(),
        unread,
    })
}

/// `string` -> `a string`, `integer` -> `an integer`.
fn a(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

fn set_strings(c: &mut PolicyConfig, k: &PolicyKey, v: Vec<String>) {
    match k.name {
        "origins" => c.origins = v,
        "methods" => c.methods = v,
        "request_headers" => c.request_headers = v,
        "expose_headers" => c.expose_headers = v,
        other => unreachable!("{other} is not a list of strings"),
    }
}

fn set_bool(c: &mut PolicyConfig, k: &PolicyKey, v: bool) {
    match k.name {
        "credentials" => c.credentials = v,
        "preflight_passthrough" => c.preflight_passthrough = v,
        "private_network" => c.private_network = v,
        "dangerously_allow_insecure_origins" => c.dangerously_allow_insecure_origins = v,
        "dangerously_allow_public_suffix_subdomains" => {
            c.dangerously_allow_public_suffix_subdomains = v;
        }
        other => unreachable!("{other} is not a bool"),
    }
}

/// Sets an integer key; false when `v` does not fit its type.
fn set_integer(c: &mut PolicyConfig, k: &PolicyKey, v: i64) -> bool {
    let (_, fits) = integer_range(k);
    if !fits(v) {
        return false;
    }
    match k.name {
        "max_age" => c.max_age = Some(v),
        "preflight_status" => c.preflight_status = v as u16,
        "rejected_preflight_status" => c.rejected_preflight_status = v as u16,
        other => unreachable!("{other} is not an integer"),
    }
    true
}

/// What an integer key holds, and the test of whether a value fits it (the
/// range checked later, with its own message, is wider than what fits).
fn integer_range(k: &PolicyKey) -> (&'static str, fn(i64) -> bool) {
    match k.name {
        "preflight_status" | "rejected_preflight_status" => {
            ("an HTTP status (an integer from 100 to 599)", |v| {
                u16::try_from(v).is_ok()
            })
        }
        _ => ("an integer", |_| true),
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

/// Prefixes other CORS libraries put before the names corsica uses
/// (`allowed_origins`, `cors_max_age`, `access_control_expose_headers`,
/// `supports_credentials`).
const FOREIGN_PREFIXES: &[&str] = &[
    "access_control_",
    "cors_",
    "allowed_",
    "allow_",
    "supports_",
    "support_",
];

/// The known key `key` most likely means: a typo of it (`orgins`,
/// `max-age`, `maxAge`), or its name in another library (`allowed_origins`,
/// `allow_headers`, `supports_credentials`).
fn suggest(key: &str) -> Option<&'static str> {
    // camelCase and kebab-case to snake_case.
    let mut norm = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            if !norm.is_empty() && !norm.ends_with('_') {
                norm.push('_');
            }
            norm.push(c.to_ascii_lowercase());
        } else if c == '-' {
            norm.push('_');
        } else {
            norm.push(c);
        }
    }
    let mut stem = norm.as_str();
    while let Some(rest) = FOREIGN_PREFIXES
        .iter()
        .find_map(|p| stem.strip_prefix(p))
        .filter(|r| !r.is_empty())
    {
        stem = rest;
    }
    // What other libraries call the request headers a preflight may ask for.
    if matches!(stem, "headers" | "header" | "request_header") {
        return Some("request_headers");
    }
    nearest(&norm).or_else(|| nearest(stem))
}

/// The known key within a few edits of `name`, if any.
fn nearest(name: &str) -> Option<&'static str> {
    // No key is that long: spare the edit distance of a huge input.
    if name.len() > 64 {
        return None;
    }
    POLICY_KEYS
        .iter()
        .map(|k| (levenshtein(name, k.name), k.name))
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
        assert_eq!(e.errors[0].code(), "invalid-toml");
        let e = PolicyConfig::from_toml_str("origins = []\ncredentials = \"yes\"\n").unwrap_err();
        assert_eq!(
            e.errors,
            [PolicyError::WrongType {
                field: "credentials",
                index: None,
                expected: "a bool (true or false)",
                found: "a string".into(),
                example: "credentials = true",
                line: Some(2),
                column: Some(15),
            }]
        );
        assert_eq!(e.errors[0].code(), "wrong-type");
        assert_eq!(e.errors[0].field(), "credentials");
        assert_eq!(
            e.errors[0].to_string(),
            "line 2, column 15: credentials is a string, expected a bool (true or false): e.g. `credentials = true`"
        );
    }

    /// Every wrong type is reported, each entry of a list on its own, and
    /// the entries that are right are kept.
    #[test]
    fn every_wrong_type_is_reported() {
        let text = "origins = [\"https://a.com\", 1, true]\nmethods = \"GET\"\nmax_age = \"1h\"\npreflight_status = 70000\n";
        let read = read_toml(text).unwrap();
        let got: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 1, column 29: origins[1] is an integer, expected a string: e.g. `origins = [\"https://app.example.com\", \"https://*.example.com\"]`",
                "line 1, column 32: origins[2] is a boolean, expected a string: e.g. `origins = [\"https://app.example.com\", \"https://*.example.com\"]`",
                "line 2, column 11: methods is a string, expected a list of strings: e.g. `methods = [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]`",
                "line 3, column 11: max_age is a string, expected an integer: e.g. `max_age = 7200`",
                "line 4, column 20: preflight_status is the integer 70000, expected an HTTP status (an integer from 100 to 599): e.g. `preflight_status = 200`",
            ]
        );
        assert_eq!(read.config.origins, ["https://a.com"]);
        assert_eq!(read.unread, ["max_age", "methods", "preflight_status"]);
    }

    #[test]
    fn unknown_key_suggestions() {
        for (key, want) in [
            ("allowed_origins", Some("origins")),
            ("allow_origins", Some("origins")),
            ("cors_allowed_origins", Some("origins")),
            ("allowedOrigins", Some("origins")),
            ("allow_credentials", Some("credentials")),
            ("supports_credentials", Some("credentials")),
            ("allowed_methods", Some("methods")),
            ("allow_headers", Some("request_headers")),
            ("allowed_headers", Some("request_headers")),
            ("exposed_headers", Some("expose_headers")),
            ("access_control_expose_headers", Some("expose_headers")),
            ("maxAge", Some("max_age")),
            ("access_control_max_age", Some("max_age")),
            ("max-age", Some("max_age")),
            ("allow_private_network", Some("private_network")),
            ("timeout", None),
        ] {
            assert_eq!(suggest(key), want, "{key}");
        }
        assert_eq!(suggest(&"a".repeat(1 << 20)), None);
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

    /// The key table and the struct's fields are the same keys, and each
    /// key is read into its field.
    #[test]
    fn known_keys_are_the_fields() {
        let text = toml::to_string(&PolicyConfig::default().max_age(1)).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let mut keys: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut known: Vec<&str> = POLICY_KEYS.iter().map(|k| k.name).collect();
        keys.sort_unstable();
        known.sort_unstable();
        assert_eq!(keys, known);
        // Every key set away from its default reads back.
        let config = PolicyConfig::default()
            .origins(["https://a.com"])
            .credentials(true)
            .methods(["PUT"])
            .request_headers(["x-a"])
            .expose_headers(["x-b"])
            .max_age(5)
            .preflight_status(200)
            .rejected_preflight_status(404)
            .preflight_passthrough(true)
            .private_network(true)
            .dangerously_allow_insecure_origins(true)
            .dangerously_allow_public_suffix_subdomains(true);
        let text = toml::to_string(&config).unwrap();
        assert_eq!(PolicyConfig::from_toml_str(&text).unwrap(), config);
    }

    #[test]
    fn levenshtein_is_right() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(suggest("max-age"), Some("max_age"));
        assert_eq!(suggest("methds"), Some("methods"));
    }
}
