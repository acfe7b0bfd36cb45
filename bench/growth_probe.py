#!/usr/bin/python3
"""Growth probe: grow a server from 0 to 10,000,000 keys (`redis-cli --pipe`, one pipelined
writer) while a probe process sends DBSIZE (O(1), and it tells the key count) about every
millisecond over its own connection and records each round trip. Reports the probe's baseline
(median) round trip and the longest ones, for Magnetar and redis-server side by side. A long round
trip is a pause of the server's event loop (a table resize, a page-fault storm, a synchronous
free), or the machine making the server or the probe wait: the event loop preempted on CPU 0 or
slow to be woken from idle, or the probe's wake-up delayed on CPU 1 (this kernel does not preempt
kernel code). So every probe also records when the server replied (the kernel's receive
timestamp) and how long the loop thread sat preempted meanwhile (schedstat). Run as root with
`perf` installed, the script also samples the loop thread on CPU 0 every 50 us of CPU time it
executes and traces its context switches, and reports how long it worked or sat blocked in the
kernel while each probe waited for its reply, less the time it spun on a kernel spinlock held by a
virtual CPU the hypervisor had descheduled: the server's own stall (interrupts-off stretches and
sleeps on locks, which it does not count, aside). docs/benchmarks.md (c)
explains the causes seen on this machine.

Usage: bench/growth_probe.py [--keys N] [--servers magnetar,redis] [--magnetar PATH] [--timeout S]
                             [--no-trace] [--dataset keys|set] [--then unlink|lazy-del]

--dataset set grows one set to N 16-byte members instead (SADD of 100 members per call), for the
lists, hashes and sets issue's "no stall while a set grows to 10M elements". --then deletes that
set once it is loaded, by UNLINK or by DEL with lazyfree-lazy-user-del yes, and reports the probe
over the following second apart from the load: freeing a big value must not stall the loop either.
The server is pinned to CPU 0 at nice -20 (its other threads moved to CPU 1), the writer and the
probe to CPU 1; run as root, the probe gets SCHED_FIFO. The RESP stream is generated once into a
temporary file so that no generator competes with the probe for CPU 1.
"""

import argparse
import bisect
import os
import socket
import statistics
import struct
import shutil
import signal
import subprocess
import sys
import time

import bench_common as bc
import memory_per_key

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


# Linux's SO_TIMESTAMPNS (asm-generic/socket.h), which Python's socket module does not name: the
# kernel then hands every received segment's arrival time to recvmsg as a struct timespec.
SO_TIMESTAMPNS = 35
TIMESPEC = struct.Struct("qq")
# SO_TIMESTAMPING (also the control message's type) with SOF_TIMESTAMPING_TX_SOFTWARE |
# SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY (linux/net_tstamp.h): the kernel queues
# the time each send left the socket on its error queue. On loopback that is the moment the
# request reached the server's socket.
SO_TIMESTAMPING = 37
SEND_TIMESTAMPS = (1 << 1) | (1 << 4) | (1 << 11)


def timespec_ns(value):
    seconds, nanoseconds = TIMESPEC.unpack(value[:TIMESPEC.size])
    return seconds * 10**9 + nanoseconds


