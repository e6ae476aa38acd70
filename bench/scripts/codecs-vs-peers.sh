#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Per-frame decode time of each codec, Lightbox beside the C tools, in the same run: every tool decodes a file of
# N frames and a file of 1 frame of the same image; (time(N) - time(1)) / (N - 1) is the per-frame time, free of
# process start-up. Lightbox decodes with `lightbox transcode --ts ExplicitVRLittleEndian` (the codec it picks: native
# when installed); the peers are DCMTK's dcmdrle, dcmdjpeg, dcmdjpls and GDCM's gdcmconv --raw.
#
# Usage: bench/scripts/codecs-vs-peers.sh [--frames N] [--rounds R]
# Needs: /usr/bin/python3 with pydicom and numpy (to make the test image), dcmtk, libgdcm-tools, ./lightbox.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
frames=40
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --frames) frames="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "codecs-vs-peers: unknown option '$1'" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A 512 x 512 12-bit CT-like phantom with noise, as native files of N frames and of 1 frame; for the 8-bit JPEG
# baseline rows the same phantom in 8 bits (gray8-*) and a 512 x 512 8-bit RGB image (rgb8-*).
/usr/bin/python3 - "$work" "$frames" <<'PY'
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(5)
y, x = np.mgrid[0:512, 0:512]
body = ((x - 256) / 215.0) ** 2 + ((y - 256) / 169.0) ** 2 <= 1
def frames(count, bits, samples):
    if bits == 12:
        return np.stack([np.where(body, 1000 + (x + y + k) % 50, 24) + rng.integers(0, 16, (512, 512))
                         for k in range(count)]).astype(np.uint16)
    if samples == 1:
        return np.stack([np.where(body, 100 + (x + y + k) % 50, 6) + rng.integers(0, 8, (512, 512))
                         for k in range(count)]).astype(np.uint8)
    return np.stack([np.stack([(x // 2 + k) % 256, (y // 2) % 256, np.where(body, 200, 40)], axis=-1)
                     + rng.integers(0, 8, (512, 512, 3)) for k in range(count)]).astype(np.uint8)
for prefix, bits, samples in (("", 12, 1), ("gray8-", 8, 1), ("rgb8-", 8, 3)):
  for count, name in ((n, "many"), (1, "one")):
    img = frames(count, bits, samples)
    ds = Dataset(); ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID; ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Rows = ds.Columns = 512; ds.NumberOfFrames = count; ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = "MONOCHROME2" if samples == 1 else "RGB"
    if samples == 3: ds.PlanarConfiguration = 0
    ds.BitsAllocated = 16 if bits == 12 else 8; ds.BitsStored = bits; ds.HighBit = bits - 1
    ds.PixelRepresentation = 0; ds.PixelData = img.tobytes()
    ds.is_little_endian = True; ds.is_implicit_VR = False
    ds.save_as(f"{out}/{prefix}{name}.dcm", write_like_original=False)
PY

lightbox="$repo/lightbox"
"$lightbox" --version >/dev/null
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
best() { local b=999999 t; for _ in $(seq "$rounds"); do t=$(ms "$@"); [ "$t" -lt "$b" ] && b=$t; done; echo "$b"; }
per_frame() { # command-with-IN-and-OUT
  local many one
  many=$(best "${@//IN/$work/enc-many.dcm}")
  one=$(best "${@//IN/$work/enc-one.dcm}")
  awk -v m="$many" -v o="$one" -v n="$frames" 'BEGIN { printf "%.2f", (m - o) / (n - 1) }'
}

printf '%-22s %14s %14s %10s  %s\n' codec "lightbox ms" "peer ms" ratio peer
row() { # name encode-command peer-decode-command [Lightbox JVM options]
  local name="$1" enc="$2" peer="$3" opts="${4:-}"
  # source=PREFIX before the call picks another phantom (gray8-, rgb8-)
  for f in many one; do eval "${enc//SRC/$work/${source:-}$f.dcm}" "$work/enc-$f.dcm" >/dev/null 2>&1; done
  local ours theirs
  ours=$(export LIGHTBOX_JAVA_OPTS="$opts"; per_frame "$lightbox" transcode --ts ExplicitVRLittleEndian IN "$work/out.dcm")
  # shellcheck disable=SC2086 # the peer command is a template of words
  theirs=$(per_frame ${peer//OUT/$work/out2.dcm})
  awk -v n="$name" -v o="$ours" -v t="$theirs" -v p="${peer%% *}" \
    'BEGIN { printf "%-22s %14s %14s %10.2f  %s\n", n, o, t, (t > 0 ? o / t : 0), p }'
}
row "RLE" "dcmcrle SRC" "dcmdrle IN OUT"
row "JPEG lossless SV1" "dcmcjpeg +e1 SRC" "dcmdjpeg IN OUT"
row "JPEG-LS lossless" "dcmcjpls SRC" "dcmdjpls IN OUT"
row "JPEG 2000 lossless" "gdcmconv --j2k -i SRC -o" "gdcmconv --raw -i IN -o OUT"
# Both on one core: gdcmconv asks OpenJPEG for a thread per processor, Lightbox for the idle ones (auto).
row "JPEG 2000, one core" "gdcmconv --j2k -i SRC -o" "taskset -c 0 gdcmconv --raw -i IN -o OUT" \
  -Dlightbox.openjpeg.threads=1
# 8-bit baseline: libjpeg-turbo when libturbojpeg0 is installed; +cn: dcmdjpeg leaves YCbCr as Lightbox does
source=gray8- row "JPEG baseline gray8" "dcmcjpeg +eb SRC" "dcmdjpeg +cn IN OUT"
source=rgb8- row "JPEG baseline RGB 4:2:2" "dcmcjpeg +eb SRC" "dcmdjpeg +cn IN OUT"
echo "ratio = Lightbox per-frame time / peer per-frame time (lower is faster); target for native paths <= 1.2"
