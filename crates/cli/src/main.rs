//! The `tidewatch` binary: command-line parsing, settings, and the one
//! place that writes to stdout.
fn main() {}
