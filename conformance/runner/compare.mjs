#!/usr/bin/env node
// Compares two answer files (case-format.md answer lines) field by field.
//
//   node conformance/runner/compare.mjs [--ignore FIELD,...] [--only FIELD,...]
//        [--max N] [--quiet] A.jsonl B.jsonl
//
// Lines are matched by (id, index). Prints every field that differs (A then
// B), the lines present on one side only, and a table of agreement per
// field. Exit status: 0 when every compared field of every line agrees and
// both files hold the same lines, 1 when something differs, 2 on a usage or
// input error.

import fs from 'node:fs';

const FIELDS = ['preflight', 'outcome', 'status', 'exposed', 'error', 'message', 'sent', 'browser'];
const USAGE = 'usage: node conformance/runner/compare.mjs [--ignore FIELD,...] [--only FIELD,...] [--max N] [--quiet] A.jsonl B.jsonl';

function fail(msg) {
  process.stderr.write(`compare.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { ignore: new Set(), only: null, max: Infinity, quiet: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => (i + 1 < argv.length ? argv[++i] : fail(`${a} needs a value`));
    if (a === '--ignore') next().split(',').forEach((f) => o.ignore.add(f));
    else if (a === '--only') o.only = new Set(next().split(','));
    else if (a === '--max') o.max = Number(next());
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) fail(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.files.length !== 2) fail('give exactly two answer files');
  return o;
}

function load(file) {
  const map = new Map();
  const order = [];
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let a;
    try {
      a = JSON.parse(line);
    } catch (e) {
      fail(`${file}:${i + 1}: not JSON: ${e.message}`);
    }
    if (typeof a.id !== 'string' || !Number.isInteger(a.index)) fail(`${file}:${i + 1}: answer line needs a string id and an integer index`);
    const key = `${a.id}#${a.index}`;
    if (map.has(key)) fail(`${file}:${i + 1}: duplicate answer for ${key}`);
    map.set(key, a);
    order.push(key);
  });
  return { map, order };
}

/** Structural equality; object key order does not matter, array order does. */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return deepEqual(ka, kb) && ka.every((k) => deepEqual(a[k], b[k]));
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const [fa, fb] = o.files;
  const A = load(fa);
  const B = load(fb);
  const fields = FIELDS.filter((f) => !o.ignore.has(f) && (!o.only || o.only.has(f)));
  const stats = Object.fromEntries(fields.map((f) => [f, { agree: 0, differ: 0 }]));
  let printed = 0;
  let differentLines = 0;
  const onlyA = A.order.filter((k) => !B.map.has(k));
  const onlyB = B.order.filter((k) => !A.map.has(k));
  const out = [];
  for (const key of A.order) {
    const b = B.map.get(key);
    if (!b) continue;
    const a = A.map.get(key);
    let lineDiffers = false;
    for (const f of fields) {
      if (deepEqual(a[f], b[f])) {
        stats[f].agree++;
      } else {
        stats[f].differ++;
        lineDiffers = true;
        if (!o.quiet && printed < o.max) {
          out.push(`${key} ${f}:\n  A: ${JSON.stringify(a[f])}\n  B: ${JSON.stringify(b[f])}`);
          printed++;
        }
      }
    }
    if (lineDiffers) differentLines++;
  }
  if (!o.quiet) {
    for (const k of onlyA) out.push(`${k}: only in A (${fa})`);
    for (const k of onlyB) out.push(`${k}: only in B (${fb})`);
  }
  const both = A.order.filter((k) => B.map.has(k)).length;
  out.push('');
  out.push(`A = ${fa} (${A.order.length} lines), B = ${fb} (${B.order.length} lines), ${both} compared, ${differentLines} differ`);
  if (onlyA.length || onlyB.length) out.push(`only in A: ${onlyA.length}, only in B: ${onlyB.length}`);
  out.push('field       agree  differ  agreement');
  for (const f of fields) {
    const s = stats[f];
    const n = s.agree + s.differ;
    const pct = n ? ((100 * s.agree) / n).toFixed(1) + '%' : '-';
    out.push(`${f.padEnd(10)} ${String(s.agree).padStart(6)} ${String(s.differ).padStart(7)}  ${pct.padStart(9)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  process.exitCode = differentLines || onlyA.length || onlyB.length ? 1 : 0;
}

main();