def read_send_timestamp(sock):
    """The CLOCK_REALTIME nanoseconds at which the last request left `sock` (blocking mode), or None
    if the kernel has not reported it."""
    try:
        _, ancillary, _, _ = sock.recvmsg(1, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None
    for level, kind, value in ancillary:
        if (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPING):
            return timespec_ns(value)
    return None


def read_integer_reply(sock):
    """Reads one ":<n>\r\n" reply. Returns n and the CLOCK_REALTIME nanoseconds at which its first
    byte reached the socket (None if the kernel did not stamp it): on loopback that is inside the
    server's send call, so it says when the server replied, whenever the probe itself then got the
    CPU to read it."""
    data, sent_ns = b"", None
    while not data.endswith(b"\r\n"):
        chunk, ancillary, _, _ = sock.recvmsg(64, socket.CMSG_SPACE(TIMESPEC.size))
        if not chunk:
            raise ConnectionError("server closed the connection")
        for level, kind, value in ancillary:
            if sent_ns is None and (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS):
                sent_ns = timespec_ns(value)
        data += chunk
    if not data.startswith(b":"):
        sys.exit(f"probe: unexpected reply {data!r}")
    return int(data[1:-2]), sent_ns


def run_delay_us(schedstat):
    """Microseconds a thread has spent runnable but waiting for a CPU, from its schedstat."""
    schedstat.seek(0)
    return int(schedstat.read().split()[1]) // 1000


def probe(port, pid, stop_file):
    """Runs in its own process: DBSIZE every ~1 ms until `stop_file` exists; prints
    "<CLOCK_MONOTONIC seconds at which the request reached the server's socket> <round trip us>
    <keys> <us the server was preempted meanwhile> <us the probe waited for its CPU meanwhile>
    <us from the request's arrival to the server's reply>" per request (time.perf_counter is
    CLOCK_MONOTONIC on Linux, the clock perf stamps with)."""
    out = []
    with bc.Client(port) as client, open(f"/proc/{pid}/task/{pid}/schedstat") as schedstat, \
            open("/proc/thread-self/schedstat") as own_schedstat:
        sock = client.sock
        sock.settimeout(None)  # blocking, so that an empty error queue answers at once
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, SEND_TIMESTAMPS)
        request = bc.encode(("DBSIZE",))
        # The kernel turns timestamps on from a work queue: wait until both ends carry one.
        for _ in range(1000):
            sock.sendall(request)
            replied_ns = read_integer_reply(sock)[1]
            if read_send_timestamp(sock) is not None and replied_ns is not None:
                break
            time.sleep(PROBE_INTERVAL_S)
        else:
            sys.exit("probe: the kernel does not timestamp the probe's segments")
        next_check = time.perf_counter()
        while True:
            now = time.perf_counter()
            if now >= next_check:
                if os.path.exists(stop_file):
                    break
                next_check = now + 0.05
            delay0, own_delay0 = run_delay_us(schedstat), run_delay_us(own_schedstat)
            t0, t0_ns = time.perf_counter(), time.time_ns()
            sock.sendall(request)
            keys, replied_ns = read_integer_reply(sock)
            t1 = time.perf_counter()
            arrived_ns = read_send_timestamp(sock)
            if replied_ns is None or arrived_ns is None:
                sys.exit("probe: a request or its reply came without a timestamp")
            preempted = run_delay_us(schedstat) - delay0
            waited = run_delay_us(own_schedstat) - own_delay0
            out.append(f"{t0 + (arrived_ns - t0_ns) / 1e9:.6f} {(t1 - t0) * 1e6:.0f} {keys} "
                       f"{preempted} {waited} {(replied_ns - arrived_ns) / 1000:.0f}")
            time.sleep(max(0.0, PROBE_INTERVAL_S - (time.perf_counter() - t0)))
    sys.stdout.write("\n".join(out) + "\n")


