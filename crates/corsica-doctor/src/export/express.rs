//! Express with the `cors` package: a middleware module.
//!
//! The module configures `cors` (2.8) the safe way: `origin` is a list of
//! exact origins and anchored `RegExp`s (never `true`, which reflects every
//! origin, nor an unanchored `/example\.com$/`), `methods`, `allowedHeaders`
//! and `exposedHeaders` are explicit (without `allowedHeaders`, `cors`
//! reflects whatever a preflight asks for). Two gaps of `cors` are closed by
//! a few lines around it:
//! - `cors` answers every preflight with 204, whatever the origin, method or
//!   headers; a preflight the policy rejects is answered here first, with the
//!   policy's status and only `Vary`;
//! - `cors` treats every OPTIONS request as a preflight, so a script's own
//!   OPTIONS request would never reach the application: `preflightContinue`
//!   lets the request through `cors`, and only a real preflight (OPTIONS
//!   with `Origin` and `Access-Control-Request-Method`) is answered.
//!
//! Refused: `private_network = true` (`cors` never answers the Private
//! Network Access preflight), `preflight_passthrough = true` (the module
//! answers preflights; pass them on with your own routes instead).

use std::fmt::Write;

use super::regex::{self, TOKEN};
use super::{Facts, Refusal, Stack, banner};

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    let mut r = Vec::new();
    if f.private_network {
        r.push(Refusal {
            key: "private_network",
            message: "the cors package never answers a Private Network Access preflight \
                      (Access-Control-Allow-Private-Network); remove the key, or use nginx or Caddy \
                      in front of Express"
                .to_owned(),
        });
    }
    if f.passthrough {
        r.push(Refusal {
            key: "preflight_passthrough",
            message: "the exported module answers preflights itself; remove the key, or use \
                      nginx or Caddy in front of Express"
                .to_owned(),
        });
    }
    r
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn js_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(js).collect();
    format!("[{}]", items.join(", "))
}

/// An anchored JavaScript regex literal of an unanchored body.
fn js_regex(body: &str) -> String {
    format!("/^{}$/", body.replace('/', "\\/"))
}

pub(super) fn render(f: &Facts<'_>) -> String {
    let mut out = banner("//", Stack::Express, f);
    out.push_str(
        "//
// CORS for an Express app (Express 4 or 5) with the cors package (2.8):
//
//   npm install cors
//   const corsPolicy = require('./cors-policy');   // this file
//   app.use(corsPolicy);                           // before your routes
//
// Why it looks like this (where the usual snippets go wrong):
// - origins are an explicit list of exact origins and anchored expressions:
//   never `origin: true` (every origin reflected, with credentials too) and
//   never an unanchored /example\\.com$/ (which lets evil-example.com in);
// - methods and request headers are listed: without `allowedHeaders` cors
//   reflects whatever a preflight asks for;
// - cors answers every preflight with 204, allowed or not: a preflight the
//   policy rejects is answered below, before cors, with no CORS headers;
// - cors treats every OPTIONS request as a preflight: only a real one
//   (OPTIONS with Origin and Access-Control-Request-Method) is answered here,
//   any other OPTIONS request reaches your routes.
'use strict';

const cors = require('cors');

",
    );

    // Origins.
    if f.any_origin {
        out.push_str("// Every origin, without credentials: Access-Control-Allow-Origin: *.\nconst ORIGINS = '*';\n");
    } else {
        out.push_str("// The allowed origins: exact strings, and anchored expressions for wildcards.\nconst ORIGINS = [\n");
        for o in f.exact_origins() {
            let _ = writeln!(out, "  {},", js(&o));
        }
        for p in f.wildcard_patterns() {
            let _ = writeln!(out, "  {}, // {p}", js_regex(&regex::origin_pattern(p)));
        }
        out.push_str("];\n");
    }

    // The cors options.
    out.push_str("\nconst corsMiddleware = cors({\n  origin: ORIGINS,\n");
    if f.credentials {
        out.push_str("  credentials: true,\n");
    }
    let _ = writeln!(out, "  methods: {},", js_list(value_list(&f.allow_methods)));
    let _ = writeln!(
        out,
        "  allowedHeaders: {}, // never absent: cors would reflect the preflight's",
        js_list(value_list(&f.allow_headers))
    );
    if f.expose_headers.is_some() {
        let _ = writeln!(
            out,
            "  exposedHeaders: {},",
            js_list(value_list(&f.expose_headers))
        );
    }
    if let Some(max_age) = &f.max_age {
        let _ = writeln!(out, "  maxAge: {max_age},");
    }
    out.push_str("  preflightContinue: true, // real preflights are answered below\n});\n\n");

    // The preflight check.
    let origin_check = if f.any_origin {
        "true".to_owned()
    } else {
        format!("{}.test(origin)", js_regex(&regex::origins(f.patterns)))
    };
    let method_check = if f.methods.any {
        format!("{}.test(method)", js_regex(TOKEN))
    } else {
        format!("{}.includes(method)", js_list(f.accepted_methods()))
    };
    let header_check = if f.request_headers.any {
        format!(
            "{}.test(name) && !{}.includes(name)",
            js_regex(TOKEN),
            js_list(f.not_covered_by_any.iter().copied())
        )
    } else {
        "false".to_owned()
    };
    let _ = write!(
        out,
        "// The request headers a preflight may ask for, lowercase.
const REQUEST_HEADERS = {request_headers};

function isPreflight(req) {{
  return req.method === 'OPTIONS' &&
    req.headers['origin'] !== undefined &&
    req.headers['access-control-request-method'] !== undefined;
}}

// Whether the policy allows a preflight: its origin, the method it asks for
// (compared byte for byte, as browsers do) and every request header it names.
function preflightAllowed(req) {{
  const origin = req.headers['origin'];
  if (!({origin_check})) return false;
  const method = req.headers['access-control-request-method'];
  if (!({method_check})) return false;
  const names = (req.headers['access-control-request-headers'] || '').split(',');
  for (const raw of names) {{
    const name = raw.trim().toLowerCase();
    if (name === '' || REQUEST_HEADERS.includes(name)) continue;
    if (!({header_check})) return false;
  }}
  return req.headers['access-control-request-private-network'] !== 'true';
}}

module.exports = function corsPolicy(req, res, next) {{
  if (isPreflight(req)) {{
    res.setHeader('Vary', {preflight_vary});
    if (!preflightAllowed(req)) {{
      res.statusCode = {rejected};
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }}
  }}
  corsMiddleware(req, res, (err) => {{
    if (err) return next(err);
    if (isPreflight(req)) {{
      res.setHeader('Vary', {preflight_vary});
      res.statusCode = {allowed};
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }}
    next();
  }});
}};
",
        request_headers = js_list(f.request_headers.names.iter().map(String::as_str)),
        preflight_vary = js(f.preflight_vary.as_deref().unwrap_or("")),
        rejected = f.rejected_status,
        allowed = f.preflight_status,
    );
    out
}

/// The items of an `Access-Control-Allow-*` value the engine wrote.
fn value_list(value: &Option<String>) -> Vec<&str> {
    value
        .as_deref()
        .map(|v| v.split(", ").collect())
        .unwrap_or_default()
}
