//! Runs the real `corsica` binary on policy files in a temporary directory
//! and checks exit codes, text and JSON output.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A fresh directory under cargo's per-target temporary directory, removed
/// when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cli-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
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

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/policies")
        .join(name)
}

/// Runs `corsica` with `args` in `dir`, without colour from the environment.
fn corsica(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("corsica was killed by a signal")
}

/// Parses every line of stdout as JSON.
fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The keys of a JSON object, sorted (serde_json's map does not keep the
/// order; the tests that care about the order look at the raw line).
fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// The value of header `name` in a `[[name, value], …]` JSON list.
fn header<'a>(step: &'a Value, name: &str) -> Option<&'a str> {
    step["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == name)
        .map(|pair| pair[1].as_str().unwrap())
}

const MYAPP: &str = r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type"]
expose_headers = ["X-Request-Id"]
max_age = 86400
"#;

// ---------------------------------------------------------------- check

#[test]
fn check_valid_examples_exit_0() {
    let dir = TempDir::new("valid");
    for name in ["myapp.toml", "public-api.toml"] {
        let path = example(name);
        let out = corsica(&dir.0, &["policy", "check", path.to_str().unwrap()]);
        assert_eq!(code(&out), 0, "{name}: {}{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains(": valid"), "{name}: {}", stdout(&out));
        assert!(!stdout(&out).contains("error["), "{name}: {}", stdout(&out));
    }
}

#[test]
fn check_broken_example_prints_every_mistake() {
    let dir = TempDir::new("broken");
    let path = example("broken.toml");
    let out = corsica(&dir.0, &["policy", "check", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for code in [
        "credentialed-wildcard-origin",
        "origin-with-path",
        "insecure-credentialed-origin",
        "public-suffix-wildcard",
        "forbidden-method",
        "max-age-out-of-range",
    ] {
        assert!(
            text.contains(&format!("error[{code}]")),
            "{code} missing:\n{text}"
        );
    }
    assert!(text.contains("invalid: 6 errors"), "{text}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// One invalid policy per mistake: (policy, error code, field).
const INVALID: &[(&str, &str, &str)] = &[
    (
        "origins = [\"*\"]\ncredentials = true\n",
        "credentialed-wildcard-origin",
        "origins",
    ),
    (
        "origins = [\"https://myapp.com/\"]\n",
        "origin-with-path",
        "origins",
    ),
    (
        "origins = [\"http://myapp.com\"]\ncredentials = true\n",
        "insecure-credentialed-origin",
        "origins",
    ),
    (
        "origins = [\"https://*.github.io\"]\ncredentials = true\n",
        "public-suffix-wildcard",
        "origins",
    ),
    ("origins = [\"null\"]\n", "null-origin", "origins"),
    ("origins = []\n", "no-origins", "origins"),
    (
        "origins = [\"https://MyApp.com\"]\n",
        "uppercase-origin",
        "origins",
    ),
    (
        "origins = [\"https://a.com\"]\nmethods = [\"GET\", \"TRACE\"]\n",
        "forbidden-method",
        "methods",
    ),
    (
        "origins = [\"https://a.com\"]\nmax_age = 1000000\n",
        "max-age-out-of-range",
        "max_age",
    ),
    (
        "origins = [\"https://a.com\"]\norigns = []\n",
        "unknown-key",
        "",
    ),
    ("origins = [\"https://a.com\"\n", "invalid-toml", ""),
    (
        "origins = [\"https://a.com\"]\ncredentials = \"yes\"\n",
        "wrong-type",
        "credentials",
    ),
];

#[test]
fn check_each_invalid_policy_exits_1_and_names_the_error() {
    let dir = TempDir::new("invalid");
    for (i, (policy, want_code, want_field)) in INVALID.iter().enumerate() {
        let file = format!("p{i}.toml");
        dir.write(&file, policy);

        let out = corsica(&dir.0, &["policy", "check", &file]);
        let text = stdout(&out);
        assert_eq!(code(&out), 1, "{policy}\n{text}{}", stderr(&out));
        assert!(
            text.contains(&format!("error[{want_code}]: ")),
            "{policy}\n{text}"
        );
        let arrow = if want_field.is_empty() {
            format!("--> {file}\n")
        } else {
            format!("--> {file}: {want_field}\n")
        };
        assert!(text.contains(&arrow), "{policy}\n{text}");
        assert!(
            text.contains(&format!("{file}: invalid")),
            "{policy}\n{text}"
        );

        let out = corsica(&dir.0, &["policy", "check", "--json", &file]);
        assert_eq!(code(&out), 1, "{policy}");
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1, "{policy}");
        let v = &lines[0];
        assert_eq!(keys(v), ["errors", "valid", "warnings"]);
        assert!(
            stdout(&out)
                .starts_with("{\"valid\":false,\"errors\":[{\"severity\":\"error\",\"code\":")
        );
        assert_eq!(v["valid"], false);
        assert!(v["warnings"].is_array());
        let errors = v["errors"].as_array().unwrap();
        let e = errors
            .iter()
            .find(|e| e["code"] == *want_code)
            .unwrap_or_else(|| panic!("{want_code} not in {v}"));
        assert_eq!(keys(e), ["code", "field", "message", "severity"]);
        assert_eq!(e["severity"], "error");
        assert_eq!(e["field"], *want_field);
        let message = e["message"].as_str().unwrap();
        assert!(!message.is_empty() && !message.ends_with('.'), "{message}");
    }
}

#[test]
fn check_json_of_a_valid_policy() {
    let dir = TempDir::new("json-valid");
    dir.write("p.toml", MYAPP);
    let out = corsica(&dir.0, &["policy", "check", "--json", "p.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0],
        serde_json::json!({"valid": true, "errors": [], "warnings": []})
    );
}

#[test]
fn check_prints_warnings_and_exits_0() {
    let dir = TempDir::new("warnings");
    dir.write(
        "p.toml",
        "origins = [\"https://a.com\"]\nprivate_network = true\n",
    );
    let out = corsica(&dir.0, &["policy", "check", "p.toml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("warning[legacy-private-network-access]: "),
        "{text}"
    );
    assert!(text.contains("--> p.toml: private_network"), "{text}");
    assert!(text.contains("p.toml: valid, 1 warning"), "{text}");

    let out = corsica(&dir.0, &["policy", "check", "p.toml", "--json"]);
    assert_eq!(code(&out), 0);
    let v = &json_lines(&out)[0];
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["warnings"][0]["code"], "legacy-private-network-access");
    assert_eq!(v["warnings"][0]["field"], "private_network");
}

#[test]
fn check_reads_stdin() {
    let dir = TempDir::new("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(["policy", "check", "-"])
        .current_dir(&dir.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"origins = [\"*\"]\ncredentials = true\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("--> <stdin>: origins"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn missing_file_is_an_error_that_says_what_to_do() {
    let dir = TempDir::new("missing");
    let out = corsica(&dir.0, &["policy", "check", "policy.toml"]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("corsica: cannot read policy.toml: "),
        "{err}"
    );
    assert!(
        err.contains("(check the path, or create the file)"),
        "{err}"
    );

    let out = corsica(
        &dir.0,
        &[
            "policy",
            "explain",
            "policy.toml",
            "--origin",
            "https://a.com",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("corsica: cannot read policy.toml: "));
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new("usage");
    dir.write("p.toml", MYAPP);
    for (args, want) in [
        (&["policy", "check"][..], "FILE"),
        (&["policy", "explain", "p.toml"][..], "--origin"),
        (
            &[
                "policy",
                "explain",
                "p.toml",
                "--origin",
                "https://myapp.com/",
            ][..],
            "corsica: --origin: origin `",
        ),
        (
            &["policy", "explain", "p.toml", "--origin", "myapp.com"][..],
            "corsica: --origin: origin `",
        ),
        (
            &[
                "policy",
                "explain",
                "p.toml",
                "--origin",
                "https://myapp.com",
                "-X",
                "TRACE",
            ][..],
            "browsers refuse to send this method",
        ),
        (
            &[
                "policy",
                "explain",
                "p.toml",
                "--origin",
                "https://myapp.com",
                "-X",
                "GE T",
            ][..],
            "is not an HTTP method",
        ),
        (
            &[
                "policy",
                "explain",
                "p.toml",
                "--origin",
                "https://myapp.com",
                "-H",
                "x y: 1",
            ][..],
            "is not a header name",
        ),
        (&["policy", "frobnicate"][..], "frobnicate"),
    ] {
        let out = corsica(&dir.0, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
}

// ---------------------------------------------------------------- explain

fn explain(dir: &TempDir, extra: &[&str]) -> Output {
    dir.write("p.toml", MYAPP);
    let mut args = vec!["policy", "explain", "p.toml"];
    args.extend_from_slice(extra);
    corsica(&dir.0, &args)
}

/// The verdict line of `explain --json` (the last line).
fn verdict(lines: &[Value]) -> &Value {
    let v = lines.last().expect("a verdict line");
    assert_eq!(v["step"], "verdict", "{v}");
    v
}

#[test]
fn explain_allowed_preflight() {
    let dir = TempDir::new("pf-ok");
    let flags = [
        "--origin",
        "https://myapp.com",
        "--method",
        "PUT",
        "--header",
        "Content-Type: application/json",
        "--header",
        "authorization",
        "--preflight",
    ];
    let mut with_json = flags.to_vec();
    with_json.push("--json");
    let out = explain(&dir, &with_json);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "--preflight explains only the preflight");
    let step = &lines[0];
    assert_eq!(
        keys(step),
        [
            "code",
            "headers",
            "method",
            "passed_on",
            "reason",
            "request",
            "status",
            "step",
            "url"
        ]
    );
    assert_eq!(step["step"], "preflight");
    assert_eq!(step["method"], "OPTIONS");
    assert_eq!(step["url"], "https://api.invalid/");
    assert_eq!(step["status"], 204);
    assert_eq!(step["passed_on"], false);
    assert_eq!(step["reason"], Value::Null);
    assert_eq!(step["code"], Value::Null);
    assert_eq!(
        header(step, "access-control-allow-origin"),
        Some("https://myapp.com")
    );
    assert_eq!(
        header(step, "access-control-allow-credentials"),
        Some("true")
    );
    let methods = header(step, "access-control-allow-methods").unwrap();
    assert!(methods.contains("PUT"), "{methods}");
    let allowed = header(step, "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert_eq!(header(step, "access-control-max-age"), Some("86400"));
    // What the browser sent, from the engine's driver, in wire order.
    let sent: Vec<(&str, &str)> = step["request"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect();
    assert_eq!(
        sent,
        [
            ("Access-Control-Request-Method", "PUT"),
            // Fetch: the names are lowercased, sorted and joined by ",".
            (
                "Access-Control-Request-Headers",
                "authorization,content-type"
            ),
            ("Origin", "https://myapp.com"),
        ]
    );

    let out = explain(&dir, &flags);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("> OPTIONS https://api.invalid/ (preflight)\n"),
        "{text}"
    );
    assert!(
        text.contains("> Access-Control-Request-Method: PUT\n"),
        "{text}"
    );
    assert!(
        text.contains("> Access-Control-Request-Headers: authorization,content-type\n"),
        "{text}"
    );
    assert!(
        text.contains("HTTP/1.1 204 No Content (answered by corsica)\n"),
        "{text}"
    );
    assert!(
        text.contains("access-control-allow-origin: https://myapp.com\n"),
        "{text}"
    );
    assert!(text.contains("preflight passed:"), "{text}");
    assert!(!text.contains("policy rejects:"), "{text}");
    assert!(!text.contains("(request)"), "{text}");
}

#[test]
fn explain_rejected_preflight() {
    let dir = TempDir::new("pf-no");
    for (origin, method, header_flag) in [
        ("https://evil.com", "PUT", "content-type: application/json"),
        (
            "https://myapp.com",
            "PATCH",
            "content-type: application/json",
        ),
        ("https://myapp.com", "PUT", "x-secret"),
        // The apex is not a subdomain of itself.
        (
            "https://example.com",
            "PUT",
            "content-type: application/json",
        ),
    ] {
        let flags = [
            "--origin",
            origin,
            "-X",
            method,
            "-H",
            header_flag,
            "--preflight",
        ];
        let mut with_json = flags.to_vec();
        with_json.push("--json");
        let out = explain(&dir, &with_json);
        assert_eq!(code(&out), 1, "{flags:?}: {}{}", stdout(&out), stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 2, "the preflight, then the verdict");
        let step = &lines[0];
        assert_eq!(step["step"], "preflight");
        assert!(
            step["status"].is_u64(),
            "a preflight is answered here: {step}"
        );
        let reason = step["reason"].as_str().expect("a reason");
        let code_ = step["code"].as_str().expect("a code");
        assert_eq!(header(step, "access-control-allow-origin"), None, "{step}");
        let v = verdict(&lines);
        assert_eq!(v["outcome"], "blocked");
        assert_eq!(v["error"], "PreflightMissingAllowOriginHeader", "{v}");
        assert!(v["message"].as_str().unwrap().starts_with(&format!(
            "Access to fetch at 'https://api.invalid/' from origin '{origin}' has been blocked by CORS policy"
        )));
        assert_eq!(v["policy_rejection"]["code"], code_);

        let out = explain(&dir, &flags);
        assert_eq!(code(&out), 1);
        let text = stdout(&out);
        assert!(
            text.contains(&format!("policy rejects: {reason} [{code_}]")),
            "{text}"
        );
        assert!(
            text.contains("blocked: PreflightMissingAllowOriginHeader\n"),
            "{text}"
        );
        // The fix is the policy's rule, not the header the browser missed.
        assert!(text.contains(&format!("fix: {reason}")), "{text}");
    }
}

#[test]
fn explain_allowed_actual_request_needs_no_preflight() {
    let dir = TempDir::new("actual-ok");
    for (origin, url) in [
        ("https://myapp.com", "https://api.invalid/"),
        ("https://app.example.com", "https://api.invalid/"),
        ("http://localhost:5173", "http://api.invalid/"),
    ] {
        let out = explain(
            &dir,
            &[
                "--origin",
                origin,
                "-H",
                "accept: application/json",
                "--json",
            ],
        );
        assert_eq!(code(&out), 0, "{origin}: {}{}", stdout(&out), stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(
            lines.len(),
            2,
            "a GET with safelisted headers is not preflighted"
        );
        let step = &lines[0];
        assert_eq!(step["step"], "actual");
        assert_eq!(step["url"], url);
        assert_eq!(step["status"], 200, "the application's answer");
        assert_eq!(step["passed_on"], true);
        assert_eq!(step["reason"], Value::Null);
        assert_eq!(header(step, "access-control-allow-origin"), Some(origin));
        assert_eq!(
            header(step, "access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(
            header(step, "access-control-expose-headers"),
            Some("x-request-id")
        );
        let v = verdict(&lines);
        assert_eq!(v["outcome"], "ok");
        assert_eq!(v["status"], 200);
        assert_eq!(v["error"], Value::Null);
    }

    let out = explain(&dir, &["--origin", "https://myapp.com"]);
    let text = stdout(&out);
    assert!(
        text.starts_with("> GET https://api.invalid/ (request)\n> Origin: https://myapp.com\n"),
        "{text}"
    );
    assert!(
        text.contains("HTTP/1.1 200 OK (your application's answer, with corsica's headers)\n"),
        "{text}"
    );
    assert!(
        text.contains("allowed: the script reads the response"),
        "{text}"
    );
}

#[test]
fn explain_disallowed_actual_request() {
    let dir = TempDir::new("actual-no");
    let out = explain(&dir, &["--origin", "https://evil.com", "--json"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    let step = &lines[0];
    assert_eq!(step["step"], "actual");
    assert_eq!(header(step, "access-control-allow-origin"), None, "{step}");
    assert!(step["reason"].as_str().is_some(), "{step}");
    assert!(step["code"].as_str().is_some(), "{step}");
    let v = verdict(&lines);
    assert_eq!(v["error"], "MissingAllowOriginHeader");
    assert!(
        v["cause"].is_string() && v["fix"]["summary"].is_string(),
        "{v}"
    );

    let out = explain(&dir, &["--origin", "https://evil.com"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("policy rejects: "), "{text}");
    assert!(
        text.contains("console: Access to fetch at 'https://api.invalid/' from origin 'https://evil.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        "{text}"
    );
}

#[test]
fn explain_shows_the_preflight_then_the_request() {
    let dir = TempDir::new("both");
    let out = explain(
        &dir,
        &[
            "--origin",
            "https://myapp.com",
            "-X",
            "delete",
            "-H",
            "Authorization: Bearer x",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{}", stdout(&out));
    assert_eq!(lines[0]["step"], "preflight");
    assert_eq!(lines[0]["status"], 204);
    assert_eq!(lines[1]["step"], "actual");
    // Fetch: "delete" is normalized to DELETE.
    assert_eq!(lines[1]["method"], "DELETE");
    assert_eq!(lines[1]["status"], 200);
    assert_eq!(
        header(&lines[1], "access-control-allow-origin"),
        Some("https://myapp.com")
    );
    assert_eq!(verdict(&lines)["outcome"], "ok");

    let out = explain(
        &dir,
        &[
            "--origin",
            "https://myapp.com",
            "-X",
            "delete",
            "-H",
            "Authorization: Bearer x",
        ],
    );
    let text = stdout(&out);
    let preflight = text
        .find("> OPTIONS https://api.invalid/ (preflight)")
        .expect(&text);
    let request = text
        .find("> DELETE https://api.invalid/ (request)")
        .expect(&text);
    assert!(preflight < request, "{text}");
    assert!(
        text.contains("> Access-Control-Request-Method: DELETE\n"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("> authorization: bearer x\n"),
        "{text}"
    );
}

#[test]
fn explain_stops_after_a_rejected_preflight() {
    let dir = TempDir::new("stop");
    let out = explain(
        &dir,
        &["--origin", "https://myapp.com", "-X", "PATCH", "--json"],
    );
    assert_eq!(code(&out), 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0]["step"], "preflight");
    assert!(lines[0]["reason"].is_string());
    assert_eq!(verdict(&lines)["outcome"], "blocked");

    let out = explain(&dir, &["--origin", "https://myapp.com", "-X", "PATCH"]);
    let text = stdout(&out);
    assert!(
        text.contains("blocked: PreflightMissingAllowOriginHeader"),
        "{text}"
    );
    assert!(!text.contains("(request)"), "{text}");
}

/// Issue 7: Fetch compares the Range header's unit case-sensitively
/// (`bytes=`), so `BYTES=0-1` is not safelisted and both browsers send a
/// preflight; `explain` asks the engine's driver, so it does too.
#[test]
fn explain_preflights_an_uppercase_range_unit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for browser in ["chrome", "firefox"] {
        let out = corsica(
            &root,
            &[
                "policy",
                "explain",
                "examples/policies/myapp.toml",
                "--origin",
                "https://myapp.com",
                "--method",
                "GET",
                "--header",
                "Range: BYTES=0-1",
                "--browser",
                browser,
                "--json",
            ],
        );
        let lines = json_lines(&out);
        assert_eq!(lines[0]["step"], "preflight", "{browser}: {}", stdout(&out));
        assert_eq!(
            lines[0]["request"][1],
            serde_json::json!(["Access-Control-Request-Headers", "range"]),
            "{browser}"
        );
        // `range` is not in the policy's request_headers: refused.
        assert_eq!(code(&out), 1, "{browser}");
        assert_eq!(verdict(&lines)["outcome"], "blocked");

        // The lowercase unit is safelisted: no preflight.
        let out = corsica(
            &root,
            &[
                "policy",
                "explain",
                "examples/policies/myapp.toml",
                "--origin",
                "https://myapp.com",
                "--header",
                "Range: bytes=0-1",
                "--browser",
                browser,
                "--json",
            ],
        );
        assert_eq!(json_lines(&out)[0]["step"], "actual", "{browser}");
        assert_eq!(code(&out), 0, "{browser}");
    }
}

/// Issue 7: `explain` and `simulate` are one engine. The same request
/// against the same policy (inline in a case) ends the same way in both:
/// outcome, status, readable headers, error and console message.
#[test]
fn explain_agrees_with_simulate_on_a_policy_case() {
    let dir = TempDir::new("explain-simulate");
    let policy = serde_json::json!({
        "origins": ["http://app.test:8001"],
        "credentials": true,
        "methods": ["GET", "PUT"],
        "request_headers": ["content-type"],
        "expose_headers": ["x-request-id"],
        "dangerously_allow_insecure_origins": true,
    });
    dir.write(
        "p.toml",
        "origins = [\"http://app.test:8001\"]\ncredentials = true\nmethods = [\"GET\", \"PUT\"]\n\
         request_headers = [\"content-type\"]\nexpose_headers = [\"x-request-id\"]\n\
         dangerously_allow_insecure_origins = true\n",
    );
    let url = "http://api.test:8002/data";
    let mut compared = 0;
    for browser in ["chrome", "firefox"] {
        for origin in ["http://app.test:8001", "http://evil.test:8001"] {
            for credentials in [false, true] {
                for (method, headers) in [
                    ("GET", vec![]),
                    ("PUT", vec![("Content-Type", "application/json")]),
                    ("PUT", vec![("X-Other", "1")]),
                ] {
                    let case = serde_json::json!({
                        "id": "c",
                        "origin": origin,
                        "server": {url: {"policy": policy}},
                        "requests": [{
                            "url": url,
                            "method": method,
                            "headers": headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
                            "credentials": if credentials { "include" } else { "same-origin" },
                        }],
                    });
                    dir.write("case.jsonl", &format!("{case}\n"));
                    let sim = corsica(&dir.0, &["simulate", "--browser", browser, "case.jsonl"]);
                    assert_eq!(code(&sim), 0, "{}", stderr(&sim));
                    let sim = &json_lines(&sim)[0];

                    let mut args = vec![
                        "policy",
                        "explain",
                        "p.toml",
                        "--origin",
                        origin,
                        "--url",
                        url,
                        "-X",
                        method,
                        "--browser",
                        browser,
                        "--json",
                    ];
                    let flags: Vec<String> =
                        headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
                    for f in &flags {
                        args.extend(["-H", f.as_str()]);
                    }
                    if credentials {
                        args.push("--credentials");
                    }
                    let out = corsica(&dir.0, &args);
                    let lines = json_lines(&out);
                    let v = verdict(&lines);
                    let what = format!(
                        "{browser} {origin} credentials={credentials} {method} {headers:?}"
                    );
                    for field in ["outcome", "status", "exposed", "error", "message"] {
                        assert_eq!(v[field], sim[field], "{what}: {field}");
                    }
                    assert_eq!(sim["preflight"], lines[0]["step"] == "preflight", "{what}");
                    assert_eq!(
                        code(&out),
                        if v["outcome"] == "ok" { 0 } else { 1 },
                        "{what}"
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 24);
}

#[test]
fn explain_leaves_out_forbidden_headers() {
    let dir = TempDir::new("forbidden");
    let out = explain(
        &dir,
        &["--origin", "https://myapp.com", "-H", "cookie: a=b"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("browsers do not let a script set `cookie`"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("cookie"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("(preflight)"), "{}", stdout(&out));
}

#[test]
fn explain_with_an_invalid_policy_exits_1() {
    let dir = TempDir::new("explain-invalid");
    dir.write("bad.toml", "origins = [\"*\"]\ncredentials = true\n");
    let out = corsica(
        &dir.0,
        &["policy", "explain", "bad.toml", "--origin", "https://a.com"],
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("corsica: bad.toml is invalid (1 error)"),
        "{err}"
    );
    assert!(err.contains("error[credentialed-wildcard-origin]"), "{err}");
    assert!(err.contains("corsica policy check bad.toml"), "{err}");
}

// ---------------------------------------------------------------- colour

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let dir = TempDir::new("colour");
    let path = example("broken.toml");
    let file = path.to_str().unwrap();

    // Not a terminal: no colour.
    let out = corsica(&dir.0, &["policy", "check", file]);
    assert!(!stdout(&out).contains('\x1b'));

    let out = corsica(&dir.0, &["policy", "check", file, "--color", "always"]);
    assert!(stdout(&out).contains('\x1b'), "{}", stdout(&out));

    let out = corsica(&dir.0, &["--color", "never", "policy", "check", file]);
    assert!(!stdout(&out).contains('\x1b'));

    let out = Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(["policy", "check", file, "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains('\x1b'), "{}", stdout(&out));
    assert_eq!(code(&out), 1);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    // Enough errors to overflow any pipe buffer (64 KiB on Linux), so the
    // writes after the reader is gone fail with EPIPE.
    let dir = TempDir::new("pipe");
    let origins: Vec<String> = (0..3000)
        .map(|i| format!("\"https://site{i}.example/\""))
        .collect();
    dir.write("p.toml", &format!("origins = [{}]\n", origins.join(", ")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(["policy", "check", "p.toml"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

// ---------------------------------------------------------------- README

/// Splits a command line the way a shell would for the README's commands:
/// whitespace separates words, single quotes group.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// Every `console` block of the README that runs `corsica` shows exactly
/// what the binary prints today.
#[test]
fn readme_outputs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = 0;
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```console\n") {
        let block = &rest[start + "```console\n".len()..];
        let end = block.find("```\n").expect("unclosed console block");
        rest = &block[end..];
        let block = &block[..end];
        let Some(command) = block.strip_prefix("$ corsica ") else {
            continue;
        };
        // Join `\` continuation lines into the command.
        let mut lines = command.lines();
        let mut command_line = String::new();
        for line in lines.by_ref() {
            match line.strip_suffix('\\') {
                Some(part) => command_line.push_str(part),
                None => {
                    command_line.push_str(line);
                    break;
                }
            }
        }
        let want: String = lines.map(|l| format!("{l}\n")).collect();
        let args = shell_words(&command_line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = corsica(&root, &args);
        assert_eq!(
            stdout(&out),
            want,
            "README block for `corsica {command_line}`"
        );
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} README blocks found");
}

// ---------------------------------------------------------------- simulate

#[test]
fn simulate_answers_every_request_of_every_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for browser in ["chrome", "firefox", "spec"] {
        let out = corsica(
            &root,
            &[
                "simulate",
                "--browser",
                browser,
                "examples/cases/put-json.jsonl",
            ],
        );
        assert_eq!(code(&out), 0, "{browser}: {}", stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 2, "{browser}");
        let (missing, allowed) = (&lines[0], &lines[1]);
        assert_eq!(missing["id"], "put-json-missing-acao");
        assert_eq!(missing["browser"], browser);
        assert_eq!(missing["index"], 0);
        assert_eq!(missing["preflight"], true);
        assert_eq!(missing["outcome"], "blocked");
        assert_eq!(missing["status"], Value::Null);
        assert!(missing["error"].is_string() && missing["message"].is_string());
        assert_eq!(
            missing["sent"].as_array().unwrap().len(),
            1,
            "only the preflight"
        );
        assert_eq!(missing["sent"][0]["method"], "OPTIONS");

        assert_eq!(allowed["id"], "put-json-allowed");
        assert_eq!(allowed["outcome"], "ok");
        assert_eq!(allowed["status"], 200);
        assert_eq!(allowed["error"], Value::Null);
        assert_eq!(
            allowed["sent"].as_array().unwrap().len(),
            2,
            "preflight, then PUT"
        );
        assert_eq!(allowed["sent"][1]["method"], "PUT");
    }
    let chrome = corsica(&root, &["simulate", "examples/cases/put-json.jsonl"]);
    assert_eq!(
        json_lines(&chrome)[0]["error"],
        "PreflightMissingAllowOriginHeader"
    );
    let firefox = corsica(
        &root,
        &[
            "simulate",
            "--browser",
            "firefox",
            "examples/cases/put-json.jsonl",
        ],
    );
    assert_eq!(json_lines(&firefox)[0]["error"], "CORSMissingAllowOrigin");
    for name in ["webkit", "safari"] {
        let webkit = corsica(
            &root,
            &[
                "simulate",
                "--browser",
                name,
                "examples/cases/put-json.jsonl",
            ],
        );
        assert_eq!(code(&webkit), 0, "{}", stderr(&webkit));
        let answer = &json_lines(&webkit)[0];
        assert_eq!(answer["browser"], "webkit");
        assert_eq!(answer["error"], "OriginNotAllowed");
        assert!(
            answer["message"].as_str().unwrap().starts_with(
                "Origin http://app.test:8001 is not allowed by Access-Control-Allow-Origin."
            ),
            "{answer}"
        );
    }
}

#[test]
fn simulate_reports_a_malformed_line_and_answers_the_others() {
    let dir = TempDir::new("simulate");
    let cases = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/cases/put-json.jsonl"),
    )
    .unwrap();
    let mut lines = cases.lines();
    let text = format!(
        "{}\nnot json\n\n{}\n",
        lines.next().unwrap(),
        lines.next().unwrap()
    );
    dir.write("cases.jsonl", &text);
    let out = corsica(&dir.0, &["simulate", "cases.jsonl"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("corsica: line 2, column 2: not JSON"),
        "{}",
        stderr(&out)
    );
    let answers = json_lines(&out);
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1]["id"], "put-json-allowed");

    let out = corsica(
        &dir.0,
        &["simulate", "--browser", "netscape", "cases.jsonl"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown browser"), "{}", stderr(&out));

    let out = corsica(&dir.0, &["simulate", "missing.jsonl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with("corsica: cannot read cases from missing.jsonl"));
}

#[test]
fn simulate_text_shows_each_outcome_with_the_fix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = corsica(
        &root,
        &["simulate", "--text", "examples/cases/put-json.jsonl"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let blocked = text.find("put-json-missing-acao[0]\n").expect(&text);
    let allowed = text
        .find("put-json-allowed[0] ok: status 200")
        .expect(&text);
    assert!(blocked < allowed, "{text}");
    for want in [
        "  > OPTIONS http://api.test:8002/data\n",
        "  blocked: PreflightMissingAllowOriginHeader\n",
        "  console: Access to fetch at 'http://api.test:8002/data' from origin 'http://app.test:8001' has been blocked by CORS policy",
        "  cause: the preflight (OPTIONS) response has no `Access-Control-Allow-Origin` header",
        "    send: Access-Control-Allow-Origin: http://app.test:8001\n",
        "  > PUT http://api.test:8002/data\n",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
    // Piped, the default is the answer format; --json says so on a terminal.
    let json = corsica(&root, &["simulate", "examples/cases/put-json.jsonl"]);
    assert_eq!(json_lines(&json).len(), 2);
    let both = corsica(
        &root,
        &[
            "simulate",
            "--json",
            "--text",
            "examples/cases/put-json.jsonl",
        ],
    );
    assert_eq!(code(&both), 2);
}

#[test]
fn simulate_reads_a_policy_file_relative_to_the_case_file() {
    let dir = TempDir::new("simulate-policy");
    fs::create_dir_all(dir.0.join("cases/policies")).unwrap();
    dir.write(
        "cases/policies/api.toml",
        "origins = [\"http://app.test:8001\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"content-type\"]\n",
    );
    dir.write(
        "cases/policies/broken.toml",
        "origins = [\"http://app.test:8001/\"]\n",
    );
    let case = |id: &str, policy: &str, origin: &str| {
        format!(
            r#"{{"id":"{id}","origin":"{origin}","server":{{"http://api.test:8002/data":{{"policy":"{policy}"}}}},"requests":[{{"url":"http://api.test:8002/data","method":"PUT","headers":[["Content-Type","application/json"]]}}]}}"#
        )
    };
    dir.write(
        "cases/policy.jsonl",
        &[
            case("allowed", "policies/api.toml", "http://app.test:8001"),
            case("refused", "policies/api.toml", "http://evil.test:8001"),
            case("broken", "policies/broken.toml", "http://app.test:8001"),
        ]
        .join("\n"),
    );
    // Run from elsewhere: the path is the case file's, not the shell's.
    let out = corsica(&dir.0, &["simulate", "cases/policy.jsonl"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let answers = json_lines(&out);
    assert_eq!(answers.len(), 2, "the broken policy's case is not answered");
    assert_eq!(answers[0]["outcome"], "ok");
    assert_eq!(answers[0]["sent"][0]["method"], "OPTIONS");
    assert_eq!(answers[1]["outcome"], "blocked");
    assert_eq!(answers[1]["error"], "PreflightMissingAllowOriginHeader");
    let err = stderr(&out);
    assert!(
        err.contains("line 3") && err.contains("broken.toml"),
        "{err}"
    );
    assert!(
        err.contains("path"),
        "the policy's own error is named: {err}"
    );
}

// ---------------------------------------------------------------- issue 6
// The first hour of a new user: https://github.com/corsica-rs/corsica/issues/6

/// `count` copies of the example cases, as JSON Lines.
fn many_cases(count: usize) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cases = fs::read_to_string(root.join("examples/cases/put-json.jsonl")).unwrap();
    let mut text = String::new();
    for i in 0..count {
        for line in cases.lines().filter(|l| !l.trim().is_empty()) {
            let mut case: Value = serde_json::from_str(line).unwrap();
            case["id"] = Value::from(format!("{}-{i}", case["id"].as_str().unwrap()));
            text.push_str(&case.to_string());
            text.push('\n');
        }
    }
    text
}

/// Issue 6: `corsica simulate big.jsonl | head -1` printed "cannot write
/// answers: Broken pipe" and exited 2. The reader goes away after one
/// line; corsica must end quietly with 0.
#[test]
fn issue6_simulate_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = TempDir::new("issue6-pipe");
    // About 1 MB of answers: far more than the pipe and corsica's buffer.
    dir.write("big.jsonl", &many_cases(1000));
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsica"))
        .args(["simulate", "big.jsonl"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The BufReader (and with it the pipe's read end) is dropped here.
    assert!(
        first.starts_with("{\"id\":\"put-json-missing-acao-0\""),
        "{first}"
    );
    let out = child.wait_with_output().unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(code(&out), 0);
}

/// The issue's policy: an unknown key beside four mistakes.
const ISSUE6_POLICY: &str = r#"allowed_origins = ["https://app.com"]
origins = ["*", "https://app.com/", "http://app.com", "https://*.github.io"]
credentials = true
"#;

/// Issue 6: an unknown key hid every other error.
#[test]
fn issue6_check_reports_the_unknown_key_and_every_other_error() {
    let dir = TempDir::new("issue6-unknown");
    dir.write("p.toml", ISSUE6_POLICY);
    let out = corsica(&dir.0, &["policy", "check", "p.toml"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    for want in [
        "error[unknown-key]: line 1, column 1: unknown key `allowed_origins`; did you mean `origins`?\n  --> p.toml\n",
        "= help: `corsica policy keys` lists every key",
        "error[credentialed-wildcard-origin]: ",
        "error[origin-with-path]: origin `https://app.com/`",
        "error[insecure-credentialed-origin]: origin `http://app.com`",
        "error[public-suffix-wildcard]: origin pattern `https://*.github.io`",
        "warning[redundant-origins]: ",
        "p.toml: invalid: 5 errors, 1 warning\n",
    ] {
        assert!(text.contains(want), "{want}\n---\n{text}");
    }

    let out = corsica(&dir.0, &["policy", "check", "--json", "p.toml"]);
    assert_eq!(code(&out), 1);
    let v = &json_lines(&out)[0];
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 5, "{v}");
    assert!(errors.iter().all(|e| e["severity"] == "error"), "{v}");
    assert_eq!(errors[0]["code"], "unknown-key");
    assert_eq!(v["warnings"][0]["severity"], "warning");
    assert_eq!(v["warnings"][0]["code"], "redundant-origins");
}

/// Issue 6: a 1 MB origin produced a 1 MB error line. Every line corsica
/// prints about user input stays short.
#[test]
fn issue6_huge_input_gives_short_lines() {
    fn assert_short(what: &str, text: &str) {
        for line in text.lines() {
            assert!(
                line.len() < 500,
                "{what}: a line of {} bytes: {}…",
                line.len(),
                &line[..200]
            );
        }
    }
    let dir = TempDir::new("issue6-huge");
    let huge = format!("https://{}.com/", "a".repeat(1 << 20));
    dir.write(
        "p.toml",
        &format!(
            "origins = [{huge:?}, \"https://ok.com\"]\nmethods = [{:?}]\n{} = 1\n",
            "m".repeat(1 << 20),
            "k".repeat(1 << 20)
        ),
    );
    let out = corsica(&dir.0, &["policy", "check", "p.toml"]);
    assert_eq!(code(&out), 1);
    assert_short("check", &stdout(&out));
    assert!(stdout(&out).contains("characters)"), "{}", stdout(&out));
    let out = corsica(&dir.0, &["policy", "check", "--json", "p.toml"]);
    assert_short("check --json messages", &{
        let v = &json_lines(&out)[0];
        let messages: Vec<String> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .chain(v["warnings"].as_array().unwrap())
            .map(|e| e["message"].as_str().unwrap().to_owned())
            .collect();
        messages.join("\n")
    });
    let out = corsica(
        &dir.0,
        &["policy", "explain", "p.toml", "--origin", "https://ok.com"],
    );
    assert_eq!(code(&out), 1);
    assert_short("explain with an invalid policy", &stderr(&out));

    // Flags: one argument may be at most 128 KiB on Linux.
    let big = "x".repeat(100_000);
    let valid = dir.write("ok.toml", "origins = [\"https://ok.com\"]\n");
    let valid = valid.to_str().unwrap();
    for args in [
        vec!["policy", "explain", valid, "--origin", &huge[..100_000]],
        vec!["policy", "check", &big],
        vec!["simulate", "--browser", &big],
        vec!["policy", &big],
        vec![&big],
    ] {
        let out = corsica(&dir.0, &args);
        assert_ne!(
            code(&out),
            0,
            "{:?}",
            &args[..args.len().min(2)]
                .iter()
                .map(|a| &a[..a.len().min(20)])
                .collect::<Vec<_>>()
        );
        assert_short(
            &format!(
                "{:?}",
                &args[..args.len().min(2)]
                    .iter()
                    .map(|a| &a[..a.len().min(20)])
                    .collect::<Vec<_>>()
            ),
            &stderr(&out),
        );
        assert!(!stderr(&out).is_empty());
    }

    // A huge method is a request to explain (a huge header name is refused
    // as a usage error: over 64 KiB): the request is shown as sent, the
    // reason it is refused is short.
    for flag in ["-X", "-H"] {
        let args = [
            "policy",
            "explain",
            valid,
            "--origin",
            "https://ok.com",
            flag,
            &big,
        ];
        let out = corsica(&dir.0, &args);
        assert_ne!(code(&out), 0, "{flag}");
        assert_short(flag, &stderr(&out));
        let text = stdout(&out);
        let rejected = text.lines().filter(|l| l.starts_with("policy rejects: "));
        assert_eq!(rejected.count() + stderr(&out).lines().count(), 1, "{flag}");
        // Every line the text output prints is short, the request's echo
        // and the browser's console line included.
        assert_short(flag, &text);
    }

    // A case with a huge field.
    dir.write(
        "cases.jsonl",
        &format!(
            r#"{{"id":"a","origin":"http://app.test:8001","requests":[{{"url":"http://api.test:8002/","mode":"{}"}}]}}"#,
            "m".repeat(1 << 20)
        ),
    );
    let out = corsica(&dir.0, &["simulate", "cases.jsonl"]);
    assert_eq!(code(&out), 1);
    assert_short("simulate", &stderr(&out));
}

/// Issue 6: `methods = ["patch"]` was accepted silently; duplicates too.
/// Warnings never change the exit code.
#[test]
fn issue6_lowercase_and_duplicate_methods_are_warned_about() {
    let dir = TempDir::new("issue6-patch");
    dir.write(
        "p.toml",
        "origins = [\"https://a.com\", \"https://a.com\"]\nmethods = [\"GET\", \"patch\", \"GET\"]\n",
    );
    let out = corsica(&dir.0, &["policy", "check", "p.toml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("warning[lowercase-method]: method `patch`"),
        "{text}"
    );
    assert!(text.contains("write `PATCH`"), "{text}");
    assert!(text.contains("warning[duplicate-origin]: "), "{text}");
    assert!(text.contains("warning[duplicate-method]: "), "{text}");
    assert!(text.contains("p.toml: valid, 3 warnings"), "{text}");
    let out = corsica(&dir.0, &["policy", "check", "--json", "p.toml"]);
    assert_eq!(code(&out), 0);
    let v = &json_lines(&out)[0];
    assert_eq!(v["valid"], true);
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_eq!(w["severity"], "warning");
            w["code"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        codes,
        ["duplicate-origin", "duplicate-method", "lowercase-method"]
    );
}

/// Issue 6: a pretty-printed case gave six cryptic errors pointing to a
/// `case-format.md` users do not have.
#[test]
fn issue6_simulate_reads_pretty_printed_cases_and_arrays() {
    let dir = TempDir::new("issue6-pretty");
    let lines = many_cases(1);
    let cases: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pretty: Vec<String> = cases
        .iter()
        .map(|c| serde_json::to_string_pretty(c).unwrap())
        .collect();
    let want = corsica(
        &dir.0,
        &["simulate", dir.write("c.jsonl", &lines).to_str().unwrap()],
    );
    assert_eq!(code(&want), 0);
    for (name, text) in [
        ("pretty.json", pretty.join("\n")),
        ("array.json", serde_json::to_string(&cases).unwrap()),
        (
            "pretty-array.json",
            serde_json::to_string_pretty(&cases).unwrap(),
        ),
    ] {
        dir.write(name, &text);
        let out = corsica(&dir.0, &["simulate", name]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), stdout(&want), "{name}");
    }
    // A mistake is one error that says where the format is described.
    let bad = pretty[0].replace("\"cors\"", "\"bogus\"");
    assert_ne!(bad, pretty[0]);
    dir.write("bad.json", &format!("{bad}\n{}", pretty[1]));
    let out = corsica(&dir.0, &["simulate", "bad.json"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("unknown variant `bogus`"), "{err}");
    assert!(err.contains("conformance/FORMAT.md"), "{err}");
    assert!(err.contains("corsica simulate --help"), "{err}");
    assert!(!err.contains("case-format.md"), "{err}");
    assert_eq!(json_lines(&out).len(), 1);
}

/// Issue 6: the binary describes itself: `policy keys` lists every key,
/// `simulate --help` the case and answer formats.
#[test]
fn issue6_the_binary_describes_its_formats() {
    let dir = TempDir::new("issue6-help");
    let out = corsica(&dir.0, &["policy", "keys"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for key in [
        "origins",
        "credentials",
        "methods",
        "request_headers",
        "expose_headers",
        "max_age",
        "preflight_status",
        "rejected_preflight_status",
        "preflight_passthrough",
        "private_network",
        "dangerously_allow_insecure_origins",
        "dangerously_allow_public_suffix_subdomains",
    ] {
        assert!(
            text.contains(&format!("\n{key}: ")) || text.starts_with(&format!("{key}: ")),
            "{key}\n{text}"
        );
        assert!(
            text.contains(&format!("example: {key} = ")),
            "{key}\n{text}"
        );
    }
    let out = corsica(&dir.0, &["policy", "--help"]);
    assert!(
        stdout(&out).contains("corsica policy keys"),
        "{}",
        stdout(&out)
    );

    let out = corsica(&dir.0, &["simulate", "--help"]);
    assert_eq!(code(&out), 0);
    let help = stdout(&out);
    // The names that start a line of the field lists: `  id, index   the case…`.
    let described: Vec<&str> = help
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with(['{', '"', '[']))
        .filter_map(|l| l.trim_start().split("  ").next())
        .flat_map(|names| names.split(", "))
        .collect();
    for field in [
        "id",
        "origin",
        "server",
        "preflight",
        "response",
        "requests",
        "url",
        "method",
        "headers",
        "mode",
        "credentials",
        "body",
        "delay_ms",
        "index",
        "browser",
        "outcome",
        "status",
        "exposed",
        "error",
        "message",
        "sent",
    ] {
        assert!(
            described.contains(&field),
            "{field} not in {described:?}\n{help}"
        );
    }
    assert!(help.contains("conformance/FORMAT.md"), "{help}");
}

/// Issue 6: the README's policy reference is the binary's list of keys
/// (`corsica policy keys --markdown`), so the two cannot drift apart.
#[test]
fn issue6_readme_policy_reference_is_policy_keys() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let start = "<!-- corsica policy keys --markdown -->\n";
    let end = "<!-- end of corsica policy keys --markdown -->\n";
    let from = readme
        .find(start)
        .expect("README has no policy keys table marker")
        + start.len();
    let to = readme[from..]
        .find(end)
        .expect("README's policy keys table is not closed")
        + from;
    let out = corsica(&root, &["policy", "keys", "--markdown"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        &readme[from..to],
        stdout(&out),
        "README.md's policy reference differs from `corsica policy keys --markdown`: paste the latter"
    );
}

#[test]
fn a_policy_path_to_an_endless_file_is_refused() {
    let dir = TempDir::new("endless");
    for args in [
        &["policy", "check", "/dev/zero"][..],
        &[
            "policy",
            "explain",
            "/dev/zero",
            "--origin",
            "https://a.com",
        ],
        &["export", "/dev/zero", "--to", "nginx"],
    ] {
        let out = corsica(&dir.0, args);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_ne!(code(&out), 0, "{args:?}: {all}");
        assert!(
            all.contains("policy-too-large") || all.contains("longer than 16777216 bytes"),
            "{args:?}: {all}"
        );
    }
}
