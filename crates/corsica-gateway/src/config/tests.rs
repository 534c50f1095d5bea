use std::path::Path;

use super::*;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("corsica-gateway-config-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_full_configuration_reads() {
    let d = dir();
    std::fs::write(
        d.join("api.toml"),
        r#"origins = ["https://app.example.com"]"#,
    )
    .unwrap();
    let text = r#"
        [server]
        listen = ["127.0.0.1:0", "[::1]:0"]
        admin = "off"
        debug = true

        [limits]
        max_header_bytes = 8192
        request_timeout = "1.5s"
        connect_timeout = 2

        [[routes]]
        name = "api"
        host = "API.example.com"
        path = "/v1/"
        strip_prefix = true
        upstream = "http://127.0.0.1:3000/base/"
        policy = "api.toml"

        [[routes]]
        name = "public"
        upstream = "http://localhost:3001"
        upstream_http2 = true
        shadow = true
        timeout = "250ms"
        policy = { origins = ["*"] }
    "#;
    let c = GatewayConfig::from_toml_str(text, &d, "gw.toml").unwrap();
    assert_eq!(c.listen.len(), 2);
    assert_eq!(c.admin, None);
    assert!(c.debug);
    assert_eq!(c.limits.max_header_bytes, 8192);
    assert_eq!(c.limits.request_timeout, Duration::from_millis(1500));
    assert_eq!(c.limits.connect_timeout, Duration::from_secs(2));
    let api = &c.routes[0];
    assert_eq!(api.host.as_deref(), Some("api.example.com"));
    assert_eq!(api.path, "/v1");
    assert_eq!(api.upstream.authority.as_str(), "127.0.0.1:3000");
    assert_eq!(api.upstream.base_path, "/base");
    assert_eq!(api.policy_source, PolicySource::File(d.join("api.toml")));
    let public = &c.routes[1];
    assert_eq!(public.name, "public");
    assert_eq!(public.path, "/");
    assert!(public.upstream.http2 && public.shadow);
    assert_eq!(public.timeout, Some(Duration::from_millis(250)));
    assert!(public.policy.allows_any_origin());
    assert_eq!(c.files, vec![d.join("api.toml")]);

    // Routing: host-specific routes first, then the longest prefix.
    assert_eq!(
        c.route_for(Some("api.example.com:443"), "/v1/items"),
        Some(0)
    );
    assert_eq!(c.route_for(Some("API.EXAMPLE.COM"), "/v1"), Some(0));
    assert_eq!(c.route_for(Some("api.example.com"), "/v10"), Some(1));
    assert_eq!(c.route_for(Some("other.com"), "/v1/items"), Some(1));
    assert_eq!(c.route_for(None, "/"), Some(1));
}

#[test]
fn every_error_is_reported_at_once() {
    let d = dir();
    std::fs::write(
        d.join("bad.toml"),
        "origins = [\"*\", \"https://a.com/\"]\ncredentials = true\n",
    )
    .unwrap();
    let text = r#"
        [server]
        listn = "127.0.0.1:8080"
        admin = "localhost:9000"

        [limits]
        request_timeout = "soon"
        max_header_bytes = 10

        [[routes]]
        name = "a"
        upstream = "https://api.example.com"
        policy = "bad.toml"

        [[routes]]
        name = "a"
        path = "v1"
        upstream = "http://127.0.0.1:1"
        policy = "missing.toml"

        [[routes]]
        name = "c"
        policy = { origins = ["https://c.com"], credentails = true }
    "#;
    let errors = GatewayConfig::from_toml_str(text, &d, "gw.toml")
        .unwrap_err()
        .errors;
    let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    for expected in [
        "unknown-key",
        "invalid-address",
        "invalid-duration",
        "invalid-limit",
        "invalid-upstream",
        "credentialed-wildcard-origin",
        "origin-with-path",
        "invalid-path",
        "unreadable",
        "no-upstream",
    ] {
        assert!(
            codes.contains(&expected),
            "{expected} missing from {codes:?}"
        );
    }
    // The unknown key names its likely meaning; the policy errors name
    // their file and route.
    let listn = errors
        .iter()
        .find(|e| e.key.as_deref() == Some("server.listn"))
        .unwrap();
    assert!(
        listn.message.contains("did you mean `listen`"),
        "{}",
        listn.message
    );
    let wildcard = errors
        .iter()
        .find(|e| e.code == "credentialed-wildcard-origin")
        .unwrap();
    assert_eq!(wildcard.file, d.join("bad.toml").display().to_string());
    assert!(wildcard.key.as_deref().unwrap().contains("route `a`"));
    // The inline policy's unknown key comes from the engine.
    assert!(
        errors
            .iter()
            .any(|e| e.code == "unknown-key" && e.message.contains("credentials")),
        "{errors:#?}"
    );
    let shown = GatewayConfig::from_toml_str(text, &d, "gw.toml")
        .unwrap_err()
        .to_string();
    assert!(shown.ends_with(&format!("invalid configuration: {} errors", errors.len())));
}

#[test]
fn syntax_errors_and_missing_routes_are_reported() {
    let e = GatewayConfig::from_toml_str("[[routes]\n", Path::new("."), "x.toml").unwrap_err();
    assert_eq!(e.errors[0].code, "invalid-toml");
    assert!(
        e.errors[0].message.starts_with("line 1: "),
        "{}",
        e.errors[0].message
    );
    let e = GatewayConfig::from_toml_str("", Path::new("."), "x.toml").unwrap_err();
    assert_eq!(e.errors[0].code, "no-routes");
    let e = GatewayConfig::load(Path::new("/nonexistent/gw.toml")).unwrap_err();
    assert_eq!(e.errors[0].code, "unreadable");
}

#[test]
fn the_quick_start_reports_both_flags() {
    let e = GatewayConfig::quick(
        "ftp://x",
        Path::new("/nonexistent/cors.toml"),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap_err();
    let keys: Vec<_> = e.errors.iter().map(|e| e.key.clone().unwrap()).collect();
    assert_eq!(keys, ["--upstream", "--policy"]);
}

#[test]
fn durations_parse() {
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
    assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
    assert_eq!(parse_duration("soon"), None);
    assert_eq!(parse_duration("5 days"), None);
}

#[test]
fn files_past_the_size_limit_are_refused_not_read_whole() {
    // /dev/zero never ends: the reads stop one byte past the limit.
    let e = GatewayConfig::load(Path::new("/dev/zero")).unwrap_err();
    assert_eq!(e.errors[0].code, "config-too-large", "{e}");
    let d = dir().join("big");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("gw.toml"),
        "[[routes]]\npath = \"/\"\nupstream = \"http://127.0.0.1:9\"\npolicy = \"/dev/zero\"\n",
    )
    .unwrap();
    let e = GatewayConfig::load(&d.join("gw.toml")).unwrap_err();
    assert!(
        e.errors
            .iter()
            .any(|e| e.message.contains("longer than 16777216 bytes")),
        "{e}"
    );
    let e = GatewayConfig::quick(
        "http://127.0.0.1:9",
        Path::new("/dev/zero"),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap_err();
    assert!(
        e.errors
            .iter()
            .any(|e| e.message.contains("longer than 16777216 bytes")),
        "{e}"
    );
}
