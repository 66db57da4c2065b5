//! Composer ordering (Packagist): `Composer\Semver\VersionParser::normalize`
//! followed by PHP's `version_compare`, which is what Composer's
//! `Comparator` does.
//!
//! Normalisation makes `1.0`, `v1.0.0` and `1.0.0.0` equal and spells
//! stabilities one way (`1.0b2` → `1.0.0.0-beta2`, `1.0pl1` →
//! `1.0.0.0-patch1`). A version Composer cannot normalise (`4.3-2RC1`) is
//! compared raw by `version_compare`, as PHP would: `version_compare`
//! orders any string, so nothing but a blank version is an error.
//! Both steps are written here: there is no Rust port of either.

use crate::VersionError;
use crate::npm::compare_digits;
use std::cmp::Ordering;

const SCHEME: &str = "Composer";
/// No real version comes close; the cap bounds the work per comparison.
const MAX_LEN: usize = 256;

/// Compare two Composer versions: normalised when Composer can normalise
/// both, otherwise both raw (mixing the two forms would misorder
/// `3.0.0b1` against `3.0.0b1.post1`).
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (ta, tb) = (a.trim(), b.trim());
    for (t, orig) in [(ta, a), (tb, b)] {
        if t.is_empty() {
            return Err(VersionError::new(SCHEME, orig, "empty version"));
        }
        if t.len() > MAX_LEN {
            return Err(VersionError::new(
                SCHEME,
                orig,
                "longer than 256 characters",
            ));
        }
    }
    Ok(match (normalize(ta), normalize(tb)) {
        (Some(na), Some(nb)) => php_version_compare(&na, &nb),
        _ => php_version_compare(strip_v(ta), strip_v(tb)),
    })
}

fn strip_v(v: &str) -> &str {
    v.strip_prefix(['v', 'V']).unwrap_or(v)
}

/// `VersionParser::normalize`: `None` where Composer throws "Invalid
/// version string".
pub fn normalize(version: &str) -> Option<String> {
    let mut v = version.trim();
    // `1.0.x-dev as 1.0.0`: the alias is not the version.
    if let Some((real, alias)) = v.split_once(" as ")
        && !real.trim().is_empty()
        && !alias.trim().is_empty()
        && !real.trim().contains([',', ' '])
    {
        v = real.trim();
    }
    // A trailing stability flag (`@dev`).
    if let Some((head, flag)) = v.rsplit_once('@')
        && is_stability(flag)
    {
        v = head;
    }
    if matches!(v, "master" | "trunk" | "default") {
        return Some(format!("dev-{v}"));
    }
    if v.len() >= 4 && v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("dev-")) {
        return Some(format!("dev-{}", v.get(4..).unwrap_or_default()));
    }
    // Build metadata.
    if let Some((head, _)) = v.split_once('+')
        && !head.is_empty()
        && !head.contains([',', ' '])
    {
        v = head;
    }
    if let Some(n) = classic(v).or_else(|| datetime(v)) {
        return Some(n);
    }
    // `1.x-dev`, `2.0-dev` style branches.
    let lower = v.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix("dev") {
        let stem = stem.strip_suffix(['.', '-']).unwrap_or(stem);
        let original = v.get(..stem.len()).unwrap_or_default();
        return normalize_branch(original);
    }
    None
}

fn is_stability(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "stable" | "rc" | "beta" | "alpha" | "dev"
    )
}

