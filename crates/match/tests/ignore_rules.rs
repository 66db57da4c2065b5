//! Ignore files: plain, YAML and TOML rules; ids and aliases, purls,
//! names and path globs; expiry; malformed files name the line or field.

use jiff::civil::date;
use tidewatch_match::{IgnoreFile, apply_ignore_files};
use tidewatch_types::{Finding, FixState, PackageRef, Severity};

fn finding(id: &str, aliases: &[&str], name: &str, purl: &str, path: &str) -> Finding {
    Finding {
        id: id.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        package: PackageRef {
            name: name.into(),
            version: "1.0".into(),
            ecosystem: None,
            purl: purl.into(),
        },
        fixed_versions: vec![],
        fix_state: FixState::NotFixed,
        severity: Severity::High,
        severity_source: None,
        cvss: vec![],
        kev: false,
        epss: None,
        title: None,
        data_source: "test".into(),
        path: Some(path.into()),
        layer: Some(0),
        vex_status: None,
    }
}

fn sample() -> Vec<Finding> {
    vec![
        finding(
            "PYSEC-2023-1",
            &["CVE-2023-0001", "GHSA-aaaa-bbbb-cccc"],
            "setuptools",
            "pkg:pypi/setuptools@58.1.0",
            "usr/local/lib/python3.11/site-packages/setuptools-58.1.0.dist-info/METADATA",
        ),
        finding(
            "CVE-2023-0002",
            &[],
            "libssl3",
            "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64&distro=debian-12.5",
            "var/lib/dpkg/status",
        ),
        finding(
            "CVE-2023-0003",
            &[],
            "lodash",
            "pkg:npm/lodash@4.17.15",
            "app/node_modules/lodash/package.json",
        ),
    ]
}

fn ids(v: &[Finding]) -> Vec<&str> {
    v.iter().map(|f| f.id.as_str()).collect()
}

#[test]
fn plain_ids_match_id_or_alias_with_comments() {
    let file = IgnoreFile::parse(
        "# accepted risks\n\ncve-2023-0001   # an alias, any case\nCVE-2023-0003 exp:2030-01-01\n",
        ".tidewatchignore",
    )
    .expect("parses");
    assert_eq!(file.len(), 2);
    let out = file.apply(sample(), date(2025, 6, 1));
    assert_eq!(ids(&out.kept), ["CVE-2023-0002"]);
    assert_eq!(out.suppressed.len(), 2);
    assert!(out.suppressed.iter().all(|s| s.reason == "ignore-file"));
    let detail = out.suppressed[0].detail.as_deref().unwrap_or("");
    assert!(detail.contains(".tidewatchignore line 3"), "{detail}");
    assert!(out.warnings.is_empty());
}

#[test]
fn expired_rules_stop_applying_and_warn() {
    let file = IgnoreFile::parse(
        "CVE-2023-0002 exp:2025-06-01\nCVE-2023-0003 exp:2025-06-02\n",
        ".tidewatchignore",
    )
    .expect("parses");
    // On the expiry date the rule has expired (as in Trivy).
    let out = file.apply(sample(), date(2025, 6, 1));
    assert_eq!(ids(&out.kept), ["PYSEC-2023-1", "CVE-2023-0002"]);
    assert_eq!(
        ids(&out
            .suppressed
            .iter()
            .map(|s| s.finding.clone())
            .collect::<Vec<_>>()),
        ["CVE-2023-0003"]
    );
    assert_eq!(out.warnings.len(), 1);
    let w = &out.warnings[0];
    assert_eq!(w.path, ".tidewatchignore");
    assert!(
        w.message.contains("line 1") && w.message.contains("expired on 2025-06-01"),
        "{}",
        w.message
    );
}

#[test]
fn yaml_rules_with_package_and_path() {
    let yaml = r#"
ignore:
  - id: CVE-2023-0002
    package: pkg:deb/debian/libssl3      # qualifiers ignored
    reason: not reachable from the service
    expires: 2030-01-01
  - package: lodash                      # every advisory of a package
    path: "/app/node_modules/**"
  - id: GHSA-aaaa-bbbb-cccc
    path: ["opt/**"]                     # wrong path: no match
"#;
    let file = IgnoreFile::parse(yaml, ".tidewatchignore.yaml").expect("parses");
    let out = file.apply(sample(), date(2025, 1, 1));
    assert_eq!(ids(&out.kept), ["PYSEC-2023-1"]);
    let details: Vec<&str> = out
        .suppressed
        .iter()
        .filter_map(|s| s.detail.as_deref())
        .collect();
    assert_eq!(
        details,
        [
            ".tidewatchignore.yaml rule 1: not reachable from the service (until 2030-01-01)",
            ".tidewatchignore.yaml rule 2",
        ]
    );
}

