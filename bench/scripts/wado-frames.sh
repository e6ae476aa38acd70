#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# WADO-RS frames per second for 512 x 512 CT (16 bit), measured with curl as the client.
#
# Usage: bench/scripts/wado-frames.sh [--clients N] [--requests N] [--rounds N]
#
#   --clients N    curl processes at once, each on one kept-alive connection (default 4)
#   --requests N   frame requests per curl process per case (default 1000), over 100 instances
#   --rounds N     timed rounds of each case (default 3), after one untimed warm-up round
#
# Starts org.lightbox.bench.WadoFrameThroughput in its serve-only mode (a fresh archive with 100 CT instances in
# Explicit VR Little Endian and the same 100 in JPEG-LS lossless, Javalin on 127.0.0.1 as `lightbox serve` runs
# it), then times, per case, N curl processes each fetching its share of frame-1 URLs on one connection:
#   native       frames of the native instances, default Accept (application/octet-stream, Explicit VR LE)
#   jls-stored   the JPEG-LS instances' codestreams as stored (transfer-syntax=*)
#   jls-decoded  the JPEG-LS instances decoded to native pixels
# then the native series (100 instances, 52 MB) retrieved whole by one curl (WADO-RS, default Accept: as stored,
# since it is stored in Explicit VR Little Endian), and loopback TCP measured by iperf3 when it is installed
# (iperf3 listens on 127.0.0.1 only). Prints frames/s and MB/s per round. Needs a JDK 25 and Maven (it builds bench/target/benchmarks.jar if missing), curl.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
clients=4
requests=1000
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="${2:?}"; shift 2 ;;
    --requests) requests="${2:?}"; shift 2 ;;
    --rounds) rounds="${2:?}"; shift 2 ;;
    *) echo "wado-frames: unknown option $1" >&2; exit 2 ;;
  esac
done
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar="$repo/bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  (cd "$repo" && mvn -B -ntp -q -o package -DskipTests -pl bench -am)
fi
work="$(mktemp -d)"
log="$work/serve.log"
"$java" --enable-native-access=ALL-UNNAMED -cp "$jar" org.lightbox.bench.WadoFrameThroughput "$work" 0 3600 100 \
  >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do
  grep -q '^serving ' "$log" && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
base="$(sed -n 's/^serving \(http:[^ ]*\/studies\/[0-9.]*\)\/.*/\1/p' "$log")"
study="${base##*/}"

# One curl process per client, each with its own config file of URLs (one connection, kept alive).
make_urls() { # series, accept-or-empty, file
  : >"$3"
  for c in $(seq 1 "$clients"); do
    for i in $(seq 1 "$requests"); do
      n=$(( (i * 7 + c * 13) % 100 + 1 ))
      echo "url = \"$base/series/$study.$1/instances/$study.$1.$n/frames/1\"" >>"$3.$c"
      echo "output = \"/dev/null\"" >>"$3.$c"
    done
    if [ -n "$2" ]; then echo "header = \"Accept: $2\"" >>"$3.$c"; fi
  done
}
run_case() { # name, series, accept
  make_urls "$2" "$3" "$work/$1"
  for round in $(seq 0 "$rounds"); do
    t0=$(date +%s.%N)
    pids=()
    for c in $(seq 1 "$clients"); do curl -s -f -K "$work/$1.$c" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || { echo "wado-frames: a curl failed" >&2; exit 1; }; done
    t1=$(date +%s.%N)
    if [ "$round" -eq 0 ]; then continue; fi
    awk -v n=$((clients * requests)) -v a="$t0" -v b="$t1" -v name="$1" -v r="$round" \
      'BEGIN { printf "%-12s round %d: %6.0f frames/s (%d frames in %.2f s)\n", name, r, n / (b - a), n, b - a }'
  done
}
echo "$clients curl clients x $requests frames, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_case native 1 ""
run_case jls-stored 2 'multipart/related; type=application/octet-stream; transfer-syntax=*'
run_case jls-decoded 2 ""
for round in $(seq 0 "$rounds"); do
  read -r size secs < <(curl -s -f -o /dev/null -w '%{size_download} %{time_total}\n' "$base/series/$study.1")
  if [ "$round" -eq 0 ]; then continue; fi
  awk -v s="$size" -v t="$secs" -v r="$round" \
    'BEGIN { printf "series       round %d: %6.0f MB/s (%d bytes in %.3f s)\n", r, s / t / 1e6, s, t }'
done
if command -v iperf3 >/dev/null; then
  iperf3 -s -1 -B 127.0.0.1 -p 5299 >/dev/null 2>&1 &
  sleep 0.5
  iperf3 -c 127.0.0.1 -p 5299 -t 3 -f M 2>/dev/null | awk '/receiver/ { printf "loopback     iperf3: %s MB/s\n", $(NF-2) * 1.048576 }'
fi
