//! Which findings are reported (DESIGN §1.2 "Selection").

use std::collections::BTreeSet;
use tidewatch_types::{Finding, FixState, Severity};

#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Report only these severities (`--severity`); `None` = all.
    pub severities: Option<BTreeSet<Severity>>,
    /// Drop findings with no fixed version (`--ignore-unfixed`).
    pub ignore_unfixed: bool,
}

/// Keep the findings the filters select.
pub fn apply_filters(findings: Vec<Finding>, filters: &Filters) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| {
            filters
                .severities
                .as_ref()
                .is_none_or(|s| s.contains(&f.severity))
        })
        .filter(|f| !filters.ignore_unfixed || f.fix_state == FixState::Fixed)
        .collect()
}
