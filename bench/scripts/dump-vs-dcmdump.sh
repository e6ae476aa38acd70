#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Whole-process dump throughput: `./lightbox dump` against DCMTK's `dcmdump`, on the same corpus, in the same run.
#
# Usage: bench/scripts/dump-vs-dcmdump.sh [--rounds N] [--corpus DIR] [--ct-only] [--only dcmdump|lightbox]
#                                         [--no-hyperfine]
#
#   --rounds N       timed runs of each tool (default 3); one untimed warm-up run of each comes first
#   --corpus DIR     where the corpus is made, or reused if it is already there
#                    (default $LIGHTBOX_BENCH_CORPUS, else ~/.cache/lightbox/dump-corpus[-ct])
#   --ct-only        2,200 CT images (22 studies) instead of the shared harness's ingest set
#                    (2,000 CT + 200 DX: the set the issue's dcmdump figure of ~5,500 files/s was taken on)
#   --only TOOL      time one tool only (no ratio)
#   --no-hyperfine   time with bash even when hyperfine is installed
#
# The corpus comes from ../shared/bench/gen_dataset.py (seeded: the same files every time), which needs
# /usr/bin/python3 with python3-pydicom and python3-numpy. Each tool gets the whole sorted file list in ONE
# process, standard output to /dev/null, files already in the page cache. With bash timing the two tools
# alternate inside each round (the first one swaps every round) and a ratio is printed per round; with
# hyperfine each tool gets all its runs in turn and the ratio is of the medians.
# Needs: dcmdump (Debian package dcmtk), and a JDK 25 and Maven for ./lightbox. Optional: hyperfine.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${LIGHTBOX_SHARED:-$repo/../shared}"

rounds=3
corpus=""
ct_only=false
only=""
use_hyperfine=true

die() { echo "dump-vs-dcmdump: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="${2:?--rounds needs a number}"; shift 2 ;;
    --corpus) corpus="${2:?--corpus needs a folder}"; shift 2 ;;
    --ct-only) ct_only=true; shift ;;
    --only) only="${2:?--only needs dcmdump or lightbox}"; shift 2 ;;
    --no-hyperfine) use_hyperfine=false; shift ;;
    -h|--help) sed -n '3,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive whole number, not '$rounds'"
case "$only" in ""|dcmdump|lightbox) ;; *) die "--only takes dcmdump or lightbox, not '$only'" ;; esac

if $ct_only; then
  gen_args=(--ct-studies 22 --dx-studies 0 --stow-sets 0)
  corpus="${corpus:-${LIGHTBOX_BENCH_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/lightbox/dump-corpus-ct}}"
else
  gen_args=(--stow-sets 0)
  corpus="${corpus:-${LIGHTBOX_BENCH_CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/lightbox/dump-corpus}}"
fi

if [ "$only" != lightbox ]; then
  command -v dcmdump >/dev/null || die "dcmdump not found: install DCMTK (apt-get install dcmtk)"
fi

# --- the corpus -------------------------------------------------------------------------------------------
stamp="gen_dataset.py ${gen_args[*]}"
if [ -f "$corpus/manifest.json" ]; then
  if [ -f "$corpus/.corpus-args" ] && [ "$(cat "$corpus/.corpus-args")" != "$stamp" ]; then
    die "$corpus holds a corpus made by '$(cat "$corpus/.corpus-args")', not '$stamp'; pick another --corpus"
  fi
  echo "corpus: reusing $corpus"
else
  gen="$shared/bench/gen_dataset.py"
  [ -f "$gen" ] || die "no corpus in $corpus and no generator at $gen (set LIGHTBOX_SHARED to the shared folder)"
  /usr/bin/python3 -c 'import pydicom, numpy' 2>/dev/null \
    || die "the corpus generator needs /usr/bin/python3 with pydicom and numpy (apt-get install python3-pydicom python3-numpy)"
  echo "corpus: generating into $corpus ($stamp; a few minutes, about 3 GB)"
  mkdir -p "$(dirname "$corpus")"
  rm -rf "$corpus.partial"
  /usr/bin/python3 "$gen" "$corpus.partial" "${gen_args[@]}"
  echo "$stamp" > "$corpus.partial/.corpus-args"
  rm -rf "$corpus"
  mv "$corpus.partial" "$corpus"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dump-vs-dcmdump.XXXXXX")"
trap 'rm -rf "$work"' EXIT
list="$work/files.txt"
find "$corpus/ingest" -type f -name '*.dcm' | LC_ALL=C sort > "$list"
nfiles=$(wc -l < "$list")
[ "$nfiles" -gt 0 ] || die "no .dcm files under $corpus/ingest"
nbytes=$(tr '\n' '\0' < "$list" | xargs -0 stat -c %s | awk '{s += $1} END {printf "%.0f", s}')
tr '\n' '\0' < "$list" | xargs -0 cat > /dev/null   # into the page cache, the same for both tools

