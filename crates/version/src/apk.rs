//! Alpine (apk) version ordering, following apk-tools' `apk_version_compare`
//! (the tokenizer of apk-tools 2.14 / 3.x).
//!
//! An apk version is `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`.
//! Versions are cut into tokens and compared token by token:
//! - the first number, suffix numbers and the `-r` revision compare as
//!   numbers; a later dotted number compares as a number unless either side
//!   has a leading zero, in which case both compare as strings (Gentoo's
//!   rule: `1.01` < `1.1`, `1.010` < `1.02`);
//! - a letter compares by its byte; a `~hash` compares as a string;
//! - suffixes rank `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` <
//!   `_svn` < `_git` < `_hg` < `_p`.
//!
//! When one version runs out of tokens first, or the next tokens are of
//! different kinds, the kind decides: a pre-release suffix makes its side
//! older, otherwise the side whose next token comes *earlier* in the
//! grammar is newer (`1.0.1` > `1.0` > `1.0_rc1`, `1.0a` > `1.0_p1` because
//! a letter precedes a suffix, `1.0-r1` > `1.0`).
//!
//! One extension over apk-tools 3: a number right after the letter
//! (`6.6.2p1-r0`) is read as a further number, as apk-tools 2.x did. Alpine
//! shipped such versions (openssh) before abuild began to refuse them, and
//! old secdb files still name them; no version valid for apk-tools 3 is
//! ordered differently by this.
//!
//! Versions apk cannot validate (`apk version --check` fails on them) are an
//! error here. apk itself still orders them, falling back to a string sort
//! from the first bad token; a scanner that guessed like that could hide a
//! vulnerability, so it refuses instead. Numbers of any length compare
//! exactly (apk reads them into a 64-bit integer that silently wraps).

use crate::VersionError;
use crate::dpkg::cmp_digits;
use std::cmp::Ordering;

const SCHEME: &str = "apk";

/// Token kinds in grammar order; the order matters when two versions
/// diverge in kind (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffix ranks; `None` is the pivot between pre- and post-releases.
const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 1),
    ("beta", 2),
    ("pre", 3),
    ("rc", 4),
    ("cvs", 6),
    ("svn", 7),
    ("git", 8),
    ("hg", 9),
    ("p", 10),
];
const SUFFIX_NONE: u8 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    kind: Kind,
    /// Digits for number tokens, the letter, the suffix name or the hash.
    text: &'a str,
    suffix: u8,
}

const END: Token<'static> = Token {
    kind: Kind::End,
    text: "",
    suffix: 0,
};

/// A validated apk version, borrowing from its string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    tokens: Vec<Token<'a>>,
}

