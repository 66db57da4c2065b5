#!/usr/bin/env bash
# Measures `tidewatch db update` against ../shared/vulndata served as a
# feed mirror over HTTP on 127.0.0.1: a first run (everything downloaded),
# a second run (nothing changed: conditional requests only) and a third
# after one OSV record changed (modified_id.csv names it: only that record
# is fetched). Prints bytes transferred (as `db update` reports them and as
# counted from the server's access log) and wall time per run, then
# `db status`.
#
# The mirror follows the layout in crates/db/src/update/feeds.rs, built in
# a temp dir: symlinks where the shared files already have the mirror's
# form (Alpine secdb JSON, KEV, OSV record files), generated files where a
# format must be packed (OSV all.zip + modified_id.csv, the EPSS CSV
# gzipped, the NVD subset split into NVD's yearly files). The Debian
# tracker JSON is the sample from vulndata/fixtures (the shared folder has
# no whole tracker JSON).
#   scripts/measure-update.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${TIDEWATCH_SHARED:-$PWD/../shared}
V=$SHARED/vulndata
[ -d "$V" ] || { echo "no $V (set TIDEWATCH_SHARED)" >&2; exit 1; }
cargo build --release --locked -p tidewatch
TW=$PWD/target/release/tidewatch

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
M=$WORK/mirror
mkdir -p "$M"

python3 - "$V" "$M" <<'EOF'
import glob, gzip, json, os, sys, zipfile
import yaml

v, m = sys.argv[1], sys.argv[2]

