//! Construction returns every validation error; nothing panics. tower-http's
//! `CorsLayer` panics on the same mistakes.

use std::panic::{AssertUnwindSafe, catch_unwind};

use corsica::policy::PolicyConfig;
use corsica_tower::{BuildError, CorsLayer};

const BROKEN: &str = r#"
origins = ["*", "https://myapp.com/", "http://myapp.com", "https://*.github.io"]
credentials = true
methods = ["GET", "TRACE"]
max_age = 1000000
"#;

fn codes(e: &BuildError) -> Vec<&'static str> {
    e.errors().iter().map(|e| e.code()).collect()
}

#[test]
fn every_error_is_returned_from_toml_config_file_and_env() {
    let expected = [
        "credentialed-wildcard-origin",
        "origin-with-path",
        "insecure-credentialed-origin",
        "public-suffix-wildcard",
        "forbidden-method",
        "max-age-out-of-range",
    ];
    let e = CorsLayer::from_toml_str(BROKEN).unwrap_err();
    assert_eq!(codes(&e), expected);
    assert!(
        e.to_string()
            .starts_with("policy: invalid CORS policy (6 errors):"),
        "{e}"
    );

    let config = PolicyConfig::from_toml_str(BROKEN).unwrap();
    assert_eq!(
        codes(&CorsLayer::from_config(&config).unwrap_err()),
        expected
    );

    let dir = std::env::temp_dir().join(format!("corsica-tower-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.toml");
    std::fs::write(&file, BROKEN).unwrap();
    let e = CorsLayer::from_file(&file).unwrap_err();
    assert_eq!(codes(&e), expected);
    assert!(e.to_string().contains("broken.toml"), "{e}");

    let var = "CORSICA_TOWER_TEST_BROKEN_POLICY";
    set_env(var, BROKEN);
    let e = CorsLayer::from_env(var).unwrap_err();
    assert_eq!(codes(&e), expected);
    assert!(
        e.to_string()
            .starts_with(&format!("environment variable `{var}`")),
        "{e}"
    );

    // TOML errors and unknown keys, all at once, with positions.
    let e =
        CorsLayer::from_toml_str("origins = [\"https://a.com\"]\ncredential = true\nmax_ag = 5\n")
            .unwrap_err();
    assert_eq!(codes(&e), ["unknown-key", "unknown-key"]);
    assert!(e.to_string().contains("did you mean `credentials`?"), "{e}");

    // Reading problems are errors too.
    assert!(matches!(
        CorsLayer::from_file(dir.join("missing.toml")).unwrap_err(),
        BuildError::Read { .. }
    ));
    assert!(matches!(
        CorsLayer::from_env("CORSICA_TOWER_TEST_UNSET_VARIABLE").unwrap_err(),
        BuildError::EnvNotSet { .. }
    ));

    // A path that is not a policy file but an endless stream is an error
    // (the read stops one byte past the engine's limit), not a hang.
    // (Its zero bytes are UTF-8: the engine sees the text and refuses it.)
    let e = CorsLayer::from_file("/dev/zero").unwrap_err();
    assert_eq!(codes(&e), ["policy-too-large"], "{e}");

    // A good policy from each source.
    std::fs::write(&file, r#"origins = ["https://a.com"]"#).unwrap();
    let _ = CorsLayer::from_file(&file).unwrap();
    set_env(var, r#"origins = ["https://a.com"]"#);
    let _ = CorsLayer::from_env(var).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `std::env::set_var` is `unsafe` in edition 2024: another thread reading
/// the environment at the same time is undefined behaviour.
fn set_env(name: &str, value: &str) {
    // SAFETY: only this test touches the environment, and nothing in the
    // other tests of this binary reads it (nextest runs each test in its own
    // process anyway).
    unsafe { std::env::set_var(name, value) }
}

#[test]
fn reload_refuses_an_invalid_policy_and_keeps_the_old_one() {
    let layer = CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    let handle = layer.handle();
    let e = handle.replace_with_toml_str(BROKEN).unwrap_err();
    assert_eq!(e.errors().len(), 6);
    assert_eq!(handle.policy().config().origins, ["https://a.com"]);
}

/// Each service keeps a cached copy of the policy (`arc_swap::Cache`): a
/// replacement must still decide the very next call of every service made
/// before it, clones included.
#[tokio::test]
async fn a_replacement_decides_the_next_call_of_services_made_before_it() {
    use tower::{Service, ServiceExt};
    use tower_layer::Layer;

    async fn acao<S>(service: &mut S, origin: &str) -> Option<String>
    where
        S: Service<http::Request<()>, Response = http::Response<()>>,
        S::Error: std::fmt::Debug,
    {
        let request = http::Request::get("/")
            .header("origin", origin)
            .body(())
            .unwrap();
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned())
    }

    let layer = CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    let mut service = layer.layer(tower::service_fn(|_: http::Request<()>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(()))
    }));
    let mut clone = service.clone();
    assert_eq!(
        acao(&mut service, "https://a.com").await.as_deref(),
        Some("https://a.com")
    );
    assert_eq!(acao(&mut service, "https://b.com").await, None);

    layer
        .handle()
        .replace_with_toml_str(r#"origins = ["https://b.com"]"#)
        .unwrap();
    for s in [&mut service, &mut clone] {
        assert_eq!(acao(s, "https://a.com").await, None);
        assert_eq!(
            acao(s, "https://b.com").await.as_deref(),
            Some("https://b.com")
        );
    }
    // And back: every replacement is seen, not only the first.
    layer
        .handle()
        .replace_with_toml_str(r#"origins = ["https://a.com"]"#)
        .unwrap();
    assert_eq!(
        acao(&mut clone, "https://a.com").await.as_deref(),
        Some("https://a.com")
    );
    assert_eq!(acao(&mut clone.clone(), "https://b.com").await, None);
}

#[test]
fn tower_http_panics_where_corsica_returns_errors() {
    use tower_http::cors::{Any, CorsLayer as TowerCors};
    use tower_layer::Layer;

    // credentials with any origin: corsica says why ...
    let e = CorsLayer::from_config(&PolicyConfig::default().origins(["*"]).credentials(true))
        .unwrap_err();
    assert_eq!(codes(&e), ["credentialed-wildcard-origin"]);
    // ... tower-http panics when the layer is applied.
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        TowerCors::new()
            .allow_credentials(true)
            .allow_origin(Any)
            .layer(tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(http::Response::new(()))
            }))
    }));
    assert!(
        panicked.is_err(),
        "tower-http accepted credentials with Any"
    );

    // `*` in a list: tower-http panics building the list (#285).
    let panicked =
        catch_unwind(|| tower_http::cors::AllowOrigin::list([http::HeaderValue::from_static("*")]));
    assert!(panicked.is_err());

    // A trailing slash: tower-http accepts it silently (it never matches);
    // corsica names the fix.
    let _silent = TowerCors::new().allow_origin([http::HeaderValue::from_static("https://a.com/")]);
    let e =
        CorsLayer::from_config(&PolicyConfig::default().origins(["https://a.com/"])).unwrap_err();
    assert_eq!(codes(&e), ["origin-with-path"]);
    assert!(e.to_string().contains("write `https://a.com`"), "{e}");
}
