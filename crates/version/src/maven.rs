//! Maven ordering: `org.apache.maven.artifact.versioning.ComparableVersion`
//! as of Maven 3.8.7 (with MNG-6964 and "`.X1` is `-X1`"), the behaviour
//! later releases keep.
//!
//! The version is lower-cased and split on `.`, `-` and digit/letter
//! transitions into a tree: `-` and a transition open a nested list, so
//! `1.0-alpha-1` is `[1, 0, [alpha, [1]]]`. Trailing "null" items (`0`,
//! `""`/`ga`/`final`/`release`, empty lists) are trimmed from each list.
//! Items compare as: number > list > qualifier; qualifiers in the order
//! alpha < beta < milestone < rc = cr < snapshot < "" < sp < any other
//! (others alphabetically); `a`/`b`/`m` directly followed by a digit mean
//! alpha/beta/milestone. Every string is a valid Maven version.

use crate::VersionError;
use crate::npm::compare_digits;
use std::cmp::Ordering;

const SCHEME: &str = "Maven";
const MAX_LEN: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros; `"0"` is zero.
    Int(String),
    /// A qualifier after alias resolution (`ga`/`final`/`release` → `""`,
    /// `cr` → `rc`).
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The sort key Maven gives a qualifier: its index among the known ones, or
/// `7-<name>` for unknown ones (so they sort after `sp`, alphabetically).
fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// The key of the empty qualifier, i.e. of a release.
fn release_key() -> String {
    qualifier_key("")
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n == "0",
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    fn string(value: &str, followed_by_digit: bool) -> Item {
        let value = if followed_by_digit && value.len() == 1 {
            match value {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                other => other,
            }
        } else {
            value
        };
        let value = match value {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Item::Str(value.to_string())
    }

    fn number(digits: &str) -> Item {
        let trimmed = digits.trim_start_matches('0');
        Item::Int(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
    }

    fn parse(buf: &str, is_digit: bool) -> Item {
        if is_digit {
            Item::number(buf)
        } else {
            Item::string(buf, false)
        }
    }

    /// `Item.compareTo(null)`: how this item compares with a missing one.
    fn cmp_missing(&self) -> Ordering {
        match self {
            Item::Int(n) => {
                if n == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str(s) => qualifier_key(s).cmp(&release_key()),
            // MNG-6964: the whole list counts, not only its first item.
            Item::List(l) => l
                .iter()
                .map(Item::cmp_missing)
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
        }
    }

    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => compare_digits(a, b),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Str(_), Item::Int(_)) => Ordering::Less,
            (Item::Str(a), Item::Str(b)) => qualifier_key(a).cmp(&qualifier_key(b)),
            (Item::Str(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => compare_lists(a, b),
        }
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    let len = a.len().max(b.len());
    for i in 0..len {
        let ord = match (a.get(i), b.get(i)) {
            (Some(l), Some(r)) => l.cmp_item(r),
            (Some(l), None) => l.cmp_missing(),
            (None, Some(r)) => r.cmp_missing().reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord.is_ne() {
            return ord;
        }
    }
    Ordering::Equal
}

/// A parsed Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion {
    items: Vec<Item>,
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A list under construction: its items, with nested lists kept open on a
/// stack so that each is normalised when it closes (innermost first), as
/// Maven's parser does.
struct Builder {
    stack: Vec<Vec<Item>>,
}

impl Builder {
    fn add(&mut self, item: Item) {
        if let Some(top) = self.stack.last_mut() {
            top.push(item);
        }
    }

    fn open_unless_empty(&mut self) {
        if self.stack.last().is_some_and(|top| !top.is_empty()) {
            self.open();
        }
    }

    fn open(&mut self) {
        self.stack.push(Vec::new());
    }

    fn finish(mut self) -> Vec<Item> {
        loop {
            let mut list = self.stack.pop().unwrap_or_default();
            normalize(&mut list);
            match self.stack.last_mut() {
                Some(parent) => parent.push(Item::List(list)),
                None => return list,
            }
        }
    }
}

/// Drop trailing null items, looking past (non-null) nested lists, as
/// `ListItem.normalize` does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(item) = list.get(i) else { break };
        if item.is_null() {
            list.remove(i);
        } else if !matches!(item, Item::List(_)) {
            break;
        }
    }
}

/// Parse a Maven version. Never fails on non-empty input: Maven orders any
/// string; an empty or blank one is refused as a sign of a broken record.
pub fn parse(version: &str) -> Result<MavenVersion, VersionError> {
    if version.trim().is_empty() {
        return Err(VersionError::new(SCHEME, version, "empty version"));
    }
    // Every digit/letter switch nests a list, and comparison recurses
    // through them: the cap bounds that depth on hostile input.
    if version.len() > MAX_LEN {
        return Err(VersionError::new(
            SCHEME,
            version,
            "longer than 256 characters",
        ));
    }
    let lower = version.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let text = |from: usize, to: usize| -> String {
        chars
            .get(from..to)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    };
    let mut b = Builder {
        stack: vec![Vec::new()],
    };
    let mut is_digit = false;
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            if i == start {
                b.add(Item::Int("0".to_string()));
            } else {
                b.add(Item::parse(&text(start, i), is_digit));
            }
            start = i + 1;
            if c == '-' {
                b.open();
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `1.0.0.X1` < `1.0.0-X2`: a qualifier after a dot still
                // opens a list, as after a hyphen.
                b.open_unless_empty();
                b.add(Item::string(&text(start, i), true));
                start = i;
                b.open();
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                b.add(Item::number(&text(start, i)));
                start = i;
                b.open();
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        if !is_digit {
            b.open_unless_empty();
        }
        b.add(Item::parse(&text(start, chars.len()), is_digit));
    }
    Ok(MavenVersion { items: b.finish() })
}

/// Compare two Maven versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn qualifier_order() {
        let ordered = [
            "1-alpha-1",
            "1-alpha-2",
            "1-beta-1",
            "1-milestone-1",
            "1-rc-1",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ok(Less), "{pair:?}");
        }
    }

    #[test]
    fn equalities() {
        for (a, b) in [
            ("1", "1.0.0"),
            ("1", "1-"),
            ("1", "1."),
            ("1", "1.ga"),
            ("1", "1-final"),
            ("1", "1RELEASE"),
            ("1-rc", "1cr"),
            ("1a1", "1-alpha-1"),
            ("1m3", "1MILESTONE3"),
            ("1-foo", "1.0.0-foo.0.0"),
            ("1", "1.0.0-0.0.0"),
            ("1-1.foo-bar-1-baz-0.1", "1-1.foo-bar1baz-.1"),
            ("01", "001"),
            ("1.0-1", "1-1"),
        ] {
            assert_eq!(compare(a, b), Ok(Equal), "{a} = {b}");
        }
    }

    #[test]
    fn regressions_from_maven() {
        // MNG-5568 and MNG-6572 (numbers too big for a long).
        assert_eq!(compare("6.1.0rc3", "6.1H.5-beta"), Ok(Less));
        assert_eq!(compare("6.1.0", "6.1H.5-beta"), Ok(Less));
        assert_eq!(
            compare(
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta"
            ),
            Ok(Less)
        );
        assert_eq!(compare("1.0.0.X1", "1.0.0-X2"), Ok(Less));
        // Maven 3.8 (not the POM spec's reading) puts `1-ga-1` below `1-1`.
        assert_eq!(compare("1-ga-1", "1-1"), Ok(Less));
    }

    #[test]
    fn blank_or_huge_is_an_error() {
        assert!(parse("").is_err());
        assert!(parse("  ").is_err());
        assert!(parse(&"a1".repeat(200_000)).is_err());
    }
}
