#!/usr/bin/env node
// Runner self-test in a real browser: plays selftest/cases.jsonl and checks
// the properties the runner itself must guarantee (not what the browser
// decides about CORS):
//   - every request of every case yields exactly one answer line, in order;
//   - each case starts with an empty preflight cache (two identical cases
//     both preflight their first request) while a case's own later request
//     does hit the cache filled by its first;
//   - a fetch that throws before sending records no wire request;
//   - methods go out as written (`patch`), HEAD gets no body, redirect hops
//     are all recorded with the URL the server saw, keys with userinfo route;
//   - `sent` holds only Accept, Origin, Access-Control-Request-* and the
//     script's own header names.
//
//   node conformance/runner/selftest/check.mjs chrome|firefox|webkit
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const browser = process.argv[2];
if (!['chrome', 'firefox', 'webkit'].includes(browser)) {
  process.stderr.write('usage: node conformance/runner/selftest/check.mjs chrome|firefox|webkit\n');
  process.exit(2);
}
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'corsica-selftest-')), `${browser}.jsonl`);
const casesFile = path.join(here, 'cases.jsonl');
execFileSync(process.execPath, [path.join(here, '..', 'run.mjs'), '--browser', browser, '--out', out, casesFile], { stdio: ['ignore', 'inherit', 'inherit'] });

const cases = fs.readFileSync(casesFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const answers = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const get = (id, index) => answers.find((a) => a.id === id && a.index === index);

let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    process.stdout.write(`FAIL ${name} ${detail}\n`);
  }
}

const expectedOrder = cases.flatMap((c) => c.requests.map((_, i) => `${c.id}#${i}`));
check('one answer per request, in case order', JSON.stringify(answers.map((a) => `${a.id}#${a.index}`)) === JSON.stringify(expectedOrder));
const KEYS = ['id', 'index', 'browser', 'preflight', 'outcome', 'status', 'exposed', 'error', 'message', 'sent'];
check('answer keys and order', answers.every((a) => JSON.stringify(Object.keys(a)) === JSON.stringify(KEYS)));
check('browser field', answers.every((a) => a.browser === browser));

for (const id of ['selftest-cache-isolation-a', 'selftest-cache-isolation-b']) {
  check(`${id}: first request preflights (fresh cache)`, get(id, 0)?.preflight === true);
  check(`${id}: second request uses the cache`, get(id, 1)?.preflight === false && get(id, 1)?.sent.length === 1);
}
const fm = get('selftest-forbidden-method', 0);
check('forbidden method: blocked, nothing sent', fm?.outcome === 'blocked' && fm.sent.length === 0 && fm.status === null);
const nc = get('selftest-no-cors-opaque', 0);
check('no-cors: opaque, status 0, nothing exposed', nc?.outcome === 'opaque' && nc.status === 0 && nc.exposed.length === 0);
const head = get('selftest-head-and-own-content-length', 0);
check('HEAD goes out as HEAD', head?.sent[0]?.method === 'HEAD' && head.outcome === 'ok');
const lp = get('selftest-lowercase-patch', 0);
check(
  'patch stays patch in Access-Control-Request-Method',
  lp?.sent[0]?.headers.some(([n, v]) => n.toLowerCase() === 'access-control-request-method' && v === 'patch'),
);
const rd = get('selftest-redirect-same-host', 0);
check(
  'redirect hops recorded with query',
  JSON.stringify(rd?.sent.map((s) => s.url)) === JSON.stringify(['http://api.test:8002/r', 'http://api.test:8002/final?q=1']),
);
const ru = get('selftest-redirect-userinfo-key', 0);
check('a server key with userinfo routes', ru?.outcome === 'ok' && ru.sent[1]?.url === 'http://api.test:8003/u');
const allowed = (req) => (n) => {
  const l = n.toLowerCase();
  return l === 'accept' || l === 'origin' || l.startsWith('access-control-request-') || req.headers.some(([h]) => h.toLowerCase() === l);
};
for (const a of answers) {
  const req = cases.find((c) => c.id === a.id).requests[a.index];
  check(`${a.id}#${a.index}: sent headers filtered`, a.sent.every((s) => s.headers.every(([n]) => allowed(req)(n))));
  check(
    `${a.id}#${a.index}: preflight flag matches sent`,
    a.preflight === a.sent.some((s) => s.method === 'OPTIONS' && s.headers.some(([n]) => n.toLowerCase() === 'access-control-request-method')),
  );
}
const pb = get('selftest-delay-and-post-body', 0);
check('script header Content-Type recorded', pb?.sent[0]?.headers.some(([n, v]) => n === 'Content-Type' && v === 'text/plain'));
check('404 for a URL that is no key', get('selftest-unknown-url-404', 0)?.outcome === 'blocked');
check('preflight with no case entry is answered (405)', get('selftest-preflight-missing-405', 0)?.preflight === true);

process.stdout.write(`selftest ${browser}: ${passed} passed, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
