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

    // The policy, as the cors package takes it.
    out.push_str("// The policy, as the cors package takes it.\n");
    if f.any_origin {
        out.push_str("const ORIGINS = '*'; // every origin, without credentials\n");
    } else {
        out.push_str(
            "const ORIGINS = [ // exact strings, and anchored expressions for wildcards\n",
        );
        for o in f.exact_origins() {
            let _ = writeln!(out, "  {},", js(&o));
        }
        for p in f.wildcard_patterns() {
            let _ = writeln!(out, "  {}, // {p}", js_regex(&regex::origin_pattern(p)));
        }
        out.push_str("];\n");
    }
    let _ = writeln!(
        out,
        "const METHODS = {};",
        js_list(value_list(&f.allow_methods))
    );
    let _ = writeln!(
        out,
        "const REQUEST_HEADERS = {};",
        js_list(value_list(&f.allow_headers))
    );
    if f.expose_headers.is_some() {
        let _ = writeln!(
            out,
            "const EXPOSE_HEADERS = {};",
            js_list(value_list(&f.expose_headers))
        );
    }

    out.push_str("\nconst corsMiddleware = cors({\n  origin: ORIGINS, // never `true`: that reflects every origin\n");
    if f.credentials {
        out.push_str("  credentials: true,\n");
    }
    out.push_str("  methods: METHODS,\n  allowedHeaders: REQUEST_HEADERS, // never absent: cors would reflect what a preflight asks\n");
    if f.expose_headers.is_some() {
        out.push_str("  exposedHeaders: EXPOSE_HEADERS,\n");
    }
    if let Some(max_age) = &f.max_age {
        let _ = writeln!(out, "  maxAge: {max_age},");
    }
    out.push_str("  preflightContinue: true, // real preflights are answered below\n});\n\n");

    // The preflight check, on the same lists.
    out.push_str("function originAllowed(origin) {\n");
    if f.any_origin {
        out.push_str("  return true;\n");
    } else {
        out.push_str("  return ORIGINS.some((o) => (typeof o === 'string' ? o === origin : o.test(origin)));\n");
    }
    out.push_str(
        "}\n\n// Compared byte for byte, as browsers do.\nfunction methodAllowed(method) {\n",
    );
    if f.methods.any {
        let _ = writeln!(
            out,
            "  return {}.test(method); // `*`: any method",
            js_regex(TOKEN)
        );
    } else if f.unlisted_methods.is_empty() {
        out.push_str("  return METHODS.includes(method);\n");
    } else {
        let _ = writeln!(
            out,
            "  // CORS-safelisted, so allowed without listing: {}.\n  return METHODS.includes(method) || {}.includes(method);",
            f.unlisted_methods.join(", "),
            js_list(f.unlisted_methods.iter().copied())
        );
    }
    out.push_str("}\n\n// `name` is lowercase.\nfunction headerAllowed(name) {\n");
    if f.request_headers.any {
        let _ = writeln!(
            out,
            "  if (REQUEST_HEADERS.includes(name)) return true;\n  // `*`: any header name but {}.\n  return {}.test(name) && !{}.includes(name);",
            f.not_covered_by_any.join(", "),
            js_regex(TOKEN),
            js_list(f.not_covered_by_any.iter().copied())
        );
    } else {
        out.push_str("  return REQUEST_HEADERS.includes(name);\n");
    }
    let pna = if f.private_network {
        "true"
    } else {
        "req.headers['access-control-request-private-network'] !== 'true'"
    };
    let _ = write!(
        out,
        "}}

function isPreflight(req) {{
  return req.method === 'OPTIONS' &&
    req.headers['origin'] !== undefined &&
    req.headers['access-control-request-method'] !== undefined;
}}

// Whether the policy allows a preflight: its origin, the method it asks for
// and every request header it names.
function preflightAllowed(req) {{
  if (!originAllowed(req.headers['origin'])) return false;
  if (!methodAllowed(req.headers['access-control-request-method'])) return false;
  const names = (req.headers['access-control-request-headers'] || '').split(',');
  for (const name of names.map((n) => n.trim().toLowerCase())) {{
    if (name !== '' && !headerAllowed(name)) return false;
  }}
  return {pna};
}}

module.exports = function corsPolicy(req, res, next) {{
  if (isPreflight(req) && !preflightAllowed(req)) {{
    res.statusCode = {rejected};
    res.setHeader('Vary', {preflight_vary});
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }}
  corsMiddleware(req, res, (err) => {{
    if (err) return next(err);
    if (isPreflight(req)) {{
      res.statusCode = {allowed};
      res.setHeader('Vary', {preflight_vary});
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }}
    next();
  }});
}};
",
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
