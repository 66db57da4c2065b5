//! PLACEHOLDER: to be written by the helper that owns this scheme.
use crate::VersionError;
use std::cmp::Ordering;

pub fn compare(a: &str, _b: &str) -> Result<Ordering, VersionError> {
    Err(VersionError::new("rpm", a, "not implemented yet"))
}
