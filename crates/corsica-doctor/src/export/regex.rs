//! Origin patterns, method and header-name lists as regular expressions in
//! the syntax PCRE (nginx), Go RE2 (Caddy), JavaScript, Python `re` and
//! Java share: no lookaround, no possessive quantifiers, every literal
//! punctuation escaped (`\.`, `\/`), a backtick written `\x60` so the
//! expression also fits inside a backtick-quoted Caddyfile token.
//!
//! The expressions are unanchored bodies; each stack anchors them with its
//! own syntax (`^…$`, `\A…\Z`, `fullmatch`), because a pattern matched
//! from the start only (`re.match`, an unanchored `RegExp.test`) is how
//! `https://app.example.com.evil.net` gets in.

use corsica::policy::{OriginPattern, PortRule};

/// One or more subdomain labels and their dots, as an
/// [`OriginPattern::subdomains`] pattern allows before its host.
pub(crate) const LABELS: &str = r"(?:[a-z0-9_-]+\.)+";

/// An optional explicit port, as a `:*` pattern allows (the default port is
/// absent from a browser's `Origin`).
pub(crate) const ANY_PORT: &str = r"(?::[0-9]+)?";

/// An HTTP token (RFC 9110 `1*tchar`): what a method or a header name is.
pub(crate) const TOKEN: &str = r"[-!#$%&'*+.^_\x60|~0-9A-Za-z]+";

/// Escapes every ASCII punctuation character but `-`, `_`, `:` and `/`
/// (which no dialect treats specially outside a class; a JavaScript regex
/// literal escapes `/` itself).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '`' => out.push_str(r"\x60"),
            '-' | '_' | ':' | '/' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// One origin pattern, unanchored.
pub(crate) fn origin_pattern(p: &OriginPattern) -> String {
    let labels = if p.subdomains() { LABELS } else { "" };
    let port = match p.port() {
        PortRule::Default => String::new(),
        PortRule::Exact(n) => format!(":{n}"),
        PortRule::Any => ANY_PORT.to_owned(),
    };
    format!(
        "{}://{labels}{}{port}",
        escape(p.scheme()),
        escape(p.host())
    )
}

/// Origin patterns as one alternation, `(?:a|b)`, unanchored.
pub(crate) fn origins<'a>(patterns: impl IntoIterator<Item = &'a OriginPattern>) -> String {
    alternation(patterns.into_iter().map(origin_pattern))
}

/// Literal names as one alternation, `(?:a|b)`, unanchored.
pub(crate) fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    alternation(names.into_iter().map(escape))
}

fn alternation(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    format!("(?:{})", items.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_punctuation_but_hyphen_underscore_colon() {
        assert_eq!(
            escape("https://a-b_c.example.com"),
            r"https://a-b_c\.example\.com"
        );
        assert_eq!(escape("[::1]"), r"\[::1\]");
        assert_eq!(escape("x`y$"), r"x\x60y\$");
    }
}
