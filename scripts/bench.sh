#!/usr/bin/env bash
# Time the release tidewatch on the shared images next to Trivy and Syft
# (package listing, offline) and plain decompression, several runs each,
# and print the medians. Usage: scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
SHARED=${TIDEWATCH_SHARED:-$ROOT/../shared}
IMAGES=${TIDEWATCH_IMAGES:-/tmp/tidewatch-images-$(sha256sum "$SHARED/images/build-images.sh" | cut -c1-16)}
PEERS=${PEERS_DIR:-$HOME/.cache/tidewatch-peers}
WORK=$(mktemp -d /tmp/tidewatch-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --locked -p tidewatch >&2
TW=$ROOT/target/release/tidewatch
bash "$SHARED/peers/install-peers.sh" "$PEERS" >/dev/null
export TIDEWATCH_DB=$WORK/tw.db TIDEWATCH_CACHE_DIR=$WORK/cache

# median wall seconds of RUNS runs of a command (output discarded)
median() {
  local times=() i s e
  for ((i = 0; i < RUNS; i++)); do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
# peak RSS in MiB of one run
peak_mib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'; }

# OCI archive → OCI dir for Trivy, which cannot read OCI archive tars.
oci_dir() { local d=$WORK/oci-$(basename "$1" .tar); mkdir -p "$d"; tar -xf "$1" -C "$d"; echo "$d"; }
# decompress every layer blob of an OCI dir: the cost floor
zcat_layers() { for b in "$1"/blobs/sha256/*; do if [ "$(head -c2 "$b" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then zcat "$b"; fi; done >/dev/null; }

V=$SHARED/vulndata
FEEDS=("$V/pschou-oval" "$V/alpine-secdb-2020" "$V/almalinux-osv-database" "$V/golang-vulndb"
       "$V/pypa-advisory-database" "$V/rustsec-advisory-db" "$V/friendsofphp-security-advisories"
       "$V/nodejs-security-wg" "$V/cisa-kev" "$V/nvd-subset" "$V/debian-security-tracker-2023")
s=$(date +%s.%N); "$TW" db import "${FEEDS[@]}" >/dev/null; e=$(date +%s.%N)
printf 'db import of every feed in %s: %.1fs, %s MiB\n\n' "$V" "$(echo "$e - $s" | bc -l)" "$(du -m "$TIDEWATCH_DB" | cut -f1)"

printf '%-28s %10s %10s %10s %10s %10s %12s %12s\n' image tidewatch tw-cached trivy syft zcat tw-peak-MiB trivy-peak
for img in "$SHARED/images/alpine-3.12.oci.tar" "$SHARED/images/alpine-3.18.oci.tar" \
           "$SHARED/images/distroless-like.oci.tar" "$IMAGES/debian-multilayer/oci-archive.tar"; do
  [ -f "$img" ] || { echo "missing $img, skipped" >&2; continue; }
  d=$(oci_dir "$img")
  # tidewatch reads every layer (--no-cache); tw-cached is a re-scan with
  # all layers in the layer cache (one warm-up scan fills it).
  tw=$(median "$TW" image "$img" --format json --offline --no-cache)
  "$TW" image "$img" --format json --offline >/dev/null 2>&1 || true
  twc=$(median "$TW" image "$img" --format json --offline)
  tr=$(median "$PEERS/trivy" image --input "$d" --cache-dir "$PEERS/trivy-cache" --cache-backend memory \
        --skip-db-update --skip-java-db-update --offline-scan --no-progress -q --format cyclonedx)
  sy=$(median "$PEERS/syft" "oci-archive:$img" -o json -q)
  zc=$(median zcat_layers "$d")
  twm=$(peak_mib "$TW" image "$img" --format json --offline --no-cache)
  trm=$(peak_mib "$PEERS/trivy" image --input "$d" --cache-dir "$PEERS/trivy-cache" --cache-backend memory \
        --skip-db-update --skip-java-db-update --offline-scan --no-progress -q --format cyclonedx)
  name=$(basename "$(dirname "$img")")/$(basename "$img"); name=${name#images/}
  printf '%-28s %10s %10s %10s %10s %10s %12s %12s\n' "${name:0:28}" "$tw" "$twc" "$tr" "$sy" "$zc" "$twm" "$trm"
done
echo
echo "seconds are medians of $RUNS runs; tidewatch = catalog + match with a warm DB; trivy/syft = package listing only"
echo "tidewatch reads every layer (--no-cache); tw-cached = the same scan with every layer in the layer cache"
