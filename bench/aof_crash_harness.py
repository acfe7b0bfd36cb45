#!/usr/bin/python3
"""AOF crash harness (issue 12): writers record the writes the server acknowledged, the server is
killed with SIGKILL at a random moment, restarted on the same directory, and the data is checked.

Each cycle: writer threads (one connection each) run their own numbered series of operations,
op k of writer w being, by (k - 1) mod 4,
  INCR c:<w>                                      (the counter counts the INCRs)
  SET s:<w>:<k> <k>                               (one key per op)
  RPUSH l:<w> <k>                                 (the list holds the RPUSHed op numbers)
  MULTI; INCR t:<w>:a; RPUSH t:<w>:b <k>; EXEC    (both halves or neither)
and remember the last op acknowledged, the time of each acknowledgement and the op in flight.
With --rewrite a thread sends BGREWRITEAOF at random moments, so rewrites are killed too (a
ballast of keys makes each rewrite last long enough to be hit). At a random moment within
--duration the server is killed by its PID, then started again on the same --dir until it
answers PING (-LOADING is retried).

After the restart, each writer's survivors are read back and must be a prefix of its series: the
recovered op K is the highest op any of its keys shows, and every key must then hold exactly
what ops 1..K leave (no hole, no torn transaction), with DBSIZE agreeing. Writes acknowledged
after K are lost; K beyond the op in flight is a write "from the future". The loss window of a
cycle is the time from the acknowledgement of the first lost write to the kill. The next cycle
carries on from K, so every cycle also checks what the earlier ones left.

A failure (a restart that does not answer, a hole, a torn transaction, a write from the future,
with `always` any lost acknowledged write, with `everysec` a window over Redis's 2 s) ends that
server's run and keeps its directory (data, one log per start) for the evidence; the exit status
is then 1. Otherwise the directory is removed.

Note: SIGKILL ends the process, not the machine: what the server handed to write() before it
died is in the page cache and reaches the file. The harness therefore measures what the server
keeps in its own memory past the acknowledgement (with `everysec` Redis and Magnetar both
write() before replying, so both should lose nothing); it cannot see a lost fsync.

Usage: bench/aof_crash_harness.py [--servers magnetar,redis] [--magnetar PATH] [--cycles N]
                                  [--policy always|everysec] [--duration S] [--writers W]
                                  [--rewrite] [--ballast KEYS] [--seed N]
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import bench_common as bc

KINDS = 4  # op k is of kind (k - 1) % KINDS: INCR, SET, RPUSH, MULTI/EXEC
INCR, SET, RPUSH, TRANSACTION = range(KINDS)
RESTART_TIMEOUT = 60.0
REPLY_TIMEOUT = 10.0  # a live server that does not answer a writer for this long is a failure
EVERYSEC_PROMISE = 2.0  # Redis's documented worst case for appendfsync everysec, in seconds


def ops_of_kind(kind, k):
    """How many of ops 1..k are of `kind`."""
    return max(0, (k - kind + KINDS - 1) // KINDS)


def last_op_of_kind(kind, k):
    """The highest op <= k of `kind`, or None."""
    count = ops_of_kind(kind, k)
    return kind + 1 + KINDS * (count - 1) if count else None


class CrashableServer:
    """A server on one data directory, killed with SIGKILL and started again on it. Each start
    gets a fresh port and its own log next to the data. The server runs in a process group of
    its own, so the children Redis forks for a rewrite are found and killed after it."""

    def __init__(self, name, binary, root, policy):
        self.name = name
        self.binary = binary
        self.root = root
        self.data = os.path.join(root, "data")
        os.mkdir(self.data)
        self.policy = policy
        self.starts = 0
        self.process = None
        self.port = None

    def log_path(self, start=None):
        return os.path.join(self.root, f"start-{start or self.starts:03d}.log")

    def start(self):
        """Starts the server on the data directory; returns None once it answers PING, else
        what went wrong. A port taken meanwhile by someone else is retried on another."""
        for _ in range(5):
            self.starts += 1
            self.port = bc.free_port()
            argv = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.data,
                    "--save", "", "--appendonly", "yes", "--appendfsync", self.policy]
            # setpriv makes the server die with the harness; it execs, so the PID is the server's.
            prefix = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
            with open(self.log_path(), "w") as log:
                self.process = subprocess.Popen(prefix + [self.binary] + argv, cwd=self.root,
                                                stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
            problem = self._wait_ready()
            if problem is None:
                return None
            if "listening socket" not in self.log_tail():
                return problem
        return problem

    def _wait_ready(self):
        deadline = time.monotonic() + RESTART_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with status {self.process.returncode} during startup"
            try:
                with bc.Client(self.port, timeout=1) as client:
                    reply = client.call("PING")
                if reply == "PONG" and self.process.poll() is None:
                    return None
                last = str(reply)  # -LOADING while the AOF loads: ask again
            except OSError as error:
                last = str(error)
            time.sleep(0.02)
        self.kill()
        return f"did not answer PING within {RESTART_TIMEOUT:.0f} s (last: {last})"

    def kill(self):
        """SIGKILL to the server's PID, then to what remains of its process group (a rewrite
        child of Redis, which would otherwise go on writing into the directory)."""
        if self.process is None:
            return
        pid = self.process.pid
        if self.process.poll() is None:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        try:
            os.killpg(pid, signal.SIGKILL)  # the group was created for this server alone
        except ProcessLookupError:
            pass
        self.process = None

    def stop(self):
        """A clean stop at the end of a run (SIGTERM by PID, SIGKILL after 30 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def log_tail(self, start=None, lines=20):
        try:
            with open(self.log_path(start), errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_mentions(self, words):
        with open(self.log_path(), errors="replace") as log:
            text = log.read()
        return any(word in text for word in words)


class Writer(threading.Thread):
    """One connection writing its own series of ops from `first` on, until the server dies or
    `stop` is set. `acked` is the last op acknowledged, `sent` the last op sent (one in flight
    at most), `ack_times[k]` the monotonic time op k's reply was read."""

    def __init__(self, wid, port, first, stop):
        super().__init__(daemon=True)
        self.wid = wid
        self.port = port
        self.acked = self.sent = first - 1
        self.ack_times = {}
        self.stop = stop
        self.error = None  # an error reply or a stall: not what a kill causes

    def command(self, k):
        w = self.wid
        kind = (k - 1) % KINDS
        if kind == INCR:
            return [("INCR", f"c:{w}")]
        if kind == SET:
            return [("SET", f"s:{w}:{k}", k)]
        if kind == RPUSH:
            return [("RPUSH", f"l:{w}", k)]
        return [("MULTI",), ("INCR", f"t:{w}:a"), ("RPUSH", f"t:{w}:b", k), ("EXEC",)]

    def run(self):
        try:
            client = bc.Client(self.port, timeout=REPLY_TIMEOUT)
        except OSError:
            return
        with client:
            try:
                while not self.stop.is_set():
                    k = self.sent + 1
                    commands = self.command(k)
                    self.sent = k
                    client.sock.sendall(b"".join(bc.encode(c) for c in commands))
                    replies = [client.read() for _ in commands]
                    if any(isinstance(r, bc.ReplyError) for r in replies) or replies[-1] is None:
                        self.error = f"op {k}: {commands} -> {replies}"
                        return
                    self.ack_times[k] = time.monotonic()
                    self.acked = k
            except TimeoutError:
                self.error = f"no reply to op {self.sent} within {REPLY_TIMEOUT:.0f} s"
            except (OSError, ConnectionError):
                pass  # the kill


def rewriter(port, stop, rng, duration, counts):
    """BGREWRITEAOF at random moments until `stop` or the kill."""
    try:
        with bc.Client(port, timeout=REPLY_TIMEOUT) as client:
            while not stop.wait(rng.uniform(0, duration / 2)):
                reply = client.call("BGREWRITEAOF")
                # "already in progress" is an error reply: only count the accepted ones.
                counts["rewrites"] += not isinstance(reply, bc.ReplyError)
    except (OSError, ConnectionError):
        pass


def load_ballast(port, keys):
    """`keys` keys of 100 bytes in MSETs of 1,000 (one fsync each under `always`)."""
    with bc.Client(port) as client:
        for begin in range(0, keys, 1000):
            pairs = []
            for n in range(begin, min(begin + 1000, keys)):
                pairs += [f"ballast:{n:08d}", "v" * 100]
            reply = client.call("MSET", *pairs)
            if reply != "OK":
                raise RuntimeError(f"MSET of the ballast: {reply}")


def recover(client, wid, base, sent):
    """Reads writer `wid`'s keys back. Returns (K, problems): the highest op its keys show, and
    every way they differ from what ops 1..K leave. `base` is the op recovered at the previous
    restart: the SET keys of ops in (base, sent] are read one by one, older ones are counted by
    DBSIZE."""
    w = wid
    queries = [("GET", f"c:{w}"), ("LLEN", f"l:{w}"), ("LINDEX", f"l:{w}", -1),
               ("GET", f"t:{w}:a"), ("LLEN", f"t:{w}:b"), ("LINDEX", f"t:{w}:b", -1)]
    # The last SET before `base` too: when it was the writer's last op, only its key shows base.
    set_ops = [k for k in (last_op_of_kind(SET, base),) if k]
    set_ops += [k for k in range(base + 1, sent + 1) if (k - 1) % KINDS == SET]
    client.sock.sendall(b"".join(bc.encode(q) for q in queries))
    counter, list_len, list_last, tx_a, tx_len, tx_last = [client.read() for _ in queries]
    present = []
    for begin in range(0, len(set_ops), 1000):
        chunk = set_ops[begin:begin + 1000]
        values = client.call("MGET", *[f"s:{w}:{k}" for k in chunk])
        present += [k for k, value in zip(chunk, values) if value is not None]

    counter = int(counter or 0)
    tx_a = int(tx_a or 0)
    shown = [0] + present
    if counter:
        shown.append(last_op_of_kind(INCR, 1 + KINDS * (counter - 1)))
    shown += [int(v) for v in (list_last, tx_last) if v is not None]
    k = max(shown)

    problems = []
    if tx_a != tx_len:
        problems.append(f"torn transaction: t:{w}:a = {tx_a}, LLEN t:{w}:b = {tx_len}")
    expected = {
        f"c:{w}": (counter, ops_of_kind(INCR, k)),
        f"LLEN l:{w}": (list_len, ops_of_kind(RPUSH, k)),
        f"last of l:{w}": (None if list_last is None else int(list_last), last_op_of_kind(RPUSH, k)),
        f"t:{w}:a": (tx_a, ops_of_kind(TRANSACTION, k)),
        f"last of t:{w}:b": (None if tx_last is None else int(tx_last),
                             last_op_of_kind(TRANSACTION, k)),
        f"the SET keys present (ops {base}..{sent})": (present, [op for op in set_ops if op <= k]),
    }
    for what, (got, want) in expected.items():
        if got != want:
            problems.append(f"hole: writer {w} shows op {k} but {what} is {got}, expected {want}")
    return k, problems


def keys_after(k):
    """The keys a writer's ops 1..k leave."""
    return (ops_of_kind(SET, k) + (ops_of_kind(INCR, k) > 0) + (ops_of_kind(RPUSH, k) > 0) +
            2 * (ops_of_kind(TRANSACTION, k) > 0))


def run_server(name, binary, args, rng):
    root = tempfile.mkdtemp(prefix=f"aof_crash_{name}_")
    server = CrashableServer(name, binary, root, args.policy)
    totals = {"cycles": 0, "restarts_ok": 0, "acked": 0, "lost": 0, "max_window": 0.0,
              "rewrites": 0, "killed_rewriting": 0, "torn_tails": 0, "failures": []}
    ballast = args.ballast if args.ballast is not None else (100_000 if args.rewrite else 0)

    def fail(cycle, message):
        totals["failures"].append(f"cycle {cycle}: {message}")
        print(f"  {name} cycle {cycle}: FAILURE: {message}", flush=True)

    problem = server.start()
    if problem:
        fail(0, f"first start {problem}; log:\n{server.log_tail()}")
    else:
        load_ballast(server.port, ballast)
    recovered = [0] * args.writers  # the op each writer's keys showed at the last restart
    for cycle in range(1, args.cycles + 1):
        if totals["failures"]:
            break
        stop = threading.Event()
        writers = [Writer(w, server.port, recovered[w] + 1, stop) for w in range(args.writers)]
        for writer in writers:
            writer.start()
        rewrite_thread = None
        if args.rewrite:
            rewrite_thread = threading.Thread(target=rewriter, daemon=True, args=(
                server.port, stop, random.Random(rng.random()), args.duration, totals))
            rewrite_thread.start()
        time.sleep(rng.uniform(0.05, args.duration))
        if server.process.poll() is not None:  # a crash of its own, not ours
            stop.set()
            fail(cycle, f"the server exited with status {server.process.returncode} before the "
                        f"kill; log:\n{server.log_tail()}")
            server.kill()
            break
        with bc.Client(server.port, timeout=REPLY_TIMEOUT) as monitor:
            rewriting = monitor.info("persistence").get("aof_rewrite_in_progress") == "1"
        kill_time = time.monotonic()
        server.kill()
        stop.set()
        for thread in writers + ([rewrite_thread] if rewrite_thread else []):
            thread.join(timeout=REPLY_TIMEOUT + 5)
        totals["cycles"] = cycle
        totals["killed_rewriting"] += rewriting
        for writer in writers:
            if writer.error:
                fail(cycle, f"writer {writer.wid}: {writer.error}")

        problem = server.start()
        if problem:
            fail(cycle, f"restart {problem}; log:\n{server.log_tail()}")
            break
        totals["restarts_ok"] += 1
        totals["torn_tails"] += server.log_mentions(["aof-load-truncated is enabled"])

        with bc.Client(server.port, timeout=REPLY_TIMEOUT) as client:
            expected_keys = ballast
            for writer in writers:
                w = writer.wid
                k, problems = recover(client, w, recovered[w], writer.sent)
                for message in problems:
                    fail(cycle, message)
                if k > writer.sent:
                    fail(cycle, f"writer {w}: op {k} present, but only ops up to {writer.sent} "
                                f"were sent (from the future)")
                totals["acked"] += writer.acked - recovered[w]
                lost = max(0, writer.acked - k)
                if lost:
                    totals["lost"] += lost
                    first_lost_ack = writer.ack_times.get(k + 1)
                    if first_lost_ack is None:  # acknowledged in an earlier cycle
                        fail(cycle, f"writer {w}: ops up to {writer.acked} acknowledged, only "
                                    f"{k} recovered, below the previous restart's {recovered[w]}")
                    else:
                        window = max(0.0, kill_time - first_lost_ack)
                        totals["max_window"] = max(totals["max_window"], window)
                    if args.policy == "always":
                        fail(cycle, f"writer {w}: {lost} acknowledged writes lost (ops "
                                    f"{k + 1}..{writer.acked}; the last one sent was "
                                    f"{writer.sent})")
                recovered[w] = k
                expected_keys += keys_after(k)
            dbsize = client.call("DBSIZE")
            if dbsize != expected_keys:
                fail(cycle, f"DBSIZE {dbsize}, expected {expected_keys} from the recovered ops")
        if args.policy == "everysec" and totals["max_window"] > EVERYSEC_PROMISE:
            fail(cycle, f"loss window {totals['max_window'] * 1000:.0f} ms over Redis's "
                        f"{EVERYSEC_PROMISE:.0f} s")
        if args.verbose:
            print(f"  {name} cycle {cycle}: ops {recovered}, rewriting at the kill: {rewriting}",
                  flush=True)

    server.stop()
    if totals["failures"]:
        print(f"  {name}: kept {root} (data/ and one log per start) for the evidence")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default="magnetar,redis")
    parser.add_argument("--magnetar", help="magnetar-server binary (default: build/, or "
                                           "$MAGNETAR_SERVER)")
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--policy", choices=["always", "everysec"], default="always")
    parser.add_argument("--duration", type=float, default=2.0,
                        help="each cycle's kill comes at a random moment within this many seconds")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rewrite", action="store_true",
                        help="send BGREWRITEAOF at random moments, so kills hit rewrites too")
    parser.add_argument("--ballast", type=int,
                        help="100-byte keys loaded first, so rewrites last (default 100,000 with "
                             "--rewrite, else 0)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(bc.machine())
    print(f"appendfsync {args.policy}, {args.cycles} cycles, kill within {args.duration} s, "
          f"{args.writers} writers, rewrites {'on' if args.rewrite else 'off'}, seed {seed}",
          flush=True)
    results = {}
    for name in args.servers.split(","):
        binary = bc.server_binary(name, args.magnetar)
        if not binary:
            sys.exit(f"no binary for {name}")
        # The same kill schedule for every server.
        results[name] = run_server(name, binary, args, random.Random(seed))

    print("| server | cycles | restarts ok | acked writes | lost writes | max loss window ms "
          "| rewrites | kills during a rewrite | torn tails repaired |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, t in results.items():
        print(f"| {name} | {t['cycles']} | {t['restarts_ok']} | {t['acked']:,} | {t['lost']:,} "
              f"| {t['max_window'] * 1000:.0f} | {t['rewrites']} | {t['killed_rewriting']} "
              f"| {t['torn_tails']} |")
    failed = [name for name, t in results.items() if t["failures"]]
    for name in failed:
        print(f"{name}: {len(results[name]['failures'])} failures, the first: "
              f"{results[name]['failures'][0].splitlines()[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
