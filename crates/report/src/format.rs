use std::fmt;
use std::str::FromStr;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    CycloneDx,
    SpdxJson,
    Html,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::CycloneDx,
        Format::SpdxJson,
        Format::Html,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::CycloneDx => "cyclonedx",
            Format::SpdxJson => "spdx-json",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    /// The names of [`Format::name`], plus the spellings other scanners
    /// use for the same documents: `spdx` (SPDX is only written as JSON)
    /// and `cyclonedx-json`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = match s {
            "spdx" => "spdx-json",
            "cyclonedx-json" => "cyclonedx",
            other => other,
        };
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown format {s:?} (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_parse() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert_eq!("spdx".parse::<Format>(), Ok(Format::SpdxJson));
        assert_eq!("cyclonedx-json".parse::<Format>(), Ok(Format::CycloneDx));
        assert!("spdx-tag".parse::<Format>().is_err());
    }
}
