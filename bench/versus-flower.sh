#!/usr/bin/env bash
# Flotilla against Flower 1.6.0 on this machine, back to back, for the goals of WORKLOADS.md that are ratios:
#   w3  Flotilla's W3 (bench/w3.sh), Flower's W3 (w3_overhead.py), Flotilla's W3 again;
#   w1  Flotilla's W1 (bench/w1-deployment.sh iid), Flower's W1 (e2e_fmnist.py --partition iid), TrainingBenchmark
#       (one thread, 3 rounds of 6,000 examples: the compute floor), Flotilla's W1 again.
# Flotilla runs before and after Flower, so that a machine whose speed drifts shows in the two ratios. Prints each
# goal's ratios and writes OUTDIR/versus-w3.json and OUTDIR/versus-w1.json (bench/versus_flower.py). Hold
# /tmp/flotilla-bench.lock around it on a shared machine (flock), as for the other benches.
#
#   bench/versus-flower.sh w3|w1|all [--outdir DIR] [--port 19000]
#
# Flower's side comes from FLOWER_COMPARATOR (default: ../shared/comparators/flower beside this checkout) with the
# environment its setup.sh makes (${TMPDIR:-/tmp}/flower-1.6.0/env.sh; run setup.sh once if it is missing).
# FLOTILLA_W3_JAR and the other variables of bench/w3.sh and bench/w1-deployment.sh apply to Flotilla's runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WHAT=""
OUTDIR=""
PORT=19000
while [ $# -gt 0 ]; do
  case "$1" in
    w1|w3|all) [ -z "$WHAT" ] || { echo "give one of w1, w3 or all, not '$WHAT' and '$1'" >&2; exit 2; }
      WHAT="$1"; shift ;;
    --outdir) OUTDIR="${2:?--outdir needs a directory}"; shift 2 ;;
    --port) PORT="${2:?--port needs a number}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument '$1': give w1, w3 or all, then --outdir DIR or --port N (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$WHAT" ] || { echo "give w1, w3 or all (see --help)" >&2; exit 2; }
case "$PORT" in ''|*[!0-9]*) echo "--port must be a number, got '$PORT'" >&2; exit 2 ;; esac
[ "$PORT" -ge 1024 ] && [ "$PORT" -le 65000 ] || { echo "--port must be in 1024..65000, got $PORT" >&2; exit 2; }
FLOWER="${FLOWER_COMPARATOR:-$ROOT/../shared/comparators/flower}"
FLOWER_ENV="${TMPDIR:-/tmp}/flower-1.6.0/env.sh"
[ -f "$FLOWER/w3_overhead.py" ] || { echo "Flower's comparator is not at $FLOWER (set FLOWER_COMPARATOR)" >&2; exit 2; }
[ -f "$FLOWER_ENV" ] || { echo "Flower is not set up: run bash $FLOWER/setup.sh first" >&2; exit 2; }
OUTDIR="${OUTDIR:-$(mktemp -d /tmp/flotilla-versus.XXXX)}"
mkdir -p "$OUTDIR"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
cd "$ROOT"
# shellcheck disable=SC1090
. "$FLOWER_ENV"

step() { echo "=== $(date +%H:%M:%S) $1 (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }

if [ "$WHAT" != w1 ]; then
  step "Flotilla W3, first"
  bench/w3.sh --outdir "$OUTDIR/w3-flotilla-a" --port "$PORT" > "$OUTDIR/w3-flotilla-a.log" 2>&1
  step "Flower W3"
  "$PY" "$FLOWER/w3_overhead.py" run --repeats 1 --outdir "$OUTDIR/w3-flower" > "$OUTDIR/w3-flower.log" 2>&1
  step "Flotilla W3, second"
  bench/w3.sh --outdir "$OUTDIR/w3-flotilla-b" --port "$((PORT + 100))" > "$OUTDIR/w3-flotilla-b.log" 2>&1
  "$PY" bench/versus_flower.py w3 "$OUTDIR"
fi
if [ "$WHAT" != w3 ]; then
  step "Flotilla W1, first"
  PORT="$((PORT + 200))" bench/w1-deployment.sh iid "$OUTDIR/w1-flotilla-a" > "$OUTDIR/w1-flotilla-a.log" 2>&1
  step "Flower W1"
  "$PY" "$FLOWER/e2e_fmnist.py" run --partition iid --port "$((PORT + 201))" --outdir "$OUTDIR/w1-flower" \
    > "$OUTDIR/w1-flower.log" 2>&1
  step "TrainingBenchmark (one thread)"
  env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=67108864 \
    java -XX:+UseSerialGC -Dai.djl.offline=true \
    -cp "flotilla-djl/target/test-classes:flotilla-cli/target/flotilla-cli.jar:flotilla-cli/target/lib/*" \
    dev.flotilla.djl.TrainingBenchmark cnn 6000 32 3 > "$OUTDIR/training-benchmark.log" 2>&1
  step "Flotilla W1, second"
  PORT="$((PORT + 202))" bench/w1-deployment.sh iid "$OUTDIR/w1-flotilla-b" > "$OUTDIR/w1-flotilla-b.log" 2>&1
  "$PY" bench/versus_flower.py w1 "$OUTDIR"
fi
