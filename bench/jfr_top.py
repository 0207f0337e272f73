#!/usr/bin/env python3
"""Summarises `jfr print --json` output: hottest frames by self and by inclusive samples,
top allocation sites, GC totals.  Usage: jfr_top.py exec.json alloc.json gc.json"""
import collections, json, sys

def events(path):
    try:
        return json.load(open(path))["recording"]["events"]
    except Exception as e:  # noqa
        print("(could not read {}: {})".format(path, e))
        return []

def frame_name(fr):
    m = fr["method"]
    return "{}.{}".format(m["type"]["name"], m["name"])

ex = events(sys.argv[1])
n = len(ex)
print("jdk.ExecutionSample: {} samples".format(n))
self_c, incl_c, thread_c = collections.Counter(), collections.Counter(), collections.Counter()
for e in ex:
    v = e["values"]
    frames = (v.get("stackTrace") or {}).get("frames") or []
    if frames:
        self_c[frame_name(frames[0])] += 1
    seen = set()
    for fr in frames:
        seen.add(frame_name(fr))
    for s in seen:
        incl_c[s] += 1
    t = (v.get("sampledThread") or {}).get("javaName") or "?"
    thread_c[t.rstrip("0123456789-")] += 1

def show(title, c, k=25, pred=lambda s: True):
    print("\n## " + title)
    for name, cnt in [x for x in c.most_common() if pred(x[0])][:k]:
        print("{:6.1f}%  {:6d}  {}".format(100.0 * cnt / max(n, 1), cnt, name))

show("top frames, self time (top of stack)", self_c)
show("top frames, inclusive, application / library code (not java.*, jdk.*, sun.*)", incl_c, 40,
     lambda s: not s.startswith(("java.", "jdk.", "sun.")))
show("threads (by name prefix)", thread_c, 10)

al = events(sys.argv[2])
alloc = collections.Counter()
for e in al:
    v = e["values"]
    frames = (v.get("stackTrace") or {}).get("frames") or []
    site = " <- ".join(frame_name(f) for f in frames[:3]) if frames else "?"
    oc = v.get("objectClass") or {}
    alloc["{} @ {}".format(oc.get("name", "?"), site)] += v.get("weight", 0)
tot = sum(alloc.values()) or 1
print("\n## top allocation sites (jdk.ObjectAllocationSample weight, {:.1f} MB total)".format(tot / 1e6))
for name, w in alloc.most_common(15):
    print("{:6.1f}%  {:10.1f} MB  {}".format(100.0 * w / tot, w / 1e6, name))

gc = events(sys.argv[3])
print("\n## GC: {} collections".format(len(gc)))
names = collections.Counter(e["values"].get("name", "?") for e in gc)
print(", ".join("{} × {}".format(c, k) for k, c in names.items()))
