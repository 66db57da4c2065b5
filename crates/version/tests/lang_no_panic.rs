//! Hostile input never panics: every language ordering and the requirement
//! conversion return a value or an error for any string, and orderings stay
//! antisymmetric where both sides parse.

use proptest::prelude::*;
use std::cmp::Ordering;
use tidewatch_version::Scheme;
use tidewatch_version::requirement::{complement_to_ranges, to_ranges};

const SCHEMES: [Scheme; 8] = [
    Scheme::Pep440,
    Scheme::Npm,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Composer,
    Scheme::Semver,
];

/// Strings biased towards version-ish characters, plus anything.
fn versionish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-zA-Z.+~^*|<>=!, _-]{0,24}",
        "[vV]?[0-9]{1,25}(\\.[0-9a-z]{1,5}){0,5}([-+][0-9a-zA-Z.-]{0,8})?",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn orderings_never_panic(a in versionish(), b in versionish()) {
        for scheme in SCHEMES {
            if scheme == Scheme::Semver {
                continue; // owned by the SemVer module
            }
            if let (Ok(x), Ok(y)) = (scheme.compare(&a, &b), scheme.compare(&b, &a)) {
                prop_assert_eq!(x, y.reverse(), "{:?}: {:?} vs {:?}", scheme, a, b);
            }
            if let Ok(o) = scheme.compare(&a, &a) {
                prop_assert_eq!(o, Ordering::Equal, "{:?}: {:?}", scheme, a);
            }
        }
    }

    #[test]
    fn requirements_never_panic(req in versionish(), other in versionish()) {
        for scheme in SCHEMES {
            let _ = to_ranges(scheme, &req);
            let _ = complement_to_ranges(scheme, &[&req], &[&other]);
        }
    }
}

#[test]
fn huge_versions_are_refused_or_ordered_without_overflow() {
    let huge = [
        "a1".repeat(100_000),
        ".1".repeat(100_000),
        "1.".repeat(100_000),
        "-".repeat(100_000),
        format!("1.0.0-{}", "a.".repeat(50_000)),
    ];
    for scheme in SCHEMES {
        if scheme == Scheme::Semver {
            continue;
        }
        for h in &huge {
            let _ = scheme.compare(h, "1.0");
            let _ = scheme.compare("1.0", h);
            let _ = to_ranges(scheme, h);
        }
    }
}
