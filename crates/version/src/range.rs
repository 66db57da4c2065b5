//! Evaluation of OSV `affected[].ranges` and `versions` for one installed
//! version, exactly as the OSV schema's "Evaluation" section describes:
//!
//! - each range's events are sorted by version in the range's order
//!   (`introduced: "0"` first, `limit: "*"` last; ties keep the order the
//!   feed wrote them in);
//! - walking them, `introduced` (v ≥ it) makes the version affected, `fixed`
//!   (v ≥ it) and `last_affected` (v > it) make it unaffected again;
//! - a range with `limit` events only applies below one of them;
//! - the version is affected when any range says so, or when it is in the
//!   explicit `versions` list;
//! - `GIT` ranges say nothing about package versions and are skipped;
//!   `SEMVER` ranges use SemVer precedence, except for Go, whose own order
//!   (SemVer with a `v` and pseudo-versions) is kept.
//!
//! A version that cannot be parsed never turns into a verdict: when no
//! range matched, the error is returned for the caller to report; when
//! another range did match, the package is affected regardless, and the
//! error rides along in [`Affected::errors`].

use crate::{Scheme, VersionError};
use std::cmp::Ordering;
use tidewatch_types::{AffectedRange, RangeEvent, RangeKind};

/// The verdict for one installed version against one `affected` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Affected {
    pub affected: bool,
    /// The `fixed` events that end the affected intervals the installed
    /// version lies in (one per matching range at most, duplicates
    /// removed, in range order). Empty when not affected, when the
    /// intervals end with `last_affected` or not at all, or when only the
    /// explicit `versions` list matched.
    pub fixed: Vec<String>,
    /// Ranges that could not be evaluated although the entry matched
    /// through another range or the `versions` list.
    pub errors: Vec<VersionError>,
}

/// Is `installed` affected according to these ranges and explicit versions?
pub fn is_affected(
    scheme: Scheme,
    installed: &str,
    ranges: &[AffectedRange],
    versions: &[String],
) -> Result<Affected, VersionError> {
    let mut out = Affected {
        affected: versions.iter().any(|v| v == installed),
        ..Affected::default()
    };
    for range in ranges {
        let order = match range.kind {
            RangeKind::Git => continue,
            RangeKind::Ecosystem => scheme,
            RangeKind::Semver if scheme == Scheme::Go => Scheme::Go,
            RangeKind::Semver => Scheme::Semver,
        };
        match evaluate(order, installed, &range.events) {
            Ok(Verdict::Unaffected) => {}
            Ok(Verdict::Affected(fixed)) => {
                out.affected = true;
                if let Some(fixed) = fixed
                    && !out.fixed.iter().any(|f| f == fixed)
                {
                    out.fixed.push(fixed.to_string());
                }
            }
            Err(e) => out.errors.push(e),
        }
    }
    if !out.affected {
        out.affected = in_versions(scheme, installed, versions, &mut out.errors);
    }
    if !out.affected {
        if let Some(e) = out.errors.into_iter().next() {
            return Err(e);
        }
        return Ok(Affected::default());
    }
    Ok(out)
}

/// Is `installed` equal, in the scheme's order, to a listed version? An
/// exact string match was already checked. A listed version the scheme
/// cannot parse cannot equal a parsable installed version, so it is
/// skipped; an unparsable installed version is an error.
fn in_versions(
    scheme: Scheme,
    installed: &str,
    versions: &[String],
    errors: &mut Vec<VersionError>,
) -> bool {
    for listed in versions {
        match scheme.compare(installed, listed) {
            Ok(Ordering::Equal) => return true,
            Ok(_) => {}
            Err(e) if e.version == installed => {
                errors.push(e);
                return false;
            }
            Err(_) => {}
        }
    }
    false
}

enum Verdict<'e> {
    Unaffected,
    /// Affected; the `fixed` version ending the interval, if any.
    Affected(Option<&'e str>),
}

/// Where an event sits in the range's order.
#[derive(Clone, Copy)]
enum Key<'e> {
    /// `introduced: "0"`: before every version.
    Min,
    /// `limit: "*"`: after every version.
    Max,
    At(&'e str),
}

fn key(event: &RangeEvent) -> Key<'_> {
    match event {
        RangeEvent::Introduced(v) if v == "0" => Key::Min,
        RangeEvent::Limit(v) if v == "*" => Key::Max,
        RangeEvent::Introduced(v)
        | RangeEvent::Fixed(v)
        | RangeEvent::LastAffected(v)
        | RangeEvent::Limit(v) => Key::At(v),
    }
}

