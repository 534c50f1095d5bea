#!/usr/bin/env node
// Drives the playground page in a real headless browser, preset by preset,
// and prints what the page showed and what the browser logged, for
// tests/playground.rs (which starts the demo and spawns this script).
//
//   node crates/corsica-gateway/tests/playground.mjs --browser chrome|firefox \
//        --shots DIR PLAYGROUND_URL PRESET_ID...
//
// For each preset: a fresh browser context loads PLAYGROUND_URL?preset=ID,
// clicks "Run it for real", waits for the result, records the page's
// verdict, both outcomes, the engine's console message and the browser's
// own CORS console line, and saves DIR/ID.png; for a server preset it then
// clicks "Fix it with corsica", runs again and records that as ID+fix.
// Output: one JSON line per run. Exit status: 0 when every run was
// observed, 1 otherwise, 3 when the browser or puppeteer-core is missing
// (scripts/test installs them: Debian's chromium and firefox-esr, and
// `npm ci --prefix conformance`).
//
// Browsers are launched as every corsica test launches them (conformance/runner/browsers.mjs).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EXECUTABLES, PACKAGES, collectConsoleErrors, launchBrowser } from '../../../conformance/runner/browsers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function missing(what) {
  process.stderr.write(`playground.mjs: ${what} is missing; run scripts/test, which installs it\n`);
  process.exit(3);
}

const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return null;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const which = take('--browser');
const shots = take('--shots');
const [base, ...presets] = args;
if (!(which in EXECUTABLES) || !shots || !base || presets.length === 0) {
  process.stderr.write('usage: node playground.mjs --browser chrome|firefox --shots DIR URL PRESET...\n');
  process.exit(2);
}
if (!fs.existsSync(EXECUTABLES[which])) missing(`${EXECUTABLES[which]} (Debian package ${PACKAGES[which]})`);
let puppeteer;
try {
  puppeteer = createRequire(path.join(ROOT, 'conformance', 'package.json'))('puppeteer-core');
} catch {
  missing('puppeteer-core in conformance/node_modules (npm ci --prefix conformance)');
}
fs.mkdirSync(shots, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const launch = () => launchBrowser(puppeteer, which, { tag: 'corsica-playground' });

const isCorsLine = (t) => (which === 'chrome' ? t.startsWith('Access to ') : t.startsWith('Cross-Origin Request Blocked:'));

/** A page in a fresh context, collecting the console's error lines. */
async function openPage(browser, url) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const { lines, detach } = await collectConsoleErrors(page, which);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 15000 });
  return { page, lines, close: async () => { await detach(); await ctx.close(); } };
}

/** Clicks Run and reads what the page shows. */
async function runOnce(s, label) {
  s.lines.length = 0;
  await s.page.click('#run');
  await s.page.waitForFunction(
    () => ['done', 'refused', 'error'].includes(document.getElementById('result').dataset.state),
    { timeout: 20000 },
  );
  const shown = await s.page.evaluate(() => {
    const q = (sel) => document.querySelector(sel);
    const outcome = (id) => {
      const e = document.getElementById(id);
      return e ? { outcome: e.dataset.outcome, status: e.dataset.status === '' ? null : Number(e.dataset.status) } : null;
    };
    return {
      state: q('#result').dataset.state,
      agree: q('#verdict').hidden ? null : q('#verdict').dataset.agree === 'true',
      verdict: q('#verdict').hidden ? null : q('#verdict').innerText,
      browser: outcome('browser-outcome'),
      engine: outcome('engine-outcome'),
      engineConsole: q('#engine-console')?.textContent ?? null,
      fix: q('#engine-fix')?.innerText ?? null,
      errors: [...document.querySelectorAll('#check-errors li')].map((li) => li.dataset.code),
      arrows: document.querySelectorAll('#engine-steps .arrow').length,
      observedArrows: document.querySelectorAll('#browser-steps .arrow:not(.none)').length,
    };
  });
  // The console line of a blocked fetch arrives after the promise
  // settles: wait for it, then for quiet.
  const deadline = Date.now() + (shown.browser?.outcome === 'blocked' ? 3000 : 300);
  while (Date.now() < deadline && !(shown.browser?.outcome === 'blocked' && s.lines.some(isCorsLine))) await sleep(20);
  let n = -1;
  while (n !== s.lines.length) {
    n = s.lines.length;
    await sleep(150);
  }
  await s.page.screenshot({ path: path.join(shots, `${label}.png`), fullPage: true });
  return { ...shown, console: s.lines.filter(isCorsLine), consoleAll: [...s.lines] };
}

