"""redis-py (Debian's python3-redis 4.3.4) against a real server: transactional and plain
pipelines, a WATCH retry loop, pub/sub and keyspace notifications.

Run with Debian's interpreter, which has the package: /usr/bin/python3 test_redis_py.py
(any directory; unittest's arguments work, e.g. -k watch). server.py says which server runs.
"""

import threading
import time
import unittest

import redis

from server import Server

TIMEOUT = 10.0  # socket and message timeouts: a server that never answers fails the test


class ServerTestCase(unittest.TestCase):
    """A fresh server per test, and a client to it with decoded (str) replies."""

    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.stop)
        self.r = self.client()

    def client(self):
        c = redis.Redis(host="127.0.0.1", port=self.server.port, decode_responses=True,
                        socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.addCleanup(c.close)
        return c


class PipelineTest(ServerTestCase):
    def test_transactional_pipeline_returns_every_reply(self):
        p = self.r.pipeline()  # transaction=True: MULTI ... EXEC
        p.set("a", "1").incr("a").get("a").mset({"b": "x", "c": "y"}).mget("a", "b", "c", "d")
        self.assertEqual(p.execute(), [True, 2, "2", True, ["2", "x", "y", None]])
        self.assertEqual(self.r.get("a"), "2")

    def test_transactional_pipeline_runs_the_rest_after_a_runtime_error(self):
        p = self.r.pipeline()
        p.set("s", "not a number").incr("s").set("t", "after")
        replies = p.execute(raise_on_error=False)
        self.assertEqual(len(replies), 3)
        self.assertIs(replies[0], True)
        self.assertIsInstance(replies[1], redis.ResponseError)
        self.assertIn("not an integer", str(replies[1]))
        self.assertIs(replies[2], True)
        self.assertEqual(self.r.get("t"), "after")

        p.incr("s").set("u", "v")
        with self.assertRaises(redis.ResponseError) as caught:
            p.execute()
        # redis-py names the failed command (its INCR is INCRBY k 1) and its place.
        self.assertIn("Command # 1 (INCRBY s 1) of pipeline caused error", str(caught.exception))
        self.assertEqual(self.r.get("u"), "v")

    def test_transactional_pipeline_discarded_after_a_queueing_error(self):
        p = self.r.pipeline()
        p.set("before", "1").execute_command("SET", "only-a-key").set("after", "1")
        with self.assertRaises(redis.ResponseError) as caught:
            p.execute()  # EXECABORT; redis-py raises the queueing error
        self.assertIn("wrong number of arguments", str(caught.exception))
        self.assertEqual(self.r.exists("before", "after"), 0)

    def test_pipeline_without_transaction(self):
        p = self.r.pipeline(transaction=False)
        for _ in range(100):
            p.incr("counter")
        self.assertEqual(p.execute(), list(range(1, 101)))

        p.set("s", "x").incrbyfloat("s", 1.5).get("s")
        replies = p.execute(raise_on_error=False)
        self.assertIs(replies[0], True)
        self.assertIsInstance(replies[1], redis.ResponseError)
        self.assertIn("not a valid float", str(replies[1]))
        self.assertEqual(replies[2], "x")


class WatchTest(ServerTestCase):
    def test_watch_retry_loop_with_a_conflicting_writer(self):
        self.r.set("balance", 10)
        writer = self.client()
        attempts = 0
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch("balance")  # immediate mode: commands run now
                    attempts += 1
                    balance = int(pipe.get("balance"))
                    if attempts == 1:
                        # Another client changes the key between WATCH and EXEC.
                        self.assertEqual(writer.incrby("balance", 100), 110)
                    pipe.multi()
                    pipe.set("balance", balance + 1)
                    pipe.execute()
                    break
                except redis.WatchError:
                    self.assertEqual(attempts, 1, "only the first attempt conflicts")
        self.assertEqual(attempts, 2)
        self.assertEqual(self.r.get("balance"), "111")  # read 110 on the retry, wrote 111

    def test_transaction_helper_retries_on_watch_error(self):
        self.r.set("k", "v1")
        writer = self.client()
        calls = []

        def append_suffix(pipe):
            calls.append(1)
            current = pipe.get("k")
            if len(calls) == 1:
                writer.set("k", "v2")
            pipe.multi()
            pipe.set("k", current + "+")

        self.assertEqual(self.r.transaction(append_suffix, "k"), [True])
        self.assertEqual(len(calls), 2)
        self.assertEqual(self.r.get("k"), "v2+")

    def test_exec_succeeds_when_only_other_keys_change(self):
        self.r.set("watched", "1")
        writer = self.client()
        with self.r.pipeline() as pipe:
            pipe.watch("watched")
            writer.set("other", "x")
            pipe.multi()
            pipe.incr("watched")
            self.assertEqual(pipe.execute(), [2])


def next_message(pubsub, timeout=TIMEOUT):
    """The next message (subscribe confirmations included), or fails after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if message is not None:
            return message
    raise AssertionError(f"no pub/sub message within {timeout} s")


class PubSubTest(ServerTestCase):
    def test_subscribe_psubscribe_and_messages(self):
        p = self.r.pubsub()
        self.addCleanup(p.close)
        p.subscribe("news")
        self.assertEqual(next_message(p),
                         {"type": "subscribe", "pattern": None, "channel": "news", "data": 1})
        p.psubscribe("sport.*")
        self.assertEqual(next_message(p),
                         {"type": "psubscribe", "pattern": None, "channel": "sport.*", "data": 2})

        self.assertEqual(self.r.publish("news", "hello"), 1)
        self.assertEqual(next_message(p),
                         {"type": "message", "pattern": None, "channel": "news", "data": "hello"})
        self.assertEqual(self.r.publish("sport.tennis", "6-4"), 1)
        self.assertEqual(next_message(p), {"type": "pmessage", "pattern": "sport.*",
                                           "channel": "sport.tennis", "data": "6-4"})
        self.assertEqual(self.r.publish("weather", "rain"), 0)  # nobody listens

        self.assertEqual(self.r.pubsub_channels(), ["news"])
        self.assertEqual(self.r.pubsub_numsub("news", "weather"), [("news", 1), ("weather", 0)])
        self.assertEqual(self.r.pubsub_numpat(), 1)

        p.unsubscribe("news")
        self.assertEqual(next_message(p),
                         {"type": "unsubscribe", "pattern": None, "channel": "news", "data": 1})
        p.punsubscribe("sport.*")
        self.assertEqual(next_message(p), {"type": "punsubscribe", "pattern": None,
                                           "channel": "sport.*", "data": 0})
        self.assertEqual(self.r.publish("news", "late"), 0)
        self.assertIsNone(p.get_message(timeout=0.2))

    def test_binary_payload_and_many_subscribers(self):
        raw = redis.Redis(host="127.0.0.1", port=self.server.port,
                          socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.addCleanup(raw.close)
        subscribers = []
        for _ in range(3):
            p = raw.pubsub(ignore_subscribe_messages=True)
            self.addCleanup(p.close)
            p.subscribe("bin")
            subscribers.append(p)
        deadline = time.monotonic() + TIMEOUT
        while raw.pubsub_numsub("bin")[0][1] < 3:  # the SUBSCRIBEs are sent, maybe not read yet
            self.assertLess(time.monotonic(), deadline, "subscribers never registered")
            for p in subscribers:
                p.get_message(timeout=0.01)
        payload = bytes(range(256)) + b"\r\n*1\r\n"
        self.assertEqual(raw.publish("bin", payload), 3)
        for p in subscribers:
            message = next_message(p)
            self.assertEqual((message["type"], message["channel"], message["data"]),
                             ("message", b"bin", payload))

    def test_worker_thread_receives_messages(self):
        received = []
        done = threading.Event()

        def handler(message):
            received.append(message["data"])
            if len(received) == 3:
                done.set()

        p = self.r.pubsub()
        p.subscribe(jobs=handler)
        worker = p.run_in_thread(sleep_time=0.01, daemon=True)
        self.addCleanup(worker.join, TIMEOUT)
        self.addCleanup(worker.stop)  # runs first; the thread then closes the PubSub
        deadline = time.monotonic() + TIMEOUT
        while self.r.pubsub_numsub("jobs")[0][1] < 1:
            self.assertLess(time.monotonic(), deadline, "subscriber never registered")
            time.sleep(0.01)
        for job in ("one", "two", "three"):
            self.r.publish("jobs", job)
        self.assertTrue(done.wait(TIMEOUT), f"got only {received}")
        self.assertEqual(received, ["one", "two", "three"])


class KeyspaceNotificationTest(ServerTestCase):
    def test_set_sends_keyspace_and_keyevent_messages(self):
        self.assertTrue(self.r.config_set("notify-keyspace-events", "KEA"))
        self.assertEqual(self.r.config_get("notify-keyspace-events"),
                         {"notify-keyspace-events": "AKE"})
        p = self.r.pubsub()
        self.addCleanup(p.close)
        p.subscribe("__keyspace@0__:k")
        self.assertEqual(next_message(p)["type"], "subscribe")
        p.psubscribe("__keyevent@0__:*")
        self.assertEqual(next_message(p)["type"], "psubscribe")

        self.r.set("other", "1")  # a keyevent only: the keyspace channel is for k
        self.assertEqual(next_message(p), {"type": "pmessage", "pattern": "__keyevent@0__:*",
                                           "channel": "__keyevent@0__:set", "data": "other"})
        self.r.set("k", "v")
        self.assertEqual(next_message(p), {"type": "message", "pattern": None,
                                           "channel": "__keyspace@0__:k", "data": "set"})
        self.assertEqual(next_message(p), {"type": "pmessage", "pattern": "__keyevent@0__:*",
                                           "channel": "__keyevent@0__:set", "data": "k"})
        self.r.delete("k")
        self.assertEqual(next_message(p), {"type": "message", "pattern": None,
                                           "channel": "__keyspace@0__:k", "data": "del"})
        self.assertEqual(next_message(p), {"type": "pmessage", "pattern": "__keyevent@0__:*",
                                           "channel": "__keyevent@0__:del", "data": "k"})

    def test_no_events_when_disabled(self):
        self.assertEqual(self.r.config_get("notify-keyspace-events"),
                         {"notify-keyspace-events": ""})
        p = self.r.pubsub()
        self.addCleanup(p.close)
        p.psubscribe("__key*__:*")
        self.assertEqual(next_message(p)["type"], "psubscribe")
        self.r.set("k", "v")
        self.r.publish("marker", "x")  # not received; just lets the server catch up
        self.assertIsNone(p.get_message(timeout=0.3))


if __name__ == "__main__":
    unittest.main(verbosity=2)
