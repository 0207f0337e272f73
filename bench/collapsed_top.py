#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks (one "frame;frame;... count" line per stack) of a
proxy under load: where the CPU of the request-serving threads goes, by thread kind and by layer,
and the hottest frames, inclusive and self.  Usage: collapsed_top.py stacks.collapsed"""
import collections, sys

# thread kind, recognised by frames near the bottom of the stack
KINDS = [("reactor (HttpClient I/O)", ("IOReactorWorker", "SingleCoreIOReactor")),
         ("container worker", ("ThreadPoolExecutor", "TaskThread", "QueuedThreadPool")),
         ("container poller / selector", ("Poller", "ManagedSelector", "SelectorManager"))]
LAYERS = [("kernel", lambda f: f.endswith("_[k]")),
          ("hostproxy", lambda f: f.startswith("hostproxy")),
          ("HttpClient / HttpCore", lambda f: f.startswith("org/apache/hc")),
          ("Tomcat", lambda f: f.startswith(("org/apache/catalina", "org/apache/coyote", "org/apache/tomcat"))),
          ("Jetty", lambda f: f.startswith("org/eclipse/jetty")),
          ("Micrometer", lambda f: f.startswith("io/micrometer")),
          ("JDK", lambda f: f.startswith(("java/", "jdk/", "sun/"))),
          ("JVM / native", lambda f: True)]

def kind(frames):
    bottom = ";".join(frames[:10])
    for name, marks in KINDS:
        if any(m in bottom for m in marks):
            return name
    return None

total, other = 0, 0
by_kind, by_layer, incl, self_c = (collections.Counter() for _ in range(4))
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    if not n.isdigit():
        continue
    n, frames = int(n), stack.split(";")
    k = kind(frames)
    if k is None:  # JIT compiler, GC, start-up: reported as one figure
        other += n
        continue
    total += n
    by_kind[k] += n
    leaf = frames[-1]
    by_layer[next(name for name, test in LAYERS if test(leaf))] += n
    self_c[leaf] += n
    for f in set(frames):
        incl[f] += n

def pct(c):
    return "{:5.1f}%".format(100.0 * c / max(total, 1))

print("samples on request-serving threads: {} (other threads: JIT, GC, VM: {})".format(total, other))
print("\n## by thread kind")
for k, c in by_kind.most_common():
    print(pct(c), k)
print("\n## by layer of the sampled frame (self time)")
for k, c in by_layer.most_common():
    print(pct(c), k)
print("\n## inclusive: hostproxy, HttpCore, Tomcat and Jetty frames, and system calls")
shown = [f for f, c in incl.most_common()
         if f.startswith(("hostproxy", "org/apache/hc", "org/apache/catalina", "org/apache/coyote",
                          "org/eclipse/jetty")) or (f.startswith("__x64_sys_") and f.endswith("_[k]"))]
for f in shown[:60]:
    print(pct(incl[f]), f[:150])
print("\n## self time, top 30")
for f, c in self_c.most_common(30):
    print(pct(c), f[:150])
