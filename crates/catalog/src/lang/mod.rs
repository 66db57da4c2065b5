//! Language-ecosystem catalogers, one module per ecosystem.

pub mod dotnet;
pub mod go_buildinfo;
pub mod golang;
pub mod java;
pub mod lockfiles;
pub mod npm;
pub mod php;
pub mod python;
pub mod ruby;
pub mod runtimes;
pub mod rust_audit;

use crate::Cataloger;
pub use lockfiles::lockfile_catalogers;

/// The language catalogers, in the order they run.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(python::PythonCataloger),
        Box::new(npm::NpmCataloger::new()),
        Box::new(ruby::GemspecCataloger),
        Box::new(php::ComposerInstalledCataloger),
        Box::new(dotnet::DepsJsonCataloger),
        Box::new(golang::GoBinaryCataloger),
        Box::new(rust_audit::RustAuditCataloger),
        Box::new(java::JavaArchiveCataloger),
        Box::new(runtimes::RuntimeCataloger),
    ]
}
