#!/usr/bin/python3
"""The production rehearsal's judge (issue 21): reads the driver's journals and the proxy's logs,
attributes every failed exchange to an injected fault or to nothing, computes the pass criteria,
prints them as a table and writes OUT.md with PNG plots beside it (OUT-*.png).

  report.py --journal DIR --tomcat-logs DIR --out PREFIX [--ci] [--command C] [--commit C] [--minutes M]

--ci: only the mix-up and avoidable-failure criteria, no plots; the exit status says whether they hold.
Otherwise every criterion is judged and the exit status is 1 if any fails.
"""
import argparse
import glob
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime

DNS_REFRESH_S = 5          # hostproxy's dnsRefresh (the default the rehearsal runs with)
KILL_MARGIN_S = 3          # after a killed replica left DNS, until the proxy's refresh has surely seen it
ACCESS = re.compile(r'^(\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\S+) (\d+)ms id=(\S+) backend=(\S+) address=(\S+) '
                    r'upstream=(\S+)ms retries=(\S+) error=(\S+)(?: grpc=(\S+))?')
JUL = re.compile(r'^(\d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d\.\d+) (SEVERE|WARNING|INFO|FINE\w*) \[([^\]]*)\] (\S+) (.*)$')
GC = re.compile(r'^\[([^\]]+)\]\[[^\]]*\] GC\(\d+\) (Pause [^(]+?)(?: \([^)]*\))* (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\)')


def jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass  # a line cut off by a kill of the driver: ignored
    return out


def mib(value, unit):
    return int(value) / {"K": 1024.0, "M": 1.0, "G": 1 / 1024.0}[unit]


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def histogram(path):
    """{class: (instances, bytes)} from a `jcmd GC.class_histogram` file; {} if there is none."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
                if m:
                    out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


def heap_growth(run, top=12):
    """What the heap at rest gained from the first quiet phase (the baseline) to the last, by class."""
    first, last = run.histograms[0] if run.histograms else {}, run.histograms[-1] if run.histograms else {}
    if not first or not last or first is last:
        return []
    diff = sorted(((last.get(k, (0, 0))[1] - first.get(k, (0, 0))[1], last.get(k, (0, 0))[0] - first.get(k, (0, 0))[0], k)
                   for k in set(first) | set(last)), reverse=True)
    total = sum(b for _, b in last.values()) - sum(b for _, b in first.values())
    return ["", "The heap at rest, %s to %s (`jcmd GC.class_histogram`): %+.1f MiB; the classes that grew most:" % (
        run.quiet[0]["phase"], run.quiet[-1]["phase"], total / 1048576.0), "",
        "| class | bytes | instances |", "|---|---|---|"] + [
        "| `%s` | %+d | %+d |" % (k, b, n) for b, n, k in diff[:top] if b > 0]


class Run:
    def __init__(self, journal, logs):
        self.exchanges = jsonl(os.path.join(journal, "exchanges.jsonl"))
        self.faults = jsonl(os.path.join(journal, "faults.jsonl"))
        self.phases = jsonl(os.path.join(journal, "phases.jsonl"))
        self.samples = jsonl(os.path.join(journal, "samples.jsonl"))
        self.quiet = jsonl(os.path.join(journal, "quiet.jsonl"))
        self.histograms = [histogram(os.path.join(journal, "histogram-%s.txt" % q["phase"])) for q in self.quiet]
        self.access = {}
        for path in sorted(glob.glob(os.path.join(logs, "access*.log"))):
            with open(path, errors="replace") as f:
                for line in f:
                    m = ACCESS.match(line)
                    if m:
                        self.access.setdefault(m.group(7), []).append(
                            {"status": int(m.group(4)), "ms": int(m.group(6)), "address": m.group(9), "error": m.group(12),
                             "request": m.group(3), "grpc": m.group(13) or "-"})
        self.log_records = self.read_jul(logs)
        self.gc = self.read_gc(os.path.join(logs, "gc.log"))
        self.start = min([p["t"] for p in self.phases] or [0])
        self.end = max([p["t"] for p in self.phases] or [0])
        self.windows = self.fault_windows()

    @staticmethod
    def read_jul(logs):
        """Records of Tomcat's JUL log (catalina.*.log): time, level, logger, message, the line after it."""
        records = []
        for path in sorted(glob.glob(os.path.join(logs, "catalina.*.log"))):
            with open(path, errors="replace") as f:
                lines = f.read().split("\n")
            for i, line in enumerate(lines):
                m = JUL.match(line)
                if m:
                    t = time.mktime(datetime.strptime(m.group(1), "%d-%b-%Y %H:%M:%S.%f").timetuple())
                    nxt = lines[i + 1] if i + 1 < len(lines) and not JUL.match(lines[i + 1]) else ""
                    records.append({"t": t * 1000, "level": m.group(2), "logger": m.group(4), "message": m.group(5),
                                    "next": nxt.strip()})
        return records

    @staticmethod
    def read_gc(path):
        out = []
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                for line in f:
                    m = GC.match(line)
                    if m:
                        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()  # -Xlog's "time" decorator
                        out.append({"t": t * 1000, "kind": m.group(2).strip(), "after_mib": mib(m.group(5), m.group(6))})
        return out

    def fault_windows(self):
        """Per address, the time spans in which an exchange with it could fail because of a fault."""
        windows = []
        kills = {}
        for f in self.faults:
            if f["event"] == "kill":
                kills[f["address"]] = f["t"]
            elif f["event"] == "kill-dns" and f["address"] in kills:
                windows.append({"address": f["address"], "cause": "killed replica (SIGKILL)",
                                "from": kills.pop(f["address"]) - 1000,
                                "to": f["t"] + (DNS_REFRESH_S + KILL_MARGIN_S) * 1000})
        hangs = {f["address"]: f["t"] for f in self.faults if f["event"] == "hang"}
        for address, t in hangs.items():
            ends = [w["to"] for w in windows if w["address"] == address and w["from"] >= t - 1000]
            windows.append({"address": address, "cause": "hanging replica", "from": t,
                            "to": max(ends) if ends else self.end})
        return windows

    def attribute(self, x):
        """The injected fault a failed exchange could have hit, or None."""
        if x["host"] == "broken":
            return "malformed answers"
        lines = self.access.get(x["id"], [])
        for line in lines:
            for w in self.windows:
                if line["address"] == w["address"] and x["t0"] <= w["to"] and x["t1"] >= w["from"]:
                    return w["cause"]
        return None

    def judged(self):
        """Failed exchanges by cause, the unattributed ones listed."""
        causes, avoidable = Counter(), []
        for x in self.exchanges:
            if x["outcome"] != "failed":
                continue
            cause = self.attribute(x)
            if cause:
                causes[cause] += 1
            else:
                causes["not attributed"] += 1
                avoidable.append(x)
        return causes, avoidable

    def in_fault_window(self, x):
        return any(x["t0"] <= w["to"] + 2000 and x["t1"] >= w["from"] for w in self.windows)


