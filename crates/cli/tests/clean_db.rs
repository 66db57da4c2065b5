//! `tidewatch clean --vuln-db` / `--all` remove the database only when
//! the file is a tidewatch database: a mistyped `--db` must not delete
//! something else.

mod common;

use common::{Env, secdb};

#[test]
fn clean_refuses_to_delete_a_file_that_is_not_a_tidewatch_db() {
    let env = Env::new();
    let precious = env.path("precious.txt");
    std::fs::write(&precious, "my notes\n").expect("write");
    let layers = env.path("cache/layers");
    std::fs::create_dir_all(&layers).expect("mkdir");
    for flag in ["--vuln-db", "--all"] {
        let out = env.run(&["clean", flag, "--db", precious.to_str().expect("utf8")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(
            err.contains("precious.txt") && err.contains("not a tidewatch"),
            "{flag}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(&precious).expect("still there"),
            "my notes\n"
        );
        assert!(layers.is_dir(), "{flag}: the cache went before the refusal");
    }
    // A directory is not a database either.
    let dir = env.path("somedir");
    std::fs::create_dir_all(dir.join("inside")).expect("mkdir");
    let out = env.run(&["clean", "--vuln-db", "--db", dir.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(dir.join("inside").is_dir());
}

#[test]
fn clean_removes_a_tidewatch_db_and_is_quiet_when_there_is_none() {
    let env = Env::new();
    env.import(&[(
        "secdb/main.json",
        &secdb(&[("zlib", "1.2.12-r2", "CVE-2022-0001")]),
    )]);
    assert!(env.db().is_file());
    let out = env.run(&["clean", "--vuln-db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!env.db().exists());
    let out = env.run(&["clean", "--all"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
