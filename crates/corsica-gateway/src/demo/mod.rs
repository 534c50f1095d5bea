//! The demo: `corsica serve` with no arguments.
//!
//! Three listeners in one process: a small echo API (on a free port, for
//! the gateway only), the gateway in front of it (from a configuration
//! embedded in the binary, `demo.toml`), and the playground page on
//! another port, so the page and the API are different origins and the
//! browser does real CORS. The page (sources in the repository's `web/`,
//! embedded) runs requests for real and shows, side by side, what the
//! browser did and what the engine predicted.
//!
//! ```no_run
//! # async fn f() -> Result<(), corsica_gateway::StartError> {
//! let demo = corsica_gateway::demo::Demo::start(Default::default()).await?;
//! println!("open {}", demo.playground_url());
//! demo.run().await;
//! # Ok(()) }
//! ```

mod echo;
mod lab;
mod playground;
mod predict;
mod presets;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::{DEFAULT_ADMIN, DEFAULT_LISTEN, GatewayConfig};
use crate::server::{Extra, Gateway, GatewayHandle, GatewayOptions, StartError};

/// The demo's gateway configuration (with placeholders for addresses).
pub const DEMO_CONFIG: &str = include_str!("demo.toml");

/// The default address of the playground page.
pub const DEFAULT_PLAYGROUND: &str = "127.0.0.1:8000";

/// Where the demo listens.
#[derive(Clone, Copy, Debug)]
pub struct DemoOptions {
    /// The gateway (the API's origin).
    pub api: SocketAddr,
    /// The playground page (another origin).
    pub playground: SocketAddr,
    /// The gateway's admin listener, if any.
    pub admin: Option<SocketAddr>,
    /// Debug mode on the gateway.
    pub debug: bool,
    /// Stop on SIGTERM and SIGINT.
    pub signals: bool,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            api: DEFAULT_LISTEN.parse().expect("valid"),
            playground: DEFAULT_PLAYGROUND.parse().expect("valid"),
            admin: Some(DEFAULT_ADMIN.parse().expect("valid")),
            debug: false,
            signals: true,
        }
    }
}

/// A running demo.
#[derive(Debug)]
pub struct Demo {
    gateway: Gateway,
    playground: tokio::task::JoinHandle<()>,
    echo: tokio::task::JoinHandle<()>,
    api_url: String,
    playground_url: String,
}

/// `http://127.0.0.1:8080` for a bound address (an unspecified address
/// is reached on loopback).
fn url_of(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        "127.0.0.1".parse().expect("valid")
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

impl Demo {
    /// Binds the three listeners and starts serving.
    pub async fn start(options: DemoOptions) -> Result<Demo, StartError> {
        let page_listener = bind(options.playground).await?;
        let page_addr = page_listener.local_addr().unwrap_or(options.playground);
        let playground_url = url_of(page_addr);
        let echo_listener = bind("127.0.0.1:0".parse().expect("valid")).await?;
        let echo_addr = echo_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: "127.0.0.1:0".parse().expect("valid"),
                source,
            })?;
        // The gateway's listener is bound by the gateway; an ephemeral port
        // must be known before the page's configuration is written, so
        // bind it here first when asked for port 0.
        let api_listener = bind(options.api).await?;
        let api_addr = api_listener.local_addr().unwrap_or(options.api);
        drop(api_listener);
        let api_url = url_of(api_addr);

        let text = DEMO_CONFIG
            .replace("{listen}", &api_addr.to_string())
            .replace(
                "{admin}",
                &options.admin.map_or("off".to_owned(), |a| a.to_string()),
            )
            .replace("{echo}", &echo_addr.to_string())
            .replace("{page}", &playground_url);
        let mut config = GatewayConfig::from_toml_str(&text, Path::new("."), "demo.toml")
            .expect("the embedded demo configuration is valid");
        config.debug = options.debug;

        let lab = Arc::new(lab::Lab::new(
            config.routes[0].upstream.clone(),
            playground_url.clone(),
        ));
        let gateway = Gateway::bind_with(
            config,
            GatewayOptions {
                signals: options.signals,
                ..GatewayOptions::default()
            },
            Some(lab.clone() as Arc<dyn Extra>),
        )
        .await?;
        let echo = tokio::spawn(echo::serve(echo_listener, playground_url.clone().into()));
        let playground = tokio::spawn(playground::serve(
            page_listener,
            Arc::new(playground::Playground {
                lab,
                page_origin: playground_url.clone(),
                api_origin: api_url.clone(),
            }),
        ));
        Ok(Demo {
            gateway,
            playground,
            echo,
            api_url,
            playground_url,
        })
    }

    /// The API's URL (the gateway).
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The playground page's URL.
    pub fn playground_url(&self) -> &str {
        &self.playground_url
    }

    /// The admin listener's URL, if any.
    pub fn admin_url(&self) -> Option<String> {
        self.gateway.admin_addr().map(url_of)
    }

    /// A handle on the gateway.
    pub fn handle(&self) -> GatewayHandle {
        self.gateway.handle()
    }

    /// Serves until the gateway shuts down.
    pub async fn run(self) {
        self.gateway.run().await;
        self.playground.abort();
        self.echo.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_configuration_is_valid() {
        let text = DEMO_CONFIG
            .replace("{listen}", "127.0.0.1:8080")
            .replace("{admin}", "127.0.0.1:8081")
            .replace("{echo}", "127.0.0.1:3000")
            .replace("{page}", "http://127.0.0.1:8000");
        let config = GatewayConfig::from_toml_str(&text, Path::new("."), "demo.toml").unwrap();
        assert_eq!(config.routes.len(), 1);
        assert_eq!(
            config.routes[0].policy.config().origins,
            ["http://127.0.0.1:8000"]
        );
    }
}
