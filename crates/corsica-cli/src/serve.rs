//! `corsica serve`: the gateway (a reverse proxy applying a policy per
//! route), or with no arguments the demo (an echo API behind the gateway,
//! and the playground page on another origin).
//!
//! Exit codes: 0 after a graceful shutdown (SIGTERM, SIGINT), 2 when the
//! configuration or a policy is invalid (every error printed) or a
//! listener cannot be bound: nothing starts half-configured.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use corsica_gateway::demo::{Demo, DemoOptions};
use corsica_gateway::{ConfigSource, Gateway, GatewayConfig, GatewayOptions, Overrides};

use crate::output::{self, Ctx};

/// `corsica serve` flags.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With no --config, --upstream or --policy, starts the demo: a built-in echo API, \
the gateway in front of it, and the playground page on another origin.

Reloads the configuration on SIGHUP and when a file changes; SIGTERM and SIGINT \
drain the requests in flight and stop. Exit status: 0 after shutdown, 2 when the \
configuration is invalid or a listener cannot be bound.")]
pub(crate) struct ServeArgs {
    /// A gateway configuration file (TOML: listeners, limits, routes with
    /// an upstream and a policy each).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["upstream", "policy"])]
    config: Option<PathBuf>,
    /// Quick start: the API to put the policy in front of
    /// (http://host:port).
    #[arg(long, value_name = "URL", requires = "policy")]
    upstream: Option<String>,
    /// Quick start: the policy file (the format of `corsica policy check`).
    #[arg(long, value_name = "FILE", requires = "upstream")]
    policy: Option<PathBuf>,
    /// Where to listen (quick start and demo; a configuration file names
    /// its own listeners) [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR", conflicts_with = "config")]
    listen: Option<SocketAddr>,
    /// The admin listener (/metrics, /healthz, /readyz), or `off`
    /// [default: 127.0.0.1:8081, or the configuration's].
    #[arg(long, value_name = "ADDR|off")]
    admin: Option<String>,
    /// Demo only: where to serve the playground page [default:
    /// 127.0.0.1:8000].
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["config", "upstream"])]
    playground: Option<SocketAddr>,
    /// Debug mode: the `corsica-rejection` header on rejected answers, and
    /// every CORS decision logged.
    #[arg(long)]
    debug: bool,
    /// Shadow mode on every route: decide and log what would be rejected,
    /// never block or add headers.
    #[arg(long)]
    shadow: bool,
    /// Do not reload when a configuration or policy file changes (SIGHUP
    /// still reloads).
    #[arg(long)]
    no_watch: bool,
    /// Log lines as JSON objects instead of text.
    #[arg(long)]
    log_json: bool,
}

/// Exit status when the gateway cannot start.
const EXIT_CANNOT_START: u8 = 2;

pub(crate) fn run(args: &ServeArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    init_logging(args.log_json);
    // On one CPU (pinned with taskset, or a container's CPU quota, which
    // `available_parallelism` reads), the multi-threaded runtime would
    // start one worker anyway and pay for the stealing and cross-thread
    // wakeups it cannot use on every task it schedules: then the whole
    // gateway runs on this thread.
    let one_cpu = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    let mut builder = if one_cpu {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))
}

fn init_logging(json: bool) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn admin_flag(flag: Option<&str>) -> anyhow::Result<Option<Option<SocketAddr>>> {
    match flag {
        None => Ok(None),
        Some("off") => Ok(Some(None)),
        Some(a) => Ok(Some(Some(a.parse().with_context(|| {
            format!("--admin `{a}` is not an address such as 127.0.0.1:8081, nor `off`")
        })?))),
    }
}

async fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let admin = admin_flag(args.admin.as_deref())?;
    let (config, source) = match (&args.config, &args.upstream, &args.policy) {
        (Some(path), _, _) => (GatewayConfig::load(path), ConfigSource::File(path.clone())),
        (None, Some(upstream), Some(policy)) => {
            let listen = args.listen.unwrap_or_else(|| {
                corsica_gateway::config::DEFAULT_LISTEN
                    .parse()
                    .expect("valid")
            });
            (
                GatewayConfig::quick(upstream, policy, listen),
                ConfigSource::Quick {
                    upstream: upstream.clone(),
                    policy: policy.clone(),
                    listen,
                },
            )
        }
        _ => return demo(args, admin).await,
    };
    let mut config = match config {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors.errors {
                output::error(format_args!("{e}"));
            }
            output::error(format_args!(
                "not started: {} error{} in the configuration; fix {} and run again",
                errors.errors.len(),
                if errors.errors.len() == 1 { "" } else { "s" },
                if errors.errors.len() == 1 {
                    "it"
                } else {
                    "them"
                },
            ));
            return Ok(ExitCode::from(EXIT_CANNOT_START));
        }
    };
    // The flags apply to every route, now and after each reload.
    let overrides = Overrides {
        debug: args.debug,
        shadow: args.shadow,
        admin,
    };
    overrides.apply(&mut config);
    let options = GatewayOptions {
        watch_files: !args.no_watch,
        signals: true,
        source,
        overrides,
    };
    let gateway = match Gateway::bind(config.clone(), options).await {
        Ok(g) => g,
        Err(e) => {
            output::error(format_args!("{e}"));
            return Ok(ExitCode::from(EXIT_CANNOT_START));
        }
    };
    for addr in gateway.local_addrs() {
        output::error(format_args!("listening on http://{addr}"));
    }
    if let Some(admin) = gateway.admin_addr() {
        output::error(format_args!(
            "admin on http://{admin} (/metrics, /healthz, /readyz, /status)"
        ));
    }
    for route in &config.routes {
        output::error(format_args!(
            "route {}: {}{} -> {}{}",
            route.name,
            route.host.as_deref().unwrap_or("*"),
            route.path,
            route.upstream.url,
            if route.shadow { " (shadow mode)" } else { "" }
        ));
    }
    gateway.run().await;
    Ok(ExitCode::SUCCESS)
}

async fn demo(args: &ServeArgs, admin: Option<Option<SocketAddr>>) -> anyhow::Result<ExitCode> {
    let mut options = DemoOptions::default();
    if let Some(listen) = args.listen {
        options.api = listen;
    }
    if let Some(playground) = args.playground {
        options.playground = playground;
    }
    if let Some(admin) = admin {
        options.admin = admin;
    }
    options.debug = args.debug;
    let demo = match Demo::start(options).await {
        Ok(d) => d,
        Err(e) => {
            output::error(format_args!("{e}"));
            return Ok(ExitCode::from(EXIT_CANNOT_START));
        }
    };
    println!("corsica demo: a CORS gateway in front of a small echo API");
    println!();
    println!(
        "  playground  {}   <- open this in your browser",
        demo.playground_url()
    );
    println!(
        "  API         {}   (the gateway; the echo API behind it)",
        demo.api_url()
    );
    if let Some(admin) = demo.admin_url() {
        println!("  admin       {admin}/metrics");
    }
    println!();
    println!(
        "The page and the API are on different origins, so your browser does real CORS. Ctrl-C stops."
    );
    demo.run().await;
    Ok(ExitCode::SUCCESS)
}