impl<'a> Version<'a> {
    /// Tokenize and validate like apk's `apk_version_validate`.
    pub fn parse(input: &'a str) -> Result<Self, VersionError> {
        let err = |at: usize, what: &str| {
            VersionError::new(SCHEME, input, format!("{what} at byte {at}"))
        };
        let bytes = input.as_bytes();
        let mut pos = 0;
        let mut tokens = Vec::new();

        let digits = |pos: usize| -> usize {
            bytes.get(pos..).map_or(0, |rest| {
                rest.iter().take_while(|b| b.is_ascii_digit()).count()
            })
        };
        let run = |pos: usize, pred: fn(&u8) -> bool| -> usize {
            bytes
                .get(pos..)
                .map_or(0, |rest| rest.iter().take_while(|b| pred(b)).count())
        };

        let n = digits(0);
        if n == 0 {
            return Err(err(0, "expected a number"));
        }
        tokens.push(Token {
            kind: Kind::InitialDigit,
            text: &input[..n],
            suffix: 0,
        });
        pos += n;

        while let Some(&c) = bytes.get(pos) {
            let prev = tokens.last().map_or(Kind::InitialDigit, |t| t.kind);
            let token = match c {
                b'a'..=b'z' => {
                    if prev > Kind::Digit {
                        return Err(err(pos, "unexpected letter"));
                    }
                    let t = Token {
                        kind: Kind::Letter,
                        text: &input[pos..pos + 1],
                        suffix: 0,
                    };
                    pos += 1;
                    t
                }
                b'.' => {
                    if prev > Kind::Digit {
                        return Err(err(pos, "unexpected '.'"));
                    }
                    let n = digits(pos + 1);
                    if n == 0 {
                        return Err(err(pos + 1, "expected a number after '.'"));
                    }
                    let t = Token {
                        kind: Kind::Digit,
                        text: &input[pos + 1..pos + 1 + n],
                        suffix: 0,
                    };
                    pos += 1 + n;
                    t
                }
                b'0'..=b'9' if matches!(prev, Kind::Suffix | Kind::Letter) => {
                    let n = digits(pos);
                    let t = Token {
                        // After a letter: apk-tools 2.x's grammar (see the
                        // module docs).
                        kind: if prev == Kind::Suffix {
                            Kind::SuffixNo
                        } else {
                            Kind::Digit
                        },
                        text: &input[pos..pos + n],
                        suffix: 0,
                    };
                    pos += n;
                    t
                }
                b'_' => {
                    if prev > Kind::SuffixNo {
                        return Err(err(pos, "unexpected '_'"));
                    }
                    let n = run(pos + 1, u8::is_ascii_lowercase);
                    let name = &input[pos + 1..pos + 1 + n];
                    let Some(&(_, rank)) = SUFFIXES.iter().find(|(s, _)| *s == name) else {
                        return Err(err(pos, &format!("unknown suffix {name:?}")));
                    };
                    pos += 1 + n;
                    Token {
                        kind: Kind::Suffix,
                        text: name,
                        suffix: rank,
                    }
                }
                b'~' => {
                    if prev >= Kind::CommitHash {
                        return Err(err(pos, "unexpected '~'"));
                    }
                    let n = run(pos + 1, |b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                    if n == 0 {
                        return Err(err(pos + 1, "expected a commit hash after '~'"));
                    }
                    let t = Token {
                        kind: Kind::CommitHash,
                        text: &input[pos + 1..pos + 1 + n],
                        suffix: 0,
                    };
                    pos += 1 + n;
                    t
                }
                b'-' => {
                    if prev >= Kind::RevisionNo || bytes.get(pos + 1) != Some(&b'r') {
                        return Err(err(pos, "expected '-r' and a revision number"));
                    }
                    let n = digits(pos + 2);
                    if n == 0 {
                        return Err(err(pos + 2, "expected a revision number after '-r'"));
                    }
                    let t = Token {
                        kind: Kind::RevisionNo,
                        text: &input[pos + 2..pos + 2 + n],
                        suffix: 0,
                    };
                    pos += 2 + n;
                    t
                }
                _ => return Err(err(pos, "unexpected character")),
            };
            tokens.push(token);
        }
        Ok(Version { tokens })
    }

    fn token(&self, i: usize) -> Token<'a> {
        self.tokens.get(i).copied().unwrap_or(END)
    }
}

