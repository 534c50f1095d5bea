//! The playground's presets: the common CORS mistakes (most of them from
//! the seed's "CORS errors explained" page), each played by the echo API
//! answering CORS itself the broken way, with the request that shows the
//! mistake and the corsica policy that fixes it; and corsica policies
//! themselves, a valid one and an invalid one.
//!
//! A server preset runs behind the gateway in shadow mode with its fix as
//! the policy: the gateway changes nothing (the browser meets the broken
//! server as it is) and logs what the policy would have rejected.

use serde::Serialize;

use super::echo::{Answer, Seen};

/// One `fetch()` of a preset's script.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Step {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) headers: &'static [(&'static str, &'static str)],
    pub(crate) credentials: &'static str,
    pub(crate) mode: &'static str,
    pub(crate) body: Option<&'static str>,
}

const fn get(path: &'static str) -> Step {
    Step {
        method: "GET",
        path,
        headers: &[],
        credentials: "same-origin",
        mode: "cors",
        body: None,
    }
}

/// A preset.
#[derive(Serialize)]
pub(crate) struct Preset {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    /// What is wrong, in plain words.
    pub(crate) mistake: &'static str,
    /// The broken configuration as people write it (shown on the page).
    pub(crate) snippet: &'static str,
    /// The script's request(s).
    pub(crate) steps: &'static [Step],
    /// For a policy preset: the policy (`{page}` is the playground's
    /// origin). For a server preset: `None`.
    pub(crate) policy: Option<&'static str>,
    /// The corsica policy that fixes it (`{page}` as above).
    pub(crate) fix_policy: &'static str,
    /// The request(s) to make with the fix, when the script must change
    /// too.
    pub(crate) fix_steps: Option<&'static [Step]>,
    /// Whether the browser blocks the request (what the tests expect).
    pub(crate) blocked: bool,
    /// How the broken server answers (a server preset).
    #[serde(skip)]
    pub(crate) server: Option<fn(&Seen<'_>, Answer, &str) -> Answer>,
}

impl std::fmt::Debug for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preset").field("id", &self.id).finish()
    }
}

/// The preset named `id`.
pub(crate) fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

fn preflight_answer(headers: &[(&str, String)]) -> Answer {
    Answer {
        status: 204,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect(),
        body: String::new(),
    }
}

/// nginx's `add_header` applies only to 2xx and 3xx answers without
/// `always`.
fn nginx_adds_headers(status: u16) -> bool {
    matches!(
        status,
        200 | 201 | 204 | 206 | 301 | 302 | 303 | 304 | 307 | 308
    )
}

/// The seed's nginx snippet: the `add_header` inside `if` replaces the
/// location's, so the preflight answer carries only `Max-Age`.
fn nginx_if(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    if seen.method == "OPTIONS" {
        return preflight_answer(&[("access-control-max-age", "86400".into())]);
    }
    if nginx_adds_headers(answer.status) {
        answer.set("access-control-allow-origin", page);
        answer.set("access-control-allow-methods", "GET, POST, OPTIONS");
        answer.set(
            "access-control-allow-headers",
            "Authorization, Content-Type",
        );
    }
    answer
}

fn wildcard_credentials(seen: &Seen<'_>, mut answer: Answer, _page: &str) -> Answer {
    if seen.is_preflight() {
        return preflight_answer(&[
            ("access-control-allow-origin", "*".into()),
            ("access-control-allow-credentials", "true".into()),
            (
                "access-control-allow-methods",
                "GET, POST, PUT, DELETE".into(),
            ),
            ("access-control-allow-headers", "Content-Type".into()),
        ]);
    }
    answer.set("access-control-allow-origin", "*");
    answer.set("access-control-allow-credentials", "true");
    answer
}

fn error_without_cors(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    if seen.is_preflight() {
        return preflight_answer(&[
            ("access-control-allow-origin", page.into()),
            (
                "access-control-allow-methods",
                "GET, POST, PUT, DELETE".into(),
            ),
            ("access-control-allow-headers", "Content-Type".into()),
            ("vary", "Origin".into()),
        ]);
    }
    if answer.status < 400 {
        answer.set("access-control-allow-origin", page);
        answer.set("vary", "Origin");
    }
    answer
}

