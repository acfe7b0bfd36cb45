// node-redis 5 (npm alias redis5) against a real server over RESP3 (`RESP: 3`, so it connects
// with HELLO 3): MULTI/EXEC, WATCH, and pub/sub delivered as RESP3 push messages. Under RESP3 a
// subscribed connection still runs ordinary commands, and node-redis only routes a message to a
// listener when it arrives as a push (`>`) frame, so a client that subscribes, publishes and
// reads on one connection shows the server speaks RESP3 pub/sub.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MessageQueue, SUITE_TIMEOUT, TIMEOUT_MS, assertBinaryMessageArrives, attemptsUntilCommitted,
  committed, importClient, serverPerTest,
} from './common.mjs';

const { createClient, WatchError } = await importClient('redis5');

const server = serverPerTest((client) => {
  if (client.isOpen) client.destroy();
});

function newClient() {
  return server.connect(createClient({
    RESP: 3,
    socket: { host: '127.0.0.1', port: server.port, connectTimeout: TIMEOUT_MS,
      reconnectStrategy: false },
  }));
}

describe('node-redis 5 RESP3 connection', SUITE_TIMEOUT, () => {
  test('HELLO 3 negotiated: the server says proto 3', async () => {
    const r = await newClient();
    const hello = await r.sendCommand(['HELLO', '3']);
    assert.equal(hello.proto, 3);
    assert.equal(hello.server, 'redis');
  });
});

describe('node-redis 5 RESP3 multi', SUITE_TIMEOUT, () => {
  test('exec returns the replies', async () => {
    const r = await newClient();
    const replies = await r.multi().set('a', '1').incr('a').get('a').mGet(['a', 'missing'])
      .exec();
    assert.deepEqual(replies, ['OK', 2, '2', ['2', null]]);
  });

  test('a queueing error aborts the transaction (EXECABORT)', async () => {
    const r = await newClient();
    // node-redis 5 rejects with the queueing error rather than EXEC's EXECABORT.
    await assert.rejects(
      r.multi().set('before', '1').addCommand(['SET', 'only-a-key']).set('after', '1').exec(),
      /wrong number of arguments for 'set' command/);
    assert.equal(await r.exists(['before', 'after']), 0);
  });

  test('watch: WatchError on a conflicting write, the retry succeeds', async () => {
    const r = await newClient();
    const writer = await newClient();
    await r.set('n', '1');
    const attempts = await attemptsUntilCommitted(async (attempt) => {
      await r.watch('n');
      const n = Number(await r.get('n'));
      if (attempt === 1) await writer.set('n', '100');
      const exec = r.multi().set('n', String(n * 2)).exec();
      return committed(exec.then((replies) => assert.deepEqual(replies, ['OK'])), WatchError);
    });
    assert.equal(attempts, 2);
    assert.equal(await r.get('n'), '200');
  });
});

describe('node-redis 5 RESP3 pub/sub', SUITE_TIMEOUT, () => {
  test('one connection subscribes, runs commands and receives its own messages', async () => {
    const r = await newClient();
    const messages = new MessageQueue();
    await r.subscribe('news', (message, channel) => messages.push(['news', channel, message]));
    await r.pSubscribe('sport.*', (message, channel) =>
      messages.push(['sport.*', channel, message]));

    // Still subscribed, the same connection runs ordinary commands (RESP3 only).
    assert.equal(await r.set('k', 'v'), 'OK');
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.publish('news', 'hello'), 1);
    assert.deepEqual(await messages.next(), ['news', 'news', 'hello']);
    assert.equal(await r.publish('sport.tennis', '6-4'), 1);
    assert.deepEqual(await messages.next(), ['sport.*', 'sport.tennis', '6-4']);

    assert.deepEqual(await r.pubSubChannels(), ['news']);
    assert.deepEqual({ ...await r.pubSubNumSub(['news', 'nobody']) }, { news: 1, nobody: 0 });
    assert.equal(await r.pubSubNumPat(), 1);

    await r.unsubscribe('news');
    await r.pUnsubscribe('sport.*');
    assert.equal(await r.publish('news', 'late'), 0);
    assert.equal(await r.ping(), 'PONG');
    assert.equal(messages.pending, 0);
  });

  test('messages from another client, binary payload', async () => {
    const pub = await newClient();
    const sub = await newClient();
    await assertBinaryMessageArrives(pub, sub, '\r\n>3\r\n');
  });

  test('keyspace notification as a push message', async () => {
    const r = await newClient();
    assert.equal(await r.configSet('notify-keyspace-events', 'KEA'), 'OK');
    const messages = new MessageQueue();
    await r.subscribe('__keyspace@0__:k', (message, channel) => messages.push([channel, message]));
    assert.equal(await r.set('k', 'v'), 'OK');
    assert.deepEqual(await messages.next(), ['__keyspace@0__:k', 'set']);
    assert.equal(await r.incr('k').catch((err) => err.message),
      'ERR value is not an integer or out of range'); // a failed command sends no event
    assert.equal(await r.del('k'), 1);
    assert.deepEqual(await messages.next(), ['__keyspace@0__:k', 'del']);
    assert.equal(messages.pending, 0);
  });
});
