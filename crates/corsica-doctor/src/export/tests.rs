//! Unit tests of the exporters: what each writes and refuses. The proof that
//! the outputs work is `tests/export_live.rs`, which runs them.

use corsica::Policy;
use http::{HeaderMap, HeaderValue, Method};

use super::*;

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}"))
}

const MYAPP: &str = r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type"]
expose_headers = ["X-Request-Id"]
max_age = 86400
"#;

const PUBLIC: &str = r#"
origins = ["*"]
methods = ["*"]
request_headers = ["*"]
expose_headers = ["*"]
max_age = 600
"#;

fn refusal_keys(p: &Policy, stack: Stack) -> Vec<&'static str> {
    match export(p, stack, &ExportOptions::default()) {
        Ok(_) => Vec::new(),
        Err(ExportError::Refused { refusals, .. }) => refusals.iter().map(|r| r.key).collect(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn stack_names_round_trip() {
    for stack in Stack::ALL {
        assert_eq!(stack.name().parse::<Stack>().unwrap(), stack);
        assert_eq!(stack.to_string(), stack.name());
    }
    assert_eq!("NGINX".parse::<Stack>().unwrap(), Stack::Nginx);
    let e = "iis".parse::<Stack>().unwrap_err();
    assert!(e.to_string().contains("unknown stack `iis`"), "{e}");
    assert!(Stack::Nginx.is_proxy() && Stack::Caddy.is_proxy() && !Stack::Django.is_proxy());
}

#[test]
fn options_validate_listen_and_upstream() {
    let o = ExportOptions::default();
    assert_eq!(o.listen_addr().to_string(), "127.0.0.1:8080");
    assert_eq!(o.upstream_url(), "http://127.0.0.1:3000");
    let o = ExportOptions::default()
        .listen("[::1]:9000")
        .unwrap()
        .upstream("https://api.internal:8443/")
        .unwrap();
    assert_eq!(o.listen_addr().to_string(), "[::1]:9000");
    assert_eq!(o.upstream_url(), "https://api.internal:8443");
    for bad in ["8080", "localhost:8080", "127.0.0.1"] {
        let e = ExportOptions::default().listen(bad).unwrap_err();
        assert!(matches!(e, ExportError::InvalidListen { .. }), "{bad}: {e}");
    }
    for bad in [
        "127.0.0.1:3000",
        "ftp://a.com",
        "http://a.com/api",
        "http://u:p@a.com",
        "http://a.com/?x=1",
    ] {
        let e = ExportOptions::default().upstream(bad).unwrap_err();
        assert!(
            matches!(e, ExportError::InvalidUpstream { .. }),
            "{bad}: {e}"
        );
        assert!(
            e.to_string()
                .contains("write it like http://127.0.0.1:3000"),
            "{e}"
        );
    }
}

#[test]
fn facts_are_the_engine_answers() {
    let p = policy(MYAPP);
    let f = Facts::new(&p).unwrap();
    assert!(!f.any_origin && f.credentials && !f.passthrough && !f.private_network);
    assert_eq!(f.allow_methods.as_deref(), Some("GET, POST, PUT, DELETE"));
    assert_eq!(
        f.allow_headers.as_deref(),
        Some("authorization, content-type")
    );
    assert_eq!(f.expose_headers.as_deref(), Some("x-request-id"));
    assert_eq!(f.max_age.as_deref(), Some("86400"));
    assert_eq!(f.vary.as_deref(), Some("Origin"));
    assert_eq!(
        f.preflight_vary.as_deref(),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    );
    assert_eq!((f.preflight_status, f.rejected_status), (204, 403));
    assert_eq!(
        f.accepted_methods(),
        ["GET", "POST", "PUT", "DELETE", "HEAD"]
    );
    assert_eq!(f.exact_origins(), ["https://myapp.com"]);
    assert_eq!(f.wildcard_patterns().len(), 2);
    assert!(f.not_covered_by_any.is_empty());

    let p = policy(PUBLIC);
    let f = Facts::new(&p).unwrap();
    assert!(f.any_origin && !f.credentials);
    assert!(f.methods.any && f.request_headers.any && f.expose.any);
    assert_eq!(f.not_covered_by_any, ["authorization"]);
    assert_eq!(f.vary, None);
    assert_eq!(
        f.preflight_vary.as_deref(),
        Some("Access-Control-Request-Method, Access-Control-Request-Headers")
    );

    let p = policy(
        r#"origins = ["*"]
request_headers = ["*", "Authorization"]
private_network = true
preflight_passthrough = true"#,
    );
    let f = Facts::new(&p).unwrap();
    assert!(f.not_covered_by_any.is_empty());
    assert_eq!(f.allow_headers.as_deref(), Some("*, authorization"));
    assert!(f.private_network && f.passthrough);
}

/// Whether the policy allows an actual request from `origin`.
fn engine_allows(p: &Policy, origin: &str) -> bool {
    let mut h = HeaderMap::new();
    h.insert("origin", HeaderValue::from_str(origin).unwrap());
    p.decide(&Method::GET, &h).is_allowed()
}

/// The origin expression, compiled by the `regex` crate (RE2 syntax, like
/// Caddy's), anchored as every stack anchors it.
fn compiled(p: &Policy) -> ::regex::Regex {
    let body = regex::origins(p.origin_patterns());
    ::regex::Regex::new(&format!("^{body}$")).unwrap()
}

#[test]
fn origin_expression_matches_what_the_engine_allows() {
    let p = policy(
        r#"origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*",
                      "https://*.dev.test:*", "https://api.example.org:8443", "http://[::1]:3000",
                      "http://127.0.0.1:*", "chrome-extension://abcdefghijklmnop"]"#,
    );
    let re = compiled(&p);
    let origins = [
        "https://myapp.com",
        "https://myapp.com.evil.net",
        "https://evilmyapp.com",
        "https://myappxcom",
        "http://myapp.com",
        "https://myapp.com:8443",
        "https://a.myapp.com",
        "https://app.example.com",
        "https://a.b.example.com",
        "https://a_b.example.com",
        "https://a-b.example.com",
        "https://example.com",
        "https://evilexample.com",
        "https://x.example.com.evil.net",
        "https://x.examplexcom",
        "https://x.example.com:444",
        "http://x.example.com",
        "http://localhost",
        "http://localhost:5173",
        "https://localhost:5173",
        "http://localhost.evil.net",
        "http://localhostx:1",
        "https://a.dev.test",
        "https://a.dev.test:9999",
        "https://dev.test:1",
        "https://api.example.org:8443",
        "https://api.example.org",
        "https://api.example.org:84430",
        "http://[::1]:3000",
        "http://[::1]",
        "http://127.0.0.1:8000",
        "http://127.0.0.1",
        "http://127.0.0.10:8000",
        "http://127a0a0a1:8000",
        "chrome-extension://abcdefghijklmnop",
        "chrome-extensionx//abcdefghijklmnop",
        "null",
    ];
    for origin in origins {
        assert_eq!(
            re.is_match(origin),
            engine_allows(&p, origin),
            "{origin}: expression {re}"
        );
    }
}

#[test]
fn subdomain_label_characters_agree_with_the_engine() {
    let p = policy(r#"origins = ["https://*.example.com"]"#);
    let re = compiled(&p);
    for b in 0x21u8..0x7f {
        let c = b as char;
        if matches!(c, '.' | '/' | ':' | '?' | '#' | '@' | '[' | ']' | '\\') {
            continue; // not part of a label: another URL component
        }
        let origin = format!("https://a{c}b.example.com");
        assert_eq!(re.is_match(&origin), engine_allows(&p, &origin), "{origin}");
    }
}

#[test]
fn nginx_has_no_add_header_inside_if_and_always_everywhere() {
    let p = policy(MYAPP);
    let out = export(&p, Stack::Nginx, &ExportOptions::default()).unwrap();
    assert!(out.contains("listen 127.0.0.1:8080;"), "{out}");
    assert!(out.contains("proxy_pass http://127.0.0.1:3000;"), "{out}");
    let mut in_if = false;
    for line in out.lines() {
        let t = line.trim();
        if t.starts_with("if (") {
            in_if = true;
        } else if in_if && t == "}" {
            in_if = false;
        }
        if t.starts_with("add_header") {
            assert!(!in_if, "add_header inside if: {line}");
            assert!(t.ends_with(" always;"), "add_header without always: {line}");
        }
    }
    assert!(out.contains("add_header Vary $corsica_vary always;"));
    assert!(out.contains(r#""~^(?:https://myapp\.com|https://(?:[a-z0-9_-]+\.)+example\.com|http://localhost(?::[0-9]+)?)$" $http_origin;"#), "{out}");
    assert!(out.contains("return 204;") && out.contains("return 403;"));

    let passthrough = policy("origins = [\"https://a.com\"]\npreflight_passthrough = true");
    let out = export(&passthrough, Stack::Nginx, &ExportOptions::default()).unwrap();
    assert!(!out.contains("return "), "{out}");
}

#[test]
fn nginx_refuses_a_dollar_in_a_header_value() {
    let p =
        policy("origins = [\"https://a$b.com\"]\nmethods = [\"X$Y\"]\nexpose_headers = [\"x-$a\"]");
    let e = export(&p, Stack::Nginx, &ExportOptions::default()).unwrap_err();
    let ExportError::Refused { refusals, .. } = &e else {
        panic!("{e}")
    };
    let keys: Vec<&str> = refusals.iter().map(|r| r.key).collect();
    assert_eq!(keys, ["methods", "expose_headers"], "{e}");
    assert!(e.to_string().contains("cannot escape it (`X$Y`)"), "{e}");
    assert_eq!(refusal_keys(&p, Stack::Caddy), Vec::<&str>::new());
}

#[test]
fn nothing_is_refused_by_nginx_caddy_or_axum() {
    for toml in [
        MYAPP,
        PUBLIC,
        "origins = [\"https://a.com\"]\nmax_age = 0\nprivate_network = true\npreflight_passthrough = true\nmethods = [\"patch\"]",
    ] {
        let p = policy(toml);
        for stack in [Stack::Nginx, Stack::Caddy, Stack::Axum] {
            assert_eq!(
                refusal_keys(&p, stack),
                Vec::<&str>::new(),
                "{stack}: {toml}"
            );
        }
    }
}

#[test]
fn each_library_stack_refuses_what_it_cannot_say() {
    let zero = policy("origins = [\"https://a.com\"]\nmax_age = 0");
    assert_eq!(refusal_keys(&zero, Stack::Django), ["max_age"]);
    assert_eq!(refusal_keys(&zero, Stack::Express), Vec::<&str>::new());

    let pna = policy("origins = [\"https://a.com\"]\nprivate_network = true");
    assert_eq!(refusal_keys(&pna, Stack::Express), ["private_network"]);
    assert_eq!(refusal_keys(&pna, Stack::Django), Vec::<&str>::new());

    let passthrough = policy(
        "origins = [\"https://a.com\"]\npreflight_passthrough = true\nmax_age = 5\nrequest_headers = [\"*\"]",
    );
    for stack in [
        Stack::Express,
        Stack::Django,
        Stack::Flask,
        Stack::Fastapi,
        Stack::Spring,
    ] {
        assert!(
            refusal_keys(&passthrough, stack).contains(&"preflight_passthrough"),
            "{stack}"
        );
    }

    let public = policy(PUBLIC);
    assert_eq!(refusal_keys(&public, Stack::Flask), ["methods"]);
    assert_eq!(refusal_keys(&public, Stack::Fastapi), ["methods"]);
    assert_eq!(refusal_keys(&public, Stack::Spring), ["request_headers"]);
    assert_eq!(refusal_keys(&public, Stack::Django), Vec::<&str>::new());

    let lower = policy("origins = [\"https://a.com\"]\nmethods = [\"patch\", \"PUT\"]");
    let e = export(&lower, Stack::Flask, &ExportOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("`methods`: flask-cors uppercases"),
        "{e}"
    );
    assert!(
        e.to_string().contains(": patch would not be allowed"),
        "{e}"
    );

    let myapp = policy(MYAPP);
    let e = export(&myapp, Stack::Fastapi, &ExportOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fastapi cannot express this policy exactly: `request_headers`: Starlette's \
         CORSMiddleware always allows Accept, Accept-Language, Content-Language and Content-Type \
         (browsers then cache them as allowed); add accept, accept-language, content-language to \
         request_headers, or use another stack"
    );
    let no_max_age = policy("origins = [\"https://a.com\"]\nrequest_headers = [\"*\"]");
    assert_eq!(refusal_keys(&no_max_age, Stack::Fastapi), ["max_age"]);

    let status = policy("origins = [\"https://a.com\"]\nrejected_preflight_status = 200");
    assert_eq!(
        refusal_keys(&status, Stack::Spring),
        ["rejected_preflight_status"]
    );
}

#[test]
fn axum_output_holds_the_policy_exactly() {
    for toml in [
        MYAPP,
        PUBLIC,
        "origins = [\"https://a.com\"]\nexpose_headers = [\"x-#\"]",
    ] {
        let p = policy(toml);
        let out = export(&p, Stack::Axum, &ExportOptions::default()).unwrap();
        assert!(out.contains("PROVISIONAL"), "{out}");
        let marker = "pub const POLICY_TOML: &str = r";
        let rest = &out[out.find(marker).unwrap() + marker.len()..];
        let open = rest.find('"').unwrap();
        let hashes = &rest[..open];
        let end = format!("\"{hashes};");
        let body = &rest[open + 1..rest.find(&end).unwrap()];
        let back = corsica::PolicyConfig::from_toml_str(body).unwrap();
        assert_eq!(&back, p.config(), "{out}");
    }
}

#[test]
fn every_stack_writes_the_example_policies() {
    for toml in [MYAPP, PUBLIC] {
        let p = policy(toml);
        for stack in Stack::ALL {
            match export(&p, stack, &ExportOptions::default()) {
                Ok(out) => {
                    assert!(
                        out.contains(&format!("`corsica export --to {stack}`")),
                        "{out}"
                    );
                    assert!(!out.contains("{{"), "{stack}: {out}");
                }
                Err(ExportError::Refused { .. }) => {}
                Err(e) => panic!("{stack}: {e}"),
            }
        }
    }
}
