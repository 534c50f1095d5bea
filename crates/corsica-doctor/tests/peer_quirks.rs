//! What the peer libraries do with the configuration people write, found by
//! running them, and why each exported configuration adds what it adds.
//! Each test pins one behaviour: if a library changes it, the test fails
//! and the glue the export adds for it can be reconsidered.

mod support;

use support::http::{Request, send};
use support::servers;

fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> Request {
    Request {
        method: method.into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
    }
}

/// The cors package answers a preflight for a method it does not list,
/// from an origin it does not list, with 204, and any other OPTIONS request
/// (a script's own, without Access-Control-Request-Method) too, without
/// calling the application: the export answers real preflights itself.
#[test]
fn express_cors_answers_every_options_request_with_204() {
    let server = servers::express(
        "module.exports = require('cors')({ origin: ['https://myapp.com'], methods: ['GET', 'PUT'] });\n",
    );
    let got = send(
        server.addr,
        &req(
            "OPTIONS",
            "/",
            &[
                ("Origin", "https://evil.net"),
                ("Access-Control-Request-Method", "DELETE"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(got.status, 204, "{got:?}");
    assert_eq!(got.get("access-control-allow-origin"), None);
    let got = send(
        server.addr,
        &req("OPTIONS", "/", &[("Origin", "https://myapp.com")]),
    )
    .unwrap();
    assert_eq!((got.status, got.get("x-upstream")), (204, None), "{got:?}");
    assert_eq!(
        got.get("access-control-allow-methods").as_deref(),
        Some("GET,PUT")
    );
}

/// django-cors-headers answers every preflight with 200 and never looks at
/// the method or headers asked for: the answer lists its own methods and
/// headers and lets the browser fail. The export's PreflightGuard rejects
/// the preflight as the policy says.
#[test]
fn django_cors_headers_answers_rejected_preflights_with_200() {
    let server = servers::python_app(
        "django_app.py",
        "CORS_ALLOWED_ORIGINS = ['https://myapp.com']\nCORS_ALLOW_METHODS = ['GET', 'PUT']\n",
    );
    let got = send(
        server.addr,
        &req(
            "OPTIONS",
            "/",
            &[
                ("Origin", "https://myapp.com"),
                ("Access-Control-Request-Method", "DELETE"),
                ("Access-Control-Request-Headers", "x-not-listed"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(
        got.get("access-control-allow-origin").as_deref(),
        Some("https://myapp.com")
    );
    assert_eq!(
        got.get("access-control-allow-methods").as_deref(),
        Some("GET, PUT")
    );
    // CORS_PREFLIGHT_MAX_AGE defaults to a day.
    assert_eq!(got.get("access-control-max-age").as_deref(), Some("86400"));
}

/// flask-cors sends `Vary: Origin` only on answers to an allowed origin, and
/// not even there when a single exact origin is configured; with
/// `always_send` (the default) it answers a request without `Origin` with
/// the configured origin. The export's WSGI guard adds the policy's Vary.
#[test]
fn flask_cors_leaves_out_vary_origin() {
    let server = servers::python_app(
        "flask_app.py",
        "from flask_cors import CORS\n\ndef init_cors(app):\n    CORS(app, origins=['https://myapp.com'])\n",
    );
    for origin in [Some("https://myapp.com"), Some("https://evil.net"), None] {
        let headers: Vec<(&str, &str)> = origin.iter().map(|o| ("Origin", *o)).collect();
        let got = send(server.addr, &req("GET", "/", &headers)).unwrap();
        assert_eq!(got.get("vary"), None, "{origin:?}: {got:?}");
        if origin.is_none() {
            assert_eq!(
                got.get("access-control-allow-origin").as_deref(),
                Some("https://myapp.com")
            );
        }
    }
}

/// flask-cors looks the requested method up in the joined, uppercased list
/// of methods as a substring: with `methods="*"` no preflight gets
/// `Access-Control-Allow-Methods` (nor `-Allow-Headers`), while `OS` passes
/// as part of `POST`. The export refuses `methods = ["*"]` for Flask.
#[test]
fn flask_cors_methods_star_allows_no_preflight() {
    let server = servers::python_app(
        "flask_app.py",
        "from flask_cors import CORS\n\ndef init_cors(app):\n    CORS(app, origins=['https://myapp.com'], methods='*')\n",
    );
    let got = send(
        server.addr,
        &req(
            "OPTIONS",
            "/",
            &[
                ("Origin", "https://myapp.com"),
                ("Access-Control-Request-Method", "PUT"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(
        (
            got.status,
            got.get("access-control-allow-origin").as_deref()
        ),
        (200, Some("https://myapp.com"))
    );
    assert_eq!(got.get("access-control-allow-methods"), None, "{got:?}");

    let server = servers::python_app(
        "flask_app.py",
        "from flask_cors import CORS\n\ndef init_cors(app):\n    CORS(app, origins=['https://myapp.com'], methods=['GET', 'POST'])\n",
    );
    let got = send(
        server.addr,
        &req(
            "OPTIONS",
            "/",
            &[
                ("Origin", "https://myapp.com"),
                ("Access-Control-Request-Method", "OS"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(
        got.get("access-control-allow-methods").as_deref(),
        Some("GET, POST"),
        "{got:?}"
    );
}

/// Starlette's CORSMiddleware added with `app.add_middleware` runs inside
/// ServerErrorMiddleware: the 500 of an unhandled exception carries no CORS
/// headers, so the browser reports a CORS error instead of the 500. The
/// export wraps the whole app instead.
#[test]
fn starlette_add_middleware_loses_cors_headers_on_a_crash() {
    let server = servers::python_app(
        "fastapi_app.py",
        "from starlette.middleware.cors import CORSMiddleware\n\n\
         def add_cors(app):\n    app.add_middleware(CORSMiddleware, allow_origins=['https://myapp.com'])\n    return app\n",
    );
    let got = send(
        server.addr,
        &req("GET", "/", &[("Origin", "https://myapp.com")]),
    )
    .unwrap();
    assert_eq!(
        got.get("access-control-allow-origin").as_deref(),
        Some("https://myapp.com")
    );
    let got = send(
        server.addr,
        &req("GET", "/throw", &[("Origin", "https://myapp.com")]),
    )
    .unwrap();
    assert_eq!(got.status, 500);
    assert_eq!(got.get("access-control-allow-origin"), None, "{got:?}");
}

/// Starlette 1.x with `allow_origins=["*"]` and `allow_credentials=True`
/// answers every origin with itself and credentials: the "`*` with
/// credentials" mistake, turned into "every site reads your users' data".
/// FastAPI's documentation says `allow_origins` "cannot be `['*']`" when
/// credentials are allowed; nothing stops it. corsica's policies refuse `*`
/// with credentials, so no export writes it.
#[test]
fn starlette_star_with_credentials_reflects_every_origin() {
    let server = servers::python_app(
        "fastapi_app.py",
        "from starlette.middleware.cors import CORSMiddleware\n\n\
         def add_cors(app):\n    return CORSMiddleware(app, allow_origins=['*'], allow_credentials=True)\n",
    );
    let got = send(
        server.addr,
        &req("GET", "/", &[("Origin", "https://evil.net")]),
    )
    .unwrap();
    assert_eq!(
        got.get("access-control-allow-origin").as_deref(),
        Some("https://evil.net"),
        "{got:?}"
    );
    assert_eq!(
        got.get("access-control-allow-credentials").as_deref(),
        Some("true")
    );
}

/// nginx answers a request whose method has a character outside `A-Z`,
/// `_` and `-` (a script's lowercase `patch`, which browsers send as
/// written) with its own 400, before any `add_header` runs: no CORS
/// headers, whatever the configuration. Found by `corsica check` in the
/// export matrix; no configuration can change it.
#[test]
fn nginx_refuses_a_lowercase_method_before_the_configuration() {
    let upstream = support::http::Upstream::start();
    let url = upstream.url();
    let server = servers::nginx(|port| {
        format!(
            "server {{ listen 127.0.0.1:{port}; location / {{ add_header X-Seen yes always; proxy_pass {url}; }} }}\n"
        )
    });
    let got = send(
        server.addr,
        &req("patch", "/", &[("Origin", "https://a.example")]),
    )
    .unwrap();
    assert_eq!((got.status, got.get("x-seen")), (400, None), "{got:?}");
    let got = send(
        server.addr,
        &req("PATCH", "/", &[("Origin", "https://a.example")]),
    )
    .unwrap();
    assert_eq!(got.get("x-seen").as_deref(), Some("yes"), "{got:?}");
}

/// Node's HTTP parser answers a method it does not know (a lowercase
/// `patch`, a custom `M!#...`) with 400 before Express runs: no CORS
/// headers. Found by `corsica check` in the export matrix.
#[test]
fn node_refuses_an_unknown_method_before_express() {
    let server = servers::express(
        "module.exports = (req, res, next) => { res.setHeader('X-Seen', 'yes'); next(); };\n",
    );
    for method in ["patch", "M!#%&'*+.^_`|~1"] {
        let got = send(
            server.addr,
            &req(method, "/", &[("Origin", "https://a.example")]),
        )
        .unwrap();
        assert_eq!(
            (got.status, got.get("x-seen")),
            (400, None),
            "{method}: {got:?}"
        );
    }
    let got = send(
        server.addr,
        &req("PATCH", "/", &[("Origin", "https://a.example")]),
    )
    .unwrap();
    assert_eq!(got.get("x-seen").as_deref(), Some("yes"), "{got:?}");
}
