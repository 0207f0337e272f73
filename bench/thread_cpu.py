import os, sys, time, collections, re
pid = sys.argv[1]; dur = float(sys.argv[2])
def snap():
    d = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            st = open(f"/proc/{pid}/task/{t}/stat").read().rsplit(')', 1)[1].split()
            s = open(f"/proc/{pid}/task/{t}/status").read()
            vol = int(re.search(r"voluntary_ctxt_switches:\s+(\d+)", s).group(1))
            nvol = int(re.search(r"nonvoluntary_ctxt_switches:\s+(\d+)", s).group(1))
            d[t] = (name, int(st[11]), int(st[12]), vol, nvol)
        except Exception:
            pass
    return d
def io():
    d = dict(l.split(": ") for l in open(f"/proc/{pid}/io").read().splitlines())
    return int(d["syscr"]), int(d["syscw"]), int(d["rchar"]), int(d["wchar"])
i0 = io(); a = snap(); time.sleep(dur); b = snap(); i1 = io()
print("io: read syscalls %d, write syscalls %d, rchar %d, wchar %d" % tuple(y - x for x, y in zip(i0, i1)))
agg = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
for t, v in b.items():
    u0, s0, v0, n0 = a.get(t, (v[0], 0, 0, 0, 0))[1:]
    key = re.sub(r"\d+$", "N", v[0])
    g = agg[key]; g[0] += v[1] - u0; g[1] += v[2] - s0; g[2] += v[3] - v0; g[3] += v[4] - n0; g[4] += 1
tot = [sum(x[i] for x in agg.values()) for i in range(4)]
print("total utime %.2fs stime %.2fs vol_cs %d invol_cs %d" % (tot[0]/100, tot[1]/100, tot[2], tot[3]))
for k, g in sorted(agg.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:8]:
    print("%-32s threads=%3d user=%.2fs sys=%.2fs vol_cs=%d invol_cs=%d" % (k, g[4], g[0]/100, g[1]/100, g[2], g[3]))
