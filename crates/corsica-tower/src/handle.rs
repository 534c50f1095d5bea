//! [`PolicyHandle`]: replace the policy, or turn debugging on, while the
//! server runs.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;
use corsica::policy::{Policy, PolicyConfig};

use crate::BuildError;

/// What every clone of a layer and its services share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) policy: ArcSwap<Policy>,
    pub(crate) debug: AtomicBool,
    pub(crate) trace_allowed: AtomicBool,
    pub(crate) shadow: AtomicBool,
}

impl Shared {
    pub(crate) fn new(policy: Policy) -> Arc<Shared> {
        report_warnings(&policy);
        Arc::new(Shared {
            policy: ArcSwap::from_pointee(policy),
            debug: AtomicBool::new(false),
            trace_allowed: AtomicBool::new(false),
            shadow: AtomicBool::new(false),
        })
    }
}

/// Logs the warnings of a policy being put in service (each
/// `dangerously_…` opt-in, legacy options, redundant entries).
fn report_warnings(policy: &Policy) {
    for w in policy.warnings() {
        tracing::warn!(target: "corsica_tower", code = w.code(), field = w.field(), "CORS policy: {w}");
    }
}

/// Validates a configuration into a policy.
pub(crate) fn from_config(config: &PolicyConfig) -> Result<Policy, BuildError> {
    Policy::new(config).map_err(|e| BuildError::invalid("policy", e))
}

/// Validates TOML text into a policy; `from` names where the text came from.
pub(crate) fn from_toml(text: &str, from: &str) -> Result<Policy, BuildError> {
    Policy::from_toml_str(text).map_err(|e| BuildError::invalid(from, e))
}

/// Reads and validates a policy file.
pub(crate) fn from_file(path: &Path) -> Result<Policy, BuildError> {
    // One byte past the limit at most: the engine refuses longer text.
    let read = || -> std::io::Result<String> {
        let mut text = String::new();
        std::fs::File::open(path)?
            .take(corsica::policy::MAX_POLICY_BYTES as u64 + 1)
            .read_to_string(&mut text)?;
        Ok(text)
    };
    let text = read().map_err(|source| BuildError::Read {
        path: path.to_owned(),
        source,
    })?;
    from_toml(&text, &format!("policy file `{}`", path.display()))
}

/// Reads and validates a policy held, as TOML, in an environment variable.
pub(crate) fn from_env(name: &str) -> Result<Policy, BuildError> {
    let text = std::env::var(name).map_err(|e| match e {
        std::env::VarError::NotPresent => BuildError::EnvNotSet { name: name.into() },
        std::env::VarError::NotUnicode(_) => BuildError::EnvNotUnicode { name: name.into() },
    })?;
    from_toml(&text, &format!("environment variable `{name}`"))
}

/// A handle on the policy of a [`CorsLayer`](crate::CorsLayer) and every
/// service it made: replace the policy (origins kept in a database, a file
/// edited at run time) or switch debugging on, without restarting.
///
/// A replacement is atomic: each request is decided by exactly one policy,
/// the old or the new, and requests under way are not disturbed (a request
/// whose application call is in progress keeps the headers its policy
/// decided). A replacement that fails validation changes nothing.
///
/// ```
/// use corsica::policy::PolicyConfig;
/// use corsica_tower::CorsLayer;
///
/// let layer = CorsLayer::from_config(&PolicyConfig::default().origins(["https://a.com"]))?;
/// let handle = layer.handle();
///
/// // Later, from any task: add an origin.
/// handle.replace_with_config(&PolicyConfig::default().origins(["https://a.com", "https://b.com"]))?;
/// assert_eq!(handle.policy().config().origins.len(), 2);
///
/// // An invalid policy is refused and the old one stays.
/// assert!(handle.replace_with_toml_str(r#"origins = ["https://b.com/"]"#).is_err());
/// assert_eq!(handle.policy().config().origins.len(), 2);
/// # Ok::<(), corsica_tower::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PolicyHandle {
    pub(crate) shared: Arc<Shared>,
}

