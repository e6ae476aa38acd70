#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# C-STORE throughput, Lightbox beside DCMTK in the same run, inside a loopback-only network namespace:
#   storescu -> storescp            the reference (DCMTK into DCMTK; files written, no index, no fsync)
#   storescu -> Lightbox StoreScp   Lightbox's SCP writing files the same way (bench module, org.lightbox.bench.StoreScp)
#   lightbox store -> storescp      Lightbox's SCU
# each over one association and over four at once (studies dealt round-robin), plus the large instances alone
# (the corpus' DX folder, 8 MB and more) against the loopback TCP bandwidth that iperf3 measures in the same run.
#
# Usage: bench/scripts/store-vs-peers.sh [--corpus DIR] [--rounds R]
#   DIR holds ct/ and dx/ study folders (default ~/.cache/lightbox/dump-corpus/ingest, the 2,200-instance corpus
#   of ../shared/bench/gen_dataset.py). Must run as root (unshare -n). Needs dcmtk, iperf3, and a built
#   bench/target/benchmarks.jar and cli/target/lightbox.jar (mvn -B -ntp -o package -DskipTests).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="$HOME/.cache/lightbox/dump-corpus/ingest"
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '3,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "store-vs-peers: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -d "$corpus/ct" ] || { echo "store-vs-peers: no corpus at $corpus (ct/ and dx/ study folders)" >&2; exit 1; }
java_home=/usr/lib/jvm/temurin-25-jdk-amd64
[ -x "$java_home/bin/java" ] || { echo "store-vs-peers: JDK 25 not found at $java_home" >&2; exit 1; }
for jar in "$repo/bench/target/benchmarks.jar" "$repo/cli/target/lightbox.jar"; do
  [ -f "$jar" ] || { echo "store-vs-peers: $jar missing; build first (mvn -B -ntp -o package -DskipTests)" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

inner=$(cat <<'INNER'
set -euo pipefail
ip link set lo up
export TCP_NODELAY=1
java="$JAVA_HOME/bin/java"
now() { date +%s.%N; }
wait_port() { for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }
mapfile -t studies < <(find "$CORPUS"/ct "$CORPUS"/dx -mindepth 1 -maxdepth 1 -type d | sort)
count() { find "$1" -type f | wc -l; }
# Four lists of study folders, dealt round-robin.
for k in 0 1 2 3; do : > "$WORK/part$k"; done
i=0; for s in "${studies[@]}"; do echo "$s" >> "$WORK/part$((i % 4))"; i=$((i + 1)); done
total=$(find "$CORPUS"/ct "$CORPUS"/dx -type f | wc -l)
bytes=$(du -sb "$CORPUS"/ct "$CORPUS"/dx | awk '{s += $1} END {printf "%d", s}')
# Read the corpus once so that every run finds it in the page cache.
find "$CORPUS"/ct "$CORPUS"/dx -type f -exec cat {} + > /dev/null
large=$(find "$CORPUS"/dx -type f | wc -l)
large_bytes=$(du -sb "$CORPUS"/dx | awk '{print $1}')

start_sink() { # $1 = dcmtk|lightbox ; prints pid
  rm -rf "$WORK/out"; mkdir -p "$WORK/out"
  if [ "$1" = dcmtk ]; then
    storescp -dhl -aet SINK -od "$WORK/out" 11200 > "$WORK/sink.log" 2>&1 &
  else
    "$java" -XX:+UseG1GC -cp "$BENCH_JAR" org.lightbox.bench.StoreScp SINK 11200 "$WORK/out" > "$WORK/sink.log" 2>&1 &
  fi
  echo $!
}
send() { # $1 = storescu|lightbox ; $2.. = folders
  local how="$1"; shift
  if [ "$how" = storescu ]; then
    storescu -aec SINK +sd +r 127.0.0.1 11200 "$@" > /dev/null 2>> "$WORK/scu.log"
  else
    "$java" -XX:+UseG1GC -jar "$CLI_JAR" store SINK@127.0.0.1:11200 "$@" > /dev/null 2>> "$WORK/scu.log"
  fi
}
run() { # $1 scu, $2 sink, $3 assocs, $4 = all|large
  local pid t0 t1 n expect
  pid=$(start_sink "$2"); wait_port 11200
  t0=$(now)
  : > "$WORK/scu.log"
  local ok=true
  if [ "$4" = large ]; then
    send "$1" "$CORPUS"/dx || ok=false; expect=$large
  elif [ "$3" = 1 ]; then
    send "$1" "${studies[@]}" || ok=false; expect=$total
  else
    for k in 0 1 2 3; do mapfile -t l < "$WORK/part$k"; send "$1" "${l[@]}" & done
    for k in 0 1 2 3; do wait -n || ok=false; done; expect=$total
  fi
  $ok || { echo "CHECK FAILED: $1 -> $2 exited non-zero:" >&2; tail -5 "$WORK/scu.log" >&2; }
  t1=$(now)
  n=$(count "$WORK/out"); kill "$pid"
  # The sink is not this shell's child: wait until its port is free before the next one binds it.
  for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/11200) 2>/dev/null || break; sleep 0.05; done
  [ "$n" = "$expect" ] || echo "CHECK FAILED: $1 -> $2 stored $n of $expect" >&2
  echo "$t0 $t1 $n"
}
iperf3 -s -1 -p 5299 > /dev/null 2>&1 & sleep 0.3
loop=$(iperf3 -c 127.0.0.1 -p 5299 -t 3 -l 128K -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6)')
echo "corpus: $total instances, $((bytes / 1000000)) MB; large: $large instances, $((large_bytes / 1000000)) MB; loopback TCP (iperf3, 128 KiB writes): $(printf %.0f "$loop") MB/s"
for r in $(seq "$ROUNDS"); do
  for combo in "storescu dcmtk 1 all" "storescu lightbox 1 all" "lightbox dcmtk 1 all" \
               "storescu dcmtk 4 all" "storescu lightbox 4 all" "lightbox dcmtk 4 all" \
               "storescu dcmtk 1 large" "storescu lightbox 1 large" "lightbox dcmtk 1 large"; do
    set -- $combo
    read -r t0 t1 n < <(run "$1" "$2" "$3" "$4")
    b=$([ "$4" = large ] && echo "$large_bytes" || echo "$bytes")
    awk -v r="$r" -v s="$1" -v d="$2" -v a="$3" -v w="$4" -v t0="$t0" -v t1="$t1" -v n="$n" -v b="$b" -v l="$loop" \
      'BEGIN { t = t1 - t0; printf "round %s  %-9s -> %-8s  %s assoc  %-5s  %6.1f s  %7.0f inst/s  %6.0f MB/s  (%.0f%% of loopback)\n", r, s, d, a, w, t, n / t, b / t / 1e6, 100 * b / t / 1e6 / l }'
  done
done
INNER
)
JAVA_HOME="$java_home" CORPUS="$corpus" WORK="$work" ROUNDS="$rounds" BENCH_JAR="$repo/bench/target/benchmarks.jar" \
  CLI_JAR="$repo/cli/target/lightbox.jar" unshare -n -- bash -c "$inner"
