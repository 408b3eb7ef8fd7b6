#!/usr/bin/env node
// Benchmark: the seed's flash campaign end to end. --members synthetic
// members (`gonghui loadtest members`, sessions without Argon2 logins) all
// claim at once over --connections keep-alive connections from one Node
// client, for a campaign of --stock packs. Reports the time until the last
// pack was claimed (the stock is exhausted) and until every member had an
// answer, and checks the store afterwards (exactly --stock claims, no member
// twice). Same driver as tests/api/flash_race.test.mjs.
//
//   node bench/flash_race.mjs [--members 100000] [--stock 15000] [--connections 256]
//        [--pg postgresql://…/db] [--processes 1|2]
//   GONGHUI_BIN   server binary (default build/gonghui)
//
// Prints one RESULT line and a Markdown row.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './lib.mjs';

const opt = parseArgs(process.argv.slice(2), { members: 100000, stock: 15000, connections: 256, pg: '', processes: 1 });
process.env.GONGHUI_BIN ||= path.resolve('build/gonghui');
if (opt.pg) {
  process.env.GONGHUI_TEST_PG = opt.pg;
  process.env.GONGHUI_API_STORE = 'postgres';
} else {
  process.env.GONGHUI_API_STORE = 'sqlite';
}
if (opt.processes > 1 && !opt.pg) throw new Error('--processes 2 needs --pg');
const { startServer } = await import('../tests/api/harness.mjs');
const { buildTree } = await import('../tests/api/fixtures.mjs');
const { loadtestMembers, claimRace } = await import('../tests/api/flash.mjs');

const srv = await startServer({ args: ['--access-log', 'off'] });
const servers = [srv];
try {
  for (let i = 1; i < opt.processes; i++) servers.push(await startServer({ reuse: srv, args: ['--access-log', 'off'] }));
  const t = await buildTree(srv);
  const members = await loadtestMembers(srv, t.units.unitA1, opt.members);
  const now = Date.now();
  const c = await srv.api('POST', '/api/v1/campaigns', {
    token: t.admin,
    body: { org_id: t.orgs.prov, name: 'bench 送清凉', stock: opt.stock, starts_at: new Date(now - 60e3).toISOString(),
      ends_at: new Date(now + 3600e3).toISOString() },
  });
  if (c.status !== 201) throw new Error(c.text);
  const r = await claimRace({ servers, members, campaignId: c.json.id, concurrency: opt.connections });
  const [count, distinct] = (await srv.sql(
    `SELECT COUNT(*), COUNT(DISTINCT member_id) FROM campaign_claims WHERE campaign_id = ${c.json.id}`)).trim().split('|').map(Number);
  const ok = count === opt.stock && distinct === opt.stock && r.acked.length === opt.stock && r.other.length === 0;
  const store = opt.pg ? `PostgreSQL${opt.processes > 1 ? `, ${opt.processes} processes` : ''}` : 'SQLite';
  const soldOut = (r.lastAckMs / 1000).toFixed(1);
  const all = (r.ms / 1000).toFixed(1);
  console.log(`RESULT bench=flash_race store="${store}" members=${opt.members} stock=${opt.stock} sold_out_s=${soldOut} all_answered_s=${all} claims=${count} distinct=${distinct} ok=${ok}`);
  console.log(`| ${store} | ${opt.members.toLocaleString('en')} members, ${opt.stock.toLocaleString('en')} packs, ${opt.connections} connections | ${soldOut} s | ${all} s | ${(opt.members / (r.ms / 1000)).toFixed(0)} answers/s | ${ok ? 'exactly ' + count + ', no member twice' : 'WRONG: ' + count + '/' + distinct} |`);
  console.log(`(${os.cpus().length} cores shared by the server${opt.processes > 1 ? 's' : ''}, PostgreSQL and the client)`);
  if (!ok) process.exitCode = 1;
} finally {
  for (const s of servers.slice(1)) await s.stop({ cleanup: false });
  await srv.stop();
}
