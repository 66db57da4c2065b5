//! `-o PATH` through the binary: a regular file is replaced atomically
//! with the usual permissions, but a symlink, a fifo or a device is
//! written to, never replaced.

mod common;

use common::{ALPINE_OS_RELEASE, Env, apk_db, secdb};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

fn setup() -> (Env, PathBuf) {
    let env = Env::new();
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        apk_db(&[("zlib", "1.2.12-r1", "zlib")]),
    )
    .expect("write");
    env.import(&[(
        "secdb/main.json",
        &secdb(&[("zlib", "1.2.12-r2", "CVE-2022-0001")]),
    )]);
    (env, root)
}

/// `tidewatch fs ROOT --format json -o OUT` under `umask` (set by `sh`
/// for the binary alone, with the test's environment), asserting success.
fn scan_to(env: &Env, root: &Path, out: &Path, umask: &str) {
    let base = env.cmd();
    let mut sh = std::process::Command::new("sh");
    sh.env_clear()
        .envs(
            base.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .current_dir(env.dir.path())
        .arg("-c")
        .arg(format!(
            "umask {umask} && exec \"$0\" fs \"$1\" --offline --format json -o \"$2\""
        ))
        .arg(env!("CARGO_BIN_EXE_tidewatch"))
        .arg(root)
        .arg(out);
    let result = sh.output().expect("run tidewatch");
    assert!(
        result.status.success(),
        "exit {:?}: {}",
        result.status.code(),
        String::from_utf8_lossy(&result.stderr)
    );
}

fn is_report(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .is_ok_and(|v| v.get("findings").is_some_and(|f| f.is_array()))
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777
}

#[test]
fn a_new_file_gets_the_default_mode_and_an_existing_one_keeps_its_mode() {
    let (env, root) = setup();
    let new = env.path("new.json");
    scan_to(&env, &root, &new, "022");
    assert!(is_report(&std::fs::read(&new).expect("read")));
    assert_eq!(mode(&new), 0o644, "0666 less the umask");

    let new2 = env.path("new2.json");
    scan_to(&env, &root, &new2, "027");
    assert_eq!(mode(&new2), 0o640);

    let existing = env.path("existing.json");
    std::fs::write(&existing, "old").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    scan_to(&env, &root, &existing, "077");
    assert!(is_report(&std::fs::read(&existing).expect("read")));
    assert_eq!(mode(&existing), 0o664, "an existing report keeps its mode");
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let (env, root) = setup();
    std::fs::create_dir_all(env.path("reports")).expect("mkdir");
    let real = env.path("reports/real.json");
    std::fs::write(&real, "old").expect("write");
    let link = env.path("link.json");
    std::os::unix::fs::symlink("reports/real.json", &link).expect("symlink");
    scan_to(&env, &root, &link, "022");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    assert!(is_report(&std::fs::read(&real).expect("read")));

    // A dangling link: its target is created.
    let dangling = env.path("dangling.json");
    std::os::unix::fs::symlink("reports/later.json", &dangling).expect("symlink");
    scan_to(&env, &root, &dangling, "022");
    assert!(
        std::fs::symlink_metadata(&dangling)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
    assert!(is_report(
        &std::fs::read(env.path("reports/later.json")).expect("read")
    ));
}

#[test]
fn a_fifo_is_written_to_not_replaced() {
    let (env, root) = setup();
    let fifo = env.path("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Read the pipe while tidewatch writes into it.
    let mut reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cat");
    scan_to(&env, &root, &fifo, "022");
    let still_fifo = std::fs::symlink_metadata(&fifo)
        .expect("lstat")
        .file_type()
        .is_fifo();
    if !still_fifo {
        // Nobody will ever write to the pipe cat is waiting on.
        let _ = reader.kill();
        let _ = reader.wait();
        panic!("the fifo was replaced");
    }
    let got = reader.wait_with_output().expect("cat").stdout;
    assert!(is_report(&got), "{}", String::from_utf8_lossy(&got));
}

/// `/dev/null` through a symlink in the test's directory: it must stay a
/// character device (the real one is only ever opened for writing).
#[test]
fn a_character_device_is_written_to_not_replaced() {
    let (env, root) = setup();
    let null = Path::new("/dev/null");
    if !std::fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
        eprintln!("skipped: /dev/null is not a character device here");
        return;
    }
    let link = env.path("null-link");
    std::os::unix::fs::symlink(null, &link).expect("symlink");
    scan_to(&env, &root, &link, "022");
    assert!(
        std::fs::metadata(null)
            .expect("stat")
            .file_type()
            .is_char_device()
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
}

/// A report in a directory we may not create files in (a shared
/// `reports/` owned by someone else) is rewritten in place.
#[test]
fn a_report_in_a_read_only_directory_is_rewritten_in_place() {
    let (env, root) = setup();
    let dir = env.path("ro");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let report = dir.join("report.json");
    std::fs::write(&report, "old").expect("write");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(dir.join("probe"), "").is_ok() {
        eprintln!("skipped: running as root, the directory stays writable");
        return;
    }
    scan_to(&env, &root, &report, "022");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(is_report(&std::fs::read(&report).expect("read")));
}

/// Root rewriting a user's report leaves it the user's.
#[test]
fn an_existing_report_keeps_its_owner() {
    use std::os::unix::fs::MetadataExt;
    let (env, root) = setup();
    let report = env.path("owned.json");
    std::fs::write(&report, "old").expect("write");
    if std::os::unix::fs::chown(&report, Some(65534), Some(65534)).is_err() {
        eprintln!("skipped: not root, cannot give a file away");
        return;
    }
    scan_to(&env, &root, &report, "022");
    let meta = std::fs::metadata(&report).expect("stat");
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert!(is_report(&std::fs::read(&report).expect("read")));
}
