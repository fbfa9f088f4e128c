#!/usr/bin/env bash
# Workload W3 of WORKLOADS.md, Flotilla's side: framework overhead without training. Per case KxP: one server process
# (FedAvg, all K clients every round, no evaluation, 6 rounds) and K client processes on 127.0.0.1; the model is P
# float32 parameters in 4 tensors of seeded standard normal values; each client returns what it received + 0.001 with
# 100 + its index as examples. Measured as Flower's comparators/flower/w3_overhead.py does: round r = end of
# aggregation r - end of aggregation r-1, median of rounds 2-6; peak RSS of every process by /usr/bin/time -v; check:
# final model = initial + 0.006 within 1e-5 (with --rounds R: + R x 0.001, within 1e-5 x R/6 beyond 6 rounds).
# Writes OUTDIR/kK_pP/summary.json per case, OUTDIR/summary.json, and
# prints one table line per case. Wrap it in `flock /tmp/flotilla-bench.lock` on a shared machine.
#
#   bench/w3.sh [--cases 10x1000000,10x10000000,50x1000000] [--outdir DIR] [--port 18400] [--case-timeout 420]
#               [--rounds 6 (more rounds show the warm JVMs' steady state; the goal counts rounds 2-6 of 6)]
#               [--chunk-kib K (chunk size of server and clients; default 256)]
#               [--window-kib K (HTTP/2 flow-control window of server and clients; default 1024)]
#               [--server-opts "JVM OPTIONS"] [--client-opts "JVM OPTIONS"] [--server-args "--upload-slots 1"] [--client-args "--window-kib 4096"]
#               [--cds on|off|aot (class-data sharing, default on: see below)] [--java PATH (default: java on PATH)]
#
# JVM options default to lean ones sized from P (see server_opts/client_opts below); FLOTILLA_W3_SERVER_OPTS and
# FLOTILLA_W3_CLIENT_OPTS (or the options above) replace them; they may use $MODEL_MIB, the model size in MiB rounded
# up, as in --client-opts '-XX:+UseSerialGC -Xmx$((48 + 3 * MODEL_MIB))m'; in client options {cid} is the client's index
# (for per-client files such as -XX:StartFlightRecording=filename=/tmp/client-{cid}.jfr).
#
# Class-data sharing, as the `flotilla` launcher does it: before the cases, a tiny run (1 client, 100,000 parameters,
# 2 rounds) archives the classes the server and a client load (-XX:ArchiveClassesAtExit, OUTDIR/cds/*.jsa), and
# every process of the cases maps them (-XX:SharedArchiveFile) instead of parsing and verifying them again. That run
# is not measured, like the install step of a deployment; --cds off measures without it. --cds aot (JDK 25 or later,
# as --java) makes that run record an ahead-of-time cache instead (-XX:AOTCacheOutput: classes loaded and linked,
# and the methods' profiles), which every process then maps (-XX:AOTCache).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CASES="10x1000000,10x10000000,50x1000000"
OUTDIR=""
PORT=18400
ROUNDS=6
CASE_TIMEOUT=420
SERVER_OPTS="${FLOTILLA_W3_SERVER_OPTS:-}"
CLIENT_OPTS="${FLOTILLA_W3_CLIENT_OPTS:-}"
SERVER_ARGS=""
CLIENT_ARGS=""
CDS=on
JAVA=java
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) CASES="$2"; shift 2 ;;
    --outdir) OUTDIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --case-timeout) CASE_TIMEOUT="$2"; shift 2 ;;
    --server-opts) SERVER_OPTS="$2"; shift 2 ;;
    --client-opts) CLIENT_OPTS="$2"; shift 2 ;;
    --server-args) SERVER_ARGS="$SERVER_ARGS $2"; shift 2 ;;
    --client-args) CLIENT_ARGS="$CLIENT_ARGS $2"; shift 2 ;;
    --cds) CDS="$2"; shift 2 ;;
    --java) JAVA="$2"; shift 2 ;;
    --chunk-kib) SERVER_ARGS="$SERVER_ARGS --chunk-kib $2"; CLIENT_ARGS="$CLIENT_ARGS --chunk-kib $2"; shift 2 ;;
    --window-kib) SERVER_ARGS="$SERVER_ARGS --window-kib $2"; CLIENT_ARGS="$CLIENT_ARGS --window-kib $2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$CDS" in on|off|aot) ;; *) echo "--cds must be on, off or aot, got '$CDS'" >&2; exit 2 ;; esac
