//! kill -9 at any moment of `tidewatch db import` and `db update`: the DB
//! path always opens as either the previous or the new complete database
//! (SQLite's integrity check passes, the record counts are one set or the
//! other), and what a killed run leaves behind is cleaned up by the next
//! run instead of breaking it.

mod common;

use common::Env;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tidewatch_db::Db;

/// An OSV JSON array of `n` PyPI records, big enough that a build takes a
/// while, so kills land inside it.
fn osv_array(n: usize, fixed: &str) -> String {
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "schema_version": "1.6.0", "id": format!("PYSEC-{i}"), "modified": "2024-01-01T00:00:00Z",
                "aliases": [format!("CVE-2020-{i}")],
                "affected": [{
                    "package": {"ecosystem": "PyPI", "name": format!("pkg-{i}")},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
                }]
            })
        })
        .collect();
    serde_json::to_string(&records).expect("json")
}

const OLD: usize = 6000;
const NEW: usize = 9000;

/// How many PyPI advisories the DB holds, after checking it is sound.
fn check(db: &Path) -> u64 {
    let db = Db::open(db).unwrap_or_else(|e| panic!("DB does not open: {e}"));
    db.check_integrity()
        .unwrap_or_else(|e| panic!("DB is damaged: {e}"));
    let st = db.status().expect("status");
    st.sources
        .iter()
        .find(|s| s.name == "osv:PyPI")
        .map_or(0, |s| s.advisories)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".vuln.db.import-"))
        .collect()
}

fn inode(p: &Path) -> Option<u64> {
    std::fs::metadata(p).ok().map(|m| m.ino())
}

/// When to kill a run.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after the start.
    After(Duration),
    /// This long after the temp DB file appears.
    IntoBuild(Duration),
    /// As soon as the rename has replaced the DB file.
    RightAfterRename,
}