fn cmp_keys(order: Scheme, a: Key<'_>, b: Key<'_>) -> Result<Ordering, VersionError> {
    Ok(match (a, b) {
        (Key::Min, Key::Min) | (Key::Max, Key::Max) => Ordering::Equal,
        (Key::Min, _) | (_, Key::Max) => Ordering::Less,
        (_, Key::Min) | (Key::Max, _) => Ordering::Greater,
        (Key::At(a), Key::At(b)) => order.compare(a, b)?,
    })
}

/// One range, per the OSV evaluation pseudo-code.
fn evaluate<'e>(
    order: Scheme,
    installed: &str,
    events: &'e [RangeEvent],
) -> Result<Verdict<'e>, VersionError> {
    let sorted = sort_events(order, events)?;
    let at = Key::At(installed);

    let mut limited = false;
    let mut below_a_limit = false;
    for event in &sorted {
        if let RangeEvent::Limit(_) = event {
            limited = true;
            below_a_limit |= cmp_keys(order, at, key(event))? == Ordering::Less;
        }
    }
    if limited && !below_a_limit {
        return Ok(Verdict::Unaffected);
    }

    let mut affected = false;
    // Index of the first event the installed version has not reached.
    let mut next = sorted.len();
    for (i, event) in sorted.iter().enumerate() {
        let ord = cmp_keys(order, at, key(event))?;
        let reached = match event {
            RangeEvent::Introduced(_) | RangeEvent::Fixed(_) => ord != Ordering::Less,
            RangeEvent::LastAffected(_) => ord == Ordering::Greater,
            RangeEvent::Limit(_) => continue,
        };
        if !reached {
            next = next.min(i);
            continue;
        }
        match event {
            RangeEvent::Introduced(_) => affected = true,
            RangeEvent::Fixed(_) | RangeEvent::LastAffected(_) => affected = false,
            RangeEvent::Limit(_) => {}
        }
    }
    if !affected {
        return Ok(Verdict::Unaffected);
    }
    // The interval ends at the first closing event not yet reached.
    let fixed = sorted.iter().skip(next).find_map(|e| match e {
        RangeEvent::Fixed(v) => Some(Some(v.as_str())),
        RangeEvent::LastAffected(_) => Some(None),
        _ => None,
    });
    Ok(Verdict::Affected(fixed.flatten()))
}

