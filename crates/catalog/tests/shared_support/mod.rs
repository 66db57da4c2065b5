//! Where the acceptance tests find `../shared`: `$TIDEWATCH_SHARED`, else
//! `../shared` beside the repo.

use std::path::PathBuf;

/// The shared directory when it holds `needs` (`""` for the directory
/// itself); otherwise says so and gives `None`, so that the test skips.
pub fn shared(needs: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join(needs).is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared not found");
        None
    }
}
