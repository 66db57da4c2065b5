#!/usr/bin/env bash
# The README's main job on a fresh machine: build tidewatch (release),
# build a vulnerability database from the local feeds, and scan an image.
#   scripts/run.sh                       # the shared Alpine 3.12 image
#   scripts/run.sh IMAGE [tidewatch image flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${TIDEWATCH_SHARED:-$PWD/../shared}
cargo build --release --locked -p tidewatch
TW=$PWD/target/release/tidewatch
export TIDEWATCH_DB=${TIDEWATCH_DB:-$PWD/target/tidewatch-demo.db}
if [ ! -f "$TIDEWATCH_DB" ]; then
  V=$SHARED/vulndata
  # Every real feed; not vulndata/fixtures, which holds other scanners'
  # deliberately broken test inputs.
  "$TW" db import "$V/pschou-oval" "$V/alpine-secdb-2020" "$V/almalinux-osv-database" \
    "$V/golang-vulndb" "$V/pypa-advisory-database" "$V/rustsec-advisory-db" \
    "$V/friendsofphp-security-advisories" "$V/nodejs-security-wg" "$V/cisa-kev" \
    "$V/nvd-subset" "$V/debian-security-tracker-2023"
fi
if [ $# -eq 0 ]; then set -- "$SHARED/images/alpine-3.12.oci.tar"; fi
exec "$TW" image "$@"
