//! The name a package is stored under in the database, per ecosystem.

/// The key under which a package of `ecosystem` is looked up. Feeds spell
/// some names loosely (PyPI's `PyYAML` vs `pyyaml`, NuGet's case), so both
/// the importer and the matcher use this one normalisation.
pub fn lookup_name(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => pep503(name),
        "NuGet" | "Packagist" => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// PEP 503: lower case, runs of `-`, `_`, `.` become one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_pep503_normalised() {
        assert_eq!(lookup_name("PyPI", "PyYAML"), "pyyaml");
        assert_eq!(lookup_name("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(lookup_name("PyPI", "Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(lookup_name("npm", "@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(lookup_name("Debian:12", "libssl3"), "libssl3");
    }
}
