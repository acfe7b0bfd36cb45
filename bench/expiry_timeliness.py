#!/usr/bin/python3
"""Expiry timeliness: 1,000,000 keys whose deadlines are a day away, plus 1,000 keys sharing one
deadline a few seconds ahead. From just before that deadline, DBSIZE is polled (it does not touch
the keys, so nothing is expired lazily); the script reports how long after the deadline 99% and
100% of the 1,000 were gone, and the server's CPU time (utime+stime) over that window.

Usage: bench/expiry_timeliness.py [--far N] [--due N] [--cap S] [--magnetar PATH]
Both servers run fresh on random loopback ports, pinned to CPU 0, and are stopped by PID.
"""

import argparse
import time

import bench_common as bc

LEAD_MS = 2_500  # the shared deadline, counted from the end of loading
WATCH_BEFORE_S = 0.2  # polling starts this long before the deadline
FINE_POLL_S = 0.001  # poll interval for the first second after the deadline
COARSE_POLL_S = 0.010  # and after it, to keep the poller's own cost down


def run(name, binary, far, due, cap_s):
    with bc.Server(name, binary, cpu=0) as server:
        loaded = bc.load_shared_deadline(server.port, far, due, LEAD_MS)
        if "error" in loaded:
            return loaded
        mode, deadline = loaded["mode"], loaded["deadline_ms"] / 1000
        total = far + due
        with bc.Client(server.port) as client:
            time.sleep(max(0.0, deadline - WATCH_BEFORE_S - time.time()))
            cpu_start, wall_start = server.cpu_seconds(), time.time()
            early = total - client.call("DBSIZE")  # gone before the deadline: should be 0
            t99 = t100 = cpu_first = None
            while True:
                now = time.time()
                if cpu_first is None and now - deadline >= 1:
                    cpu_first = server.cpu_seconds() - cpu_start
                gone = total - client.call("DBSIZE")
                if gone >= due * 0.99 and t99 is None:
                    t99 = now - deadline
                if gone >= due:
                    t100 = now - deadline
                    break
                if now - deadline > cap_s:
                    break
                time.sleep(FINE_POLL_S if now - deadline < 1 else COARSE_POLL_S)
            wall = time.time() - wall_start
            cpu = server.cpu_seconds() - cpu_start
            if cpu_first is None:  # done within the first second: idle from then on
                time.sleep(max(0.0, deadline + 1 - time.time()))
                cpu_first = server.cpu_seconds() - cpu_start
            return {"cpu_first": cpu_first, "t99": t99, "t100": t100, "gone": gone, "early": early, "cpu": cpu,
                    "wall": wall, "mode": mode}


def ms(seconds, cap_s):
    return f"{seconds * 1000:.1f} ms" if seconds is not None else f"not done after {cap_s} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--far", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--cap", type=int, default=60, help="seconds to wait after the deadline")
    parser.add_argument("--magnetar", default=None)
    args = parser.parse_args()
    print(bc.machine())
    print(f"{args.far} keys expiring in a day + {args.due} keys sharing one deadline; DBSIZE polled "
          f"every {FINE_POLL_S * 1000:g} ms (every {COARSE_POLL_S * 1000:g} ms after the first "
          f"second) from {WATCH_BEFORE_S * 1000:g} ms before it")
    print()
    first = WATCH_BEFORE_S + 1
    print(f"| server | 99% gone after | 100% gone after | gone | server CPU, first {first:g} s | "
          "server CPU until 100% or cap | that window | CPU % |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, binary in (("magnetar", bc.find_magnetar(args.magnetar)), ("redis", "redis-server")):
        r = run(name, binary, args.far, args.due, args.cap)
        if "error" in r:
            print(f"| {name} | n/a | n/a | | | | | {r['error']} |")
            continue
        early = f" ({r['early']} before the deadline)" if r["early"] else ""
        print(f"| {name} | {ms(r['t99'], args.cap)} | {ms(r['t100'], args.cap)} | "
              f"{r['gone']}/{args.due}{early} | {r['cpu_first'] * 1000:.0f} ms | "
              f"{r['cpu'] * 1000:.0f} ms | {r['wall']:.2f} s | "
              f"{100 * r['cpu'] / r['wall']:.1f}% |", flush=True)


if __name__ == "__main__":
    main()
