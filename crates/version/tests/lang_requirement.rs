//! Table-driven tests of requirement strings → OSV range events.

use tidewatch_types::RangeEvent;
use tidewatch_version::Scheme;
use tidewatch_version::requirement::{complement_to_ranges, to_ranges, to_ranges_excluding};

/// Shorthand for expected event lists: `"1.2.0..1.4.0"` is introduced/fixed,
/// `"1.2.3..=2.3.4"` introduced/last_affected, `"1.2.4-0.."` introduced only.
fn ranges(spec: &[&str]) -> Vec<Vec<RangeEvent>> {
    spec.iter()
        .map(|r| {
            let (lo, hi) = r.split_once("..").unwrap_or((r, ""));
            let mut events = vec![RangeEvent::Introduced(lo.to_string())];
            if let Some(last) = hi.strip_prefix('=') {
                events.push(RangeEvent::LastAffected(last.to_string()));
            } else if !hi.is_empty() {
                events.push(RangeEvent::Fixed(hi.to_string()));
            }
            events
        })
        .collect()
}

fn check(scheme: Scheme, cases: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (req, want) in cases {
        match to_ranges(scheme, req) {
            Ok(got) if got == ranges(want) => {}
            got => failures.push(format!("{req:?}: want {want:?}, got {got:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_errors(scheme: Scheme, reqs: &[&str]) {
    for req in reqs {
        assert!(
            to_ranges(scheme, req).is_err(),
            "{scheme:?} accepted {req:?}: {:?}",
            to_ranges(scheme, req)
        );
    }
}

#[test]
fn cargo_requirements() {
    check(
        Scheme::Semver,
        &[
            (">= 1.2, < 1.4", &["1.2.0..1.4.0-0"]),
            (">= 1.2.3, < 1.4.0", &["1.2.3..1.4.0"]),
            ("^1.2", &["1.2.0..2.0.0-0"]),
            ("^1.2.3", &["1.2.3..2.0.0-0"]),
            ("^0.2.3", &["0.2.3..0.3.0-0"]),
            ("^0.0.3", &["0.0.3..0.0.4-0"]),
            ("^0", &["0.0.0..1.0.0-0"]),
            ("~1.2", &["1.2.0..1.3.0-0"]),
            ("~1.2.3", &["1.2.3..1.3.0-0"]),
            ("~1", &["1.0.0..2.0.0-0"]),
            ("=1.0.3", &["1.0.3..=1.0.3"]),
            ("=1.2", &["1.2.0..1.3.0-0"]),
            ("*", &["0"]),
            ("1.*", &["1.0.0..2.0.0-0"]),
            ("1.2.*", &["1.2.0..1.3.0-0"]),
            ("1.2", &["1.2.0..2.0.0-0"]),
            (">1.2.3", &["1.2.4-0"]),
            (">1.2", &["1.3.0"]),
            ("<= 1.2.3", &["0..=1.2.3"]),
            ("<= 1.2", &["0..1.3.0-0"]),
            (">= 1.0.0-alpha.1, < 1.0.0", &["1.0.0-alpha.1..1.0.0"]),
            (">1.0.0-alpha", &["1.0.0-alpha.0"]),
            // SemVer prereleases sort below 0.0.0.
            ("< 0.0.0", &["0..0.0.0"]),
            (">= 2.0.0, < 1.0.0", &[]),
        ],
    );
    check_errors(
        Scheme::Semver,
        &[
            "", ">= ", ">= x", "< *", "^a.b", "1.2.3.4", ">= 1.2,", "=> 1.0", "1.*.3",
        ],
    );
}

#[test]
fn rustsec_complement() {
    let cases: &[(&[&str], &[&str], &[&str])] = &[
        // Nothing patched, nothing unaffected: every version.
        (&[], &[], &["0"]),
        (&[">= 0.2.23"], &[], &["0..0.2.23"]),
        (&[">= 1.2.3", "^1.1.5"], &["< 1.0.0"], &["1.0.0..1.1.5"]),
        (
            &["^0.3.1", ">= 0.4.2"],
            &[],
            &["0..0.3.1", "0.4.0-0..0.4.2"],
        ),
        (&[">= 0.9.0"], &["<= 0.5.0"], &["0.5.1-0..0.9.0"]),
        (&["*"], &[], &[]),
    ];
    for (patched, unaffected, want) in cases {
        let got = complement_to_ranges(Scheme::Semver, patched, unaffected);
        assert_eq!(
            got,
            Ok(ranges(want)),
            "patched {patched:?} unaffected {unaffected:?}"
        );
    }
    assert!(complement_to_ranges(Scheme::Semver, &[">= x"], &[]).is_err());
}

#[test]
fn npm_ranges() {
    check(
        Scheme::Npm,
        &[
            ("<4.17.19 >=4.17.15", &["4.17.15..4.17.19"]),
            (
                ">=1.0.0 <1.2.0 || >=2.0.0 <2.1.3",
                &["1.0.0..1.2.0", "2.0.0..2.1.3"],
            ),
            (
                ">=2.0.0 <2.1.3 || >=1.0.0 <1.2.0",
                &["1.0.0..1.2.0", "2.0.0..2.1.3"],
            ),
            ("<1.0.0 || >=0.5.0 <2.0.0", &["0..2.0.0"]),
            ("1.2.3 - 2.3.4", &["1.2.3..=2.3.4"]),
            ("1.2 - 2.3", &["1.2.0..2.4.0-0"]),
            ("1.x", &["1.0.0..2.0.0-0"]),
            ("1.2.x", &["1.2.0..1.3.0-0"]),
            ("*", &["0"]),
            ("", &["0"]),
            ("^0.0.3", &["0.0.3..0.0.4-0"]),
            ("^1.2.x", &["1.2.0..2.0.0-0"]),
            ("~1.2.3", &["1.2.3..1.3.0-0"]),
            ("~> 1.2", &["1.2.0..1.3.0-0"]),
            ("<= 1.2.3", &["0..=1.2.3"]),
            ("< 1.2", &["0..1.2.0-0"]),
            ("> 1.2.3", &["1.2.4-0"]),
            (">= v1.2.3", &["1.2.3"]),
            ("=1.2.3", &["1.2.3..=1.2.3"]),
            ("1.2.3 || 1.2.4", &["1.2.3..=1.2.3", "1.2.4..=1.2.4"]),
            ("<=99.999.99999", &["0..=99.999.99999"]),
            ("<0.0.0", &["0..0.0.0"]),
        ],
    );
    check_errors(
        Scheme::Npm,
        &[">=abc", ">= ", "1.2.3 - ", ">=1.2.3 || >=x.y.z", "1.2.3.4"],
    );
}

#[test]
fn composer_constraints() {
    check(
        Scheme::Composer,
        &[
            (">=2.7.0,<2.7.51", &["2.7.0..2.7.51"]),
            (">=2.7.0, <2.7.51", &["2.7.0..2.7.51"]),
            (
                ">=2.0.0,<2.0.5|>=2.1.0,<2.1.3",
                &["2.0.0..2.0.5", "2.1.0..2.1.3"],
            ),
            (
                ">=2.0.0 <2.0.5 || >=2.1.0 <2.1.3",
                &["2.0.0..2.0.5", "2.1.0..2.1.3"],
            ),
            ("<1.0", &["0..1.0"]),
            ("<=1.0.5", &["0..=1.0.5"]),
            ("=1.0.1", &["1.0.1..=1.0.1"]),
            ("^1.2.3", &["1.2.3..2.0.0.0-dev"]),
            ("^0.3.2", &["0.3.2..0.4.0.0-dev"]),
            ("~1.2", &["1.2..2.0.0.0-dev"]),
            ("~1.2.3", &["1.2.3..1.3.0.0-dev"]),
            ("1.2.*", &["1.2..1.3.0.0-dev"]),
            ("1.0 - 2.0", &["1.0..2.1.0.0-dev"]),
            ("1.0.0 - 2.1.0", &["1.0.0..=2.1.0"]),
            ("<2.0.0-beta1", &["0..2.0.0-beta1"]),
            ("*", &["0"]),
            (">2.2.4, <2.2.6", &["2.2.4.0-patch-dev..2.2.6"]),
            ("!=1.0", &["0..1.0", "1.0.0.0-patch-dev"]),
        ],
    );
    // After a prerelease there is no "next version" for `>`.
    check_errors(
        Scheme::Composer,
        &["<=banana", "1.0 - x", ">1.0-beta1", "", ">=", ">=1.0,"],
    );
}

#[test]
fn pypi_specifiers() {
    check(
        Scheme::Pep440,
        &[
            (">=1.0,<2.0", &["1.0..2.0"]),
            (">= 1.0, < 2.0", &["1.0..2.0"]),
            ("==1.2.*", &["1.2.dev0..1.3.dev0"]),
            ("~=1.4.5", &["1.4.5..1.5.dev0"]),
            ("~=2.2", &["2.2..3.dev0"]),
            ("==1.0", &["1.0..=1.0"]),
            ("<=1.0.post1", &["0..=1.0.post1"]),
            ("!=1.2.*", &["0..1.2.dev0", "1.3.dev0"]),
            ("<0.5,>=0.1,!=0.3.*", &["0.1..0.3.dev0", "0.4.dev0..0.5"]),
        ],
    );
    check_errors(
        Scheme::Pep440,
        &[">1.0", "!=1.0", "~=1", "==1.0.*.*", "<abc", ">=1.0,"],
    );
}

#[test]
fn rubygems_requirements() {
    check(
        Scheme::RubyGems,
        &[
            ("~> 2.0", &["2.0..3.A"]),
            ("~> 2.0.3", &["2.0.3..2.1.A"]),
            ("~> 2", &["2..3.A"]),
            ("~> 1.0.0.beta", &["1.0.0.beta..1.1.A"]),
            (">= 1.2, < 1.4", &["1.2..1.4"]),
            ("< 5.2.4.3, >= 5.2.0", &["5.2.0..5.2.4.3"]),
            ("= 1.0", &["1.0..=1.0"]),
            ("1.0", &["1.0..=1.0"]),
            ("<= 0.9", &["0..=0.9"]),
        ],
    );
    check_errors(
        Scheme::RubyGems,
        &["> 1.0", "!= 1.0", "~> x", "", ">= 1.0,"],
    );
}

#[test]
fn unsupported_scheme_is_an_error() {
    assert!(to_ranges(Scheme::Maven, "[1.0,2.0)").is_err());
    assert!(to_ranges(Scheme::Dpkg, "<< 1.0").is_err());
}

#[test]
fn excluding_patched_versions() {
    let got = to_ranges_excluding(
        Scheme::Npm,
        "<=1.5.1 || >=2.0.0 <2.3.0",
        &[">=1.5.2 <2.0.0 || >=2.2.0"],
    );
    assert_eq!(got, Ok(ranges(&["0..=1.5.1", "2.0.0..2.2.0"])));
    // A patched list covering everything leaves nothing.
    assert_eq!(
        to_ranges_excluding(Scheme::Npm, "<2.0.0", &["*"]),
        Ok(vec![])
    );
    // Nothing excluded: the requirement itself.
    assert_eq!(
        to_ranges_excluding(Scheme::Npm, ">=4.17.15 <4.17.19", &[]),
        Ok(ranges(&["4.17.15..4.17.19"]))
    );
    assert!(to_ranges_excluding(Scheme::Npm, "<1.0.0", &[">=x.y"]).is_err());
}
