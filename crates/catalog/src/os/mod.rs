//! OS detection and the OS package-database catalogers.
//! PLACEHOLDER: to be filled by the OS catalog helper.

pub mod release;
pub mod rpm;

use crate::Cataloger;

/// The OS package catalogers, in the order they run.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(rpm::Rpm)]
}
