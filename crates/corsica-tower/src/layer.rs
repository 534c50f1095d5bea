//! [`CorsLayer`]: built from a validated policy, never panics.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use corsica::policy::{Decision, Policy, PolicyConfig};
use tower_layer::Layer;

use crate::handle::{self, Shared};
use crate::service::Observer;
use crate::{BuildError, Cors, PolicyHandle};

/// A [`Layer`] that applies a corsica [`Policy`] to every request: it answers
/// CORS preflights itself and adds the CORS headers to every response of the
/// service it wraps, error responses included.
///
/// Every constructor validates the policy and returns all its mistakes at
/// once as a [`BuildError`]; none panics. Clones share one policy, which a
/// [`PolicyHandle`] replaces at run time.
///
/// ```
/// use axum::{Router, routing::get};
/// use corsica_tower::CorsLayer;
///
/// let cors = CorsLayer::from_toml_str(r#"
///     origins = ["https://app.example.com", "https://*.example.com"]
///     credentials = true
///     methods = ["GET", "POST", "PUT", "DELETE"]
///     request_headers = ["Authorization", "Content-Type"]
/// "#)?;
/// let app: Router = Router::new().route("/", get(|| async { "hello" })).layer(cors);
/// # Ok::<(), corsica_tower::BuildError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CorsLayer {
    shared: Arc<Shared>,
    observer: Option<Observer>,
}

impl CorsLayer {
    /// A layer over an already validated policy.
    ///
    /// ```
    /// use corsica::policy::Policy;
    /// use corsica_tower::CorsLayer;
    ///
    /// let policy = Policy::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    /// let layer = CorsLayer::new(policy);
    /// assert_eq!(layer.handle().policy().config().origins, ["https://a.com"]);
    /// ```
    pub fn new(policy: Policy) -> CorsLayer {
        CorsLayer {
            shared: Shared::new(policy),
            observer: None,
        }
    }

    /// Validates a [`PolicyConfig`] (the builder form).
    ///
    /// ```
    /// use corsica::policy::PolicyConfig;
    /// use corsica_tower::CorsLayer;
    ///
    /// let layer = CorsLayer::from_config(
    ///     &PolicyConfig::default().origins(["https://a.com"]).methods(["GET", "PUT"]),
    /// )?;
    /// // `*` with credentials is refused with a message, not a panic.
    /// let err = CorsLayer::from_config(&PolicyConfig::default().origins(["*"]).credentials(true))
    ///     .unwrap_err();
    /// assert_eq!(err.errors()[0].code(), "credentialed-wildcard-origin");
    /// # let _ = layer;
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn from_config(config: &PolicyConfig) -> Result<CorsLayer, BuildError> {
        Ok(CorsLayer::new(handle::from_config(config)?))
    }

    /// Validates a policy written in TOML (the format of `corsica policy
    /// check`).
    ///
    /// ```
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// # let _ = layer;
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn from_toml_str(toml: &str) -> Result<CorsLayer, BuildError> {
        Ok(CorsLayer::new(handle::from_toml(toml, "policy")?))
    }

    /// Reads and validates a TOML policy file.
    ///
    /// ```
    /// let path = std::env::temp_dir().join("corsica-tower-doc-from-file.toml");
    /// std::fs::write(&path, r#"origins = ["https://a.com"]"#).unwrap();
    /// let layer = corsica_tower::CorsLayer::from_file(&path)?;
    /// # let _ = layer;
    /// let missing = corsica_tower::CorsLayer::from_file("/nonexistent/cors.toml").unwrap_err();
    /// assert!(missing.to_string().starts_with("cannot read policy file"));
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<CorsLayer, BuildError> {
        Ok(CorsLayer::new(handle::from_file(path.as_ref())?))
    }

    /// Reads and validates a TOML policy held in the environment variable
    /// `name` (handy in containers: `CORS_POLICY='origins = ["https://a.com"]'`).
    ///
    /// ```
    /// let err = corsica_tower::CorsLayer::from_env("CORSICA_TOWER_DOC_UNSET").unwrap_err();
    /// assert!(matches!(err, corsica_tower::BuildError::EnvNotSet { .. }));
    /// ```
    pub fn from_env(name: &str) -> Result<CorsLayer, BuildError> {
        Ok(CorsLayer::new(handle::from_env(name)?))
    }

    /// Adds the debug header (`corsica-rejection: CODE: WHY`) to the
    /// response of every rejected request; see [`PolicyHandle::set_debug`],
    /// which switches it at run time. Off by default.
    ///
    /// ```
    /// # let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let layer = layer.debug(cfg!(debug_assertions));
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn debug(self, on: bool) -> CorsLayer {
        self.shared.debug.store(on, Ordering::Relaxed);
        self
    }

    /// Reports every allowed CORS request through `tracing`, not only the
    /// rejected ones. Off by default.
    ///
    /// ```
    /// # let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let layer = layer.trace_allowed(true);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn trace_allowed(self, on: bool) -> CorsLayer {
        self.shared.trace_allowed.store(on, Ordering::Relaxed);
        self
    }

    /// Shadow mode, for putting a policy in front of a live API that
    /// handles CORS itself: every request is decided and reported (through
    /// `tracing`, as "would be rejected", and to
    /// [`on_decision`](Self::on_decision)), and none is answered or
    /// changed: preflights go on to the service, and its responses pass
    /// through without CORS headers added. Off by default;
    /// [`PolicyHandle::set_shadow`] switches it at run time.
    ///
    /// ```
    /// # let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let layer = layer.shadow(true);
    /// assert!(layer.handle().shadow());
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn shadow(self, on: bool) -> CorsLayer {
        self.shared.shadow.store(on, Ordering::Relaxed);
        self
    }

    /// Calls `observer` with every decision, before the request is answered
    /// or passed on: for metrics (counts per outcome and
    /// [rejection code](corsica::policy::Rejection::code)) or an audit
    /// log. It runs on the request's task, so it must be quick; it sees
    /// the decision and not the request. A later call replaces the
    /// observer; the services already made keep theirs.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    ///
    /// let rejected = Arc::new(AtomicU64::new(0));
    /// let count = rejected.clone();
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?
    ///     .on_decision(move |decision| {
    ///         if decision.rejection().is_some() {
    ///             count.fetch_add(1, Ordering::Relaxed);
    ///         }
    ///     });
    /// # let _ = layer;
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn on_decision(
        mut self,
        observer: impl Fn(&Decision<'_>) + Send + Sync + 'static,
    ) -> CorsLayer {
        self.observer = Some(Observer(Arc::new(observer)));
        self
    }

    /// A handle to replace the policy or switch debugging while serving.
    /// The layer's clones and the services they made all follow it.
    ///
    /// ```
    /// # let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let handle = layer.handle();
    /// handle.replace_with_toml_str(r#"origins = ["https://b.com"]"#)?;
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn handle(&self) -> PolicyHandle {
        PolicyHandle {
            shared: self.shared.clone(),
        }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors::from_shared(inner, self.shared.clone(), self.observer.clone())
    }
}
