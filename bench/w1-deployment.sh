#!/usr/bin/env bash
# Workload W1 of WORKLOADS.md as a deployment: 1 server + 10 client processes on 127.0.0.1, FedAvg CNN,
# 10 rounds, 1 local epoch, batch 32, SGD lr 0.01, no momentum. Prints accuracy, seconds per round and the peak
# resident memory of every process.
#   bench/w1-deployment.sh [iid|dirichlet:0.5] [OUT_DIR]
# The clients share this machine's cores, so at most MAX_CONCURRENT_FIT of them (default: the number of cores) train
# at once; MAX_CONCURRENT_FIT=all sends every client its request at once. FLOTILLA_JAVA_OPTS adds JVM options to
# every process, CLIENT_JAVA_OPTS to the clients only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCHEME="${1:-iid}"
OUT="${2:-$(mktemp -d /tmp/flotilla-w1.XXXX)}"
PORT="${PORT:-18080}"
CLIENTS=10
MAX_CONCURRENT_FIT="${MAX_CONCURRENT_FIT:-$(nproc)}"
LIMIT=()
[ "$MAX_CONCURRENT_FIT" = all ] || LIMIT=(--max-concurrent-fit "$MAX_CONCURRENT_FIT")
cd "$ROOT"
./flotilla --version >/dev/null   # builds if needed
rm -rf "$OUT/data" "$OUT/run" && mkdir -p "$OUT/logs"
./flotilla partition --dataset fashion-mnist --clients $CLIENTS --scheme "$SCHEME" --seed 42 --out "$OUT/data"

# Through the launcher, so that the processes get its settings (glibc malloc tunables, offline DJL) as users' do.
JAVA=(env FLOTILLA_JAVA_OPTS="-XX:+UseSerialGC ${FLOTILLA_JAVA_OPTS:-}" "$ROOT/flotilla")
CLIENT_JAVA=(env FLOTILLA_JAVA_OPTS="-XX:+UseSerialGC ${FLOTILLA_JAVA_OPTS:-} ${CLIENT_JAVA_OPTS:-}" "$ROOT/flotilla")
/usr/bin/time -v -o "$OUT/logs/server.time" "${JAVA[@]}" server --host 127.0.0.1 --port "$PORT" --rounds 10 \
  --min-clients $CLIENTS --model cnn --lr 0.01 --momentum 0 --batch-size 32 --local-epochs 1 --seed 42 \
  --test-data /usr/share/datasets/fashion-mnist "${LIMIT[@]}" --out "$OUT/run" > "$OUT/logs/server.log" 2>&1 &
SERVER=$!
for i in $(seq 0 $((CLIENTS - 1))); do
  /usr/bin/time -v -o "$OUT/logs/client-$i.time" "${CLIENT_JAVA[@]}" client --server-address "127.0.0.1:$PORT" \
    --data-dir "$OUT/data/client-$i" > "$OUT/logs/client-$i.log" 2>&1 &
done
wait $SERVER
wait
grep '^round' "$OUT/logs/server.log"
rss() { awk '/Maximum resident set size/ {printf "%.0f", $NF/1024}' "$1"; }
echo "server peak RSS: $(rss "$OUT/logs/server.time") MiB"
for i in $(seq 0 $((CLIENTS - 1))); do printf 'client-%d peak RSS: %s MiB\n' "$i" "$(rss "$OUT/logs/client-$i.time")"; done
python3 - "$OUT/run/metrics.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
train = [r for r in rows if r["round"] > 0]
later = [r["seconds"] for r in train if r["round"] > 1] or [r["seconds"] for r in train]
print(f"final accuracy {train[-1]['accuracy']:.4f}; seconds per round: median of rounds 2-{train[-1]['round']} "
      f"{statistics.median(later):.2f}, mean of rounds 1-{train[-1]['round']} {statistics.mean(r['seconds'] for r in train):.2f}; "
      f"run {sum(r['seconds'] for r in rows):.1f} s")
PY
