//! `examples/export/` holds what `corsica export examples/policies/export.toml
//! --to STACK` writes for each stack (the README shows them): this test
//! keeps them exactly that. Set CORSICA_UPDATE_EXAMPLES=1 to rewrite them.

use std::fs;
use std::path::Path;

use corsica::Policy;
use corsica_doctor::export::{ExportOptions, Stack, export};

/// The file each stack's example is saved as.
fn file_name(stack: Stack) -> &'static str {
    match stack {
        Stack::Nginx => "nginx.conf",
        Stack::Caddy => "Caddyfile",
        Stack::Express => "cors-policy.js",
        Stack::Django => "django/cors_policy.py",
        Stack::Flask => "flask/cors_policy.py",
        Stack::Fastapi => "fastapi/cors_policy.py",
        Stack::Axum => "cors.rs",
        Stack::Spring => "CorsPolicyConfig.java",
        _ => unreachable!("a new stack needs an example file name"),
    }
}

#[test]
fn examples_are_what_export_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let toml = fs::read_to_string(root.join("examples/policies/export.toml")).unwrap();
    let policy = Policy::from_toml_str(&toml).unwrap();
    let update = std::env::var_os("CORSICA_UPDATE_EXAMPLES").is_some();
    let mut stale = Vec::new();
    for stack in Stack::ALL {
        let text = export(&policy, stack, &ExportOptions::default()).unwrap();
        let path = root.join("examples/export").join(file_name(stack));
        if update {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &text).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale examples (rewrite them with CORSICA_UPDATE_EXAMPLES=1 cargo test -p corsica-doctor --test examples): {stale:?}"
    );
}
