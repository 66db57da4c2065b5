//! Decides which packages are affected by which advisories, with each
//! ecosystem's rules (Debian by source package, Alpine by origin, OSV range
//! evaluation), and filters the findings (severity, unfixed, ignore rules).
