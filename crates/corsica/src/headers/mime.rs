//! The MIME Sniffing Standard's "parse a MIME type", as the Fetch Standard
//! uses it for the `Content-Type` safelist rule.
//!
//! Input is a string of code points, here `char`s; Fetch passes the
//! isomorphic decoding of the header value, so every `char` is at most
//! U+00FF.

/// A parsed MIME type record.
///
/// <https://mimesniff.spec.whatwg.org/#mime-type>
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MimeType {
    /// ASCII lowercase type.
    pub(crate) type_: String,
    /// ASCII lowercase subtype.
    pub(crate) subtype: String,
    /// Parameters in insertion order, names ASCII lowercase, first wins.
    pub(crate) parameters: Vec<(String, String)>,
}

impl MimeType {
    /// <https://mimesniff.spec.whatwg.org/#mime-type-essence>
    pub(crate) fn essence(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }
}

/// <https://mimesniff.spec.whatwg.org/#http-whitespace>
fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t' | ' ')
}

/// <https://mimesniff.spec.whatwg.org/#http-token-code-point>
fn is_http_token_code_point(c: char) -> bool {
    matches!(
        c,
        '!' | '#' | '$' | '%' | '&' | '\'' | '*' | '+' | '-' | '.' | '^' | '_' | '`' | '|' | '~'
    ) || c.is_ascii_alphanumeric()
}

/// <https://mimesniff.spec.whatwg.org/#http-quoted-string-token-code-point>
fn is_http_quoted_string_token_code_point(c: char) -> bool {
    matches!(c, '\t' | ' '..='~' | '\u{80}'..='\u{FF}')
}

/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>
pub(crate) fn parse_mime_type(input: &str) -> Option<MimeType> {
    // Step 1: remove leading and trailing HTTP whitespace.
    let input: Vec<char> = input.trim_matches(is_http_whitespace).chars().collect();
    // Step 2.
    let mut pos = 0;
    // Step 3: type = collect code points that are not `/`.
    let type_ = collect(&input, &mut pos, |c| c != '/');
    // Step 4.
    if type_.is_empty() || !type_.chars().all(is_http_token_code_point) {
        return None;
    }
    // Step 5.
    if pos >= input.len() {
        return None;
    }
    // Step 6: skip `/`.
    pos += 1;
    // Step 7: subtype = collect code points that are not `;`.
    let subtype = collect(&input, &mut pos, |c| c != ';');
    // Step 8: remove trailing HTTP whitespace.
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    // Step 9.
    if subtype.is_empty() || !subtype.chars().all(is_http_token_code_point) {
        return None;
    }
    // Step 10.
    let mut mime = MimeType {
        type_: type_.to_ascii_lowercase(),
        subtype: subtype.to_ascii_lowercase(),
        parameters: Vec::new(),
    };
    // Step 11.
    while pos < input.len() {
        // Step 11.1: skip `;`.
        pos += 1;
        // Step 11.2: skip HTTP whitespace.
        collect(&input, &mut pos, is_http_whitespace);
        // Step 11.3: parameterName = collect code points not `;` or `=`.
        let name = collect(&input, &mut pos, |c| c != ';' && c != '=');
        // Step 11.4.
        let name = name.to_ascii_lowercase();
        // Step 11.5.
        if pos < input.len() {
            if input[pos] == ';' {
                continue;
            }
            // Skip `=`.
            pos += 1;
        }
        // Step 11.6.
        if pos >= input.len() {
            break;
        }
        // Step 11.7-11.9.
        let value = if input[pos] == '"' {
            // Step 11.8: a quoted string with extract-value true, then
            // discard up to the next `;`.
            let value = collect_http_quoted_string_value(&input, &mut pos);
            collect(&input, &mut pos, |c| c != ';');
            value
        } else {
            // Step 11.9.
            let value = collect(&input, &mut pos, |c| c != ';');
            let value = value.trim_end_matches(is_http_whitespace).to_owned();
            if value.is_empty() {
                continue;
            }
            value
        };
        // Step 11.10.
        if !name.is_empty()
            && name.chars().all(is_http_token_code_point)
            && value.chars().all(is_http_quoted_string_token_code_point)
            && !mime.parameters.iter().any(|(n, _)| *n == name)
        {
            mime.parameters.push((name, value));
        }
    }
    // Step 12.
    Some(mime)
}

/// Infra: collect a sequence of code points.
fn collect(input: &[char], pos: &mut usize, keep: impl Fn(char) -> bool) -> String {
    let start = *pos;
    while *pos < input.len() && keep(input[*pos]) {
        *pos += 1;
    }
    input[start..*pos].iter().collect()
}

/// Fetch: collect an HTTP quoted string, with extract-value true.
///
/// <https://fetch.spec.whatwg.org/#collect-an-http-quoted-string>
fn collect_http_quoted_string_value(input: &[char], pos: &mut usize) -> String {
    let mut value = String::new();
    // Step 4: skip the opening `"`.
    *pos += 1;
    loop {
        // Step 5.1.
        value.push_str(&collect(input, pos, |c| c != '"' && c != '\\'));
        // Step 5.2.
        if *pos >= input.len() {
            break;
        }
        // Steps 5.3-5.4.
        let quote_or_backslash = input[*pos];
        *pos += 1;
        if quote_or_backslash == '\\' {
            // Step 5.5.
            if *pos >= input.len() {
                value.push('\\');
                break;
            }
            value.push(input[*pos]);
            *pos += 1;
        } else {
            // Step 5.6.
            break;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn essence(s: &str) -> Option<String> {
        parse_mime_type(s).map(|m| m.essence())
    }

    #[test]
    fn types_and_subtypes() {
        assert_eq!(
            essence("Text/Plain;charset=utf-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(essence(" \ttext/html \r\n").as_deref(), Some("text/html"));
        assert_eq!(essence("text/plain ;x=y").as_deref(), Some("text/plain"));
        assert_eq!(essence("text /plain"), None);
        assert_eq!(essence("text/plain,"), None);
        assert_eq!(essence("text/plain,x/x"), None);
        assert_eq!(essence("text"), None);
        assert_eq!(essence("/plain"), None);
        assert_eq!(essence("text/"), None);
        assert_eq!(essence("text/;x"), None);
        assert_eq!(essence("te\u{e9}xt/plain"), None);
    }

    #[test]
    fn parameters() {
        let m =
            parse_mime_type("text/plain; Charset=\"ut\\f-8\" junk; charset=latin1;;x;y=;z=\"\\")
                .unwrap();
        assert_eq!(
            m.parameters,
            vec![
                ("charset".to_owned(), "utf-8".to_owned()),
                ("z".to_owned(), "\\".to_owned())
            ]
        );
        let m = parse_mime_type("a/b;q=\"x;y\";r=1 ").unwrap();
        assert_eq!(
            m.parameters,
            vec![
                ("q".to_owned(), "x;y".to_owned()),
                ("r".to_owned(), "1".to_owned())
            ]
        );
        // An invalid parameter value is dropped, not a failure.
        let m = parse_mime_type("a/b;q=\u{1}").unwrap();
        assert!(m.parameters.is_empty());
    }
}
