// What every Node client suite shares: a fresh server for each test, the clients a test opens
// closed after it, the WATCH retry loop and the binary payload the suites drive through their
// library. server.mjs runs the server process itself.
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { HOOK_TIMEOUT, MessageQueue, Server } from './server.mjs';

export { MessageQueue, SUITE_TIMEOUT, TIMEOUT_MS, importClient } from './server.mjs';

// Registers the suite's hooks: before each test a server starts, after it every client opened
// through `connect` is closed with `close(client)` (each library has its own way) and the
// server stops, failing the test if it had died. Returns the current server's `port` and
// `connect(client)`, which connects a client object made by the library (not yet connected)
// and keeps it for the teardown.
export function serverPerTest(close) {
  let server;
  let clients;
  beforeEach(async () => {
    clients = [];
    server = await new Server().start();
  }, HOOK_TIMEOUT);
  afterEach(async () => {
    for (const client of clients) await close(client);
    await server.stop();
  }, HOOK_TIMEOUT);
  return {
    get port() { return server.port; },
    async connect(client) {
      client.on('error', () => {}); // failures surface as rejected commands
      clients.push(client);
      await client.connect();
      return client;
    },
  };
}

// Runs a WATCH/MULTI/EXEC `attempt(n)` (n = 1, 2, ...) until one commits, and returns how many
// it took. An attempt returns false when EXEC was aborted because a watched key changed; only the
// first may be, since the tests write to the key during the first attempt alone.
export async function attemptsUntilCommitted(attempt) {
  for (let n = 1; ; n++) {
    if (await attempt(n)) return n;
    assert.equal(n, 1, 'only the first attempt conflicts');
  }
}

// For libraries that reject an aborted EXEC with an error class of their own (node-redis's
// WatchError): true when `exec` (a promise) settles, false when it rejects with `conflict`.
export async function committed(exec, conflict) {
  try {
    await exec;
    return true;
  } catch (err) {
    if (err instanceof conflict) return false;
    throw err;
  }
}

// Every byte value, then `tail` (something that looks like RESP framing): a message that must
// arrive byte for byte.
export function binaryPayload(tail) {
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([everyByte, Buffer.from(tail)]);
}

// node-redis (4 and 5 alike): `sub` subscribes to a channel with a buffer listener and receives
// what `pub` publishes there byte for byte, a binaryPayload(tail).
export async function assertBinaryMessageArrives(pub, sub, tail) {
  const messages = new MessageQueue();
  await sub.subscribe('bin', (message, channel) => messages.push([channel, message]), true);
  const payload = binaryPayload(tail);
  assert.equal(await pub.publish('bin', payload), 1);
  const [channel, message] = await messages.next();
  assert.deepEqual(channel, Buffer.from('bin'));
  assert.deepEqual(message, payload);
}
