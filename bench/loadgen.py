#!/usr/bin/python3
"""Load generators for what redis-benchmark cannot send, each checking every reply it gets.

  transactions: `clients` connections each keep `depth` transactions in flight; a transaction is
      MULTI, `incrs` x INCR of one shared counter, EXEC, sent in one write. Checks that every EXEC
      returns `incrs` consecutive values (nothing interleaved), that the transactions' first values
      are exactly 1, 1 + incrs, 1 + 2 incrs, ... and that the counter ends at count x incrs.
  fanout: `subscribers` connections SUBSCRIBE to one channel and `patterns` more PSUBSCRIBE each to
      its own pattern matching it; a publisher PUBLISHes `messages` numbered messages of `size`
      bytes, with at most `window` published but not yet received by every subscriber. Checks that
      every PUBLISH reaches subscribers + patterns receivers and that every subscriber receives
      exactly the expected byte stream: every message, in order, nothing else.

Usage: bench/loadgen.py transactions --port P [--clients 50] [--count 100000] [--depth 4]
       bench/loadgen.py fanout --port P [--subscribers 1000] [--patterns 100] [--messages 2000]
Prints one JSON object: the operations done (transactions, or messages delivered to one
subscriber each), the wall time and the p50/p99 latency in ms (a transaction's send to its EXEC
reply; a PUBLISH's send to its arrival at the last subscriber) and, given --server-pid, the
server's CPU seconds (utime + stime) over that time, without connecting and subscribing. Exits 1
with the reason when a check fails or the run exceeds --timeout seconds.
"""

import argparse
import json
import re
import resource
import selectors
import socket
import sys
import time

from bench_common import Client, cpu_seconds, encode


class Failed(Exception):
    pass


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def percentiles(latencies):
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    return pick(0.50), pick(0.99)


def receive_exactly(sock, expected, what):
    data = b""
    while len(data) < len(expected):
        chunk = sock.recv(len(expected) - len(data))
        if not chunk:
            raise Failed(f"{what}: connection closed after {data!r}")
        data += chunk
    if data != expected:
        raise Failed(f"{what}: expected {expected!r}, got {data!r}")


def transactions(port, clients, count, depth, incrs, timeout, pid):
    key = f"__loadgen:counter:{time.time_ns()}"
    request = encode(("MULTI",)) + encode(("INCR", key)) * incrs + encode(("EXEC",))
    # One transaction's replies; the groups are the first and last INCR values.
    reply = re.compile(rb"\+OK\r\n(?:\+QUEUED\r\n){%d}\*%d\r\n:(\d+)\r\n(?::\d+\r\n){%d}:(\d+)\r\n"
                       % (incrs, incrs, incrs - 2))
    selector = selectors.DefaultSelector()
    firsts, latencies = [], []
    sent = 0
    socks = [connect(port) for _ in range(clients)]
    cpu_start = cpu_seconds(pid) if pid else 0
    for sock in socks:
        state = {"sock": sock, "buf": bytearray(), "times": []}
        selector.register(sock, selectors.EVENT_READ, state)
        batch = min(depth, count - sent)
        if batch:
            state["times"] += [time.perf_counter()] * batch
            sock.sendall(request * batch)
            sent += batch
    start = time.perf_counter()
    done = 0
    while done < count:
        if time.perf_counter() - start > timeout:
            raise Failed(f"transactions: {done} of {count} done after {timeout} s")
        for selected, _ in selector.select(timeout=1):
            state = selected.data
            data = state["sock"].recv(1 << 18)
            if not data:
                raise Failed("transactions: the server closed a connection")
            buf = state["buf"]
            buf += data
            pos = finished = 0
            while True:
                match = reply.match(buf, pos)
                if not match:
                    break
                first, last = int(match[1]), int(match[2])
                if last - first != incrs - 1:
                    raise Failed(f"transactions: an EXEC returned {first}..{last}, not "
                                 f"{incrs} consecutive values")
                firsts.append(first)
                pos = match.end()
                finished += 1
            del buf[:pos]
            if buf.startswith(b"-") or b"\r\n-" in buf or len(buf) > 64 * len(request):
                raise Failed(f"transactions: unexpected reply {bytes(buf[:300])!r}")
            now = time.perf_counter()
            times = state["times"]
            latencies += [now - t for t in times[:finished]]
            del times[:finished]
            done += finished
            batch = min(finished, count - sent)
            if batch:
                times += [now] * batch
                state["sock"].sendall(request * batch)
                sent += batch
    wall = time.perf_counter() - start
    cpu = cpu_seconds(pid) - cpu_start if pid else None
    for sock in socks:
        sock.close()
    firsts.sort()
    if firsts != list(range(1, count * incrs, incrs)):
        raise Failed("transactions: the EXECs' first values are not 1, 1 + incrs, ...")
    with Client(port) as client:
        total = int(client.call("GET", key))
        client.call("DEL", key)
    if total != count * incrs:
        raise Failed(f"transactions: counter is {total}, expected {count * incrs}")
    p50, p99 = percentiles(latencies)
    return {"ops": count, "wall_s": wall, "p50_ms": p50, "p99_ms": p99, "cpu_s": cpu}


CHANNEL = "bench:fanout:channel-0001"


