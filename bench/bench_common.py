"""Shared pieces of the bench/*.py scripts: servers on random loopback ports, a minimal RESP client,
RESP generation for `redis-cli --pipe`, /proc readings, redis-benchmark runs and the rewriting of
a marked part of a document.

Standard library only; run with Debian's /usr/bin/python3.
"""

import csv
import io
import os
import random
import shutil
import socket
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MAGNETAR = os.path.join(REPO, "build", "magnetar-server")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def find_magnetar(path=None):
    path = path or os.environ.get("MAGNETAR_SERVER", DEFAULT_MAGNETAR)
    if not os.access(path, os.X_OK):
        sys.exit(f"magnetar-server not found at {path} (set MAGNETAR_SERVER or build Release)")
    return path


def server_binary(name, magnetar_path=None):
    """The binary of the server called `name` ("magnetar" or "redis") in --servers lists."""
    return find_magnetar(magnetar_path) if name == "magnetar" else shutil.which("redis-server")


def free_port():
    """A random loopback port in 20000-60000 that nothing listens on (never 6379)."""
    for _ in range(100):
        port = random.randint(20000, 60000)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit("no free port found")


def cpu_seconds(pid):
    """utime + stime of process `pid` (all threads), in 10 ms ticks."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Server:
    """One server process on its own port, stopped by PID."""

    def __init__(self, name, binary, cpu=None, niceness=0, directives=(), launcher=(),
                 startup_timeout=10):
        """`directives` are further command-line arguments (["--dir", path], ...); `launcher` is
        a program that runs the server in its own process ([valgrind, --tool=callgrind, ...])."""
        self.name = name
        self.directives = list(directives)
        self.launcher = list(launcher)
        self.startup_timeout = startup_timeout
        # A port nobody listens on may still be a client socket's local port (the fan-out's
        # 1,100 connections leave many in TIME_WAIT): a server that exits at once gets another.
        for _ in range(5):
            if self._start(binary, cpu, niceness):
                return
        sys.exit(f"{name} did not start on port {self.port}; see {self.log.name}")

    def _start(self, binary, cpu, niceness):
        self.port = free_port()
        argv = self.launcher + [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                                "", "--appendonly", "no"] + self.directives
        if niceness:
            argv = ["nice", "-n", str(niceness)] + argv
        if cpu is not None and shutil.which("taskset"):
            argv = ["taskset", "-c", str(cpu)] + argv
        self.log = open(f"/tmp/bench_{self.name}_{self.port}.log", "w")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        # taskset, nice and the launcher exec the server: the PID is the server's
        self.pid = self.process.pid
        deadline = time.time() + self.startup_timeout
        while time.time() < deadline and self.process.poll() is None:
            try:
                with Client(self.port) as client:
                    if client.call("PING") == "PONG":
                        return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def cpu_seconds(self):
        """utime + stime of the server process (all threads)."""
        return cpu_seconds(self.pid)

    def move_helper_threads(self, cpus):
        """Pins every thread but the main one (lazy free, jemalloc's background thread, Redis's
        bio threads) to `cpus`, so they do not queue behind a real-time event loop."""
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            if int(tid) != self.pid:
                subprocess.run(["taskset", "-p", "-c", cpus, tid], stdout=subprocess.DEVNULL)

    def main_thread_waits(self):
        """(seconds the main thread spent runnable but not running, involuntary switches): how
        much the machine's other load preempted the event loop."""
        with open(f"/proc/{self.pid}/task/{self.pid}/schedstat") as schedstat:
            run_delay_ns = int(schedstat.read().split()[1])
        switches = 0
        with open(f"/proc/{self.pid}/task/{self.pid}/status") as status:
            for line in status:
                if line.startswith("nonvoluntary_ctxt_switches:"):
                    switches = int(line.split()[1])
        return run_delay_ns / 1e9, switches

    def rss_bytes(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ReplyError(Exception):
    pass


class Client:
    """A blocking RESP2 client: enough for INFO, DBSIZE, PING and probes."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, *args):
        self.sock.sendall(encode(args))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return ReplyError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line!r}")

    def info(self, section):
        fields = {}
        for line in self.call("INFO", section).splitlines():
            if ":" in line and not line.startswith("#"):
                key, value = line.split(":", 1)
                fields[key] = value
        return fields


def encode(args):
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if not isinstance(arg, bytes):
            arg = str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


def set_commands(prefix, count, value=b"abc", ttl_args=(), start=0):
    """Yields chunks of RESP `SET <prefix><12-digit n> value [ttl...]` commands.

    With the prefix "key:" the names are 16 bytes, as in the keyspace issue's dataset.
    """
    name_len = len(prefix) + 12
    extra = b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in ttl_args)
    template = (b"*%d\r\n$3\r\nSET\r\n$%d\r\n" % (3 + len(ttl_args), name_len) + prefix.encode() +
                b"%012d\r\n$" + str(len(value)).encode() + b"\r\n" + value + b"\r\n" + extra)
    chunk = 100_000
    for begin in range(start, start + count, chunk):
        end = min(begin + chunk, start + count)
        yield b"".join([template % n for n in range(begin, end)])


def pipe(port, chunks, cpu=None, timeout=600):
    """Sends the chunks through `redis-cli --pipe`; returns (replies, errors) from its summary."""
    argv = ["redis-cli", "-p", str(port), "--pipe", "--pipe-timeout", "60"]
    if cpu is not None and shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu)] + argv
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    for data in chunks:
        process.stdin.write(data)
    process.stdin.close()
    output = process.stdout.read().decode(errors="replace")
    process.wait(timeout=timeout)
    replies = errors = None
    for line in output.splitlines():
        if line.startswith("errors:"):
            # "errors: 0, replies: 1000000"
            parts = line.replace(",", "").split()
            errors, replies = int(parts[1]), int(parts[3])
    if replies is None:
        raise RuntimeError(f"redis-cli --pipe failed: {output.strip()}")
    return replies, errors


def ttl_support(port):
    """How this server can give a key a deadline: 'set-pxat' (SET .. PXAT), 'pexpireat' (SET then
    PEXPIREAT), or None and the errors."""
    with Client(port) as client:
        far = int(time.time() * 1000) + 100_000
        reply = client.call("SET", "__bench_probe", "v", "PXAT", far)
        if reply == "OK":
            client.call("DEL", "__bench_probe")
            return "set-pxat", None
        first_error = str(reply)
        client.call("SET", "__bench_probe", "v")
        reply = client.call("PEXPIREAT", "__bench_probe", far)
        client.call("DEL", "__bench_probe")
        if reply == 1:
            return "pexpireat", None
        return None, f"SET .. PXAT: {first_error}; PEXPIREAT: {reply}"


def expire_commands(prefix, count, deadline_ms, start=0):
    """Chunks of `PEXPIREAT <prefix><n> deadline_ms`, for servers whose SET takes no TTL."""
    name_len = len(prefix) + 12
    deadline = str(deadline_ms).encode()
    template = (b"*3\r\n$9\r\nPEXPIREAT\r\n$%d\r\n" % name_len + prefix.encode() + b"%012d\r\n$" +
                str(len(deadline)).encode() + b"\r\n" + deadline + b"\r\n")
    chunk = 100_000
    for begin in range(start, start + count, chunk):
        end = min(begin + chunk, start + count)
        yield b"".join([template % n for n in range(begin, end)])


def load_keys(port, prefix, count, deadline_ms=None, mode="set-pxat", cpu=None):
    """Loads `count` keys `<prefix><n>` = "abc", with an absolute deadline if one is given."""
    if deadline_ms is None:
        return pipe(port, set_commands(prefix, count), cpu)
    if mode == "set-pxat":
        return pipe(port, set_commands(prefix, count, ttl_args=(b"PXAT", str(deadline_ms).encode())),
                    cpu)
    replies, errors = pipe(port, set_commands(prefix, count), cpu)
    more, more_errors = pipe(port, expire_commands(prefix, count, deadline_ms), cpu)
    return replies + more, errors + more_errors


DAY_MS = 86_400_000


def load_shared_deadline(port, far, due, lead_ms, cpu=1):
    """The expiry benchmarks' dataset: `far` keys `key:<n>` whose deadlines are a day away, then
    `due` keys `exp:<n>` sharing one deadline `lead_ms` after they are loaded. Returns
    {"deadline_ms", "mode"} (how the TTLs were set, see ttl_support) or {"error"}."""
    mode, error = ttl_support(port)
    if mode is None:
        return {"error": error}
    load_keys(port, "key:", far, int(time.time() * 1000) + DAY_MS, mode, cpu=cpu)
    deadline_ms = int(time.time() * 1000) + lead_ms
    load_keys(port, "exp:", due, deadline_ms, mode, cpu=cpu)
    with Client(port) as client:
        total = client.call("DBSIZE")
    if total != far + due:
        return {"error": f"DBSIZE {total} after loading, expected {far + due}"}
    return {"deadline_ms": deadline_ms, "mode": mode}


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, nproc {os.cpu_count()}, "
            f"CPU {model}, kernel {os.uname().release}, load average {' '.join(load)}")


def pinned(argv, cpu):
    """`argv` run on CPU `cpu` through taskset, where taskset exists."""
    if cpu is None or not shutil.which("taskset"):
        return argv
    return ["taskset", "-c", str(cpu)] + argv


def redis_benchmark(port, test, requests, pipeline=1, clients=50, keyspace=None, cpu=None,
                    timeout=300):
    """Runs one redis-benchmark test (`-t test --csv`) and returns its CSV rows as dicts of the
    7.0 columns (test, rps, avg/min/p50/p95/p99/max_latency_ms), the figures as floats. Some
    tests print more than one row (the LRANGE ones fill their list with an LPUSH run first).
    The timeout matters: redis-benchmark retries forever when it cannot connect."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", test, "-n",
            str(requests), "-P", str(pipeline), "-c", str(clients), "--csv"]
    if keyspace:
        argv += ["-r", str(keyspace)]
    try:
        done = subprocess.run(pinned(argv, cpu), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(argv)} did not finish in {timeout} s") from None
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    if done.returncode != 0 or not rows:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: "
                           f"{(done.stderr or done.stdout).strip()[-500:]}")
    for row in rows:
        for column in row:
            if column != "test":
                row[column] = float(row[column])
    return rows


def write_between_markers(path, begin, end, body, section_if_absent):
    """Replaces what lies between the lines `begin` and `end` of the file at `path` with `body`.
    Where the markers are missing, `section_if_absent` (which holds them) is first inserted before
    the file's first second-level heading, or at its end."""
    with open(path) as file:
        text = file.read()
    if begin not in text or end not in text:
        heading = text.find("\n## ")
        at = heading + 1 if heading >= 0 else len(text)
        text = text[:at] + section_if_absent.rstrip("\n") + "\n\n" + text[at:]
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as file:
        file.write(head + begin + "\n" + body.strip("\n") + "\n" + end + tail)
