#!/usr/bin/env bash
# Time the release tidewatch on the shared images next to Trivy and Syft
# (package listing, offline) and plain decompression, several runs each,
# and print the medians and peak memory. Also the layer cache: a cold scan
# (empty cache), a re-scan with every layer cached, and a scan of
# debian-multilayer when only its base (the image minus its top layer) is
# cached, so just the new layer is read.
# Usage: scripts/bench.sh [RUNS]   (TW_BIN=path skips the build; NO_PEERS=1
# leaves out Trivy and Syft)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
SHARED=${TIDEWATCH_SHARED:-$ROOT/../shared}
# Where scripts/test.sh builds the large Debian image.
IMAGES=${TIDEWATCH_IMAGES:-/tmp/tw-images}
PEERS=${PEERS_DIR:-$HOME/.cache/tidewatch-peers}
WORK=$(mktemp -d /tmp/tidewatch-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ -n "${TW_BIN:-}" ]; then
  TW=$TW_BIN
else
  cargo build --release --locked -p tidewatch >&2
  TW=$ROOT/target/release/tidewatch
fi
PEERS_OK=1
if [ -n "${NO_PEERS:-}" ] || ! bash "$SHARED/peers/install-peers.sh" "$PEERS" >/dev/null 2>&1; then
  [ -n "${NO_PEERS:-}" ] || echo "Trivy/Syft not installable; their columns are left empty" >&2
  PEERS_OK=
fi
export TIDEWATCH_DB=$WORK/tw.db TIDEWATCH_CACHE_DIR=$WORK/cache

