#!/usr/bin/python3
"""Growth probe: grow a server from 0 to 10,000,000 keys (`redis-cli --pipe`, one pipelined
writer) while a probe process sends DBSIZE (O(1), and it tells the key count) about every
millisecond over its own connection and records each round trip. Reports the probe's baseline
(median) round trip and the longest ones, for Magnetar and redis-server side by side. A long round
trip is a pause of the server's event loop (a table resize, a page-fault storm, a synchronous
free) or, on a loaded machine, the event loop being preempted: the report gives the main thread's
run-queue wait so the two can be told apart.

Usage: bench/growth_probe.py [--keys N] [--servers magnetar,redis] [--magnetar PATH] [--timeout S]
The server is pinned to CPU 0 at nice -20 (its other threads moved to CPU 1), the writer and the
probe to CPU 1; run as root, the probe gets SCHED_FIFO. The RESP stream is generated once into a
temporary file so that no generator competes with the probe for CPU 1.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import bench_common as bc

PROBE_INTERVAL_S = 0.001
# Not SCHED_FIFO: a real-time thread that is busy for 950 ms of a second is throttled for the
# remaining 50 ms (kernel.sched_rt_runtime_us), which shows up as a 50 ms pause every second.
SERVER_NICENESS = -20
# The server's other threads go to the writer's CPU, so that they do not take the event loop's
# CPU while it is busy. GROWTH_HELPERS_CPUS= (empty) leaves them.
HELPERS_CPUS = os.environ.get("GROWTH_HELPERS_CPUS", "1")
# The probe sleeps between requests; real-time priority keeps it from waiting behind the writer on
# CPU 1, so a long round trip is the server's, not the probe's. Falls back to plain pinning.
PROBE_PREFIX = ["taskset", "-c", "1"] + (["chrt", "-f", "10"] if os.geteuid() == 0 else [])


def run_delay_us(schedstat):
    """Microseconds the server's main thread has spent runnable but not running (preempted)."""
    schedstat.seek(0)
    return int(schedstat.read().split()[1]) // 1000


def probe(port, pid, stop_file):
    """Runs in its own process: DBSIZE every ~1 ms until `stop_file` exists; prints
    "<seconds since start> <round trip us> <keys> <us the server was preempted meanwhile>" per
    request."""
    out = []
    with bc.Client(port) as client, open(f"/proc/{pid}/task/{pid}/schedstat") as schedstat:
        request = bc.encode(("DBSIZE",))
        begin = time.perf_counter()
        next_check = begin
        while True:
            now = time.perf_counter()
            if now >= next_check:
                if os.path.exists(stop_file):
                    break
                next_check = now + 0.05
            delay0 = run_delay_us(schedstat)
            t0 = time.perf_counter()
            client.sock.sendall(request)
            keys = client.read()
            t1 = time.perf_counter()
            preempted = run_delay_us(schedstat) - delay0
            if not isinstance(keys, int):
                sys.exit(f"probe: unexpected reply {keys!r}")
            out.append(f"{t0 - begin:.4f} {(t1 - t0) * 1e6:.0f} {keys} {preempted}")
            time.sleep(max(0.0, PROBE_INTERVAL_S - (time.perf_counter() - t0)))
    sys.stdout.write("\n".join(out) + "\n")


def resp_file(keys):
    path = f"/tmp/bench_growth_{keys}.resp"
    if not os.path.exists(path):
        with open(path + ".part", "wb") as out:
            for chunk in bc.set_commands("key:", keys):
                out.write(chunk)
        os.rename(path + ".part", path)
    return path


