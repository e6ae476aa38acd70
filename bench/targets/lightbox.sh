# Target for ../shared/bench/run.sh: `lightbox serve` from this repository (SQLite index and blobs under
# $BENCH_WORK), DIMSE on 11400, HTTP on 8400. Build first: mvn -B -ntp -o package -DskipTests.
# Usage, from the repository:  ../shared/bench/run.sh --targets "targets/dcmtk-storescp.sh,$PWD/bench/targets/lightbox.sh"
AET=LIGHTBOX
HOST=127.0.0.1
PORT=11400
HTTP_PORT=8400
READY_URL=http://127.0.0.1:$HTTP_PORT/health
DICOMWEB=http://127.0.0.1:$HTTP_PORT/dicom-web
CAPS="store find move get stow"
LIGHTBOX_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

target_setup() {
  cat > "$BENCH_WORK/lightbox.yaml" <<YAML
ae-title: $AET
bind: 127.0.0.1
dicom-port: $PORT
http-port: $HTTP_PORT
data: $BENCH_WORK/data
remote-aes:
  $BENCH_MOVE_AET: 127.0.0.1:$BENCH_MOVE_PORT
  $BENCH_SCU_AET: 127.0.0.1:11114
YAML
}
# The launcher's own choice of JVM options for `serve`; no rebuild check (the jar must be current).
target_start() { exec "$LIGHTBOX_REPO/lightbox" serve --config "$BENCH_WORK/lightbox.yaml"; }