# median wall seconds of RUNS runs of a command (output discarded); with
# PREPARE set, that command runs untimed before each run.
median() {
  local times=() i s e
  for ((i = 0; i < RUNS; i++)); do
    [ -z "${PREPARE:-}" ] || eval "$PREPARE"
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
# peak RSS in MiB of one run (PREPARE as for median)
peak_mib() {
  [ -z "${PREPARE:-}" ] || eval "$PREPARE"
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'
}
# a scan that must work: fail the benchmark rather than time an error
check() { "$@" >/dev/null 2>"$WORK/err" || { echo "failed: $*" >&2; cat "$WORK/err" >&2; exit 1; }; }

# OCI archive → OCI dir for Trivy, which cannot read OCI archive tars.
oci_dir() { local d=$WORK/oci-$(basename "$(dirname "$1")")-$(basename "$1" .tar); mkdir -p "$d"; tar -xf "$1" -C "$d"; echo "$d"; }
# decompress every layer blob of an OCI dir: the cost floor
zcat_layers() { for b in "$1"/blobs/sha256/*; do if [ "$(head -c2 "$b" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then zcat "$b"; fi; done >/dev/null; }
# OCI dir $1 without its top layer → OCI dir $2 (blobs hard-linked): an
# image that shares every other layer with $1, as an app image shares its base.
drop_top_layer() {
  mkdir -p "$2/blobs/sha256"
  cp -al "$1"/blobs/sha256/. "$2/blobs/sha256/"
  cp "$1/oci-layout" "$2/"
  python3 - "$1" "$2" <<'EOF'
import hashlib, json, sys
src, dst = sys.argv[1], sys.argv[2]
blob = lambda d, digest: f"{d}/blobs/sha256/{digest.split(':', 1)[1]}"
index = json.load(open(f"{src}/index.json"))
manifest = json.load(open(blob(src, index["manifests"][0]["digest"])))
config = json.load(open(blob(src, manifest["config"]["digest"])))
manifest["layers"].pop()
config["rootfs"]["diff_ids"].pop()
history = config.get("history", [])
for i in range(len(history) - 1, -1, -1):
    if not history[i].get("empty_layer"):
        del history[i]
        break
def put(obj):
    data = json.dumps(obj, separators=(",", ":")).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob(dst, digest), "wb").write(data)
    return digest, len(data)
manifest["config"]["digest"], manifest["config"]["size"] = put(config)
digest, size = put(manifest)
index["manifests"] = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size}]
json.dump(index, open(f"{dst}/index.json", "w"))
EOF
}

V=$SHARED/vulndata
FEEDS=("$V/pschou-oval" "$V/alpine-secdb-2020" "$V/almalinux-osv-database" "$V/golang-vulndb"
       "$V/pypa-advisory-database" "$V/rustsec-advisory-db" "$V/friendsofphp-security-advisories"
       "$V/nodejs-security-wg" "$V/cisa-kev" "$V/nvd-subset" "$V/debian-security-tracker-2023")
# (the import names every non-feed file it skips; keep that out of the table)
s=$(date +%s.%N); "$TW" db import "${FEEDS[@]}" >/dev/null 2>"$WORK/import.log" || { cat "$WORK/import.log" >&2; exit 1; }; e=$(date +%s.%N)
printf 'db import of every feed in %s: %.1fs, %s MiB\n\n' "$V" "$(echo "$e - $s" | bc -l)" "$(du -m "$TIDEWATCH_DB" | cut -f1)"

SCAN=(image --format json --offline)
printf '%-30s %8s %8s %8s %8s %8s %8s | %8s %8s %8s %8s\n' image cold cached trivy syft zcat cold/zc \
  'cold MiB' 'cachedMiB' 'trivyMiB' 'syft MiB'
for img in "$SHARED/images/alpine-3.12.oci.tar" "$SHARED/images/alpine-3.18.oci.tar" \
           "$SHARED/images/distroless-like.oci.tar" "$IMAGES/debian-multilayer/oci-archive.tar"; do
  [ -f "$img" ] || { echo "missing $img, skipped" >&2; continue; }
  d=$(oci_dir "$img")
  check "$TW" "${SCAN[@]}" "$img" --no-cache
  # cold = every layer read (an empty cache each run); cached = a re-scan
  # with every layer in the layer cache (one untimed scan fills it).
  tw=$(PREPARE='rm -rf "$TIDEWATCH_CACHE_DIR"' median "$TW" "${SCAN[@]}" "$img")
  twm=$(PREPARE='rm -rf "$TIDEWATCH_CACHE_DIR"' peak_mib "$TW" "${SCAN[@]}" "$img")
  check "$TW" "${SCAN[@]}" "$img"
  twc=$(median "$TW" "${SCAN[@]}" "$img")
  twcm=$(peak_mib "$TW" "${SCAN[@]}" "$img")
  tr=- sy=- trm=- sym=-
  if [ -n "$PEERS_OK" ]; then
    trivy=("$PEERS/trivy" image --input "$d" --cache-dir "$PEERS/trivy-cache" --cache-backend memory
           --skip-db-update --skip-java-db-update --offline-scan --no-progress -q --format cyclonedx)
    tr=$(median "${trivy[@]}")
    trm=$(peak_mib "${trivy[@]}")
    sy=$(median "$PEERS/syft" "oci-archive:$img" -o json -q)
    sym=$(peak_mib "$PEERS/syft" "oci-archive:$img" -o json -q)
  fi
  zc=$(median zcat_layers "$d")
  name=$(basename "$(dirname "$img")")/$(basename "$img"); name=${name#images/}
  printf '%-30s %8s %8s %8s %8s %8s %8s | %8s %8s %8s %8s\n' "${name:0:30}" "$tw" "$twc" "$tr" "$sy" "$zc" \
    "$(echo "$tw / $zc" | bc -l | xargs printf '%.2f')" "$twm" "$twcm" "$trm" "$sym"
  if [[ $img == */debian-multilayer/* ]]; then FULL=$d; fi
done

if [ -n "${FULL:-}" ]; then
  # An image sharing its base with a cached one: the cache holds the base
  # (debian-multilayer minus its top layer), the full image is scanned.
  BASE=$WORK/debian-base
  drop_top_layer "$FULL" "$BASE"
  rm -rf "$TIDEWATCH_CACHE_DIR"
  check "$TW" "${SCAN[@]}" "$BASE"
  rm -rf "$WORK/cache-base"; cp -a "$TIDEWATCH_CACHE_DIR" "$WORK/cache-base"
  restore='rm -rf "$TIDEWATCH_CACHE_DIR"; cp -a "$WORK/cache-base" "$TIDEWATCH_CACHE_DIR"'
  eval "$restore"
  check "$TW" "${SCAN[@]}" "$FULL"
  cold=$(PREPARE='rm -rf "$TIDEWATCH_CACHE_DIR"' median "$TW" "${SCAN[@]}" "$FULL")
  shared=$(PREPARE=$restore median "$TW" "${SCAN[@]}" "$FULL")
  sharedm=$(PREPARE=$restore peak_mib "$TW" "${SCAN[@]}" "$FULL")
  cached=$(median "$TW" "${SCAN[@]}" "$FULL")
  echo
  echo "debian-multilayer (OCI dir), layer cache:"
  printf '  %-44s %8ss\n' "cold (empty cache)" "$cold"
  printf '  %-44s %8ss  %s MiB peak\n' "base cached, only the top layer read" "$shared" "$sharedm"
  printf '  %-44s %8ss\n' "every layer cached" "$cached"
fi
echo
echo "seconds are medians of $RUNS runs; tidewatch = catalog + match with a warm DB; trivy/syft = package listing only"
echo "cold = every layer read (empty layer cache); cached = every layer in the layer cache; MiB = peak RSS of one run"
