//! `tidewatch fs` on a project that has both a lockfile and the installed
//! tree it describes: each package is reported once, with both locations.

mod common;

use common::*;

fn locations(report: &serde_json::Value, name: &str) -> Vec<Vec<String>> {
    report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] == name)
        .map(|p| {
            let mut v: Vec<String> = p["locations"]
                .as_array()
                .expect("locations")
                .iter()
                .map(|l| l["path"].as_str().unwrap_or_default().to_string())
                .collect();
            v.sort();
            v
        })
        .collect()
}

#[test]
fn lockfile_entries_of_installed_packages_are_not_counted_twice() {
    let env = Env::new();
    env.import(&[
        (
            "osv/npm/GHSA-aaaa-bbbb-cccc.json",
            &osv("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "0", "4.17.21"),
        ),
        (
            "osv/Packagist/GHSA-dddd-eeee-ffff.json",
            &osv(
                "GHSA-dddd-eeee-ffff",
                "Packagist",
                "monolog/monolog",
                "0",
                "1.25.0",
            ),
        ),
    ]);
    let root = env.path("root");
    write_file(
        &root,
        "app/package-lock.json",
        serde_json::json!({
            "name": "app", "lockfileVersion": 3,
            "packages": {
                "": {"name": "app"},
                "node_modules/lodash": {"version": "4.17.20"},
                "node_modules/minimist": {"version": "1.2.5"}
            }
        })
        .to_string()
        .as_bytes(),
    );
    write_file(
        &root,
        "app/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    write_file(
        &root,
        "app/composer.lock",
        br#"{"packages": [{"name": "monolog/monolog", "version": "1.24.0"}], "packages-dev": []}"#,
    );
    write_file(
        &root,
        "app/vendor/composer/installed.json",
        br#"{"packages": [{"name": "monolog/monolog", "version": "1.24.0"}]}"#,
    );
    // Another project pinning the same lodash without installing it is
    // its own finding.
    write_file(
        &root,
        "other/package-lock.json",
        serde_json::json!({
            "name": "other", "lockfileVersion": 3,
            "packages": {"": {"name": "other"}, "node_modules/lodash": {"version": "4.17.20"}}
        })
        .to_string()
        .as_bytes(),
    );
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        locations(&report, "lodash"),
        vec![
            vec![
                "app/node_modules/lodash/package.json".to_string(),
                "app/package-lock.json".to_string()
            ],
            vec!["other/package-lock.json".to_string()],
        ],
        "{report}"
    );
    assert_eq!(
        locations(&report, "minimist"),
        vec![vec!["app/package-lock.json".to_string()]]
    );
    assert_eq!(
        locations(&report, "monolog/monolog"),
        vec![vec![
            "app/composer.lock".to_string(),
            "app/vendor/composer/installed.json".to_string()
        ]],
        "{report}"
    );
    let ids: Vec<String> = findings(&report).into_iter().map(|f| f.2).collect();
    assert_eq!(
        ids,
        vec![
            "GHSA-aaaa-bbbb-cccc".to_string(),
            "GHSA-aaaa-bbbb-cccc".to_string(),
            "GHSA-dddd-eeee-ffff".to_string()
        ],
        "one lodash finding per project, one monolog finding"
    );
}