class LoopTrace:
    """What the server's event loop thread did on CPU 0, recorded by perf (root only): a cpu-clock
    sample every SAMPLE_PERIOD_US while it runs, with the function it was in, and its context
    switches. The sampling timer yields one sample per expiry, so a stretch in which it cannot fire
    (the hypervisor running something else on the virtual CPU, or the kernel running with
    interrupts off) counts as one sample however long it lasts: the samples measure the time the
    loop executed with interrupts on."""

    SAMPLE_PERIOD_US = 50
    # Where a paravirtualised kernel waits for a spinlock whose holder's virtual CPU the hypervisor
    # has descheduled. On loopback the server's send() delivers into the client's socket, whose
    # lock the client's CPU may hold; traced here for up to 1.6 ms at a time.
    LOCK_WAIT_FUNCTIONS = {"__pv_queued_spin_lock_slowpath", "kvm_wait", "pv_native_safe_halt"}

    def __init__(self, pid):
        self.pid = pid
        self.path = f"/tmp/bench_growth_{pid}.perf"
        self.process = subprocess.Popen(
            ["perf", "record", "-q", "-C", "0", "-k", "CLOCK_MONOTONIC", "-o", self.path,
             "-e", "sched:sched_switch",  # every one: tracepoints default to period 1
             "--filter", f"prev_pid == {pid} || next_pid == {pid}",
             "-e", f"cpu-clock/period={self.SAMPLE_PERIOD_US * 1000}/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # perf needs a moment before it records
        # CLOCK_MONOTONIC seconds, the probes' clock (time.perf_counter).
        self.samples = []  # every sample of the loop
        self.lock_waits = []  # the samples in LOCK_WAIT_FUNCTIONS
        self.blocked = []  # (start, end): asleep uninterruptibly, i.e. blocked in the kernel

    @staticmethod
    def available():
        return os.geteuid() == 0 and shutil.which("perf") is not None

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)
        script = subprocess.run(
            ["perf", "script", "-i", self.path, "-F", "tid,time,event,ip,sym,trace"],
            capture_output=True, text=True, check=True).stdout
        os.unlink(self.path)
        blocked_since = None
        for line in script.splitlines():
            head, _, rest = line.partition(": ")
            tid, stamp = head.split()
            event, _, fields = rest.strip().partition(": ")
            if event.startswith("cpu-clock"):
                if int(tid) == self.pid:
                    self.samples.append(float(stamp))
                    if fields.split()[-1:] and fields.split()[-1] in self.LOCK_WAIT_FUNCTIONS:
                        self.lock_waits.append(float(stamp))
                continue
            values = dict(field.split("=", 1) for field in fields.split() if "=" in field)
            if int(values["prev_pid"]) == self.pid and values["prev_state"].startswith("D"):
                blocked_since = float(stamp)
            elif int(values["next_pid"]) == self.pid and blocked_since is not None:
                self.blocked.append((blocked_since, float(stamp)))
                blocked_since = None

    def busy_us(self, begin, end):
        """Microseconds the loop spent within [begin, end] executing or blocked in the kernel, and
        how many of those it spent waiting for a descheduled CPU's spinlock."""

        def sampled(times):
            return (bisect.bisect_left(times, end) - bisect.bisect_left(times, begin)) * \
                self.SAMPLE_PERIOD_US

        blocked = sum(max(0.0, min(stop, end) - max(start, begin)) for start, stop in self.blocked)
        return sampled(self.samples) + blocked * 1e6, sampled(self.lock_waits)


def cpu0_steal_s():
    """Seconds the hypervisor has given CPU 0 (the server's) to someone else, from /proc/stat."""
    with open("/proc/stat") as stat:
        for line in stat:
            if line.startswith("cpu0 "):
                return int(line.split()[8]) / bc.CLOCK_TICKS
    return 0.0


def percentile_999(sorted_values):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * 0.999))]


BIG_SET = b"bigset"


