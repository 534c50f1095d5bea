#!/usr/bin/env node
// Compares one browser's answers with two others, line by line, and sorts
// the differences into kinds (used for conformance/webkit-findings.md).
//
//   node conformance/runner/three-way.mjs [--examples N] [--markdown]
//        SUBJECT.jsonl OTHER1.jsonl OTHER2.jsonl
//
// Lines are matched by (id, index). For every field it prints how many
// lines of SUBJECT agree with OTHER1, with OTHER2, with both, with neither.
// `error` and `message` use each browser's own vocabulary, so for them it
// also counts whether the field is null on both sides. Then every
// difference of preflight, outcome, status, exposed and sent is classified
// (`sent`: number of wire requests, method/URL, a header's presence or
// value, header order only, header name case only) with example ids.
// Exit status 0 (it reports, it does not judge), 2 on a usage error.

import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: node conformance/runner/three-way.mjs [--examples N] [--markdown] SUBJECT.jsonl OTHER1.jsonl OTHER2.jsonl';

function parseArgs(argv) {
  const o = { examples: 4, markdown: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--examples') o.examples = Number(argv[++i]);
    else if (a === '--markdown') o.markdown = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.files.length !== 3) usage('give exactly three answer files');
  if (!Number.isInteger(o.examples) || o.examples < 0) usage('--examples must be a non-negative integer');
  return o;
}

function usage(msg) {
  process.stderr.write(`three-way.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

export function loadAnswers(file) {
  const map = new Map();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let a;
    try {
      a = JSON.parse(line);
    } catch (e) {
      usage(`${file}:${i + 1}: not JSON: ${e.message}`);
    }
    map.set(`${a.id}#${a.index}`, a);
  });
  return map;
}

const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const lc = (s) => s.toLowerCase();

/** The kinds of difference between two `sent` lists (empty when equal). */
export function sentDifferences(a, b) {
  if (eq(a, b)) return [];
  if (a.length !== b.length) {
    const ma = a.map((s) => s.method).join(',');
    const mb = b.map((s) => s.method).join(',');
    return [`sent: ${a.length} vs ${b.length} wire requests (${ma || 'none'} / ${mb || 'none'})`];
  }
  const kinds = new Set();
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.method !== y.method) kinds.add(`sent: method ${x.method} vs ${y.method}`);
    if (x.url !== y.url) kinds.add('sent: URL differs');
    const nx = x.headers.map(([n]) => lc(n));
    const ny = y.headers.map(([n]) => lc(n));
    const setx = new Set(nx);
    const sety = new Set(ny);
    for (const n of setx) if (!sety.has(n)) kinds.add(`sent: ${x.method} has ${n} only in the first`);
    for (const n of sety) if (!setx.has(n)) kinds.add(`sent: ${x.method} has ${n} only in the second`);
    const valuesOf = (hs, n) => hs.filter(([h]) => lc(h) === n).map(([, v]) => v);
    for (const n of setx) {
      if (!sety.has(n)) continue;
      const vx = valuesOf(x.headers, n);
      const vy = valuesOf(y.headers, n);
      if (!eq(vx, vy)) kinds.add(`sent: ${x.method} ${n} value differs`);
    }
    const common = (ns, other) => ns.filter((n) => other.has(n));
    const ox = common(nx, sety);
    const oy = common(ny, setx);
    if (!eq(ox, oy)) kinds.add(`sent: ${x.method} header order differs`);
    const casex = x.headers.map(([n]) => n).filter((n) => sety.has(lc(n)));
    const casey = y.headers.map(([n]) => n).filter((n) => setx.has(lc(n)));
    if (eq(ox, oy) && !eq(casex.slice().sort(), casey.slice().sort())) kinds.add(`sent: ${x.method} header name case differs`);
  }
  return [...kinds];
}

