#!/usr/bin/env node
// Benchmark (b): bulk import of members through POST /api/v1/members/import.
//
// For each batch size: starts the server (GONGHUI_BIN, default
// build/gonghui) on a free port with a fresh --data-dir (and a fresh
// PostgreSQL database with --pg URL), logs in as admin, creates province 云南
// (530000) → its cities → counties → --units grassroots unions with one unit
// each through the API, generates --rows member rows and serialises the
// request bodies, and only then starts the clock: POST
// /api/v1/members/import {dry_run:false, rows:[…]} in batches, --inflight
// requests at a time. Afterwards GET /api/v1/members must report exactly
// --rows members.
//
//   node bench/import.mjs [--batches 1000,5000] [--inflight 4] [--rows 352300]
//        [--units 5314] [--pg postgresql://…] [--admin-password …] [--keep]
//        [--profile perf.data]
//
// --profile records the server with `perf record -g --call-graph dwarf`
// during the timed phase only (the figures are then not comparable).
//
// Prints one RESULT line per batch size and a Markdown table.
import { spawn } from 'node:child_process';
import {
  parseArgs, Server, tempDir, removeDir, pgCreateDatabase, pgDropDatabase, createHierarchy,
  memberRows, cpuSeconds, rssSampler, machine, pool,
} from './lib.mjs';

const opt = parseArgs(process.argv.slice(2), {
  batches: '1000,5000', inflight: 4, rows: 352300, units: 5314, pg: '', admin_password: 'Bench@2026',
  setup_concurrency: 8, keep: false, quiet: false, profile: '',
});
const bin = process.env.GONGHUI_BIN || 'build/gonghui';
const store = opt.pg ? 'postgres' : 'sqlite';
const log = (s) => { if (!opt.quiet) console.error(`[import ${store}] ${s}`); };

async function metric(server, name) {
  const r = await server.request('GET', '/metrics');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(r.body);
  return m ? Number(m[1]) : NaN;
}

async function runOnce(batch) {
  const dataDir = tempDir('gh-bench-import-');
  const db = opt.pg ? pgCreateDatabase(opt.pg, 'gh_bench_import') : null;
  const server = new Server({ bin, dataDir, db: db ? db.url : '', adminPassword: opt.admin_password });
  try {
    await server.start();
    await server.login('admin', opt.admin_password);
    const t0 = Date.now();
    const h = await createHierarchy(server, { units: opt.units, concurrency: opt.setup_concurrency, progress: log });
    const setupS = (Date.now() - t0) / 1000;
    log(`hierarchy: ${h.counties.length} counties, ${h.units.length} units in ${setupS.toFixed(1)} s`);

    // Everything the client does before the clock starts: rows and bodies.
    const rows = memberRows(h.units, opt.rows);
    const bodies = [];
    for (let i = 0; i < rows.length; i += batch)
      bodies.push(JSON.stringify({ dry_run: false, rows: rows.slice(i, i + batch) }));
    const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
    log(`${rows.length} rows in ${bodies.length} requests of ≤${batch} rows (${(bytes / 1048576).toFixed(1)} MiB)`);

    const commits0 = await metric(server, 'gonghui_store_commits_total');
    const commitS0 = await metric(server, 'gonghui_store_commit_duration_seconds_sum');
    const cpu0 = cpuSeconds(server.pid);
    const client0 = process.cpuUsage();
    const rss = rssSampler(server.pid);
    let perf = null;
    if (opt.profile) {
      const file = opt.batches.includes(',') ? opt.profile.replace(/(\.data)?$/, `-${batch}$1`) : opt.profile;
      perf = spawn('perf', ['record', '-F', '499', '--call-graph', 'dwarf,16384', '-p', String(server.pid), '-o', file],
        { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1000));
    }
    const latencies = [];
    let created = 0;
    const start = process.hrtime.bigint();
    await pool(bodies, opt.inflight, async (body, i) => {
      const r = await server.request('POST', '/api/v1/members/import', body);
      if (r.status !== 200 || r.body.failed.length !== 0) {
        const detail = typeof r.body === 'string' ? r.body : JSON.stringify(r.body.failed ? r.body.failed.slice(0, 3) : r.body);
        throw new Error(`batch ${i}: ${r.status} ${detail.slice(0, 600)}`);
      }
      created += r.body.created;
      latencies.push(r.ms);
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (perf) {
      perf.kill('SIGINT');
      await new Promise((r) => perf.on('exit', r));
    }
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const cu = process.cpuUsage(client0);
    const clientCpu = (cu.user + cu.system) / 1e6;
    const peakRss = rss.stop();
    const commits = (await metric(server, 'gonghui_store_commits_total')) - commits0;
    const commitS = (await metric(server, 'gonghui_store_commit_duration_seconds_sum')) - commitS0;

    const total = (await server.api('GET', '/api/v1/members?page_size=1')).total;
    if (created !== opt.rows || total !== opt.rows)
      throw new Error(`expected ${opt.rows} members, the import reported ${created} and GET /api/v1/members ${total}`);
    latencies.sort((a, b) => a - b);
    return {
      store, batch, rows: opt.rows, requests: bodies.length, seconds, perS: opt.rows / seconds, serverCpu, clientCpu,
      peakRss, commits, commitS, setupS, p50: latencies[Math.floor(latencies.length / 2)],
      max: latencies[latencies.length - 1], mib: bytes / 1048576,
    };
  } finally {
    await server.stop();
    if (db && !opt.keep) pgDropDatabase(opt.pg, db.name);
    if (!opt.keep) removeDir(dataDir);
    else log(`kept ${dataDir}${db ? ` and database ${db.name}` : ''}`);
  }
}

const results = [];
for (const b of opt.batches.split(',').map(Number)) {
  const r = await runOnce(b);
  results.push(r);
  console.log(`RESULT store=${r.store} batch=${r.batch} inflight=${opt.inflight} rows=${r.rows} seconds=${r.seconds.toFixed(2)} ` +
    `members_per_s=${r.perS.toFixed(0)} server_cpu_s=${r.serverCpu.toFixed(1)} client_cpu_s=${r.clientCpu.toFixed(1)} ` +
    `peak_rss_mib=${r.peakRss.toFixed(0)} commits=${r.commits} commit_s=${r.commitS.toFixed(2)} ` +
    `request_p50_ms=${r.p50.toFixed(0)} request_max_ms=${r.max.toFixed(0)} setup_s=${r.setupS.toFixed(1)}`);
}
const m = machine();
console.log();
console.log(`| store | rows/request | in flight | members | seconds | members/s | server CPU s | client CPU s | commits (time in COMMIT) | request p50 / max | server peak RSS |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const r of results)
  console.log(`| ${r.store} | ${r.batch} | ${opt.inflight} | ${r.rows} | ${r.seconds.toFixed(2)} | **${r.perS.toFixed(0)}** | ` +
    `${r.serverCpu.toFixed(1)} | ${r.clientCpu.toFixed(1)} | ${r.commits} (${r.commitS.toFixed(2)} s) | ` +
    `${r.p50.toFixed(0)} / ${r.max.toFixed(0)} ms | ${r.peakRss.toFixed(0)} MiB |`);
console.log();
console.log(`machine: ${m.nproc} cores (${m.cpu}), load average at the end ${m.load}`);