/// `^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + modifier.
fn classic(v: &str) -> Option<String> {
    let s = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let (first, mut rest) = digits(s);
    if first.is_empty() || first.len() > 5 {
        return None;
    }
    let mut parts = vec![first.to_string()];
    while parts.len() < 4 {
        let Some(after_dot) = rest.strip_prefix('.') else {
            break;
        };
        let (n, r) = digits(after_dot);
        if n.is_empty() {
            break;
        }
        parts.push(n.to_string());
        rest = r;
    }
    while parts.len() < 4 {
        parts.push("0".to_string());
    }
    let modifier = modifier(rest)?;
    Some(format!("{}{modifier}", parts.join(".")))
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier: dates.
/// The non-digits of the date become dots.
fn datetime(v: &str) -> Option<String> {
    let s = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let bytes = s.as_bytes();
    // Take the longest prefix of digits and `.:-` separators that fits the
    // date shape, then let the modifier match the rest; try shorter
    // prefixes if it does not (the regex backtracks the same way).
    let max = bytes
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b':' | b'-')))
        .unwrap_or(bytes.len());
    for end in (4..=max).rev() {
        let (date, rest) = s.split_at(end);
        if is_date(date)
            && let Some(m) = modifier(rest)
        {
            let date: String = date
                .chars()
                .map(|c| if c.is_ascii_digit() { c } else { '.' })
                .collect();
            return Some(format!("{date}{m}"));
        }
    }
    None
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    let Some(year) = b.get(..4) else { return false };
    if !year.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Groups after the year: an optional separator then digits; the first
    // 1–6 groups have exactly 2 digits, then up to 2 groups of 1–3.
    let mut groups = Vec::new();
    let mut i = 4;
    while i < b.len() {
        if b.get(i).is_some_and(|c| matches!(c, b'.' | b':' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
        groups.push(i - start);
    }
    // Digits without a separator may split several ways; accept when some
    // split fits, by counting: runs must be cut into 2-digit groups (at
    // least one, at most six) and then at most two groups of 1–3 digits.
    fits_date_groups(&groups)
}

fn fits_date_groups(runs: &[usize]) -> bool {
    // Each run is a separator-delimited block of digits; it may hold
    // several regex groups. Search over (two-digit groups used, small groups
    // used) states.
    let mut states = vec![(0usize, 0usize)];
    for &run in runs {
        let mut next = Vec::new();
        for &(twos, smalls) in &states {
            // Split `run` into k two-digit groups followed by up to two
            // 1–3 digit groups (small groups only once twos are done).
            for k in 0..=run / 2 {
                let left = run - 2 * k;
                let new_twos = twos + k;
                if k > 0 && smalls > 0 {
                    continue;
                }
                if new_twos > 6 {
                    continue;
                }
                for extra in small_splits(left) {
                    let new_smalls = smalls + extra;
                    if new_smalls <= 2 && (extra == 0 || new_twos >= 1) {
                        next.push((new_twos, new_smalls));
                    }
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        states = next;
    }
    states.iter().any(|&(twos, _)| twos >= 1)
}

/// How many 1–3 digit groups `n` digits can be cut into (0 only for n = 0).
fn small_splits(n: usize) -> Vec<usize> {
    match n {
        0 => vec![0],
        1..=3 => vec![1],
        4..=6 => vec![2],
        _ => vec![],
    }
}

/// The modifier: `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?$`
/// (case-insensitive), rendered as Composer does; `None` if `rest` is not one.
fn modifier(rest: &str) -> Option<String> {
    let stripped = rest.strip_prefix(['.', '_', '-']);
    stripped
        .and_then(modifier_body)
        .or_else(|| modifier_body(rest))
}

fn modifier_body(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if is_dev_suffix(s) {
        return Some("-dev".to_string());
    }
    let lower = s.to_ascii_lowercase();
    // Alternatives in the regex's order; it backtracks into the next one
    // when the rest does not fit.
    for st in [
        "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p",
    ] {
        if !lower.starts_with(st) {
            continue;
        }
        let Some((numbers, tail)) = modifier_tail(s.get(st.len()..).unwrap_or_default()) else {
            continue;
        };
        if st == "stable" {
            // Composer returns right away: a stable version has no suffix.
            return Some(String::new());
        }
        let expanded = match st {
            "a" => "alpha",
            "b" => "beta",
            "p" | "pl" => "patch",
            "rc" => "RC",
            other => other,
        };
        let mut out = format!("-{expanded}{}", numbers.trim_start_matches(['.', '-']));
        if !tail.is_empty() {
            out.push_str("-dev");
        }
        return Some(out);
    }
    None
}

fn is_dev_suffix(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "dev" | ".dev" | "-dev")
}

fn digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Split `((?:[.-]?\d+)*)` off the front; the rest must be `([.-]?dev)?`.
fn modifier_tail(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        let mut j = i;
        if b.get(j).is_some_and(|c| matches!(c, b'.' | b'-')) {
            j += 1;
        }
        let start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == start {
            break;
        }
        i = j;
    }
    let (numbers, tail) = s.split_at(i);
    (tail.is_empty() || is_dev_suffix(tail)).then_some((numbers, tail))
}

/// `VersionParser::normalizeBranch` for a `-dev` branch: numeric branches
/// become `1.2.9999999.9999999-dev`; anything else is no version.
fn normalize_branch(name: &str) -> Option<String> {
    let s = name.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let mut parts: Vec<String> = Vec::new();
    for (i, p) in s.split('.').enumerate() {
        let numeric = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let wildcard = i > 0 && matches!(p, "x" | "X" | "*");
        if !(numeric || wildcard) || i >= 4 {
            return None;
        }
        parts.push(if wildcard {
            "9999999".to_string()
        } else {
            p.to_string()
        });
    }
    while parts.len() < 4 {
        parts.push("9999999".to_string());
    }
    Some(format!("{}-dev", parts.join(".")))
}

/// PHP's `version_compare($a, $b)`.
///
/// PHP recurses to compare what is left of the longer version with `#N#`;
/// this loops instead, so a hostile version cannot exhaust the stack. One
/// deliberate difference: PHP finds `1.` less than `1.` (see below).
pub fn php_version_compare(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.to_string(), b.to_string());
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let ca = if a.starts_with('#') {
            a.clone()
        } else {
            canonicalize(&a)
        };
        let cb = if b.starts_with('#') {
            b.clone()
        } else {
            canonicalize(&b)
        };
        // Walk both like PHP's `strchr` loop: a token is the text up to the
        // next `.`; an empty token (from `1..2` or a leading dot) is a word.
        let (mut p1, mut p2) = (ca.as_str(), cb.as_str());
        let (mut more1, mut more2) = (true, true);
        while !p1.is_empty() && !p2.is_empty() && more1 && more2 {
            let (t1, r1) = match p1.split_once('.') {
                Some((t, r)) => (t, Some(r)),
                None => (p1, None),
            };
            let (t2, r2) = match p2.split_once('.') {
                Some((t, r)) => (t, Some(r)),
                None => (p2, None),
            };
            let ord = compare_token(t1, t2);
            if ord.is_ne() {
                return ord;
            }
            more1 = r1.is_some();
            more2 = r2.is_some();
            p1 = r1.unwrap_or(p1);
            p2 = r2.unwrap_or(p2);
        }
        let digit = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
        if more1 && more2 {
            // Both stopped on an empty word (`1.` vs `1.`). PHP then says
            // "less" even for equal strings; an order must be reflexive, so
            // the remainders are compared with each other.
            (a, b) = (p1.to_string(), p2.to_string());
        } else if more1 {
            if digit(p1) {
                return Ordering::Greater;
            }
            (a, b) = (p1.to_string(), "#N#".to_string());
        } else if more2 {
            if digit(p2) {
                return Ordering::Less;
            }
            (a, b) = ("#N#".to_string(), p2.to_string());
        } else {
            return Ordering::Equal;
        }
    }
}

