#!/usr/bin/python3
"""Keyspace notification timeliness: with expiry_timeliness.py's dataset (1,000,000 keys whose
deadlines are a day away, plus 1,000 keys sharing one deadline a few seconds ahead), a subscriber
to `__keyevent@0__:expired` (after CONFIG SET notify-keyspace-events Ex) records when each of the
1,000 `expired` events arrives. Reports the share arriving within 100 ms of the deadline, the
lateness percentiles, and how many arrived before the cap (60 s after the deadline by default).

Usage: bench/expired_events.py [--far N] [--due N] [--cap S] [--servers magnetar,redis]
                               [--magnetar PATH] [--write-docs]
--write-docs also puts the report between the expired-events markers of docs/benchmarks.md.
Both servers run fresh on random loopback ports, pinned to CPU 0, and are stopped by PID; the
loader and the subscriber run on CPU 1. An event's arrival is when the subscriber's read returned
it; events that came in one read share that read's time.
"""

import argparse
import os
import shlex
import socket
import sys
import time

import bench_common as bc

LEAD_MS = 2_500  # the shared deadline, counted from the end of loading
WITHIN_S = 0.100  # the target: 99% of the events within 100 ms of the deadline
CHANNEL = "__keyevent@0__:expired"
DOCS = os.path.join(bc.REPO, "docs", "benchmarks.md")
BEGIN, END = "<!-- expired-events:begin -->", "<!-- expired-events:end -->"


def subscribe(port):
    """A client subscribed to the expired events, or the error that prevented it."""
    client = bc.Client(port)
    reply = client.call("CONFIG", "SET", "notify-keyspace-events", "Ex")
    if reply != "OK":
        client.close()
        return None, f"CONFIG SET notify-keyspace-events Ex: {reply}"
    reply = client.call("SUBSCRIBE", CHANNEL)
    if reply != ["subscribe", CHANNEL, 1]:
        client.close()
        return None, f"SUBSCRIBE {CHANNEL}: {reply}"
    return client, None


def run(name, binary, far, due, cap_s):
    with bc.Server(name, binary, cpu=0) as server:
        client, error = subscribe(server.port)
        if error:
            return {"error": error}
        with client:
            loaded = bc.load_shared_deadline(server.port, far, due, LEAD_MS)
            if "error" in loaded:
                return loaded
            deadline = loaded["deadline_ms"] / 1000
            cpu_start = server.cpu_seconds()
            arrivals, others, last_read = {}, 0, 0.0
            while len(arrivals) < due:
                left = deadline + cap_s - time.time()
                if left <= 0:
                    break
                buffered = bool(client.buf)  # the next event may have come in the last read
                client.sock.settimeout(left)
                try:
                    event = client.read()
                except socket.timeout:
                    break
                if not buffered:
                    last_read = time.time()
                if (isinstance(event, list) and len(event) == 3
                        and event[:2] == ["message", CHANNEL] and event[2].startswith("exp:")):
                    arrivals.setdefault(event[2], last_read)
                else:
                    others += 1
            cpu = server.cpu_seconds() - cpu_start
        late = sorted(t - deadline for t in arrivals.values())
        return {"late": late, "others": others, "cpu": cpu, "mode": loaded["mode"]}


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--far", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--cap", type=int, default=60, help="seconds to wait after the deadline")
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar", default=None)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    binaries = {"magnetar": lambda: bc.find_magnetar(args.magnetar),
                "redis": lambda: "redis-server"}
    os.sched_setaffinity(0, {1})  # the subscriber on CPU 1, beside the loader
    lines = []

    def out(line=""):
        lines.append(line)
        print(line, flush=True)

    out(f"Run of {bc.machine()}: `bench/expired_events.py {shlex.join(sys.argv[1:])}`.")
    for name in args.servers.split(","):
        if name == "magnetar":
            out(f"Magnetar: `{binaries[name]()}`.")
    out(f"{args.far:,} keys expiring in a day + {args.due:,} keys sharing one deadline "
        f"{LEAD_MS} ms after loading; one subscriber to {CHANNEL}; cap {args.cap} s.")
    out()
    out(f"| server | events by the cap | within {WITHIN_S * 1000:g} ms of the deadline | "
        "p50 | p99 | last | before the deadline | other messages | server CPU from the end of "
        "loading to the last event or the cap |")
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.servers.split(","):
        r = run(name, binaries[name](), args.far, args.due, args.cap)
        if "error" in r:
            out(f"| {name} | failed: {r['error']} | | | | | | | |")
            continue
        late = r["late"]
        within = sum(1 for t in late if 0 <= t <= WITHIN_S)
        pick = lambda q: ms(late[min(len(late) - 1, int(q * len(late)))]) if late else "-"
        out(f"| {name} | {len(late)}/{args.due} | {within}/{args.due} "
            f"({100 * within / args.due:.1f}%) | {pick(0.5)} | {pick(0.99)} | "
            f"{ms(late[-1]) if late else '-'} | {sum(1 for t in late if t < 0)} | "
            f"{r['others']} | {r['cpu'] * 1000:.0f} ms |")
    if args.write_docs:
        bc.write_between_markers(DOCS, BEGIN, END, "\n".join(lines),
                                 f"## Expired events\n\n{BEGIN}\n{END}\n")


if __name__ == "__main__":
    main()
