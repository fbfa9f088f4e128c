#!/usr/bin/env bash
# The experiments of EXPERIMENTS.md, each one command: simulations on Fashion-MNIST, then one chart.
#   bench/experiments.sh robustness      [OUT_DIR]   20 clients, 4 Byzantine; FedAvg vs robust aggregators
#   bench/experiments.sh heterogeneity   [OUT_DIR]   Dirichlet 0.1, 100 clients, 10 per round; 5 strategies
#   bench/experiments.sh personalisation [OUT_DIR]   shards:2; FedAvg vs FedPer vs FedBN, per-client accuracy
#   bench/experiments.sh privacy         [OUT_DIR]   100 clients, 10 per round; no DP vs central vs local DP at
#                                                     epsilon 1, 3, 8 (delta 1e-5)
#   bench/experiments.sh compression     [OUT_DIR]   10 clients; none vs fp16, int8, top-1% with and without EF
#   bench/experiments.sh async           [OUT_DIR]   100 clients, 20% 10x slower; sync FedAvg (with and without a
#                                                     round timeout) vs async FedBuff, by simulated time
# Each run writes OUT_DIR/<run>/metrics.jsonl; the chart is OUT_DIR/<experiment>.png. Deterministic for the seed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXPERIMENT="${1:?usage: bench/experiments.sh robustness|heterogeneity|personalisation|privacy|compression|async [OUT_DIR]}"
OUT="${2:-$ROOT/experiments/$EXPERIMENT}"
mkdir -p "$OUT"
cd "$ROOT"
sim() { # sim RUN_NAME ARGS...: one simulation into OUT/RUN_NAME, skipped when it already finished
  local name="$1"; shift
  if [ -f "$OUT/$name/summary.json" ]; then return; fi
  echo "== $name: flotilla simulate $*" >&2
  ./flotilla simulate --progress never --seed 42 --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1 \
    || { tail -5 "$OUT/$name.log" >&2; exit 1; }
  grep '^best accuracy' "$OUT/$name.log" >&2
}