fn reflect_origin(seen: &Seen<'_>, mut answer: Answer, _page: &str) -> Answer {
    let origin = seen.header("origin").unwrap_or("").to_owned();
    if seen.is_preflight() {
        let mut h = vec![
            ("access-control-allow-origin", origin),
            ("access-control-allow-credentials", "true".into()),
            (
                "access-control-allow-methods",
                seen.header("access-control-request-method")
                    .unwrap_or("")
                    .into(),
            ),
            ("vary", "Origin".into()),
        ];
        if let Some(acrh) = seen.header("access-control-request-headers") {
            h.push(("access-control-allow-headers", acrh.into()));
        }
        return preflight_answer(&h);
    }
    if !origin.is_empty() {
        answer.set("access-control-allow-origin", &origin);
        answer.set("access-control-allow-credentials", "true");
        answer.set("vary", "Origin");
    }
    answer
}

/// Express `cors()` with its default methods; the mistake is the script's
/// `method: 'patch'`, which browsers do not uppercase.
fn express_defaults(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    if seen.is_preflight() {
        let mut h = vec![
            ("access-control-allow-origin", page.to_owned()),
            (
                "access-control-allow-methods",
                "GET,HEAD,PUT,PATCH,POST,DELETE".into(),
            ),
            ("vary", "Origin".into()),
        ];
        if let Some(acrh) = seen.header("access-control-request-headers") {
            h.push(("access-control-allow-headers", acrh.into()));
        }
        return preflight_answer(&h);
    }
    answer.set("access-control-allow-origin", page);
    answer.set("vary", "Origin");
    answer
}

/// Allows the page and lists the methods on preflights, and nothing
/// else: no `Access-Control-Allow-Headers` (the preflight of a request
/// with a custom header fails) and no `Access-Control-Expose-Headers` (the
/// page cannot read the API's own headers). Two presets, one server.
fn allows_page_and_methods_only(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    if seen.is_preflight() {
        return preflight_answer(&[
            ("access-control-allow-origin", page.into()),
            (
                "access-control-allow-methods",
                "GET, POST, PUT, DELETE".into(),
            ),
            ("vary", "Origin".into()),
        ]);
    }
    answer.set("access-control-allow-origin", page);
    answer.set("vary", "Origin");
    answer
}

/// CORS headers on the API's answers, and no `OPTIONS` handler: the
/// framework answers preflights 405.
fn no_options_handler(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    if seen.method != "OPTIONS" {
        answer.set("access-control-allow-origin", page);
        answer.set("vary", "Origin");
    }
    answer
}

/// An allow-list that answers only requests with an allowed `Origin`,
/// cacheable, and without `Vary: Origin`.
fn missing_vary(seen: &Seen<'_>, mut answer: Answer, page: &str) -> Answer {
    answer.set("cache-control", "public, max-age=600");
    if seen.header("origin") == Some(page) {
        answer.set("access-control-allow-origin", page);
    }
    answer
}

