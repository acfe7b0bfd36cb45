#!/usr/bin/python3
"""Regenerates the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) from a real Redis 7.0.

rdb_value_fuzzer gets DUMP payloads of every type and encoding Redis 7.0 writes, plus hand-made
payloads of the older encodings Redis 7.0 still loads (ziplist, zipmap, quicklist 1, text-scored
zsets); rdb_file_fuzzer gets dump.rdb files written by SAVE. The server listens on an ephemeral
loopback port with --save "" and is stopped by its PID.

Usage: tests/fuzz/make_corpus.py [redis-server]   (default /usr/bin/redis-server)
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VALUE_DIR = os.path.join(HERE, "corpus", "rdb_value_fuzzer")
FILE_DIR = os.path.join(HERE, "corpus", "rdb_file_fuzzer")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind in (b"+", b":"):
            return rest
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply %r" % line)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._reply()


def start_redis(binary, directory):
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", directory, "--enable-debug-command", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                client = Client(port)
                client.call("PING")
                return proc, client
            except (OSError, RuntimeError):
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
        stop(proc)
    sys.exit("make_corpus: redis-server did not start")


def stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def fill(r):
    """Keys of every type and encoding, named after what Redis stores them as."""
    r.call("SET", "string-int", "123456")
    r.call("SET", "string-negative", "-70000")
    r.call("SET", "string-embstr", "hello")
    r.call("SET", "string-raw", "".join(chr(33 + (i * 37) % 90) for i in range(80)))
    r.call("SET", "string-lzf", "abcdefgh" * 100)

    r.call("RPUSH", "list-listpack", "a", "17", "-3", "bb", "c" * 100, "-9223372036854775808")
    r.call("CONFIG", "SET", "list-max-listpack-size", "16")
    big = ["element-number-%d" % i for i in range(200)]
    r.call("RPUSH", "list-quicklist", *big)
    r.call("CONFIG", "SET", "list-compress-depth", "1")
    r.call("RPUSH", "list-compressed", *big)
    r.call("CONFIG", "SET", "list-compress-depth", "0")
    r.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    r.call("RPUSH", "list-plain", "a", "p" * 300, "b")
    r.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")

    r.call("HSET", "hash-listpack", "f", "v", "n", "12", "e", "", "neg", "-1")
    r.call("CONFIG", "SET", "hash-max-listpack-entries", "8")
    fields = []
    for i in range(20):
        fields += ["field%d" % i, "value%d" % (i * 7)]
    r.call("HSET", "hash-hashtable", *fields)

    r.call("SADD", "set-intset", "5", "-3", "100000", "9000000000")
    r.call("SADD", "set-words", "x", "y", "12")
    r.call("CONFIG", "SET", "set-max-intset-entries", "8")
    r.call("SADD", "set-many-ints", *[str(i * 3) for i in range(20)])

    r.call("ZADD", "zset-listpack", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0", "e")
    r.call("CONFIG", "SET", "zset-max-listpack-entries", "8")
    members = []
    for i in range(20):
        members += [str(i * 0.25 - 2), "member%d" % i]
    r.call("ZADD", "zset-skiplist", *members)


def dumps(r):
    # rdbcompression applies to DUMP too: LZF-compressed strings and quicklist nodes with it,
    # plain ones without (the payloads that come out the same are kept once).
    seen = set()
    for compression in ("yes", "no"):
        r.call("CONFIG", "SET", "rdbcompression", compression)
        for key in sorted(r.call("KEYS", "*")):
            payload = r.call("DUMP", key)
            if payload not in seen:
                seen.add(payload)
                suffix = "" if compression == "yes" else "-uncompressed"
                write(VALUE_DIR, "redis-" + key.decode() + suffix, payload)
    r.call("CONFIG", "SET", "rdbcompression", "yes")


def save(r, directory, name):
    # Named without ".rdb", which .gitignore keeps out of the tree.
    r.call("SAVE")
    shutil.copyfile(os.path.join(directory, "dump.rdb"), os.path.join(FILE_DIR, name))


# Legacy encodings, built from the format's definition (Redis 7.0 loads them, never writes them).

def crc64(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def payload(type_byte, body):
    data = bytes([type_byte]) + body + struct.pack("<H", 10)
    return data + struct.pack("<Q", crc64(data))


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rdb_str(s):
    return rdb_len(len(s)) + s


def ziplist(items):
    entries = b""
    prev = 0
    tail = 10
    for item in items:
        head = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        if isinstance(item, int):
            if 0 <= item <= 12:
                enc = bytes([0xF1 + item])
            else:
                enc = b"\xc0" + struct.pack("<h", item)
        elif len(item) < 64:
            enc = bytes([len(item)]) + item
        else:
            enc = bytes([0x40 | len(item) >> 8, len(item) & 0xFF]) + item
        entry = head + enc
        tail = 10 + len(entries)
        entries += entry
        prev = len(entry)
    total = 10 + len(entries) + 1
    return struct.pack("<IIH", total, tail, len(items)) + entries + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for field, value in pairs:
        out += bytes([len(field)]) + field + bytes([len(value), 0]) + value
    return out + b"\xff"


def legacy():
    items = [b"a", 7, b"bb", 300, b"c" * 70, 0]
    text_scores = rdb_str(b"a") + bytes([3]) + b"1.5" + rdb_str(b"b") + b"\xfe" + rdb_str(b"c")
    text_scores += b"\x01" + b"7"
    values = {
        "list-ziplist": (10, rdb_str(ziplist(items))),
        "list-quicklist1": (14, rdb_len(2) + rdb_str(ziplist(items)) +
                            rdb_str(ziplist([b"x", 1]))),
        "list-linked": (1, rdb_len(3) + rdb_str(b"a") + rdb_str(b"b") + rdb_str(b"12")),
        "hash-zipmap": (9, rdb_str(zipmap([(b"f", b"v"), (b"n", b"12"), (b"e", b"")]))),
        "hash-ziplist": (13, rdb_str(ziplist([b"f", b"v", b"n", 12, b"e", b""]))),
        "zset-ziplist": (12, rdb_str(ziplist([b"c", b"-inf", b"a", 1, b"b", b"2.5"]))),
        "zset-text-scores": (3, rdb_len(3) + text_scores),
    }
    for name, (type_byte, body) in values.items():
        write(VALUE_DIR, "legacy-" + name, payload(type_byte, body))
    # The same values in a version 6 file, two of them with the older expire opcodes (seconds
    # and milliseconds, both in the future: 2033 and 2100).
    data = b"REDIS0006\xfe\x00"
    for i, (name, (type_byte, body)) in enumerate(values.items()):
        if i == 0:
            data += b"\xfd" + struct.pack("<I", 2000000000)
        elif i == 1:
            data += b"\xfc" + struct.pack("<Q", 4102444800000)
        data += bytes([type_byte]) + rdb_str(name.encode()) + body
    data += b"\xff"
    write(FILE_DIR, "legacy-version-6", data + struct.pack("<Q", crc64(data)))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
    for d in (VALUE_DIR, FILE_DIR):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    directory = tempfile.mkdtemp(prefix="magnetar-corpus-")
    proc, r = start_redis(binary, directory)
    try:
        fill(r)
        dumps(r)
        r.call("PEXPIREAT", "string-embstr", "4102444800000")
        r.call("EXPIRE", "hash-listpack", "100000")
        r.call("SELECT", "3")
        r.call("SET", "in-db-3", "x")
        save(r, directory, "redis-save-all-types")
        r.call("FLUSHALL")
        r.call("SET", "a", "1")
        r.call("RPUSH", "l", "x", "y")
        r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        save(r, directory, "redis-save-lfu")
        r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        save(r, directory, "redis-save-lru")
        r.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
        r.call("FUNCTION", "LOAD",
               "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
        save(r, directory, "redis-save-function")
    finally:
        stop(proc)
        shutil.rmtree(directory, ignore_errors=True)
    legacy()
    for d in (VALUE_DIR, FILE_DIR):
        print("%s: %d seeds" % (os.path.relpath(d, HERE), len(os.listdir(d))))


if __name__ == "__main__":
    main()