"$JAVA" -version > /dev/null 2>&1 || { echo "--java '$JAVA' does not run" >&2; exit 2; }
OUTDIR="${OUTDIR:-$ROOT/flotilla-results/w3}"
JAR="${FLOTILLA_W3_JAR:-$ROOT/flotilla-bench/target/benchmarks.jar}"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (Debian package 'time')" >&2; exit 2; }

if [ -z "${FLOTILLA_W3_JAR:-}" ] && { [ ! -f "$JAR" ] || [ -n "$(find "$ROOT"/flotilla-*/src/main -newer "$JAR" -type f -print -quit)" ]; }; then
  echo "building $JAR" >&2
  (cd "$ROOT" && { ./mvnw -q -o -B package -pl flotilla-bench -am -DskipTests 2>/dev/null \
    || ./mvnw -q -B package -pl flotilla-bench -am -DskipTests; })
fi

# Lean JVMs: the serial collector (no concurrent GC threads or remembered sets), a small initial heap that grows
# only as needed and a maximum sized from the model: the server holds the global model, FedAvg's accumulator (in
# double: 2 models) and up to 2 uploads (ServerSettings.uploadSlots), 5 models (its encoded copy of the model only
# while it goes out; a cap of 4 models also ran, 3 ran out of memory at 10 x 10M: BENCHMARKS.md, W3), the client
# the model it received and its result. Both compile with C1
# only (-XX:TieredStopAtLevel=1): in a run of seconds the optimising compiler's own CPU costs more than its faster
# code saves (the server took 1.7 instead of 3.0 CPU-s at 10 x 1M, 4.7 instead of 8.1 at 50 x 1M; BENCHMARKS.md, W3).
server_opts() { echo "-XX:+UseSerialGC -Xms16m -Xmx$(( 96 + 5 * $1 ))m -Xss512k -XX:TieredStopAtLevel=1 -XX:-UsePerfData"; }
client_opts() { echo "-XX:+UseSerialGC -Xms8m -Xmx$(( 48 + 3 * $1 ))m -Xss512k -XX:TieredStopAtLevel=1 -XX:-UsePerfData"; }

