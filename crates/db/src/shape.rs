//! A cheap look at a document's structure — the keys along its first path,
//! three levels deep — so each importer can claim a file by content rather
//! than by name. One streaming pass, no values kept.
//!
//! The keys seen before a syntax error are kept too: a truncated OSV file
//! still shows `id` and `affected`, so it is reported as a malformed OSV
//! file instead of being skipped as unrecognised.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Keys along the first path of a JSON or YAML document.
#[derive(Debug, Default, Clone)]
pub(crate) struct Shape {
    /// The top level is an array; `levels` then describe its first element.
    pub array: bool,
    /// `levels[0]`: the top-level keys; `levels[1]`: the keys of the first
    /// top-level value; `levels[2]`: of the first value below that.
    pub levels: [Vec<String>; 3],
    /// Why the document did not parse, if it did not.
    pub error: Option<String>,
}

impl Shape {
    pub fn has(&self, level: usize, key: &str) -> bool {
        self.levels
            .get(level)
            .is_some_and(|keys| keys.iter().any(|k| k == key))
    }

    /// Probes a JSON document.
    pub fn of_json(bytes: &[u8]) -> Shape {
        let out = RefCell::new(Shape::default());
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let seed = Probe {
            depth: 0,
            first: true,
            top: true,
            out: &out,
        };
        let result = seed.deserialize(&mut de).and_then(|()| de.end());
        let mut shape = out.into_inner();
        if let Err(e) = result {
            shape.error = Some(e.to_string());
        }
        shape
    }

    /// Probes a YAML document by its unindented `key:` lines. YAML is only
    /// used by feeds with a mapping at the top, and a full parse here would
    /// double the cost of the real one that follows.
    pub fn of_yaml(text: &str) -> Shape {
        let mut shape = Shape::default();
        for line in text.lines() {
            let Some(first) = line.chars().next() else {
                continue;
            };
            if !(first.is_ascii_alphabetic() || first == '_' || first == '"') {
                continue;
            }
            if let Some((key, _)) = line.split_once(':') {
                let key = key.trim().trim_matches('"');
                if !key.is_empty() && !key.contains(' ') {
                    shape.levels[0].push(key.to_string());
                }
            }
        }
        shape
    }
}

struct Probe<'a> {
    depth: usize,
    /// On the first path (first element / first value at every level).
    first: bool,
    /// The document root: an array here is transparent.
    top: bool,
    out: &'a RefCell<Shape>,
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let record = self.first && self.depth < 3;
        let mut index = 0usize;
        loop {
            let more = if record {
                match map.next_key::<String>()? {
                    Some(k) => {
                        if let Some(level) = self.out.borrow_mut().levels.get_mut(self.depth) {
                            level.push(k);
                        }
                        true
                    }
                    None => false,
                }
            } else {
                map.next_key::<IgnoredAny>()?.is_some()
            };
            if !more {
                return Ok(());
            }
            map.next_value_seed(Probe {
                depth: self.depth + 1,
                first: self.first && index == 0,
                top: false,
                out: self.out,
            })?;
            index += 1;
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.top {
            self.out.borrow_mut().array = true;
        }
        let depth = if self.top { 0 } else { self.depth + 1 };
        let mut index = 0usize;
        while seq
            .next_element_seed(Probe {
                depth,
                first: self.first && index == 0,
                top: false,
                out: self.out,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_first_path_keys() {
        let s = Shape::of_json(
            br#"{"zlib": {"CVE-1": {"releases": {}}, "CVE-2": {"x": 1}}, "b": {"y": 2}}"#,
        );
        assert!(!s.array);
        assert_eq!(s.levels[0], ["zlib", "b"]);
        assert_eq!(s.levels[1], ["CVE-1", "CVE-2"]);
        assert_eq!(s.levels[2], ["releases"]);
        assert!(s.error.is_none());
    }

    #[test]
    fn arrays_at_the_top_are_transparent() {
        let s = Shape::of_json(br#"[{"id": "X", "affected": []}, {"other": 1}]"#);
        assert!(s.array);
        assert_eq!(s.levels[0], ["id", "affected"]);
    }

    #[test]
    fn keeps_keys_seen_before_an_error() {
        let s = Shape::of_json(br#"{"id": "GHSA-1", "affected": [{"package": "#);
        assert!(s.has(0, "id") && s.has(0, "affected"));
        assert!(s.error.is_some());
    }

    #[test]
    fn yaml_top_level_keys() {
        let s = Shape::of_yaml("id: PYSEC-1\naffected:\n- package:\n    name: x\n");
        assert_eq!(s.levels[0], ["id", "affected"]);
    }
}
