#!/usr/bin/python3
"""Replication benchmark (the replication issue's targets), Magnetar and redis-server side by side,
each replicating to a fresh replica of its own kind:

- full sync: N keys with 100-byte values (3,000,000 by default) reach a fresh replica; the time
  from REPLICAOF to the replica's link up with every key, with repl-diskless-sync-delay at its
  default (5 s) and at 0;
- the primary during the delay-0 sync: RSS growth over the RSS before it (sampled every 10 ms)
  and a PING probe every 1 ms on its own connection (p50, p99, p99.9, max);
- reconnection: a writer at 10,000 SETs per second while the replica drops its link and stays
  away for up to `--away` seconds (SIGSTOP), `--drops` times; each reconnection should be a
  partial resync (INFO's sync_partial_ok), and the datasets end equal (DEBUG DIGEST).

Usage: bench/replication_bench.py [--keys N] [--servers magnetar,redis] [--magnetar PATH]
                                  [--drops D] [--away S] [--backlog SIZE]

The servers, the probe and the writer share the machine's cores unpinned, the same for both.
"""

import argparse
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

import bench_common as bc
from snapshot_bench import probe, summary_between


def wait_synced(replica, keys, timeout=600):
    """Waits until the replica's link is up and it holds `keys` keys."""
    deadline = time.time() + timeout
    with bc.Client(replica.port) as client:
        while time.time() < deadline:
            if client.info("replication").get("master_link_status") == "up" and \
                    int(client.call("DBSIZE")) >= keys:
                return True
            time.sleep(0.005)
    return False


def full_sync(name, binary, keys, delay, measure_primary):
    directory = tempfile.mkdtemp(prefix=f"repl_{name}_")
    common = ["--repl-diskless-sync-delay", str(delay), "--enable-debug-command", "yes"]
    result = {}
    with bc.Server(name, binary, directives=common) as primary:
        replies, errors = bc.pipe(primary.port, bc.set_commands("key:", keys, value=b"v" * 100))
        assert errors == 0 and replies == keys, (replies, errors)
        with bc.Server(f"{name}-replica", binary,
                       directives=common + ["--dir", directory]) as replica:
            stop_path = os.path.join(directory, "stop")
            probe_path = os.path.join(directory, "probe.txt")
            prober = None
            if measure_primary:
                prober = multiprocessing.Process(target=probe,
                                                 args=(primary.port, stop_path, probe_path))
                prober.start()
                time.sleep(1.0)
            rss_before = primary.rss_bytes()
            peak = [rss_before]
            done = threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], primary.rss_bytes())
                    time.sleep(0.01)

            sampler = threading.Thread(target=sample)
            sampler.start()
            start = time.time()
            with bc.Client(replica.port) as client:
                assert client.call("REPLICAOF", "127.0.0.1", str(primary.port)) == "OK"
            assert wait_synced(replica, keys), "the replica did not sync"
            end = time.time()
            done.set()
            sampler.join()
            result["seconds"] = end - start
            result["rss_before"] = rss_before
            result["rss_growth"] = peak[0] - rss_before
            if prober:
                open(stop_path, "w").close()
                prober.join()
                result["probe"] = summary_between(probe_path, start, end)
            with bc.Client(primary.port) as p, bc.Client(replica.port) as r:
                result["digest_equal"] = p.call("DEBUG", "DIGEST") == r.call("DEBUG", "DIGEST")
    shutil.rmtree(directory, ignore_errors=True)
    return result


def paced_writer(port, stop, rate):
    """SETs `rate` times a second, in batches every 10 ms, until `stop` is set."""
    batch = max(1, rate // 100)
    n = 0
    with bc.Client(port) as client:
        next_at = time.time()
        while not stop.is_set():
            commands = [bc.encode(["SET", f"w:{(n + i) % 100000}", f"value-{n + i}"])
                        for i in range(batch)]
            client.sock.sendall(b"".join(commands))
            for _ in range(batch):
                client.read()
            n += batch
            next_at += 0.01
            time.sleep(max(0.0, next_at - time.time()))
    return n


def reconnection(name, binary, drops, away, backlog):
    directory = tempfile.mkdtemp(prefix=f"repl_{name}_")
    common = ["--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes",
              "--repl-backlog-size", backlog, "--dir", directory]
    result = {}
    with bc.Server(name, binary, directives=common) as primary, \
            bc.Server(f"{name}-replica", binary, directives=common) as replica:
        with bc.Client(replica.port) as client:
            assert client.call("REPLICAOF", "127.0.0.1", str(primary.port)) == "OK"
        assert wait_synced(replica, 0)
        stop = threading.Event()
        writer = threading.Thread(target=paced_writer, args=(primary.port, stop, 10000))
        writer.start()
        time.sleep(1.0)
        for drop in range(drops):
            with bc.Client(replica.port) as client:
                client.call("CLIENT", "KILL", "TYPE", "master")
            os.kill(replica.pid, signal.SIGSTOP)
            time.sleep(away)
            os.kill(replica.pid, signal.SIGCONT)
            time.sleep(2.0)
        stop.set()
        writer.join()
        time.sleep(1.0)
        with bc.Client(primary.port) as p, bc.Client(replica.port) as r:
            stats = p.info("stats")
            result["full"] = int(stats["sync_full"])
            result["partial"] = int(stats["sync_partial_ok"])
            result["partial_err"] = int(stats["sync_partial_err"])
            result["digest_equal"] = p.call("DEBUG", "DIGEST") == r.call("DEBUG", "DIGEST")
    shutil.rmtree(directory, ignore_errors=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=3_000_000)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar")
    parser.add_argument("--drops", type=int, default=5)
    parser.add_argument("--away", type=float, default=5.0)
    parser.add_argument("--backlog", default="1mb")
    args = parser.parse_args()
    print(bc.machine())
    for name in args.servers.split(","):
        binary = bc.server_binary(name, args.magnetar)
        default = full_sync(name, binary, args.keys, 5, False)
        fast = full_sync(name, binary, args.keys, 0, True)
        again = reconnection(name, binary, args.drops, args.away, args.backlog)
        p = fast["probe"]
        print(f"{name}: full sync of {args.keys:,} keys: {default['seconds']:.2f} s with the "
              f"default 5 s delay, {fast['seconds']:.2f} s with delay 0 "
              f"(digests equal: {default['digest_equal'] and fast['digest_equal']})")
        print(f"  primary during the delay-0 sync: RSS {fast['rss_before'] / 1e6:.0f} MB before, "
              f"+{fast['rss_growth'] / 1e6:.1f} MB "
              f"({100 * fast['rss_growth'] / fast['rss_before']:.1f}%); PING every 1 ms "
              f"({p['probes']} probes): p50 {p['p50']:.0f} us, p99 {p['p99']:.0f} us, "
              f"p99.9 {p['p999']:.0f} us, max {p['max'] / 1000:.2f} ms")
        print(f"  {args.drops} link drops of {args.away:.1f} s at 10,000 writes/s "
              f"(repl-backlog-size {args.backlog}): {again['partial']} partial resyncs, "
              f"{again['full'] - 1} full, {again['partial_err']} refused; digests equal: "
              f"{again['digest_equal']}")


if __name__ == "__main__":
    sys.exit(main())