def run(name, binary, keys, data, timeout):
    with bc.Server(name, binary, cpu=0, niceness=SERVER_NICENESS) as server:
        if HELPERS_CPUS:
            server.move_helper_threads(HELPERS_CPUS)
        stop_file = f"/tmp/bench_probe_stop_{server.port}"
        if os.path.exists(stop_file):
            os.unlink(stop_file)
        prober = subprocess.Popen(PROBE_PREFIX + [sys.executable, __file__, "--probe",
                                                  str(server.port), str(server.pid), stop_file],
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # a second of idle round trips for the baseline
        cpu0, began = server.cpu_seconds(), time.time()
        wait0, switches0 = server.main_thread_waits()
        with open(data, "rb") as stream:
            writer = subprocess.run(["taskset", "-c", "1", "redis-cli", "-p", str(server.port),
                                     "--pipe", "--pipe-timeout", "60"],
                                    stdin=stream, capture_output=True, text=True, timeout=timeout)
        load_s = time.time() - began
        cpu = server.cpu_seconds() - cpu0
        wait1, switches1 = server.main_thread_waits()
        time.sleep(0.5)
        open(stop_file, "w").close()
        output, _ = prober.communicate(timeout=60)
        os.unlink(stop_file)
        with bc.Client(server.port) as client:
            dbsize = client.call("DBSIZE")
            used = int(client.info("memory")["used_memory"])
        samples = [tuple(float(x) for x in line.split()) for line in output.splitlines() if line]
        idle = [s[1] for s in samples if s[0] < 1.0] or [s[1] for s in samples]
        loading = [s for s in samples if s[0] >= 1.0] or samples
        rtts = sorted(s[1] for s in loading)
        worst = sorted(loading, key=lambda s: -s[1])[:5]
        # A round trip minus the time the event loop sat preempted by other tasks during it: what
        # the server itself made the probe wait.
        own = sorted(loading, key=lambda s: s[3] - s[1])
        return {
            "baseline": statistics.median(idle),
            "median": statistics.median(rtts),
            "p999": rtts[min(len(rtts) - 1, int(len(rtts) * 0.999))],
            "max": worst[0][1],
            "worst": ", ".join(f"{rtt / 1000:.1f} ms at {t - 1.0:.2f} s ({keys / 1e6:.2f}M keys, "
                               f"{pre / 1000:.1f} ms preempted)" for t, rtt, keys, pre in worst),
            "own_max": own[0][1] - own[0][3],
            "own_over_1ms": sum(1 for s in loading if s[1] - s[3] > 1000),
            "over_1ms": sum(1 for r in rtts if r > 1000),
            "over_5ms": sum(1 for r in rtts if r > 5000),
            "pings": len(rtts),
            "load_s": load_s,
            "cpu": cpu,
            "preempted": f"{wait1 - wait0:.2f} s runnable-waiting, {switches1 - switches0} "
                         "involuntary switches",
            "dbsize": dbsize,
            "used": used,
            "writer": writer.stdout.strip().splitlines()[-1] if writer.stdout else writer.stderr,
        }


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--probe":
        return probe(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=10_000_000)
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed for the load")
    parser.add_argument("--magnetar", default=None)
    parser.add_argument("--servers", default="magnetar,redis")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # this script's own work stays off the server's CPU
    magnetar = bc.find_magnetar(args.magnetar)
    print(bc.machine())
    began = time.time()
    data = resp_file(args.keys)
    print(f"{args.keys} SET key:%012d abc in {os.path.getsize(data) >> 20} MB of RESP "
          f"({time.time() - began:.1f} s to generate or reuse {data}); server on CPU 0, "
          f"writer and probe on CPU 1, DBSIZE every {PROBE_INTERVAL_S * 1000:g} ms")
    print()
    print("| server | idle RTT (median) | RTT while loading: median | p99.9 | longest | "
          "probes > 1 ms | > 5 ms | longest, preemption excluded | > 1 ms, preemption excluded | "
          "probes | load s | server CPU s | DBSIZE | used_memory |")
    print("| --- " * 15 + "|")
    for name, binary in (("magnetar", magnetar), ("redis", "redis-server")):
        if name not in args.servers.split(","):
            continue
        r = run(name, binary, args.keys, data, args.timeout)
        print(f"| {name} | {r['baseline']:.0f} us | {r['median']:.0f} us | {r['p999']:.0f} us | "
              f"{r['max'] / 1000:.2f} ms | {r['over_1ms']} | {r['over_5ms']} | "
              f"{r['own_max'] / 1000:.2f} ms | {r['own_over_1ms']} | "
              f"{r['pings']} | {r['load_s']:.1f} | {r['cpu']:.1f} | {r['dbsize']} | "
              f"{r['used'] / 2**20:.0f} MB |", flush=True)
        print(f"  {name}: longest 5: {r['worst']}; main thread preempted: "
              f"{r['preempted']}; "
              f"writer: {r['writer']}")


if __name__ == "__main__":
    main()
