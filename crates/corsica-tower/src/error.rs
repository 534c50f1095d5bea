//! [`BuildError`]: why a layer could not be built or a policy reloaded.

use std::path::PathBuf;

use corsica::policy::{PolicyError, PolicyErrors};

/// Why a [`CorsLayer`](crate::CorsLayer) could not be built, or a
/// [`PolicyHandle`](crate::PolicyHandle) could not reload its policy.
///
/// Nothing in this crate panics on a bad policy: every constructor returns
/// this error, and [`Invalid`](BuildError::Invalid) carries every mistake
/// found at once, each with its fix.
///
/// ```
/// use corsica_tower::{BuildError, CorsLayer};
///
/// let err = CorsLayer::from_toml_str(r#"
///     origins = ["*", "https://app.example.com/"]
///     credentials = true
/// "#).unwrap_err();
/// assert_eq!(err.errors().len(), 2);
/// assert!(matches!(err, BuildError::Invalid { .. }));
/// assert!(err.to_string().contains("trailing slash") || err.to_string().contains("path"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Occurs when the policy has mistakes (TOML syntax, unknown keys,
    /// invalid origins, `*` with credentials, ...): all of them are listed.
    #[error("{from}: {errors}")]
    Invalid {
        /// Where the policy came from: `policy file `cors.toml``,
        /// `environment variable `CORS_POLICY``, `policy`.
        from: String,
        /// Every error, and the warnings found alongside.
        errors: PolicyErrors,
    },
    /// Occurs when a policy file cannot be read.
    #[error("cannot read policy file `{}`: {source}; check the path and its permissions", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// Occurs when the environment variable that should hold the policy is
    /// not set.
    #[error(
        "environment variable `{name}` is not set; set it to a TOML policy (for example `origins = [\"https://app.example.com\"]`)"
    )]
    EnvNotSet {
        /// The variable's name.
        name: String,
    },
    /// Occurs when the environment variable holds bytes that are not UTF-8.
    #[error("environment variable `{name}` is not valid UTF-8; a policy is TOML text")]
    EnvNotUnicode {
        /// The variable's name.
        name: String,
    },
}

impl BuildError {
    /// The policy errors, when the policy itself is invalid; empty when it
    /// could not be read.
    ///
    /// ```
    /// let err = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["null"]"#).unwrap_err();
    /// assert_eq!(err.errors()[0].code(), "null-origin");
    /// let err = corsica_tower::CorsLayer::from_file("/nonexistent.toml").unwrap_err();
    /// assert!(err.errors().is_empty());
    /// ```
    pub fn errors(&self) -> &[PolicyError] {
        match self {
            BuildError::Invalid { errors, .. } => &errors.errors,
            _ => &[],
        }
    }

    pub(crate) fn invalid(from: impl Into<String>, errors: PolicyErrors) -> BuildError {
        BuildError::Invalid {
            from: from.into(),
            errors,
        }
    }
}
