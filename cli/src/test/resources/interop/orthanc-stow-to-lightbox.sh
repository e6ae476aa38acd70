#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Run inside a loopback-only network namespace (`unshare -n`: Orthanc listens on every interface). Starts
# `lightbox serve` and Orthanc with its DICOMweb plugin, uploads FILES to Orthanc, has Orthanc's DICOMweb client send
# them to Lightbox by STOW-RS, and prints the SHA-256 of each file Orthanc keeps and of each blob Lightbox stored.
# Usage: orthanc-stow-to-lightbox.sh JAVA LIGHTBOX_JAR WORK FILE...
set -u
JAVA=$1 JAR=$2 W=$3
shift 3
ip link set lo up
mkdir -p "$W/or/storage" "$W/or/index"
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" serve --data "$W/lb" --http-port 8400 --dicom-port 11400 \
  > "$W/lightbox.log" 2>&1 &
LB=$!
SO=$(dpkg -L orthanc-dicomweb | grep -m1 'plugins/libOrthancDicomWeb.so$')
cat > "$W/or/orthanc.json" <<JSON
{ "Name": "interop", "StorageDirectory": "$W/or/storage", "IndexDirectory": "$W/or/index", "HttpPort": 8042,
  "DicomPort": 4242, "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "Plugins": ["$SO"],
  "DicomWeb": {"Enable": true, "Root": "/dicom-web/", "Servers": {"lightbox": ["http://127.0.0.1:8400/dicom-web/"]}} }
JSON
Orthanc "$W/or/orthanc.json" > "$W/orthanc.log" 2>&1 &
OR=$!
trap 'kill $LB $OR 2>/dev/null; wait $LB $OR 2>/dev/null' EXIT
for _ in $(seq 1 150); do
  curl -sf http://127.0.0.1:8400/health > /dev/null && curl -sf http://127.0.0.1:8042/system > /dev/null && break
  sleep 0.2
done
for f in "$@"; do
  echo "upload $(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$f" http://127.0.0.1:8042/instances)"
done
STUDIES=$(curl -s http://127.0.0.1:8042/studies)
echo "stow $(curl -s -X POST -d "{\"Resources\": $STUDIES, \"Synchronous\": true}" \
  http://127.0.0.1:8042/dicom-web/servers/lightbox/stow | tr -d '\n\t ')"
find "$W/or/storage" -type f -exec sha256sum {} \; | awk '{print "orthanc " $1}'
find "$W/lb/blobs" -name '*.dcm' -not -path "$W/lb/blobs/tmp/*" -not -path "$W/lb/blobs/quarantine/*" \
  -exec sha256sum {} \; | awk '{print "lightbox " $1}'
