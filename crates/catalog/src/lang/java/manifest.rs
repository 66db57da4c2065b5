//! The main section of a JAR manifest (`META-INF/MANIFEST.MF`): `Name:
//! value` headers, continuation lines starting with one space, ended by
//! the first blank line. Per-entry sections after it describe single
//! classes and are ignored.

use std::collections::HashMap;

/// Parse the main section's headers (names as written; look them up with
/// [`get`], which ignores case as the JAR spec asks).
pub fn parse(text: &str) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = current.as_mut() {
                v.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = current.take() {
            out.insert(k.to_ascii_lowercase(), v);
        }
        if let Some((k, v)) = line.split_once(':') {
            current = Some((k.trim().to_string(), v.trim_start().to_string()));
        }
    }
    if let Some((k, v)) = current {
        out.insert(k.to_ascii_lowercase(), v);
    }
    out
}

/// A header's value, trimmed, if present and non-empty.
pub fn get<'a>(m: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    m.get(&name.to_ascii_lowercase())
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn main_section_with_continuations() {
        let m = parse(
            "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.log4j\r\n\
             Export-Package: org.apache.log4j;uses:=\"a\r\n ,b\"\r\nBundle-Version: 1.2.17\r\n\
             \r\nName: org/x/Y.class\r\nBundle-Version: 9\r\n",
        );
        assert_eq!(get(&m, "bundle-symbolicname"), Some("org.apache.log4j"));
        assert_eq!(
            get(&m, "Export-Package"),
            Some("org.apache.log4j;uses:=\"a,b\"")
        );
        assert_eq!(get(&m, "Bundle-Version"), Some("1.2.17"));
        assert_eq!(get(&m, "Name"), None);
    }
}
