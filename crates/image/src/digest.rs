//! Content digests (`sha256:<hex>`, `sha512:<hex>`) and a reader that
//! hashes what passes through it, so blobs and uncompressed layers are
//! verified while they stream instead of in a second pass.

use sha2::{Digest as _, Sha256, Sha512};
use std::io::{self, Read};

/// A parsed, validated digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Digest {
    pub algorithm: Algorithm,
    pub hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

impl Digest {
    /// Parse `alg:hex`; the reason for a refusal is returned as text for
    /// the caller to put into an error naming the file.
    pub fn parse(s: &str) -> Result<Digest, String> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| format!("digest {s:?} has no algorithm prefix"))?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => return Err(format!("digest {s:?}: unsupported algorithm {alg:?}")),
        };
        let valid = hex.len() == algorithm.hex_len()
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(format!(
                "digest {s:?} is not lower-case hex of the right length"
            ));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let mut h = Hasher::new(algorithm);
        h.update(bytes);
        h.finish()
    }

    /// Where the blob lives in an OCI layout.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm.name(), self.hex)
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

/// An incremental hash of either algorithm.
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha512(Box<Sha512>),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Box::new(Sha512::new())),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

/// Hashes every byte read through it (when it has a hasher) and counts them.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    pub count: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R, algorithm: Option<Algorithm>) -> Self {
        HashingReader {
            inner,
            hasher: algorithm.map(Hasher::new),
            count: 0,
        }
    }

    /// The digest of everything read, if hashing.
    pub fn finish(self) -> Option<Digest> {
        self.hasher.map(Hasher::finish)
    }

    /// The wrapped reader and the digest of everything read through it.
    pub fn into_parts(self) -> (R, Option<Digest>) {
        (self.inner, self.hasher.map(Hasher::finish))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        if let Some(h) = &mut self.hasher {
            h.update(read);
        }
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let d = Digest::sha256_of(b"abc");
        assert_eq!(
            d.to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Digest::parse(&d.to_string()), Ok(d.clone()));
        assert!(Digest::parse("sha256:ABC").is_err());
        assert!(Digest::parse("md5:abc").is_err());
        assert!(Digest::parse("nocolon").is_err());
        assert!(Digest::parse("sha256:../../etc/passwd").is_err());
        assert_eq!(d.blob_path(), format!("blobs/sha256/{}", d.hex));
    }

    #[test]
    fn hashing_reader_hashes_what_it_reads() {
        let mut r = HashingReader::new(&b"abc"[..], Some(Algorithm::Sha256));
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_ok());
        assert_eq!(r.count, 3);
        assert_eq!(r.finish(), Some(Digest::sha256_of(b"abc")));
    }
}
