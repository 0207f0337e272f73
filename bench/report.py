#!/usr/bin/env python3
"""Turns bench/run's raw JSONL into the results table (markdown + CSV), every figure also as a
ratio to nginx.  Usage: report.py META.json RAW.jsonl OUT.md"""
import csv, json, statistics, sys

meta = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
out_md = sys.argv[3]

proxies = meta["proxies"].split()
scenarios = meta["scenarios"].split()
na = {r["proxy"]: r["na"] for r in rows if "na" in r}
SC_DESC = {
    "get1k_c1": "GET 1 KiB, 1 conn",
    "get1k_c64": "GET 1 KiB, 64 conns",
    "get1k_c64_2cpu": "GET 1 KiB, 64 conns, unpinned (2 CPUs)",
    "get1m_c8": "GET 1 MiB, 8 conns",
    "post10m_c4": "POST 10 MiB, 4 conns",
    "idle2000": "2,000 idle conns, trickle",
}
METRICS = [  # key, header, format
    ("rps", "req/s", "{:,.0f}"),
    ("mbps", "MB/s", "{:,.1f}"),
    ("p50", "p50 ms", "{:.2f}"),
    ("p99", "p99 ms", "{:.2f}"),
    ("cpu10k", "CPU s/10k req", "{:.2f}"),
    ("rss", "peak RSS MiB", "{:,.0f}"),
]


def per_rep(r):
    w = r["wrk"]
    if not w or "requests" not in w:
        return None
    dur = w["duration_us"] / 1e6
    req = w["requests"]
    d = {
        "rps": req / dur,
        "mbps": (w["bytes"] + req * r["req_body_bytes"]) / dur / 1e6,
        "p50": w["lat_p50_us"] / 1000.0,
        "p99": w["lat_p99_us"] / 1000.0,
        "errors": w["err_connect"] + w["err_read"] + w["err_write"] + w["err_status"] + w["err_timeout"],
        "requests": req,
        "backend_cpu10k": (r["backend_cpu_ticks"] / r["clk_tck"]) / req * 10000 if req else None,
    }
    if r["has_proxy_process"]:
        d["cpu10k"] = (r["proxy_cpu_ticks"] / r["clk_tck"]) / req * 10000 if req else None
        d["rss"] = r["proxy_hwm_kb"] / 1024.0
    else:
        d["cpu10k"] = d["rss"] = None
    return d


cells = {}
for r in rows:
    if "na" in r:
        continue
    d = per_rep(r)
    if d is not None:
        cells.setdefault((r["proxy"], r["scenario"]), []).append(d)

med = {}
for k, reps in cells.items():
    m = {}
    for key in ["rps", "mbps", "p50", "p99", "cpu10k", "rss", "backend_cpu10k"]:
        vals = [x[key] for x in reps if x[key] is not None]
        m[key] = statistics.median(vals) if vals else None
    m["errors"] = sum(x["errors"] for x in reps)
    m["requests"] = sum(x["requests"] for x in reps)
    m["reps"] = len(reps)
    med[k] = m


def fmt(key, fmtstr, proxy, sc):
    if proxy in na:
        return "n/a"
    m = med.get((proxy, sc))
    if m is None or m.get(key) is None:
        return "–"
    v = m[key]
    s = fmtstr.format(v)
    base = med.get(("nginx", sc), {}).get(key)
    if proxy != "nginx" and base:
        s += " ({:.2f}×)".format(v / base)
    return s


lines = []
hdr = ["scenario", "proxy"] + [h for _, h, _ in METRICS] + ["errors / requests"]
lines.append("| " + " | ".join(hdr) + " |")
lines.append("|" + "---|" * len(hdr))
for sc in scenarios:
    for p in proxies:
        if sc.endswith("_2cpu") and (p, sc) not in med:
            continue  # measured for BENCH_2CPU_PROXIES only
        row = [SC_DESC.get(sc, sc), p] + [fmt(k, f, p, sc) for k, _, f in METRICS]
        m = med.get((p, sc))
        row.append("n/a" if p in na else ("–" if m is None else "{:,} / {:,}".format(m["errors"], m["requests"])))
        lines.append("| " + " | ".join(row) + " |")
table = "\n".join(lines)

