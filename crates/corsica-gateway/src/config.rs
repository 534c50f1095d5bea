//! The gateway's configuration: listeners, limits, and routes (host and
//! path prefix → upstream and policy), read from TOML or built from the
//! quick-start flags, validated all at once.
//!
//! ```toml
//! [server]
//! listen = ["127.0.0.1:8080"]      # one address or a list
//! admin = "127.0.0.1:8081"         # /metrics, /healthz, /readyz
//! debug = false                    # corsica-rejection header, every decision logged
//!
//! [limits]
//! max_header_bytes = 16384         # request head larger than this: 431
//! header_read_timeout = "10s"      # time to read a request head
//! request_timeout = "30s"          # time for the upstream to answer: else 504
//! idle_timeout = "60s"             # keep-alive connection idle
//! connect_timeout = "5s"           # connecting to the upstream
//! shutdown_timeout = "30s"         # draining in-flight requests on SIGTERM
//!
//! [[routes]]
//! name = "api"                     # in logs and metrics
//! host = "api.example.com"         # optional: any host when absent
//! path = "/v1"                     # prefix, on segment boundaries; default "/"
//! upstream = "http://127.0.0.1:3000"
//! policy = "cors.toml"             # a policy file (relative to this file), or
//! # policy = { origins = ["https://app.example.com"] }   # inline
//! shadow = false                   # decide and log, never block
//! ```
//!
//! Every mistake is reported at once ([`ConfigErrors`]), the policy
//! mistakes with the engine's own messages; nothing is started with a
//! configuration that has errors.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use corsica::policy::Policy;
use http::uri::{Authority, Scheme};

/// The default address of the API listener.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The default address of the admin listener.
pub const DEFAULT_ADMIN: &str = "127.0.0.1:8081";

/// Limits and timeouts. Every field has a default; see the module
/// documentation for the TOML keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request head (request line and headers) answered
    /// normally; a larger one gets 431 with the route's CORS headers. Heads
    /// over four times this are refused by the HTTP parser itself (431
    /// without CORS headers: there is no request to read an origin from).
    pub max_header_bytes: usize,
    /// Time allowed to read a request head (slow clients are cut off).
    pub header_read_timeout: Duration,
    /// Time allowed for the upstream to send its response head; after it,
    /// the gateway answers 504.
    pub request_timeout: Duration,
    /// How long a keep-alive connection may sit idle.
    pub idle_timeout: Duration,
    /// Time allowed to connect to an upstream; after it, 502.
    pub connect_timeout: Duration,
    /// How long a graceful shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_header_bytes: 16 * 1024,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Where an upstream is: `http://host:port`, and an optional base path
/// that replaces the route's prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    /// The URL as written.
    pub url: String,
    /// `http` (TLS to upstreams is not supported yet).
    pub scheme: Scheme,
    /// `host:port`.
    pub authority: Authority,
    /// The URL's path without a trailing slash (empty for `/`).
    pub base_path: String,
    /// Whether to speak HTTP/2 without TLS (h2c, prior knowledge) to it.
    pub http2: bool,
}

/// Where a route's policy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// A policy file.
    File(PathBuf),
    /// A table inside the configuration file.
    Inline,
    /// Given by the program (the demo, tests).
    Builtin,
}

/// One route: requests whose host and path match go to `upstream` under
/// `policy`.
#[derive(Clone, Debug)]
pub struct Route {
    /// Its name, in logs and metrics.
    pub name: String,
    /// The host it serves (lowercase, without port); `None` for any host.
    pub host: Option<String>,
    /// The path prefix (starts with `/`, no trailing slash except `/`).
    pub path: String,
    /// Whether to remove the prefix before forwarding.
    pub strip_prefix: bool,
    /// Where requests go.
    pub upstream: Upstream,
    /// The validated policy.
    pub policy: Arc<Policy>,
    /// Where the policy came from.
    pub policy_source: PolicySource,
    /// Decide and log, never block or add headers.
    pub shadow: bool,
    /// Debug header on rejections and every decision logged.
    pub debug: bool,
    /// This route's upstream timeout, instead of `limits.request_timeout`.
    pub timeout: Option<Duration>,
}

