// node-redis 4 (npm alias redis4) against a real server over RESP2: MULTI/EXEC, WATCH on an
// isolated connection, pub/sub on a duplicated connection.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MessageQueue, SUITE_TIMEOUT, TIMEOUT_MS, assertBinaryMessageArrives, attemptsUntilCommitted,
  committed, importClient, serverPerTest,
} from './common.mjs';

const { createClient, WatchError } = await importClient('redis4');

const server = serverPerTest(async (client) => {
  if (client.isOpen) await client.disconnect();
});
const connect = (client) => server.connect(client);

function newClient() {
  return connect(createClient({
    socket: { host: '127.0.0.1', port: server.port, connectTimeout: TIMEOUT_MS,
      reconnectStrategy: false },
  }));
}

describe('node-redis 4 multi', SUITE_TIMEOUT, () => {
  test('exec returns the replies', async () => {
    const r = await newClient();
    const replies = await r.multi().set('a', '1').incr('a').get('a').mGet(['a', 'missing'])
      .exec();
    assert.deepEqual(replies, ['OK', 2, '2', ['2', null]]);
  });

  test('a runtime error rejects exec with every reply, the rest run', async () => {
    const r = await newClient();
    await assert.rejects(r.multi().set('s', 'text').incr('s').set('t', 'after').exec(), (err) => {
      assert.deepEqual(err.errorIndexes, [1]);
      assert.equal(err.replies.length, 3);
      assert.equal(err.replies[0], 'OK');
      assert.match(err.replies[1].message, /not an integer/);
      assert.equal(err.replies[2], 'OK');
      return true;
    });
    assert.equal(await r.get('t'), 'after');
  });

  test('a queueing error aborts the transaction (EXECABORT)', async () => {
    const r = await newClient();
    await assert.rejects(
      r.multi().set('before', '1').addCommand(['SET', 'only-a-key']).set('after', '1').exec(),
      /EXECABORT/);
    assert.equal(await r.exists(['before', 'after']), 0);
  });

  test('watch on an isolated connection: WatchError on conflict, the retry succeeds',
    async () => {
      const r = await newClient();
      await r.set('seats', '3');
      const attempts = await attemptsUntilCommitted((attempt) => committed(
        r.executeIsolated(async (isolated) => {
          await isolated.watch('seats');
          const seats = Number(await isolated.get('seats'));
          if (attempt === 1) await r.set('seats', '10'); // the main connection writes
          return isolated.multi().set('seats', String(seats - 1)).exec();
        }), WatchError));
      assert.equal(attempts, 2);
      assert.equal(await r.get('seats'), '9');
    });
});

describe('node-redis 4 pub/sub', SUITE_TIMEOUT, () => {
  test('subscribe, pSubscribe, listeners, unsubscribe', async () => {
    const pub = await newClient();
    const sub = await connect(pub.duplicate());
    const messages = new MessageQueue();
    await sub.subscribe('news', (message, channel) => messages.push(['news', channel, message]));
    await sub.pSubscribe('sport.*', (message, channel) =>
      messages.push(['sport.*', channel, message]));

    assert.equal(await pub.publish('news', 'hello'), 1);
    assert.deepEqual(await messages.next(), ['news', 'news', 'hello']);
    assert.equal(await pub.publish('sport.tennis', '6-4'), 1);
    assert.deepEqual(await messages.next(), ['sport.*', 'sport.tennis', '6-4']);
    assert.equal(await pub.publish('weather', 'rain'), 0);

    assert.deepEqual(await pub.pubSubChannels(), ['news']);
    assert.deepEqual({ ...await pub.pubSubNumSub(['news', 'nobody']) }, { news: 1, nobody: 0 });
    assert.equal(await pub.pubSubNumPat(), 1);

    await sub.unsubscribe('news');
    assert.equal(await pub.publish('news', 'late'), 0);
    await sub.pUnsubscribe('sport.*');
    assert.equal(await pub.publish('sport.golf', 'late'), 0);
    assert.equal(await pub.pubSubNumPat(), 0);
    assert.equal(messages.pending, 0);
  });

  test('binary payloads arrive byte for byte (buffer listener)', async () => {
    const pub = await newClient();
    const sub = await connect(pub.duplicate());
    await assertBinaryMessageArrives(pub, sub, '\r\n*1\r\n');
  });

  test('several subscribers of one channel each get the message', async () => {
    const pub = await newClient();
    const messages = new MessageQueue();
    for (let i = 0; i < 3; i++) {
      const sub = await connect(pub.duplicate());
      await sub.subscribe('fanout', (message) => messages.push(`${i}:${message}`));
    }
    assert.equal(await pub.publish('fanout', 'm'), 3);
    const got = [await messages.next(), await messages.next(), await messages.next()];
    assert.deepEqual(got.sort(), ['0:m', '1:m', '2:m']);
  });
});