notes = []
for p, why in na.items():
    notes.append("- **{}**: n/a — {}".format(p, why))

if meta.get("unpinned"):
    placement = ("nothing pinned (`--unpinned`): wrk, proxy, backend nginx and dnsmasq share both CPUs; "
                 "the JVMs see {} CPUs from the start.".format(meta["ncpu"]))
else:
    placement = ("wrk on CPU {}; proxy, backend nginx and dnsmasq on CPU {} (`taskset`), except in the "
                 "\"unpinned (2 CPUs)\" scenario: for that cell the running proxy's, backend's and dnsmasq's "
                 "threads are allowed on every CPU (`taskset -a -p`) and wrk runs unpinned; the JVMs keep the "
                 "ergonomics of their 1-CPU start.".format(meta["cpu_load"], meta["cpu_sut"]))

md = """# hostproxy benchmark results {ts}

Command: `{cmd}`

Machine: {ncpu} × {cpu}, {mem}, kernel `{kernel}`.
Placement: {placement}
JDK 17: `{jdk17}`
JDK 25: `{jdk25}`
JVM options for every Java proxy: `{java_opts}` (GC chosen by ergonomics{gc_where}: {gc}).
Tomcat {tomcat}, Jetty {jetty}, {nginx}, {haproxy}, {wrk}.
Tomcat connector attributes beyond the bench's `conf/tomcat-server.xml`: {attrs}.
hostproxy commit: {commit}

Medians of {reps} rep(s) × {dur} s ({idle} s for the idle scenario), each after a {warm} s warm-up of the same
scenario. The reps are taken in rounds: each round starts every proxy afresh (JVMs then get
{jit} s of JIT warm-up traffic), runs all scenarios once and stops it, so the host's drift is
spread over all proxies alike.
In parentheses: ratio to nginx in the same scenario (for latency, CPU and RSS lower is better).
MB/s counts response bytes received plus request bodies sent (10^6 bytes).
CPU = utime+stime of the proxy process(es) from /proc/PID/stat per 10,000 requests;
peak RSS = VmHWM after resetting it (`echo 5 > /proc/PID/clear_refs`) before each rep.
Errors = wrk connect/read/write/timeout errors + non-2xx responses, summed over the reps.
"direct" = wrk straight to the backend (no proxy process: CPU/RSS columns empty).

{table}

{notes}
""".format(ts=meta["timestamp"], cmd=meta["command"], ncpu=meta["ncpu"], cpu=meta["cpu_model"],
           mem=meta["mem"], kernel=meta["kernel"], placement=placement,
           jdk17=meta["jdk17"].strip(), jdk25=meta["jdk25"].strip(), java_opts=meta["java_opts"],
           gc=meta["jvm_gc_on_1_cpu"], gc_where="" if meta.get("unpinned") else " on 1 CPU", tomcat=meta["tomcat"], jetty=meta["jetty"], nginx=meta["nginx"],
           haproxy=meta["haproxy"], wrk=meta["wrk"],
           attrs="; ".join(x for x in ("every Tomcat: `%s`" % meta["tomcat_extra_attrs"] if meta.get("tomcat_extra_attrs", "").strip() else "",
                                       "hostproxy rows: `%s`" % meta["hostproxy_connector_attrs"] if meta.get("hostproxy_connector_attrs", "").strip() else "") if x) or "none", commit=meta["hostproxy_commit"], reps=meta["reps"],
           dur=meta["duration_s"], idle=meta["idle_duration_s"], warm=meta["warmup_s"], jit=meta.get("jit_warmup_s", 0), table=table,
           notes="\n".join(notes))
open(out_md, "w").write(md)

with open(out_md[:-3] + "-medians.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["scenario", "proxy", "reps", "rps", "mbps", "p50_ms", "p99_ms", "proxy_cpu_s_per_10k",
                "proxy_peak_rss_mib", "backend_cpu_s_per_10k", "errors", "requests", "na"])
    for sc in scenarios:
        for p in proxies:
            m = med.get((p, sc), {})
            w.writerow([sc, p, m.get("reps")] + [m.get(k) for k in
                        ["rps", "mbps", "p50", "p99", "cpu10k", "rss", "backend_cpu10k", "errors", "requests"]]
                       + [na.get(p, "")])
print(md)
