//! Path hygiene for names that come from image contents. Every path the
//! crate keys on is relative to the image root, `/`-separated, with no
//! empty, `.` or `..` components; nothing here ever touches the host
//! filesystem, so a hostile name can at worst be refused.

/// Names longer than this are refused (Linux's PATH_MAX).
pub(crate) const MAX_PATH: usize = 4096;

/// Normalise a tar entry name. A leading `/` or `./` is dropped (layers
/// written by different tools disagree on it); `..` that would climb above
/// the root, NUL bytes and overlong names are refused with the reason.
/// `Ok(None)` is the root itself. Non-UTF-8 bytes are replaced (U+FFFD):
/// none of the files catalogers read have such names.
pub(crate) fn normalise_entry(raw: &[u8]) -> Result<Option<String>, &'static str> {
    if raw.contains(&0) {
        return Err("the name contains a NUL byte");
    }
    if raw.len() > MAX_PATH {
        return Err("the name is longer than 4096 bytes");
    }
    let text = String::from_utf8_lossy(raw);
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("the name climbs above the image root with '..'");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        Ok(None)
    } else {
        Ok(Some(parts.join("/")))
    }
}

/// The parent directory of a normalised path (`""` for top-level names).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// Every proper ancestor of a normalised path, nearest first
/// (`a/b/c` → `a/b`, `a`).
pub(crate) fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        let (p, _) = rest.rsplit_once('/')?;
        rest = p;
        Some(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_entry_names() {
        assert_eq!(
            normalise_entry(b"./etc/os-release"),
            Ok(Some("etc/os-release".into()))
        );
        assert_eq!(normalise_entry(b"/etc//x/./y/"), Ok(Some("etc/x/y".into())));
        assert_eq!(normalise_entry(b"a/../b"), Ok(Some("b".into())));
        assert_eq!(normalise_entry(b"./"), Ok(None));
        assert!(normalise_entry(b"../etc/passwd").is_err());
        assert!(normalise_entry(b"a/../../etc/passwd").is_err());
        assert!(normalise_entry(b"a\0b").is_err());
        assert!(normalise_entry("x".repeat(5000).as_bytes()).is_err());
    }

    #[test]
    fn ancestors_and_parent() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), vec!["a/b", "a"]);
        assert_eq!(ancestors("a").count(), 0);
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
    }
}
