// The flash-claim race driver shared by tests/api/flash_race.test.mjs and
// bench/flash_race.mjs: synthetic members with sessions (`gonghui loadtest
// members`) and many keep-alive connections claiming at once.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN } from './harness.mjs';

const execFileP = promisify(execFile);

// Creates `count` members in `unitId` on srv's store and returns [{id, token}].
export async function loadtestMembers(srv, unitId, count, { seed = 0 } = {}) {
  const file = path.join(srv.dataDir, `tokens-${seed}.txt`);
  const args = ['loadtest', 'members', '--data-dir', srv.dataDir, '--unit', String(unitId), '--count', String(count),
    '--seed', String(seed), '--tokens', file];
  if (srv.dbUrl) args.push('--db', srv.dbUrl);
  await execFileP(BIN, args, { timeout: 600_000, maxBuffer: 16 << 20 });
  const text = await readFile(file, 'utf8');
  return text.trim().split('\n').map((line) => {
    const [id, token] = line.split(' ');
    return { id: Number(id), token };
  });
}

function post(port, agent, p, token, key) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, method: 'POST', path: p, agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': 2,
          'idempotency-key': key },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => resolve({ error }));
      },
    );
    req.on('error', (error) => resolve({ error }));
    req.end('{}');
  });
}

// members[i] claims once, through servers[i % servers.length], with an
// Idempotency-Key of its own (a retry after a lost answer replays the first
// result). `concurrency` requests are in flight at any time. A network error
// (the server was killed) stops the race: that member and every one not yet
// sent are reported as `unsent` / `unknown`.
// Returns {acked: [{member, claim, code}], soldOut, already: [member],
// unknown: [member], unsent: [member], other: [...], ms, lastAckMs}.
export async function claimRace({ servers, members, campaignId, concurrency = 256, onAck }) {
  const per = Math.ceil(concurrency / servers.length);
  const agents = servers.map(() => new http.Agent({ keepAlive: true, maxSockets: per }));
  const out = { acked: [], soldOut: 0, already: [], unknown: [], unsent: [], other: [], ms: 0, lastAckMs: 0 };
  const t0 = performance.now();
  let next = 0;
  let stopped = false;
  const target = `/api/v1/campaigns/${campaignId}/claims`;
  async function worker() {
    while (!stopped && next < members.length) {
      const i = next++;
      const m = members[i];
      const s = i % servers.length;
      const r = await post(servers[s].port, agents[s], target, m.token, `flash-${campaignId}-${m.id}`);
      if (r.error) {
        out.unknown.push(m);
        stopped = true;
      } else if (r.status === 201) {
        const j = JSON.parse(r.body);
        out.acked.push({ member: m.id, claim: j.id, code: j.pickup_code });
        out.lastAckMs = performance.now() - t0;
        if (onAck) onAck(out);
      } else if (r.status === 409 && r.body.includes('"campaign.sold_out"')) {
        out.soldOut++;
      } else if (r.status === 409 && r.body.includes('"campaign.already_claimed"')) {
        out.already.push(m.id);
      } else {
        out.other.push({ member: m.id, status: r.status, body: r.body.slice(0, 300) });
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  out.unsent = members.slice(next);
  out.ms = performance.now() - t0;
  for (const a of agents) a.destroy();
  return out;
}
