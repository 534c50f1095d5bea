//! Real servers running exported configuration: nginx and Caddy in front
//! of [`Upstream`](super::http::Upstream), and Express, Django, Flask and
//! FastAPI apps (the harnesses in `tests/peers/`) with the exported module.
//!
//! Every server binds an ephemeral port on 127.0.0.1 and runs as the
//! current user, with its files in a temporary directory. The peers are
//! installed by `scripts/install-peers` (which `scripts/test` runs): a
//! missing one fails the test with that name, never skips it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The harness sources and the peer manifests.
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

/// Where `scripts/install-peers` installs the npm and PyPI peers.
pub fn tools_dir() -> PathBuf {
    root().join(".tools/peers")
}

fn missing(what: &str) -> ! {
    panic!(
        "{what} is missing: run scripts/install-peers (scripts/test runs it) to install the \
         peer stacks the export tests run (nginx and caddy from Debian, express and cors from \
         npm, Django, django-cors-headers, Flask, flask-cors, FastAPI and uvicorn from PyPI, \
         into .tools/peers)"
    )
}

/// A program on `PATH` (or in /usr/sbin, where Debian puts nginx).
pub fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| missing(name))
}

/// The project-local Python with the PyPI peers.
pub fn python() -> PathBuf {
    let p = tools_dir().join("venv/bin/python");
    if !p.is_file() {
        missing(&format!("{} (the PyPI peers' virtualenv)", p.display()));
    }
    p
}

/// The project-local `node_modules` with express and cors.
pub fn node_modules() -> PathBuf {
    let p = tools_dir().join("node/node_modules");
    if !p.join("cors").is_dir() || !p.join("express").is_dir() {
        missing(&format!("{}/{{cors,express}}", p.display()));
    }
    p
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("export-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A running server: its address, the process (killed when dropped) and
/// its directory.
pub struct Server {
    pub addr: SocketAddr,
    child: Child,
    log: PathBuf,
    _dir: TempDir,
}

impl Server {
    /// The server's log so far, for failure messages.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago, for servers that cannot bind port 0
/// themselves (nginx, Caddy). A race with another process is retried.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Waits until `addr` accepts connections, or the child exits.
fn wait_listening(child: &mut Child, addr: SocketAddr, timeout: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(25));
    }
    Err(format!("not listening on {addr} after {timeout:?}"))
}

/// Starts a server that listens on a port it is told, retrying with
/// another port when the start fails (another process took it).
fn start_on_free_port(
    name: &str,
    mut launch: impl FnMut(&TempDir, u16) -> (Command, PathBuf),
) -> Server {
    let mut errors = Vec::new();
    for _ in 0..5 {
        let dir = TempDir::new(name);
        let port = free_port();
        let (mut cmd, log) = launch(&dir, port);
        let log_file = fs::File::create(&log).unwrap();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        match wait_listening(&mut child, addr, Duration::from_secs(30)) {
            Ok(()) => {
                return Server {
                    addr,
                    child,
                    log,
                    _dir: dir,
                };
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                errors.push(format!(
                    "{e}: {}",
                    fs::read_to_string(&log).unwrap_or_default()
                ));
            }
        }
    }
    panic!("{name} did not start:\n{}", errors.join("\n"));
}

/// nginx with `conf` (text for inside `http { }`) and `listen` replaced by
/// the chosen port: `conf_for(port)`.
pub fn nginx(conf_for: impl Fn(u16) -> String) -> Server {
    let nginx = program("nginx");
    start_on_free_port("nginx", |dir, port| {
        let d = dir.0.display();
        fs::create_dir_all(dir.0.join("logs")).unwrap();
        dir.write("cors.conf", &conf_for(port));
        let main = format!(
            "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/cors.conf;
}}
"
        );
        let conf = dir.write("nginx.conf", &main);
        let mut cmd = Command::new(&nginx);
        // -e: the startup error log too, so nothing goes to /var/log/nginx.
        cmd.arg("-p")
            .arg(&dir.0)
            .arg("-e")
            .arg(dir.0.join("logs/error.log"))
            .arg("-c")
            .arg(conf);
        (cmd, dir.0.join("logs/error.log"))
    })
}

/// Caddy with the site block `site_for(port)`.
pub fn caddy(site_for: impl Fn(u16) -> String) -> Server {
    let caddy = program("caddy");
    start_on_free_port("caddy", |dir, port| {
        // No admin endpoint (it would take port 2019), no certificates.
        let file = format!(
            "{{\n\tadmin off\n\tauto_https off\n}}\n\n{}",
            site_for(port)
        );
        let conf = dir.write("Caddyfile", &file);
        let mut cmd = Command::new(&caddy);
        cmd.args(["run", "--adapter", "caddyfile", "--config"])
            .arg(conf)
            .env("HOME", &dir.0)
            .env("XDG_DATA_HOME", dir.0.join("data"))
            .env("XDG_CONFIG_HOME", dir.0.join("config"));
        (cmd, dir.0.join("caddy.log"))
    })
}

/// A harness that binds port 0 itself and prints `PORT <n>` first.
fn start_harness(name: &str, mut cmd: Command, dir: TempDir) -> Server {
    let log = dir.0.join("stderr.log");
    let mut child = cmd
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok);
        let _ = tx.send(first);
        // Keep draining so the harness never blocks on a full pipe.
        for _ in lines {}
    });
    let port = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(line)) => line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse::<u16>().ok())
            .unwrap_or_else(|| panic!("{name} printed {line:?} instead of PORT <n>")),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name} did not start: {}",
                fs::read_to_string(&log).unwrap_or_default()
            );
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    if let Err(e) = wait_listening(&mut child, addr, Duration::from_secs(30)) {
        panic!(
            "{name}: {e}: {}",
            fs::read_to_string(&log).unwrap_or_default()
        );
    }
    Server {
        addr,
        child,
        log,
        _dir: dir,
    }
}

/// The Express harness with `module` (the exported middleware, or a
/// broken one) as its CORS middleware.
pub fn express(module: &str) -> Server {
    let node_modules = node_modules();
    let dir = TempDir::new("express");
    let m = dir.write("cors-policy.js", module);
    let mut cmd = Command::new(program("node"));
    cmd.arg(peers_dir().join("express_app.js"))
        .arg(m)
        .env("NODE_PATH", node_modules);
    start_harness("express", cmd, dir)
}

/// A Python harness (`django_app.py`, `flask_app.py`, `fastapi_app.py`)
/// with `module` saved as `cors_policy.py`.
pub fn python_app(harness: &str, module: &str) -> Server {
    let python = python();
    let dir = TempDir::new(harness.trim_end_matches(".py"));
    dir.write("cors_policy.py", module);
    let mut cmd = Command::new(python);
    cmd.arg(peers_dir().join(harness))
        .env("PYTHONPATH", &dir.0)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    start_harness(harness, cmd, dir)
}
