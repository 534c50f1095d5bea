#!/usr/bin/env node
// Makes fetch() calls from real pages in headless Chromium or Firefox ESR
// and records what the browser reported: outcome, status, readable header
// names, its CORS error name and its console line. The Rust test
// (crates/corsica-doctor/tests/browsers.rs) then runs `corsica check` on
// the same requests and compares, message for message.
//
//   node crates/corsica-doctor/tests/browser/fetch.mjs chrome|firefox REQUESTS.json
//
// REQUESTS.json: {"requests": [{"id", "page", "url", "method", "headers":
// [[name, value]], "credentials", "body"}]}. `page` is a host name
// (`localhost`, or a `*.test` name resolved to 127.0.0.1); the page is
// served by this script on an ephemeral port of 127.0.0.1, at
// http://PAGE:PORT/. Every request runs from a page on that origin, one
// after another; each URL is unique, so no preflight cache is shared.
// Writes one JSON line per request to stdout, then {"page_port": N}.
//
// puppeteer-core comes from conformance/node_modules; the browsers are
// Debian's chromium and firefox-esr, launched as every corsica test
// launches them (conformance/runner/browsers.mjs; scripts/test installs
// all three).

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const require = createRequire(path.join(root, 'conformance/package.json'));
const puppeteer = require('puppeteer-core');
const { isFirefoxCorsLine, reasonKeyOfFirefoxMessage } = await import(
  pathToFileURL(path.join(root, 'conformance/runner/firefox-reasons.mjs')).href
);
const { launchBrowser } = await import(pathToFileURL(path.join(root, 'conformance/runner/browsers.mjs')).href);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const [browserName, requestsFile] = process.argv.slice(2);
if (!['chrome', 'firefox'].includes(browserName) || !requestsFile) {
  process.stderr.write('usage: fetch.mjs chrome|firefox REQUESTS.json\n');
  process.exit(2);
}
const { requests } = JSON.parse(fs.readFileSync(requestsFile, 'utf8'));

/** Runs in the page: one fetch(), what the script sees. */
async function pageFetch(req) {
  const init = { method: req.method, headers: req.headers, credentials: req.credentials, mode: 'cors' };
  if (req.body !== null && req.body !== undefined) init.body = req.body;
  try {
    const r = await fetch(req.url, init);
    const names = [];
    for (const [n] of r.headers) names.push(n.toLowerCase());
    try {
      await r.arrayBuffer();
    } catch {
      /* the body does not matter */
    }
    return { settled: 'fulfilled', status: r.status, names };
  } catch (e) {
    return { settled: 'rejected', error: String(e) };
  }
}


/** A page on `origin`, with its console (and Chromium's network errors) recorded. */
async function openPage(browser, origin) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  const events = [];
  if (browserName === 'chrome') {
    const cdp = await page.createCDPSession();
    cdp.on('Network.requestWillBeSent', (e) => events.push({ kind: 'sent', requestId: e.requestId, type: e.type }));
    cdp.on('Network.loadingFailed', (e) =>
      events.push({ kind: 'failed', requestId: e.requestId, type: e.type, cors: e.corsErrorStatus?.corsError ?? null }),
    );
    cdp.on('Log.entryAdded', (e) => events.push({ kind: 'log', level: e.entry.level, text: e.entry.text }));
    await cdp.send('Network.enable');
    await cdp.send('Log.enable');
  } else {
    const bc = page.mainFrame().browsingContext;
    bc.on('log', ({ entry }) => events.push({ kind: 'log', level: entry.level, text: entry.text ?? '' }));
  }
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await sleep(20);
  events.length = 0;
  return { ctx, page, events };
}

/** Waits for the console lines of a fetch that settled, then reads them. */
async function diagnose(session, result) {
  const ev = session.events;
  if (result.settled === 'fulfilled') {
    await sleep(40);
    return { error: null, message: null };
  }
  const deadline = Date.now() + 1500;
  if (browserName === 'chrome') {
    for (;;) {
      const msg = ev.some((e) => e.kind === 'log' && e.level === 'error' && !e.text.startsWith('Failed to load resource: '));
      const failed = ev.some((e) => e.kind === 'failed');
      if ((msg && failed) || Date.now() > deadline) break;
      await sleep(10);
    }
    await sleep(15);
    const fails = ev.filter((e) => e.kind === 'failed' && e.cors).sort((a, b) => (a.type === 'Fetch' ? 0 : 1) - (b.type === 'Fetch' ? 0 : 1));
    const logs = ev.filter((e) => e.kind === 'log' && e.level === 'error' && !e.text.startsWith('Failed to load resource: '));
    const access = logs.find((e) => e.text.startsWith('Access to '));
    return { error: fails.length ? fails[0].cors : null, message: access ? access.text : logs[0]?.text ?? null };
  }
  // Firefox may print a second line shortly after the first: wait for
  // quiet.
  while (Date.now() < deadline && !ev.some((e) => e.kind === 'log' && e.level === 'error')) await sleep(10);
  let n = -1;
  while (n !== ev.length && Date.now() < deadline + 400) {
    n = ev.length;
    await sleep(150);
  }
  const logs = ev.filter((e) => e.kind === 'log');
  const cors = logs.find((e) => isFirefoxCorsLine(e.text));
  const other = logs.find((e) => e.level === 'error');
  return { error: cors ? reasonKeyOfFirefoxMessage(cors.text) : null, message: cors ? cors.text : other?.text ?? null };
}

async function main() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>corsica check vs the browser</title>\n');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const hosts = [...new Set(requests.map((r) => r.page).filter((h) => h.endsWith('.test')))];
  const { browser, cleanup } = await launchBrowser(puppeteer, browserName, { hosts, tag: 'corsica-check-browser' });
  const sessions = new Map();
  try {
    for (const req of requests) {
      const origin = `http://${req.page}:${port}`;
      if (!sessions.has(origin)) sessions.set(origin, await openPage(browser, origin));
      const session = sessions.get(origin);
      session.events.length = 0;
      const result = await session.page.evaluate(pageFetch, req);
      const diag = await diagnose(session, result);
      const line =
        result.settled === 'fulfilled'
          ? { id: req.id, origin, outcome: 'ok', status: result.status, exposed: [...new Set(result.names)].sort(), error: null, message: null }
          : { id: req.id, origin, outcome: 'blocked', status: null, exposed: [], error: diag.error, message: diag.message };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    for (const s of sessions.values()) await s.ctx.close().catch(() => {});
    await browser.close();
    cleanup();
    server.close();
  }
  process.stdout.write(`${JSON.stringify({ page_port: port })}\n`);
}

main().catch((e) => {
  process.stderr.write(`fetch.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
