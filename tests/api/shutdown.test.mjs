// Graceful shutdown: SIGTERM while a slow request (a 1,000-row import) is in
// flight still completes that request; the server exits 0; what it
// acknowledged is there after a restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, within, ADMIN_PASSWORD } from './harness.mjs';
import { buildTree, memberBody, countOf } from './fixtures.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.kill();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function importRequest(token, rows) {
  const body = Buffer.from(JSON.stringify({ dry_run: false, rows }));
  const head =
    `POST /api/v1/members/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return { head: Buffer.from(head), body };
}

// Reads one HTTP response (Content-Length framed) from a socket.
function readResponse(sock, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const timer = setTimeout(() => reject(new Error('response timed out')), timeoutMs);
    const tryParse = () => {
      const buf = Buffer.concat(chunks);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m || buf.length < end + 4 + Number(m[1])) return false;
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)[1]);
      const text = buf.subarray(end + 4, end + 4 + Number(m[1])).toString('utf8');
      resolve({ status, head, text, json: JSON.parse(text) });
      return true;
    };
    sock.on('data', (c) => {
      chunks.push(c);
      tryParse();
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      if (!tryParse()) {
        clearTimeout(timer);
        reject(new Error(`connection closed before a full response (${Buffer.concat(chunks).length} bytes)`));
      }
    });
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

test('SIGTERM during a 1,000-row import: the import completes, exit code 0, rows durable after restart', async () => {
  const srv = await startServer();
  servers.push(srv);
  const t = await buildTree(srv, { staff: [['a1_officer', 'countyA1', ['case_officer']]] });
  const before = await countOf(srv, t.admin, '/api/v1/members?page_size=1');

  // 1) The request is on the wire but its body is not complete when SIGTERM arrives.
  const rows1 = Array.from({ length: 1000 }, (_, i) => memberBody(t.units.unitA1, { name: `停机甲${i}` }));
  const req1 = importRequest(t.tokens.a1_officer, rows1);
  const sock1 = await connect(srv.port);
  const resp1 = readResponse(sock1);
  resp1.catch(() => {});
  sock1.write(req1.head);
  sock1.write(req1.body.subarray(0, req1.body.length >> 1));
  await sleep(300);
  srv.proc.kill('SIGTERM');
  await sleep(500);
  assert.equal(srv.exited, null, 'the server waits for the request in flight');
  // New connections are no longer accepted (or at least not served).
  const late = await fetch(srv.base + '/healthz', { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.status,
    () => 'refused',
  );
  assert.equal(late, 'refused', 'no new requests are served after SIGTERM');
  sock1.write(req1.body.subarray(req1.body.length >> 1));
  const r1 = await resp1;
  assert.equal(r1.status, 200, r1.text.slice(0, 300));
  assert.equal(r1.json.created, 1000);
  assert.deepEqual(r1.json.failed, []);
  assert.match(r1.head, /\r\nconnection: close/i, 'the in-flight connection is closed after its response');
  sock1.destroy();
  await srv.stop({ cleanup: false }); // asserts exit code 0

  // 2) Restart on the same store: the acknowledged rows are there.
  const srv2 = await startServer({ reuse: srv });
  servers.push(srv2);
  const admin2 = await srv2.login('admin', ADMIN_PASSWORD);
  assert.equal(await countOf(srv2, admin2, '/api/v1/members?page_size=1'), before + 1000);
  const officer2 = await srv2.login('a1_officer', 'StaffPw2026x');

  // 3) The whole request sent, SIGTERM while the server works on it; an idle
  //    keep-alive connection must not hold the shutdown for the grace period.
  const idle = await connect(srv2.port);
  const idleResp = readResponse(idle);
  idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal((await idleResp).status, 200);

  const rows2 = Array.from({ length: 1000 }, (_, i) => memberBody(t.units.unitA1b, { name: `停机乙${i}` }));
  const req2 = importRequest(officer2, rows2);
  const sock2 = await connect(srv2.port);
  const resp2 = readResponse(sock2);
  resp2.catch(() => {});
  await new Promise((r) => sock2.write(Buffer.concat([req2.head, req2.body]), r));
  await sleep(30);
  const t0 = Date.now();
  srv2.proc.kill('SIGTERM');
  const r2 = await resp2;
  assert.equal(r2.status, 200, r2.text.slice(0, 300));
  assert.equal(r2.json.created, 1000);
  sock2.destroy();
  const exit = await within(srv2.exitPromise, 20_000);
  assert.ok(exit, 'exited');
  const took = Date.now() - t0;
  assert.ok(took < 8000, `shutdown took ${took} ms with an idle keep-alive connection open`);
  idle.destroy();
  await srv2.stop({ cleanup: false });

  const srv3 = await startServer({ reuse: srv });
  servers.push(srv3);
  const admin3 = await srv3.login('admin', ADMIN_PASSWORD);
  assert.equal(await countOf(srv3, admin3, '/api/v1/members?page_size=1'), before + 2000);
  const v = await srv3.api('GET', '/api/v1/audit/verify', { token: admin3 });
  assert.equal(v.json.ok, true, v.text);
  await srv3.stop(); // exit 0 and cleanup
});
