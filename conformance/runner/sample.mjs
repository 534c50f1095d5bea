#!/usr/bin/env node
// Draws a seeded sample of conformance cases, stratified over the case
// files, for the live-browser step of scripts/test (the full corpus is
// played by scripts/conformance).
//
//   node conformance/runner/sample.mjs --seed N [--fraction F] [--min-per-file N]
//        [--all FILE]... --out FILE CASES.jsonl...
//
// From each case file it takes max(min-per-file, round(fraction * cases))
// cases (all of them for a file given with --all), chosen by the rank of
// sha256("<seed>:<file>:<id>"): the same seed gives the same sample, another
// seed an independent one. The sample keeps the corpus order (file by file,
// line by line) and is written as JSON Lines, each line exactly as in its
// file. A summary goes to stderr; the exit status is 2 on a usage error.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const USAGE =
  'usage: node conformance/runner/sample.mjs --seed N [--fraction F] [--min-per-file N] [--all FILE]... --out FILE CASES.jsonl...';

function usage(msg) {
  process.stderr.write(`sample.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

export function parseArgs(argv) {
  const opts = { seed: null, fraction: 0.15, minPerFile: 3, all: [], out: null, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seed') opts.seed = next();
    else if (a === '--fraction') opts.fraction = Number(next());
    else if (a === '--min-per-file') opts.minPerFile = Number(next());
    else if (a === '--all') opts.all.push(path.basename(next()));
    else if (a === '--out') opts.out = next();
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (opts.seed === null || !/^[0-9]+$/.test(opts.seed)) usage('--seed must be a non-negative integer');
  if (!(opts.fraction > 0 && opts.fraction <= 1)) usage('--fraction must be in (0, 1]');
  if (!(Number.isInteger(opts.minPerFile) && opts.minPerFile >= 0)) usage('--min-per-file must be an integer >= 0');
  if (!opts.out) usage('--out is required');
  if (opts.files.length === 0) usage('give at least one CASES.jsonl file');
  return opts;
}

/**
 * The sample of one file's lines: `{ lines, total }`, `lines` being the
 * chosen non-blank lines in file order.
 */
export function sampleFile(name, text, { seed, fraction, minPerFile, all }) {
  const entries = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let id;
    try {
      id = JSON.parse(line).id;
    } catch (e) {
      throw new Error(`${name}:${i + 1}: not JSON: ${e.message}`);
    }
    if (typeof id !== 'string') throw new Error(`${name}:${i + 1}: the case has no string id`);
    entries.push({ line, index: entries.length, id });
  });
  const total = entries.length;
  const want = all ? total : Math.min(total, Math.max(minPerFile, Math.round(fraction * total)));
  const rank = (e) => crypto.createHash('sha256').update(`${seed}:${name}:${e.id}`).digest('hex');
  const chosen = entries
    .map((e) => ({ ...e, rank: rank(e) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.index - b.index))
    .slice(0, want)
    .sort((a, b) => a.index - b.index);
  return { lines: chosen.map((e) => e.line), total };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = [];
  const summary = [];
  let total = 0;
  for (const file of opts.files) {
    const name = path.basename(file);
    const { lines, total: n } = sampleFile(name, fs.readFileSync(file, 'utf8'), {
      ...opts,
      all: opts.all.includes(name),
    });
    out.push(...lines);
    total += n;
    summary.push(`${name.replace(/\.jsonl$/, '')} ${lines.length}/${n}`);
  }
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, out.map((l) => `${l}\n`).join(''));
  process.stderr.write(
    `sample.mjs: seed ${opts.seed}: ${out.length} of ${total} cases (${summary.join(', ')}) -> ${opts.out}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`sample.mjs: ${e.message}\n`);
    process.exit(1);
  }
}
