// Shared helpers for the Node benchmarks (Node 20, no npm packages):
// starting the server on a free port with a fresh store, a keep-alive JSON
// client, the synthetic data generator (kept identical to the one in
// bench/raw_import.cpp), and process statistics from /proc.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-/g, '_');
    if (!(key in defaults)) throw new Error(`unknown option ${a}`);
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      out[key] = typeof defaults[key] === 'number' ? Number(v) : v;
    }
  }
  return out;
}

export function freePort() {
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

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- PostgreSQL: a fresh database per run, through the psql client ---------

function pgServerUrl(url, db) {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

export function pgCreateDatabase(url, prefix) {
  const name = `${prefix}_${process.pid}_${Date.now() % 100000000}`;
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  return { name, url: pgServerUrl(url, name) };
}

export function pgDropDatabase(url, name) {
  try {
    execFileSync('psql', [url, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
  } catch (e) {
    console.error(`warning: cannot drop database ${name}: ${e.message}`);
  }
}

// ---- the server --------------------------------------------------------------

export class Server {
  // opts: bin, dataDir, db (URL or ''), adminPassword, extraArgs
  constructor(opts) {
    this.opts = opts;
  }

  async start() {
    this.port = await freePort();
    const args = ['serve', '--port', String(this.port), '--data-dir', this.opts.dataDir,
      '--admin-password', this.opts.adminPassword, ...(this.opts.extraArgs || [])];
    if (this.opts.db) args.push('--db', this.opts.db);
    const log = openSync(path.join(this.opts.dataDir, 'server.log'), 'a');
    this.proc = spawn(this.opts.bin, args, { stdio: ['ignore', log, log] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve({ code, sig })));
    this.base = `http://127.0.0.1:${this.port}`;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    for (let i = 0; i < 300; i++) {
      if (this.proc.exitCode !== null) break;
      try {
        const r = await this.request('GET', '/healthz');
        if (r.status === 200) return this;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`server did not start; see ${path.join(this.opts.dataDir, 'server.log')}`);
  }

  get pid() {
    return this.proc.pid;
  }

  // Resolves {status, body (parsed JSON or text), ms}.
  request(method, p, body, headers = {}) {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(`${this.base}${p}`, { method, headers: h, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if ((res.headers['content-type'] || '').includes('json')) {
            try { parsed = JSON.parse(text); } catch { /* leave as text */ }
          }
          resolve({ status: res.statusCode, body: parsed, ms });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  // Like request, but throws unless the status is 2xx.
  async api(method, p, body) {
    const r = await this.request(method, p, body);
    if (r.status < 200 || r.status > 299) {
      const detail = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      throw new Error(`${method} ${p} → ${r.status}: ${detail.slice(0, 600)}`);
    }
    return r.body;
  }

  async login(username, password) {
    this.token = undefined;
    const r = await this.api('POST', '/api/v1/auth/login', { username, password });
    this.token = r.token;
    return r;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.agent.destroy();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
    await this.exited;
    clearTimeout(timer);
  }
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// ---- /proc --------------------------------------------------------------------

const TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS; // utime + stime
}

export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

// Samples the RSS of pid every `ms` until stopped; returns the peak.
export function rssSampler(pid, ms = 250) {
  let peak = rssMiB(pid);
  const t = setInterval(() => {
    try { peak = Math.max(peak, rssMiB(pid)); } catch { /* exited */ }
  }, ms);
  return { stop: () => { clearInterval(t); try { peak = Math.max(peak, rssMiB(pid)); } catch { /* */ } return peak; } };
}

export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return { nproc: os.cpus().length, cpu: cpu ? cpu[1] : 'unknown', load: os.loadavg().map((x) => x.toFixed(2)).join(' ') };
}

// Runs fn(item, index) over items with at most `limit` in flight.
export async function pool(items, limit, fn) {
  let next = 0;
  const workers = [];
  for (let w = 0; w < Math.min(limit, items.length); w++) {
    workers.push((async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    })());
  }
  await Promise.all(workers);
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

// ---- synthetic data (same as bench/raw_import.cpp) ----------------------------

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function orgCodeValue(ch) {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  return ch.charCodeAt(0) - 55; // A = 10 … Z = 35
}

// GB 11714: the 9th character of the organisation code.
export function orgCodeCheck(first8) {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCodeValue(first8[i]) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

// GB 32100: authority, category, region (6), org code (8 + check), check.
export function makeCreditCode(authority, category, region6, org8) {
  const first17 = authority + category + region6 + org8 + orgCodeCheck(org8);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
  return first17 + CREDIT_CHARS[(31 - (sum % 31)) % 31];
}

const CID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function makeCitizenId(region6, y, m, d, seq) {
  const first17 = region6 + String(y).padStart(4, '0') + String(m).padStart(2, '0') +
    String(d).padStart(2, '0') + String(seq).padStart(3, '0');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * CID_WEIGHTS[i];
  return first17 + '10X98765432'[sum % 11];
}

function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙',
  '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳',
  '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华'];
const PREFIXES = ['13', '15', '17', '18', '19'];
const BIRTH_DAYS = 15341; // 1963-01-01 … 2004-12-31
const BIRTH_BASE = Date.UTC(1963, 0, 1);

// Member row g (0-based) in the unit with the given id and region.
export function memberRow(g, unitId, region6) {
  const h = fmix32((Math.imul(g, 2654435761 | 0) + 1) >>> 0);
  const h2 = fmix32((h ^ 0x9e3779b9) >>> 0);
  let name = SURNAMES[h % 24] + GIVEN[(h >>> 5) % 24];
  if ((h >>> 10) % 10 < 6) name += GIVEN[(h >>> 14) % 24];
  const birth = new Date(BIRTH_BASE + (g % BIRTH_DAYS) * 86400000);
  const seq = 2 * Math.floor(g / BIRTH_DAYS) + ((h >>> 20) & 1);
  const f = (h2 >>> 11) % 100;
  return {
    name,
    citizen_id: makeCitizenId(region6, birth.getUTCFullYear(), birth.getUTCMonth() + 1, birth.getUTCDate(), seq),
    phone: PREFIXES[(h >>> 24) % 5] + String(h2 % 1000000000).padStart(9, '0'),
    unit_id: unitId,
    household: (h2 >>> 3) % 100 < 68 ? 'urban' : 'rural',
    employment_form: f < 80 ? 'standard' : f < 90 ? 'courier' : 'delivery_rider',
    employment_status: 'in_service',
  };
}

// The hierarchy under an existing top org: province 云南 (530000) → its
// cities → their counties → `units` grassroots unions (spread round-robin
// over the counties), each with one unit. Returns {province, cities,
// counties, units: [{id, org_id, region}]}.
export async function createHierarchy(server, { units, concurrency = 8, progress = () => {} }) {
  const top = (await server.api('GET', '/api/v1/orgs?page_size=1')).items[0];
  const province = await server.api('POST', '/api/v1/orgs',
    { name: '云南省总工会', level: 'province', parent_id: top.id, region_code: '530000' });
  const cityRegions = (await server.api('GET', '/api/v1/regions?parent=530000')).items;
  const cities = [];
  const counties = [];
  for (const cr of cityRegions) {
    const city = await server.api('POST', '/api/v1/orgs',
      { name: `${cr.name}总工会`, level: 'city', parent_id: province.id, region_code: cr.code });
    cities.push(city);
    const countyRegions = (await server.api('GET', `/api/v1/regions?parent=${cr.code}`)).items;
    await pool(countyRegions, concurrency, async (r) => {
      const county = await server.api('POST', '/api/v1/orgs',
        { name: `${r.name}总工会`, level: 'county', parent_id: city.id, region_code: r.code });
      counties.push({ ...county, region_name: r.name });
    });
  }
  counties.sort((a, b) => a.region_code.localeCompare(b.region_code));
  progress(`orgs: province, ${cities.length} cities, ${counties.length} counties`);
  const out = new Array(units);
  await pool([...Array(units).keys()], concurrency, async (u) => {
    const county = counties[u % counties.length];
    const name = `${county.region_name}第${u + 1}号单位`;
    const g = await server.api('POST', '/api/v1/orgs',
      { name: `${name}工会委员会`, level: 'grassroots', parent_id: county.id, region_code: county.region_code });
    const unit = await server.api('POST', '/api/v1/units', {
      name, credit_code: makeCreditCode('9', '1', county.region_code, 'MA' + String(u).padStart(6, '0')),
      region_code: county.region_code, org_id: g.id, industry: 'G', headcount: 0,
    });
    out[u] = { id: unit.id, org_id: g.id, region: county.region_code };
    if ((u + 1) % 1000 === 0) progress(`units: ${u + 1}`);
  });
  return { top, province, cities, counties, units: out };
}

// `rows` member rows spread evenly over the units (the first rows % units
// units get one more), in unit order: the same rows as raw_import.
export function memberRows(units, rows) {
  const per = Math.floor(rows / units.length);
  const extra = rows % units.length;
  const out = [];
  let g = 0;
  for (let u = 0; u < units.length; u++) {
    const n = per + (u < extra ? 1 : 0);
    for (let k = 0; k < n; k++, g++) out.push(memberRow(g, units[u].id, units[u].region));
  }
  return out;
}
