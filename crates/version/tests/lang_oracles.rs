//! Property tests of the language orderings against their reference
//! implementations, when installed: Python's `packaging.version` (PEP 440),
//! node's `semver` package (npm) and Maven's own `ComparableVersion`.
//! Versions are drawn from proptest strategies (fixed seed), compared in one
//! batch per oracle, and every disagreement is reported. A missing oracle
//! skips its test with a message.
//!
//! `TIDEWATCH_NODE_SEMVER` may name a directory holding
//! `node_modules/semver` (default `/tmp/vlang-node`); `TIDEWATCH_MAVEN_LIB`
//! a directory of Maven jars (default `/usr/share/maven/lib`).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};
use tidewatch_version::Scheme;

const PAIRS: usize = 3000;

fn sample_pairs<S: Strategy<Value = String>>(make: impl Fn() -> S) -> Vec<(String, String)> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let pair = (make(), make());
    (0..PAIRS)
        .filter_map(|_| pair.new_tree(&mut runner).ok().map(|t| t.current()))
        .collect()
}

/// Run `cmd` with `input` on stdin; `None` if it cannot be started or fails.
fn run_oracle(cmd: &mut Command, input: &str) -> Option<String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        println!("oracle failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

fn sign(n: i64) -> Ordering {
    n.cmp(&0)
}

/// Compare each pair with `scheme` and the oracle's answers (one integer
/// per line); panic listing all disagreements.
fn check(scheme: Scheme, pairs: &[(String, String)], answers: &str) {
    let answers: Vec<i64> = answers
        .lines()
        .map(|l| {
            l.trim()
                .parse()
                .unwrap_or_else(|_| panic!("oracle said {l:?}"))
        })
        .collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "oracle answered a different number of pairs"
    );
    let mut wrong = Vec::new();
    for ((a, b), want) in pairs.iter().zip(answers) {
        match scheme.compare(a, b) {
            Ok(got) if got == sign(want) => {}
            got => wrong.push(format!("{a} vs {b}: oracle {want}, ours {got:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} disagree:\n{}",
        wrong.len(),
        pairs.len(),
        wrong.join("\n")
    );
}

fn pep440_version() -> impl Strategy<Value = String> {
    let release = prop::collection::vec(0u32..12, 1..5)
        .prop_map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
    let pre = prop::option::of((
        prop::sample::select(vec![
            "a", "b", "rc", "alpha", "beta", "c", "pre", "preview", ".a", "-rc",
        ]),
        0u32..4,
    ))
    .prop_map(|p| p.map_or(String::new(), |(k, n)| format!("{k}{n}")));
    let post = prop::option::of((
        prop::sample::select(vec![".post", "post", "-", ".r", "-rev"]),
        0u32..3,
    ))
    .prop_map(|p| p.map_or(String::new(), |(k, n)| format!("{k}{n}")));
    let dev =
        prop::option::of(0u32..3).prop_map(|d| d.map_or(String::new(), |n| format!(".dev{n}")));
    let local = prop::option::of(prop::sample::select(vec![
        "+local", "+1", "+abc.5", "+a.b", "+0",
    ]))
    .prop_map(|l| l.unwrap_or("").to_string());
    let epoch =
        prop::option::of(1u32..3).prop_map(|e| e.map_or(String::new(), |n| format!("{n}!")));
    (epoch, release, pre, post, dev, local)
        .prop_map(|(e, r, p, po, d, l)| format!("{e}{r}{p}{po}{d}{l}"))
}

#[test]
fn pep440_against_python_packaging() {
    let pairs = sample_pairs(pep440_version);
    let script = "import sys\nfrom packaging.version import Version as V\nfor line in sys.stdin:\n    a, b = line.split()\n    x, y = V(a), V(b)\n    print((x > y) - (x < y))\n";
    let input: String = pairs.iter().map(|(a, b)| format!("{a} {b}\n")).collect();
    let Some(out) = run_oracle(Command::new("python3").args(["-c", script]), &input) else {
        println!("skipping: python3 with `packaging` not available (pip install packaging)");
        return;
    };
    check(Scheme::Pep440, &pairs, &out);
}

fn npm_version() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec!["", "", "", "v", "=", " v"]);
    let ident = prop::sample::select(vec![
        "alpha", "beta", "rc", "0", "1", "2", "10", "x-y", "Alpha", "b3", "11", "-",
    ]);
    let pre = prop::option::of(prop::collection::vec(ident, 1..4))
        .prop_map(|p| p.map_or(String::new(), |ids| format!("-{}", ids.join("."))));
    let build = prop::option::of(prop::sample::select(vec!["+build", "+1.2", "+exp.sha-5"]))
        .prop_map(|b| b.unwrap_or("").to_string());
    (prefix, 0u32..4, 0u32..12, 0u32..4, pre, build)
        .prop_map(|(p, a, b, c, pre, build)| format!("{p}{a}.{b}.{c}{pre}{build}"))
}

#[test]
fn npm_against_node_semver() {
    let dir = std::env::var("TIDEWATCH_NODE_SEMVER").unwrap_or_else(|_| "/tmp/vlang-node".into());
    if !std::path::Path::new(&dir)
        .join("node_modules/semver")
        .is_dir()
    {
        println!("skipping: node semver not installed in {dir} (npm install semver)");
        return;
    }
    let pairs = sample_pairs(npm_version);
    let script = "const s=require('semver');const l=require('fs').readFileSync(0,'utf8').split('\\n').filter(x=>x);for(const x of l){const [a,b]=JSON.parse(x);console.log(s.compare(a,b,true))}";
    let input: String = pairs
        .iter()
        .map(|(a, b)| format!("[{:?},{:?}]\n", a, b))
        .collect();
    let Some(out) = run_oracle(
        Command::new("node").current_dir(&dir).args(["-e", script]),
        &input,
    ) else {
        println!("skipping: node not available");
        return;
    };
    check(Scheme::Npm, &pairs, &out);
}

fn maven_version() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "1", "0", "2", "10", "01", "alpha", "beta", "a1", "b2", "m3", "rc", "cr", "snapshot", "ga",
        "final", "release", "sp", "foo", "x1", "RC1", "Final", "",
    ]);
    let sep = prop::sample::select(vec![".", "-", ""]);
    (0u32..5, prop::collection::vec((sep, token), 0..5)).prop_map(|(first, rest)| {
        let mut v = first.to_string();
        for (s, t) in rest {
            v.push_str(s);
            v.push_str(t);
        }
        v
    })
}

