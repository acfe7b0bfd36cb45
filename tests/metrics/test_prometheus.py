"""Magnetar's Prometheus endpoint (metrics-port) against Debian's prometheus-redis-exporter.

The exporter scrapes Magnetar's INFO, SLOWLOG, LATENCY and CONFIG over RESP; Magnetar serves the
same figures at /metrics. Every metric name the exporter reports for Magnetar must be served, and
every figure that the scrapes themselves do not move (the workload's command counters, keys,
errors, slowlog, persistence and replication state) must have the same value in both.

Run with Debian's interpreter: /usr/bin/python3 test_prometheus.py. The server binary is
$MAGNETAR_SERVER (CTest sets it); the exporter is $REDIS_EXPORTER, else
/usr/bin/prometheus-redis-exporter.
"""

import os
import re
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients" / "python"))
from server import Server, free_port  # noqa: E402

EXPORTER = os.environ.get("REDIS_EXPORTER", "/usr/bin/prometheus-redis-exporter")
TIMEOUT = 10.0
SAMPLE = re.compile(r"^(\w+)(\{.*\})? (\S+)$")

# The commands the workload runs and the exporter does not: their counters must not move.
WORKLOAD_COMMANDS = {"set", "get", "incrby", "hset", "expire", "del", "lpush", "sadd"}
# Figures that change between two scrapes or with the scraping connection itself.
VOLATILE = re.compile(
    r"redis_(uptime_in_seconds|start_time_seconds|cpu_.*|memory_.*|allocator_.*|mem_.*|net_.*"
    r"|commands_processed_total|total_(reads|writes)_processed|connections_received_total"
    r"|connected_clients|client_recent_.*|db_avg_ttl_seconds|rdb_last_save_timestamp_seconds"
    r"|connected_slave_(offset_bytes|lag_seconds)|master_last_io_seconds_ago|.*repl_offset"
    r"|repl_backlog_history_bytes)$")
PER_COMMAND = re.compile(r"redis_(commands_.*|latency_percentiles_usec.*)$")
# The exporter's own figures, about itself rather than the server.
EXPORTER_ONLY = re.compile(r"(go|process)_.*|redis_exporter_.*|redis_target_scrape_.*"
                           r"|redis_last_key_groups_scrape_duration_milliseconds")


