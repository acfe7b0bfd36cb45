// node-redis 4 (npm alias redis4) against a real server over RESP2: MULTI/EXEC, WATCH on an
// isolated connection, pub/sub on a duplicated connection.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { HOOK_TIMEOUT, MessageQueue, Server, SUITE_TIMEOUT, TIMEOUT_MS, importClient }
  from './server.mjs';

const { createClient, WatchError } = await importClient('redis4');

let server;
let clients;

async function connect(client) {
  client.on('error', () => {}); // failures surface as rejected commands
  clients.push(client);
  await client.connect();
  return client;
}

function newClient() {
  return connect(createClient({
    socket: { host: '127.0.0.1', port: server.port, connectTimeout: TIMEOUT_MS,
      reconnectStrategy: false },
  }));
}

beforeEach(async () => {
  clients = [];
  server = await new Server().start();
}, HOOK_TIMEOUT);

afterEach(async () => {
  for (const client of clients) {
    if (client.isOpen) await client.disconnect();
  }
  await server.stop();
}, HOOK_TIMEOUT);

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
      let attempts = 0;
      for (;;) {
        attempts++;
        try {
          await r.executeIsolated(async (isolated) => {
            await isolated.watch('seats');
            const seats = Number(await isolated.get('seats'));
            if (attempts === 1) await r.set('seats', '10'); // the main connection writes
            return isolated.multi().set('seats', String(seats - 1)).exec();
          });
          break;
        } catch (err) {
          if (!(err instanceof WatchError)) throw err;
          assert.equal(attempts, 1, 'only the first attempt conflicts');
        }
      }
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
    const messages = new MessageQueue();
    await sub.subscribe('bin', (message, channel) => messages.push([channel, message]), true);
    const payload = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('\r\n*1\r\n')]);
    assert.equal(await pub.publish('bin', payload), 1);
    const [channel, message] = await messages.next();
    assert.deepEqual(channel, Buffer.from('bin'));
    assert.deepEqual(message, payload);
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
