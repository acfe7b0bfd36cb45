"""Runs a server process for the client-library tests.

The binary is $CLIENTS_SERVER if set (for example /usr/bin/redis-server, to check the tests'
expectations against real Redis), else $MAGNETAR_SERVER (CTest sets it), else the repository's
build/magnetar-server. The server listens on 127.0.0.1 on a free ephemeral port, with
`--save "" --appendonly no`, in a temporary directory that holds its log; stop() ends it by PID
(SIGTERM, then SIGKILL after 10 s), removes the directory, and fails if the server had died or
did not exit cleanly. The server is started through
`setpriv --pdeathsig KILL`, so it dies with the test process even if that is killed.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
START_ATTEMPTS = 5
STARTUP_TIMEOUT = 30.0
STOP_GRACE = 10.0


def server_binary():
    for var in ("CLIENTS_SERVER", "MAGNETAR_SERVER"):
        if os.environ.get(var):
            return os.environ[var]
    return str(REPO / "build" / "magnetar-server")


def free_port():
    """A free loopback port from the kernel (bind port 0); never Redis's 6379."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.settimeout(1.0)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    def __init__(self, *directives):
        """directives: extra "--name", "value" arguments for the server's command line."""
        self.binary = server_binary()
        self.directives = list(directives)
        self.proc = None
        self.port = None
        self.dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"no server binary at {self.binary} (build it, or set CLIENTS_SERVER)")
        error = None
        for _ in range(START_ATTEMPTS):
            self.dir = tempfile.mkdtemp(prefix="magnetar-clients-")
            self.port = free_port()
            args = ["setpriv", "--pdeathsig", "KILL", "--", self.binary,
                    "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", *self.directives]
            with open(os.path.join(self.dir, "server.log"), "wb") as log:
                self.proc = subprocess.Popen(args, cwd=self.dir, stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT)
            error = self._wait_ready()
            if error is None:
                return self
            running = self.proc.poll() is None
            self.stop(check=False)
            if running:  # alive but not answering: another port would not help
                break
        raise RuntimeError(error)

    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return (f"{self.binary} exited with {self.proc.returncode} during startup "
                        f"on port {self.port}; log:\n{self.log_tail()}")
            # Our child still running after the PONG rules out a stranger on the port.
            if _answers_ping(self.port) and self.proc.poll() is None:
                return None
            time.sleep(0.02)
        return f"{self.binary} did not answer PING on port {self.port}; log:\n{self.log_tail()}"

    def log_tail(self, lines=30):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, check=True):
        """Stops the server. With check, raises if it had died or does not exit cleanly (status 0
        after SIGTERM, within the grace period), with its log: a crash, or a sanitizer's report
        at exit, fails the test."""
        problem = None
        if self.proc is not None:
            if self.proc.poll() is not None:
                problem = f"exited with status {self.proc.returncode} before the end of the test"
            else:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(STOP_GRACE)
                    if self.proc.returncode != 0:
                        problem = f"exited with status {self.proc.returncode} on SIGTERM"
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    problem = f"did not exit within {STOP_GRACE} s of SIGTERM"
            if problem:
                problem = f"{self.binary} (port {self.port}) {problem}; log:\n{self.log_tail()}"
        self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if problem and check:
            raise RuntimeError(problem)