/// A stable insertion sort by event version; fallible because comparing
/// needs both versions to parse. Event lists are a handful long.
fn sort_events(order: Scheme, events: &[RangeEvent]) -> Result<Vec<&RangeEvent>, VersionError> {
    let mut sorted: Vec<&RangeEvent> = Vec::with_capacity(events.len());
    for event in events {
        let mut pos = sorted.len();
        while let Some(prev) = pos.checked_sub(1).and_then(|p| sorted.get(p)) {
            if cmp_keys(order, key(prev), key(event))? == Ordering::Greater {
                pos -= 1;
            } else {
                break;
            }
        }
        sorted.insert(pos, event);
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeEvent::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn eco(events: Vec<RangeEvent>) -> AffectedRange {
        AffectedRange::ecosystem(events)
    }

    fn check(scheme: Scheme, v: &str, ranges: &[AffectedRange], versions: &[String]) -> Affected {
        is_affected(scheme, v, ranges, versions).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    #[test]
    fn introduced_fixed() {
        let r = [eco(vec![Introduced(s("0")), Fixed(s("1.2.12-r2"))])];
        let a = check(Scheme::Apk, "1.2.12-r0", &r, &[]);
        assert!(a.affected);
        assert_eq!(a.fixed, ["1.2.12-r2"]);
        assert!(!check(Scheme::Apk, "1.2.12-r2", &r, &[]).affected);
        assert!(!check(Scheme::Apk, "1.2.13-r0", &r, &[]).affected);
    }

    #[test]
    fn unsorted_events_and_several_intervals() {
        // Written out of order on purpose: evaluation sorts them.
        let r = [eco(vec![
            Fixed(s("2.5")),
            Introduced(s("2.0")),
            Fixed(s("1.0")),
            Introduced(s("0")),
        ])];
        let cases = [
            ("0.9", true, Some("1.0")),
            ("1.0", false, None),
            ("1.5", false, None),
            ("2.0", true, Some("2.5")),
            ("2.4.9", true, Some("2.5")),
            ("2.5", false, None),
        ];
        for (v, affected, fixed) in cases {
            let a = check(Scheme::Dpkg, v, &r, &[]);
            assert_eq!(a.affected, affected, "{v}");
            assert_eq!(a.fixed.first().map(String::as_str), fixed, "{v}");
        }
    }

    #[test]
    fn last_affected_and_limit() {
        let r = [eco(vec![Introduced(s("1.0-1")), LastAffected(s("1.4-2"))])];
        assert!(!check(Scheme::Dpkg, "1.0~rc1-1", &r, &[]).affected);
        let a = check(Scheme::Dpkg, "1.4-2", &r, &[]);
        assert!(a.affected);
        assert!(a.fixed.is_empty(), "last_affected is not a fix");
        assert!(!check(Scheme::Dpkg, "1.4-2+b1", &r, &[]).affected);

        let r = [eco(vec![Introduced(s("0")), Limit(s("2.0-1"))])];
        assert!(check(Scheme::Dpkg, "1.9-1", &r, &[]).affected);
        assert!(!check(Scheme::Dpkg, "2.0-1", &r, &[]).affected);
        let r = [eco(vec![Introduced(s("0")), Limit(s("*"))])];
        assert!(check(Scheme::Dpkg, "99", &r, &[]).affected);
    }

    #[test]
    fn any_range_and_explicit_versions() {
        let r = [
            eco(vec![Introduced(s("0")), Fixed(s("1.0"))]),
            eco(vec![Introduced(s("3.0")), Fixed(s("3.1"))]),
            AffectedRange {
                kind: RangeKind::Git,
                events: vec![Introduced(s("0")), Fixed(s("deadbeef"))],
            },
        ];
        let a = check(Scheme::Rpm, "3.0.5", &r, &[]);
        assert!(a.affected);
        assert_eq!(a.fixed, ["3.1"]);
        assert!(!check(Scheme::Rpm, "2.0", &r, &[]).affected);
        assert!(check(Scheme::Rpm, "2.0", &r, &[s("2.0")]).affected);
        // Equal in the scheme's order, not only as strings.
        assert!(check(Scheme::Rpm, "2.0", &r, &[s("0:2.0")]).affected);
        // An unparsable listed version is not equal to anything else.
        assert!(!check(Scheme::Dpkg, "2.0", &[], &[s("not a version"), s("2.1")]).affected);
    }

    #[test]
    fn git_only_is_not_affected() {
        let r = [AffectedRange {
            kind: RangeKind::Git,
            events: vec![Introduced(s("0")), Fixed(s("abc"))],
        }];
        assert_eq!(check(Scheme::Dpkg, "1.0", &r, &[]), Affected::default());
    }

    #[test]
    fn semver_ranges_use_semver_except_for_go() {
        let r = [AffectedRange {
            kind: RangeKind::Semver,
            events: vec![Introduced(s("0")), Fixed(s("1.2.3"))],
        }];
        // PEP 440 would call 1.2.3rc1 a valid version; SemVer does not.
        assert!(check(Scheme::Pep440, "1.2.3-rc.1", &r, &[]).affected);
        assert!(!check(Scheme::Pep440, "1.2.3", &r, &[]).affected);
        assert!(check(Scheme::RubyGems, "v1.2.2", &r, &[]).affected);
    }

    #[test]
    fn unparsable_versions_are_errors_not_verdicts() {
        let bad_event = [eco(vec![Introduced(s("0")), Fixed(s("1.0_foo"))])];
        let err = is_affected(Scheme::Apk, "0.9", &bad_event, &[]);
        assert!(
            matches!(err, Err(ref e) if e.version == "1.0_foo"),
            "{err:?}"
        );

        let bad_installed = [eco(vec![Introduced(s("0")), Fixed(s("1.0"))])];
        let err = is_affected(Scheme::Apk, "garbage", &bad_installed, &[]);
        assert!(
            matches!(err, Err(ref e) if e.version == "garbage"),
            "{err:?}"
        );

        // Another range matched: affected, with the error kept.
        let mixed = [
            bad_event[0].clone(),
            eco(vec![Introduced(s("0")), Fixed(s("2.0"))]),
        ];
        let a = check(Scheme::Apk, "0.9", &mixed, &[]);
        assert!(a.affected);
        assert_eq!(a.fixed, ["2.0"]);
        assert_eq!(a.errors.len(), 1);
    }

    #[test]
    fn zero_width_and_tied_events_keep_feed_order() {
        let r = [eco(vec![Introduced(s("1.0")), Fixed(s("1.0"))])];
        assert!(!check(Scheme::Dpkg, "1.0", &r, &[]).affected);
        // Equal versions in another spelling tie too.
        let r = [eco(vec![Introduced(s("0:1.0")), Fixed(s("1.0"))])];
        assert!(!check(Scheme::Dpkg, "1.0", &r, &[]).affected);
    }
}
