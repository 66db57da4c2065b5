//! Requirement strings of language ecosystems turned into OSV range events,
//! for the feed importers: Cargo/RustSec (`>= 1.2, < 1.4`, `^1.2`, `~1.2`,
//! `=1.0.3`, `*`, bare `1.2` = caret), RubyGems (`~> 2.0`), node-semver
//! (`<4.17.19 >=4.17.15`, `||`, hyphen ranges, x-ranges, `^`, `~`),
//! Composer (`>=2.7.0,<2.7.51`, `|`, `^`, `~`, `1.2.*`) and PEP 440
//! specifiers (`>=1.0,<2.0`, `==1.2.*`, `~=1.4.5`).
//!
//! Each requirement becomes a set of intervals (union of intersections),
//! merged into sorted disjoint intervals, each emitted as one event list:
//! `introduced` then `fixed` (exclusive upper bound) or `last_affected`
//! (inclusive one). OSV has no exclusive lower bound: `>1.2.3` becomes
//! `introduced` of the next version where the scheme has one (SemVer-like:
//! `1.2.4-0`; Composer: `1.2.4.0-patch-dev`) and is an error elsewhere,
//! never an approximation.
//!
//! Bounds a shorthand implies use the lowest version of the next release,
//! as the ecosystem's own desugaring does (`^1.2.3` → `<2.0.0-0` in npm
//! and Cargo; `~> 2.0` → `< 3.A` in RubyGems, since `~>` compares releases;
//! `1.2.*` → `<1.3.0.0-dev` in Composer, `<1.3.dev0` in PEP 440). Explicit
//! bounds keep the version as written (`<2.7.51` → fixed `2.7.51`), as OSV
//! and GHSA records do. Cargo's rule that a prerelease only matches a
//! comparator naming the same release is not an interval and is not
//! modelled.
//!
//! Written here because no crate turns requirements into OSV events; the
//! version parsing itself stays with each scheme's module.

use crate::{Scheme, VersionError};
use std::cmp::Ordering;
use tidewatch_types::RangeEvent;

