#!/usr/bin/python3
"""User-space instructions per request, counted by valgrind's callgrind, for redis-benchmark tests
against Magnetar builds and redis-server side by side.

The CPU time bench/compare reads moves by up to +-40% between repetitions on a shared VM; an
instruction count does not, so this is how a change to the request path is compared with the
build before it. It counts only user-space instructions (the kernel's share of a request, its
system calls, is not in it) and says nothing of cache misses, so bench/compare stays the measure
of CPU time. Each server runs under callgrind; for each test the counters are zeroed, the test
runs (`redis-benchmark -n N -P P -c 50 -r 1000000 -t TEST`), and the count is dumped and divided
by N. The tests run in the order given on one server, as in bench/compare.

Usage: bench/instructions_per_request.py [--tests lpush,lpop,...] [--requests N] [--pipeline P]
                                         [--servers magnetar,redis] [--magnetar PATH ...]

--magnetar may be given several times to compare builds. Needs valgrind (apt install valgrind).
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import bench_common as bc

STARTUP_TIMEOUT_S = 120  # a server under callgrind starts 50 times slower


def callgrind_total(path):
    """The instruction count of one callgrind dump."""
    with open(path) as dump:
        for line in dump:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"{path} has no total")


def measure(label, binary, tests, requests, pipeline):
    """{test: instructions per request} for one server."""
    with tempfile.TemporaryDirectory(prefix="callgrind_") as directory:
        out = os.path.join(directory, "callgrind.out")
        launcher = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        with bc.Server("callgrind", binary, directives=["--dir", directory], launcher=launcher,
                       startup_timeout=STARTUP_TIMEOUT_S) as server:
            counts = {}
            for test in tests:
                control = ["callgrind_control"]
                subprocess.run(control + ["-z", str(server.pid)], check=True, capture_output=True)
                bc.redis_benchmark(server.port, test, requests, pipeline, 50, 1_000_000,
                                   timeout=1800)
                before = set(glob.glob(out + ".*"))
                subprocess.run(control + ["-d", test, str(server.pid)], check=True,
                               capture_output=True)
                dumps = set(glob.glob(out + ".*")) - before
                counts[test] = callgrind_total(dumps.pop()) / requests
                print(f"{label:30} {test:12} {counts[test]:8.0f} instructions per request",
                      file=sys.stderr, flush=True)
            return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", default="lpush,lpop,rpush,rpop,sadd,hset,spop,get,set")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar", action="append")
    args = parser.parse_args()
    for program in ("valgrind", "callgrind_control", "redis-benchmark"):
        if not shutil.which(program):
            sys.exit(f"{program} not found (apt install valgrind redis-tools)")
    tests = args.tests.split(",")
    servers = []
    for name in args.servers.split(","):
        if name == "magnetar":
            for path in args.magnetar or [None]:
                binary = bc.find_magnetar(path)
                servers.append((binary, binary))
        else:
            servers.append((name, bc.server_binary(name)))
    table = {label: measure(label, binary, tests, args.requests, args.pipeline)
             for label, binary in servers}
    print(f"Instructions per request (callgrind, user space), {args.requests:,} requests per "
          f"test, -P {args.pipeline} -c 50 -r 1000000:\n")
    print("| test | " + " | ".join(label for label, _ in servers) + " |")
    print("| --- |" + " ---: |" * len(servers))
    for test in tests:
        print(f"| {test} | " + " | ".join(f"{table[label][test]:,.0f}" for label, _ in servers)
              + " |")


if __name__ == "__main__":
    main()
