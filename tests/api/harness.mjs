// End-to-end harness: runs the real `gonghui serve` binary on a free port
// with a fresh store (SQLite in a temp dir, or a fresh PostgreSQL database)
// and talks HTTP to it.
//
//   GONGHUI_BIN         the binary (default /work/main/build/gonghui)
//   GONGHUI_API_STORE   sqlite | postgres (default: postgres when
//                       GONGHUI_TEST_PG is set, else sqlite)
//   GONGHUI_TEST_PG     postgresql://user@host:port/db of a server on which
//                       the harness may CREATE DATABASE (scripts/pg.sh start)
//   GONGHUI_API_KEEP    set to keep temp dirs / databases for inspection
//
// Each test file starts its own server, so files can run in parallel.
import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

const execFileP = promisify(execFile);

export const BIN = process.env.GONGHUI_BIN || '/work/main/build/gonghui';
export const ADMIN_PASSWORD = 'AdminPw2026x';
export const DEMO_PASSWORD = 'Demo@2026';

export function storeKind() {
  const explicit = process.env.GONGHUI_API_STORE;
  const kind = explicit || (process.env.GONGHUI_TEST_PG ? 'postgres' : 'sqlite');
  if (kind !== 'sqlite' && kind !== 'postgres')
    throw new Error(`GONGHUI_API_STORE must be sqlite or postgres, not ${JSON.stringify(kind)}`);
  if (kind === 'postgres' && !process.env.GONGHUI_TEST_PG)
    throw new Error(
      'GONGHUI_API_STORE=postgres needs GONGHUI_TEST_PG=postgresql://postgres@127.0.0.1:55432/gonghui_test ' +
        '(start one with: bash scripts/pg.sh start)',
    );
  return kind;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `promise`, or null once `ms` have passed. The timer is cleared either way:
// a pending one would hold the test process open until it fired.
export async function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function psql(url, sql) {
  const { stdout } = await execFileP('psql', [url, '-v', 'ON_ERROR_STOP=1', '-Atqc', sql], {
    timeout: 30_000,
  });
  return stdout;
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

let serverCounter = 0;

// Starts a server. Options: demo (load `--demo` data), webRoot (--web-root),
// args (extra flags), reuse (a stopped Server whose store to open again).
// Returns a Server; call `await srv.stop()` in after().
export async function startServer(opts = {}) {
  const kind = storeKind();
  let dataDir;
  let dbUrl = null;
  let dbName = null;
  if (opts.reuse) {
    // Restart on a previous server's store (that server stopped with cleanup: false).
    ({ dataDir, dbUrl, dbName } = opts.reuse);
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gonghui-api-'));
  }
  if (kind === 'postgres' && !opts.reuse) {
    dbName = `gh_api_${process.pid}_${serverCounter++}_${randomBytes(4).toString('hex')}`;
    await psql(process.env.GONGHUI_TEST_PG, `CREATE DATABASE ${dbName}`);
    dbUrl = withDatabase(process.env.GONGHUI_TEST_PG, dbName);
  }
  const env = { ...process.env };
  for (const k of ['GONGHUI_DB', 'GONGHUI_ADMIN_PASSWORD', 'GONGHUI_WEB_ROOT', 'GONGHUI_KEYS_FILE']) delete env[k];

  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['serve', '--port', String(port), '--data-dir', dataDir, '--admin-password', ADMIN_PASSWORD];
    if (dbUrl) args.push('--db', dbUrl);
    if (opts.demo) args.push('--demo');
    if (opts.webRoot) args.push('--web-root', opts.webRoot);
    if (opts.args) args.push(...opts.args);
    const srv = new Server({ port, dataDir, dbUrl, dbName, kind, args, env, cwd: opts.cwd ?? dataDir });
    try {
      await srv.start(opts.startTimeoutMs ?? 60_000);
      return srv;
    } catch (e) {
      lastError = e;
      await srv.kill();
      if (!/address|in use|bind/i.test(srv.output())) break;
    }
  }
  throw lastError;
}

export class Server {
  constructor({ port, dataDir, dbUrl, dbName, kind, args, env, cwd }) {
    Object.assign(this, { port, dataDir, dbUrl, dbName, kind, args, env, cwd });
    this.base = `http://127.0.0.1:${port}`;
    this.out = [];
    this.outBytes = 0;
    this.exited = null;
  }

  output() {
    return this.out.join('');
  }

  async start(timeoutMs) {
    this.proc = spawn(BIN, this.args, { env: this.env, cwd: this.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      this.out.push(chunk.toString());
      this.outBytes += chunk.length;
      while (this.outBytes > 256 * 1024 && this.out.length > 1) this.outBytes -= this.out.shift().length;
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
      this.proc.on('error', (err) => {
        this.exited = { code: -1, signal: null, error: err };
        resolve(this.exited);
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited)
        throw new Error(`gonghui exited early (${JSON.stringify(this.exited)}): ${this.output().slice(-4000)}`);
      try {
        const r = await fetch(this.base + '/healthz', { signal: AbortSignal.timeout(2000) });
        const text = await r.text();
        if (r.status === 200) {
          this.healthzBody = text;
          return;
        }
      } catch {
        // not up yet
      }
      await sleep(50);
    }
    throw new Error(`gonghui did not become healthy within ${timeoutMs} ms: ${this.output().slice(-4000)}`);
  }

  // Sends SIGTERM, waits for the exit and asserts a graceful one (code 0).
  async stop({ timeoutMs = 20_000, cleanup = true } = {}) {
    if (!this.proc) return;
    let result = this.exited;
    if (!result) {
      this.proc.kill('SIGTERM');
      result = await within(this.exitPromise, timeoutMs);
      if (!result) {
        this.proc.kill('SIGKILL');
        await this.exitPromise;
      }
    }
    if (cleanup) await this.cleanup();
    assert.ok(result, `gonghui did not exit within ${timeoutMs} ms of SIGTERM`);
    assert.deepEqual(
      { code: result.code, signal: result.signal },
      { code: 0, signal: null },
      `gonghui should shut down gracefully with exit code 0; output tail:\n${this.output().slice(-3000)}`,
    );
  }

  async kill() {
    if (this.proc && !this.exited) {
      this.proc.kill('SIGKILL');
      await this.exitPromise;
    }
    await this.cleanup();
  }

  async cleanup() {
    if (this.cleaned || process.env.GONGHUI_API_KEEP) return;
    this.cleaned = true;
    await rm(this.dataDir, { recursive: true, force: true });
    if (this.dbName) {
      try {
        await psql(process.env.GONGHUI_TEST_PG, `DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
      } catch {
        // best effort
      }
    }
  }

  // ---- HTTP ----

  // api(method, path, {token, body, headers, rawBody, from}) → {status, headers, json, text}
  // `from` picks the client's source address (any 127.x.y.z): the server sees
  // a different client, e.g. for per-address rate limits.
  async api(method, p, { token, body, headers = {}, rawBody, timeoutMs = 60_000, from } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (rawBody !== undefined) {
      payload = rawBody;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const r = from
      ? await httpFrom(this.port, from, method, p, h, payload, timeoutMs)
      : await fetch(this.base + p, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    const text = await r.text();
    let json = null;
    const ct = r.headers.get('content-type') || '';
    if (text && ct.includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    return { status: r.status, headers: r.headers, json, text };
  }

  async loginRaw(username, password, opts = {}) {
    return this.api('POST', '/api/v1/auth/login', { body: { username, password }, ...opts });
  }

  async login(username, password, opts = {}) {
    const r = await this.loginRaw(username, password, opts);
    assert.equal(r.status, 200, `login ${username}: ${r.text}`);
    assert.equal(typeof r.json.token, 'string');
    return r.json.token;
  }

  // A raw HTTP/1.1 exchange over one socket: the target and body go out
  // exactly as given (fetch would normalise "..", "%2e%2e" …).
  raw(requestText, { timeoutMs = 15_000, pauseAfterHeadMs = 0 } = {}) {
    return rawRequest(this.port, requestText, { timeoutMs, pauseAfterHeadMs });
  }

  // Runs SQL directly against this server's store (sqlite3 or psql CLI).
  async sql(query) {
    if (this.kind === 'postgres') return psql(this.dbUrl, query);
    const { stdout } = await execFileP(
      'sqlite3',
      ['-cmd', '.timeout 10000', path.join(this.dataDir, 'gonghui.db'), query],
      { timeout: 30_000 },
    );
    return stdout;
  }
}

// One request over node:http from a chosen local address; answers with a
// fetch-like object ({status, headers.get(), text()}).
function httpFrom(port, localAddress, method, p, headers, payload, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, localAddress, method, path: p, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode,
            headers: { get: (n) => res.headers[n.toLowerCase()] ?? null },
            text: async () => body,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function rawRequest(port, request, { timeoutMs = 15_000, pauseAfterHeadMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      if (!buf.length) {
        reject(err || new Error('no response'));
        return;
      }
      resolve(parseRawResponse(buf));
    };
    const timer = setTimeout(() => finish(new Error('raw request timed out')), timeoutMs);
    sock.on('data', (c) => {
      chunks.push(c);
      // Complete once the whole body (by Content-Length) is in.
      const buf = Buffer.concat(chunks);
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'));
        if (m && buf.length >= end + 4 + Number(m[1])) finish();
      }
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e));
    sock.on('connect', async () => {
      // Write in small pieces and stop as soon as an answer starts (a server
      // refusing a large body answers early and stops reading).
      const parts = Array.isArray(request) ? request : [request];
      for (const [i, part] of parts.entries()) {
        // Like a client sending Expect: 100-continue, give the server a
        // moment to refuse on the headers alone before the body follows.
        if (i === 1 && pauseAfterHeadMs) await new Promise((r) => setTimeout(r, pauseAfterHeadMs));
        const buf = Buffer.isBuffer(part) ? part : Buffer.from(part);
        for (let off = 0; off < buf.length; off += 64 * 1024) {
          if (done || chunks.length) return;
          const ok = await new Promise((res) => sock.write(buf.subarray(off, off + 64 * 1024), (err) => res(!err)));
          if (!ok) return;
        }
      }
    });
  });
}

function parseRawResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  const head = buf.subarray(0, end < 0 ? buf.length : end).toString('latin1');
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = end < 0 ? Buffer.alloc(0) : buf.subarray(end + 4);
  const text = body.toString('utf8');
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status, headers, text, json, bytes: buf };
}

// ---- assertions ----

// Asserts an RFC 9457 problem with the given status; optional field (one of
// errors[].field) and code (the top-level code or one of errors[].code).
export function assertProblem(res, status, { field, code } = {}) {
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(statuses.includes(res.status), `expected status ${statuses.join('|')}, got ${res.status}: ${res.text}`);
  const ct = typeof res.headers.get === 'function' ? res.headers.get('content-type') : res.headers['content-type'];
  assert.match(ct || '', /^application\/problem\+json/, `content-type of a ${res.status}: ${ct}`);
  assert.ok(res.json && typeof res.json === 'object', `problem body is JSON: ${res.text}`);
  assert.equal(res.json.status, res.status, 'problem.status equals the HTTP status');
  assert.equal(typeof res.json.title, 'string');
  assert.equal(typeof res.json.detail, 'string');
  if (field !== undefined) {
    assert.ok(Array.isArray(res.json.errors), `problem has errors[]: ${res.text}`);
    const fields = res.json.errors.map((e) => e.field);
    assert.ok(fields.includes(field), `errors[].field includes ${field}: ${JSON.stringify(fields)}`);
    for (const e of res.json.errors) {
      assert.equal(typeof e.code, 'string');
      assert.equal(typeof e.message, 'string');
    }
  }
  if (code !== undefined) {
    const codes = [res.json.code, ...(res.json.errors || []).map((e) => e.code)];
    assert.ok(codes.includes(code), `problem codes include ${code}: ${JSON.stringify(codes)}`);
  }
  return res.json;
}

export function sha256Hex(data) {
  return createHash('sha256').update(data).digest('hex');
}
