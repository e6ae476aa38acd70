#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# In-process parse throughput: Lightbox's JMH ParseBenchmark beside pydicom's dcmread over the same CT corpus,
# in the same run, with ratios.
#
# Usage: bench/scripts/parse-vs-peers.sh [--corpus DIR] [--quick]
#   --corpus DIR   folder of DICOM files (default: the CT part of the corpus dump-vs-dcmdump.sh makes,
#                  ~/.cache/lightbox/dump-corpus/ingest/ct; made first with that script if missing)
#   --quick        fewer JMH iterations (a smoke run, wide error bars)
# Needs: JDK 25 and Maven (builds bench/target/benchmarks.jar), /usr/bin/python3 with python3-pydicom.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${XDG_CACHE_HOME:-$HOME/.cache}/lightbox/dump-corpus/ingest/ct"
jmh=(-f 1 -wi 3 -w 2 -i 5 -r 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus="${2:?--corpus needs a folder}"; shift 2 ;;
    --quick) jmh=(-f 1 -wi 1 -w 1 -i 2 -r 1); shift ;;
    -h|--help) sed -n '3,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "parse-vs-peers: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if [ ! -d "$corpus" ]; then
  bash "$here/dump-vs-dcmdump.sh" --only dcmdump --rounds 1 >/dev/null
fi
[ -d "$corpus" ] || { echo "parse-vs-peers: no corpus at $corpus" >&2; exit 1; }

java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
(cd "$repo" && JAVA_HOME="$java_home" mvn -B -ntp -q -pl bench -am package -DskipTests)

echo "== JMH ParseBenchmark on $corpus"
"$java_home/bin/java" -jar "$repo/bench/target/benchmarks.jar" ParseBenchmark "${jmh[@]}" \
  -jvmArgsAppend "-Dlightbox.bench.corpus=$corpus" -rf json -rff /tmp/lightbox-parse.json | grep -E '^(Benchmark|ParseBenchmark)'

echo "== pydicom dcmread on the same files (headers: stop_before_pixels=True)"
/usr/bin/python3 - "$corpus" /tmp/lightbox-parse.json <<'PY'
import json, os, sys, time
import pydicom
root, jmh = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".dcm"))
size = sum(os.path.getsize(f) for f in files) / len(files)
best = 0
for _ in range(3):
    t = time.perf_counter()
    for f in files:
        pydicom.dcmread(f, stop_before_pixels=True)
    best = max(best, len(files) / (time.perf_counter() - t))
ours = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["score"] for r in json.load(open(jmh))}
print(f"pydicom headers        {best:10.0f} files/s")
print(f"headerFromDisk         {ours['headerFromDisk']:10.0f} files/s  ratio {ours['headerFromDisk'] / best:.1f}x pydicom")
print(f"headerFromMemory       {ours['headerFromMemory']:10.0f} files/s  ratio {ours['headerFromMemory'] / best:.1f}x pydicom")
w = ours['wholeFileBulkOnDisk']
print(f"wholeFileBulkOnDisk    {w:10.0f} files/s = {w * size / 1e9:.1f} GB/s (mean file {size / 1e6:.2f} MB)")
PY
