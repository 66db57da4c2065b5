//! Language-ecosystem catalogers, one module per ecosystem.

use crate::Cataloger;

/// The language catalogers, in the order they run.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    Vec::new()
}