#[test]
fn toml_rules_with_native_dates_and_trivy_spelling_in_yaml() {
    let toml = r#"
[[ignore]]
id = "CVE-2023-0001"
package = ["pkg:pypi/SetupTools@58.1.0"]
expires = 2030-01-01

[[ignore]]
id = "CVE-2023-0002"
package = "pkg:deb/debian/libssl3?arch=arm64"   # other arch: no match
"#;
    let file = IgnoreFile::parse(toml, "tidewatch-ignore.toml").expect("parses");
    let out = file.apply(sample(), date(2025, 1, 1));
    assert_eq!(ids(&out.kept), ["CVE-2023-0002", "CVE-2023-0003"]);

    let trivy = "vulnerabilities:\n  - id: CVE-2023-0003\n    purls: [\"pkg:npm/lodash@4.17.15\"]\n    statement: accepted\n    expired_at: 2030-01-01\n";
    let file = IgnoreFile::parse(trivy, "x.yml").expect("parses");
    let out = apply_ignore_files(&[file], sample(), date(2025, 1, 1));
    assert_eq!(ids(&out.kept), ["PYSEC-2023-1", "CVE-2023-0002"]);
}

#[test]
fn malformed_files_name_the_line_or_field() {
    let cases: [(&str, &str, &str); 10] = [
        (
            ".tidewatchignore",
            "CVE-1\nCVE-2 because\n",
            ".tidewatchignore:2: unexpected \"because\"",
        ),
        (
            ".tidewatchignore",
            "CVE-1 exp:2025-13-01\n",
            ".tidewatchignore:1: invalid date \"2025-13-01\"",
        ),
        (
            ".tidewatchignore",
            "ignore:\n  - id: CVE-1\n",
            ".tidewatchignore:1: \"ignore:\" is not an advisory id",
        ),
        (
            "i.yaml",
            "ignore:\n  - id: CVE-1\n    expires: someday\n",
            "i.yaml:3: rule 1: expires: invalid date \"someday\"",
        ),
        (
            "i.yaml",
            "ignore:\n  - id: CVE-1\n    pakage: x\n",
            "i.yaml:3:5: unknown field `pakage`",
        ),
        (
            "i.yaml",
            "ignore:\n  - reason: nothing else\n",
            "i.yaml:2: rule 1: id: a rule needs at least one of id, package or path",
        ),
        (
            "i.toml",
            "[[ignore]]\nid = \"CVE-1\"\npath = \"a/[b\"\n",
            "i.toml:3: rule 1: path: invalid glob",
        ),
        // The line of the field in a later rule, in every spelling.
        (
            "i.toml",
            "# c\n\n[[ignore]]\nid = \"CVE-1\"\n\n[[ignore]]\nid = \"CVE-2\"\nreason = \"r\"\nexpires = \"someday\"\n",
            "i.toml:9: rule 2: expires: invalid date \"someday\"",
        ),
        (
            "i.yaml",
            "ignore:\n- {id: CVE-1}\n- {id: CVE-2, expires: soon}\n",
            "i.yaml:3: rule 2: expires: invalid date \"soon\"",
        ),
        (
            "i.yml",
            "vulnerabilities:\n  - id: CVE-1\n  - id: CVE-2\n    statement: r\n\n    expired_at: soon\n",
            "i.yml:6: rule 2: expires: invalid date \"soon\"",
        ),
    ];
    for (path, text, want) in cases {
        let err = IgnoreFile::parse(text, path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(want),
            "{path}: {text:?}: got {err:?}, want {want:?}"
        );
    }
    let err = IgnoreFile::parse("ignore = [", "i.toml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("i.toml:1:"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
    let err = IgnoreFile::parse("ignore:\n  - id: [1, 2\n", "i.yaml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("i.yaml:2:"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let err = IgnoreFile::load(std::path::Path::new("/nonexistent/.tidewatchignore"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("/nonexistent/.tidewatchignore"), "{err}");
}