def severe_lines(run):
    """SEVERE records, each attributed to an exchange that failed or vanished (its id in the text, or the
    exchange's abort within 2 s of it), or to nothing."""
    ended = [x for x in run.exchanges if x["outcome"] in ("failed", "vanished")]
    attributed, not_attributed = Counter(), []
    for r in run.log_records:
        if r["level"] != "SEVERE":
            continue
        text = r["message"] + " " + r["next"]
        key = re.sub(r"\d+", "N", (r["next"] or r["message"]))[:150]
        near = [x for x in ended if abs(x["t1"] - r["t"]) <= 2000 or x["t0"] - 2000 <= r["t"] <= x["t1"] + 2000]
        if near and ("ResponseAbortedException" in text or "ClientAbortException" in text or "IOException" in text):
            attributed[key] += 1
        else:
            not_attributed.append(r)
    return attributed, not_attributed


def criteria(run, ci, minutes):
    ended = any(p["event"] == "end" and p["phase"] == "end" for p in run.phases)
    rows = [("the rehearsal ran to its end", ended and bool(run.exchanges),
             "%d exchanges; %s" % (len(run.exchanges), "every phase ran" if ended else "it stopped early: see the driver's log"))]
    checked = [x for x in run.exchanges if x["outcome"] in ("ok", "failed", "mixup")]
    mixups = [x for x in run.exchanges if x["outcome"] == "mixup"]
    rows.append(("no mix-up", len(mixups) == 0,
                 "%d mix-ups in %d exchanges checked byte for byte (%d vanished on purpose)" % (
                     len(mixups), len(checked), sum(1 for x in run.exchanges if x["outcome"] == "vanished"))))
    causes, avoidable = run.judged()
    rows.append(("no avoidable failure", not avoidable,
                 "%d failed: %s" % (sum(causes.values()), ", ".join("%s %d" % kv for kv in causes.most_common()) or "none")))
    if ci:
        return rows + [grpc_row(run)], mixups, avoidable
    q = run.quiet
    if q:
        base = q[0]
        ref_t = run.start + min(600, minutes * 60 * 2 / 3.0) * 1000
        busy = [(x["t"], x["heap_after_full_gc"] / 1048576) for x in run.samples if x.get("heap_after_full_gc", -1) > 0]
        if busy:
            ref = next((p for p in busy if p[0] >= ref_t), busy[-1])
            growth = (busy[-1][1] - ref[1]) / ref[1]
            rows.append(("heap after a full GC under traffic grows <= 10 %% (minute %.1f to the end)" % ((ref[0] - run.start) / 60000.0),
                         growth <= 0.10, "%.1f MiB -> %.1f MiB (%+.1f %%); every minute of the busy phases: %s MiB" % (
                             ref[1], busy[-1][1], 100 * growth, ", ".join("%.0f" % p[1] for p in busy))))
        growth = (max(x["heap_after_gc"] for x in q[1:] or q) - base["heap_after_gc"]) / base["heap_after_gc"]
        rows.append(("heap after a full GC, quiet, within 10 % of the baseline (every quiet phase)", growth <= 0.10,
                     "baseline %.1f MiB; after each quiet phase: %s MiB" % (
                         base["heap_after_gc"] / 1048576, ", ".join("%.1f" % (x["heap_after_gc"] / 1048576) for x in q[1:]))))
        grown = [s for s in q[1:] if s["threads"] > base["threads"] + 10]
        rows.append(("threads back within 10 of the baseline", not grown,
                     "baseline %d; after each quiet phase: %s%s" % (base["threads"], ", ".join(str(s["threads"]) for s in q[1:]),
                                                                 "; grown: " + thread_growth(base, grown[-1]) if grown else "")))
        rows.append(("open fds back within 20 of the baseline", all(s["fds"] <= base["fds"] + 20 for s in q[1:]),
                     "baseline %d; after each quiet phase: %s" % (base["fds"], ", ".join(str(s["fds"]) for s in q[1:]))))
        idle = all(s["idle_ms"] >= 0 for s in q) and all(s.get(k, 0) == 0 for s in q for k in ("in_flight", "tunnels", "pool_leased", "pool_pending"))
        rows.append(("in-flight exchanges, tunnels, leased backend connections back to 0", idle,
                     "reached 0 after %s ms" % ", ".join(str(s["idle_ms"]) for s in q)))
        departed = [s["to_departed_replicas"] for s in q]
        rows.append(("no pooled connection left to a departed replica", all(d == 0 for d in departed),
                     "connections to departed replicas after each quiet phase: %s; idle pooled (to live ones): %s" % (
                         ", ".join(map(str, departed)), ", ".join(str(int(s.get("pool_available", -1))) for s in q))))
    attributed, not_attributed = severe_lines(run)
    rows.append(("no SEVERE line but for injected faults", not not_attributed,
                 "%d attributed (%s), %d not" % (sum(attributed.values()), "; ".join("%d x %s" % (n, k) for k, n in attributed.most_common(3)) or "-",
                                                len(not_attributed))))
    rows.append(grpc_row(run))
    gets = [x for x in run.exchanges if x["kind"] in ("get", "h2get") and x["outcome"] == "ok"]
    calm = [x["t1"] - x["t0"] for x in gets if not run.in_fault_window(x)]
    allg = [x["t1"] - x["t0"] for x in gets]
    rows.append(("p99 of GETs outside fault windows (reported)", None,
                 "p50 %s ms, p99 %s ms, max %s ms over %d GETs (all GETs: p99 %s ms, max %s ms, %d)" % (
                     pct(calm, 50), pct(calm, 99), max(calm) if calm else None, len(calm), pct(allg, 99),
                     max(allg) if allg else None, len(allg))))
    return rows, mixups, avoidable