#[test]
fn maven_against_comparable_version() {
    let lib =
        std::env::var("TIDEWATCH_MAVEN_LIB").unwrap_or_else(|_| "/usr/share/maven/lib".into());
    if !std::path::Path::new(&lib).is_dir() {
        println!("skipping: no Maven jars in {lib}");
        return;
    }
    let pairs = sample_pairs(maven_version);
    // `ComparableVersion`'s main compares each argument with the next one,
    // printing `   A < B`, `   A == B` or `   A > B`.
    let mut cmd = Command::new("java");
    cmd.args([
        "-cp",
        &format!("{lib}/*"),
        "org.apache.maven.artifact.versioning.ComparableVersion",
    ]);
    for (a, b) in &pairs {
        cmd.arg(a).arg(b);
    }
    let Some(out) = run_oracle(&mut cmd, "") else {
        println!("skipping: java or Maven's ComparableVersion not available");
        return;
    };
    let verdicts: Vec<i64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("   "))
        .filter_map(|l| {
            let op = l.split(' ').find(|w| matches!(*w, "<" | "==" | ">"))?;
            Some(match op {
                "<" => -1,
                "==" => 0,
                _ => 1,
            })
        })
        .collect();
    // Verdicts are for consecutive arguments: pair i is verdict 2i.
    let answers: String = verdicts
        .iter()
        .step_by(2)
        .map(|v| format!("{v}\n"))
        .collect();
    check(Scheme::Maven, &pairs, &answers);
}
