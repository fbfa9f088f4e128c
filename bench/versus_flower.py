#!/usr/bin/env python3
"""Ratios of Flotilla to Flower from the runs of bench/versus-flower.sh.

    versus_flower.py w3 OUTDIR   reads OUTDIR/w3-flotilla-a, w3-flower, w3-flotilla-b; writes OUTDIR/versus-w3.json
    versus_flower.py w1 OUTDIR   reads OUTDIR/w1-flotilla-a, w1-flower, training-benchmark.log, w1-flotilla-b;
                                 writes OUTDIR/versus-w1.json

Seconds per round are medians (W3: rounds 2-6, as both W3 scripts report them; W1: rounds 2-10, from Flotilla's
metrics.jsonl and Flower's rounds.json). W1's compute floor is 60,000 examples / (cores x the one-thread examples/s
of TrainingBenchmark's warm rounds, 1 and later), as WORKLOADS.md defines it; aggregation (milliseconds) is left out.
"""
import glob
import json
import os
import re
import statistics
import sys

W3_GOAL = 1 / 3
W1_GOAL = 0.4
FLOOR_GOAL = 1.10


def fail(message):
    print(f"versus_flower.py: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")


def peak_rss_mib(time_file):
    with open(time_file) as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.split()[-1]) / 1024
    return None


def w3(outdir):
    flower = {(c["K"], c["P"]): c for c in load_json(f"{outdir}/w3-flower/summary.json")["combined"]}
    runs = [load_json(f"{outdir}/w3-flotilla-{side}/summary.json")["cases"] for side in "ab"]
    rows = []
    for case_a, case_b in zip(*runs):
        key = (case_a["K"], case_a["P"])
        fl = flower.get(key)
        if fl is None:
            fail(f"Flower's W3 has no case K={key[0]} P={key[1]}")
        fl_s = fl["median_round_s_r2_6"]["median"]
        ours = [case_a["median_round_s_r2_6"], case_b["median_round_s_r2_6"]]
        rows.append({
            "K": key[0], "P": key[1], "flower_s": fl_s, "flotilla_s": ours,
            "ratio": [s / fl_s for s in ours],
            "correct": [case_a["correct"], case_b["correct"]],
            "server_rss_mib": {"flower": fl["server_peak_rss_mib"]["median"],
                               "flotilla": [case_a["server_peak_rss_mib"], case_b["server_peak_rss_mib"]]},
            "server_above_idle_models": [case_a["server_above_idle_models"], case_b["server_above_idle_models"]],
            "client_rss_mib": {"flower": fl["client0_peak_rss_mib"]["median"],
                               "flotilla": [case_a["client_peak_rss_mib_min_med_max"][2],
                                            case_b["client_peak_rss_mib_min_med_max"][2]]},
        })
    print("W3 (s/round, median of rounds 2-6; Flotilla before / after Flower; goal: ratio <= 1/3)")
    print(f"{'K x P':>16} {'Flower':>8} {'Flotilla':>15} {'ratio':>13} {'server MiB Fl/Flot':>22} "
          f"{'x model':>11} {'client MiB Fl/Flot':>20}")
    for r in rows:
        print(f"{r['K']:>3} x {r['P']:>10,} {r['flower_s']:8.3f} {r['flotilla_s'][0]:7.3f}/{r['flotilla_s'][1]:.3f} "
              f"{r['ratio'][0]:6.3f}/{r['ratio'][1]:.3f} "
              f"{r['server_rss_mib']['flower']:8.0f}/{r['server_rss_mib']['flotilla'][0]:.0f}/"
              f"{r['server_rss_mib']['flotilla'][1]:.0f} "
              f"{r['server_above_idle_models'][0]:5.1f}/{r['server_above_idle_models'][1]:.1f} "
              f"{r['client_rss_mib']['flower']:8.0f}/{r['client_rss_mib']['flotilla'][0]:.0f}/"
              f"{r['client_rss_mib']['flotilla'][1]:.0f}"
              + ("" if all(r["correct"]) else "  CHECK FAILED"))
    result = {"workload": "W3", "goal_ratio": W3_GOAL, "cases": rows}
    with open(f"{outdir}/versus-w3.json", "w") as f:
        json.dump(result, f, indent=1)
    return result