# The JVM options of `who` (server or client) for a model of $2 MiB: --server-opts/--client-opts or the defaults above.
jvm_opts() {
  local given MODEL_MIB=$2
  if [ "$1" = server ]; then given="${SERVER_OPTS:-$(server_opts "$2")}"; else given="${CLIENT_OPTS:-$(client_opts "$2")}"; fi
  eval "echo \"$given\""
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
stop_group() { kill -TERM -- "-$1" 2>/dev/null || true; }

OWN=()
cleanup() { for p in "${OWN[@]}"; do stop_group "$p"; done; }
trap cleanup EXIT

run_case() {
  local k=$1 p=$2 dir="$OUTDIR/k$1_p$2"
  local model_mib=$(( (p * 4 + 1048575) / 1048576 ))
  local sopts copts
  sopts="$(jvm_opts server "$model_mib") $(cds_use server)"; copts="$(jvm_opts client "$model_mib") $(cds_use client)"
  rm -rf "$dir" && mkdir -p "$dir"
  while port_open "$PORT"; do PORT=$((PORT + 1)); done
  echo "=== case K=$k P=$p port=$PORT loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" >&2
  printf '%s\n' "$sopts" > "$dir/server_opts.txt"; printf '%s\n' "$copts" > "$dir/client_opts.txt"
  local t0; t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  setsid /usr/bin/time -v -o "$dir/time_server.txt" "$JAVA" $sopts -cp "$JAR" dev.flotilla.bench.w3.W3Server \
    --port "$PORT" --clients "$k" --params "$p" --rounds "$ROUNDS" --outdir "$dir" $SERVER_ARGS \
    > "$dir/server.log" 2>&1 &
  local server=$!; OWN+=("$server")
  local waited=0
  until port_open "$PORT"; do
    sleep 0.2; waited=$((waited + 1))
    if ! kill -0 "$server" 2>/dev/null || [ $waited -gt 600 ]; then echo "server did not come up" >&2; break; fi
  done
  local clients=()
  for c in $(seq 0 $((k - 1))); do
    # shellcheck disable=SC2086
    setsid /usr/bin/time -v -o "$dir/time_client$c.txt" "$JAVA" ${copts//\{cid\}/$c} -cp "$JAR" dev.flotilla.bench.w3.W3Client \
      --server "127.0.0.1:$PORT" --cid "$c" $CLIENT_ARGS > "$dir/client$c.log" 2>&1 &
    clients+=($!); OWN+=($!)
  done
  local status=ok deadline=$((SECONDS + CASE_TIMEOUT))
  while kill -0 "$server" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then status="timeout after ${CASE_TIMEOUT}s"; stop_group "$server"; break; fi
    sleep 0.5
  done
  wait "$server" 2>/dev/null || true
  deadline=$((SECONDS + 60))
  for c in "${clients[@]}"; do
    while kill -0 "$c" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    stop_group "$c"; wait "$c" 2>/dev/null || true
  done
  "$PY" "$ROOT/bench/w3_summary.py" case "$dir" "$k" "$p" "$status" "$t0"
  PORT=$((PORT + 1))
}

# The options that map the archive of `who` (server or client), if class-data sharing is on and it was made.
cds_use() {
  if [ "$CDS" = aot ] && [ -s "$OUTDIR/cds/$1.aot" ]; then echo "-XX:AOTCache=$OUTDIR/cds/$1.aot -Xlog:aot=off"; fi
  [ "$CDS" = on ] && [ -s "$OUTDIR/cds/$1.jsa" ] || return 0
  echo "-XX:SharedArchiveFile=$OUTDIR/cds/$1.jsa -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
}

make_archives() {
  local dir="$OUTDIR/cds" port=$PORT sarchive="-XX:ArchiveClassesAtExit=$OUTDIR/cds/server.jsa"
  local carchive="-XX:ArchiveClassesAtExit=$OUTDIR/cds/client.jsa" ext=jsa
  if [ "$CDS" = aot ]; then
    sarchive="-XX:AOTCacheOutput=$dir/server.aot"; carchive="-XX:AOTCacheOutput=$dir/client.aot"; ext=aot
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  while port_open "$port"; do port=$((port + 1)); done
  # shellcheck disable=SC2046
  setsid "$JAVA" $(jvm_opts server 1) $sarchive -cp "$JAR" dev.flotilla.bench.w3.W3Server \
    --port "$port" --clients 1 --params 100000 --rounds 2 --outdir "$dir" > "$dir/server.log" 2>&1 &
  local server=$!; OWN+=("$server")
  local waited=0
  until port_open "$port" || [ $waited -gt 300 ]; do sleep 0.2; waited=$((waited + 1)); done
  # shellcheck disable=SC2046
  timeout 120 "$JAVA" $(jvm_opts client 1) $carchive -cp "$JAR" \
    dev.flotilla.bench.w3.W3Client --server "127.0.0.1:$port" --cid 0 > "$dir/client.log" 2>&1 || true
  timeout 60 tail --pid="$server" -f /dev/null || stop_group "$server"
  if [ -s "$dir/server.$ext" ] && [ -s "$dir/client.$ext" ]; then
    echo "=== class-data archives made in $dir" >&2
  else
    echo "=== could not make the class-data archives (see $dir/*.log); running without them" >&2
  fi
}

mkdir -p "$OUTDIR"
cp -p "$JAR" "$OUTDIR/benchmarks.jar" && JAR="$OUTDIR/benchmarks.jar" # a rebuild during the run cannot break it
[ "$CDS" = off ] || make_archives
for c in ${CASES//,/ }; do
  run_case "${c%x*}" "${c#*x}"
  sleep 2
done
"$PY" "$ROOT/bench/w3_summary.py" table "$OUTDIR" "$CASES"
