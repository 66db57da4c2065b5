//! Installed Ruby gems: `**/specifications/*.gemspec` and default gems in
//! `**/specifications/default/*.gemspec`.
//!
//! Installed specifications are Ruby code that RubyGems generates; we
//! never evaluate it. The assignments RubyGems writes are regular:
//! `s.name = "rake".freeze`, `s.version = "13.0.3"` (or
//! `Gem::Version.new("13.0.3")`), `s.licenses = ["MIT".freeze]`, where `s`
//! is the block variable of `Gem::Specification.new do |s|`. We read those
//! string literals (double- and single-quoted, `%q<…>` forms) and nothing
//! else. An assignment on another receiver than the block variable is
//! not the gem's (and marks a malformed file).

use crate::lang::lockfiles::identity::{Eco, library};
use crate::lang::lockfiles::{keep_text, read_text};
use crate::{Cataloger, Output};
use tidewatch_image::{Files, Want};
use tidewatch_types::OsInfo;

#[derive(Debug, Default)]
pub struct GemspecCataloger;

fn is_spec(path: &str) -> bool {
    let Some((dir, file)) = path.rsplit_once('/') else {
        return false;
    };
    if !file.ends_with(".gemspec") || file.len() == ".gemspec".len() {
        return false;
    }
    let dir = dir.strip_suffix("/default").unwrap_or(dir);
    dir == "specifications" || dir.ends_with("/specifications")
}

