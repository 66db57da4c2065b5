//! Reading osv-scalibr's ordered version lists (`semantic/testdata/*.txt`):
//! one `A <op> B` comparison per line, `<`, `=` or `>`; blank lines and
//! lines starting with `#` or `//` are comments. Shared by the acceptance
//! test on `../shared` and the unit test on the trimmed copies in
//! `tests/data/`.

use std::cmp::Ordering;
use tidewatch_version::Scheme;

/// What checking one list produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub total: usize,
    pub agreed: usize,
    /// Lines with a version the scheme refuses: (line, error).
    pub refused: Vec<(String, String)>,
    /// Lines ordered differently (either direction): (line, what we said).
    pub wrong: Vec<(String, Ordering)>,
}

impl Outcome {
    pub fn refused_lines(&self) -> Vec<&str> {
        self.refused.iter().map(|(l, _)| l.as_str()).collect()
    }
}

/// Check every comparison of `text` (named `name` in messages) in both
/// directions with `scheme`.
pub fn check(name: &str, text: &str, scheme: Scheme) -> Outcome {
    let mut out = Outcome::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = fields[..] else {
            panic!("{name}: malformed line {line:?}");
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("{name}: bad operator in {line:?}"),
        };
        out.total += 1;
        match (scheme.compare(a, b), scheme.compare(b, a)) {
            (Ok(got), Ok(back)) if got == want && back == want.reverse() => out.agreed += 1,
            (Ok(got), Ok(_)) => out.wrong.push((line.to_string(), got)),
            (Err(e), _) | (_, Err(e)) => out.refused.push((line.to_string(), e.to_string())),
        }
    }
    out
}