GRPC_KINDS = ("grpcunary", "grpcstream", "grpcbidi")
GRPC_CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
              "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
              "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def busy_seconds(run):
    """How long traffic ran: the warm-up and the busy phases."""
    total = 0
    for p in run.phases:
        if p["event"] == "start" and not p["phase"].startswith("quiet") and p["phase"] != "end":
            end = next((q["t"] for q in run.phases if q["phase"] == p["phase"] and q["event"] == "end"), p["t"])
            total += (end - p["t"]) / 1000.0
    return total


def grpc_row(run):
    """The gRPC calls: how many, how fast, and the failed ones by gRPC status and by the fault they met (reported)."""
    calls = [x for x in run.exchanges if x["kind"] in GRPC_KINDS]
    kinds = Counter(x["kind"] for x in calls)
    failed = [x for x in calls if x["outcome"] == "failed"]
    statuses = Counter(GRPC_CODES[x["status"]] if 0 <= x["status"] < len(GRPC_CODES) else str(x["status"]) for x in failed)
    causes = Counter(run.attribute(x) or "not attributed" for x in failed)
    busy = busy_seconds(run)
    # calls under way on a replica when its drain's SIGTERM came (the server's GOAWAY with the call's stream open)
    terms = [(f["address"], f["t"]) for f in run.faults if f["event"] == "drain-term" and f.get("service") == "grpc"]
    at_term = Counter(x["outcome"] for x in calls for a, t in terms
                      if x["t0"] <= t <= x["t1"] and any(l["address"] == a for l in run.access.get(x["id"], [])))
    return ("gRPC calls (reported; judged above with the rest)", None,
            "%d calls (%d unary, %d server-streaming, %d ping-pong), %.1f/s while traffic ran; %d ok, %d mix-ups, "
            "%d failed%s; %d drains of a gRPC replica, %d calls under way at its SIGTERM (%s)" % (
                len(calls), kinds["grpcunary"], kinds["grpcstream"], kinds["grpcbidi"], len(calls) / busy if busy else 0,
                sum(1 for x in calls if x["outcome"] == "ok"), sum(1 for x in calls if x["outcome"] == "mixup"), len(failed),
                ": by status %s; by cause %s" % (", ".join("%s %d" % kv for kv in statuses.most_common()),
                                                 ", ".join("%s %d" % kv for kv in causes.most_common())) if failed else "",
                len(terms), sum(at_term.values()), ", ".join("%s %d" % kv for kv in at_term.most_common()) or "-"))


