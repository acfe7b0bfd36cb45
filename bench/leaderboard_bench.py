#!/usr/bin/python3
"""Sorted-set benchmark (the sorted-set issue's targets), Magnetar and redis-server side by side:

- the leaderboard: 1,000,000 players loaded into one sorted set (used_memory per member), then
  50 pipelined clients (redis-cli --pipe each) send a seeded mix of 60% ZINCRBY, 20% ZREVRANK,
  10% ZREVRANGE 0 9 WITHSCORES and 10% ZSCORE; server CPU per operation from /proc;
- identical replies: a seeded sample of the same operations, sent one by one to both servers
  loaded alike, must get the same replies;
- memory: 100,000 sorted sets of 10 members, and one sorted set of 1,000,000 16-byte members
  with random scores (used_memory per member over an empty server's).

Usage: bench/leaderboard_bench.py [--players N] [--ops N] [--servers magnetar,redis]
                                  [--magnetar PATH]
"""

import argparse
import random
import subprocess
import sys

import bench_common as bc

CLIENTS = 50


def zadd_chunks(key_of, members_of, count, batch=1000, seed=1):
    rng = random.Random(seed)
    for start in range(0, count, batch):
        parts = []
        for i in range(start, min(count, start + batch)):
            parts += [str(rng.randint(0, 1_000_000)), members_of(i)]
        yield bc.encode(["ZADD", key_of(start)] + parts)


def operations(count, players, seed):
    rng = random.Random(seed)
    for _ in range(count):
        roll = rng.random()
        player = f"player:{rng.randrange(players)}"
        if roll < 0.6:
            yield ["ZINCRBY", "lb", str(rng.randint(1, 100)), player]
        elif roll < 0.8:
            yield ["ZREVRANK", "lb", player]
        elif roll < 0.9:
            yield ["ZREVRANGE", "lb", "0", "9", "WITHSCORES"]
        else:
            yield ["ZSCORE", "lb", player]


def used_memory(port):
    with bc.Client(port) as client:
        return int(client.info("memory")["used_memory"])


def leaderboard(name, binary, players, ops):
    result = {}
    with bc.Server(name, binary) as server:
        base = used_memory(server.port)
        replies, errors = bc.pipe(
            server.port, zadd_chunks(lambda _: "lb", lambda i: f"player:{i}", players))
        assert errors == 0, errors
        result["bytes_per_member"] = (used_memory(server.port) - base) / players
        # The seeded sample, one operation at a time, before the load changes the scores.
        with bc.Client(server.port) as client:
            result["sample"] = [client.call(*op) for op in operations(2000, players, seed=7)]
        per_client = ops // CLIENTS
        cpu_before = server.cpu_seconds()
        procs = []
        for c in range(CLIENTS):
            data = b"".join(bc.encode(op) for op in operations(per_client, players, seed=100 + c))
            proc = subprocess.Popen(["redis-cli", "-p", str(server.port), "--pipe"],
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            procs.append((proc, data))
        for proc, data in procs:
            proc.stdin.write(data)
            proc.stdin.close()
        for proc, _ in procs:
            proc.wait(timeout=600)
        result["cpu_us_per_op"] = (server.cpu_seconds() - cpu_before) * 1e6 / (per_client * CLIENTS)
    return result


def memory(name, binary, sets, members, member_bytes, seed):
    with bc.Server(name, binary) as server:
        base = used_memory(server.port)
        pad = "m" * max(0, member_bytes - 8)
        replies, errors = bc.pipe(
            server.port,
            zadd_chunks(lambda start: f"z:{start // members}" if sets > 1 else "big",
                        lambda i: f"{pad}{i:08d}"[-member_bytes:] if member_bytes else str(i),
                        sets * members, batch=members if sets > 1 else 1000, seed=seed))
        assert errors == 0, errors
        return (used_memory(server.port) - base) / (sets * members)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--ops", type=int, default=2_000_000)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar")
    args = parser.parse_args()
    print(bc.machine())
    results = {}
    for name in args.servers.split(","):
        binary = bc.server_binary(name, args.magnetar)
        r = leaderboard(name, binary, args.players, args.ops)
        r["small"] = memory(name, binary, 100_000, 10, 16, seed=3)
        r["big"] = memory(name, binary, 1, 1_000_000, 16, seed=4)
        results[name] = r
        print(f"{name}: leaderboard of {args.players:,} players: {r['bytes_per_member']:.1f} B "
              f"per member; {r['cpu_us_per_op']:.2f} us server CPU per operation over "
              f"{args.ops:,} operations from {CLIENTS} pipelined clients; 100,000 sorted sets "
              f"of 10: {r['small']:.1f} B per member; one of 1,000,000 16-byte members: "
              f"{r['big']:.1f} B per member")
    if len(results) == 2:
        m, r = results["magnetar"], results["redis"]
        print(f"ratios magnetar/redis: CPU per op {m['cpu_us_per_op'] / r['cpu_us_per_op']:.2f}, "
              f"leaderboard memory {m['bytes_per_member'] / r['bytes_per_member']:.2f}, "
              f"small sets {m['small'] / r['small']:.2f}, big set {m['big'] / r['big']:.2f}; "
              f"seeded sample of 2,000 operations identical: {m['sample'] == r['sample']}")


if __name__ == "__main__":
    sys.exit(main())
