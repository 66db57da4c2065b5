//! Property test: our RPM order agrees with `rpm.labelCompare` from the
//! real librpm (Debian's `python3-rpm`) on generated epoch/version/release
//! triples. Each proptest case sends a batch of pairs to one Python process.
//! Skips when `/usr/bin/python3` cannot import `rpm`.

use proptest::prelude::*;
use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};
use tidewatch_version::rpm;

const PYTHON: &str = "/usr/bin/python3";

/// Reads `e v r e v r` lines (`-` for a missing epoch or release, else `=`
/// and the value, so an empty release survives splitting) and prints
/// labelCompare's answer for each.
const SCRIPT: &str = r#"
import sys, rpm
def part(s):
    return None if s == "-" else s[1:]
for line in sys.stdin:
    e1, v1, r1, e2, v2, r2 = line.split()
    print(rpm.labelCompare((part(e1), part(v1), part(r1)), (part(e2), part(v2), part(r2))))
"#;

fn rpm_available() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import rpm"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[derive(Debug, Clone)]
struct Evr {
    epoch: Option<String>,
    version: String,
    release: Option<String>,
}

impl Evr {
    fn to_evr_string(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.epoch {
            s.push_str(e);
            s.push(':');
        }
        s.push_str(&self.version);
        if let Some(r) = &self.release {
            s.push('-');
            s.push_str(r);
        }
        s
    }

    fn to_line(&self) -> String {
        let part = |p: &Option<String>| p.as_ref().map_or("-".to_string(), |p| format!("={p}"));
        format!(
            "{} ={} {}",
            part(&self.epoch),
            self.version,
            part(&self.release)
        )
    }
}

fn label_compare(pairs: &[(Evr, Evr)]) -> Vec<Ordering> {
    let mut child = Command::new(PYTHON)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {PYTHON}: {e}"));
    let input: String = pairs
        .iter()
        .map(|(a, b)| format!("{} {}\n", a.to_line(), b.to_line()))
        .collect();
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("writing to python: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("running python: {e}"));
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answers: Vec<Ordering> = stdout
        .lines()
        .map(|l| match l.trim() {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("unexpected labelCompare output {other:?}"),
        })
        .collect();
    assert_eq!(answers.len(), pairs.len());
    answers
}

/// Small alphabets (digits, a few letters, separators, `~` and `^`) so
/// generated pairs collide often. Versions and releases hold no `-`, `:`
/// or blank, which would change how the joined string splits.
fn evr() -> impl Strategy<Value = Evr> {
    (
        prop::option::weighted(0.3, "0{0,1}[0-2]"),
        "[019abZ._+~^]{1,7}",
        prop::option::weighted(0.7, "[019abZ._+~^]{0,5}"),
    )
        .prop_map(|(epoch, version, release)| Evr {
            epoch,
            version,
            release,
        })
}

fn pair() -> impl Strategy<Value = (Evr, Evr)> {
    let shared = (evr(), "[019ab.~^]{0,3}", "[019ab.~^]{0,3}").prop_map(|(base, x, y)| {
        let mut a = base.clone();
        let mut b = base;
        // Grow whichever part ends the string, so the prefix is shared.
        match (&mut a.release, &mut b.release) {
            (Some(ra), Some(rb)) => {
                ra.push_str(&x);
                rb.push_str(&y);
            }
            _ => {
                a.version.push_str(&x);
                b.version.push_str(&y);
            }
        }
        (a, b)
    });
    prop_oneof![shared, (evr(), evr())]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_label_compare(pairs in prop::collection::vec(pair(), 300)) {
        if !rpm_available() {
            eprintln!("skipping: {PYTHON} cannot import rpm (apt-get install python3-rpm)");
            return Ok(());
        }
        let want = label_compare(&pairs);
        for ((a, b), want) in pairs.iter().zip(want) {
            let (sa, sb) = (a.to_evr_string(), b.to_evr_string());
            let got = rpm::compare(&sa, &sb).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(got, want, "{} vs {} ({:?} vs {:?})", sa, sb, a, b);
        }
    }
}