impl Cataloger for GemspecCataloger {
    fn name(&self) -> &'static str {
        "gemspec"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        if is_spec(path) {
            keep_text(path, size)
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, _) in files.iter() {
            if !is_spec(path) {
                continue;
            }
            let Some(text) = read_text(files, path, out) else {
                continue;
            };
            match parse_gemspec(&text) {
                Ok(g) => {
                    let mut p = library(
                        Eco::RubyGems,
                        &g.name,
                        &g.version,
                        crate::location(files, path),
                    );
                    p.licenses = g.licenses;
                    if path.contains("/specifications/default/")
                        || path.starts_with("specifications/default/")
                    {
                        p.metadata.insert("default-gem".into(), "true".into());
                    }
                    out.packages.push(p);
                }
                Err(e) => out.warn(path, format!("malformed gemspec: {e}")),
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Gemspec {
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

pub(crate) fn parse_gemspec(text: &str) -> Result<Gemspec, String> {
    let var = block_variable(text);
    let (mut name, mut version, mut licenses) = (None, None, Vec::new());
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        // `==`, `>=` and friends are not assignments.
        if rhs.starts_with(['=', '~']) || lhs.ends_with(['!', '<', '>', '=']) {
            continue;
        }
        let Some((recv, attr)) = lhs.trim().split_once('.') else {
            continue;
        };
        if var.is_some_and(|v| v != recv) || !is_ident(recv) {
            continue;
        }
        let rhs = rhs.trim();
        match attr.trim() {
            "name" => {
                name = Some(string_expr(rhs).ok_or_else(|| format!("unreadable name in {line:?}"))?)
            }
            "version" => {
                version = Some(
                    version_expr(rhs).ok_or_else(|| format!("unreadable version in {line:?}"))?,
                )
            }
            "license" | "licenses" => licenses = string_list(rhs),
            _ => {}
        }
    }
    let name = name.filter(|n| !n.trim().is_empty()).ok_or("no gem name")?;
    let version = version
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("no version for {name}"))?;
    Ok(Gemspec {
        name,
        version,
        licenses,
    })
}

/// `s` in `Gem::Specification.new do |s|`.
fn block_variable(text: &str) -> Option<&str> {
    let at = text.find("Gem::Specification.new")?;
    let rest = text.get(at..)?;
    let open = rest.find('|')?;
    let after = rest.get(open + 1..)?;
    let close = after.find('|')?;
    let v = after.get(..close)?.trim();
    is_ident(v).then_some(v)
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `"x"`, `"x".freeze`, `Gem::Version.new("x")`.
fn version_expr(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("Gem::Version.new(") {
        return string_literal(inner.trim_start()).map(|(v, _)| v);
    }
    string_expr(s)
}

fn string_expr(s: &str) -> Option<String> {
    string_literal(s.trim()).map(|(v, _)| v)
}

/// Every string literal of `["a".freeze, "b"]` or a single `"a"`.
fn string_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim().trim_start_matches('[');
    while let Some((v, after)) = string_literal(rest.trim_start()) {
        if !v.trim().is_empty() {
            out.push(v);
        }
        let after = after.trim_start();
        let after = after.strip_prefix(".freeze").unwrap_or(after).trim_start();
        match after.strip_prefix(',') {
            Some(a) => rest = a,
            None => break,
        }
    }
    out
}

/// One Ruby string literal at the start of `s`, and what follows it.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    let (close, escapes, body_start) = match first {
        '"' => ('"', true, 1),
        '\'' => ('\'', false, 1),
        '%' => {
            let mut it = s.get(1..)?.chars();
            let (kind, delim) = match it.next()? {
                c @ ('q' | 'Q') => (c, it.next()?),
                c => ('Q', c),
            };
            let close = match delim {
                '<' => '>',
                '{' => '}',
                '(' => ')',
                '[' => ']',
                c if c.is_ascii_punctuation() => c,
                _ => return None,
            };
            let start = if kind == 'Q' && s.get(1..2) != Some("Q") {
                2
            } else {
                3
            };
            (close, kind == 'Q', start)
        }
        _ => return None,
    };
    let body = s.get(body_start..)?;
    let mut out = String::new();
    let mut it = body.char_indices();
    while let Some((i, c)) = it.next() {
        if c == close {
            return Some((out, body.get(i + c.len_utf8()..)?));
        }
        if c == '\\' {
            let (_, e) = it.next()?;
            match (escapes, e) {
                (true, 'n') => out.push('\n'),
                (true, 't') => out.push('\t'),
                (true, 'u') => {
                    let hex: String = (0..4).filter_map(|_| it.next().map(|(_, h)| h)).collect();
                    out.push(
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{fffd}'),
                    );
                }
                (_, e) if e == close || e == '\\' => out.push(e),
                (false, e) => {
                    out.push('\\');
                    out.push(e);
                }
                (true, e) => out.push(e),
            }
            continue;
        }
        out.push(c);
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(
            string_literal(r#""rake".freeze"#),
            Some(("rake".into(), ".freeze"))
        );
        assert_eq!(string_literal("'a\\'b'"), Some(("a'b".into(), "")));
        assert_eq!(
            string_literal("%q<power_assert>.freeze"),
            Some(("power_assert".into(), ".freeze"))
        );
        assert_eq!(
            string_literal(r#""Andr\u00E9""#),
            Some(("André".into(), ""))
        );
        assert_eq!(string_literal(r#""unterminated"#), None);
        assert_eq!(string_literal("%"), None);
        assert_eq!(
            version_expr(r#"Gem::Version.new("1.2.3")"#).as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            string_list(r#"["Ruby".freeze,"BSDL".freeze, "PSFL".freeze]"#),
            ["Ruby", "BSDL", "PSFL"]
        );
        assert_eq!(string_list(r#""MIT" # invalid"#), ["MIT"]);
    }

    #[test]
    fn spec_paths() {
        assert!(is_spec(
            "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.3.gemspec"
        ));
        assert!(is_spec(
            "usr/local/lib/ruby/gems/specifications/default/json-2.6.1.gemspec"
        ));
        assert!(!is_spec("app/rake.gemspec"));
        assert!(!is_spec("specifications/.gemspec"));
    }

    #[test]
    fn receiver_must_be_the_block_variable() {
        let text = "Gem::Specification.new do |spec|\n  s.name = \"async\"\n  s.version = \"1.25.0\"\nend\n";
        assert!(parse_gemspec(text).is_err());
        let text = "Gem::Specification.new do |spec|\n  spec.name = \"async\" # c\n  spec.version = \"1.25.0\"\nend\n";
        assert_eq!(parse_gemspec(text).unwrap().name, "async");
    }
}