// A browser that goes away mid-run (seen once in about ten Firefox runs
// on a loaded machine: "browsingContext.create: no such frame", then the
// WebDriver BiDi connection closed) is launched again and the presets it
// had not finished are played again, at most MAX_LAUNCHES launches in all;
// it says so on stderr (a launch that fails counts as one). A preset that fails in a browser that is still
// there is a failure, never retried.
const MAX_LAUNCHES = 3;

async function main() {
  let failures = 0;
  const queue = [...presets];
  for (let launch_ = 1; queue.length > 0; launch_++) {
    let launched;
    try {
      launched = await launch();
    } catch (e) {
      if (launch_ >= MAX_LAUNCHES) throw e;
      process.stderr.write(`playground.mjs: launching ${which} failed, trying again: ${e && e.message ? e.message : e}\n`);
      continue;
    }
    const { browser, cleanup } = launched;
    let disconnected = false;
    browser.on('disconnected', () => { disconnected = true; });
    // The browser (or the page's process) went away: the error is about
    // the connection, not about what the page did.
    const gone = (e) => disconnected || !browser.connected
      || ['TargetCloseError', 'ConnectionClosedError'].includes(e?.name)
      || /Target closed|Connection closed|no such frame/.test(e?.message ?? '')
      || (e?.cause !== undefined && e.cause !== e && gone(e.cause));
    const lost = [];
    try {
      // A few presets at a time, each in its own context: most of a run is
      // waiting (for the console to go quiet), not work.
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          if (disconnected || !browser.connected) {
            lost.push(id);
            continue;
          }
          // Printed once the preset is done: a preset played again after a
          // relaunch is printed once.
          const out = [];
          let s;
          try {
            s = await openPage(browser, `${base}/?preset=${encodeURIComponent(id)}`);
            const first = await runOnce(s, id);
            out.push({ preset: id, fixed: false, ...first });
            const fixable = await s.page.evaluate(() => !document.getElementById('fix').hidden);
            if (fixable) {
              await s.page.click('#fix');
              const fixed = await runOnce(s, `${id}+fix`);
              out.push({ preset: id, fixed: true, ...fixed });
            }
            for (const o of out) process.stdout.write(`${JSON.stringify(o)}\n`);
          } catch (e) {
            // The disconnection can be reported just after the error it
            // caused (a wait aborted: "Waiting failed").
            await sleep(500);
            if (gone(e)) {
              lost.push(id);
              process.stderr.write(`playground.mjs: ${id}: the browser went away: ${e && e.message ? e.message : e}\n`);
            } else {
              failures++;
              process.stderr.write(`playground.mjs: ${id}: ${e && e.stack ? e.stack : e}\n`);
            }
          } finally {
            if (s && !disconnected) await s.close().catch(() => {});
          }
        }
      };
      await Promise.all([worker(), worker(), worker()]);
    } finally {
      await browser.close().catch(() => {});
      cleanup();
    }
    if (lost.length > 0) {
      if (launch_ >= MAX_LAUNCHES) {
        failures += lost.length;
        process.stderr.write(`playground.mjs: the browser went away ${launch_} times; not played: ${lost.join(' ')}\n`);
        break;
      }
      process.stderr.write(`playground.mjs: launching ${which} again for ${lost.join(' ')}\n`);
      queue.push(...lost);
    }
  }
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`playground.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
