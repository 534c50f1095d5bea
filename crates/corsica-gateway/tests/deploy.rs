//! `deploy/`: the Kubernetes ConfigMap holds a valid configuration, the
//! Deployment's probes and mount agree with it, HAProxy accepts the
//! example, and a ConfigMap update as the kubelet makes it (a `..data`
//! symlink swapped to a new folder) reloads a running gateway.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use corsica_gateway::{ConfigSource, Gateway, GatewayConfig, GatewayOptions};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The block scalar `key: |` of a ConfigMap's `data`, dedented.
fn block(yaml: &str, key: &str) -> String {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != format!("{key}: |"));
    lines
        .next()
        .unwrap_or_else(|| panic!("no `{key}: |` in the ConfigMap"));
    let mut out = String::new();
    for line in lines {
        if line.trim().is_empty() {
            out.push('\n');
            continue;
        }
        match line.strip_prefix("    ") {
            Some(rest) => {
                out.push_str(rest);
                out.push('\n');
            }
            None => break,
        }
    }
    out
}

#[test]
fn the_configmap_is_a_valid_configuration_and_the_deployment_agrees() {
    let yaml = std::fs::read_to_string(deploy().join("kubernetes/configmap.yaml")).unwrap();
    let dir = TempDir::new("deploy");
    dir.write("gateway.toml", &block(&yaml, "gateway.toml"));
    dir.write("cors.toml", &block(&yaml, "cors.toml"));
    let config = GatewayConfig::load(&dir.path("gateway.toml"))
        .unwrap_or_else(|e| panic!("the ConfigMap's configuration is invalid:\n{e}"));
    assert_eq!(config.listen, ["0.0.0.0:8080".parse().unwrap()]);
    assert_eq!(config.admin, Some("0.0.0.0:8081".parse().unwrap()));
    assert!(config.limits.shutdown_timeout < Duration::from_secs(40 - 5));

    let deployment = std::fs::read_to_string(deploy().join("kubernetes/deployment.yaml")).unwrap();
    for needle in [
        "path: /readyz",
        "path: /healthz",
        "containerPort: 8081",
        "containerPort: 8080",
        "mountPath: /etc/corsica",
        "\"--config\", \"/etc/corsica/gateway.toml\"",
        "terminationGracePeriodSeconds: 40",
    ] {
        assert!(
            deployment.contains(needle),
            "deployment.yaml lacks {needle}"
        );
    }
    assert!(
        !deployment.contains("subPath"),
        "a subPath mount never sees ConfigMap updates"
    );
}

#[test]
fn haproxy_accepts_the_example() {
    let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("haproxy is missing (Debian package haproxy); scripts/test installs it");
    let out = std::process::Command::new(haproxy)
        .args(["-c", "-q", "-f"])
        .arg(deploy().join("haproxy/haproxy.cfg"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a ConfigMap version folder the way the kubelet does and points
/// `..data` at it with an atomic rename.
fn kubelet_publish(root: &Path, version: u32, files: &[(&str, &str)]) {
    let v = root.join(format!("..2026_11_30_{version}"));
    std::fs::create_dir_all(&v).unwrap();
    for (name, text) in files {
        std::fs::write(v.join(name), text).unwrap();
    }
    let tmp = root.join("..data_tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(v.file_name().unwrap(), &tmp).unwrap();
    std::fs::rename(&tmp, root.join("..data")).unwrap();
    for (name, _) in files {
        let link = root.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(Path::new("..data").join(name), &link).unwrap();
        }
    }
}

#[tokio::test]
async fn a_configmap_update_reloads_the_gateway() {
    let up = upstream().await;
    let dir = TempDir::new("configmap");
    let gateway_toml = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nadmin = \"off\"\n[[routes]]\nname = \"api\"\nupstream = \"{}\"\npolicy = \"cors.toml\"\n",
        up.url()
    );
    kubelet_publish(
        &dir.0,
        1,
        &[
            ("gateway.toml", &gateway_toml),
            ("cors.toml", r#"origins = ["https://a.example"]"#),
        ],
    );
    let path = dir.path("gateway.toml");
    let gateway = Gateway::bind(
        GatewayConfig::load(&path).unwrap(),
        GatewayOptions {
            source: ConfigSource::File(path),
            watch_files: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let addr = gateway.local_addrs()[0];
    let handle = gateway.handle();
    tokio::spawn(gateway.run());

    kubelet_publish(
        &dir.0,
        2,
        &[
            ("gateway.toml", &gateway_toml),
            ("cors.toml", r#"origins = ["https://b.example"]"#),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, h, _) = send(
            &client(),
            "GET",
            &format!("http://{addr}/x"),
            &[("origin", "https://b.example")],
        )
        .await;
        if h.get("access-control-allow-origin").is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ConfigMap update was not seen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(handle.generation(), 2);
    handle.shutdown();
}
