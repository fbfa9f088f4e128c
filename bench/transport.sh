#!/usr/bin/env bash
# A model crossing loopback gRPC between two processes (dev.flotilla.bench.TransportBenchmark): MB/s per direction,
# CPU-seconds per GB of both processes, peak RSS.
#   bench/transport.sh [SERVER_OPTIONS...]     e.g. --gib 1 --reps 3 --warmup 1 --chunk-kib 1024 --window-kib 8192
# Builds flotilla-bench if its jar is missing; JAR=path runs another jar. JAVA_OPTS (default -Xms4g -Xmx4g) applies
# to both processes, SERVER_JAVA_OPTS and CLIENT_JAVA_OPTS to one each (for example a JFR recording); --chunk-kib
# and --window-kib are passed to the client too. On a shared machine run it under
# `flock /tmp/flotilla-bench.lock` so that measurements never overlap.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="${JAR:-$ROOT/flotilla-bench/target/benchmarks.jar}"
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -q -B -pl flotilla-bench -am package -DskipTests)
fi
read -r -a OPTS <<< "${JAVA_OPTS:--Xms4g -Xmx4g}"
read -r -a SERVER_OPTS <<< "${SERVER_JAVA_OPTS:-}"
read -r -a CLIENT_OPTS <<< "${CLIENT_JAVA_OPTS:-}"
CLIENT_ARGS=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in --chunk-kib|--window-kib) CLIENT_ARGS+=("${args[i]}" "${args[i + 1]}") ;; esac
done
WORK="$(mktemp -d)"
SERVER_PID=""
CLIENT_PID=""
cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
LOG_OPTS=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
java "${OPTS[@]}" "${SERVER_OPTS[@]}" "${LOG_OPTS[@]}" -cp "$JAR" dev.flotilla.bench.TransportBenchmark server \
  --port-file "$WORK/port" "$@" &
SERVER_PID=$!
for _ in $(seq 300); do
  [ -s "$WORK/port" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID"; exit 1; }
  sleep 0.1
done
[ -s "$WORK/port" ] || { echo "the server did not start" >&2; exit 1; }
java "${OPTS[@]}" "${CLIENT_OPTS[@]}" "${LOG_OPTS[@]}" -cp "$JAR" dev.flotilla.bench.TransportBenchmark client \
  --target "127.0.0.1:$(cat "$WORK/port")" "${CLIENT_ARGS[@]}" > "$WORK/client.log" 2>&1 &
CLIENT_PID=$!
status=0
wait "$SERVER_PID" || status=$?
SERVER_PID=""
wait "$CLIENT_PID" || { echo "client exited with $?:" >&2; cat "$WORK/client.log" >&2; status=1; }
CLIENT_PID=""
exit "$status"
