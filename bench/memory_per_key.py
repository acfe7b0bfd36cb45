#!/usr/bin/python3
"""Memory per key: 1,000,000 keys with 16-byte names (key:%012d) and 3-byte values, loaded through
`redis-cli --pipe` into Magnetar and into redis-server, without and with a TTL (a deadline a day
ahead). Prints the growth of INFO's used_memory and of the process RSS per key, side by side.

With --dataset NAME it measures one of the collection datasets of DATASETS instead (bytes per
element, the issue's limits beside them), for example `--dataset sets-small --dataset set-big` or
`--dataset hashes-small --dataset hash-big` or `--dataset lists-small --dataset list-big`.

Usage: bench/memory_per_key.py [--keys N] [--magnetar PATH] [--dataset NAME]...
Each server is fresh for each case, on a random loopback port, and stopped by PID.
"""

import argparse
import time

import bench_common as bc

RSS_WAIT_S = 12


def settle(server, client, rss_wait_s=0):
    """Waits until used_memory stops moving (a table resize or a lazy free may still be running),
    then `rss_wait_s` more: pages freed by a resize stay resident until jemalloc's decay (10 s by
    default) returns them."""
    last = None
    for _ in range(50):
        used = int(client.info("memory")["used_memory"])
        if used == last:
            break
        last = used
        time.sleep(0.2)
    rss_now = server.rss_bytes()
    time.sleep(rss_wait_s)
    return last, rss_now, server.rss_bytes()


def measure(name, binary, keys, with_ttl):
    with bc.Server(name, binary, cpu=0) as server:
        with bc.Client(server.port) as client:
            mode = None
            if with_ttl:
                mode, error = bc.ttl_support(server.port)
                if mode is None:
                    return {"error": error}
            used0, rss0, _ = settle(server, client)
            deadline = int(time.time() * 1000) + bc.DAY_MS if with_ttl else None
            began = time.time()
            replies, errors = bc.load_keys(server.port, "key:", keys, deadline, mode or "set-pxat",
                                           cpu=1)
            load_s = time.time() - began
            used1, rss1, rss_later = settle(server, client, RSS_WAIT_S)
            dbsize = client.call("DBSIZE")
            return {
                "used": (used1 - used0) / keys,
                "rss": (rss1 - rss0) / keys,
                "rss_later": (rss_later - rss0) / keys,
                "dbsize": dbsize,
                "errors": errors,
                "load_s": load_s,
                "mode": mode or "SET",
            }


def collection_commands(command, keys, elements_per_key, key, element, batch=100):
    """Yields chunks of `command` (SADD, HSET, RPUSH) calls: `keys` keys named key(i), each given the
    elements element(i, j) for j < elements_per_key (a list of arguments: a member, or a field and
    its value), at most `batch` elements per call."""
    chunk = []
    for i in range(keys):
        name = key(i)
        for first in range(0, elements_per_key, batch):
            args = [command, name]
            for j in range(first, min(first + batch, elements_per_key)):
                args.extend(element(i, j))
            chunk.append(bc.encode(args))
        if len(chunk) >= 1000:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


