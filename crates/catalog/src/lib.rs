//! Finds what is installed: detects the operating system from its release
//! files and runs one cataloger per package format (OS package databases
//! under `os/`, language ecosystems under `lang/`) over the squashed files
//! an image source kept. Catalogers declare the paths they need up front,
//! so the image reader can skip everything else in a single pass; they
//! never fail a scan on a malformed database, they warn and go on.

mod cataloger;
pub mod lang;
pub mod os;
mod ownership;
pub mod rpmdb;
pub mod sbom;

pub use cataloger::{CATALOGER_VERSION, Cataloger, Catalogers, Output, catalog, location};
