use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of a closed set of names.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
}

/// How bad a vulnerability is. Ordered from least to most severe;
/// `Unknown` sorts lowest but is a level of its own for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Unknown,
        Severity::Negligible,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Negligible => "NEGLIGIBLE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// The standard CVSS (v3/v4) qualitative band of a base score.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Unknown
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = ParseError;
    /// Accepts our names case-insensitively plus the vendor words that map
    /// onto them (Debian `unimportant`, Ubuntu `untriaged`, `moderate`, `important`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "unknown" | "untriaged" | "not yet assigned" | "" => Severity::Unknown,
            "negligible" | "unimportant" | "none" | "info" | "informational" => {
                Severity::Negligible
            }
            "low" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" | "important" => Severity::High,
            "critical" => Severity::Critical,
            _ => {
                return Err(ParseError {
                    what: "severity",
                    value: s.to_string(),
                });
            }
        })
    }
}

/// Whether and how a vulnerability is fixed for a package (DESIGN §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FixState {
    Fixed,
    NotFixed,
    WillNotFix,
    FixDeferred,
    EndOfLife,
    NotAffected,
    UnderInvestigation,
    Unknown,
}

impl FixState {
    pub fn as_str(self) -> &'static str {
        match self {
            FixState::Fixed => "fixed",
            FixState::NotFixed => "not_fixed",
            FixState::WillNotFix => "will_not_fix",
            FixState::FixDeferred => "fix_deferred",
            FixState::EndOfLife => "end_of_life",
            FixState::NotAffected => "not_affected",
            FixState::UnderInvestigation => "under_investigation",
            FixState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for FixState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FixState {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "fixed" => FixState::Fixed,
            "not_fixed" => FixState::NotFixed,
            "will_not_fix" => FixState::WillNotFix,
            "fix_deferred" => FixState::FixDeferred,
            "end_of_life" => FixState::EndOfLife,
            "not_affected" => FixState::NotAffected,
            "under_investigation" => FixState::UnderInvestigation,
            "unknown" => FixState::Unknown,
            _ => {
                return Err(ParseError {
                    what: "fix state",
                    value: s.to_string(),
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Unknown < Severity::Negligible);
        assert_eq!(
            "unimportant".parse::<Severity>().ok(),
            Some(Severity::Negligible)
        );
        assert_eq!("Moderate".parse::<Severity>().ok(), Some(Severity::Medium));
        assert!("bogus".parse::<Severity>().is_err());
        assert_eq!(Severity::from_cvss_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(7.0), Severity::High);
        assert_eq!(Severity::from_cvss_score(3.9), Severity::Low);
    }

    #[test]
    fn fix_state_round_trips() {
        for s in [
            FixState::Fixed,
            FixState::NotFixed,
            FixState::WillNotFix,
            FixState::FixDeferred,
            FixState::EndOfLife,
            FixState::NotAffected,
            FixState::UnderInvestigation,
            FixState::Unknown,
        ] {
            assert_eq!(s.as_str().parse::<FixState>().ok(), Some(s));
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.as_str()))
            );
        }
    }
}
