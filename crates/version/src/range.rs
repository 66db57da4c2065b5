//! PLACEHOLDER: OSV range evaluation, to be written by the version helper.
use crate::{Scheme, VersionError};
use tidewatch_types::AffectedRange;

/// The verdict for one installed version against one `affected` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub affected: bool,
}

pub fn is_affected(
    scheme: Scheme,
    installed: &str,
    _ranges: &[AffectedRange],
    _versions: &[String],
) -> Result<Affected, VersionError> {
    Err(VersionError::new(scheme.name(), installed, "not implemented yet"))
}
