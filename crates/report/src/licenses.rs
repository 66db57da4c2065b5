//! Package licences as SBOM formats want them. Catalogers record what the
//! package says (`MIT`, `Apache-2.0 OR MIT`, `MIT License`, `GPL-2+`); only
//! strings that are valid SPDX expressions (checked with the `spdx` crate,
//! strict mode: exact ids, no `/` for OR) are passed on as expressions.
//! Everything else stays a free-text name (CycloneDX) or becomes a
//! `LicenseRef-` with the original text attached (SPDX), so no SBOM ever
//! claims a licence the package did not state.

/// Whether `s` is a valid SPDX licence expression as written.
pub(crate) fn is_spdx_expression(s: &str) -> bool {
    !s.trim().is_empty() && spdx::Expression::parse_mode(s, spdx::ParseMode::STRICT).is_ok()
}

/// One expression for all of a package's licences when every one is a
/// valid SPDX expression: joined with AND (a package that names two
/// licences is bound by both as far as we can tell), compound parts in
/// parentheses.
pub(crate) fn spdx_expression(licenses: &[String]) -> Option<String> {
    if licenses.is_empty() || !licenses.iter().all(|l| is_spdx_expression(l)) {
        return None;
    }
    Some(join_and(licenses.iter().map(|l| l.trim().to_string())))
}

/// `a AND (b OR c)`: parts with operators get parentheses.
pub(crate) fn join_and(parts: impl Iterator<Item = String>) -> String {
    let parts: Vec<String> = parts.collect();
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    parts
        .into_iter()
        .map(|p| if p.contains(' ') { format!("({p})") } else { p })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `LicenseRef-MIT-License` for `MIT License`: SPDX allows only letters,
/// digits, `.` and `-` after the prefix.
pub(crate) fn license_ref_id(name: &str) -> String {
    let mut s = String::from("LicenseRef-");
    let mut last_dash = true;
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            s.push(c);
            last_dash = false;
        } else if !last_dash {
            s.push('-');
            last_dash = true;
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s == "LicenseRef" {
        s.push_str("-unnamed");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_expressions_pass() {
        assert!(is_spdx_expression("MIT"));
        assert!(is_spdx_expression("Apache-2.0 OR MIT"));
        assert!(!is_spdx_expression("MIT License"));
        assert!(!is_spdx_expression("GPL-2+"));
        assert!(!is_spdx_expression("MIT/Apache-2.0"));
        assert!(!is_spdx_expression(""));
        assert_eq!(
            spdx_expression(&["MIT".into(), "Apache-2.0 OR MIT".into()]).as_deref(),
            Some("MIT AND (Apache-2.0 OR MIT)")
        );
        assert_eq!(spdx_expression(&["MIT".into(), "BSD".into()]), None);
        assert_eq!(spdx_expression(&[]), None);
    }

    #[test]
    fn license_refs_are_sanitised() {
        assert_eq!(license_ref_id("MIT License"), "LicenseRef-MIT-License");
        assert_eq!(license_ref_id(" GPL-2+ "), "LicenseRef-GPL-2");
        assert_eq!(license_ref_id("é/é"), "LicenseRef-unnamed");
    }
}