def resp_file(keys, dataset):
    path = f"/tmp/bench_growth_{dataset}_{keys}.resp"
    if dataset == "set":
        chunks = memory_per_key.collection_commands(b"SADD", 1, keys, lambda i: BIG_SET,
                                                    lambda i, j: [b"mem:%012d" % j])
    else:
        chunks = bc.set_commands("key:", keys)
    if not os.path.exists(path):
        with open(path + ".part", "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.rename(path + ".part", path)
    return path


def delete_big_set(port, how):
    """Deletes the loaded set (UNLINK, or DEL with lazyfree-lazy-user-del yes); returns when the
    command was sent and how long its reply took, in seconds."""
    with bc.Client(port) as client:
        if how == "lazy-del":
            client.call("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")
        began = time.perf_counter()
        client.call("UNLINK" if how == "unlink" else "DEL", BIG_SET.decode())
        return began, time.perf_counter() - began


def run(name, binary, keys, data, timeout, trace, then=None):
    with bc.Server(name, binary, cpu=0, niceness=SERVER_NICENESS) as server:
        if HELPERS_CPUS:
            server.move_helper_threads(HELPERS_CPUS)
        tracing = LoopTrace(server.pid) if trace and LoopTrace.available() else None
        stop_file = f"/tmp/bench_probe_stop_{server.port}"
        if os.path.exists(stop_file):
            os.unlink(stop_file)
        prober = subprocess.Popen(PROBE_PREFIX + [sys.executable, __file__, "--probe",
                                                  str(server.port), str(server.pid), stop_file],
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # a second of idle round trips for the baseline
        cpu0, began, load_start = server.cpu_seconds(), time.time(), time.perf_counter()
        wait0, switches0 = server.main_thread_waits()
        steal0 = cpu0_steal_s()
        with open(data, "rb") as stream:
            writer = subprocess.run(["taskset", "-c", "1", "redis-cli", "-p", str(server.port),
                                     "--pipe", "--pipe-timeout", "60"],
                                    stdin=stream, capture_output=True, text=True, timeout=timeout)
        load_s = time.time() - began
        cpu = server.cpu_seconds() - cpu0
        wait1, switches1 = server.main_thread_waits()
        steal = cpu0_steal_s() - steal0
        time.sleep(0.5)
        then_start, then_reply_s = delete_big_set(server.port, then) if then else (None, 0.0)
        if then:
            time.sleep(1.0)
        open(stop_file, "w").close()
        output, _ = prober.communicate(timeout=60)
        os.unlink(stop_file)
        if tracing:
            tracing.stop()
        with bc.Client(server.port) as client:
            dbsize = client.call("DBSIZE")
            used = int(client.info("memory")["used_memory"])
    samples = [tuple(float(x) for x in line.split()) for line in output.splitlines() if line]
    idle = [s[1] for s in samples if s[0] < load_start] or [s[1] for s in samples]
    load_end = then_start if then else float("inf")
    loading = [s for s in samples if load_start <= s[0] < load_end] or samples
    after = [s for s in samples if then and s[0] >= then_start]
    rtts = sorted(s[1] for s in loading)
    replies = sorted(s[5] for s in loading)
    # The server's own stall: how long the loop worked on something else while the probe waited
    # for its reply, not counting spinlock waits for a CPU the hypervisor took away (busy[1]).
    # Without a trace, the time to the reply minus the loop's preemption stands in for it; that
    # still counts every delay of the hypervisor's.
    if tracing:
        busy = [tracing.busy_us(s[0], s[0] + s[5] / 1e6) for s in loading]
    else:
        busy = [(max(0.0, s[5] - s[3]), 0) for s in loading]
    stalls = [total - lock_wait for total, lock_wait in busy]
    if after:
        after_busy = ([tracing.busy_us(s[0], s[0] + s[5] / 1e6) for s in after] if tracing else
                      [(max(0.0, s[5] - s[3]), 0) for s in after])
        after_stalls = [total - lock_wait for total, lock_wait in after_busy]
    worst = sorted(zip(stalls, busy, loading), key=lambda pair: -pair[0])[:5]
    return {
        "baseline": statistics.median(idle),
        "median": statistics.median(rtts),
        "p999": percentile_999(rtts),
        "max": rtts[-1],
        "worst": ", ".join(f"{stall / 1000:.2f} ms at {t - load_start:.2f} s "
                           f"({keys / 1e6:.2f}M keys; "
                           f"replied after {reply / 1000:.2f} ms, loop preempted "
                           f"{pre / 1000:.2f} ms; round trip {rtt / 1000:.2f} ms, probe waited "
                           f"{waited / 1000:.2f} ms)"
                           for stall, _, (t, rtt, keys, pre, waited, reply) in worst),
        "with_lock_waits_max": max(total for total, _ in busy),
        "reply_p999": percentile_999(replies),
        "reply_max": replies[-1],
        "reply_over_1ms": sum(1 for r in replies if r > 1000),
        "own_method": "perf samples" if tracing else "reply minus preemption",
        "own_p999": percentile_999(sorted(stalls)),
        "own_max": max(stalls),
        "own_over_1ms": sum(1 for stall in stalls if stall > 1000),
        "over_1ms": sum(1 for r in rtts if r > 1000),
        "over_5ms": sum(1 for r in rtts if r > 5000),
        "pings": len(rtts),
        "load_s": load_s,
        "cpu": cpu,
        "preempted": f"{wait1 - wait0:.2f} s runnable-waiting, {switches1 - switches0} "
                     f"involuntary switches; CPU 0 stolen by the hypervisor: {steal:.2f} s",
        "dbsize": dbsize,
        "used": used,
        "writer": writer.stdout.strip().splitlines()[-1] if writer.stdout else writer.stderr,
        "then": (f"{then}: reply after {then_reply_s * 1000:.2f} ms; over the next second "
                 f"{len(after)} probes, longest round trip {max(s[1] for s in after) / 1000:.2f} "
                 f"ms, server's reply longest {max(s[5] for s in after) / 1000:.2f} ms, own "
                 f"stall longest {max(after_stalls) / 1000:.2f} ms, "
                 f"{sum(1 for x in after_stalls if x > 1000)} over 1 ms") if after else "",
    }


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--probe":
        return probe(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=10_000_000)
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed for the load")
    parser.add_argument("--magnetar", default=None)
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--no-trace", action="store_true",
                        help="do not sample the event loop with perf")
    parser.add_argument("--dataset", choices=("keys", "set"), default="keys")
    parser.add_argument("--then", choices=("unlink", "lazy-del"), default=None,
                        help="delete the loaded set (--dataset set) and probe the second after")
    args = parser.parse_args()
    if args.then and args.dataset != "set":
        parser.error("--then deletes the set of --dataset set")
    os.sched_setaffinity(0, {1})  # this script's own work stays off the server's CPU
    magnetar = bc.find_magnetar(args.magnetar)
    print(bc.machine())
    began = time.time()
    data = resp_file(args.keys, args.dataset)
    what = ("SET key:%012d abc" if args.dataset == "keys" else
            f"members mem:%012d (SADD {BIG_SET.decode()}, 100 per call)")
    print(f"{args.keys} {what} in {os.path.getsize(data) >> 20} MB of RESP "
          f"({time.time() - began:.1f} s to generate or reuse {data}); server on CPU 0, "
          f"writer and probe on CPU 1, DBSIZE every {PROBE_INTERVAL_S * 1000:g} ms")
    print()
    print("| server | idle RTT (median) | RTT while loading: median | p99.9 | longest | "
          "probes > 1 ms | > 5 ms | server's reply: p99.9 | longest | > 1 ms | "
          "server's own stall: p99.9 | longest | > 1 ms | how | longest with spinlock waits | "
          "probes | load s | server CPU s | DBSIZE | used_memory |")
    print("| --- " * 20 + "|")
    for name, binary in (("magnetar", magnetar), ("redis", "redis-server")):
        if name not in args.servers.split(","):
            continue
        r = run(name, binary, args.keys, data, args.timeout, trace=not args.no_trace,
                then=args.then)
        print(f"| {name} | {r['baseline']:.0f} us | {r['median']:.0f} us | {r['p999']:.0f} us | "
              f"{r['max'] / 1000:.2f} ms | {r['over_1ms']} | {r['over_5ms']} | "
              f"{r['reply_p999']:.0f} us | {r['reply_max'] / 1000:.2f} ms | "
              f"{r['reply_over_1ms']} | {r['own_p999']:.0f} us | {r['own_max'] / 1000:.2f} ms | "
              f"{r['own_over_1ms']} | {r['own_method']} | "
              f"{r['with_lock_waits_max'] / 1000:.2f} ms | {r['pings']} | {r['load_s']:.1f} | "
              f"{r['cpu']:.1f} | {r['dbsize']} | {r['used'] / 2**20:.0f} MB |", flush=True)
        print(f"  {name}: longest 5 own stalls: {r['worst']}; main thread preempted: "
              f"{r['preempted']}; writer: {r['writer']}")
        if r["then"]:
            print(f"  {name}: {r['then']}")


if __name__ == "__main__":
    main()