def osv(ecosystem, records):
    """all.zip, modified_id.csv (newest first) and one file per record."""
    d = os.path.join(m, "osv", ecosystem)
    os.makedirs(d, exist_ok=True)
    rows = []
    with zipfile.ZipFile(os.path.join(d, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for src, rec in records:
            name = rec["id"] + ".json"
            if src.endswith(".json"):
                os.symlink(src, os.path.join(d, name))
                z.write(src, name)
            else:
                body = json.dumps(rec, default=str)
                with open(os.path.join(d, name), "w") as f:
                    f.write(body)
                z.writestr(name, body)
            rows.append((str(rec.get("modified") or "1970-01-01T00:00:00Z"), rec["id"]))
    rows.sort(reverse=True)
    with open(os.path.join(d, "modified_id.csv"), "w") as f:
        f.writelines(f"{ts},{i}\n" for ts, i in rows)
    print(f"osv/{ecosystem}: {len(rows)} records")

def load_json(pattern):
    out = []
    for p in sorted(glob.glob(pattern, recursive=True)):
        with open(p) as f:
            out.append((p, json.load(f)))
    return out

osv("Go", load_json(os.path.join(v, "golang-vulndb/data/osv/*.json")))
# The OSV bucket publishes AlmaLinux per release (`AlmaLinux:9/all.zip`);
# ids repeat across releases.
for rel in ("8", "9", "10"):
    osv(f"AlmaLinux:{rel}", load_json(os.path.join(v, f"almalinux-osv-database/advisories/almalinux{rel}/*.json")))
pypi = []
for p in sorted(glob.glob(os.path.join(v, "pypa-advisory-database/vulns/**/*.yaml"), recursive=True)):
    with open(p) as f:
        pypi.append((p, yaml.safe_load(f)))
osv("PyPI", pypi)

with open(os.path.join(v, "nvd-subset/nvd-cves-2.0.json")) as f:
    nvd = json.load(f)
years = {}
for item in nvd["vulnerabilities"]:
    years.setdefault(item["cve"]["id"].split("-")[1], []).append(item)
os.makedirs(os.path.join(m, "nvd"), exist_ok=True)
for year, items in years.items():
    doc = {"resultsPerPage": len(items), "startIndex": 0, "totalResults": len(items),
           "format": "NVD_CVE", "version": "2.0", "vulnerabilities": items}
    with gzip.open(os.path.join(m, "nvd", f"nvdcve-2.0-{year}.json.gz"), "wt") as f:
        json.dump(doc, f)
print(f"nvd: {len(nvd['vulnerabilities'])} CVEs in {len(years)} year files")
EOF

for d in "$V"/pschou-oval/alpine/v*/; do
  b=$(basename "$d")
  for r in main community; do
    if [ -f "$d/$r.json" ]; then mkdir -p "$M/alpine/$b"; ln -s "$d/$r.json" "$M/alpine/$b/$r.json"; fi
  done
done
mkdir -p "$M/debian" "$M/kev" "$M/epss"
ln -s "$V/fixtures/vunnel/tests/unit/providers/debian/test-fixtures/input/debian.json" "$M/debian/tracker.json"
ln -s "$V/cisa-kev/known_exploited_vulnerabilities.json" "$M/kev/known_exploited_vulnerabilities.json"
gzip -c "$V/fixtures/vunnel/tests/unit/providers/epss/test-fixtures/example-1.csv" > "$M/epss/epss_scores-current.csv.gz"
echo "mirror: $(du -shL "$M" | cut -f1) in $(find -L "$M" -type f | wc -l) files"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$M" >"$WORK/access.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/kev/known_exploited_vulnerabilities.json')" 2>/dev/null; then break; fi
  sleep 0.1
done

export TIDEWATCH_DB=$WORK/db/tidewatch.db TIDEWATCH_CACHE_DIR=$WORK/cache
FEEDS=osv:Go,osv:AlmaLinux:8,osv:AlmaLinux:9,osv:AlmaLinux:10,osv:PyPI,alpine,debian-tracker,kev,epss,nvd

# Bytes the server sent with status 200 in the access log lines added
# since line $1 (http.server logs no sizes, so each served file's size).
served_bytes() {
  tail -n +"$(( $1 + 1 ))" "$WORK/access.log" | python3 -c '
import os, re, sys, urllib.parse
total = n200 = n304 = n404 = 0
for line in sys.stdin:
    m = re.search(r"\"GET (\S+) HTTP/[0-9.]+\" (\d+)", line)
    if not m: continue
    status = int(m.group(2))
    if status == 200:
        n200 += 1
        total += os.path.getsize(os.path.join(sys.argv[1], urllib.parse.unquote(m.group(1)).lstrip("/")))
    elif status == 304: n304 += 1
    elif status == 404: n404 += 1
print(f"{total} bytes in {n200} responses (304: {n304}, 404: {n404})")
' "$M"
}

run() {
  local label=$1 before start end
  before=$(wc -l < "$WORK/access.log")
  start=$(date +%s.%N)
  "$TW" db update --quiet --db-repository "http://127.0.0.1:$PORT/" --db-feeds "$FEEDS" > "$WORK/$label.out"
  end=$(date +%s.%N)
  echo "== $label: $(python3 -c "print(f'{$end - $start:.2f}')") s"
  grep -E "transferred|up to date" "$WORK/$label.out" | sed 's/^/   tidewatch: /'
  echo "   server:    $(served_bytes "$before")"
}

run "first update (empty cache, no DB)"
run "second update (nothing changed)"
# One Go record changes upstream: newer timestamp at the top of
# modified_id.csv and a new body (the symlink is replaced by a copy).
set -- "$M"/osv/Go/GO-*.json
ID=$(basename "$1" .json)
python3 - "$M/osv/Go" "$ID" <<'EOF'
import json, os, sys
d, i = sys.argv[1], sys.argv[2]
p = os.path.join(d, i + ".json")
rec = json.load(open(p))
rec["modified"] = "2099-01-01T00:00:00Z"
os.remove(p)
json.dump(rec, open(p, "w"))
csv = os.path.join(d, "modified_id.csv")
rows = open(csv).read()
open(csv, "w").write(f"2099-01-01T00:00:00Z,{i}\n" + rows)
EOF
run "third update (one OSV record changed)"
cat "$WORK/third update (one OSV record changed).out" | grep -E "^osv:Go" | sed 's/^/   /'
echo "== db status"
"$TW" db status
