//! Environment variables and list flags through the binary: an empty
//! `TIDEWATCH_*` variable is unset, an empty element in a list flag is an
//! error naming the flag, boolean variables take the usual spellings.

mod common;

use common::{ALPINE_OS_RELEASE, Env, apk_db, findings, secdb};
use std::path::PathBuf;

const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

/// zlib: CRITICAL (NVD); busybox: UNKNOWN (no score anywhere).
fn setup() -> (Env, PathBuf) {
    let env = Env::new();
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        apk_db(&[
            ("zlib", "1.2.12-r1", "zlib"),
            ("busybox", "1.36.0-r0", "busybox"),
        ]),
    )
    .expect("write");
    let nvd = serde_json::json!({"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [
        {"cve": {"id": "CVE-2022-0001", "metrics": {"cvssMetricV31": [{
            "source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "3.1", "vectorString": CRITICAL}}]}}}
    ]});
    env.import(&[
        (
            "secdb/main.json",
            &secdb(&[
                ("zlib", "1.2.12-r2", "CVE-2022-0001"),
                ("busybox", "1.36.0-r1", "CVE-2022-0002"),
            ]),
        ),
        ("nvd.json", &nvd.to_string()),
    ]);
    (env, root)
}

/// Scan `root` as JSON with extra arguments and environment; gives
/// (exit code, sorted finding ids or None when stdout is not a report, stderr).
fn scan(
    env: &Env,
    root: &std::path::Path,
    args: &[&str],
    vars: &[(&str, &str)],
) -> (i32, Option<Vec<String>>, String) {
    let mut c = env.cmd();
    c.args([
        "fs",
        root.to_str().expect("utf8"),
        "--offline",
        "--format",
        "json",
    ])
    .args(args)
    .envs(vars.iter().copied());
    let out = c.output().expect("run tidewatch");
    let ids = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .map(|r| {
            let mut ids: Vec<String> = findings(&r).into_iter().map(|f| f.2).collect();
            ids.sort();
            ids
        });
    (
        out.status.code().unwrap_or(-1),
        ids,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let (env, root) = setup();
    let both = Some(vec![
        "CVE-2022-0001".to_string(),
        "CVE-2022-0002".to_string(),
    ]);

    let (code, ids, err) = scan(
        &env,
        &root,
        &["--fail-on", "HIGH"],
        &[("TIDEWATCH_SEVERITY", "")],
    );
    assert_eq!((code, &ids), (1, &both), "{err}");

    let (code, ids, err) = scan(&env, &root, &[], &[("TIDEWATCH_FAIL_ON", "")]);
    assert_eq!((code, &ids), (0, &both), "no gate: {err}");

    // Every kind of flag: values, lists, booleans.
    let (code, ids, err) = scan(
        &env,
        &root,
        &[],
        &[
            ("TIDEWATCH_EXIT_CODE", ""),
            ("TIDEWATCH_PKG_TYPES", ""),
            ("TIDEWATCH_VEX", ""),
            ("TIDEWATCH_OUTPUT", ""),
            ("TIDEWATCH_IGNORE_UNFIXED", ""),
            ("TIDEWATCH_QUIET", ""),
            ("TIDEWATCH_CONFIG", ""),
            ("TIDEWATCH_DB_MAX_AGE", ""),
        ],
    );
    assert_eq!((code, &ids), (0, &both), "{err}");

    // A set variable still applies.
    let (code, ids, err) = scan(&env, &root, &[], &[("TIDEWATCH_SEVERITY", "critical")]);
    assert_eq!(
        (code, ids),
        (0, Some(vec!["CVE-2022-0001".to_string()])),
        "{err}"
    );
}

#[test]
fn an_empty_element_in_a_list_flag_is_an_error_naming_the_flag() {
    let (env, root) = setup();
    for (args, flag) in [
        (&["--severity", ""][..], "--severity"),
        (&["--severity", "CRITICAL,"][..], "--severity"),
        (&["--severity", ",HIGH"][..], "--severity"),
        (&["--fail-on", ""][..], "--fail-on"),
        (&["--pkg-types", "os,"][..], "--pkg-types"),
        (&["--vex", ""][..], "--vex"),
    ] {
        let (code, ids, err) = scan(&env, &root, args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(ids, None, "{args:?} printed a report");
        assert!(
            err.contains(flag) && err.contains("empty"),
            "{args:?}: {err}"
        );
    }
    let (code, _, err) = scan(&env, &root, &[], &[("TIDEWATCH_SEVERITY", "HIGH,")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--severity"), "{err}");
}

#[test]
fn boolean_variables_take_the_usual_spellings() {
    let (env, root) = setup();
    for yes in ["1", "yes", "TRUE", "On", "true"] {
        let (code, ids, err) = scan(&env, &root, &[], &[("TIDEWATCH_QUIET", yes)]);
        assert_eq!(code, 0, "{yes}: {err}");
        assert!(ids.is_some());
        assert!(err.is_empty(), "TIDEWATCH_QUIET={yes} is quiet: {err}");
    }
    for no in ["0", "no", "False", "off"] {
        let (code, _, err) = scan(&env, &root, &[], &[("TIDEWATCH_QUIET", no)]);
        assert_eq!(code, 0, "{no}: {err}");
        assert!(err.contains("warning:"), "TIDEWATCH_QUIET={no}: {err}");
    }
    let (code, _, err) = scan(&env, &root, &[], &[("TIDEWATCH_QUIET", "maybe")]);
    assert_eq!(code, 2, "{err}");
}