/// A whole, validated gateway configuration.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    /// Addresses of the API listeners.
    pub listen: Vec<SocketAddr>,
    /// Address of the admin listener (`/metrics`, `/healthz`, `/readyz`),
    /// or `None` for none.
    pub admin: Option<SocketAddr>,
    /// Debug mode for every route.
    pub debug: bool,
    /// Limits and timeouts.
    pub limits: Limits,
    /// The routes, in the order written (the most specific match wins).
    pub routes: Vec<Route>,
    /// The files this configuration was read from (itself and its policy
    /// files): what hot reload watches.
    pub files: Vec<PathBuf>,
}

/// One mistake in a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file at fault.
    pub file: String,
    /// The key at fault (`routes[1].upstream`), when there is one.
    pub key: Option<String>,
    /// A stable identifier (`invalid-upstream`, or the engine's policy
    /// error code).
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        match &self.key {
            Some(key) => write!(f, "\n  --> {}: {key}", self.file),
            None => write!(f, "\n  --> {}", self.file),
        }
    }
}

/// Every mistake found in a configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors {
    /// The mistakes, in the order found.
    pub errors: Vec<ConfigError>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        let n = self.errors.len();
        write!(
            f,
            "\ninvalid configuration: {n} error{}",
            if n == 1 { "" } else { "s" }
        )
    }
}

const SERVER_KEYS: &[&str] = &["listen", "admin", "debug"];
const LIMIT_KEYS: &[&str] = &[
    "max_header_bytes",
    "header_read_timeout",
    "request_timeout",
    "idle_timeout",
    "connect_timeout",
    "shutdown_timeout",
];
const ROUTE_KEYS: &[&str] = &[
    "name",
    "host",
    "path",
    "strip_prefix",
    "upstream",
    "upstream_http2",
    "policy",
    "shadow",
    "debug",
    "timeout",
];
const TOP_KEYS: &[&str] = &["server", "limits", "routes"];