/** The kinds of difference between two answer lines, fields other than error/message/browser. */
export function lineDifferences(a, b) {
  const kinds = [];
  if (a.preflight !== b.preflight) kinds.push(`preflight: ${a.preflight} vs ${b.preflight}`);
  if (a.outcome !== b.outcome) kinds.push(`outcome: ${a.outcome} vs ${b.outcome}`);
  else if (a.status !== b.status) kinds.push(`status: ${a.status} vs ${b.status}`);
  if (!eq(a.exposed, b.exposed)) {
    const sa = new Set(a.exposed);
    const sb = new Set(b.exposed);
    const only1 = a.exposed.filter((n) => !sb.has(n));
    const only2 = b.exposed.filter((n) => !sa.has(n));
    if (a.outcome !== 'ok' || b.outcome !== 'ok') kinds.push('exposed: follows the outcome');
    else kinds.push(`exposed: ${only1.length ? `+${only1.join(',')}` : ''}${only2.length ? ` -${only2.join(',')}` : ''}`.trim());
  }
  kinds.push(...sentDifferences(a.sent, b.sent));
  return kinds;
}

const FIELDS = ['preflight', 'outcome', 'status', 'exposed', 'error', 'message', 'sent'];

function main() {
  const o = parseArgs(process.argv.slice(2));
  const [subj, o1, o2] = o.files.map(loadAnswers);
  const [ns, n1, n2] = o.files.map((f) => path.basename(f, '.jsonl'));
  const keys = [...subj.keys()].filter((k) => o1.has(k) && o2.has(k));
  const missing = [...subj.keys()].filter((k) => !o1.has(k) || !o2.has(k));
  const out = [];
  const p = (s = '') => out.push(s);
  p(`${ns}: ${subj.size} lines; ${keys.length} also in ${n1} and ${n2}${missing.length ? `; ${missing.length} not in both (${missing.slice(0, 3).join(', ')}…)` : ''}`);
  p();
  p(`| field | = ${n1} | = ${n2} | = both | = neither |`);
  p('|---|---|---|---|---|');
  for (const f of FIELDS) {
    let c1 = 0;
    let c2 = 0;
    let cb = 0;
    let cn = 0;
    for (const k of keys) {
      const a = eq(subj.get(k)[f], o1.get(k)[f]);
      const b = eq(subj.get(k)[f], o2.get(k)[f]);
      c1 += a;
      c2 += b;
      cb += a && b;
      cn += !a && !b;
    }
    p(`| ${f} | ${c1} | ${c2} | ${cb} | ${cn} |`);
  }
  for (const f of ['error', 'message']) {
    let c1 = 0;
    let c2 = 0;
    for (const k of keys) {
      c1 += (subj.get(k)[f] === null) === (o1.get(k)[f] === null);
      c2 += (subj.get(k)[f] === null) === (o2.get(k)[f] === null);
    }
    p(`| ${f} is null on both sides | ${c1} | ${c2} | | |`);
  }
  let whole1 = 0;
  let whole2 = 0;
  for (const k of keys) {
    whole1 += lineDifferences(subj.get(k), o1.get(k)).length === 0;
    whole2 += lineDifferences(subj.get(k), o2.get(k)).length === 0;
  }
  p(`| every field but error/message | ${whole1} | ${whole2} | | |`);
  for (const [name, other] of [
    [n1, o1],
    [n2, o2],
  ]) {
    const kinds = new Map();
    for (const k of keys) {
      for (const kind of lineDifferences(subj.get(k), other.get(k))) {
        if (!kinds.has(kind)) kinds.set(kind, []);
        kinds.get(kind).push(k);
      }
    }
    p();
    p(`### ${ns} vs ${name}: kinds of difference (first is ${ns})`);
    p();
    p('| lines | kind | examples |');
    p('|---|---|---|');
    for (const [kind, ids] of [...kinds].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) {
      p(`| ${ids.length} | ${kind.replace(/\|/g, '\\|')} | ${ids.slice(0, o.examples).map((x) => `\`${x}\``).join(' ')} |`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
