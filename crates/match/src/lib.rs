//! Decides which packages are affected by which advisories and filters the
//! findings. The rules that make results correct live here: Debian and
//! Alpine match on the source package (origin) in a release-specific
//! ecosystem, binary-keyed feeds (Ubuntu/Red Hat OVAL, RPM distros' OSV)
//! on the binary package, language packages on their ecosystem's
//! normalised name; language packages the OS installed are left to the OS
//! advisories; every range is evaluated with the ecosystem's own version
//! order; advisories that name the same vulnerability are merged into one
//! finding per package.

mod enrich;
mod filter;
pub mod ignore;
mod lookup;
mod matcher;
mod merge;
mod purl_match;
mod rpm_rules;
pub mod vex;

pub use filter::{Filters, apply_filters};
pub use ignore::{IgnoreError, IgnoreFile, Suppression, apply_ignore_files};
pub use lookup::lookup_name;
pub use matcher::{MatchError, MatchOutput, match_packages};
pub use purl_match::PurlPattern;
pub use rpm_rules::is_third_party;
pub use vex::{VexDocument, VexError, VexStatus, apply_vex};
