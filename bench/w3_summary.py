"""Summaries for bench/w3.sh (workload W3, Flotilla's side), in the form of Flower's w3_overhead.py.

  w3_summary.py case DIR K P STATUS T0   # DIR/summary.json from DIR/rounds.json and the /usr/bin/time -v files
  w3_summary.py table OUTDIR CASES       # one line per case, OUTDIR/summary.json with every case and the machine
"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time

TIMELINE = ["between_rounds_s", "down_first_s", "down_last_s", "app_max_s", "first_result_s", "last_result_s",
            "up_median_s", "fold_total_s", "finalize_s"]


def parse_time_v(path):
    out = {}
    try:
        for line in open(path):
            line = line.strip()
            if line.startswith("Maximum resident set size"):
                out["peak_rss_mib"] = int(line.split(":")[1]) / 1024.0
            elif line.startswith("User time"):
                out["user_s"] = float(line.split(":")[1])
            elif line.startswith("System time"):
                out["sys_s"] = float(line.split(":")[1])
            elif line.startswith("Elapsed (wall clock)"):
                secs = 0.0
                for part in line.split(": ", 1)[1].split(":"):
                    secs = secs * 60 + float(part)
                out["elapsed_s"] = secs
            elif line.startswith("Exit status"):
                out["exit_status"] = int(line.split(":")[1])
    except FileNotFoundError:
        pass
    return out


def case(d, k, p, status, t0):
    k, p = int(k), int(p)
    res = {"K": k, "P": p, "status": status, "wall_incl_startup_s": time.time() - float(t0)}
    try:
        with open(os.path.join(d, "rounds.json")) as f:
            res.update(json.load(f))
    except FileNotFoundError:
        res["status"] = status if status != "ok" else "no rounds.json"
    later = [r for r in res.get("rows", []) if r["round"] >= 2]
    res["timeline_median_r2_6"] = {key: statistics.median(r[key] for r in later) for key in TIMELINE
                                   if later and all(r.get(key) is not None for r in later)}
    tsrv = parse_time_v(os.path.join(d, "time_server.txt"))
    tcl = [parse_time_v(os.path.join(d, f"time_client{c}.txt")) for c in range(k)]
    crss = [t["peak_rss_mib"] for t in tcl if "peak_rss_mib" in t]
    model_mib = p * 4 / 2**20
    res.update({
        "model_mib": model_mib,
        "server_time_v": tsrv,
        "server_peak_rss_mib": tsrv.get("peak_rss_mib"),
        "client0_peak_rss_mib": tcl[0].get("peak_rss_mib") if tcl else None,
        "client_peak_rss_mib_min_med_max": [min(crss), statistics.median(crss), max(crss)] if crss else None,
        "clients_total_cpu_s": sum(t.get("user_s", 0) + t.get("sys_s", 0) for t in tcl),
        "server_cpu_s": tsrv.get("user_s", 0) + tsrv.get("sys_s", 0),
        "clients_exit_status": sorted(set(t.get("exit_status", -1) for t in tcl)),
        "server_opts": open(os.path.join(d, "server_opts.txt")).read().strip(),
        "client_opts": open(os.path.join(d, "client_opts.txt")).read().strip(),
    })
    if res.get("idle_rss_mib", -1) > 0 and res["server_peak_rss_mib"]:
        over = res["server_peak_rss_mib"] - res["idle_rss_mib"]
        res["server_above_idle_mib"] = over
        res["server_above_idle_models"] = over / model_mib
    if res["status"] == "ok" and not res.get("correct"):
        res["status"] = "check failed"
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(res, f, indent=1)
    header()
    line(res)


def fmt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) else str(v)


def header():
    print(f"{'K':>3} {'P':>10} {'s/round':>8} {'aggfit_s':>8} {'srvRSS':>7} {'srvIdle':>7} {'xModel':>6} "
          f"{'cl0RSS':>7} {'clMaxRSS':>8} {'maxdev':>9} {'ok':>5} {'wall_s':>7}", flush=True)


def line(r):
    mm = r.get("client_peak_rss_mib_min_med_max") or [None] * 3
    print(f"{r['K']:>3} {r['P']:>10} {fmt(r.get('median_round_s_r2_6'), '8.3f')} "
          f"{fmt(r.get('median_aggregate_fit_s_r2_6'), '8.3f')} {fmt(r.get('server_peak_rss_mib'), '7.0f')} "
          f"{fmt(r.get('idle_rss_mib'), '7.0f')} {fmt(r.get('server_above_idle_models'), '6.1f')} "
          f"{fmt(r.get('client0_peak_rss_mib'), '7.0f')} {fmt(mm[2], '8.0f')} {fmt(r.get('max_abs_dev'), '9.2e')} "
          f"{str(r.get('correct')):>5} {fmt(r.get('wall_incl_startup_s'), '7.1f')}  {r.get('status')}", flush=True)
    t = r.get("timeline_median_r2_6") or {}
    if t:
        print("    timeline (median r2-6, s from configure end): " + ", ".join(f"{k[:-2]} {v:.3f}" for k, v in t.items()),
              flush=True)


def table(outdir, cases):
    results = []
    for c in cases.split(","):
        k, p = c.split("x")
        try:
            with open(os.path.join(outdir, f"k{k}_p{p}", "summary.json")) as f:
                results.append(json.load(f))
        except FileNotFoundError:
            results.append({"K": int(k), "P": int(p), "status": "missing"})
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    meta = {"cpus": os.cpu_count(), "cpu_model": cpu, "platform": platform.platform(), "java": java[:2],
            "date": time.strftime("%Y-%m-%d %H:%M:%S"), "cases": cases, "loadavg_end": os.getloadavg()}
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump({"meta": meta, "cases": results}, f, indent=1)
    print(f"--- W3, Flotilla (medians over rounds 2..6; RSS in MiB; xModel = (server peak - server idle) / model); "
          f"{meta['cpus']} x {cpu}")
    header()
    for r in results:
        line(r)


if __name__ == "__main__":
    {"case": lambda: case(*sys.argv[2:7]), "table": lambda: table(*sys.argv[2:4])}[sys.argv[1]]()
