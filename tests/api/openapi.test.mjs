// The API description: served as YAML and JSON, with a browsable page, and
// naming every route the server answers to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startServer } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  if (srv) await srv.stop();
});

test('/api/openapi.json is the YAML description as JSON; /api/docs browses it', async () => {
  const json = await srv.api('GET', '/api/openapi.json');
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type'), /^application\/json/);
  const spec = json.json;
  assert.match(spec.openapi, /^3\./);
  assert.equal(spec.paths['/api/v1/relief/batches'].post['x-permission'], 'fund.pay');
  assert.equal(spec.paths['/api/v1/mutual-aid/claims/{id}/approve'].post['x-permission'], 'claim.review');
  const yaml = await srv.api('GET', '/api/openapi.yaml');
  assert.equal(yaml.status, 200);
  // Every path of the JSON appears in the YAML it was made from.
  for (const p of Object.keys(spec.paths)) assert.ok(yaml.text.includes(`\n  ${p}:\n`), p);
  const page = await srv.api('GET', '/api/docs');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.ok(page.text.includes('/api/openapi.json'));
});

test('every route the server mounts is described', async () => {
  const spec = (await srv.api('GET', '/api/openapi.json')).json;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const src = path.join(here, '..', '..', 'src');
  const { execFileSync } = await import('node:child_process');
  const files = execFileSync('grep', ['-rlE', 'r\\.add(_tx)?\\(', src], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((f) => !f.endsWith('_test.cpp'));
  assert.ok(files.length >= 8, files.join());
  const missing = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/r\.add(?:_tx)?\(\s*(?:http::)?Method::(\w+),\s*"([^"]+)"/g)) {
      const [, name, route] = m;
      const method = name === 'del' ? 'delete' : name;
      if (!route.startsWith('/api/v1/')) continue;
      if (!spec.paths[route]?.[method]) missing.push(`${method.toUpperCase()} ${route}`);
    }
  }
  assert.deepEqual(missing, [], `routes missing from docs/openapi.yaml`);
});
