#!/usr/bin/env node
// Plays fetch() calls in a real headless browser and prints what happened,
// for the corsica-tower end-to-end test (tests/browser.rs spawns it).
//
//   node crates/corsica-tower/tests/browser.mjs --browser chrome|firefox PLAN.json
//
// PLAN.json: {"requests": [{"page": ORIGIN, "url", "method", "headers": [[n, v]],
//             "credentials", "body"}]}. Each request runs in a fresh browser
// context (its own preflight cache) on a page loaded from `page` +
// /__corsica__/page.html. Output: one JSON line per request,
// {"index", "outcome": "ok"|"blocked", "status", "message", "console"}.
// Exit status: 0 when every request was observed, 1 otherwise, 3 when the
// browser or puppeteer-core is missing (scripts/test installs them).
//
// Browsers are launched as every corsica test launches them
// (conformance/runner/browsers.mjs: Debian's chromium and firefox-esr, puppeteer-core
// from conformance/node_modules).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EXECUTABLES, PACKAGES, collectConsoleErrors, launchBrowser } from '../../../conformance/runner/browsers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE_PATH = '/__corsica__/page.html';

function missing(what) {
  process.stderr.write(`browser.mjs: ${what} is missing; run scripts/test, which installs it\n`);
  process.exit(3);
}

const args = process.argv.slice(2);
const which = args[args.indexOf('--browser') + 1];
const planFile = args[args.length - 1];
if (!(which in EXECUTABLES) || !planFile || planFile.startsWith('--')) {
  process.stderr.write('usage: node browser.mjs --browser chrome|firefox PLAN.json\n');
  process.exit(2);
}
if (!fs.existsSync(EXECUTABLES[which])) missing(`${EXECUTABLES[which]} (Debian package ${PACKAGES[which]})`);
let puppeteer;
try {
  puppeteer = createRequire(path.join(ROOT, 'conformance', 'package.json'))('puppeteer-core');
} catch {
  missing('puppeteer-core in conformance/node_modules (npm ci --prefix conformance)');
}
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs in the page. */
async function pageFetch(req) {
  const init = { method: req.method, headers: req.headers ?? [], mode: 'cors', credentials: req.credentials ?? 'same-origin' };
  if (req.body != null) init.body = req.body;
  try {
    const r = await fetch(req.url, init);
    await r.arrayBuffer();
    return { settled: 'fulfilled', status: r.status };
  } catch (e) {
    return { settled: 'rejected', error: `${e.name}: ${e.message}` };
  }
}

const launch = () => launchBrowser(puppeteer, which, { tag: 'corsica-tower' });

/** A page at `origin` in a fresh context, collecting console error lines. */
async function openPage(browser, origin) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  const { lines, detach } = await collectConsoleErrors(page, which);
  await page.goto(origin + PAGE_PATH, { waitUntil: 'load' });
  await sleep(20);
  lines.length = 0;
  return { page, lines, close: async () => { await detach(); await ctx.close(); } };
}

const isCorsLine = (t) => (which === 'chrome' ? t.startsWith('Access to ') : t.startsWith('Cross-Origin Request Blocked:'));

async function main() {
  const { browser, cleanup } = await launch();
  let failures = 0;
  try {
    for (const [index, req] of plan.requests.entries()) {
      const s = await openPage(browser, req.page);
      try {
        const result = await s.page.evaluate(pageFetch, req);
        // Console lines arrive after the promise settles: wait for the CORS
        // line of a blocked request, then for quiet.
        const deadline = Date.now() + (result.settled === 'rejected' ? 3000 : 300);
        while (Date.now() < deadline && !(result.settled === 'rejected' && s.lines.some(isCorsLine))) await sleep(20);
        let n = -1;
        while (n !== s.lines.length) {
          n = s.lines.length;
          await sleep(200);
        }
        const message = s.lines.find(isCorsLine) ?? null;
        process.stdout.write(
          `${JSON.stringify({
            index,
            outcome: result.settled === 'fulfilled' ? 'ok' : 'blocked',
            status: result.settled === 'fulfilled' ? result.status : null,
            message,
            console: s.lines,
            error: result.error ?? null,
          })}\n`,
        );
      } catch (e) {
        failures++;
        process.stderr.write(`browser.mjs: request ${index}: ${e && e.stack ? e.stack : e}\n`);
      } finally {
        await s.close();
      }
    }
  } finally {
    await browser.close();
    cleanup();
  }
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`browser.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
