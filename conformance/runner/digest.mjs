#!/usr/bin/env node
// Shrinks a run.mjs --debug-out file to what explains each answer line:
// the promise's rejection text, every console line of the fetch (with its
// level; WebKit: source and level), Chromium's loadingFailed records (net error, CorsError and its
// failedParameter), and how the servers routed each wire request.
//
//   node conformance/runner/digest.mjs DEBUG.jsonl > BROWSER.console.jsonl
import fs from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node conformance/runner/digest.mjs DEBUG.jsonl\n');
  process.exit(2);
}
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const d = JSON.parse(line);
  if (d.notRecorded) {
    process.stdout.write(`${JSON.stringify({ id: d.id, index: d.index, browser: d.browser, notRecorded: d.notRecorded })}\n`);
    continue;
  }
  const out = {
    id: d.id,
    index: d.index,
    browser: d.browser,
    rejected: d.result.settled === 'rejected' ? `${d.result.errorName}: ${d.result.errorMessage}` : null,
    // WebKit: the record's whole prefix ("SECURITY ERROR", "JS ERROR"): the
    // source tells WebCore's reason line from the fetch's own JS line.
    console: d.diag.consoleLines.map((l) => [d.browser === 'webkit' ? [l.source, l.level].filter(Boolean).join(' ') : l.level, l.text]),
    routed: d.wire.filter((w) => !w.reserved).map((w) => `${w.method} ${w.url} -> ${w.routed}`),
  };
  if (d.diag.strayLines && d.diag.strayLines.length) out.stray = d.diag.strayLines.map((l) => [[l.source, l.level].filter(Boolean).join(' '), l.text]);
  const fails = (d.events ?? []).filter((e) => e.kind === 'loadingFailed');
  if (fails.length) {
    out.loadingFailed = fails.map((e) => ({
      type: e.type,
      errorText: e.errorText,
      corsError: e.corsErrorStatus ? e.corsErrorStatus.corsError : null,
      failedParameter: e.corsErrorStatus ? e.corsErrorStatus.failedParameter : null,
    }));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
