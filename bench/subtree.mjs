#!/usr/bin/env node
// Benchmark (c): subtree queries over a store with more than 10,000 orgs.
//
// Loads the seed-scale demo data (`gonghui demo --scale seed`: 云南 province,
// 16 cities, 129 counties, 5,314 grassroots unions with a unit each, 352,300
// members) into a fresh store, starts the server on a free port, adds
// --extra-orgs grassroots unions through the API (spread over the counties)
// so the province's subtree holds more than 10,000 orgs, then times each
// query --n times one after another (after --warmup untimed runs) on one
// keep-alive connection and reports p50/p90/p99/max of the client-side
// latency.
//
//   node bench/subtree.mjs [--n 300] [--warmup 20] [--extra-orgs 5000]
//        [--pg postgresql://…] [--admin-password …] [--keep] [--scale seed|small]
import { execFileSync } from 'node:child_process';
import {
  parseArgs, Server, tempDir, removeDir, pgCreateDatabase, pgDropDatabase, pool, percentile, machine,
} from './lib.mjs';

const opt = parseArgs(process.argv.slice(2), {
  n: 300, warmup: 20, extra_orgs: 5000, scale: 'seed', pg: '', admin_password: 'Bench@2026', keep: false, quiet: false,
});
const bin = process.env.GONGHUI_BIN || 'build/gonghui';
const store = opt.pg ? 'postgres' : 'sqlite';
const log = (s) => { if (!opt.quiet) console.error(`[subtree ${store}] ${s}`); };

const dataDir = tempDir('gh-bench-subtree-');
const db = opt.pg ? pgCreateDatabase(opt.pg, 'gh_bench_subtree') : null;
const server = new Server({ bin, dataDir, db: db ? db.url : '', adminPassword: opt.admin_password });
try {
  const t0 = Date.now();
  const demoArgs = ['demo', '--scale', opt.scale, '--data-dir', dataDir, '--admin-password', opt.admin_password];
  if (db) demoArgs.push('--db', db.url);
  execFileSync(bin, demoArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  log(`seed data loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await server.start();
  await server.login('admin', opt.admin_password);

  const province = (await server.api('GET', '/api/v1/orgs?level=province&page_size=1')).items[0];
  const city = (await server.api('GET', `/api/v1/orgs?org_id=${province.id}&level=city&page_size=1`)).items[0];
  const counties = (await server.api('GET', `/api/v1/orgs?org_id=${province.id}&level=county&page_size=200`)).items;
  const county = (await server.api('GET', `/api/v1/orgs?org_id=${city.id}&level=county&page_size=1`)).items[0];

  const t1 = Date.now();
  await pool([...Array(opt.extra_orgs).keys()], 8, async (i) => {
    const c = counties[i % counties.length];
    await server.api('POST', '/api/v1/orgs',
      { name: `${c.name.replace('总工会', '')}扩展第${i + 1}号工会委员会`, level: 'grassroots', parent_id: c.id, region_code: c.region_code });
  });
  log(`${opt.extra_orgs} extra orgs in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const orgTotal = (await server.api('GET', `/api/v1/orgs?org_id=${province.id}&page_size=1`)).total;
  const allOrgs = (await server.api('GET', '/api/v1/orgs?page_size=1')).total;
  if (opt.scale === 'seed' && orgTotal <= 10000) throw new Error(`only ${orgTotal} orgs under the province`);

  const queries = [
    [`GET /api/v1/orgs?org_id=<province>&page_size=50`, `/api/v1/orgs?org_id=${province.id}&page_size=50`],
    [`GET /api/v1/orgs?org_id=<province>&page_size=50&page=200`, `/api/v1/orgs?org_id=${province.id}&page_size=50&page=200`],
    [`GET /api/v1/orgs?org_id=<city>&page_size=50`, `/api/v1/orgs?org_id=${city.id}&page_size=50`],
    [`GET /api/v1/orgs/<province>/children`, `/api/v1/orgs/${province.id}/children`],
    [`GET /api/v1/members?org_id=<county>&page_size=50`, `/api/v1/members?org_id=${county.id}&page_size=50`],
    [`GET /api/v1/members?org_id=<city>&page_size=50`, `/api/v1/members?org_id=${city.id}&page_size=50`],
    [`GET /api/v1/members?org_id=<province>&page_size=50`, `/api/v1/members?org_id=${province.id}&page_size=50`],
    [`GET /api/v1/orgs/<province>/summary`, `/api/v1/orgs/${province.id}/summary`],
  ];
  const results = [];
  for (const [label, path] of queries) {
    let total = '';
    for (let i = 0; i < opt.warmup; i++) {
      const r = await server.request('GET', path);
      if (r.status !== 200) throw new Error(`${path} → ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      total = r.body.total ?? (r.body.children ? r.body.children.length : r.body.members ? r.body.members.total : '');
    }
    const ms = [];
    for (let i = 0; i < opt.n; i++) {
      const r = await server.request('GET', path);
      if (r.status !== 200) throw new Error(`${path} → ${r.status}`);
      ms.push(r.ms);
    }
    ms.sort((a, b) => a - b);
    const res = { label, total, p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: ms[ms.length - 1] };
    results.push(res);
    console.log(`RESULT store=${store} query="${label}" total=${total} n=${opt.n} p50_ms=${res.p50.toFixed(2)} ` +
      `p90_ms=${res.p90.toFixed(2)} p99_ms=${res.p99.toFixed(2)} max_ms=${res.max.toFixed(2)}`);
  }
  const m = machine();
  console.log();
  console.log(`store: ${store}; ${allOrgs} orgs in all, ${orgTotal} under the province (id ${province.id}); ` +
    `city = ${city.name} (id ${city.id}), county = ${county.name} (id ${county.id}); demo scale ${opt.scale}`);
  console.log();
  console.log(`| query (${store}) | items in subtree | p50 | p90 | p99 | max |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(`| \`${r.label}\` | ${r.total} | ${r.p50.toFixed(1)} ms | ${r.p90.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`);
  console.log();
  console.log(`${opt.n} sequential requests each after ${opt.warmup} warm-up requests, one keep-alive connection, ` +
    `client-side latency; machine: ${m.nproc} cores (${m.cpu}), load average at the end ${m.load}`);
} finally {
  await server.stop();
  if (db && !opt.keep) pgDropDatabase(opt.pg, db.name);
  if (!opt.keep) removeDir(dataDir);
  else log(`kept ${dataDir}${db ? ` and database ${db.name}` : ''}`);
}