def full_gc_points(run):
    """(time, MiB) of the heap right after each forced full GC: every minute of a busy phase, and each quiet phase."""
    points = [(x["t"], x["heap_after_full_gc"] / 1048576) for x in run.samples if x.get("heap_after_full_gc", -1) > 0]
    points += [(x["t"], x["heap_after_gc"] / 1048576) for x in run.quiet if x["heap_after_gc"] > 0]
    return sorted(points)


def thread_growth(base, later):
    """Which kinds of thread there are more of than at the baseline."""
    parse = lambda s: dict((k.strip(), int(v)) for k, v in (kv.split("=") for kv in s.strip("{}").split(", ") if "=" in kv))
    b, l = parse(base.get("thread_kinds", "{}")), parse(later.get("thread_kinds", "{}"))
    return ", ".join("%s %+d" % (k, l.get(k, 0) - b.get(k, 0)) for k in sorted(set(b) | set(l)) if l.get(k, 0) != b.get(k, 0))


def table(rows):
    out = ["| criterion | result | measured |", "|---|---|---|"]
    for name, ok, what in rows:
        out.append("| %s | %s | %s |" % (name, "—" if ok is None else ("PASS" if ok else "**FAIL**"), what))
    return out


def plots(run, prefix):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t0 = run.start
    rel = lambda t: (t - t0) / 60000.0
    files = []

    def shade(ax):
        for p in run.phases:
            if p["phase"].startswith("quiet") and p["event"] == "start":
                end = next((q["t"] for q in run.phases if q["phase"] == p["phase"] and q["event"] == "end"), p["t"])
                ax.axvspan(rel(p["t"]), rel(end), color="#d0e4f5", lw=0)
        for f in run.faults:
            if f["event"] == "kill":
                ax.axvline(rel(f["t"]), color="red", lw=0.8, alpha=0.7)
            elif f["event"] == "hang":
                ax.axvline(rel(f["t"]), color="orange", lw=0.8, alpha=0.7)
            elif f["event"] == "drain-dns":
                ax.axvline(rel(f["t"]), color="grey", lw=0.4, alpha=0.5, ls=":")
        ax.set_xlabel("minutes (blue: quiet phases; red: SIGKILL; orange: hang; dotted: drains)")
        ax.grid(alpha=0.3)

    def save(fig, name):
        path = "%s-%s.png" % (prefix, name)
        fig.tight_layout()
        fig.savefig(path, dpi=80)
        plt.close(fig)
        files.append(path)

    span = int((run.end - t0) / 10000) + 1
    groups = {"HTTP/1.1 GET/POST": ("get", "post", "slowread", "slowwrite", "bigget", "bigpost"),
              "HTTP/2 GET/POST": ("h2get", "h2post"), "slow & broken services": ("slow", "broken"),
              "streams ended (SSE, WS)": ("sse", "ws"), "gRPC calls (unary, streaming, ping-pong)": GRPC_KINDS}
    fig, axes = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    xs = [i / 6.0 for i in range(span)]
    for label, kinds in groups.items():
        counts = [0] * span
        for x in run.exchanges:
            if x["kind"] in kinds:
                counts[min(span - 1, int((x["t1"] - t0) / 10000))] += 1
        axes[0].plot(xs, [c / 10.0 for c in counts], label=label)
    axes[0].set_ylabel("exchanges ended / s")
    axes[0].legend(fontsize=8)
    shade(axes[0])
    causes = defaultdict(lambda: [0] * span)
    for x in run.exchanges:
        if x["outcome"] in ("failed", "mixup"):
            c = "MIX-UP" if x["outcome"] == "mixup" else (run.attribute(x) or "NOT ATTRIBUTED")
            c = "gRPC: " + c if x["kind"] in GRPC_KINDS else c
            causes[c][min(span - 1, int((x["t1"] - t0) / 10000))] += 1
    bottom = [0] * span
    for c, counts in sorted(causes.items()):
        axes[1].bar(xs, counts, width=1 / 6.0, bottom=bottom, label=c, align="edge")
        bottom = [a + b for a, b in zip(bottom, counts)]
    axes[1].set_ylabel("failures per 10 s")
    if causes:
        axes[1].legend(fontsize=8)
    shade(axes[1])
    save(fig, "traffic")

    fig, ax = plt.subplots(figsize=(11, 3.8))
    buckets = defaultdict(list)
    for x in run.exchanges:
        if x["kind"] in ("get", "h2get") and x["outcome"] == "ok":
            buckets[int((x["t1"] - t0) / 10000)].append(x["t1"] - x["t0"])
    ks = range(span)  # a bucket without GETs (a quiet phase) leaves a gap
    ax.plot([k / 6.0 for k in ks], [pct(buckets[k], 99) if buckets[k] else float("nan") for k in ks], label="p99")
    ax.plot([k / 6.0 for k in ks], [pct(buckets[k], 50) if buckets[k] else float("nan") for k in ks], label="p50")
    ax.set_yscale("log")
    ax.set_ylabel("GET latency per 10 s, ms")
    ax.legend(fontsize=8)
    shade(ax)
    save(fig, "latency")

    fig, axes = plt.subplots(3, 1, figsize=(11, 8), sharex=True)
    st = [rel(s["t"]) for s in run.samples]
    axes[0].plot(st, [s.get("heap_used", 0) / 1048576 for s in run.samples], lw=0.6, label="heap in use (every 5 s)")
    young = [g for g in run.gc if "Full" not in g["kind"]]
    axes[0].plot([rel(g["t"]) for g in young], [g["after_mib"] for g in young], ".", ms=2, label="after each young GC")
    fulls = full_gc_points(run)
    axes[0].plot([rel(p[0]) for p in fulls], [p[1] for p in fulls], "o", color="black", ms=4,
                 label="after a forced full GC (every minute of a busy phase, and in quiet phases)")
    axes[0].set_ylabel("heap MiB (-Xmx256m)")
    axes[0].legend(fontsize=8)
    axes[1].plot(st, [s.get("threads", 0) for s in run.samples], label="threads")
    axes[1].plot(st, [s.get("fds", 0) for s in run.samples], label="open file descriptors")
    axes[1].set_ylabel("proxy process")
    axes[1].legend(fontsize=8)
    cpu = [(rel(b["t"]), (b["cpu_ticks"] - a["cpu_ticks"]) / ((b["t"] - a["t"]) / 1000.0))
           for a, b in zip(run.samples, run.samples[1:]) if b["t"] > a["t"] and a.get("cpu_ticks", -1) >= 0]
    axes[2].plot([c[0] for c in cpu], [c[1] for c in cpu], label="proxy CPU, % of one core")
    host = [(rel(b["t"]), 100.0 * (b["host_busy_ticks"] - a["host_busy_ticks"]) / (b["host_total_ticks"] - a["host_total_ticks"]) * os.cpu_count())
            for a, b in zip(run.samples, run.samples[1:]) if b.get("host_total_ticks", -1) > a.get("host_total_ticks", -1) >= 0]
    axes[2].plot([h[0] for h in host], [h[1] for h in host], label="the whole machine (all %d cores), %% of one core" % os.cpu_count())
    axes[2].set_ylabel("CPU %")
    rss = axes[2].twinx()
    rss.plot(st, [s.get("rss_kb", 0) / 1024 for s in run.samples], color="green", label="proxy RSS MiB")
    rss.set_ylabel("RSS MiB")
    axes[2].legend(loc="upper left", fontsize=8)
    rss.legend(loc="upper right", fontsize=8)
    for ax in axes:
        shade(ax)
    save(fig, "resources")

    fig, axes = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
    for ax, series in ((axes[0], (("sse_open", "SSE streams open (clients)"), ("ws_open", "WebSockets open (clients)"),
                                  ("tunnels", "tunnels open (proxy)"), ("in_flight", "exchanges in flight (proxy)"))),
                       (axes[1], (("pool_leased", "backend connections leased"), ("pool_available", "backend connections idle in the pool"),
                                  ("replicas", "app replicas")))):
        for key, label in series:
            ax.plot(st, [s.get(key, 0) for s in run.samples], label=label, lw=0.9)
        ax.legend(fontsize=8)
        shade(ax)
    save(fig, "streams")
    return files


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--journal", required=True)
    a.add_argument("--tomcat-logs", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--ci", action="store_true")
    a.add_argument("--command", default="")
    a.add_argument("--commit", default="")
    a.add_argument("--minutes", type=float, default=15)
    args = a.parse_args()
    run = Run(args.journal, args.tomcat_logs)
    rows, mixups, avoidable = criteria(run, args.ci, args.minutes)
    kinds = Counter((x["kind"], x["outcome"]) for x in run.exchanges)
    events = Counter(f["event"] for f in run.faults if f["event"] != "says")
    out = ["# Production rehearsal, %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(run.start / 1000)), "",
           "Command: `%s`; hostproxy commit %s; %.1f minutes (%s)." % (
               args.command, args.commit, (run.end - run.start) / 60000.0,
               ", ".join("%s %ds" % (p["phase"], (next((q["t"] for q in run.phases if q["phase"] == p["phase"] and q["event"] == "end"), p["t"]) - p["t"]) / 1000)
                         for p in run.phases if p["event"] == "start")),
           "", *table(rows), "",
           "Exchanges by kind (ok / failed / mix-up / vanished): " + "; ".join(
               "%s %d/%d/%d/%d" % (k, kinds[(k, "ok")], kinds[(k, "failed")], kinds[(k, "mixup")], kinds[(k, "vanished")])
               for k in sorted({k for k, _ in kinds})) + ".",
           "", "Faults injected: " + ", ".join("%s %d" % kv for kv in sorted(events.items())) + "."]
    if mixups:
        out += ["", "Mix-ups (first 20):"] + ["- %s %s %s: %s" % (x["kind"], x["id"], x["host"], x["detail"]) for x in mixups[:20]]
    if avoidable:
        out += ["", "Failures not attributed to an injected fault (first 30):"]
        for x in avoidable[:30]:
            lines = run.access.get(x["id"], [])
            out.append("- %s %s %s at +%.1f s (%d ms): %s; proxy: %s" % (
                x["kind"], x["id"], x["host"], (x["t0"] - run.start) / 1000.0, x["t1"] - x["t0"], x["detail"],
                "; ".join("%d %s address=%s error=%s grpc=%s" % (l["status"], l["request"], l["address"], l["error"], l["grpc"])
                          for l in lines) or "no access-log line"))
    if not args.ci:
        attributed, not_attributed = severe_lines(run)
        if not_attributed:
            out += ["", "SEVERE lines not attributed (first 10):"] + [
                "- %s %s: %s %s" % (time.strftime("%H:%M:%S", time.localtime(r["t"] / 1000)), r["logger"], r["message"][:200], r["next"][:200])
                for r in not_attributed[:10]]
        out += heap_growth(run)
        warnings = Counter(re.sub(r"#\d+|\[req [^\]]*\]|@[0-9a-f]+\b|\d+", "N", r["message"])[:140] for r in run.log_records if r["level"] == "WARNING")
        if warnings:
            out += ["", "The proxy's WARNING lines, by kind (first 12):"] + ["- %d x %s" % (n, k) for k, n in warnings.most_common(12)]
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        pngs = plots(run, args.out)
        out += ["", "Plots:"] + ["![%s](%s)" % (os.path.basename(p), os.path.basename(p)) for p in pngs]
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".md", "w") as f:
        f.write(text)
    failed = [r for r in rows if r[1] is False]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
