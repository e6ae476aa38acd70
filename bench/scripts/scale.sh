#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The scale figures of issue 5 (and issue 6's QIDO-RS one), with org.lightbox.bench.ScaleBenchmark:
#   fill         fills ARCHIVE with N synthetic instances through the archive's real, durable ingest (4 threads,
#                seeded, resumable: run it again to continue a killed or time-limited fill)
#   corpus-find  stores the 2,200-instance corpus into a fresh `lightbox serve` with DCMTK's storescu (once), then
#                times C-FIND (and QIDO-RS) on it: the issue's "on the corpus" figure
#   find         times serve's start-up over ARCHIVE, then C-FIND inside one association and QIDO-RS on it
#   ingest       times ingest of the corpus' 2,000 CT instances (a copy with new UIDs each run) into an empty
#                archive and into ARCHIVE, 1 and 4 threads, in whole runs taking turns and interleaved instance by
#                instance, and prints the ratio filled / empty (what it added to ARCHIVE is deleted again after)
#
# Usage: bench/scripts/scale.sh [--archive DIR] [--instances N] [--minutes M] [--corpus DIR] [--work DIR]
#                               [--queries Q] [--warmup W] [--rounds R] [STEP...]
#   STEP is any of fill, corpus-find, find, ingest (default: all four, in that order). Defaults: --archive
#   /work/scale-archive, --instances 1000000, --minutes 45 (the fill stops claiming instances after that long),
#   --corpus ~/.cache/lightbox/dump-corpus/ingest (ct/ and dx/ study folders, made by dump-vs-dcmdump.sh),
#   --work /work/scale-work (the corpus archive, the copy of the server jar, logs), --queries 1000 (timed, of
#   each front door), --warmup 10000 (untimed queries first, so the server's query path is compiled), --rounds 3.
#   Needs a built bench/target/benchmarks.jar and cli/target/lightbox.jar (lbmvn -q package -DskipTests), dcmtk
#   (storescu), and about 10 GB free for a million instances. Ports: DIMSE 11500, HTTP 8500 on 127.0.0.1.
#
# `lightbox serve` runs from a copy of cli/target/lightbox.jar with the JVM options ./lightbox gives `serve`, and the
# benchmark from a copy of benchmarks.jar, so that a rebuild of the working tree during a long run cannot change a
# jar under a running JVM.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
archive=/work/scale-archive
instances=1000000
minutes=45
corpus="$HOME/.cache/lightbox/dump-corpus/ingest"
work=/work/scale-work
queries=1000
warmup=10000
rounds=3
steps=()
while [ $# -gt 0 ]; do
  case "$1" in
    --archive) archive="$2"; shift 2 ;;
    --instances) instances="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '3,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    fill|corpus-find|find|ingest) steps+=("$1"); shift ;;
    *) echo "scale: unknown option or step '$1'" >&2; exit 2 ;;
  esac
done
[ ${#steps[@]} -gt 0 ] || steps=(fill corpus-find find ingest)
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
[ -x "$java" ] || { echo "scale: JDK 25 not found at $java" >&2; exit 1; }
for jar in "$repo/bench/target/benchmarks.jar" "$repo/cli/target/lightbox.jar"; do
  [ -f "$jar" ] || { echo "scale: $jar missing; build first (lbmvn -q package -DskipTests)" >&2; exit 1; }
done
mkdir -p "$work"
# Both jars are copied: a rebuild of the working tree during a long run must not change a jar under a running JVM.
cp "$repo/cli/target/lightbox.jar" "$work/lightbox.jar"
cp "$repo/bench/target/benchmarks.jar" "$work/benchmarks.jar"
bench=("$java" --enable-native-access=ALL-UNNAMED -cp "$work/benchmarks.jar"
       org.lightbox.bench.ScaleBenchmark)
# The options ./lightbox gives `serve` (see the launcher).
serve="$java -Xlog:disable -Xlog:all=warning:stderr -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8
       --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -jar $work/lightbox.jar serve"

echo "# scale.sh $(date -Is) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(uptime)"
df -h "$(dirname "$archive")" | tail -1

for step in "${steps[@]}"; do
  echo "## $step"
  case "$step" in
    fill)
      "${bench[@]}" fill "$archive" "$instances" --threads 4 --minutes "$minutes" 2> "$work/fill.err"
      du -sh "$archive"; du -sh "$archive/index.db" ;;
    corpus-find)
      ca="$work/corpus-archive"
      if [ ! -f "$ca/index.db" ]; then
        # shellcheck disable=SC2086
        $serve --data "$ca" --dicom-port 11500 --http-port 8500 --bind 127.0.0.1 > "$work/corpus-store.log" 2>&1 &
        pid=$!
        for _ in $(seq 600); do curl -sf http://127.0.0.1:8500/health > /dev/null && break; sleep 0.1; done
        find "$corpus"/ct "$corpus"/dx -type f -exec cat {} + > /dev/null
        t0=$(date +%s.%N)
        storescu -aec LIGHTBOX +sd +r 127.0.0.1 11500 "$corpus"/ct "$corpus"/dx > /dev/null 2> "$work/storescu.log" \
          || { kill "$pid"; echo "scale: storescu failed; see $work/storescu.log" >&2; exit 1; }
        echo "corpus stored by storescu in $(echo "$(date +%s.%N) - $t0" | bc) s"
        kill "$pid"; wait "$pid" || true
      fi
      "${bench[@]}" find "$ca" --serve "$serve" --queries "$queries" --warmup "$warmup" --qido \
        --log "$work/corpus-serve.log" ;;
    find)
      "${bench[@]}" find "$archive" --serve "$serve" --queries "$queries" --warmup "$warmup" --qido \
        --log "$work/scale-serve.log" ;;
    ingest)
      "${bench[@]}" ingest "$archive" "$corpus/ct" --work "$work/ingest" --rounds "$rounds" --threads 1,4 \
        2> "$work/ingest.err" ;;
  esac
done
echo "# done $(date -Is); $(uptime)"