const POST_JSON: Step = Step {
    method: "POST",
    path: "/items",
    headers: &[("Content-Type", "application/json")],
    credentials: "same-origin",
    mode: "cors",
    body: Some(r#"{"name":"kiwi"}"#),
};

const PUT_JSON_AUTH: Step = Step {
    method: "PUT",
    path: "/items/1",
    headers: &[
        ("Content-Type", "application/json"),
        ("Authorization", "Bearer demo-token"),
    ],
    credentials: "same-origin",
    mode: "cors",
    body: Some(r#"{"name":"quince"}"#),
};

/// Every preset, in the order the page lists them.
pub(crate) static PRESETS: &[Preset] = &[
    Preset {
        id: "corsica",
        title: "A corsica policy",
        mistake: "None: the gateway answers the preflight itself and adds the policy's headers to every answer, errors included.",
        snippet: "",
        steps: &[PUT_JSON_AUTH],
        policy: Some(
            "origins = [\"{page}\"]\ncredentials = true\nmethods = [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]\nrequest_headers = [\"Authorization\", \"Content-Type\"]\nexpose_headers = [\"X-Request-Id\"]\nmax_age = 600\n",
        ),
        fix_policy: "",
        fix_steps: None,
        blocked: false,
        server: None,
    },
    Preset {
        id: "nginx-if",
        title: "The seed's nginx snippet (add_header inside if)",
        mistake: "nginx does not inherit add_header into a block that has its own: inside `if ($request_method = 'OPTIONS')` only Access-Control-Max-Age is added, so the preflight answer has no Access-Control-Allow-Origin and every preflighted request fails. Without `always`, error answers get no CORS headers either.",
        snippet: "location /api/ {\n    add_header 'Access-Control-Allow-Origin' 'https://myapp.com';\n    add_header 'Access-Control-Allow-Methods' 'GET, POST, OPTIONS';\n    add_header 'Access-Control-Allow-Headers' 'Authorization, Content-Type';\n    if ($request_method = 'OPTIONS') {\n        add_header 'Access-Control-Max-Age' 86400;\n        return 204;\n    }\n}",
        steps: &[POST_JSON],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\nmethods = [\"GET\", \"POST\"]\nrequest_headers = [\"Authorization\", \"Content-Type\"]\nmax_age = 86400\n",
        fix_steps: None,
        blocked: true,
        server: Some(nginx_if),
    },
    Preset {
        id: "wildcard-credentials",
        title: "* with credentials",
        mistake: "Access-Control-Allow-Origin: * is refused on a request with credentials (cookies): the browser needs the exact origin and Access-Control-Allow-Credentials: true. corsica refuses `*` with credentials = true when the policy is checked.",
        snippet: "app.use(cors({ origin: '*', credentials: true }));",
        steps: &[Step {
            credentials: "include",
            ..get("/items")
        }],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\ncredentials = true\n",
        fix_steps: None,
        blocked: true,
        server: Some(wildcard_credentials),
    },
    Preset {
        id: "error-without-cors",
        title: "500 without CORS headers",
        mistake: "The server adds CORS headers to successful answers only (nginx add_header without `always`, an error handler that runs before the CORS middleware). The 500 has no Access-Control-Allow-Origin, so the page sees a CORS error instead of the real failure.",
        snippet: "add_header 'Access-Control-Allow-Origin' 'https://myapp.com';   # no `always`",
        steps: &[get("/status/500")],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\n",
        fix_steps: None,
        blocked: true,
        server: Some(error_without_cors),
    },
    Preset {
        id: "reflect-origin",
        title: "Reflected origin with credentials",
        mistake: "The server copies any Origin into Access-Control-Allow-Origin with credentials (Express cors({origin: true, credentials: true})). It works, and that is the problem: every site on the web can read this API with your users' cookies. corsica has no reflect mode: list the origins.",
        snippet: "app.use(cors({ origin: true, credentials: true }));",
        steps: &[Step {
            credentials: "include",
            ..get("/items")
        }],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\ncredentials = true\n",
        fix_steps: None,
        blocked: false,
        server: Some(reflect_origin),
    },
    Preset {
        id: "lowercase-patch",
        title: "Lowercase patch",
        mistake: "fetch() uppercases only DELETE, GET, HEAD, OPTIONS, POST and PUT: `method: 'patch'` goes out as `patch`, and Access-Control-Allow-Methods: PATCH does not match it (methods are compared byte for byte). Write PATCH in the script.",
        snippet: "fetch(url, { method: 'patch' })        // the server allows PATCH",
        steps: &[Step {
            method: "patch",
            path: "/items/1",
            headers: &[("Content-Type", "application/json")],
            credentials: "same-origin",
            mode: "cors",
            body: Some(r#"{"name":"fig"}"#),
        }],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\nmethods = [\"GET\", \"POST\", \"PATCH\"]\nrequest_headers = [\"Content-Type\"]\n",
        fix_steps: Some(&[Step {
            method: "PATCH",
            path: "/items/1",
            headers: &[("Content-Type", "application/json")],
            credentials: "same-origin",
            mode: "cors",
            body: Some(r#"{"name":"fig"}"#),
        }]),
        blocked: true,
        server: Some(express_defaults),
    },
    Preset {
        id: "missing-allow-headers",
        title: "Missing Access-Control-Allow-Headers",
        mistake: "The preflight answer allows the origin and the method but names no request headers, so Content-Type: application/json and Authorization are refused.",
        snippet: "add_header 'Access-Control-Allow-Origin' 'https://myapp.com' always;\nadd_header 'Access-Control-Allow-Methods' 'GET, POST, PUT, DELETE' always;",
        steps: &[PUT_JSON_AUTH],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\nmethods = [\"GET\", \"POST\", \"PUT\", \"DELETE\"]\nrequest_headers = [\"Authorization\", \"Content-Type\"]\n",
        fix_steps: None,
        blocked: true,
        server: Some(allows_page_and_methods_only),
    },
    Preset {
        id: "no-options-handler",
        title: "No OPTIONS handler",
        mistake: "The API adds CORS headers to its own answers but has no OPTIONS route: the framework answers the preflight 405 without CORS headers, and the browser never sends the request.",
        snippet: "app.put('/items/:id', cors(), handler);   // no app.options(...)",
        steps: &[Step {
            method: "PUT",
            path: "/items/1",
            headers: &[("Content-Type", "application/json")],
            credentials: "same-origin",
            mode: "cors",
            body: Some(r#"{"name":"lime"}"#),
        }],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\nmethods = [\"GET\", \"POST\", \"PUT\"]\nrequest_headers = [\"Content-Type\"]\n",
        fix_steps: None,
        blocked: true,
        server: Some(no_options_handler),
    },
    Preset {
        id: "header-not-exposed",
        title: "Header not exposed",
        mistake: "The request succeeds, but the script cannot read X-Request-Id: beyond the safelisted headers (Content-Type, Content-Length, Cache-Control, ...), a response header must be named in Access-Control-Expose-Headers.",
        snippet: "res.set('X-Request-Id', id);   // no Access-Control-Expose-Headers",
        steps: &[get("/items")],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\nexpose_headers = [\"X-Request-Id\"]\n",
        fix_steps: None,
        blocked: false,
        server: Some(allows_page_and_methods_only),
    },
    Preset {
        id: "missing-vary",
        title: "Missing Vary: Origin",
        mistake: "The answer depends on Origin (Access-Control-Allow-Origin only for listed origins) and is cacheable, but says nothing with Vary: Origin. The browser's cache serves the answer it stored for a request without Origin (an image, a no-cors fetch) to the CORS request, which then has no Access-Control-Allow-Origin. corsica sends Vary: Origin on every answer whose headers depend on it.",
        snippet: "if ($http_origin = 'https://myapp.com') { add_header 'Access-Control-Allow-Origin' $http_origin; }\nadd_header 'Cache-Control' 'public, max-age=600';   # no Vary: Origin",
        steps: &[
            Step {
                mode: "no-cors",
                ..get("/items")
            },
            get("/items"),
        ],
        policy: None,
        fix_policy: "origins = [\"{page}\"]\n",
        fix_steps: None,
        blocked: true,
        server: Some(missing_vary),
    },
    Preset {
        id: "star-credentials-policy",
        title: "* with credentials, as a corsica policy",
        mistake: "corsica checks a policy before it serves anything: `*` with credentials = true is refused with the fix, and nothing runs.",
        snippet: "",
        steps: &[Step {
            credentials: "include",
            ..get("/items")
        }],
        policy: Some("origins = [\"*\"]\ncredentials = true\n"),
        fix_policy: "origins = [\"{page}\"]\ncredentials = true\n",
        fix_steps: None,
        blocked: true,
        server: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_policy_is_valid_and_ids_are_unique() {
        let page = "http://127.0.0.1:8000";
        let mut ids = std::collections::BTreeSet::new();
        for p in PRESETS {
            assert!(ids.insert(p.id), "duplicate preset {}", p.id);
            assert_eq!(p.server.is_some(), p.policy.is_none(), "{}", p.id);
            if !p.fix_policy.is_empty() {
                corsica::Policy::from_toml_str(&p.fix_policy.replace("{page}", page))
                    .unwrap_or_else(|e| panic!("{}: {e}", p.id));
            }
        }
        let bad = find("star-credentials-policy").unwrap().policy.unwrap();
        assert!(corsica::Policy::from_toml_str(bad).is_err());
    }
}