fn compare_token(a: &str, b: &str) -> Ordering {
    let da = a.starts_with(|c: char| c.is_ascii_digit());
    let db = b.starts_with(|c: char| c.is_ascii_digit());
    match (da, db) {
        // PHP uses strtol, which saturates; comparing digit strings keeps
        // huge numbers ordered.
        (true, true) => compare_digits(a, b),
        (false, false) => special_form(a).cmp(&special_form(b)),
        (true, false) => special_form("#N#").cmp(&special_form(b)),
        (false, true) => special_form(a).cmp(&special_form("#N#")),
    }
}

/// PHP's `compare_special_version_forms`: the first form the token starts
/// with; unknown words sort before everything.
fn special_form(token: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| token.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

/// PHP's `php_canonicalize_version`: `-`, `_`, `+` become `.`, and a `.`
/// goes between digits and non-digits; the first character is kept as it
/// is. Other punctuation stays a word of its own (`1.2.3.#` keeps `#`,
/// which then ranks like a number), as the OSV reference comparator does.
fn canonicalize(v: &str) -> String {
    let mut chars = v.chars();
    let mut out = String::with_capacity(v.len() * 2);
    let Some(first) = chars.next() else {
        return out;
    };
    out.push(first);
    let is_dig = |c: char| c.is_ascii_digit();
    let is_ndig = |c: char| !c.is_ascii_digit() && c != '.';
    let mut last = first;
    for c in chars {
        let prev_dot = out.ends_with('.');
        if matches!(c, '-' | '_' | '+') {
            if !prev_dot {
                out.push('.');
            }
        } else if (is_ndig(last) && is_dig(c)) || (is_dig(last) && is_ndig(c)) {
            if !prev_dot {
                out.push('.');
            }
            out.push(c);
        } else {
            out.push(c);
        }
        last = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn normalizes_like_composer() {
        for (input, want) in [
            ("1.0.0", Some("1.0.0.0")),
            ("v1.0", Some("1.0.0.0")),
            ("1.2.3.4", Some("1.2.3.4")),
            ("1.0.0-beta2", Some("1.0.0.0-beta2")),
            ("1.0b2", Some("1.0.0.0-beta2")),
            ("1.25.0-b.2.1", Some("1.25.0.0-beta2.1")),
            ("1.0pl1", Some("1.0.0.0-patch1")),
            ("1.0RC1", Some("1.0.0.0-RC1")),
            ("1.0.0-rc.1", Some("1.0.0.0-RC1")),
            ("1.0-dev", Some("1.0.0.0-dev")),
            ("1.0.0-alpha3-dev", Some("1.0.0.0-alpha3-dev")),
            ("1.0.0-stable", Some("1.0.0.0")),
            ("1.0.0+build.5", Some("1.0.0.0")),
            ("dev-master", Some("dev-master")),
            ("master", Some("dev-master")),
            ("1.x-dev", Some("1.9999999.9999999.9999999-dev")),
            ("2.1.x-dev", Some("2.1.9999999.9999999-dev")),
            ("20100102-203040", Some("20100102.203040")),
            ("2010-01-02", Some("2010.01.02")),
            ("1.0.0@dev", Some("1.0.0.0")),
            ("4.3-2RC1", None),
            ("1.2.3.#", None),
            ("foo", None),
        ] {
            assert_eq!(normalize(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn php_version_compare_matches_php() {
        // From php-src's version_compare.phpt.
        let ordered = ["1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1"];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(php_version_compare(a, b), i.cmp(&j), "{a} {b}");
            }
        }
        assert_eq!(php_version_compare("1.0.0", "1.0"), Greater);
        assert_eq!(php_version_compare("4.3-2RC1", "4.3-2RC2"), Less);
        assert_eq!(php_version_compare("4.3-2RC2", "4.3-2beta5"), Greater);
        assert_eq!(php_version_compare("1.2.3.#", "1.2.3.1"), Equal);
        assert_eq!(php_version_compare("1.2.3.#.beta", "1.2.3"), Less);
        assert_eq!(php_version_compare("1.0rc1", "1.0RC1"), Equal);
        assert_eq!(php_version_compare("1.0-foo", "1.0-dev"), Less);
        // Empty words (leading or doubled dots) are words, not the end.
        assert_eq!(php_version_compare(".5", "#N#"), Less);
        assert_eq!(php_version_compare("1..2", "1.2"), Less);
        assert_eq!(php_version_compare("1.", "1"), Less);
        assert_eq!(php_version_compare("0--", "0--"), Equal);
    }

    #[test]
    fn composer_compare() {
        assert_eq!(compare("1.0.0", "1.0"), Ok(Equal));
        assert_eq!(compare("v2.7.51", "2.7.51"), Ok(Equal));
        assert_eq!(compare("2.7.50", "2.7.51"), Ok(Less));
        assert_eq!(compare("1.25.0-beta2.1", "1.25.0-b.2.1"), Ok(Equal));
        assert_eq!(compare("dev-foo", "1.26.0"), Ok(Less));
        assert_eq!(compare("1.0.0-RC1", "1.0.0"), Ok(Less));
        assert_eq!(compare("1.0.0", "1.0.0-p1"), Ok(Less));
        assert_eq!(compare("1.0.0-dev", "1.0.0-alpha1"), Ok(Less));
        assert!(compare("", "1.0").is_err());
        assert!(compare(&".1".repeat(100_000), "1.0").is_err());
    }
}