/// Runs `child` to the moment and SIGKILLs it (std's `kill` is SIGKILL).
/// Returns whether a build was in progress (temp file present) at the kill.
fn kill_at(mut child: Child, moment: Moment, dir: &Path, db: &Path) -> bool {
    let start = Instant::now();
    let old_inode = inode(db);
    let mut temp_seen: Option<Instant> = None;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return false; // finished before the moment came
        }
        let building = !leftovers(dir).is_empty();
        if building && temp_seen.is_none() {
            temp_seen = Some(Instant::now());
        }
        let now = match moment {
            Moment::After(d) => start.elapsed() >= d,
            Moment::IntoBuild(d) => temp_seen.is_some_and(|t| t.elapsed() >= d),
            Moment::RightAfterRename => inode(db) != old_inode,
        };
        if now {
            child.kill().expect("kill");
            child.wait().expect("wait");
            return building;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().expect("kill");
            panic!("run neither finished nor reached {moment:?}");
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn moments(typical: Duration) -> Vec<Moment> {
    let mut v = Vec::new();
    for i in 0..8u32 {
        v.push(Moment::After(typical * i / 6));
        v.push(Moment::IntoBuild(typical * i / 8));
    }
    v.extend([Moment::RightAfterRename; 4]);
    v
}

#[test]
fn kill_9_during_db_import_leaves_the_old_or_the_new_db() {
    let env = Env::new();
    let dir = env.dir.path().to_path_buf();
    let db = env.db();
    let old_feeds = env.path("old");
    let new_feeds = env.path("new");
    std::fs::create_dir_all(&old_feeds).expect("mkdir");
    std::fs::create_dir_all(&new_feeds).expect("mkdir");
    std::fs::write(old_feeds.join("pypi.json"), osv_array(OLD, "1.0")).expect("write");
    std::fs::write(new_feeds.join("pypi.json"), osv_array(NEW, "2.0")).expect("write");
    let import = |feeds: &PathBuf| {
        env.cmd()
            .args(["db", "import", feeds.to_str().expect("utf8")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let started = Instant::now();
    let out = env.run(&["db", "import", old_feeds.to_str().expect("utf8")]);
    assert!(out.status.success());
    let typical = started.elapsed();
    assert_eq!(check(&db), OLD as u64);

    let (mut mid_build, mut after_rename) = (0, 0);
    let mut current = OLD as u64;
    for (i, moment) in moments(typical).into_iter().enumerate() {
        // Alternate the direction so every kill interrupts a real change.
        let (feeds, target) = if current == OLD as u64 {
            (&new_feeds, NEW as u64)
        } else {
            (&old_feeds, OLD as u64)
        };
        let building = kill_at(import(feeds), moment, &dir, &db);
        mid_build += usize::from(building);
        let now = check(&db);
        assert!(
            now == current || now == target,
            "kill {i} at {moment:?}: {now} advisories, expected {current} or {target}"
        );
        if matches!(moment, Moment::RightAfterRename) && now == target && building {
            after_rename += 1;
        }
        // At most the killed build's own temp file is left over.
        assert!(leftovers(&dir).len() <= 1, "{:?}", leftovers(&dir));
        current = now;
    }
    eprintln!("{mid_build} kills inside a build, {after_rename} right after the rename");
    assert!(mid_build >= 5, "too few kills landed inside a build");

    // The next import cleans up and succeeds.
    let out = env.run(&["db", "import", new_feeds.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(check(&db), NEW as u64);
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

/// Serves `files` (path → body) with Connection: close; 404 otherwise.
fn serve(files: Vec<(String, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut stream = stream;
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let (status, body) = match files.iter().find(|(p, _)| *p == path) {
                    Some((_, b)) => ("200 OK", b.clone()),
                    None => ("404 Not Found", Vec::new()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    base
}

fn zip_of(name: &str, body: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let src = dir.path().join(name);
    std::fs::write(&src, body).expect("write");
    // The testkit has no zip writer; Python's zipfile is everywhere the
    // tests run (scripts/test.sh needs python3 already).
    let out = dir.path().join("all.zip");
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED); z.write(sys.argv[2], sys.argv[3]); z.close()",
        ])
        .arg(&out)
        .arg(&src)
        .arg(name)
        .status()
        .expect("python3");
    assert!(status.success());
    std::fs::read(out).expect("read zip")
}

#[test]
fn kill_9_during_db_update_never_breaks_the_db_or_the_next_update() {
    let env = Env::new();
    let dir = env.dir.path().to_path_buf();
    let db = env.db();
    // The DB starts as the old set, from a first update.
    let old = serve(vec![(
        "/osv/PyPI/all.zip".into(),
        zip_of("old.json", &osv_array(OLD, "1.0")),
    )]);
    let new = serve(vec![(
        "/osv/PyPI/all.zip".into(),
        zip_of("new.json", &osv_array(NEW, "2.0")),
    )]);
    let update = |base: &str| {
        env.cmd()
            .args([
                "db",
                "update",
                "--db-feeds",
                "osv:PyPI",
                "--db-repository",
                base,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let started = Instant::now();
    let out = env.run(&[
        "db",
        "update",
        "--db-feeds",
        "osv:PyPI",
        "--db-repository",
        &old,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let typical = started.elapsed();
    assert_eq!(check(&db), OLD as u64);

    let mut current = OLD as u64;
    let mut mid_build = 0;
    for (i, moment) in moments(typical).into_iter().enumerate() {
        let (base, target) = if current == OLD as u64 {
            (&new, NEW as u64)
        } else {
            (&old, OLD as u64)
        };
        mid_build += usize::from(kill_at(update(base), moment, &dir, &db));
        let now = check(&db);
        assert!(
            now == current || now == target,
            "kill {i} at {moment:?}: {now} advisories, expected {current} or {target}"
        );
        current = now;
    }
    assert!(mid_build >= 3, "too few kills landed inside a build");

    // Whatever the kills left in the cache, the next update works.
    let target = if current == OLD as u64 { NEW } else { OLD };
    let base = if target == NEW { &new } else { &old };
    let out = env.run(&[
        "db",
        "update",
        "--db-feeds",
        "osv:PyPI",
        "--db-repository",
        base,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(check(&db), target as u64);
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    let partial: Vec<PathBuf> = walk(&env.path("cache"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".download-"))
        })
        .collect();
    assert!(partial.is_empty(), "{partial:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