/// Collects errors while reading one file.
struct Reader<'a> {
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Reader<'_> {
    fn error(&mut self, key: impl Into<Option<String>>, code: &'static str, message: String) {
        self.errors.push(ConfigError {
            file: self.file.to_owned(),
            key: key.into(),
            code,
            message,
        });
    }

    fn unknown_keys(&mut self, table: &toml::Table, known: &[&'static str], prefix: &str) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let hint = match suggest(key, known) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => format!("; expected one of {}", known.join(", ")),
                };
                self.error(
                    format!("{prefix}{key}"),
                    "unknown-key",
                    format!("unknown key `{key}`{hint}"),
                );
            }
        }
    }

    fn table<'t>(
        &mut self,
        parent: &'t toml::Table,
        key: &str,
        at: &str,
    ) -> Option<&'t toml::Table> {
        match parent.get(key)? {
            toml::Value::Table(t) => Some(t),
            other => {
                self.error(
                    at.to_owned(),
                    "wrong-type",
                    format!("`{at}` must be a table, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn string(&mut self, table: &toml::Table, key: &str, at: &str) -> Option<String> {
        match table.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            other => {
                self.error(
                    at.to_owned(),
                    "wrong-type",
                    format!("`{at}` must be a string, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn bool(&mut self, table: &toml::Table, key: &str, at: &str) -> Option<bool> {
        match table.get(key)? {
            toml::Value::Boolean(b) => Some(*b),
            other => {
                self.error(
                    at.to_owned(),
                    "wrong-type",
                    format!("`{at}` must be true or false, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn duration(&mut self, table: &toml::Table, key: &str, at: &str) -> Option<Duration> {
        let value = table.get(key)?;
        let parsed = match value {
            toml::Value::String(s) => parse_duration(s),
            toml::Value::Integer(n) if *n >= 0 => Some(Duration::from_secs(*n as u64)),
            _ => None,
        };
        match parsed {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                self.error(
                    at.to_owned(),
                    "invalid-duration",
                    format!(
                        "`{at}` = {value} is not a duration; write it as \"500ms\", \"30s\" or \"2m\" (more than zero)"
                    ),
                );
                None
            }
        }
    }

    fn addr(&mut self, value: &toml::Value, at: &str) -> Option<SocketAddr> {
        let parsed = value.as_str().and_then(|s| s.parse::<SocketAddr>().ok());
        if parsed.is_none() {
            self.error(
                at.to_owned(),
                "invalid-address",
                format!(
                    "`{at}` = {value} is not an IP address and port; write it as \"127.0.0.1:8080\" or \"[::]:8080\" (host names are not resolved)"
                ),
            );
        }
        parsed
    }
}

/// Most bytes of a configuration file (the size the engine allows a
/// policy, `corsica::policy::MAX_POLICY_BYTES`): larger files are refused,
/// so a wrong path such as `/dev/zero` is an error, not exhausted memory.
pub const MAX_CONFIG_BYTES: usize = corsica::policy::MAX_POLICY_BYTES;

/// A configuration or policy file's text, reading at most one byte more
/// than [`MAX_CONFIG_BYTES`] (the parsers refuse longer text with their
/// own error).
pub(crate) fn read_limited(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_limited_bytes(path)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// [`read_limited`]'s bytes, UTF-8 or not.
pub(crate) fn read_limited_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Parses `500ms`, `30s`, `2m`, `1h` (and a bare number of seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: f64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

/// The known key closest to `key`, when it is close enough to be a typo.
fn suggest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Parses an upstream URL: `http://host[:port][/base]`.
pub fn parse_upstream(url: &str, http2: bool) -> Result<Upstream, String> {
    let parsed = url::Url::parse(url).map_err(|e| {
        format!("upstream `{url}` is not a URL ({e}); write it as \"http://127.0.0.1:3000\"")
    })?;
    if parsed.scheme() != "http" {
        return Err(format!(
            "upstream `{url}` uses `{}`; the gateway speaks plain http (and h2c) to upstreams: terminate TLS in front of the gateway, not behind it",
            parsed.scheme()
        ));
    }
    let Some(host) = parsed.host_str() else {
        return Err(format!("upstream `{url}` has no host"));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "upstream `{url}` carries a user name or password; remove it"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "upstream `{url}` has a query or fragment; an upstream is a scheme, host, port and optional base path"
        ));
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let authority: Authority = format!("{host}:{port}")
        .parse()
        .map_err(|_| format!("upstream `{url}` has a host the gateway cannot use"))?;
    Ok(Upstream {
        url: url.to_owned(),
        scheme: Scheme::HTTP,
        authority,
        base_path: parsed.path().trim_end_matches('/').to_owned(),
        http2,
    })
}

/// Normalizes a route's path prefix; `None` when it is not one.
fn normalize_prefix(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    Some(if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    })
}

/// Validates a policy read from `text`, reporting its errors against
/// `file` and `route`.
fn policy_from_text(
    reader: &mut Reader<'_>,
    text: &str,
    file: &str,
    route: &str,
) -> Option<Arc<Policy>> {
    match Policy::from_toml_str(text) {
        Ok(policy) => Some(Arc::new(policy)),
        Err(errors) => {
            for e in &errors.errors {
                reader.errors.push(ConfigError {
                    file: file.to_owned(),
                    key: Some(if e.field().is_empty() {
                        format!("route `{route}`")
                    } else {
                        format!("{} (route `{route}`)", e.field())
                    }),
                    code: e.code(),
                    message: e.to_string(),
                });
            }
            None
        }
    }
}

impl GatewayConfig {
    /// Reads and validates a configuration file, with the policy files it
    /// names (relative paths are taken from the file's folder).
    pub fn load(path: &Path) -> Result<GatewayConfig, ConfigErrors> {
        let text = read_limited(path).map_err(|e| ConfigErrors {
            errors: vec![ConfigError {
                file: path.display().to_string(),
                key: None,
                code: "unreadable",
                message: format!(
                    "cannot read the configuration file: {e}; check the path and its permissions"
                ),
            }],
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut config = GatewayConfig::from_toml_str(&text, base, &path.display().to_string())?;
        config.files.insert(0, path.to_owned());
        Ok(config)
    }

    /// Validates configuration text; `base` is where relative policy paths
    /// start, `file` names the text in messages.
    pub fn from_toml_str(
        text: &str,
        base: &Path,
        file: &str,
    ) -> Result<GatewayConfig, ConfigErrors> {
        let mut r = Reader {
            file,
            errors: Vec::new(),
        };
        if text.len() > MAX_CONFIG_BYTES {
            r.error(
                None,
                "config-too-large",
                format!(
                    "the configuration is longer than {MAX_CONFIG_BYTES} bytes, the most it may have; check that the path names the gateway's configuration file"
                ),
            );
            return Err(ConfigErrors { errors: r.errors });
        }
        let root: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let message = e.message().to_owned();
                let at = e
                    .span()
                    .map(|s| {
                        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                        format!("line {line}: ")
                    })
                    .unwrap_or_default();
                r.error(None, "invalid-toml", format!("{at}invalid TOML: {message}"));
                return Err(ConfigErrors { errors: r.errors });
            }
        };
        r.unknown_keys(&root, TOP_KEYS, "");

        let mut config = GatewayConfig {
            listen: Vec::new(),
            admin: Some(DEFAULT_ADMIN.parse().expect("a valid default")),
            debug: false,
            limits: Limits::default(),
            routes: Vec::new(),
            files: Vec::new(),
        };

        if let Some(server) = r.table(&root, "server", "server") {
            r.unknown_keys(server, SERVER_KEYS, "server.");
            match server.get("listen") {
                None => {}
                Some(toml::Value::Array(list)) => {
                    for (i, v) in list.iter().enumerate() {
                        if let Some(a) = r.addr(v, &format!("server.listen[{i}]")) {
                            config.listen.push(a);
                        }
                    }
                    if list.is_empty() {
                        r.error(
                            "server.listen".to_owned(),
                            "no-listener",
                            "`server.listen` is empty; give at least one address, such as \"127.0.0.1:8080\"".into(),
                        );
                    }
                }
                Some(v) => {
                    if let Some(a) = r.addr(v, "server.listen") {
                        config.listen.push(a);
                    }
                }
            }
            match server.get("admin") {
                None => {}
                Some(toml::Value::String(s)) if s == "off" => config.admin = None,
                Some(v) => config.admin = r.addr(v, "server.admin"),
            }
            if let Some(d) = r.bool(server, "debug", "server.debug") {
                config.debug = d;
            }
        }
        if config.listen.is_empty() && !r.errors.iter().any(|e| e.code == "no-listener") {
            config
                .listen
                .push(DEFAULT_LISTEN.parse().expect("a valid default"));
        }

        if let Some(limits) = r.table(&root, "limits", "limits") {
            r.unknown_keys(limits, LIMIT_KEYS, "limits.");
            let l = &mut config.limits;
            match limits.get("max_header_bytes") {
                None => {}
                Some(toml::Value::Integer(n)) if (1024..=1024 * 1024).contains(n) => {
                    l.max_header_bytes = *n as usize
                }
                Some(v) => r.error(
                    "limits.max_header_bytes".to_owned(),
                    "invalid-limit",
                    format!(
                        "`limits.max_header_bytes` = {v} is out of range; use 1024 to 1048576 bytes"
                    ),
                ),
            }
            for (key, slot) in [
                ("header_read_timeout", &mut l.header_read_timeout),
                ("request_timeout", &mut l.request_timeout),
                ("idle_timeout", &mut l.idle_timeout),
                ("connect_timeout", &mut l.connect_timeout),
                ("shutdown_timeout", &mut l.shutdown_timeout),
            ] {
                if let Some(d) = r.duration(limits, key, &format!("limits.{key}")) {
                    *slot = d;
                }
            }
        }

        match root.get("routes") {
            None => r.error(
                None,
                "no-routes",
                "the configuration has no routes; add at least one [[routes]] with an upstream and a policy".into(),
            ),
            Some(toml::Value::Array(routes)) => {
                if routes.is_empty() {
                    r.error(
                        "routes".to_owned(),
                        "no-routes",
                        "`routes` is empty; add at least one [[routes]] with an upstream and a policy".into(),
                    );
                }
                let mut names = BTreeSet::new();
                let mut places = BTreeSet::new();
                for (i, value) in routes.iter().enumerate() {
                    let at = format!("routes[{i}]");
                    let Some(table) = value.as_table() else {
                        r.error(at.clone(), "wrong-type", format!("`{at}` must be a table"));
                        continue;
                    };
                    if let Some(route) = read_route(&mut r, table, &at, i, base, &mut config.files) {
                        if !names.insert(route.name.clone()) {
                            r.error(
                                format!("{at}.name"),
                                "duplicate-route",
                                format!("two routes are named `{}`; give each a name of its own", route.name),
                            );
                        }
                        if !places.insert((route.host.clone(), route.path.clone())) {
                            r.error(
                                at.clone(),
                                "duplicate-route",
                                format!(
                                    "route `{}` has the same host and path as an earlier one, so it would never be used; change its host or path",
                                    route.name
                                ),
                            );
                        }
                        config.routes.push(route);
                    }
                }
            }
            Some(_) => r.error(
                "routes".to_owned(),
                "wrong-type",
                "`routes` must be an array of tables: write each route as [[routes]]".into(),
            ),
        }

        if r.errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors { errors: r.errors })
        }
    }

    /// The quick start: one policy file in front of one upstream, on
    /// `listen`, for every host and path.
    pub fn quick(
        upstream: &str,
        policy: &Path,
        listen: SocketAddr,
    ) -> Result<GatewayConfig, ConfigErrors> {
        let mut r = Reader {
            file: "command line",
            errors: Vec::new(),
        };
        let upstream = match parse_upstream(upstream, false) {
            Ok(u) => Some(u),
            Err(message) => {
                r.error("--upstream".to_owned(), "invalid-upstream", message);
                None
            }
        };
        let file = policy.display().to_string();
        let policy = match read_limited(policy) {
            Ok(text) => {
                let mut pr = Reader {
                    file: &file,
                    errors: Vec::new(),
                };
                let p = policy_from_text(&mut pr, &text, &file, "default");
                r.errors.append(&mut pr.errors);
                p
            }
            Err(e) => {
                r.error(
                    "--policy".to_owned(),
                    "unreadable",
                    format!(
                        "cannot read policy file `{file}`: {e}; check the path and its permissions"
                    ),
                );
                None
            }
        };
        let (Some(upstream), Some(compiled)) = (upstream, policy) else {
            return Err(ConfigErrors { errors: r.errors });
        };
        Ok(GatewayConfig {
            listen: vec![listen],
            admin: Some(DEFAULT_ADMIN.parse().expect("a valid default")),
            debug: false,
            limits: Limits::default(),
            routes: vec![Route {
                name: "default".into(),
                host: None,
                path: "/".into(),
                strip_prefix: false,
                upstream,
                policy: compiled,
                policy_source: PolicySource::File(PathBuf::from(&file)),
                shadow: false,
                debug: false,
                timeout: None,
            }],
            files: vec![PathBuf::from(file)],
        })
    }

    /// The route for a request to `host` (the `Host` header or the URI's
    /// authority, port included or not) at `path`: the longest matching
    /// prefix among the routes for that host, then among the routes for
    /// any host.
    pub fn route_for(&self, host: Option<&str>, path: &str) -> Option<usize> {
        crate::router::best_route(&self.routes, host, path)
    }
}

fn read_route(
    r: &mut Reader<'_>,
    t: &toml::Table,
    at: &str,
    index: usize,
    base: &Path,
    files: &mut Vec<PathBuf>,
) -> Option<Route> {
    r.unknown_keys(t, ROUTE_KEYS, &format!("{at}."));
    let before = r.errors.len();
    let name = r
        .string(t, "name", &format!("{at}.name"))
        .unwrap_or_else(|| format!("route{index}"));
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        r.error(
            format!("{at}.name"),
            "invalid-route-name",
            format!(
                "route name `{name}` must be letters, digits, `-`, `_` or `.` (it labels metrics)"
            ),
        );
    }
    let host = r
        .string(t, "host", &format!("{at}.host"))
        .map(|h| h.to_ascii_lowercase());
    if let Some(h) = &host
        && (h.is_empty() || h.contains(['/', ':', ' ']) && !h.starts_with('['))
    {
        {
            r.error(
                format!("{at}.host"),
                "invalid-host",
                format!("host `{h}` must be a host name without scheme, port or path, such as \"api.example.com\""),
            );
        }
    }
    let path_raw = r
        .string(t, "path", &format!("{at}.path"))
        .unwrap_or_else(|| "/".into());
    let path = normalize_prefix(&path_raw);
    if path.is_none() {
        r.error(
            format!("{at}.path"),
            "invalid-path",
            format!("path `{path_raw}` must start with `/` and hold no query, fragment or space, such as \"/api\""),
        );
    }
    let strip_prefix = r
        .bool(t, "strip_prefix", &format!("{at}.strip_prefix"))
        .unwrap_or(false);
    let http2 = r
        .bool(t, "upstream_http2", &format!("{at}.upstream_http2"))
        .unwrap_or(false);
    let upstream = match r.string(t, "upstream", &format!("{at}.upstream")) {
        None => {
            if !t.contains_key("upstream") {
                r.error(
                    format!("{at}.upstream"),
                    "no-upstream",
                    format!("route `{name}` has no upstream; add upstream = \"http://host:port\""),
                );
            }
            None
        }
        Some(u) => match parse_upstream(&u, http2) {
            Ok(u) => Some(u),
            Err(message) => {
                r.error(format!("{at}.upstream"), "invalid-upstream", message);
                None
            }
        },
    };
    let shadow = r
        .bool(t, "shadow", &format!("{at}.shadow"))
        .unwrap_or(false);
    let debug = r.bool(t, "debug", &format!("{at}.debug")).unwrap_or(false);
    let timeout = r.duration(t, "timeout", &format!("{at}.timeout"));
    let (policy, policy_source) = match t.get("policy") {
        None => {
            r.error(
                format!("{at}.policy"),
                "no-policy",
                format!(
                    "route `{name}` has no policy; add policy = \"cors.toml\" (a policy file) or an inline table"
                ),
            );
            (None, PolicySource::Inline)
        }
        Some(toml::Value::String(file)) => {
            let path = base.join(file);
            files.push(path.clone());
            let shown = path.display().to_string();
            match read_limited(&path) {
                Ok(text) => (
                    policy_from_text(r, &text, &shown, &name),
                    PolicySource::File(path),
                ),
                Err(e) => {
                    r.error(
                        format!("{at}.policy"),
                        "unreadable",
                        format!("cannot read policy file `{shown}`: {e}; check the path (relative paths start at the configuration file's folder)"),
                    );
                    (None, PolicySource::File(path))
                }
            }
        }
        Some(toml::Value::Table(inline)) => {
            let text = toml::to_string(inline).unwrap_or_default();
            let file = format!("{} ({at}.policy)", r.file);
            (
                policy_from_text(r, &text, &file, &name),
                PolicySource::Inline,
            )
        }
        Some(other) => {
            r.error(
                format!("{at}.policy"),
                "wrong-type",
                format!(
                    "`{at}.policy` must be a file name or a table, not {}",
                    other.type_str()
                ),
            );
            (None, PolicySource::Inline)
        }
    };
    if r.errors.len() > before {
        return None;
    }
    Some(Route {
        name,
        host,
        path: path?,
        strip_prefix,
        upstream: upstream?,
        policy: policy?,
        policy_source,
        shadow,
        debug,
        timeout,
    })
}

#[cfg(test)]
mod tests;