def matching_patterns(channel, n):
    """n distinct glob patterns that all match `channel`: a run of its characters replaced by
    `*`, or single characters by `?`."""
    found = []
    for length in range(1, len(channel) + 1):
        for begin in range(len(channel) - length + 1):
            found.append(channel[:begin] + "*" + channel[begin + length:])
            if len(found) == n:
                return found
    raise ValueError(f"fewer than {n} patterns for {channel}")


def bulk(text):
    return b"$%d\r\n%s\r\n" % (len(text), text)


def raise_open_files(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise Failed(f"fanout: needs {needed} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def fanout(port, subscribers, patterns, messages, size, window, timeout, pid):
    raise_open_files(subscribers + patterns + 64)
    channel = CHANNEL.encode()
    payloads = [(b"%012d" % i).ljust(size, b".")[:size] for i in range(messages)]
    bodies = [bulk(p) for p in payloads]
    receivers = subscribers + patterns
    # Every subscriber's whole expected byte stream; each message has the same length in it.
    streams = []
    plain = b"*3\r\n" + bulk(b"message") + bulk(channel)
    streams.append((memoryview(b"".join(plain + b for b in bodies)), len(plain) + len(bodies[0])))
    pats = [p.encode() for p in matching_patterns(CHANNEL, patterns)]
    for pat in pats:
        head = b"*4\r\n" + bulk(b"pmessage") + bulk(pat) + bulk(channel)
        streams.append((memoryview(b"".join(head + b for b in bodies)), len(head) + len(bodies[0])))

    selector = selectors.DefaultSelector()
    socks = []
    for i in range(receivers):
        sock = connect(port)
        socks.append(sock)
        if i < subscribers:
            sock.sendall(encode(("SUBSCRIBE", channel)))
            receive_exactly(sock, b"*3\r\n" + bulk(b"subscribe") + bulk(channel) + b":1\r\n",
                            "SUBSCRIBE")
            stream, length = streams[0]
        else:
            pat = pats[i - subscribers]
            sock.sendall(encode(("PSUBSCRIBE", pat)))
            receive_exactly(sock, b"*3\r\n" + bulk(b"psubscribe") + bulk(pat) + b":1\r\n",
                            "PSUBSCRIBE")
            stream, length = streams[1 + i - subscribers]
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, [sock, stream, length, 0])
    publisher = connect(port)
    publisher.setblocking(False)
    commands = [encode(("PUBLISH", channel, p)) for p in payloads]
    acks = memoryview(b":%d\r\n" % receivers * messages)
    selector.register(publisher, selectors.EVENT_READ, None)
    acked = 0

    received = [0] * messages  # how many receivers have message i
    sent_at = [0.0] * messages
    latencies = []
    sent = complete = 0
    cpu_start = cpu_seconds(pid) if pid else 0
    start = time.perf_counter()
    while complete < messages or acked < len(acks):
        if sent < messages and sent - complete < window:
            batch = min(messages, complete + window) - sent
            now = time.perf_counter()
            for i in range(sent, sent + batch):
                sent_at[i] = now
            publisher.setblocking(True)
            publisher.sendall(b"".join(commands[sent:sent + batch]))
            publisher.setblocking(False)
            sent += batch
        if time.perf_counter() - start > timeout:
            raise Failed(f"fanout: {complete} of {messages} messages reached every receiver "
                         f"after {timeout} s")
        for selected, _ in selector.select(timeout=1):
            if selected.data is None:
                data = publisher.recv(1 << 16)
                if not data or acks[acked:acked + len(data)] != data:
                    raise Failed(f"fanout: PUBLISH replied {data[:100]!r}, expected "
                                 f":{receivers}")
                acked += len(data)
                continue
            state = selected.data
            sock, stream, length, offset = state
            data = sock.recv(1 << 18)
            if not data or stream[offset:offset + len(data)] != data:
                raise Failed(f"fanout: a subscriber got {data[:200]!r} after {offset // length} "
                             f"messages, expected {bytes(stream[offset:offset + 200])!r}")
            state[3] = offset + len(data)
            for i in range(offset // length, state[3] // length):
                received[i] += 1
        now = time.perf_counter()
        while complete < messages and received[complete] == receivers:
            latencies.append(now - sent_at[complete])
            complete += 1
    wall = time.perf_counter() - start
    cpu = cpu_seconds(pid) - cpu_start if pid else None
    for sock in socks + [publisher]:
        sock.close()
    p50, p99 = percentiles(latencies)
    return {"ops": messages * receivers, "wall_s": wall, "p50_ms": p50, "p99_ms": p99,
            "cpu_s": cpu}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("transactions", "fanout"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--server-pid", type=int, default=None,
                        help="the server's PID, to report its CPU time over the measured phase")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--count", type=int, default=100_000, help="transactions")
    parser.add_argument("--depth", type=int, default=4, help="transactions in flight per client")
    parser.add_argument("--incrs", type=int, default=10, help="INCRs per transaction (>= 2)")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--patterns", type=int, default=100)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=64, help="message bytes (>= 12)")
    parser.add_argument("--window", type=int, default=16,
                        help="messages published but not yet received by every subscriber")
    args = parser.parse_args()
    try:
        if args.mode == "transactions":
            result = transactions(args.port, args.clients, args.count, args.depth, args.incrs,
                                  args.timeout, args.server_pid)
        else:
            result = fanout(args.port, args.subscribers, args.patterns, args.messages, args.size,
                            args.window, args.timeout, args.server_pid)
    except (Failed, OSError) as error:
        sys.exit(f"loadgen {args.mode}: {error}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
