#!/usr/bin/python3
"""Halving maxmemory in one CONFIG SET (the eviction issue's stall target), Magnetar and
redis-server side by side.

Each server gets --keys keys with 100-byte values under allkeys-lru and a maxmemory above what they
take. A PING probe runs every 1 ms on its own connection (snapshot_bench's), then one CONFIG SET
sets maxmemory to half the memory in use, and the script waits until used_memory is back within
0.1% of it. Reported: the CONFIG SET's round trip, how long the server took to get under the new limit
and how many keys it evicted, the probe's round trips over that time, and the server's own view:
with latency-monitor-threshold 1, LATENCY LATEST lists every eviction-cycle and command event
of 1 ms or more (a slice of eviction, or the CONFIG SET itself, that held the loop that long).

    bench/eviction_stall.py [--keys 1000000] [--servers magnetar,redis] [--magnetar PATH]
"""

import argparse
import multiprocessing
import os
import shutil
import tempfile
import time

import bench_common as bc
from snapshot_bench import probe, summary_between


def run(name, binary, keys):
    directory = tempfile.mkdtemp(prefix=f"stall_{name}_")
    directives = ["--maxmemory-policy", "allkeys-lru", "--latency-monitor-threshold", "1"]
    result = {}
    with bc.Server(name, binary, directives=directives) as server, \
            bc.Client(server.port) as client:
        client.call("CONFIG", "SET", "maxmemory", str(4 << 30))
        replies, errors = bc.pipe(server.port, bc.set_commands("key:", keys, value=b"v" * 100))
        assert errors == 0 and replies == keys, (replies, errors)
        used = int(client.info("memory")["used_memory"])
        client.call("LATENCY", "RESET")
        stop_path = os.path.join(directory, "stop")
        probe_path = os.path.join(directory, "probe.txt")
        prober = multiprocessing.Process(target=probe, args=(server.port, stop_path, probe_path))
        prober.start()
        time.sleep(1.0)  # the probe's baseline
        limit = used // 2
        start = time.time()
        assert client.call("CONFIG", "SET", "maxmemory", str(limit)) == "OK"
        result["config_set_ms"] = (time.time() - start) * 1000
        # Within 0.1% of it: Redis can hover a few tens of KB above its limit for good.
        while int(client.info("memory")["used_memory"]) > limit + limit // 1000:
            time.sleep(0.001)
        end = time.time()
        time.sleep(0.2)
        open(stop_path, "w").close()
        prober.join()
        result["seconds"] = end - start
        result["evicted"] = int(client.info("stats")["evicted_keys"])
        result["used_before"] = used
        latest = client.call("LATENCY", "LATEST")
        result["events"] = {event[0]: int(event[3]) for event in latest}
        result["probe"] = summary_between(probe_path, start, end)
    shutil.rmtree(directory, ignore_errors=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar")
    args = parser.parse_args()
    print(bc.machine())
    for name in args.servers.split(","):
        r = run(name, bc.server_binary(name, args.magnetar), args.keys)
        p = r["probe"]
        events = ", ".join(f"{k} max {v} ms" for k, v in r["events"].items()) or "none"
        print(f"{name}: {args.keys:,} keys, used_memory {r['used_before'] / 1e6:.0f} MB, maxmemory "
              f"halved: under the limit after {r['seconds'] * 1000:.0f} ms, {r['evicted']:,} "
              f"evicted; CONFIG SET round trip {r['config_set_ms']:.2f} ms")
        print(f"  PING every 1 ms meanwhile ({p['probes']} probes): p50 {p['p50']:.0f} us, p99 "
              f"{p['p99']:.0f} us, p99.9 {p['p999']:.0f} us, max {p['max'] / 1000:.2f} ms")
        print(f"  LATENCY LATEST (events of 1 ms or more): {events}")


if __name__ == "__main__":
    main()