def scrape(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        return response.read().decode()


def parse(text):
    """{(name, labels): value} of a Prometheus text exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if match is None:
            raise AssertionError(f"not a sample line: {line!r}")
        samples[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return samples


def http(port, request):
    """Sends raw request bytes and returns the whole response (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.decode(errors="replace")


class PrometheusTest(unittest.TestCase):
    def setUp(self):
        self.start_server()

    def start_server(self, *directives):
        """A server with the metrics endpoint on (the previous one, if any, keeps running, as
        self.primary)."""
        if hasattr(self, "server"):
            self.primary, self.primary_metrics_port = self.server, self.metrics_port
        self.metrics_port = free_port()
        self.server = Server("--metrics-port", str(self.metrics_port), *directives).start()
        self.addCleanup(self.server.stop)
        self.r = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True,
                             socket_timeout=TIMEOUT)
        self.addCleanup(self.r.close)
        self.url = f"http://127.0.0.1:{self.metrics_port}/metrics"

    def workload(self):
        self.r.config_set("slowlog-log-slower-than", 0)
        for i in range(20):
            self.r.set(f"k{i}", i)
            self.r.get(f"k{i}")
        self.r.get("missing")
        self.r.hset("h", "f", "v")
        self.r.lpush("l", 1, 2)
        self.r.sadd("s", "a")
        self.r.expire("k1", 1000)
        self.r.delete("k2")
        with self.assertRaises(redis.ResponseError):
            self.r.incr("h")  # INCRBY h 1: WRONGTYPE
        with self.assertRaises(redis.ResponseError):
            self.r.execute_command("NOSUCHCOMMAND")
        with self.assertRaises(redis.ResponseError):
            self.r.execute_command("GET")  # wrong number of arguments: rejected
        db3 = redis.Redis(host="127.0.0.1", port=self.server.port, db=3, socket_timeout=TIMEOUT)
        db3.set("x", 1, ex=100)
        db3.close()
        # Leaves the slowlog as it is: the scrapes' own commands are not logged.
        self.r.config_set("slowlog-log-slower-than", 10_000_000)

    def start_exporter(self):
        if not os.access(EXPORTER, os.X_OK):
            self.fail(f"{EXPORTER} is missing: apt-get install prometheus-redis-exporter")
        port = free_port()
        proc = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", EXPORTER,
             "-redis.addr", f"redis://127.0.0.1:{self.server.port}",
             "-web.listen-address", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop():
            proc.terminate()
            proc.wait(TIMEOUT)
        self.addCleanup(stop)
        url = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 30
        while True:
            try:
                return scrape(url)
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def test_exporter_names_and_counters_match(self):
        self.compare_with_exporter()

    def test_exporter_matches_with_aof_on(self):
        # The AOF's own fields (sizes, buffer, fsyncs) appear in INFO only while it is on.
        self.start_server("--appendonly", "yes", "--appendfsync", "always")
        self.compare_with_exporter()

    def test_exporter_matches_on_both_ends_of_replication(self):
        primary_port = self.server.port
        self.r.config_set("repl-diskless-sync-delay", 0)
        self.start_server("--replicaof", "127.0.0.1", str(primary_port))
        deadline = time.monotonic() + 30
        while self.r.info("replication").get("master_link_status") != "up":
            self.assertLess(time.monotonic(), deadline, "the replica did not sync")
            time.sleep(0.05)
        replica = self.compare_with_exporter(workload=False)
        self.assertEqual(replica[("redis_master_link_up",
                                  f'{{master_host="127.0.0.1",master_port="{primary_port}"}}')], 1)
        self.assertIn(("redis_slave_info", f'{{master_host="127.0.0.1",master_port="{primary_port}"'
                       ',read_only="1"}'), replica)
        # The primary's view, with the replica's labels.
        self.metrics_port = self.primary_metrics_port
        self.url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.server, replica_port = self.primary, self.server.port
        primary = self.compare_with_exporter(workload=False)
        labels = f'{{slave_ip="127.0.0.1",slave_port="{replica_port}",slave_state="online"}}'
        self.assertIn(("redis_connected_slave_offset_bytes", labels), primary)
        self.assertIn(("redis_connected_slave_lag_seconds", labels), primary)

    def compare_with_exporter(self, workload=True):
        """Scrapes the exporter, then /metrics, compares them and returns ours."""
        if workload:
            self.workload()
        exporter = parse(self.start_exporter())
        ours = parse(scrape(self.url))
        self.assertEqual(exporter[("redis_up", "")], 1.0, "the exporter could not scrape")

        names = {name for name, _ in ours}
        missing = sorted({name for name, _ in exporter if not EXPORTER_ONLY.fullmatch(name)}
                         - names)
        self.assertEqual(missing, [], "metrics the exporter reports that /metrics lacks")

        compared = 0
        for (name, labels), value in sorted(exporter.items()):
            if name not in names or VOLATILE.fullmatch(name):
                continue
            if PER_COMMAND.fullmatch(name):
                command = re.search(r'cmd="([^"]*)"', labels).group(1)
                if command not in WORKLOAD_COMMANDS:
                    continue
            with self.subTest(metric=name + labels):
                self.assertIn((name, labels), ours)
                self.assertAlmostEqual(ours[(name, labels)], value, places=9)
                compared += 1
        if not workload:
            return ours
        # The workload's command counters, keys, errors and slowlog are among them.
        for key in [("redis_commands_total", '{cmd="set"}'),
                    ("redis_commands_failed_calls_total", '{cmd="incrby"}'),
                    ("redis_commands_rejected_calls_total", '{cmd="get"}'),
                    ("redis_db_keys", '{db="db0"}'), ("redis_db_keys_expiring", '{db="db3"}'),
                    ("redis_errors_total", '{err="WRONGTYPE"}'), ("redis_slowlog_length", ""),
                    ("redis_keyspace_misses_total", "")]:
            self.assertTrue(key in exporter and key in ours, key)
            self.assertGreater(ours[key], 0, key)
        self.assertGreater(compared, 100)
        return ours

    def test_latency_histograms_count_every_call(self):
        self.workload()
        ours = parse(scrape(self.url))
        for command in ("set", "get"):
            buckets = sorted(((float(re.search(r'le="([^"]*)"', labels).group(1)), value)
                              for (name, labels), value in ours.items()
                              if name == "redis_command_latency_seconds_bucket"
                              and f'cmd="{command}"' in labels))
            counts = [value for _, value in buckets]
            self.assertEqual(counts, sorted(counts), "buckets are cumulative")
            self.assertEqual(buckets[-1][0], float("inf"))
            calls = ours[("redis_commands_total", f'{{cmd="{command}"}}')]
            self.assertEqual(buckets[-1][1], calls)
            self.assertEqual(ours[("redis_command_latency_seconds_count",
                                   f'{{cmd="{command}"}}')], calls)

    def test_http_answers(self):
        ok = http(self.metrics_port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(ok.startswith("HTTP/1.1 200 OK\r\n"), ok[:100])
        self.assertIn("Content-Type: text/plain; version=0.0.4", ok)
        head, body = ok.split("\r\n\r\n", 1)
        self.assertIn(f"Content-Length: {len(body.encode())}\r\n", head + "\r\n")
        self.assertIn("\nredis_up 1\n", "\n" + body)
        head_only = http(self.metrics_port, b"HEAD /metrics HTTP/1.1\r\n\r\n")
        self.assertTrue(head_only.startswith("HTTP/1.1 200 OK\r\n"))
        self.assertTrue(head_only.endswith("\r\n\r\n"), "HEAD has no body")
        self.assertTrue(http(self.metrics_port, b"GET / HTTP/1.1\r\n\r\n").startswith(
            "HTTP/1.1 404 "))
        self.assertTrue(http(self.metrics_port, b"POST /metrics HTTP/1.1\r\n\r\n").startswith(
            "HTTP/1.1 405 "))
        self.assertTrue(http(self.metrics_port, b"nonsense\r\n\r\n").startswith("HTTP/1.1 400 "))
        self.assertTrue(http(self.metrics_port, b"GET /" + b"x" * 10000).startswith(
            "HTTP/1.1 431 "))
        # Scrapes are not clients, and the server still serves its clients.
        self.assertEqual(self.r.info("clients")["connected_clients"], 1)
        self.assertTrue(self.r.ping())

    def test_connection_limit_and_timeout(self):
        idle = [socket.create_connection(("127.0.0.1", self.metrics_port), timeout=TIMEOUT)
                for _ in range(32)]
        try:
            # The 33rd connection's request is refused; the idle ones hold the slots.
            self.assertTrue(http(self.metrics_port, b"GET /metrics HTTP/1.1\r\n\r\n")
                            .startswith("HTTP/1.1 503 "))
        finally:
            for s in idle:
                s.close()
        deadline = time.monotonic() + 10
        while not http(self.metrics_port, b"GET /metrics HTTP/1.1\r\n\r\n").startswith(
                "HTTP/1.1 200 "):
            self.assertLess(time.monotonic(), deadline, "the slots were not given back")
            time.sleep(0.05)
        # A connection that never sends its request is closed after 10 s (the cron looks every
        # second).
        with socket.create_connection(("127.0.0.1", self.metrics_port), timeout=30) as s:
            s.sendall(b"GET /metr")
            started = time.monotonic()
            self.assertEqual(s.recv(100), b"")
            self.assertGreater(time.monotonic() - started, 8)

    def test_off_by_default(self):
        self.assertEqual(self.r.config_get("metrics-port"), {"metrics-port": str(self.metrics_port)})
        with Server() as plain:
            c = redis.Redis(host="127.0.0.1", port=plain.port, decode_responses=True)
            self.assertEqual(c.config_get("metrics-port"), {"metrics-port": "0"})
            with self.assertRaises(redis.ResponseError):
                c.config_set("metrics-port", 9)  # immutable: needs a restart
            c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
