//! Language-ecosystem catalogers, one module per ecosystem.

pub mod lockfiles;
pub mod npm;
pub mod python;
pub mod ruby;
pub mod php;
pub mod dotnet;

use crate::Cataloger;
pub use lockfiles::lockfile_catalogers;

/// The language catalogers, in the order they run.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(ruby::GemspecCataloger),
        Box::new(php::ComposerInstalledCataloger),
        Box::new(dotnet::DepsJsonCataloger),
        Box::new(python::PythonCataloger),
        Box::new(npm::NpmCataloger::new()),
    ]
}