# One small script per tool, so that both are started the same way (by bash or by hyperfine).
cat > "$work/dcmdump" <<SCRIPT
#!/usr/bin/env bash
mapfile -t files < "$list"
exec dcmdump "\${files[@]}" > /dev/null
SCRIPT
cat > "$work/lightbox" <<SCRIPT
#!/usr/bin/env bash
mapfile -t files < "$list"
exec "$repo/lightbox" dump "\${files[@]}" > /dev/null
SCRIPT
chmod +x "$work/dcmdump" "$work/lightbox"

tools=()
[ "$only" != lightbox ] && tools+=(dcmdump)
[ "$only" != dcmdump ] && tools+=(lightbox)

# --- environment ------------------------------------------------------------------------------------------
echo "files: $nfiles, $(awk -v b="$nbytes" 'BEGIN {printf "%.1f", b / 1e6}') MB; rounds: $rounds; cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ " ${tools[*]} " == *" dcmdump "* ]]; then
  echo "dcmdump: $(dcmdump --version 2>&1 | head -n 1)"
fi
if [[ " ${tools[*]} " == *" lightbox "* ]]; then
  # Builds the jar if needed, and fails here, not inside the timing, if it can't.
  first="$(head -n 1 "$list")"
  "$repo/lightbox" dump "$first" > /dev/null || die "'./lightbox dump $first' failed"
  echo "lightbox: $repo/lightbox (JVM options from the launcher${LIGHTBOX_JAVA_OPTS:+ plus LIGHTBOX_JAVA_OPTS=$LIGHTBOX_JAVA_OPTS})"
fi

# Untimed warm-up; also proves every file is accepted (a tool that fails on a file would be timed unfairly).
for t in "${tools[@]}"; do
  if ! "$work/$t" 2> "$work/$t.err"; then
    echo "dump-vs-dcmdump: $t failed on the corpus; its first errors:" >&2
    head -n 5 "$work/$t.err" >&2
    exit 1
  fi
done

rate() { awk -v n="$nfiles" -v s="$1" 'BEGIN {printf "%.0f", n / s}'; }
mbps() { awk -v b="$nbytes" -v s="$1" 'BEGIN {printf "%.0f", b / s / 1e6}'; }
median() { LC_ALL=C sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

if $use_hyperfine && command -v hyperfine >/dev/null; then
  echo "timing: hyperfine $(hyperfine --version | awk '{print $2}')"
  args=()
  for t in "${tools[@]}"; do args+=(-n "$t" "$work/$t"); done
  hyperfine -N --warmup 1 --runs "$rounds" --export-json "$work/hyperfine.json" "${args[@]}"
  py="$(command -v python3 || echo /usr/bin/python3)"
  declare -A secs=()
  while read -r name s; do secs[$name]=$s; done < <("$py" -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["median"])' "$work/hyperfine.json")
  echo
  printf '%-10s %12s %10s %10s\n' tool "files/s" "MB/s" "median s"
  for t in "${tools[@]}"; do
    printf '%-10s %12s %10s %10.3f\n' "$t" "$(rate "${secs[$t]}")" "$(mbps "${secs[$t]}")" "${secs[$t]}"
  done
  if [ ${#tools[@]} -eq 2 ]; then
    echo "ratio lightbox/dcmdump (files/s, medians): $(awk -v a="${secs[dcmdump]}" -v b="${secs[lightbox]}" 'BEGIN {printf "%.2f", a / b}')"
  fi
  exit 0
fi

echo "timing: bash (wall clock per whole process; install hyperfine for its statistics)"
now() { date +%s%N; }
declare -A times=()
ratios=()
printf '%-6s' round; for t in "${tools[@]}"; do printf ' %16s' "$t files/s"; done
[ ${#tools[@]} -eq 2 ] && printf ' %8s' ratio
echo
for ((r = 1; r <= rounds; r++)); do
  order=("${tools[@]}")
  if [ ${#tools[@]} -eq 2 ] && ((r % 2 == 0)); then order=("${tools[1]}" "${tools[0]}"); fi
  declare -A s=()
  for t in "${order[@]}"; do
    t0=$(now)
    "$work/$t" 2>> "$work/$t.err" || die "$t failed in round $r (see its errors above the table)"
    t1=$(now)
    s[$t]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", (b - a) / 1e9}')
    times[$t]+="${s[$t]} "
  done
  printf '%-6s' "$r"; for t in "${tools[@]}"; do printf ' %16s' "$(rate "${s[$t]}")"; done
  if [ ${#tools[@]} -eq 2 ]; then
    ratio=$(awk -v a="${s[dcmdump]}" -v b="${s[lightbox]}" 'BEGIN {printf "%.2f", a / b}')
    ratios+=("$ratio")
    printf ' %8s' "$ratio"
  fi
  echo
  unset s
done
echo
printf '%-10s %12s %10s %10s\n' tool "files/s" "MB/s" "median s"
for t in "${tools[@]}"; do
  m=$(tr ' ' '\n' <<< "${times[$t]}" | sed '/^$/d' | median)
  printf '%-10s %12s %10s %10.3f\n' "$t" "$(rate "$m")" "$(mbps "$m")" "$m"
done
if [ ${#tools[@]} -eq 2 ]; then
  echo "ratio lightbox/dcmdump (files/s, median of per-round ratios): $(printf '%s\n' "${ratios[@]}" | median)"
fi
