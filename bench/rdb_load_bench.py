#!/usr/bin/python3
"""Startup load rate (the RDB issue's "loading at startup" target): one RDB file of N keys
`key:%012d` with B-byte values, written once by redis-server's SAVE, then loaded at startup by
each server in turn, several times, from a copy in a fresh directory. Reports the seconds of each
server's "DB loaded from disk" log line and keys/s (best and median of the runs), and the
process's CPU seconds from its start to its answer to DBSIZE (it is stopped then).

Usage: bench/rdb_load_bench.py [--keys N] [--value-bytes B] [--runs R]
                               [--servers magnetar,redis] [--magnetar PATH]

Magnetar and Redis alternate run by run, so a change in the machine's load touches both.
"""

import argparse
import os
import re
import shutil
import statistics
import tempfile

import bench_common as bc


def write_dataset(directory, keys, value_bytes):
    """Redis writes the file, so both servers load the reference's bytes."""
    with bc.Server("redis-writer", bc.server_binary("redis"),
                   directives=["--dir", directory]) as server:
        replies, errors = bc.pipe(server.port,
                                  bc.set_commands("key:", keys, value=b"v" * value_bytes))
        if errors:
            raise SystemExit(f"loading the dataset: {errors} errors")
        with bc.Client(server.port) as client:
            client.call("SAVE")
    return os.path.join(directory, "dump.rdb")


def load_once(name, binary, rdb_path):
    """Starts `binary` on a copy of the file; returns (load seconds, keys, CPU seconds)."""
    with tempfile.TemporaryDirectory(prefix="rdb-load-") as directory:
        shutil.copy(rdb_path, os.path.join(directory, "dump.rdb"))
        server = bc.Server(name, binary, directives=["--dir", directory])
        try:
            with bc.Client(server.port) as client:
                keys = client.call("DBSIZE")
            cpu = server.cpu_seconds()
        finally:
            server.stop()
        with open(server.log.name) as log:
            seconds = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", log.read())
        if not seconds:
            raise SystemExit(f"{name}: no 'DB loaded from disk' line in {server.log.name}")
        return float(seconds[-1]), keys, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=3_000_000)
    parser.add_argument("--value-bytes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar")
    args = parser.parse_args()

    print(bc.machine())
    names = args.servers.split(",")
    with tempfile.TemporaryDirectory(prefix="rdb-dataset-") as directory:
        rdb_path = write_dataset(directory, args.keys, args.value_bytes)
        print(f"{args.keys:,} keys with {args.value_bytes}-byte values: "
              f"{os.path.getsize(rdb_path) / 1e6:.1f} MB file written by redis-server")
        runs = {name: [] for name in names}
        for _ in range(args.runs):
            for name in names:
                runs[name].append(load_once(name, bc.server_binary(name, args.magnetar), rdb_path))
    for name in names:
        seconds = sorted(run[0] for run in runs[name])
        keys = runs[name][0][1]
        if any(run[1] != keys for run in runs[name]) or keys != args.keys:
            raise SystemExit(f"{name} loaded {[run[1] for run in runs[name]]} keys")
        cpu = statistics.median(run[2] for run in runs[name])
        print(f"{name}: load s {', '.join(f'{s:.3f}' for s in seconds)}; best "
              f"{keys / seconds[0]:,.0f} keys/s, median {keys / statistics.median(seconds):,.0f} "
              f"keys/s; process CPU s (median) {cpu:.2f}")


if __name__ == "__main__":
    main()
