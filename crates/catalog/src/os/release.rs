//! PLACEHOLDER: OS detection, to be written by the OS catalog helper.
use crate::Output;
use tidewatch_image::Files;
use tidewatch_types::OsInfo;

pub fn wants(path: &str) -> bool {
    matches!(path, "etc/os-release" | "usr/lib/os-release" | "etc/alpine-release" | "etc/debian_version")
}

pub fn detect(_files: &Files, _out: &mut Output) -> Option<OsInfo> {
    None
}
