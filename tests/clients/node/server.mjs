// Runs a server process for the Node client-library tests; the twin of ../python/server.py.
//
// The binary is $CLIENTS_SERVER if set (for example /usr/bin/redis-server, to check the tests'
// expectations against real Redis), else $MAGNETAR_SERVER (CTest sets it), else the repository's
// build/magnetar-server. The server listens on 127.0.0.1 on a free ephemeral port, with
// `--save "" --appendonly no`, in a temporary directory that holds its log; stop() ends it by PID
// (SIGTERM, then SIGKILL after 10 s), removes the directory, and fails if the server had died or
// did not exit cleanly. The server is started through
// `setpriv --pdeathsig KILL`, so it dies with the test process even if that is killed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const START_ATTEMPTS = 5;
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

// Socket, command and message timeouts of the tests: a server that never answers fails a test.
export const TIMEOUT_MS = 10_000;
// node:test options that bound a whole describe() block and each beforeEach/afterEach hook
// (a server start may take 5 x 30 s at worst, a stop 10 s and then SIGKILL).
export const SUITE_TIMEOUT = { timeout: 120_000 };
export const HOOK_TIMEOUT = { timeout: 60_000 };

export function serverBinary() {
  return process.env.CLIENTS_SERVER || process.env.MAGNETAR_SERVER ||
    path.join(REPO, 'build', 'magnetar-server');
}

// A free loopback port from the kernel (bind port 0); never Redis's 6379.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

export class Server {
  constructor(...directives) {
    this.binary = serverBinary();
    this.directives = directives; // extra '--name', 'value' arguments
    this.child = null;
    this.port = null;
    this.dir = null;
  }

  get pid() { return this.child?.pid; }

  async start() {
    try {
      fs.accessSync(this.binary, fs.constants.X_OK);
    } catch {
      throw new Error(`no server binary at ${this.binary} (build it, or set CLIENTS_SERVER)`);
    }
    let error;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'magnetar-clients-'));
      this.port = await freePort();
      const log = fs.openSync(path.join(this.dir, 'server.log'), 'w');
      this.child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.binary,
        '--port', String(this.port), '--bind', '127.0.0.1',
        '--save', '', '--appendonly', 'no', ...this.directives],
      { cwd: this.dir, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      this.exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.once('error', () => {}); // a failed spawn also emits 'exit'
      error = await this.#waitReady();
      if (!error) return this;
      const running = this.child.exitCode === null && this.child.signalCode === null;
      await this.stop({ check: false });
      if (running) break; // alive but not answering: another port would not help
    }
    throw new Error(error);
  }

  async #waitReady() {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    const exited = () => this.child.exitCode !== null || this.child.signalCode !== null;
    while (Date.now() < deadline) {
      if (exited()) {
        return `${this.binary} exited (${this.child.exitCode ?? this.child.signalCode}) during ` +
          `startup on port ${this.port}; log:\n${this.logTail()}`;
      }
      // Our child still running after the PONG rules out a stranger on the port.
      if (await answersPing(this.port) && !exited()) return null;
      await sleep(20);
    }
    return `${this.binary} did not answer PING on port ${this.port}; log:\n${this.logTail()}`;
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8')
        .split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  // Stops the server. With check, throws if it had died or does not exit cleanly (status 0
  // after SIGTERM, within the grace period), with its log: a crash, or a sanitizer's report at
  // exit, fails the test.
  async stop({ check = true } = {}) {
    const child = this.child;
    this.child = null;
    let problem = null;
    const status = () => child.exitCode ?? child.signalCode;
    if (child) {
      if (status() !== null) {
        problem = `exited with status ${status()} before the end of the test`;
      } else {
        child.kill('SIGTERM');
        let timer;
        const timedOut = await Promise.race([
          this.exited.then(() => false),
          new Promise((resolve) => { timer = setTimeout(resolve, STOP_GRACE_MS, true); }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          child.kill('SIGKILL');
          await this.exited;
          problem = `did not exit within ${STOP_GRACE_MS} ms of SIGTERM`;
        } else if (status() !== 0) {
          problem = `exited with status ${status()} on SIGTERM`;
        }
      }
      if (problem) {
        problem = `${this.binary} (port ${this.port}) ${problem}; log:\n${this.logTail()}`;
      }
    }
    if (this.dir) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    }
    if (problem && check) throw new Error(problem);
  }
}

// Imports a client library from tests/clients/node_modules, with a hint when it is not installed.
export async function importClient(name) {
  try {
    return await import(name);
  } catch (e) {
    if (e.code === 'ERR_MODULE_NOT_FOUND') {
      throw new Error(`${name} is not installed: run \`npm ci\` in tests/clients ` +
        '(bash .ci/install-deps.sh does)', { cause: e });
    }
    throw e;
  }
}

// Waits for a value that an event handler pushes: resolves with the next one, or rejects after
// TIMEOUT_MS. Use `queue.push` as (or inside) the handler.
export class MessageQueue {
  #items = [];
  #waiters = [];

  push = (item) => {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  };

  next(timeoutMs = TIMEOUT_MS) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(deliver), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const deliver = (item) => { clearTimeout(timer); resolve(item); };
      this.#waiters.push(deliver);
    });
  }

  get pending() { return this.#items.length; }
}
