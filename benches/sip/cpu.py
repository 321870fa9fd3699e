#!/usr/bin/env python3
"""CPU use (100% = one core) of named PIDs, sampled each second until DURATION or until `sipp` exits.
Usage: cpu.py DURATION name=PID ...; prints mean and max per name over busy samples."""
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        fields = s[s.rfind(")") + 2 :].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return None


procs = [(a.split("=")[0], int(a.split("=")[1])) for a in sys.argv[2:]]
end = time.time() + float(sys.argv[1])
prev = {n: ticks(p) for n, p in procs}
samples = {n: [] for n, _ in procs}
t0 = time.time()
while time.time() < end:
    time.sleep(1)
    if any(n == "sipp" and ticks(p) is None for n, p in procs):
        break
    now = time.time()
    for n, p in procs:
        c = ticks(p)
        if c is not None and prev[n] is not None:
            samples[n].append((c - prev[n]) / HZ / (now - t0) * 100)
        prev[n] = c
    t0 = now
out = []
for n, v in samples.items():
    v = [x for x in v if x > 1] or v
    if v:
        out.append(f"{n} cpu mean={sum(v) / len(v):.0f}% max={max(v):.0f}%")
print(" | ".join(out))
