use serde::{Deserialize, Serialize};

/// How the versions in a range's events are to be ordered (OSV `ranges[].type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    /// The ecosystem's own version order.
    Ecosystem,
    /// SemVer 2.0 order, whatever the ecosystem.
    Semver,
    /// Git commits; never evaluated against package versions.
    Git,
}

/// One OSV range event. Versions are kept as the feed wrote them; `"0"` as
/// an introduced version means "from the beginning".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// An OSV `affected[].ranges[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AffectedRange {
    pub kind: RangeKind,
    pub events: Vec<RangeEvent>,
}

impl AffectedRange {
    pub fn ecosystem(events: Vec<RangeEvent>) -> Self {
        AffectedRange {
            kind: RangeKind::Ecosystem,
            events,
        }
    }

    /// The fixed versions this range names, in the order given.
    pub fn fixed_versions(&self) -> impl Iterator<Item = &str> {
        self.events.iter().filter_map(|e| match e {
            RangeEvent::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
    }
}
