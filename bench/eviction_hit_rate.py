#!/usr/bin/env python3
"""Hit rate of each maxmemory-policy under a cache-aside client, Magnetar beside Redis.

The client reads keys drawn from a Zipf(0.99) distribution over --keys keys: GET, and on a miss
SET the key with a 100-byte value and a TTL (EX 3600, so the volatile policies apply too). The
maxmemory is set one of two ways (--budget, both by default, each in its own table):

- same: both servers get one maxmemory, the one a Redis user would set for half the working set:
  Redis's memory at startup plus half of what the whole working set takes in Redis. This is the
  issue's comparison as a user meets it: one machine, one maxmemory, which server hits more. A
  server that stores a key in fewer bytes holds more keys in it.
- own: each server's maxmemory is its own memory at startup plus half of what the whole working
  set takes in it, so each caches about half the keys whatever its bytes per key. This isolates
  the policy from the bytes per key.

The working set's size is measured by loading every key once into a fresh server. Requests go in pipelined batches (GETs, then the SETs of that batch's misses). After a
warm-up that is not counted, the hit rate is measured over --requests requests, the same
sequence (fixed seed) for every server and policy. Every (server, policy) pair gets a fresh server.

The warm-up is long (20 requests per key) so that the measurement sees the steady state: a key's
first request is a miss for any cache, and with a short warm-up those misses dominate. With 5
requests per key (100,000 warm-up, 150,000 measured over 50,000 keys) even an unbounded cache hits
only 91.9% of the measured requests, so the policies had little left to tell apart. The table
shows that ceiling: the hit rate of a cache that never evicts.

    bench/eviction_hit_rate.py [--keys 50000] [--warmup 1000000] [--requests 300000]
                               [--budget same,own] [--write-docs]
"""

import argparse
import bisect
import itertools
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

POLICIES = ["allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "allkeys-random",
            "volatile-random", "volatile-ttl"]
VALUE = b"v" * 100
BATCH = 200


class Zipf:
    """Ranks 1..n with P(r) proportional to 1 / r^s, by binary search in the cumulative weights."""

    def __init__(self, n, s, rng):
        self.cdf = list(itertools.accumulate(1.0 / r ** s for r in range(1, n + 1)))
        self.total = self.cdf[-1]
        self.rng = rng

    def draw(self):
        return bisect.bisect_left(self.cdf, self.rng.random() * self.total)


def key_names(n, rng):
    """Names by rank, shuffled so that popularity has nothing to do with the name."""
    names = [b"key:%08d" % i for i in range(n)]
    rng.shuffle(names)
    return names


def get_batch(keys):
    return b"".join(bc.encode([b"GET", k]) for k in keys)


def set_batch(keys):
    return b"".join(bc.encode([b"SET", k, VALUE, b"EX", b"3600"]) for k in keys)


def run_requests(client, sequence):
    """Plays `sequence` cache-aside; returns the number of hits."""
    hits = 0
    for start in range(0, len(sequence), BATCH):
        keys = sequence[start:start + BATCH]
        client.sock.sendall(get_batch(keys))
        misses = [k for k in keys if client.read() is None]
        hits += len(keys) - len(misses)
        if misses:
            client.sock.sendall(set_batch(misses))
            for _ in misses:
                client.read()
    return hits


def unbounded_hit_rate(warmup, measured):
    """The hit rate of a cache without a limit: a key hits once it was requested in an earlier
    batch."""
    seen = set(warmup)
    hits = 0
    for start in range(0, len(measured), BATCH):
        keys = measured[start:start + BATCH]
        hits += sum(k in seen for k in keys)
        seen.update(keys)
    return 100.0 * hits / len(measured)


def own_limit(binary, name, keys):
    """Startup used_memory plus half its growth when every key is stored once, in a fresh
    server."""
    with bc.Server(name, binary) as server, bc.Client(server.port) as client:
        startup = int(client.info("memory")["used_memory"])
        run_requests(client, keys)
        return startup + (int(client.info("memory")["used_memory"]) - startup) // 2


