#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the C shim over OpenJPH into $1 (default: ./build). Never fails the build: without g++ or OpenJPH's
# headers, or when compiling fails, it says so and Lightbox falls back to its other codecs at run time.
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
if ! command -v g++ >/dev/null 2>&1 || [ ! -f /usr/include/openjph/ojph_codestream.h ]; then
    echo "skipping the OpenJPH shim: g++ or libopenjph-dev missing"
    exit 0
fi
mkdir -p "$out" || { echo "skipping the OpenJPH shim: cannot create $out"; exit 0; }
if g++ -std=c++17 -O2 -Wall -shared -fPIC -o "$out/liblightbox-openjph.so" "$here/lightbox_openjph.cpp" -lopenjph; then
    echo "built $out/liblightbox-openjph.so"
else
    rm -f "$out/liblightbox-openjph.so"
    echo "skipping the OpenJPH shim: g++ failed (see above)"
    exit 0
fi
# The decoding process that isolates OpenJPH from the JVM (lightbox.htj2k.decode=isolated): the shim's code in an
# executable of its own. Without it, HTJ2K decodes in the JVM's process, as configured by in-process.
if g++ -std=c++17 -O2 -Wall -o "$out/lightbox-openjph-worker" "$here/lightbox_openjph_worker.cpp" \
        "$here/lightbox_openjph.cpp" -lopenjph; then
    echo "built $out/lightbox-openjph-worker"
else
    rm -f "$out/lightbox-openjph-worker"
    echo "skipping the OpenJPH worker: g++ failed (see above); HTJ2K will decode in-process"
fi
exit 0
