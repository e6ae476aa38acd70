#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# STOW-RS of 100 CT instances (0.5 MB each, one multipart/related body, sent by curl) into `lightbox serve` and into
# Orthanc with its DICOMweb plugin, in the same run, inside a loopback-only network namespace (Orthanc listens on
# every interface). Both servers start empty and are warmed up (Lightbox by storing every set 4 times, Orthanc once;
# the harness's STOW step, too, runs on a server that has just ingested the corpus); then they take turns: each timed
# request stores a set, and the sets are deleted again after the third. Prints each request (seconds, instances/s,
# server CPU) and the medians.
#
# Usage (as root, after `mvn -B -ntp -o package -DskipTests`):
#   bench/scripts/stow-vs-orthanc.sh [--rounds N (9)] [--warm-up PASSES (4)] [--in-flight N]
# The three sets come from ../shared/bench/gen_dataset.py (kept in ~/.cache/lightbox/stow-corpus).
set -euo pipefail
ROUNDS=9
WARMUP=4
INFLIGHT=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --in-flight) INFLIGHT=$2; shift 2 ;;
    --warm-up) WARMUP=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${LIGHTBOX_SHARED:-$REPO/../shared}
CORPUS=${LIGHTBOX_STOW_CORPUS:-$HOME/.cache/lightbox/stow-corpus}
JAR=$REPO/cli/target/lightbox.jar
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[ -f "$JAR" ] || { echo "build first: mvn -B -ntp -o package -DskipTests" >&2; exit 1; }
if [ ! -f "$CORPUS/manifest.json" ]; then
  /usr/bin/python3 "$SHARED/bench/gen_dataset.py" "$CORPUS" --ct-studies 1 --ct-series 1 --ct-per-series 1 \
    --dx-studies 1 --dx-series 1 --dx-per-series 1 --dx-size 64 --stow-sets 3 >&2
fi
if [ "${STOW_BENCH_INSIDE:-}" != 1 ]; then
  exec env STOW_BENCH_INSIDE=1 unshare -n "$0" --rounds "$ROUNDS" --warm-up "$WARMUP" ${INFLIGHT:+--in-flight "$INFLIGHT"}
fi
ip link set lo up
WORK=$(mktemp -d /tmp/stow-bench.XXXXXX)
B=$(/usr/bin/python3 -c "import json;print(json.load(open('$CORPUS/manifest.json'))['boundary'])")
STUDIES=$(/usr/bin/python3 -c "import json;print(' '.join(s['uid'] for s in json.load(open('$CORPUS/manifest.json'))['stow']))")

post() { # base set -> "status seconds"
  curl -s -o "$WORK/answer" -w "%{http_code} %{time_total}" -X POST -H "Expect:" -H "Accept: application/dicom+json" \
    -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$B" \
    --data-binary @"$CORPUS/stow/set$2.multipart" "$1/studies"
}
cpu() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; } # ms, with USER_HZ 100
wait_up() { for _ in $(seq 1 150); do curl -sf "$1" > /dev/null && return 0; sleep 0.2; done; return 1; }

clear_lightbox() { for u in $STUDIES; do curl -s -o /dev/null -X DELETE "http://127.0.0.1:8400/dicom-web/studies/$u"; done; }
clear_orthanc() {
  for id in $(curl -s http://127.0.0.1:8042/studies | /usr/bin/python3 -c 'import json,sys;print(" ".join(json.load(sys.stdin)))'); do
    curl -s -o /dev/null -X DELETE "http://127.0.0.1:8042/studies/$id"
  done
}
# one timed request: NAME PID BASE SET -> one line, and the rate on standard error for the summary
timed() {
  local c0 c1 out
  c0=$(cpu "$2"); out=$(post "$3" "$4"); c1=$(cpu "$2")
  echo "$1 set$4: HTTP ${out% *}, ${out#* } s, $(awk "BEGIN {printf \"%.0f\", 100 / ${out#* }}") instances/s, server CPU $((c1 - c0)) ms"
  echo "$1 $(awk "BEGIN {print 100 / ${out#* }}")" >> "$WORK/rates"
}

mkdir -p "$WORK/lb" "$WORK/or/storage" "$WORK/or/index"
"$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseG1GC ${INFLIGHT:+-Dlightbox.stow.in-flight=$INFLIGHT} -jar "$JAR" \
  serve --data "$WORK/lb/data" --http-port 8400 --dicom-port 11400 > "$WORK/lb.log" 2>&1 &
LB=$!
SO=$(dpkg -L orthanc-dicomweb | grep -m1 'plugins/libOrthancDicomWeb.so$')
cat > "$WORK/or/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$WORK/or/storage", "IndexDirectory": "$WORK/or/index",
  "HttpPort": 8042, "DicomPort": 4242, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "Plugins": ["$SO"], "DicomWeb": {"Enable": true, "Root": "/dicom-web/"} }
JSON
Orthanc "$WORK/or/orthanc.json" > "$WORK/or.log" 2>&1 &
OR=$!
trap 'kill $LB $OR 2>/dev/null; wait $LB $OR 2>/dev/null; rm -rf "$WORK"' EXIT
wait_up http://127.0.0.1:8400/health
wait_up http://127.0.0.1:8042/system
# warm-up, emptied after each pass: Lightbox stores every set WARMUP times (its JIT compiler needs about 1,000
# instances), Orthanc (native code) once: it slows down as it stores and deletes more (its CPU per request rose from
# 0.35 to 0.65 s over 12 warm-up passes here), which would flatter the ratio.
for w in $(seq 1 "$WARMUP"); do
  for s in 1 2 3; do post http://127.0.0.1:8400/dicom-web $s > /dev/null; done
  clear_lightbox
done
for s in 1 2 3; do post http://127.0.0.1:8042/dicom-web $s > /dev/null; done
clear_orthanc
# timed: the two servers take turns, so that whatever else the machine does weighs on both alike
for r in $(seq 1 "$ROUNDS"); do
  s=$(( (r - 1) % 3 + 1 ))
  echo "round $r"
  timed lightbox $LB http://127.0.0.1:8400/dicom-web $s
  timed orthanc $OR http://127.0.0.1:8042/dicom-web $s
  if [ $s = 3 ] || [ "$r" = "$ROUNDS" ]; then clear_lightbox; clear_orthanc; fi
done
/usr/bin/python3 - "$WORK/rates" <<'PY'
import sys, statistics
rates = {}
for line in open(sys.argv[1]):
    name, rate = line.split()
    rates.setdefault(name, []).append(float(rate))
lb, orth = statistics.median(rates["lightbox"]), statistics.median(rates["orthanc"])
print("median: lightbox %.0f instances/s, orthanc %.0f instances/s, ratio %.2f x" % (lb, orth, lb / orth))
PY