def measure(binary, name, policy, limit, warmup, measured):
    with bc.Server(name, binary) as server, bc.Client(server.port) as client:
        client.call("CONFIG", "SET", "maxmemory", str(limit), "maxmemory-policy", policy)
        run_requests(client, warmup)
        started = time.time()
        hits = run_requests(client, measured)
        elapsed = time.time() - started
        memory = client.info("memory")
        stats = client.info("stats")
        return {
            "hit_rate": 100.0 * hits / len(measured),
            "limit": limit,
            "used": int(memory["used_memory"]),
            "evicted": int(stats["evicted_keys"]),
            "keys": int(client.call("DBSIZE")),
            "seconds": elapsed,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300_000)
    parser.add_argument("--warmup", type=int, default=1_000_000)
    parser.add_argument("--redis", default="/usr/bin/redis-server")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", default="same,own", help="same, own or both (see above)")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    magnetar = bc.find_magnetar()
    servers = [("magnetar", magnetar), ("redis", args.redis)]

    rng = random.Random(args.seed)
    names = key_names(args.keys, rng)
    zipf = Zipf(args.keys, 0.99, rng)
    warmup = [names[zipf.draw()] for _ in range(args.warmup)]
    measured = [names[zipf.draw()] for _ in range(args.requests)]

    ceiling = unbounded_hit_rate(warmup, measured)
    own = {name: own_limit(binary, name, names) for name, binary in servers}
    limits = {"same": {name: own["redis"] for name, _ in servers}, "own": own}
    budgets = args.budget.split(",")
    policies = args.policies.split(",")
    results = {}
    for budget, policy in itertools.product(budgets, policies):
        for name, binary in servers:
            result = measure(binary, name, policy, limits[budget][name], warmup, measured)
            results[(budget, policy, name)] = result
            over = 100.0 * (result["used"] - result["limit"]) / result["limit"]
            print(f"{budget:4} {policy:16} {name:9} hit {result['hit_rate']:6.2f}%  keys "
                  f"{result['keys']:7}  used-limit {over:+.2f}%  evicted {result['evicted']}"
                  f"  {result['seconds']:.1f}s", flush=True)

    titles = {
        "same": "Same maxmemory for both servers, {redis:,} B: Redis's startup memory plus 50% "
                "of the working set as Redis stores it",
        "own": "Each server's own maxmemory, its startup memory plus 50% of the working set as it "
               "stores it (Magnetar {magnetar:,} B, Redis {redis:,} B)",
    }
    lines = [
        f"Zipf(0.99) over {args.keys:,} keys, 100-byte values with EX 3600, cache-aside "
        f"(GET, SET on a miss), batches of {BATCH}; {args.warmup:,} warm-up requests, then "
        f"{args.requests:,} measured. A cache that never evicts would hit {ceiling:.2f}% of the "
        f"measured requests.",
    ]
    for budget in budgets:
        lines += [
            "",
            titles[budget].format(**limits[budget]) + ":",
            "",
            "| policy | Magnetar hit rate | Redis 7.0.15 hit rate | difference (points) "
            "| Magnetar keys held | Redis keys held |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for policy in policies:
            m, r = results[(budget, policy, "magnetar")], results[(budget, policy, "redis")]
            lines.append(f"| {policy} | {m['hit_rate']:.2f}% | {r['hit_rate']:.2f}% | "
                         f"{m['hit_rate'] - r['hit_rate']:+.2f} | {m['keys']:,} | {r['keys']:,} |")
    lines += ["", f"Machine: {bc.machine()}."]
    body = "\n".join(lines)
    print(body)
    if args.write_docs:
        bc.write_between_markers(
            os.path.join(bc.REPO, "docs", "benchmarks.md"), "<!-- eviction-hit-rate:begin -->",
            "<!-- eviction-hit-rate:end -->", body,
            "## Eviction hit rate\n\n`bench/eviction_hit_rate.py --write-docs`; see "
            "docs/eviction.md.\n\n<!-- eviction-hit-rate:begin -->\n<!-- eviction-hit-rate:end "
            "-->\n")


if __name__ == "__main__":
    main()
