#!/usr/bin/python3
"""Snapshot benchmark (the RDB issue's targets): a dataset of N keys with 100-byte values (3,000,000
by default, about 600 MB in Redis), a client overwriting random keys at full speed
(redis-benchmark SET -P 16 over the same key names), and a BGSAVE. For Magnetar and redis-server
side by side it reports:

- the save's duration and rate (keys/s, MB/s of the dataset as Redis's used_memory counts it);
- memory growth during the save: for Magnetar the peak RSS over the RSS before it (sampled every
  10 ms) and what the save held for keys written ahead of its walk; for Redis its own
  rdb_last_cow_size (the child's copy-on-write) and the parent's RSS growth;
- a PING probe sent every 1 ms on its own connection during the save, and over the 1.8 s before
  it (the writer alone, for reference): p50, p99, p99.9 and the longest round trip (Redis's fork
  stall shows up here);
- loading the file at startup: keys/s from the server's "DB loaded from disk" log line.

Usage: bench/snapshot_bench.py [--keys N] [--servers magnetar,redis] [--magnetar PATH]
                               [--value-bytes B]

--value-bytes 8 measures small strings (the load target is for those); the default is 100.
The servers, the writer and the probe share the machine's cores unpinned, the same for both.
"""

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import bench_common as bc

PROBE_INTERVAL_S = 0.001


def probe(port, stop_path, out_path):
    """PINGs every millisecond; writes "send_time rtt_us" lines."""
    client = bc.Client(port)
    lines = []
    while not os.path.exists(stop_path):
        start = time.perf_counter()
        client.call("PING")
        end = time.perf_counter()
        lines.append(f"{time.time() - (end - start):.6f} {(end - start) * 1e6:.1f}")
        rest = PROBE_INTERVAL_S - (time.perf_counter() - start)
        if rest > 0:
            time.sleep(rest)
    with open(out_path, "w") as out:
        out.write("\n".join(lines))


def percentile(values, fraction):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(fraction * len(values)))]


def summary(rtts):
    rtts = sorted(rtts)
    return {"probes": len(rtts), "p50": percentile(rtts, 0.5), "p99": percentile(rtts, 0.99),
            "p999": percentile(rtts, 0.999), "max": rtts[-1] if rtts else 0.0}


def summary_between(probe_path, start, end):
    """summary() of the probes in `probe_path` (probe()'s file) sent between `start` and `end`."""
    rtts = []
    with open(probe_path) as samples:
        for line in samples:
            sent, rtt = map(float, line.split())
            if start <= sent <= end:
                rtts.append(rtt)
    return summary(rtts)


def loaded_seconds(log_path):
    with open(log_path) as log:
        match = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", log.read())
    return float(match[-1]) if match else None


def run(name, binary, keys, value):
    directory = tempfile.mkdtemp(prefix=f"snapshot_{name}_")
    directives = ["--dir", directory, "--dbfilename", "dump.rdb"]
    result = {}
    with bc.Server(name, binary, directives=directives) as server:
        replies, errors = bc.pipe(server.port, bc.set_commands("key:", keys, value=value))
        assert errors == 0 and replies == keys, (replies, errors)
        with bc.Client(server.port) as client:
            result["used_memory"] = int(client.info("memory")["used_memory"])
            rss_before = server.rss_bytes()
            writer = subprocess.Popen(
                ["redis-benchmark", "-p", str(server.port), "-t", "set", "-r", str(keys), "-d",
                 str(len(value)), "-n", "2000000000", "-P", "16", "-c", "4", "-q"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)  # the writer at full speed
            stop_path = os.path.join(directory, "stop")
            probe_path = os.path.join(directory, "probe.txt")
            prober = multiprocessing.Process(target=probe, args=(server.port, stop_path, probe_path))
            prober.start()
            time.sleep(2.0)  # the probe's baseline: the writer alone
            rss_peak = server.rss_bytes()
            rss_writing = rss_peak
            start = time.time()
            assert client.call("BGSAVE") == "Background saving started"
            while client.info("persistence")["rdb_bgsave_in_progress"] != "0":
                rss_peak = max(rss_peak, server.rss_bytes())
                time.sleep(0.01)
            end = time.time()
            persistence = client.info("persistence")
            time.sleep(0.3)
            open(stop_path, "w").close()
            prober.join()
            writer.terminate()
            writer.wait()
            result["status"] = persistence["rdb_last_bgsave_status"]
            result["seconds"] = end - start
            result["cow"] = int(persistence["rdb_last_cow_size"])
            result["rss_growth"] = rss_peak - rss_writing
            result["rss_before"] = rss_before
            result["file_bytes"] = os.path.getsize(os.path.join(directory, "dump.rdb"))
            during, before = [], []
            with open(probe_path) as samples:
                for line in samples:
                    sent, rtt = map(float, line.split())
                    if start <= sent <= end:
                        during.append(rtt)
                    elif start - 1.8 <= sent < start:
                        before.append(rtt)
            result["during"] = summary(during)
            result["before"] = summary(before)
    # Startup: the same directory, so the server loads the file the BGSAVE wrote.
    with bc.Server(name, binary, directives=directives) as server:
        with bc.Client(server.port) as client:
            result["loaded_keys"] = client.call("DBSIZE")
        result["load_seconds"] = loaded_seconds(server.log.name)
    shutil.rmtree(directory, ignore_errors=True)
    return result


def report(name, r, dataset_bytes, keys):
    mb = dataset_bytes / 1e6
    print(f"{name}: BGSAVE {r['status']} in {r['seconds']:.2f} s = {keys / r['seconds']:,.0f} keys/s,"
          f" {mb / r['seconds']:.0f} MB/s of a {mb:.0f} MB dataset; file {r['file_bytes'] / 1e6:.0f} MB")
    print(f"  memory: RSS {r['rss_before'] / 1e6:.0f} MB before the writer; during the save RSS "
          f"+{r['rss_growth'] / 1e6:.1f} MB ({100 * r['rss_growth'] / dataset_bytes:.1f}% of the "
          f"dataset), rdb_last_cow_size {r['cow'] / 1e6:.1f} MB "
          f"({100 * r['cow'] / dataset_bytes:.1f}%)")
    for window in ("before", "during"):
        p = r[window]
        print(f"  PING every 1 ms {window} the save ({p['probes']} probes): p50 {p['p50']:.0f} us, "
              f"p99 {p['p99']:.0f} us, p99.9 {p['p999']:.0f} us, max {p['max'] / 1000:.2f} ms")
    if r["load_seconds"]:
        print(f"  startup load: {r['loaded_keys']:,} keys in {r['load_seconds']:.3f} s = "
              f"{r['loaded_keys'] / r['load_seconds']:,.0f} keys/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=3_000_000)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar")
    parser.add_argument("--value-bytes", type=int, default=100)
    args = parser.parse_args()
    print(bc.machine())
    results = {}
    for name in args.servers.split(","):
        binary = bc.server_binary(name, args.magnetar)
        results[name] = run(name, binary, args.keys, b"v" * args.value_bytes)
    dataset = results.get("redis", results.get("magnetar"))["used_memory"]
    for name, r in results.items():
        report(name, r, dataset, args.keys)


if __name__ == "__main__":
    sys.exit(main())
