#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Per-frame encode time of each codec, Lightbox beside the C tools, in the same run: every tool compresses a native
# file of N frames and one of 1 frame of the same image; (time(N) - time(1)) / (N - 1) is the per-frame time, free
# of process start-up (the method of codecs-vs-peers.sh). Lightbox encodes with `lightbox transcode --ts UID` (the
# codec it picks: native when installed); the peers are DCMTK's dcmcrle, dcmcjpeg, dcmcjpls, GDCM's gdcmconv and
# OpenJPH's ojph_compress, which takes one image a run: it gets a PGM N frames tall instead. Also printed: the
# compressed bytes a frame, the same way, since speed means little without size.
#
# Usage: bench/scripts/encode-vs-peers.sh [--frames N] [--rounds R]
# Needs: /usr/bin/python3 with pydicom and numpy (to make the images), dcmtk, libgdcm-tools, openjph-tools,
# ./lightbox.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
frames=30
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --frames) frames="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '3,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "encode-vs-peers: unknown option '$1'" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The 512 x 512 CT-like phantom of codecs-vs-peers.sh: 12 bits in 16 (ct-*) and scaled to 8 bits (ct8-*), as
# native files of N frames and of 1 frame, and the 12-bit frames stacked into one tall 16-bit PGM (ct-*.pgm).
/usr/bin/python3 - "$work" "$frames" <<'PY'
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(5)
y, x = np.mgrid[0:512, 0:512]
body = ((x - 256) / 215.0) ** 2 + ((y - 256) / 169.0) ** 2 <= 1
def save(img, bits, name):
    ds = Dataset(); ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID; ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Rows = ds.Columns = 512; ds.NumberOfFrames = img.shape[0]; ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"; ds.BitsAllocated = 8 if bits == 8 else 16
    ds.BitsStored = bits; ds.HighBit = bits - 1; ds.PixelRepresentation = 0; ds.PixelData = img.tobytes()
    ds.is_little_endian = True; ds.is_implicit_VR = False
    ds.save_as(f"{out}/{name}.dcm", write_like_original=False)
for count, name in ((n, "many"), (1, "one")):
    img = np.stack([np.where(body, 1000 + (x + y + k) % 50, 24) + rng.integers(0, 16, (512, 512))
                    for k in range(count)]).astype(np.uint16)
    save(img, 12, f"ct-{name}")
    save((img >> 4).astype(np.uint8), 8, f"ct8-{name}")
    with open(f"{out}/ct-{name}.pgm", "wb") as f:
        f.write(b"P5\n512 %d\n4095\n" % (512 * count))
        f.write(img.astype(">u2").tobytes())
PY

lightbox="$repo/lightbox"
"$lightbox" --version >/dev/null
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
best() { local b=999999 t; for _ in $(seq "$rounds"); do t=$(ms "$@"); [ "$t" -lt "$b" ] && b=$t; done; echo "$b"; }
subst() { # stem word...: the words with IN and OUT turned into paths beginning with stem
  local stem="$1" w; shift
  for w in "$@"; do w="${w//IN/$stem}"; printf '%s\n' "${w//OUT/$stem}"; done
}
per_frame() { # stem command-with-IN-and-OUT: prints "ms-a-frame KiB-a-frame"
  local stem="$1" out many one many_size one_size; shift
  local -a cmd
  out="$(printf '%s\n' "$@" | grep -o 'OUT[.a-z0-9]*' | head -n 1)"
  mapfile -t cmd < <(subst "$stem-many" "$@")
  many=$(best "${cmd[@]}")
  many_size=$(stat -c %s "${out//OUT/$stem-many}")
  mapfile -t cmd < <(subst "$stem-one" "$@")
  one=$(best "${cmd[@]}")
  one_size=$(stat -c %s "${out//OUT/$stem-one}")
  awk -v m="$many" -v o="$one" -v ms="$many_size" -v os="$one_size" -v n="$frames" \
    'BEGIN { printf "%.2f %.0f", (m - o) / (n - 1), (ms - os) / (n - 1) / 1024 }'
}

printf '%-26s %12s %12s %8s %14s  %s\n' codec "lightbox ms" "peer ms" ratio "KiB/frame" peer
row() { # name image lightbox-ts peer-command [Lightbox JVM options]
  local name="$1" stem="$work/$2" ts="$3" peer="$4" opts="${5:-}"
  # Both must succeed once before they are timed (the timing runs discard their status).
  if ! "$lightbox" transcode --ts "$ts" "$stem-one.dcm" "$work/check.dcm" >/dev/null 2>&1; then
    printf '%-26s lightbox transcode --ts %s failed\n' "$name" "$ts"; return
  fi
  local -a check
  # shellcheck disable=SC2086 # the peer command is a template of words
  mapfile -t check < <(subst "$stem-one" $peer)
  if ! "${check[@]}" >/dev/null 2>&1; then
    printf '%-26s %s failed\n' "$name" "${peer%% *}"; return
  fi
  local ours theirs
  ours=$(export LIGHTBOX_JAVA_OPTS="$opts"; per_frame "$stem" "$lightbox" transcode --ts "$ts" IN.dcm OUT.lb.dcm)
  # shellcheck disable=SC2086
  theirs=$(per_frame "$stem" $peer)
  awk -v n="$name" -v o="${ours% *}" -v t="${theirs% *}" -v os="${ours#* }" -v ts="${theirs#* }" \
    -v p="$(sed 's/ -[a-z_]* [^ ]*IN.*//; s/ IN.*//' <<< "$peer")" \
    'BEGIN { printf "%-26s %12s %12s %8.2f %6s / %-6s  %s\n", n, o, t, (t > 0 ? o / t : 0), os, ts, p }'
}
row "RLE" ct RLELossless "dcmcrle IN.dcm OUT.rle.dcm"
row "JPEG baseline 8-bit q90" ct8 JPEGBaseline8Bit "dcmcjpeg +eb +q 90 IN.dcm OUT.jpg.dcm"
row "JPEG lossless SV1" ct JPEGLosslessSV1 "dcmcjpeg +e1 IN.dcm OUT.jpg.dcm"
row "JPEG-LS lossless" ct JPEGLSLossless "dcmcjpls IN.dcm OUT.jls.dcm"
row "JPEG-LS lossless (GDCM)" ct JPEGLSLossless "gdcmconv --jpegls -i IN.dcm -o OUT.jls.dcm"
# gdcmconv encodes on one thread; Lightbox by default lets OpenJPEG use the idle cores (lightbox.openjpeg.threads).
row "JPEG 2000 lossless, 1 thr" ct JPEG2000Lossless "gdcmconv --j2k -i IN.dcm -o OUT.j2k.dcm" \
  -Dlightbox.openjpeg.threads=1
row "JPEG 2000 lossless, auto" ct JPEG2000Lossless "gdcmconv --j2k -i IN.dcm -o OUT.j2k.dcm"
row "HTJ2K lossless" ct HTJ2KLossless "ojph_compress -i IN.pgm -o OUT.j2c -reversible true"
echo "ratio = Lightbox per-frame time / peer per-frame time (lower is faster); KiB/frame = Lightbox / peer"
