//! `go.mod`: the modules a Go build requires, with `replace` directives
//! applied the way the go command applies them.
//!
//! Since Go 1.17 `go.mod` lists every module the build needs (indirect
//! ones marked `// indirect`), so `go.sum` is not needed for versions.
//! A `replace old [v] => new v` makes the build use `new@v`, which is what
//! we report; a replacement by a local directory (`=> ../fork`) is code
//! in the source tree, not a published module, and is not reported. The
//! main module (`module`) is the project itself and is not a dependency.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    /// `None` for a local directory.
    new_version: Option<String>,
}

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let mut requires: Vec<(String, String, bool)> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut block: Option<String> = None;
    let mut parsed = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let (code, comment) = match raw.split_once("//") {
            Some((c, k)) => (c.trim(), k.trim()),
            None => (raw.trim(), ""),
        };
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match &block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some(v) => (v.as_str(), code),
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(verb.to_string());
                    continue;
                }
                (verb, rest)
            }
        };
        match verb {
            "require" => {
                let f: Vec<&str> = args.split_whitespace().map(unquote).collect();
                match f.as_slice() {
                    [path, version] => requires.push((
                        path.to_string(),
                        version.to_string(),
                        comment.starts_with("indirect"),
                    )),
                    _ => parsed
                        .problems
                        .push(format!("line {lineno}: malformed require {args:?}")),
                }
            }
            "replace" => match parse_replace(args) {
                Some(r) => replaces.push(r),
                None => parsed
                    .problems
                    .push(format!("line {lineno}: malformed replace {args:?}")),
            },
            "module" | "go" | "toolchain" | "exclude" | "retract" | "godebug" | "tool"
            | "ignore" => {}
            other => {
                return Err(LockfileError::Format(format!(
                    "line {lineno}: unknown directive {other:?}"
                )));
            }
        }
    }
    if block.is_some() {
        return Err(LockfileError::Format("unterminated ( block".into()));
    }
    for (path, version, indirect) in requires {
        // A version-specific replacement wins over a path-wide one.
        let r = replaces
            .iter()
            .find(|r| r.old == path && r.old_version.as_deref() == Some(version.as_str()))
            .or_else(|| {
                replaces
                    .iter()
                    .find(|r| r.old == path && r.old_version.is_none())
            });
        let (name, version) = match r {
            Some(Replace {
                new_version: None, ..
            }) => continue,
            Some(Replace {
                new,
                new_version: Some(v),
                ..
            }) => (new.as_str(), v.as_str()),
            None => (path.as_str(), version.as_str()),
        };
        let mut p = package(Eco::Go, name, version);
        if indirect {
            p.metadata.insert("indirect".into(), "true".into());
        }
        if name != path {
            p.metadata.insert("replaces".into(), path.clone());
        }
        parsed.packages.push(p);
    }
    Ok(parsed)
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"').trim_matches('`')
}

fn parse_replace(args: &str) -> Option<Replace> {
    let (lhs, rhs) = args.split_once("=>")?;
    let l: Vec<&str> = lhs.split_whitespace().map(unquote).collect();
    let r: Vec<&str> = rhs.split_whitespace().map(unquote).collect();
    let (old, old_version) = match l.as_slice() {
        [o] => (o.to_string(), None),
        [o, v] => (o.to_string(), Some(v.to_string())),
        _ => return None,
    };
    let (new, new_version) = match r.as_slice() {
        [n] => (n.to_string(), None),
        [n, v] => (n.to_string(), Some(v.to_string())),
        _ => return None,
    };
    Some(Replace {
        old,
        old_version,
        new,
        new_version,
    })
}
