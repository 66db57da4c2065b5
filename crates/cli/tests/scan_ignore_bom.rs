//! A `.tidewatchignore` saved with a UTF-8 byte-order mark (as Windows
//! editors write it) still suppresses its first id.

mod common;

use common::*;

#[test]
fn an_ignore_file_with_a_byte_order_mark_matches_its_first_id() {
    let env = Env::new();
    env.import(&[
        (
            "osv/npm/GHSA-aaaa-bbbb-cccc.json",
            &osv("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "0", "4.17.21"),
        ),
        (
            "osv/npm/GHSA-dddd-eeee-ffff.json",
            &osv("GHSA-dddd-eeee-ffff", "npm", "minimist", "0", "1.2.6"),
        ),
    ]);
    let root = env.path("root");
    write_file(
        &root,
        "app/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    write_file(
        &root,
        "app/node_modules/minimist/package.json",
        br#"{"name": "minimist", "version": "1.2.5"}"#,
    );
    for (name, body) in [
        (
            ".tidewatchignore",
            "\u{feff}GHSA-aaaa-bbbb-cccc\nGHSA-dddd-eeee-ffff\n",
        ),
        (
            "rules.yaml",
            "\u{feff}ignore:\n  - id: GHSA-aaaa-bbbb-cccc\n  - id: GHSA-dddd-eeee-ffff\n",
        ),
        (
            "rules.toml",
            "\u{feff}[[ignore]]\nid = \"GHSA-aaaa-bbbb-cccc\"\n[[ignore]]\nid = \"GHSA-dddd-eeee-ffff\"\n",
        ),
    ] {
        let path = env.path(name);
        std::fs::write(&path, body).expect("write ignore file");
        let extra: Vec<&str> = if name == ".tidewatchignore" {
            vec![]
        } else {
            vec!["--ignorefile", path.to_str().expect("utf8")]
        };
        let (code, report, stderr) = env.scan_json("fs", &root, &extra);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(findings(&report).is_empty(), "{name}: {report}");
        assert_eq!(report["summary"]["suppressed"], 2, "{name}: {report}");
        std::fs::remove_file(&path).expect("remove");
    }
}