/// Compare two tokens of the same kind.
fn token_cmp(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.text.starts_with('0') || b.text.starts_with('0') => {
            a.text.as_bytes().cmp(b.text.as_bytes())
        }
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_digits(a.text, b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End => a.text.as_bytes().cmp(b.text.as_bytes()),
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut i = 0;
        let (a, b) = loop {
            let (a, b) = (self.token(i), other.token(i));
            if a.kind != b.kind || a.kind == Kind::End {
                break (a, b);
            }
            let ord = token_cmp(&a, &b);
            if ord != Ordering::Equal {
                return ord;
            }
            i += 1;
        };
        if a.kind == b.kind {
            return Ordering::Equal;
        }
        if a.kind == Kind::Suffix && a.suffix < SUFFIX_NONE {
            return Ordering::Less;
        }
        if b.kind == Kind::Suffix && b.suffix < SUFFIX_NONE {
            return Ordering::Greater;
        }
        // The side whose next token comes earlier in the grammar is newer.
        b.kind.cmp(&a.kind)
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two apk versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn apk_tools_vectors() {
        // A selection from apk-tools' test/version.data.
        let cases = [
            ("2.34", "0.1.0_alpha", Greater),
            ("0.1.0_alpha2", "0.1.0_alpha", Greater),
            ("1.1", "1.1_alpha1", Greater),
            ("1.2.1", "1.2", Greater),
            ("2.3.0b-r4", "0.12.1", Greater),
            ("3.1_p17", "1.06-r6", Greater),
            ("1.06-r6", "006", Less),
            ("006", "1.0.0", Greater),
            ("1.2.2-r1", "1.2.2", Greater),
            ("2.01.01_alpha10", "0.94", Greater),
            ("1.00_beta2", "0.9.2", Greater),
            ("4.2.52_p2-r1", "4.2.52_p4-r2", Less),
            ("2.6.15.20060110", "2.6.16.20060323", Less),
            ("0.20070118", "0.20070207_rc1", Less),
            ("3.0.0-r2", "021109-r3", Less),
            ("1.12-r8", "1.1.12", Greater),
            ("2.12r-r4", "2.12r-r5", Less),
            ("7.0.17", "7.0.174", Less),
            ("0.9.28.1", "087-r1", Less),
            ("1.2.5_rc2", "0.1", Greater),
            ("1.0_p10-r0", "1.0_p9-r0", Greater),
            ("0.1.0_alpha_pre2", "0.1.0_alpha", Less),
            (
                "1.0.0_pre20191002222144-r0",
                "1.0.0_pre20210530193627-r0",
                Less,
            ),
            ("6.0_pre1", "6.0", Less),
            ("6.0_p1", "6.0", Greater),
            ("1.02.07", "1.02.10-r1", Less),
            ("1.2.07.8", "1.2.12.04", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn suffix_and_letter_order() {
        let ascending = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0b",
            "1.0.1",
        ];
        for w in ascending.windows(2) {
            if let [a, b] = w {
                assert_eq!(cmp(a, b), Less, "{a} < {b}");
            }
        }
    }

    #[test]
    fn leading_zeros_and_big_numbers() {
        assert_eq!(cmp("1.01", "1.1"), Less);
        assert_eq!(cmp("1.010", "1.02"), Less);
        assert_eq!(cmp("01", "1"), Equal);
        assert_eq!(cmp("1-r01", "1-r1"), Equal);
        assert_eq!(
            cmp("1.99999999999999999999999", "1.99999999999999999999998"),
            Greater
        );
    }

    #[test]
    fn number_after_letter_as_in_apk_tools_2() {
        assert_eq!(cmp("6.6.2p1", "6.6.2p2"), Less);
        assert_eq!(cmp("6.6.2p1", "6.6.2_p1"), Greater);
        assert_eq!(cmp("6.6.2p1-r0", "6.6.2p1-r2"), Less);
        assert_eq!(cmp("1.8.1-r1", "1.8.1p1-r1"), Less);
        assert_eq!(cmp("1.8.1p1-r1", "1.8.2-r1"), Less);
        assert_eq!(cmp("1a2.3", "1a2.4"), Less);
    }

    #[test]
    fn commit_hash() {
        assert_eq!(cmp("1.0~abc", "1.0~abd"), Less);
        assert_eq!(cmp("1.0~abc-r1", "1.0~abc-r2"), Less);
        assert_eq!(cmp("1.0~abc", "1.0"), Greater);
        assert_eq!(cmp("1.0_rc1~abc", "1.0"), Less);
        assert_eq!(cmp("1.0~abc", "1.0-r1"), Greater);
    }

    #[test]
    fn rejects_what_apk_cannot_validate() {
        for bad in [
            "", "a", ".1", "1.", "1..2", "1a.2", "1ab", "1A", "1_", "1_foo", "1_p1a", "1-r",
            "1-r1-r2", "1-1", "1-ruff", "1~", "1~xyz", "1.0-r1.2", "1_p1.2", "v1.0", "1 ",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
