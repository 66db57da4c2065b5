//! Shared by the integration tests: a filter that wants a few exact paths
//! and directories and sniffs executables for an ELF header.

#![allow(dead_code)]

use tidewatch_image::{FileFilter, Squashed, Want};

pub struct Wants {
    pub exact: Vec<&'static str>,
    pub dirs: Vec<&'static str>,
}

pub fn wants(exact: &[&'static str], dirs: &[&'static str]) -> Wants {
    Wants {
        exact: exact.to_vec(),
        dirs: dirs.to_vec(),
    }
}

impl FileFilter for Wants {
    fn wants(&self, path: &str, _size: u64, mode: u32) -> Want {
        if self.exact.contains(&path)
            || self.dirs.iter().any(|d| path.starts_with(&format!("{d}/")))
        {
            Want::Keep
        } else if mode & 0o111 != 0 && path.starts_with("usr/bin/") {
            Want::Sniff
        } else {
            Want::Skip
        }
    }

    fn sniff(&self, _path: &str, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }
}

pub fn text(s: &Squashed, path: &str) -> Option<String> {
    let entry = s.files.get(path)?;
    let bytes = entry.data.bytes().ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn layer(s: &Squashed, path: &str) -> Option<usize> {
    s.files.get(path).and_then(|e| e.layer)
}

pub fn paths(s: &Squashed) -> Vec<String> {
    s.files.iter().map(|(p, _)| p.to_string()).collect()
}
