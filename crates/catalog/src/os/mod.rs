//! OS detection and the OS package-database catalogers.
//!
//! `release` finds the distribution and release, `eol` judges whether it
//! still gets fixes, `ecosystem` names the vulnerability data its packages
//! are matched in, and one module per package manager reads the installed
//! packages: `dpkg` (Debian, Ubuntu, distroless), `apk` (Alpine, Wolfi,
//! Chainguard), `rpm` (the RHEL family, SUSE, Amazon, Fedora…).

pub mod apk;
pub mod content_sets;
pub mod dpkg;
pub mod ecosystem;
pub mod eol;
pub(crate) mod purl;
pub mod release;
pub mod rpm;

use crate::{Cataloger, Output};
use tidewatch_types::{OsInfo, Package};

/// The OS package catalogers, in the order they run.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(dpkg::Dpkg), Box::new(apk::Apk), Box::new(rpm::Rpm)]
}

/// Set the matching ecosystem on OS packages of `format` read from `path`.
/// When the OS is unknown, or these are not its native packages, or
/// tidewatch has no data for that release, the packages stay unmatched and
/// one warning says so: silence would read as "no vulnerabilities".
pub(crate) fn assign_ecosystem(
    packages: &mut [Package],
    os: Option<&OsInfo>,
    format: &str,
    path: &str,
    out: &mut Output,
) {
    if packages.is_empty() {
        return;
    }
    let eco = os
        .filter(|o| ecosystem::native_format(o, format))
        .and_then(ecosystem::ecosystem);
    match &eco {
        Some(_) => {}
        None => {
            let what = match os {
                Some(o) => release::display_name(o),
                None => "an unidentified OS".to_string(),
            };
            out.warn(
                path,
                format!(
                    "{} {format} packages of {what} cannot be matched: no vulnerability data \
                     is known for this OS release",
                    packages.len()
                ),
            );
        }
    }
    for p in packages.iter_mut() {
        p.ecosystem = eco.clone();
    }
}
