#!/usr/bin/env bash
# Install what the tests need on a fresh Debian machine, then run every
# test: unit, integration and (when ../shared exists) acceptance tests.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${TIDEWATCH_SHARED:-$ROOT/../shared}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- tools the tests use as oracles or fixture builders ------------------
apt_pkgs=()
command -v dpkg >/dev/null || apt_pkgs+=(dpkg)
/usr/bin/python3 -c 'import rpm' 2>/dev/null || apt_pkgs+=(python3-rpm)
command -v go >/dev/null || apt_pkgs+=(golang-go)
command -v zip >/dev/null || apt_pkgs+=(zip)
# registry pulls: a local distribution v2 registry, skopeo to push, htpasswd
# and openssl for the Basic and token auth tests
[ -x /usr/bin/docker-registry ] || apt_pkgs+=(docker-registry)
command -v skopeo >/dev/null || apt_pkgs+=(skopeo)
command -v htpasswd >/dev/null || apt_pkgs+=(apache2-utils)
command -v openssl >/dev/null || apt_pkgs+=(openssl)
command -v chromium >/dev/null || apt_pkgs+=(chromium)   # the HTML report test
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}"
fi
python3 -c 'import packaging' 2>/dev/null || python3 -m pip install -q packaging
NODE_SEMVER_DIR=${NODE_SEMVER_DIR:-/tmp/tidewatch-node-semver}
if command -v npm >/dev/null && [ ! -d "$NODE_SEMVER_DIR/node_modules/semver" ]; then
  mkdir -p "$NODE_SEMVER_DIR" && npm install --silent --prefix "$NODE_SEMVER_DIR" semver@7 >/dev/null
fi
export NODE_SEMVER_DIR
# Output-format validators (crates/report/tests/formats_validate.rs, and
# chromium for formats_html_browser.rs): the ecosystems' own tools; once
# installed, the tests require them.
python3 -c 'import cyclonedx.validation.json, jsonschema, spdx_tools' 2>/dev/null \
  || python3 -m pip install -q 'cyclonedx-python-lib[json-validation]' spdx-tools jsonschema
SARIF_MULTITOOL_DIR=${SARIF_MULTITOOL_DIR:-/tmp/tidewatch-sarif}
if command -v npm >/dev/null && [ ! -f "$SARIF_MULTITOOL_DIR/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json" ]; then
  mkdir -p "$SARIF_MULTITOOL_DIR" && npm install --silent --prefix "$SARIF_MULTITOOL_DIR" @microsoft/sarif-multitool-linux >/dev/null
fi
export SARIF_MULTITOOL_DIR
if python3 -c 'import cyclonedx.validation.json, jsonschema' 2>/dev/null && command -v pyspdxtools >/dev/null \
  && command -v chromium >/dev/null && [ -f "$SARIF_MULTITOOL_DIR/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json" ]; then
  export TIDEWATCH_REQUIRE_VALIDATORS=1
fi

# --- the large Debian test image, built once per build-script version -----
# Fixed path (the acceptance tests look there); the stamp holds the hash of
# the build script that made it, so a changed script rebuilds.
if [ -d "$SHARED/images" ] && [ -z "${TIDEWATCH_SKIP_IMAGE_BUILD:-}" ]; then
  export TIDEWATCH_IMAGES=/tmp/tw-images
  hash=$(sha256sum "$SHARED/images/build-images.sh" | cut -d' ' -f1)
  if [ "$(cat "$TIDEWATCH_IMAGES/.build-hash" 2>/dev/null)" != "$hash" ] \
     || [ ! -f "$TIDEWATCH_IMAGES/debian-multilayer/oci-archive.tar" ]; then
    echo "building test images into $TIDEWATCH_IMAGES (about 12 minutes, cached by build script hash)" >&2
    rm -rf "$TIDEWATCH_IMAGES"; mkdir -p "$TIDEWATCH_IMAGES"
    if OUT=$TIDEWATCH_IMAGES ALPINE_ROOTFS_DIR="$SHARED/images" \
        "$SHARED/images/build-images.sh" tools inputs base debian >/tmp/tw-images.log 2>&1; then
      echo "$hash" > "$TIDEWATCH_IMAGES/.build-hash"
    else
      tail -50 /tmp/tw-images.log >&2
      echo "image build failed; acceptance tests on debian-multilayer will skip" >&2
    fi
  fi
fi

# --- the tests ------------------------------------------------------------
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
