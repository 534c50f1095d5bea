//! Spring (Spring Framework 6, Spring Boot 3): a `@Configuration` class
//! with a `CorsConfigurationSource` bean and a `CorsFilter`.
//!
//! UNTESTED: the export tests cannot run Spring here (no access to Maven
//! Central); the output follows Spring's documented `CorsConfiguration`
//! semantics and is not proven against a running Spring.
//!
//! Exact origins go to `setAllowedOrigins`, wildcards to
//! `setAllowedOriginPatterns` in Spring's syntax (`https://*.example.com`,
//! `http://localhost:[*]`); methods and headers are listed, the
//! CORS-safelisted methods too (Spring rejects a preflight or request for a
//! method it does not list, where browsers never ask about those).
//!
//! Where Spring differs from the policy, and it stays:
//! - Spring's `*` in an origin pattern matches any characters, not only
//!   subdomain labels: it also allows hosts such as `a$b.example.com`,
//!   which no DNS name of yours can be, and `https://.example.com`, which no
//!   browser sends;
//! - Spring answers an actual request from a disallowed origin with 403
//!   without calling the handler (corsica passes it on without CORS
//!   headers: the browser blocks it either way);
//! - allowed preflights are answered with 200, rejected ones with 403.
//!
//! Refused: `request_headers = ["*"]` without `Authorization` listed
//! (Spring's `*` also allows `Authorization`, which a `*` never covers in
//! browsers nor in corsica); a `rejected_preflight_status` that is not 4xx;
//! `preflight_passthrough = true`.

use std::fmt::Write;

use corsica::policy::{OriginPattern, PortRule};

use super::{Facts, Refusal, Stack, banner};

pub(super) fn refusals(f: &Facts<'_>) -> Vec<Refusal> {
    let mut r = Vec::new();
    if f.request_headers.any && !f.not_covered_by_any.is_empty() {
        r.push(Refusal {
            key: "request_headers",
            message: format!(
                "Spring's `*` in allowedHeaders also allows {}, which `*` never covers in \
                 browsers nor in the policy; list the headers, or add {} if it should be allowed",
                f.not_covered_by_any.join(", "),
                f.not_covered_by_any.join(", ")
            ),
        });
    }
    if !(400..500).contains(&f.rejected_status) && !f.passthrough {
        r.push(Refusal {
            key: "rejected_preflight_status",
            message: format!(
                "Spring answers a rejected preflight with 403, not {}; leave the key out",
                f.rejected_status
            ),
        });
    }
    if f.passthrough {
        r.push(Refusal {
            key: "preflight_passthrough",
            message: "Spring's CORS processing always answers preflights itself; remove the key"
                .to_owned(),
        });
    }
    r
}

/// A Java string literal.
fn java(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn java_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(java).collect();
    format!("List.of({})", items.join(", "))
}

/// A wildcard origin pattern in Spring's `allowedOriginPatterns` syntax.
fn spring_pattern(p: &OriginPattern) -> String {
    let star = if p.subdomains() { "*." } else { "" };
    let port = match p.port() {
        PortRule::Default => String::new(),
        PortRule::Exact(n) => format!(":{n}"),
        PortRule::Any => ":[*]".to_owned(),
    };
    format!("{}://{star}{}{port}", p.scheme(), p.host())
}

pub(super) fn render(f: &Facts<'_>) -> String {
    let mut out = banner("//", Stack::Spring, f);
    out.push_str(
        "//
// CORS for Spring (Spring Framework 6, Spring Boot 3). Save it as
// CorsPolicyConfig.java in a package your application scans, with that
// package's `package` line on top. With Spring Security, also call
// `http.cors(Customizer.withDefaults())` in your SecurityFilterChain (it
// uses the CorsConfigurationSource bean) and remove the corsFilter bean.
//
// UNTESTED: corsica's export tests run nginx, Caddy, Express, Django, Flask
// and FastAPI for real; Spring could not be run where they were written.
//
// Why it looks like this (where the usual configuration goes wrong):
// - allowedOrigins(\"*\") with allowCredentials(true) is refused by Spring at
//   startup, and allowedOriginPatterns(\"*\") with credentials reflects every
//   origin: neither is written;
// - wildcards are patterns of a host (https://*.example.com), never \"*\";
// - methods are listed, GET, HEAD and POST included (Spring rejects methods
//   it does not list, even the ones browsers never ask about).

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

@Configuration
public class CorsPolicyConfig {

    @Bean
    public CorsConfigurationSource corsConfigurationSource() {
        CorsConfiguration config = new CorsConfiguration();
",
    );
    if f.any_origin {
        out.push_str("        config.setAllowedOrigins(List.of(\"*\"));\n");
    } else {
        let exact = f.exact_origins();
        if !exact.is_empty() {
            let _ = writeln!(
                out,
                "        config.setAllowedOrigins({});",
                java_list(exact.iter().map(String::as_str))
            );
        }
        let patterns: Vec<String> = f
            .wildcard_patterns()
            .into_iter()
            .map(spring_pattern)
            .collect();
        if !patterns.is_empty() {
            let _ = writeln!(
                out,
                "        config.setAllowedOriginPatterns({});",
                java_list(patterns.iter().map(String::as_str))
            );
        }
    }
    if f.credentials {
        out.push_str("        config.setAllowCredentials(true);\n");
    }
    let methods: Vec<&str> = if f.methods.any {
        vec!["*"]
    } else {
        f.accepted_methods()
    };
    let _ = writeln!(
        out,
        "        config.setAllowedMethods({});",
        java_list(methods)
    );
    let mut headers: Vec<&str> = f.request_headers.names.iter().map(String::as_str).collect();
    if f.request_headers.any {
        headers.insert(0, "*");
    }
    if !headers.is_empty() {
        let _ = writeln!(
            out,
            "        config.setAllowedHeaders({});",
            java_list(headers)
        );
    }
    if f.expose.any || !f.expose.names.is_empty() {
        let mut expose: Vec<&str> = f.expose.names.iter().map(String::as_str).collect();
        if f.expose.any {
            expose.insert(0, "*");
        }
        let _ = writeln!(
            out,
            "        config.setExposedHeaders({});",
            java_list(expose)
        );
    }
    if let Some(max_age) = &f.max_age {
        let _ = writeln!(out, "        config.setMaxAge({max_age}L);");
    }
    if f.private_network {
        out.push_str("        config.setAllowPrivateNetwork(true); // Spring 6.1.3 or later\n");
    }
    out.push_str(
        "        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration(\"/**\", config);
        return source;
    }

    // Spring MVC without Spring Security: this filter applies the
    // configuration to every request, before any handler (errors included).
    @Bean
    public CorsFilter corsFilter(CorsConfigurationSource corsConfigurationSource) {
        return new CorsFilter(corsConfigurationSource);
    }
}
",
    );
    out
}
