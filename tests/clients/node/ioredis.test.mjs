// ioredis 5 against a real server: MULTI/EXEC (and WATCH), pipelines, auto-pipelining, pub/sub.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MessageQueue, SUITE_TIMEOUT, TIMEOUT_MS, attemptsUntilCommitted, binaryPayload, importClient,
  serverPerTest,
} from './common.mjs';

const { default: Redis } = await importClient('ioredis');

const server = serverPerTest((client) => client.disconnect());

function connect(options = {}) {
  return server.connect(new Redis({
    host: '127.0.0.1', port: server.port, lazyConnect: true,
    connectTimeout: TIMEOUT_MS, commandTimeout: TIMEOUT_MS,
    retryStrategy: () => null, maxRetriesPerRequest: 0, ...options,
  }));
}

describe('ioredis multi', SUITE_TIMEOUT, () => {
  test('exec returns [error, reply] pairs', async () => {
    const r = await connect();
    const replies = await r.multi().set('a', '1').incr('a').get('a').mget('a', 'missing').exec();
    assert.deepEqual(replies, [[null, 'OK'], [null, 2], [null, '2'], [null, ['2', null]]]);
  });

  test('a runtime error fails one command, the rest run', async () => {
    const r = await connect();
    const replies = await r.multi().set('s', 'text').incr('s').set('t', 'after').exec();
    assert.equal(replies.length, 3);
    assert.deepEqual(replies[0], [null, 'OK']);
    assert.match(replies[1][0].message, /not an integer/);
    assert.deepEqual(replies[2], [null, 'OK']);
    assert.equal(await r.get('t'), 'after');
  });

  test('a queueing error aborts the transaction (EXECABORT)', async () => {
    const r = await connect();
    await assert.rejects(
      r.multi().set('before', '1').call('SET', 'only-a-key').set('after', '1').exec(),
      (err) => {
        assert.match(err.message, /^EXECABORT/);
        assert.match(err.previousErrors[0].message, /wrong number of arguments/);
        return true;
      });
    assert.equal(await r.exists('before', 'after'), 0);
  });

  test('watch: a conflicting write makes exec return null, the retry succeeds', async () => {
    const r = await connect();
    const writer = await connect();
    await r.set('stock', '5');
    const attempts = await attemptsUntilCommitted(async (attempt) => {
      await r.watch('stock');
      const stock = Number(await r.get('stock'));
      if (attempt === 1) await writer.incrby('stock', 10);
      const result = await r.multi().set('stock', String(stock - 1)).exec();
      if (result === null) return false;
      assert.deepEqual(result, [[null, 'OK']]);
      return true;
    });
    assert.equal(attempts, 2);
    assert.equal(await r.get('stock'), '14');
  });
});

describe('ioredis pipeline', SUITE_TIMEOUT, () => {
  test('pipeline returns every reply in order', async () => {
    const r = await connect();
    const p = r.pipeline();
    for (let i = 0; i < 200; i++) p.incr('counter');
    p.set('s', 'x').incrbyfloat('s', 1).get('s');
    const replies = await p.exec();
    assert.equal(replies.length, 203);
    replies.slice(0, 200).forEach(([err, value], i) => {
      assert.equal(err, null);
      assert.equal(value, i + 1);
    });
    assert.deepEqual(replies[200], [null, 'OK']);
    assert.match(replies[201][0].message, /not a valid float/);
    assert.deepEqual(replies[202], [null, 'x']);
  });

  test('auto-pipelining batches concurrent commands', async () => {
    const r = await connect({ enableAutoPipelining: true });
    const keys = Array.from({ length: 500 }, (_, i) => `key:${i}`);
    await Promise.all(keys.map((k, i) => r.set(k, String(i))));
    const values = await Promise.all(keys.map((k) => r.get(k)));
    assert.deepEqual(values, keys.map((_, i) => String(i)));
    assert.equal(await r.dbsize(), 500);
  });
});

describe('ioredis pub/sub', SUITE_TIMEOUT, () => {
  test('subscribe, psubscribe, message and pmessage events, unsubscribe', async () => {
    const pub = await connect();
    const sub = await connect();
    const messages = new MessageQueue();
    sub.on('message', (channel, message) => messages.push(['message', channel, message]));
    sub.on('pmessage', (pattern, channel, message) =>
      messages.push(['pmessage', pattern, channel, message]));

    assert.equal(await sub.subscribe('news', 'alerts'), 2);
    assert.equal(await sub.psubscribe('sport.*'), 3);
    assert.equal(await pub.publish('news', 'hello'), 1);
    assert.deepEqual(await messages.next(), ['message', 'news', 'hello']);
    assert.equal(await pub.publish('sport.tennis', '6-4'), 1);
    assert.deepEqual(await messages.next(), ['pmessage', 'sport.*', 'sport.tennis', '6-4']);

    assert.deepEqual((await pub.pubsub('CHANNELS')).sort(), ['alerts', 'news']);
    assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'nobody'), ['news', 1, 'nobody', 0]);
    assert.equal(await pub.pubsub('NUMPAT'), 1);

    assert.equal(await sub.unsubscribe('news'), 2);
    assert.equal(await pub.publish('news', 'late'), 0);
    assert.equal(await sub.punsubscribe('sport.*'), 1);
    assert.equal(await pub.publish('alerts', 'still here'), 1);
    assert.deepEqual(await messages.next(), ['message', 'alerts', 'still here']);
    assert.equal(messages.pending, 0);

    // Out of subscriber mode once everything is unsubscribed: ordinary commands work again.
    assert.equal(await sub.unsubscribe(), 0);
    assert.equal(await sub.set('k', 'v'), 'OK');
  });

  test('binary payloads arrive byte for byte (messageBuffer)', async () => {
    const pub = await connect();
    const sub = await connect();
    const messages = new MessageQueue();
    sub.on('messageBuffer', (channel, message) => messages.push([channel, message]));
    await sub.subscribe('bin');
    const payload = binaryPayload('\r\n*1\r\n');
    assert.equal(await pub.publish('bin', payload), 1);
    const [channel, message] = await messages.next();
    assert.deepEqual(channel, Buffer.from('bin'));
    assert.deepEqual(message, payload);
  });
});