impl PolicyHandle {
    /// The policy in force now.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// assert_eq!(handle.policy().config().origins, ["https://a.com"]);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn policy(&self) -> Arc<Policy> {
        self.shared.policy.load_full()
    }

    /// Puts `policy` in force for every request decided from now on and
    /// returns the one it replaces.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// let new = corsica::policy::Policy::from_toml_str(r#"origins = ["https://b.com"]"#).unwrap();
    /// let old = handle.replace(new);
    /// assert_eq!(old.config().origins, ["https://a.com"]);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn replace(&self, policy: Policy) -> Arc<Policy> {
        report_warnings(&policy);
        self.shared.policy.swap(Arc::new(policy))
    }

    /// Validates `config` and puts it in force; on error nothing changes.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// use corsica::policy::PolicyConfig;
    /// handle.replace_with_config(&PolicyConfig::default().origins(["https://b.com"]))?;
    /// assert!(handle.replace_with_config(&PolicyConfig::default()).is_err()); // no origins
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn replace_with_config(&self, config: &PolicyConfig) -> Result<(), BuildError> {
        self.replace(from_config(config)?);
        Ok(())
    }

    /// Validates a TOML policy and puts it in force; on error nothing
    /// changes.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// handle.replace_with_toml_str(r#"origins = ["https://b.com"]"#)?;
    /// assert_eq!(handle.policy().config().origins, ["https://b.com"]);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn replace_with_toml_str(&self, toml: &str) -> Result<(), BuildError> {
        self.replace(from_toml(toml, "policy")?);
        Ok(())
    }

    /// Reads and validates a policy file and puts it in force; on error
    /// nothing changes.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// let path = std::env::temp_dir().join("corsica-tower-doc-reload.toml");
    /// std::fs::write(&path, r#"origins = ["https://b.com"]"#).unwrap();
    /// handle.reload_file(&path)?;
    /// assert_eq!(handle.policy().config().origins, ["https://b.com"]);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn reload_file(&self, path: impl AsRef<Path>) -> Result<(), BuildError> {
        self.replace(from_file(path.as_ref())?);
        Ok(())
    }

    /// Reads and validates the policy in the environment variable `name`
    /// and puts it in force; on error nothing changes.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// // Unset: an error, and the policy in force stays.
    /// assert!(handle.reload_env("CORSICA_TOWER_DOC_UNSET").is_err());
    /// assert_eq!(handle.policy().config().origins, ["https://a.com"]);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn reload_env(&self, name: &str) -> Result<(), BuildError> {
        self.replace(from_env(name)?);
        Ok(())
    }

    /// Switches the debug header on or off: when on, every rejected request's
    /// response carries [`REJECTION_HEADER`](corsica::policy::REJECTION_HEADER)
    /// (`corsica-rejection: origin-not-allowed: ...`), which the developer
    /// reads in the browser's network panel. Off by default: it tells
    /// anyone what the policy expects.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// handle.set_debug(true);
    /// assert!(handle.debug());
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn set_debug(&self, on: bool) {
        self.shared.debug.store(on, Ordering::Relaxed);
    }

    /// Whether the debug header is on.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// assert!(!handle.debug(), "off by default");
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn debug(&self) -> bool {
        self.shared.debug.load(Ordering::Relaxed)
    }

    /// Switches on or off one `tracing` event per allowed CORS request
    /// (rejections are always reported). Off by default.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// handle.set_trace_allowed(true);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn set_trace_allowed(&self, on: bool) {
        self.shared.trace_allowed.store(on, Ordering::Relaxed);
    }

    /// Switches shadow mode on or off (see [`CorsLayer::shadow`](crate::CorsLayer::shadow)):
    /// every request is decided and reported, none is answered or changed.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// handle.set_shadow(true);
    /// assert!(handle.shadow());
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn set_shadow(&self, on: bool) {
        self.shared.shadow.store(on, Ordering::Relaxed);
    }

    /// Whether shadow mode is on.
    ///
    /// ```
    /// # let handle = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?.handle();
    /// assert!(!handle.shadow(), "off by default");
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn shadow(&self) -> bool {
        self.shared.shadow.load(Ordering::Relaxed)
    }
}
