#!/usr/bin/env node
// Extracts every request of every case, with all its headers, from a
// runner debug log (run.mjs --debug-out FILE), one line per fetch:
//
//   {"id": ..., "index": ..., "browser": ..., "wire": [{"method", "url", "headers": [[name, value], ...]}]}
//
// The answer files keep only the CORS-relevant headers (`sent`); these keep
// all of them, in order, as the runner's server received them, for the
// tests that compare the engine's full requests (crates/corsica/tests/wire.rs).
//
//   node conformance/runner/wire-from-debug.mjs DEBUG.jsonl... > wire.BROWSER.jsonl

import fs from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node conformance/runner/wire-from-debug.mjs DEBUG.jsonl... > wire.jsonl\n');
  process.exit(2);
}
const out = [];
for (const file of files) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const d = JSON.parse(line);
    if (!d.wire) continue;
    const wire = d.wire
      .filter((w) => !w.reserved && w.caseId === d.id)
      .map((w) => ({ method: w.method, url: w.url, headers: w.headers }));
    out.push({ id: d.id, index: d.index, browser: d.browser, wire });
  }
}
out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index));
process.stdout.write(out.map((o) => JSON.stringify(o)).join('\n') + '\n');