def flotilla_w1(run_dir):
    with open(f"{run_dir}/run/metrics.jsonl") as f:
        rows = [json.loads(line) for line in f]
    rounds = {r["round"]: r for r in rows if r["round"] > 0}
    later = [rounds[k]["seconds"] for k in sorted(rounds) if k > 1]
    peaks = [peak_rss_mib(p) for p in sorted(glob.glob(f"{run_dir}/logs/client-*.time"))]
    return {"s_per_round": statistics.median(later), "accuracy": rounds[max(rounds)]["accuracy"],
            "rounds_s": [rounds[k]["seconds"] for k in sorted(rounds)],
            "server_rss_mib": peak_rss_mib(f"{run_dir}/logs/server.time"),
            "client_rss_mib": [min(peaks), max(peaks)]}


def flower_w1(run_dir):
    rows = [r for r in load_json(f"{run_dir}/rounds.json")["rows"] if r["round"] > 0]
    peaks = [peak_rss_mib(p) for p in sorted(glob.glob(f"{run_dir}/time_client*.txt"))]
    return {"s_per_round": statistics.median(r["round_wall_s"] for r in rows if r["round"] > 1),
            "accuracy": rows[-1]["test_acc"], "rounds_s": [r["round_wall_s"] for r in rows],
            "server_rss_mib": peak_rss_mib(f"{run_dir}/time_server.txt"),
            "client_rss_mib": [min(peaks), max(peaks)]}


def training_rate(log):
    """examples/s of TrainingBenchmark's rounds after the first, and the central evaluation's seconds."""
    with open(log) as f:
        text = f.read()
    found = re.findall(r"^round (\d+): .* = (\d+) examples/s", text, re.M)
    rates = [float(rate) for n, rate in found if int(n) > 0]
    evals = [float(s) for s in re.findall(r"central evaluation of \d+: ([\d.]+) s", text)]
    if not rates:
        fail(f"{log} has no warm round of TrainingBenchmark (round 1 or later)")
    return statistics.mean(rates), evals


def w1(outdir):
    ours = [flotilla_w1(f"{outdir}/w1-flotilla-{side}") for side in "ab"]
    flower = flower_w1(f"{outdir}/w1-flower")
    rate, evals = training_rate(f"{outdir}/training-benchmark.log")
    cores = os.cpu_count()
    floor = 60_000 / (cores * rate)
    result = {
        "workload": "W1", "goal_ratio": W1_GOAL, "goal_floor": FLOOR_GOAL,
        "flower": flower, "flotilla": ours,
        "ratio": [o["s_per_round"] / flower["s_per_round"] for o in ours],
        "training_examples_per_s": rate, "evaluation_s": evals, "cores": cores, "floor_s": floor,
        "floor_ratio": [o["s_per_round"] / floor for o in ours],
    }
    print("W1 (s/round, median of rounds 2-10; Flotilla before / after Flower; goals: ratio <= 0.4, "
          "<= 1.10 x the floor)")
    print(f"  Flower {flower['s_per_round']:.2f} s, accuracy {flower['accuracy']:.4f}, "
          f"peak RSS server {flower['server_rss_mib']:.0f} / clients {flower['client_rss_mib'][1]:.0f} MiB")
    for o, ratio, fr in zip(ours, result["ratio"], result["floor_ratio"]):
        print(f"  Flotilla {o['s_per_round']:.2f} s (ratio {ratio:.3f}, {fr:.2f} x the floor), accuracy "
              f"{o['accuracy']:.4f}, peak RSS server {o['server_rss_mib']:.0f} / clients "
              f"{o['client_rss_mib'][1]:.0f} MiB")
    print(f"  floor: 60,000 / ({cores} x {rate:.0f} examples/s) = {floor:.2f} s; central evaluation "
          + ", ".join(f"{e:.2f}" for e in evals) + " s on one thread")
    with open(f"{outdir}/versus-w1.json", "w") as f:
        json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("w1", "w3"):
        fail("usage: versus_flower.py w1|w3 OUTDIR")
    if not os.path.isdir(sys.argv[2]):
        fail(f"{sys.argv[2]} is not a directory")
    try:
        (w1 if sys.argv[1] == "w1" else w3)(sys.argv[2])
    except (OSError, KeyError, ValueError, IndexError, TypeError) as e:  # a run that left no or partial files
        fail(f"cannot summarise {sys.argv[1]} in {sys.argv[2]}: {type(e).__name__}: {e}")
