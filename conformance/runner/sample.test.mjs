// Tests of sample.mjs: the live-browser sample of scripts/test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { sampleFile } from './sample.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const lines = (n, prefix = 'c') =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}-${i}`, origin: 'http://app.test:8001', requests: [] })).join('\n');

test('same seed, same sample; other seed, other sample', () => {
  const opts = { seed: '1', fraction: 0.2, minPerFile: 3, all: false };
  const a = sampleFile('x.jsonl', lines(100), opts);
  const b = sampleFile('x.jsonl', lines(100), opts);
  const c = sampleFile('x.jsonl', lines(100), { ...opts, seed: '2' });
  assert.deepEqual(a, b);
  assert.equal(a.lines.length, 20);
  assert.equal(a.total, 100);
  assert.notDeepEqual(a.lines, c.lines);
});

test('keeps file order, takes at least min-per-file, all of an --all file', () => {
  const opts = { seed: '7', fraction: 0.1, minPerFile: 3, all: false };
  const s = sampleFile('x.jsonl', `${lines(10)}\n\n`, opts);
  assert.equal(s.lines.length, 3);
  const idx = s.lines.map((l) => Number(JSON.parse(l).id.split('-')[1]));
  assert.deepEqual(idx, [...idx].sort((p, q) => p - q));
  assert.equal(sampleFile('x.jsonl', lines(2), opts).lines.length, 2);
  assert.equal(sampleFile('x.jsonl', lines(5), { ...opts, all: true }).lines.length, 5);
});

test('every case is reachable: over many seeds each is drawn', () => {
  const seen = new Set();
  for (let seed = 0; seed < 200; seed++) {
    for (const l of sampleFile('x.jsonl', lines(30), { seed: String(seed), fraction: 0.1, minPerFile: 1, all: false }).lines) {
      seen.add(JSON.parse(l).id);
    }
  }
  assert.equal(seen.size, 30);
});

test('the command writes the sample and names the seed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsica-sample-'));
  fs.writeFileSync(path.join(dir, 'a.jsonl'), lines(40, 'a'));
  fs.writeFileSync(path.join(dir, 'examples.jsonl'), lines(5, 'e'));
  const out = path.join(dir, 'out', 'cases.jsonl');
  const res = execFileSync(
    process.execPath,
    [path.join(here, 'sample.mjs'), '--seed', '42', '--fraction', '0.25', '--all', 'examples.jsonl', '--out', out,
      path.join(dir, 'a.jsonl'), path.join(dir, 'examples.jsonl')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.equal(res, '');
  const got = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id);
  assert.equal(got.length, 15);
  assert.deepEqual(got.slice(10), ['e-0', 'e-1', 'e-2', 'e-3', 'e-4']);
  fs.rmSync(dir, { recursive: true });
});

test('a malformed line is an error naming the file and line', () => {
  assert.throws(() => sampleFile('x.jsonl', '{"id":"a"}\n{oops', { seed: '1', fraction: 1, minPerFile: 0, all: false }), /x\.jsonl:2: not JSON/);
});