case "$EXPERIMENT" in
  robustness)
    # 20 clients (IID), all train every round; the first 4 attack. MLP, 15 rounds, SGD lr 0.05 momentum 0.9.
    COMMON=(--clients 20 --clients-per-round 20 --rounds 15 --model mlp --lr 0.05 --momentum 0.9)
    AGGREGATORS=(fedavg fedmedian trimmed-mean krum multi-krum bulyan)
    runs=()
    for agg in "${AGGREGATORS[@]}"; do
      sim "clean-$agg" "${COMMON[@]}" --strategy "$agg" --byzantine-f 4 --trim-beta 0.2
      runs+=("clean/$agg=$OUT/clean-$agg")
    done
    for attack in signflip scale:10 gaussian:1 labelflip; do
      for agg in "${AGGREGATORS[@]}"; do
        name="${attack/:/}-$agg"
        sim "$name" "${COMMON[@]}" --strategy "$agg" --byzantine-f 4 --trim-beta 0.2 --byzantine "4:$attack"
        runs+=("$attack/$agg=$OUT/$name")
      done
    done
    ./flotilla chart --final --metric accuracy --out "$OUT/robustness.png" \
      --title "Final accuracy after 15 rounds: 20 clients, 4 Byzantine (MLP, IID)" "${runs[@]}"
    ;;
  heterogeneity)
    # Dirichlet(0.1) label skew over 100 clients, 10 sampled per round; CNN, 30 rounds, 2 local epochs, lr 0.05.
    COMMON=(--clients 100 --clients-per-round 10 --rounds 30 --scheme dirichlet:0.1 --model cnn --lr 0.05
      --local-epochs 2)
    sim fedavg "${COMMON[@]}" --strategy fedavg
    sim fedprox "${COMMON[@]}" --strategy fedprox --proximal-mu 0.1
    sim fedavgm "${COMMON[@]}" --strategy fedavgm --server-lr 1 --server-momentum 0.9
    sim fedadam "${COMMON[@]}" --strategy fedadam --server-lr 0.01 --tau 0.001
    sim fedyogi "${COMMON[@]}" --strategy fedyogi --server-lr 0.01 --tau 0.001
    ./flotilla chart --metric accuracy --out "$OUT/heterogeneity.png" \
      --title "Dirichlet 0.1, 100 clients, 10 per round (CNN): central test accuracy" \
      fedavg="$OUT/fedavg" "fedprox mu 0.1=$OUT/fedprox" "fedavgm=$OUT/fedavgm" fedadam="$OUT/fedadam" \
      fedyogi="$OUT/fedyogi"
    ;;
  personalisation)
    # Pathological label skew: 2 shards (about 2 classes) per client, 20 clients, all every round; CNN with batch
    # norm, 15 rounds; every client evaluates on its own test share (the same label mix as its training data).
    COMMON=(--clients 20 --clients-per-round 20 --rounds 15 --scheme shards:2 --model cnn-bn --lr 0.05
      --fraction-evaluate 1)
    sim fedavg "${COMMON[@]}"
    sim fedper "${COMMON[@]}" --personalize fedper
    sim fedbn "${COMMON[@]}" --personalize fedbn
    ./flotilla chart --metric fed_accuracy --out "$OUT/personalisation.png" \
      --title "shards:2, 20 clients (CNN-BN): mean per-client accuracy on local test data" \
      fedavg="$OUT/fedavg" "fedper (local head)=$OUT/fedper" "fedbn (local batch norm)=$OUT/fedbn"
    ./flotilla chart --final --metric fed_accuracy --spread fed_accuracy_std --out "$OUT/personalisation-spread.png" \
      --title "Per-client accuracy after 15 rounds: mean and standard deviation over the 20 clients" \
      "final/fedavg=$OUT/fedavg" "final/fedper=$OUT/fedper" "final/fedbn=$OUT/fedbn"
    ;;
  privacy)
    # 100 clients (IID), 10 sampled per round (q = 0.1), 30 rounds, SGD lr 0.05 momentum 0.9, for two models: the
    # 2NN MLP (199,210 parameters) and logistic regression (7,850). Each DP run picks its noise multiplier from
    # --target-epsilon for the 30 planned rounds (central: the subsampled Gaussian at q = 0.1; local: a client's 30
    # possible updates, without amplification). Updates clipped to L2 norm CLIP.
    CLIP=1.0
    for model in logreg mlp; do
      COMMON=(--clients 100 --clients-per-round 10 --rounds 30 --model "$model" --lr 0.05 --momentum 0.9)
      sim "$model-nodp" "${COMMON[@]}"
      runs=("no DP=$OUT/$model-nodp")
      for eps in 8 3 1; do
        sim "$model-central-eps$eps" "${COMMON[@]}" --dp central --target-epsilon "$eps" --dp-clip "$CLIP"
        runs+=("central eps $eps=$OUT/$model-central-eps$eps")
      done
      for eps in 8 3 1; do
        sim "$model-local-eps$eps" "${COMMON[@]}" --dp local --target-epsilon "$eps" --dp-clip "$CLIP"
        runs+=("local eps $eps=$OUT/$model-local-eps$eps")
      done
      ./flotilla chart --metric accuracy --out "$OUT/privacy-$model.png" \
        --title "Fashion-MNIST, 100 clients, 10 per round ($model): accuracy under DP (delta 1e-5)" "${runs[@]}"
    done
    ./flotilla chart --metric epsilon --out "$OUT/privacy-epsilon.png" \
      --title "Epsilon spent after each round (RDP accountant, delta 1e-5)" \
      "central eps 8=$OUT/logreg-central-eps8" "central eps 3=$OUT/logreg-central-eps3" \
      "central eps 1=$OUT/logreg-central-eps1" "local eps 8=$OUT/logreg-local-eps8" \
      "local eps 3=$OUT/logreg-local-eps3" "local eps 1=$OUT/logreg-local-eps1"
    ;;
  compression)
    # 10 clients (IID), all train every round; MLP, 20 rounds, SGD lr 0.05 momentum 0.9; updates compressed on the
    # way up with each codec (top-k with and without error feedback; int8 and top-k also with zstd on top).
    COMMON=(--clients 10 --clients-per-round 10 --rounds 20 --model mlp --lr 0.05 --momentum 0.9)
    CODECS=(none fp16 int8 int8+zstd topk:0.01 topk:0.01:noef topk:0.01+zstd)
    runs=()
    for codec in "${CODECS[@]}"; do
      name="${codec//:/-}"
      sim "$name" "${COMMON[@]}" --compress "$codec"
      runs+=("$codec=$OUT/$name")
    done
    ./flotilla chart --metric accuracy --out "$OUT/compression.png" \
      --title "Compressed updates, 10 clients (MLP, IID): central test accuracy" "${runs[@]}"
    ./flotilla chart --final --metric bytes_up --out "$OUT/compression-bytes.png" \
      --title "Bytes sent up in round 20 (10 clients)" "${runs[@]/#/final/}"
    ;;
  async)
    # 100 clients (IID), 20% of them 10x slower on the simulated clock (a nominal task 0.5 s + 600 examples x 5 ms =
    # 3.5 s, a straggler's 30.5 s); MLP, SGD lr 0.05 momentum 0.9. Sync: 10 clients per round for 30 rounds, waiting
    # for the slowest or dropping clients past a 10 s round timeout. Async FedBuff: 20 clients training at once, a
    # version every 10 results, staleness weight (1 + t)^-0.5, results more than 10 versions old refused; 60 versions.
    COMMON=(--clients 100 --model mlp --lr 0.05 --momentum 0.9 --stragglers 0.2:10)
    sim sync "${COMMON[@]}" --clients-per-round 10 --rounds 30
    sim sync-timeout "${COMMON[@]}" --clients-per-round 10 --rounds 30 --round-timeout 10s
    sim async "${COMMON[@]}" --rounds 60 --workflow async --buffer 10 --concurrency 20 --staleness polynomial:0.5 \
      --max-staleness 10
    ./flotilla chart --x sim_seconds --metric accuracy --out "$OUT/async.png" \
      --title "100 clients, 20% 10x slower (MLP, IID): central test accuracy against simulated time" \
      "sync FedAvg, 10 per round=$OUT/sync" "sync FedAvg, 10 s round timeout=$OUT/sync-timeout" \
      "async FedBuff, K 10, concurrency 20=$OUT/async"
    python3 - "$OUT" <<'PY' >&2
import json, sys
runs = {name: [json.loads(l) for l in open(f"{sys.argv[1]}/{name}/metrics.jsonl")]
        for name in ("sync", "sync-timeout", "async")}
def reach(lines, target):
    return next((l for l in lines if l.get("accuracy", 0) >= target), None)
for target_run in ("sync", "sync-timeout"):
    last = runs[target_run][-1]
    print(f"{target_run}: final accuracy {last['accuracy']:.4f} at {last['sim_seconds']:.1f} simulated s")
    for name, lines in runs.items():
        hit = reach(lines, last["accuracy"])
        print(f"  {name} reaches it at " + (f"{hit['sim_seconds']:.1f} s (round {hit['round']}), "
              f"{hit['sim_seconds'] / last['sim_seconds']:.2f} of {target_run}'s time" if hit else "never"))
PY
    ;;
  *)
    echo "unknown experiment '$EXPERIMENT'; choose robustness, heterogeneity, personalisation, privacy, compression or async" >&2
    exit 2
    ;;
esac
echo "charts in $OUT" >&2
