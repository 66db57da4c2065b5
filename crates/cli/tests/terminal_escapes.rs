//! Image-controlled text never reaches the terminal raw: the table and
//! the messages on stderr show control characters as `\xNN`.

mod common;

use common::{ALPINE_OS_RELEASE, Env, secdb};

const EVIL: &str = "evil\u{1b}]0;PWNED\u{7}\u{9b}2J";

#[test]
fn escape_sequences_from_the_image_are_shown_not_sent() {
    let env = Env::new();
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    // A package whose name and version carry an OSC title sequence and a
    // C1 CSI, plus a record the reader warns about, quoting its bytes.
    let installed = format!(
        "P:{EVIL}\nV:1.0-r0\no:{EVIL}\n\nP:zlib\nV:1.2.12-r1\no:zlib\n\nP:broken\nV:\nX:{EVIL}\n\n"
    );
    std::fs::write(root.join("lib/apk/db/installed"), installed).expect("write");
    env.import(&[(
        "secdb/main.json",
        &secdb(&[
            (EVIL, "9.9-r0", "CVE-2022-0001"),
            ("zlib", "1.2.12-r2", "CVE-2022-0002"),
        ]),
    )]);
    let root_s = root.to_str().expect("utf8");
    for extra in [
        &[][..],
        &["--list-all-pkgs"][..],
        &["--group-by", "layer"][..],
    ] {
        let mut args = vec!["fs", root_s, "--offline", "--format", "table"];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stdout.contains("zlib"), "{stdout}");
        assert!(
            stdout.contains("evil\\x1b]0;PWNED\\x07\\x9b2J"),
            "{extra:?}: the name is shown escaped: {stdout}"
        );
        for (what, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{9b}']),
                "{extra:?}: raw control characters on {what}: {text:?}"
            );
        }
    }

    // An error quoting a path given on the command line.
    let bad = env.path(&format!("missing{EVIL}"));
    let out = env.run(&["fs", bad.to_str().expect("utf8"), "--offline"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("missing") && stderr.contains("\\x1b"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
