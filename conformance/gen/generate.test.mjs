// Tests of the corpus generator: run with `node --test conformance/gen/`.
// They run the real generator into temporary directories and check what
// the corpus promises: same bytes every run, the committed files current,
// and the structural rules every case must keep.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GEN = path.join(HERE, 'generate.mjs');
const CASES = path.resolve(HERE, '..', 'cases');

function generateInto() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsica-corpus-'));
  execFileSync(process.execPath, [GEN, '--out', dir], { stdio: 'pipe' });
  return dir;
}

function readDir(dir) {
  const out = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

// conformance/cases/random*.jsonl are written by conformance/random/generate.mjs
// (seeded random cases, with rules of their own); this generator owns the rest.
const isOtherGenerators = (f) => f.startsWith('random');

function corpusFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl') && !isOtherGenerators(f)).sort();
}

function loadCases(dir) {
  const all = [];
  for (const f of corpusFiles(dir)) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (line.trim()) all.push([f, JSON.parse(line)]);
    }
  }
  return all;
}

test('two runs write the same bytes', () => {
  const a = generateInto();
  const b = generateInto();
  try {
    assert.deepEqual(readDir(a), readDir(b));
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});

test('--check passes on the committed files and fails on a changed one', () => {
  const ok = spawnSync(process.execPath, [GEN, '--check'], { stdio: 'pipe' });
  assert.equal(ok.status, 0, ok.stderr.toString());
  // A copy of the corpus with one byte changed must be reported stale.
  const dir = generateInto();
  try {
    const f = path.join(dir, 'odd.jsonl');
    fs.appendFileSync(f, '\n');
    const bad = spawnSync(process.execPath, [GEN, '--check', '--out', dir], { stdio: 'pipe' });
    assert.equal(bad.status, 1, bad.stderr.toString());
    assert.match(bad.stderr.toString(), /odd\.jsonl differs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every case keeps the corpus rules', () => {
  const cases = loadCases(CASES);
  assert.ok(cases.length >= 400, `only ${cases.length} cases`);
  const ids = new Set();
  let delay = 0;
  for (const [file, c] of cases) {
    assert.deepEqual(Object.keys(c), ['id', 'origin', 'server', 'requests'], c.id);
    assert.match(c.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    const topic = file.replace(/\.jsonl$/, '');
    const prefix = topic === 'examples' ? 'example-' : `${topic}-`;
    assert.ok(c.id.startsWith(prefix), `${c.id} in ${file}`);
    assert.ok(!ids.has(c.id), `duplicate ${c.id}`);
    ids.add(c.id);
    assert.match(c.origin, /^http:\/\/[a-z0-9.]+\.test:800[1-9]$/);
    for (const url of Object.keys(c.server)) {
      const u = new URL(url);
      assert.equal(u.protocol, 'http:', url);
      assert.ok(u.hostname.endsWith('.test'), url);
      assert.ok(Number(u.port) >= 8001 && Number(u.port) <= 8009, url);
    }
    assert.ok(c.requests.length >= 1 && c.requests.length <= 3, c.id);
    for (const r of c.requests) {
      assert.ok(['cors', 'no-cors', 'same-origin'].includes(r.mode));
      assert.ok(['omit', 'same-origin', 'include'].includes(r.credentials));
      delay += r.delay_ms ?? 0;
    }
  }
  assert.ok(delay < 20000, `total delay ${delay} ms`);
});

test('the corpus covers every topic of the brief', () => {
  const files = corpusFiles(CASES);
  assert.deepEqual(files, ['cache', 'examples', 'expose', 'mode', 'odd', 'preflight', 'redirect', 'seed', 'simple', 'trigger'].map((t) => `${t}.jsonl`));
  const ids = new Set(loadCases(CASES).map(([, c]) => c.id));
  // A sample of cases each part of the brief asks for by name.
  for (const id of [
    'simple-get-acao-trailing-slash-cred-include',
    'simple-safelisted-content-type-mixed-case-cred-same-origin',
    'trigger-header-nine-accept-120-bytes',
    'trigger-header-range-bytes-suffix-500',
    'preflight-order-acah-invalid-method-disallowed',
    'preflight-acah-commas-and-spaces',
    'cache-max-age-abc-twice',
    'cache-include-entry-serves-same-origin',
    'expose-aceh-star-cred-include',
    'redirect-limit-21-redirects-cross-origin',
    'redirect-userinfo-empty-at-same-to-cross',
    'mode-no-cors-put-throws',
    'odd-user-agent-no-preflight-handler',
    'seed-nginx-if-block-preflight-only-max-age',
  ]) {
    assert.ok(ids.has(id), id);
  }
});
