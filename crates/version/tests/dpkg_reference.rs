//! Property test: our dpkg order agrees with the real `dpkg
//! --compare-versions` on generated versions. Each proptest case checks a
//! batch of pairs with one shell run, because starting dpkg once per pair
//! from Rust would dominate the test time. Skips when dpkg is absent.

use proptest::prelude::*;
use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};
use tidewatch_version::dpkg;

fn dpkg_available() -> bool {
    Command::new("dpkg")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Ask dpkg for the order of every pair; fails the test if dpkg warns about
/// a version we accepted.
fn dpkg_order(pairs: &[(String, String)]) -> Vec<Ordering> {
    let mut script = String::new();
    for (a, b) in pairs {
        // Generated versions never contain a quote.
        script.push_str(&format!(
            "if dpkg --compare-versions '{a}' lt '{b}'; then echo '<'; \
             elif dpkg --compare-versions '{a}' eq '{b}'; then echo '='; else echo '>'; fi\n"
        ));
    }
    let mut child = Command::new("sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .unwrap_or_else(|e| panic!("writing the dpkg script: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("running dpkg: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.trim().is_empty(),
        "dpkg complained about versions we accept: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answers: Vec<Ordering> = stdout
        .lines()
        .map(|l| match l {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            other => panic!("unexpected dpkg output {other:?}"),
        })
        .collect();
    assert_eq!(answers.len(), pairs.len(), "dpkg answered {stdout}");
    answers
}

/// Versions from a small alphabet so that pairs often share prefixes and
/// hit the interesting cases (`~`, letters vs symbols, leading zeros, empty
/// digit runs, epochs, hyphens inside upstream).
fn version() -> impl Strategy<Value = String> {
    let epoch = prop::option::weighted(0.2, "0{0,2}[0-2]:");
    let upstream = "[0-9][0-9aZz.+~]{0,5}(-[0-9a.+~]{1,3})?";
    let revision = prop::option::weighted(0.6, "-[0-9az.+~]{1,4}");
    (epoch, upstream, revision)
        .prop_map(|(e, u, r)| format!("{}{u}{}", e.unwrap_or_default(), r.unwrap_or_default()))
}

/// Pairs that share a prefix (so comparisons go past the first run) mixed
/// with independent ones.
fn pair() -> impl Strategy<Value = (String, String)> {
    let shared = (version(), "[0-9a.+~]{0,3}", "[0-9a.+~]{0,3}")
        .prop_map(|(base, x, y)| (format!("{base}{x}"), format!("{base}{y}")));
    prop_oneof![shared, (version(), version())]
        .prop_filter("both must be valid dpkg versions", |(a, b)| {
            dpkg::Version::parse(a).is_ok() && dpkg::Version::parse(b).is_ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_dpkg(pairs in prop::collection::vec(pair(), 200)) {
        if !dpkg_available() {
            eprintln!("skipping: dpkg not found");
            return Ok(());
        }
        let want = dpkg_order(&pairs);
        for ((a, b), want) in pairs.iter().zip(want) {
            let got = dpkg::compare(a, b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(got, want, "{} vs {}", a, b);
        }
    }
}

/// Hand-picked pairs around the corners of dpkg's order, checked against
/// dpkg itself.
#[test]
fn corner_cases_agree_with_dpkg() {
    if !dpkg_available() {
        eprintln!("skipping: dpkg not found");
        return;
    }
    let pairs: Vec<(String, String)> = [
        ("1.0a", "1.0a0"),
        ("1.0", "1.0-0"),
        ("1.0~", "1.0"),
        ("1.0~~", "1.0~"),
        ("1.0+", "1.0a"),
        ("1.0.", "1.0+"),
        ("1:1.0", "1.0"),
        ("00:1.0", "1.0"),
        ("1.0-1-1", "1.0-1.1"),
        ("1:2:3", "1:2-3"),
        ("1.000", "1.0"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567891",
        ),
        ("2147483647:1", "1:1"),
        ("1.0-Z", "1.0-a"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let want = dpkg_order(&pairs);
    for ((a, b), want) in pairs.iter().zip(want) {
        let got = dpkg::compare(a, b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, want, "{a} vs {b}");
    }
}
