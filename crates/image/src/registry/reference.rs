//! Image references as users write them (`alpine`, `alpine:3.18`,
//! `ghcr.io/org/app@sha256:…`, `localhost:5000/x:1`) and where to send the
//! requests for them. Parsing is oci-spec's (the grammar of the
//! distribution reference); what is added here is the Docker Hub mapping
//! (`docker.io` and `index.docker.io` are served by `registry-1.docker.io`,
//! single-name repositories live under `library/`) and the key the Docker
//! config stores that registry's credentials under.

use oci_client::Reference;

/// The host serving Docker Hub's registry API.
const DOCKER_HUB_ENDPOINT: &str = "registry-1.docker.io";
/// The key `docker login` uses for Docker Hub in `config.json`.
const DOCKER_HUB_CONFIG_KEY: &str = "https://index.docker.io/v1/";

/// A parsed reference and where to fetch it.
#[derive(Debug, Clone)]
pub(crate) struct ImageRef {
    /// The reference as requests go out: registry = the endpoint host.
    pub endpoint: Reference,
    /// The canonical name (`docker.io/library/alpine:3.18`), for messages.
    pub canonical: String,
}

impl ImageRef {
    /// Parse what the user named; `Err` says why it is not a reference.
    pub fn parse(spec: &str) -> Result<ImageRef, String> {
        if spec.is_empty() || spec.len() > 4096 {
            return Err("not an image reference".into());
        }
        let parsed =
            Reference::try_from(spec).map_err(|e| format!("not an image reference: {e}"))?;
        let canonical = parsed.whole();
        let registry = match parsed.registry() {
            "docker.io" | "index.docker.io" => DOCKER_HUB_ENDPOINT,
            other => other,
        }
        .to_string();
        let repository = parsed.repository().to_string();
        let endpoint = match (parsed.tag(), parsed.digest()) {
            (Some(tag), Some(digest)) => Reference::with_tag_and_digest(
                registry,
                repository,
                tag.to_string(),
                digest.to_string(),
            ),
            (None, Some(digest)) => {
                Reference::with_digest(registry, repository, digest.to_string())
            }
            (tag, None) => {
                Reference::with_tag(registry, repository, tag.unwrap_or("latest").to_string())
            }
        };
        Ok(ImageRef {
            endpoint,
            canonical,
        })
    }

    /// The host (and port) requests go to.
    pub fn registry(&self) -> &str {
        self.endpoint.registry()
    }

    /// The keys the Docker config may hold this registry's credentials
    /// under, most specific first.
    pub fn config_keys(&self) -> Vec<String> {
        let host = self.registry();
        if host == DOCKER_HUB_ENDPOINT {
            vec![
                DOCKER_HUB_CONFIG_KEY.to_string(),
                "docker.io".to_string(),
                "index.docker.io".to_string(),
                host.to_string(),
            ]
        } else {
            vec![host.to_string(), format!("https://{host}")]
        }
    }

    /// The same repository at a digest (a platform's manifest, a blob).
    pub fn at_digest(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.endpoint.registry().to_string(),
            self.endpoint.repository().to_string(),
            digest.to_string(),
        )
    }
}

/// Could `spec` name a file rather than an image? Such names are never
/// sent to a registry: a typo in a path must say "no such file", not
/// "cannot reach docker.io".
pub(crate) fn looks_like_path(spec: &str) -> bool {
    spec.starts_with('/')
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('~')
        || spec == "."
        || spec == ".."
        || [".tar", ".tar.gz", ".tgz", ".tar.zst", ".json"]
            .iter()
            .any(|ext| spec.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ImageRef {
        match ImageRef::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn docker_hub_defaults() {
        let r = parse("alpine");
        assert_eq!(r.canonical, "docker.io/library/alpine:latest");
        assert_eq!(r.registry(), "registry-1.docker.io");
        assert_eq!(r.endpoint.repository(), "library/alpine");
        assert_eq!(r.endpoint.tag(), Some("latest"));
        assert_eq!(
            r.config_keys().first().map(String::as_str),
            Some(DOCKER_HUB_CONFIG_KEY)
        );

        let r = parse("docker.io/bitnami/redis:7.2");
        assert_eq!(r.registry(), "registry-1.docker.io");
        assert_eq!(r.endpoint.repository(), "bitnami/redis");
        assert_eq!(r.endpoint.tag(), Some("7.2"));
    }

    #[test]
    fn other_registries_keep_host_and_port() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = parse(&format!("127.0.0.1:5000/team/app@{d}"));
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.endpoint.repository(), "team/app");
        assert_eq!(r.endpoint.digest(), Some(d.as_str()));
        assert_eq!(r.endpoint.tag(), None);
        assert_eq!(
            r.config_keys(),
            vec!["127.0.0.1:5000", "https://127.0.0.1:5000"]
        );
        let r = parse(&format!("ghcr.io/o/a:v1@{d}"));
        assert_eq!(r.endpoint.tag(), Some("v1"));
        assert_eq!(r.endpoint.digest(), Some(d.as_str()));
    }

    #[test]
    fn refuses_non_references() {
        for bad in ["", "library/UPPER", "a b", "x@sha256:zz", "/abs/path"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(looks_like_path("image.tar"));
        assert!(looks_like_path("./alpine"));
        assert!(!looks_like_path("alpine:3.18"));
    }
}