# Collection datasets: (description, elements, chunks of commands, limit as a multiple of Redis's
# bytes per element).
DATASETS = {
    "sets-small": ("100,000 sets of 10 integers (intset)", 1_000_000,
                   lambda: collection_commands(b"SADD", 100_000, 10, lambda i: b"set:%012d" % i,
                                               lambda i, j: [b"%d" % (j + 1)]), 1.0),
    "set-big": ("1 set of 1,000,000 16-byte members (hashtable)", 1_000_000,
                lambda: collection_commands(b"SADD", 1, 1_000_000, lambda i: b"bigset",
                                            lambda i, j: [b"mem:%012d" % j]), 0.7),
    "hashes-small": ("100,000 hashes of 10 small fields (fN = v:NNNNNN: listpack)",
                     1_000_000,
                     lambda: collection_commands(b"HSET", 100_000, 10, lambda i: b"hash:%012d" % i,
                                                 lambda i, j: [b"f%d" % j, b"v:%06d" % i]),
                     1.0),
    "hash-big": ("1 hash of 1,000,000 16-byte fields with 16-byte values (hashtable)", 1_000_000,
                 lambda: collection_commands(b"HSET", 1, 1_000_000, lambda i: b"bighash",
                                             lambda i, j: [b"fld:%012d" % j, b"val:%012d" % j]),
                 0.7),
    "lists-small": ("100,000 lists of 10 small elements (RPUSH v:NNNNNN: quicklist)", 1_000_000,
                    lambda: collection_commands(b"RPUSH", 100_000, 10,
                                                lambda i: b"list:%012d" % i,
                                                lambda i, j: [b"v:%06d" % i]), 1.0),
    # Pushed at the head, the harder case for Magnetar: its head node keeps room for the pushes
    # (docs/engine.md, Resizing compact encodings) and must give it back as each node fills.
    "list-big": ("1 list of 1,000,000 16-byte elements (LPUSH elm:NNNNNNNNNNNN: quicklist)",
                 1_000_000,
                 lambda: collection_commands(b"LPUSH", 1, 1_000_000, lambda i: b"biglist",
                                             lambda i, j: [b"elm:%012d" % j]), 1.0),
}


def measure_dataset(name, binary, dataset):
    _, elements, commands, _ = DATASETS[dataset]
    with bc.Server(name, binary, cpu=0) as server:
        with bc.Client(server.port) as client:
            used0, rss0, _ = settle(server, client)
            began = time.time()
            replies, errors = bc.pipe(server.port, commands(), cpu=1)
            load_s = time.time() - began
            used1, rss1, _ = settle(server, client)
            return {"used": (used1 - used0) / elements, "rss": (rss1 - rss0) / elements,
                    "errors": errors, "load_s": load_s}


def report_datasets(servers, datasets):
    print("| dataset | server | used_memory B/element | RSS B/element | Magnetar / Redis "
          "(used_memory) | limit | errors | load s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for dataset in datasets:
        description, _, _, limit = DATASETS[dataset]
        results = {name: measure_dataset(name, binary, dataset) for name, binary in servers}
        ratio = results["magnetar"]["used"] / results["redis"]["used"]
        for name, _ in servers:
            r = results[name]
            share = f"{ratio:.2f}" if name == "magnetar" else ""
            bound = f"<= {limit:.1f} x Redis" if name == "magnetar" else ""
            print(f"| {description} | {name} | {r['used']:.1f} | {r['rss']:.1f} | {share} | "
                  f"{bound} | {r['errors']} | {r['load_s']:.1f} |")


def cell(result, field):
    if "error" in result:
        return "n/a"
    return f"{result[field]:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--magnetar", default=None)
    parser.add_argument("--dataset", action="append", choices=sorted(DATASETS), default=[])
    args = parser.parse_args()
    servers = [("magnetar", bc.find_magnetar(args.magnetar)), ("redis", "redis-server")]
    print(bc.machine())
    if args.dataset:
        report_datasets(servers, args.dataset)
        return
    print(f"{args.keys} keys, names key:%012d (16 B), values 'abc'; server on CPU 0, loader on CPU 1")
    results = {}
    for with_ttl in (False, True):
        for name, binary in servers:
            results[(name, with_ttl)] = measure(name, binary, args.keys, with_ttl)
    print()
    print(f"| server | TTL | used_memory B/key | RSS B/key | RSS B/key after {RSS_WAIT_S} s | "
          "DBSIZE | errors | load s | how |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for with_ttl in (False, True):
        for name, _ in servers:
            r = results[(name, with_ttl)]
            ttl = "PXAT +1 day" if with_ttl else "none"
            if "error" in r:
                print(f"| {name} | {ttl} | n/a | n/a | n/a | | | | {r['error']} |")
                continue
            print(f"| {name} | {ttl} | {cell(r, 'used')} | {cell(r, 'rss')} | "
                  f"{cell(r, 'rss_later')} | {r['dbsize']} | {r['errors']} | {r['load_s']:.1f} | "
                  f"{r['mode']} |")
    print()
    print("Targets (keyspace issue): Magnetar <= 64 B/key without TTL, <= 80 B/key with TTL.")


if __name__ == "__main__":
    main()