const WHAT: &str = "requirement";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lower {
    Unbounded,
    Incl(String),
    Excl(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Upper {
    Unbounded,
    Excl(String),
    Incl(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Interval {
    lo: Lower,
    hi: Upper,
}

impl Interval {
    const ALL: Interval = Interval {
        lo: Lower::Unbounded,
        hi: Upper::Unbounded,
    };

    fn new(lo: Lower, hi: Upper) -> Interval {
        Interval { lo, hi }
    }

    fn exact(v: &str) -> Interval {
        Interval::new(Lower::Incl(v.to_string()), Upper::Incl(v.to_string()))
    }

    fn half_open(lo: String, hi: String) -> Interval {
        Interval::new(Lower::Incl(lo), Upper::Excl(hi))
    }
}

/// The orderings used to merge intervals. Cargo versions are SemVer, which
/// npm's (superset) parser orders identically.
struct Order {
    scheme: Scheme,
}

impl Order {
    fn cmp(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self.scheme {
            Scheme::Semver => crate::npm::compare(a, b),
            s => s.compare(a, b),
        }
    }

    fn cmp_lower(&self, a: &Lower, b: &Lower) -> Result<Ordering, VersionError> {
        Ok(match (a, b) {
            (Lower::Unbounded, Lower::Unbounded) => Ordering::Equal,
            (Lower::Unbounded, _) => Ordering::Less,
            (_, Lower::Unbounded) => Ordering::Greater,
            (Lower::Incl(x) | Lower::Excl(x), Lower::Incl(y) | Lower::Excl(y)) => {
                self.cmp(x, y)?.then_with(|| {
                    let rank = |l: &Lower| matches!(l, Lower::Excl(_));
                    rank(a).cmp(&rank(b))
                })
            }
        })
    }

    fn cmp_upper(&self, a: &Upper, b: &Upper) -> Result<Ordering, VersionError> {
        Ok(match (a, b) {
            (Upper::Unbounded, Upper::Unbounded) => Ordering::Equal,
            (Upper::Unbounded, _) => Ordering::Greater,
            (_, Upper::Unbounded) => Ordering::Less,
            (Upper::Incl(x) | Upper::Excl(x), Upper::Incl(y) | Upper::Excl(y)) => {
                self.cmp(x, y)?.then_with(|| {
                    let rank = |u: &Upper| matches!(u, Upper::Incl(_));
                    rank(a).cmp(&rank(b))
                })
            }
        })
    }

    fn is_empty(&self, i: &Interval) -> Result<bool, VersionError> {
        let (lo, lo_incl) = match &i.lo {
            Lower::Unbounded => return Ok(false),
            Lower::Incl(v) => (v, true),
            Lower::Excl(v) => (v, false),
        };
        let (hi, hi_incl) = match &i.hi {
            Upper::Unbounded => return Ok(false),
            Upper::Incl(v) => (v, true),
            Upper::Excl(v) => (v, false),
        };
        Ok(match self.cmp(lo, hi)? {
            Ordering::Less => false,
            Ordering::Equal => !(lo_incl && hi_incl),
            Ordering::Greater => true,
        })
    }

    fn intersect(&self, a: &Interval, b: &Interval) -> Result<Interval, VersionError> {
        let lo = if self.cmp_lower(&a.lo, &b.lo)?.is_ge() {
            &a.lo
        } else {
            &b.lo
        };
        let hi = if self.cmp_upper(&a.hi, &b.hi)?.is_le() {
            &a.hi
        } else {
            &b.hi
        };
        Ok(Interval::new(lo.clone(), hi.clone()))
    }

    /// Whether `hi` reaches `lo` of the next interval (overlap or adjacency).
    fn touches(&self, hi: &Upper, lo: &Lower) -> Result<bool, VersionError> {
        Ok(match (hi, lo) {
            (Upper::Unbounded, _) | (_, Lower::Unbounded) => true,
            (Upper::Incl(h), Lower::Incl(l))
            | (Upper::Excl(h), Lower::Incl(l))
            | (Upper::Incl(h), Lower::Excl(l)) => self.cmp(h, l)?.is_ge(),
            (Upper::Excl(h), Lower::Excl(l)) => self.cmp(h, l)?.is_gt(),
        })
    }

    /// Sorted, disjoint, non-empty intervals covering the same versions.
    fn normalize(&self, intervals: Vec<Interval>) -> Result<Vec<Interval>, VersionError> {
        let mut kept = Vec::new();
        for i in intervals {
            if !self.is_empty(&i)? {
                kept.push(i);
            }
        }
        // Insertion sort: comparisons can fail, and lists are short.
        let mut sorted: Vec<Interval> = Vec::with_capacity(kept.len());
        for i in kept {
            let mut at = sorted.len();
            for (k, s) in sorted.iter().enumerate() {
                if self.cmp_lower(&i.lo, &s.lo)?.is_lt() {
                    at = k;
                    break;
                }
            }
            sorted.insert(at, i);
        }
        let mut merged: Vec<Interval> = Vec::new();
        for i in sorted {
            if let Some(last) = merged.last_mut()
                && self.touches(&last.hi, &i.lo)?
            {
                if self.cmp_upper(&i.hi, &last.hi)?.is_gt() {
                    last.hi = i.hi;
                }
                continue;
            }
            merged.push(i);
        }
        Ok(merged)
    }

    /// Intersect two unions of intervals.
    fn intersect_all(&self, a: &[Interval], b: &[Interval]) -> Result<Vec<Interval>, VersionError> {
        let mut out = Vec::new();
        for x in a {
            for y in b {
                out.push(self.intersect(x, y)?);
            }
        }
        self.normalize(out)
    }

    fn complement(&self, union: &[Interval]) -> Vec<Interval> {
        let mut out = Vec::new();
        let mut lo = Lower::Unbounded;
        for i in union {
            let hi = match &i.lo {
                Lower::Unbounded => None,
                Lower::Incl(v) => Some(Upper::Excl(v.clone())),
                Lower::Excl(v) => Some(Upper::Incl(v.clone())),
            };
            if let Some(hi) = hi {
                out.push(Interval::new(lo, hi));
            }
            lo = match &i.hi {
                Upper::Unbounded => return out,
                Upper::Excl(v) => Lower::Incl(v.clone()),
                Upper::Incl(v) => Lower::Excl(v.clone()),
            };
        }
        out.push(Interval::new(lo, Upper::Unbounded));
        out
    }
}

/// Convert one requirement string of `scheme`'s ecosystem into OSV event
/// lists, one per disjoint interval, in ascending order.
pub fn to_ranges(scheme: Scheme, req: &str) -> Result<Vec<Vec<RangeEvent>>, VersionError> {
    let order = Order { scheme };
    let intervals = parse_requirement(&order, req)?;
    let intervals = order.normalize(intervals)?;
    emit(scheme, &intervals)
}

/// The affected ranges left by lists of patched and unaffected requirements
/// (RustSec: affected = in no patched and no unaffected requirement).
/// With both lists empty, every version is affected.
pub fn complement_to_ranges(
    scheme: Scheme,
    patched: &[&str],
    unaffected: &[&str],
) -> Result<Vec<Vec<RangeEvent>>, VersionError> {
    let order = Order { scheme };
    let mut all = Vec::new();
    for req in patched.iter().chain(unaffected) {
        all.extend(parse_requirement(&order, req)?);
    }
    let union = order.normalize(all)?;
    let affected = order.normalize(order.complement(&union))?;
    emit(scheme, &affected)
}

/// The versions `req` matches that none of `excluded` match (nodejs
/// security-wg: `vulnerable_versions` minus `patched_versions`).
pub fn to_ranges_excluding(
    scheme: Scheme,
    req: &str,
    excluded: &[&str],
) -> Result<Vec<Vec<RangeEvent>>, VersionError> {
    let order = Order { scheme };
    let matched = order.normalize(parse_requirement(&order, req)?)?;
    let mut all = Vec::new();
    for e in excluded {
        all.extend(parse_requirement(&order, e)?);
    }
    let kept = order.complement(&order.normalize(all)?);
    let result = order.intersect_all(&matched, &kept)?;
    emit(scheme, &result)
}

fn emit(scheme: Scheme, intervals: &[Interval]) -> Result<Vec<Vec<RangeEvent>>, VersionError> {
    intervals
        .iter()
        .map(|i| {
            let introduced = match &i.lo {
                Lower::Unbounded => "0".to_string(),
                Lower::Incl(v) => v.clone(),
                Lower::Excl(v) => successor(scheme, v)?,
            };
            let mut events = vec![RangeEvent::Introduced(introduced)];
            match &i.hi {
                Upper::Unbounded => {}
                Upper::Excl(v) => events.push(RangeEvent::Fixed(v.clone())),
                Upper::Incl(v) => events.push(RangeEvent::LastAffected(v.clone())),
            }
            Ok(events)
        })
        .collect()
}

/// The smallest version greater than `v`, where the scheme has one.
fn successor(scheme: Scheme, v: &str) -> Result<String, VersionError> {
    match scheme {
        Scheme::Semver | Scheme::Npm | Scheme::Go => {
            let s = v.split_once('+').map_or(v, |(head, _)| head);
            if s.contains('-') {
                // A longer prerelease with the same prefix is greater, and
                // `0` is the smallest identifier.
                Ok(format!("{s}.0"))
            } else {
                let p = parse_partial(s).map_err(|r| VersionError::new(scheme.name(), v, r))?;
                Ok(format!(
                    "{}.{}.{}-0",
                    p.major.unwrap_or(0),
                    p.minor.unwrap_or(0),
                    p.patch.unwrap_or(0) + 1
                ))
            }
        }
        // Composer compares normalised versions with `version_compare`:
        // after a plain `a.b.c.d` the next version is its `-patch-dev`
        // (`patch` outranks a release, `dev` comes first after it).
        Scheme::Composer => match crate::composer::normalize(v) {
            Some(n) if !n.contains('-') => Ok(format!("{n}-patch-dev")),
            _ => Err(VersionError::new(
                scheme.name(),
                v,
                "no next version after a prerelease or branch for `>`",
            )),
        },
        _ => Err(VersionError::new(
            scheme.name(),
            v,
            "an exclusive lower bound (`>`, `!=`) has no OSV equivalent in this scheme",
        )),
    }
}

fn parse_requirement(order: &Order, req: &str) -> Result<Vec<Interval>, VersionError> {
    let scheme = order.scheme;
    let err = |reason: String| VersionError::new(scheme.name(), req, format!("{WHAT}: {reason}"));
    let intervals = match scheme {
        Scheme::Semver => and_all(order, req.split(','), |c| cargo_comparator(c.trim()))
            .map_err(|e| err(e.to_string()))?,
        Scheme::Npm => {
            let mut union = Vec::new();
            for set in req.split("||") {
                union.extend(npm_set(order, set.trim()).map_err(|e| err(e.to_string()))?);
            }
            union
        }
        Scheme::RubyGems => and_all(order, req.split(','), |c| gem_comparator(c.trim()))
            .map_err(|e| err(e.to_string()))?,
        Scheme::Composer => {
            if req.trim().is_empty() {
                return Err(err("empty constraint".to_string()));
            }
            let mut union = Vec::new();
            for set in req.split('|').filter(|s| !s.is_empty()) {
                union.extend(composer_set(order, set.trim()).map_err(|e| err(e.to_string()))?);
            }
            union
        }
        Scheme::Pep440 => and_all(order, req.split(','), |c| pep440_specifier(c.trim()))
            .map_err(|e| err(e.to_string()))?,
        _ => return Err(err("no requirement syntax for this scheme".to_string())),
    };
    // Every version named must be one the scheme orders.
    for i in &intervals {
        let lo = match &i.lo {
            Lower::Incl(v) | Lower::Excl(v) => Some(v),
            Lower::Unbounded => None,
        };
        let hi = match &i.hi {
            Upper::Incl(v) | Upper::Excl(v) => Some(v),
            Upper::Unbounded => None,
        };
        for v in lo.into_iter().chain(hi) {
            order.cmp(v, v)?;
        }
    }
    Ok(intervals)
}

/// Intersect the intervals of each comparator; an empty list matches all.
fn and_all<'a>(
    order: &Order,
    comparators: impl Iterator<Item = &'a str>,
    parse: impl Fn(&str) -> Result<Vec<Interval>, String>,
) -> Result<Vec<Interval>, VersionError> {
    let mut acc = vec![Interval::ALL];
    let mut any = false;
    for c in comparators {
        if c.trim().is_empty() {
            return Err(VersionError::new(
                order.scheme.name(),
                c,
                "empty comparator",
            ));
        }
        any = true;
        let next = parse(c).map_err(|r| VersionError::new(order.scheme.name(), c, r))?;
        acc = order.intersect_all(&acc, &next)?;
    }
    if !any {
        return Err(VersionError::new(
            order.scheme.name(),
            "",
            "empty requirement",
        ));
    }
    Ok(acc)
}

/// A SemVer-like version with wildcards (`1`, `1.2`, `1.x`, `*`).
#[derive(Debug, Clone, Default)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    /// Prerelease, without the hyphen; only with a full version.
    pre: Option<String>,
    /// Written with `*`/`x` (`1.2.*`), which Cargo never reads as a caret.
    wildcard: bool,
}

impl Partial {
    fn full(&self) -> String {
        let base = format!(
            "{}.{}.{}",
            self.major.unwrap_or(0),
            self.minor.unwrap_or(0),
            self.patch.unwrap_or(0)
        );
        match &self.pre {
            Some(p) => format!("{base}-{p}"),
            None => base,
        }
    }

    fn is_complete(&self) -> bool {
        self.patch.is_some()
    }

    /// The first version after every version this partial matches.
    fn next_release(&self) -> Option<String> {
        match (self.major, self.minor, self.patch) {
            (None, _, _) => None,
            (Some(m), None, _) => Some(format!("{}.0.0-0", m + 1)),
            (Some(m), Some(n), None) => Some(format!("{m}.{}.0-0", n + 1)),
            (Some(m), Some(n), Some(p)) => Some(format!("{m}.{n}.{}-0", p + 1)),
        }
    }
}

fn parse_partial(s: &str) -> Result<Partial, String> {
    let s = s.trim().trim_start_matches(['v', '=']).trim();
    let s = s.split_once('+').map_or(s, |(head, _)| head);
    if s.is_empty() {
        return Err("missing version".to_string());
    }
    let (nums, pre) = match s.split_once('-') {
        Some((n, p)) => (n, Some(p.to_string())),
        None => (s, None),
    };
    let mut out = Partial::default();
    let mut parts = nums.split('.');
    let mut wild = false;
    for slot in [&mut out.major, &mut out.minor, &mut out.patch] {
        let Some(part) = parts.next() else { break };
        if matches!(part, "*" | "x" | "X") {
            wild = true;
            continue;
        }
        if wild {
            return Err(format!("number after a wildcard in {s:?}"));
        }
        *slot = Some(
            part.parse::<u64>()
                .map_err(|_| format!("invalid number {part:?} in {s:?}"))?,
        );
    }
    if parts.next().is_some() {
        return Err(format!("more than three numbers in {s:?}"));
    }
    if pre.is_some() && !out.is_complete() {
        return Err(format!("prerelease on a partial version {s:?}"));
    }
    out.pre = pre;
    out.wildcard = wild;
    Ok(out)
}

fn split_op(c: &str) -> (&str, &str) {
    let end = c
        .find(|ch: char| !matches!(ch, '<' | '>' | '=' | '~' | '^' | '!'))
        .unwrap_or(c.len());
    let (op, rest) = c.split_at(end);
    (op, rest.trim())
}

/// The intervals of a primitive SemVer-like comparator, shared by Cargo and
/// node-semver (they desugar partial versions the same way).
fn semver_primitive(op: &str, p: &Partial, caret_default: bool) -> Result<Vec<Interval>, String> {
    let lo = || p.full();
    let hi = p.next_release();
    let upto = |hi: Option<String>| match hi {
        Some(h) => Upper::Excl(h),
        None => Upper::Unbounded,
    };
    let wildcard = p.major.is_none();
    Ok(vec![match op {
        _ if wildcard && matches!(op, "" | "=" | ">=" | "<=" | "^" | "~") => Interval::ALL,
        // `<*` and `>*` match nothing.
        _ if wildcard => return Ok(Vec::new()),
        "" if caret_default && !p.wildcard => return semver_primitive("^", p, false),
        "" | "=" => {
            if p.is_complete() {
                Interval::exact(&lo())
            } else {
                Interval::new(Lower::Incl(lo()), upto(hi))
            }
        }
        ">=" => Interval::new(Lower::Incl(lo()), Upper::Unbounded),
        ">" => {
            if p.is_complete() {
                Interval::new(Lower::Excl(lo()), Upper::Unbounded)
            } else {
                // `>1.2` is `>=1.3.0`.
                let next = hi.ok_or("bad bound")?;
                Interval::new(
                    Lower::Incl(next.trim_end_matches("-0").to_string()),
                    Upper::Unbounded,
                )
            }
        }
        "<" => {
            if p.is_complete() {
                Interval::new(Lower::Unbounded, Upper::Excl(lo()))
            } else {
                Interval::new(Lower::Unbounded, Upper::Excl(format!("{}-0", lo())))
            }
        }
        "<=" => {
            if p.is_complete() {
                Interval::new(Lower::Unbounded, Upper::Incl(lo()))
            } else {
                Interval::new(Lower::Unbounded, upto(hi))
            }
        }
        "~" | "~>" => {
            let hi = match (p.major, p.minor) {
                (Some(m), None) => format!("{}.0.0-0", m + 1),
                (Some(m), Some(n)) => format!("{m}.{}.0-0", n + 1),
                _ => return Err("bad tilde".to_string()),
            };
            Interval::half_open(lo(), hi)
        }
        "^" => {
            let hi = match (p.major, p.minor, p.patch) {
                (Some(0), Some(0), Some(x)) => format!("0.0.{}-0", x + 1),
                (Some(0), Some(n), _) => format!("0.{}.0-0", n + 1),
                (Some(m), _, _) => format!("{}.0.0-0", m + 1),
                _ => return Err("bad caret".to_string()),
            };
            Interval::half_open(lo(), hi)
        }
        other => return Err(format!("unknown operator {other:?}")),
    }])
}

fn cargo_comparator(c: &str) -> Result<Vec<Interval>, String> {
    let (op, v) = split_op(c);
    let p = parse_partial(v)?;
    // `>= *` is no Cargo requirement; reading it as "any" would turn a
    // broken `patched` entry into "nothing affected".
    if p.major.is_none() && !op.is_empty() {
        return Err(format!("operator {op:?} before a bare wildcard"));
    }
    semver_primitive(op, &p, true)
}

fn npm_set(order: &Order, set: &str) -> Result<Vec<Interval>, VersionError> {
    let err = |r: String| VersionError::new("npm", set, r);
    let tokens: Vec<&str> = set.split_whitespace().collect();
    // Hyphen range: `A - B`, inclusive; a partial upper bound covers its
    // whole release.
    if let [a, "-", b] = tokens[..] {
        let a = parse_partial(a).map_err(err)?;
        let b = parse_partial(b).map_err(err)?;
        let hi = if b.is_complete() {
            Upper::Incl(b.full())
        } else {
            match b.next_release() {
                Some(h) => Upper::Excl(h),
                None => Upper::Unbounded,
            }
        };
        let lo = if a.major.is_none() {
            Lower::Unbounded
        } else {
            Lower::Incl(a.full())
        };
        return Ok(vec![Interval::new(lo, hi)]);
    }
    // Operators may be separated from their version by spaces.
    let mut comparators = Vec::new();
    let mut pending: Option<&str> = None;
    for t in tokens {
        match pending.take() {
            Some(op) => comparators.push(format!("{op}{t}")),
            None if split_op(t).1.is_empty() && !t.is_empty() && split_op(t).0 == t => {
                pending = Some(t)
            }
            None => comparators.push(t.to_string()),
        }
    }
    if let Some(op) = pending {
        return Err(err(format!("operator {op:?} without a version")));
    }
    if comparators.is_empty() {
        // `""` means any version.
        return Ok(vec![Interval::ALL]);
    }
    and_all(order, comparators.iter().map(String::as_str), |c| {
        let (op, v) = split_op(c);
        let op = if op == "~>" { "~" } else { op };
        semver_primitive(op, &parse_partial(v)?, false)
    })
}

fn gem_comparator(c: &str) -> Result<Vec<Interval>, String> {
    let (op, v) = split_op(c);
    let v = v.to_string();
    crate::gem::parse(&v).map_err(|e| e.to_string())?;
    Ok(match op {
        "" | "=" => vec![Interval::exact(&v)],
        ">=" => vec![Interval::new(Lower::Incl(v), Upper::Unbounded)],
        ">" => vec![Interval::new(Lower::Excl(v), Upper::Unbounded)],
        "<" => vec![Interval::new(Lower::Unbounded, Upper::Excl(v))],
        "<=" => vec![Interval::new(Lower::Unbounded, Upper::Incl(v))],
        "!=" => vec![
            Interval::new(Lower::Unbounded, Upper::Excl(v.clone())),
            Interval::new(Lower::Excl(v), Upper::Unbounded),
        ],
        "~>" => vec![Interval::half_open(v.clone(), gem_bump(&v)?)],
        other => return Err(format!("unknown operator {other:?}")),
    })
}

/// `Gem::Version#bump` followed by the smallest prerelease of it: `~>`
/// compares releases, so `~> 2.0` excludes `3.a` (and `3.A`, the smallest).
fn gem_bump(v: &str) -> Result<String, String> {
    let mut segments: Vec<&str> = Vec::new();
    let mut rest = v.trim();
    // Numeric segments before the first letter run.
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        let (n, r) = rest.split_at(end);
        segments.push(n);
        rest = r.strip_prefix('.').unwrap_or(r);
        if rest.starts_with(|c: char| !c.is_ascii_digit()) {
            break;
        }
    }
    if segments.len() > 1 {
        segments.pop();
    }
    let last = segments
        .pop()
        .ok_or_else(|| format!("cannot bump {v:?}"))?
        .parse::<u128>()
        .map_err(|_| format!("number too large in {v:?}"))?;
    let mut out: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    out.push((last + 1).to_string());
    Ok(format!("{}.A", out.join(".")))
}

fn composer_set(order: &Order, set: &str) -> Result<Vec<Interval>, VersionError> {
    let err = |r: String| VersionError::new("Composer", set, r);
    let compact: String = set.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty()
        || compact.starts_with(',')
        || compact.ends_with(',')
        || compact.contains(",,")
    {
        return Err(err("empty constraint".to_string()));
    }
    let tokens: Vec<&str> = set
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if let [a, "-", b] = tokens[..] {
        if let Some(bad) = [a, b]
            .into_iter()
            .find(|v| crate::composer::normalize(v).is_none())
        {
            return Err(err(format!("{bad:?} is not a Composer version")));
        }
        let lo = composer_floor(a).map_err(err)?;
        let hi = match composer_partial(b).map_err(err)? {
            (parts, true) => Upper::Incl(parts.join(".")),
            (parts, false) => Upper::Excl(composer_next(&parts, parts.len())),
        };
        return Ok(vec![Interval::new(Lower::Incl(lo), hi)]);
    }
    let mut comparators = Vec::new();
    let mut pending: Option<&str> = None;
    for t in tokens {
        match pending.take() {
            Some(op) => comparators.push(format!("{op}{t}")),
            None if split_op(t).0 == t => pending = Some(t),
            None => comparators.push(t.to_string()),
        }
    }
    if let Some(op) = pending {
        return Err(err(format!("operator {op:?} without a version")));
    }
    and_all(
        order,
        comparators.iter().map(String::as_str),
        composer_comparator,
    )
}

/// Release numbers of a Composer version and whether all four were given
/// (`1.2` → `[1, 2]`, false); stability suffixes stay on the last part.
fn composer_partial(v: &str) -> Result<(Vec<String>, bool), String> {
    let v = v.trim().strip_prefix(['v', 'V']).unwrap_or(v.trim());
    let parts: Vec<String> = v.split('.').map(str::to_string).collect();
    if parts.is_empty() || parts.len() > 4 || parts.iter().any(String::is_empty) {
        return Err(format!("invalid version {v:?}"));
    }
    let numeric = parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    Ok((parts.clone(), !numeric || parts.len() >= 3))
}

fn composer_floor(v: &str) -> Result<String, String> {
    Ok(composer_partial(v)?.0.join("."))
}

/// The lowest version after the first `keep` numbers of `parts`
/// (`[1, 2]`, 1 → `2.0.0.0-dev`).
fn composer_next(parts: &[String], keep: usize) -> String {
    let mut nums: Vec<u128> = parts
        .iter()
        .take(keep)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    if let Some(last) = nums.last_mut() {
        *last += 1;
    }
    while nums.len() < 4 {
        nums.push(0);
    }
    format!(
        "{}-dev",
        nums.iter()
            .map(u128::to_string)
            .collect::<Vec<_>>()
            .join(".")
    )
}

fn composer_comparator(c: &str) -> Result<Vec<Interval>, String> {
    let (op, v) = split_op(c);
    let v = v
        .trim()
        .trim_end_matches("@stable")
        .trim_end_matches("@dev");
    if v == "*" {
        return Ok(vec![Interval::ALL]);
    }
    if let Some(prefix) = v.strip_suffix(".*").or_else(|| v.strip_suffix(".x")) {
        if !op.is_empty() {
            return Err(format!("operator with a wildcard in {c:?}"));
        }
        let (parts, _) = composer_partial(prefix)?;
        if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(format!("invalid wildcard {c:?}"));
        }
        let lo = parts.join(".");
        return Ok(vec![Interval::half_open(
            lo,
            composer_next(&parts, parts.len()),
        )]);
    }
    // `version_compare` orders any string; a constraint must still name a
    // version Composer accepts.
    if crate::composer::normalize(v).is_none() {
        return Err(format!("{v:?} is not a Composer version"));
    }
    let (parts, _) = composer_partial(v)?;
    let numeric: Vec<String> = parts
        .iter()
        .take_while(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect();
    let v = v.to_string();
    Ok(vec![match op {
        "" | "=" | "==" => Interval::exact(&v),
        ">=" => Interval::new(Lower::Incl(v), Upper::Unbounded),
        ">" => Interval::new(Lower::Excl(v), Upper::Unbounded),
        "<" => Interval::new(Lower::Unbounded, Upper::Excl(v)),
        "<=" => Interval::new(Lower::Unbounded, Upper::Incl(v)),
        "!=" | "<>" => {
            return Ok(vec![
                Interval::new(Lower::Unbounded, Upper::Excl(v.clone())),
                Interval::new(Lower::Excl(v), Upper::Unbounded),
            ]);
        }
        "~" => {
            // `~1.2` allows 1.x (≥ 1.2); `~1.2.3` allows 1.2.x (≥ 1.2.3).
            let keep = numeric.len().saturating_sub(1).max(1);
            Interval::half_open(v, composer_next(&numeric, keep))
        }
        "^" => {
            // The first non-zero number is the one that may not change.
            let keep = numeric
                .iter()
                .position(|p| !p.trim_start_matches('0').is_empty())
                .map_or(numeric.len(), |i| i + 1);
            Interval::half_open(v, composer_next(&numeric, keep.max(1)))
        }
        other => return Err(format!("unknown operator {other:?}")),
    }])
}

fn pep440_specifier(c: &str) -> Result<Vec<Interval>, String> {
    let (op, v) = split_op(c);
    let v = v.trim().to_string();
    if let Some(prefix) = v.strip_suffix(".*") {
        let parsed = crate::pep440::parse(prefix).map_err(|e| e.to_string())?;
        let release = parsed.release();
        let lo = format!("{prefix}.dev0");
        let mut next: Vec<u64> = release.to_vec();
        if let Some(last) = next.last_mut() {
            *last += 1;
        }
        let epoch = if parsed.epoch() > 0 {
            format!("{}!", parsed.epoch())
        } else {
            String::new()
        };
        let hi = format!(
            "{epoch}{}.dev0",
            next.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        );
        return match op {
            "==" => Ok(vec![Interval::half_open(lo, hi)]),
            "!=" => Ok(vec![
                Interval::new(Lower::Unbounded, Upper::Excl(lo)),
                Interval::new(Lower::Incl(hi), Upper::Unbounded),
            ]),
            other => Err(format!("operator {other:?} with a wildcard")),
        };
    }
    let parsed = crate::pep440::parse(&v).map_err(|e| e.to_string())?;
    Ok(match op {
        "==" | "===" => vec![Interval::exact(&v)],
        ">=" => vec![Interval::new(Lower::Incl(v), Upper::Unbounded)],
        ">" => vec![Interval::new(Lower::Excl(v), Upper::Unbounded)],
        "<" => vec![Interval::new(Lower::Unbounded, Upper::Excl(v))],
        "<=" => vec![Interval::new(Lower::Unbounded, Upper::Incl(v))],
        "!=" => vec![
            Interval::new(Lower::Unbounded, Upper::Excl(v.clone())),
            Interval::new(Lower::Excl(v), Upper::Unbounded),
        ],
        "~=" => {
            let release = parsed.release();
            if release.len() < 2 {
                return Err(format!("`~=` needs two release numbers: {c:?}"));
            }
            let mut next: Vec<u64> = release.iter().take(release.len() - 1).copied().collect();
            if let Some(last) = next.last_mut() {
                *last += 1;
            }
            let epoch = if parsed.epoch() > 0 {
                format!("{}!", parsed.epoch())
            } else {
                String::new()
            };
            let hi = format!(
                "{epoch}{}.dev0",
                next.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
            );
            vec![Interval::half_open(v, hi)]
        }
        other => return Err(format!("unknown operator {other:?}")),
    })
}
