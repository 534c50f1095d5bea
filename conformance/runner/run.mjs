#!/usr/bin/env node
// Plays corsica conformance cases (conformance/FORMAT.md) in a real
// headless browser and writes what the browser did, one answer line per
// request. Truth comes from the browser only: this file never looks at the
// corsica engine.
//
//   node conformance/runner/run.mjs --browser chrome|firefox|webkit [--out FILE]
//        [--debug-out FILE] [--manifest FILE] [--only ID-SUBSTRING]...
//        [--every N] [--sessions N] [--verbose] CASES.jsonl...
//
// WebKit (WebKitGTK through WebKitWebDriver, see webkit.mjs) runs in a
// network and mount namespace of its own: run.mjs re-executes itself under
// `unshare -n -m` (root needed).
//
// Exit status: 0 when every request of every case was played and recorded
// (blocked requests included), 1 when some request could not be observed
// (its line is left out and the reason printed), 2 on a usage error.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { launchBrowser } from './browsers.mjs';
import { CaseServers, PAGE_PATH } from './server.mjs';
import { isFirefoxCorsLine, reasonKeyOfFirefoxMessage } from './firefox-reasons.mjs';
import { reasonKeyOfWebKitMessage } from './webkit-reasons.mjs';
import { WebKitDriver, inWebKitNamespace, reexecInNamespace } from './webkit.mjs';

const USAGE =
  'usage: node conformance/runner/run.mjs --browser chrome|firefox|webkit [--out FILE] [--debug-out FILE] [--manifest FILE] [--only ID-SUBSTRING]... [--every N] [--sessions N] [--verbose] CASES.jsonl...';

function parseArgs(argv) {
  const opts = { browser: null, out: null, debugOut: null, manifest: null, only: null, every: 1, sessions: 3, verbose: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--browser') opts.browser = next();
    else if (a === '--out') opts.out = next();
    else if (a === '--debug-out') opts.debugOut = next();
    else if (a === '--manifest') opts.manifest = next();
    else if (a === '--only') (opts.only ??= []).push(next());
    else if (a === '--sessions') opts.sessions = Number(next());
    else if (a === '--every') opts.every = Number(next());
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (opts.browser === 'safari') opts.browser = 'webkit';
  if (!['chrome', 'firefox', 'webkit'].includes(opts.browser)) usage('--browser must be chrome, firefox or webkit');
  if (!Number.isInteger(opts.every) || opts.every < 1) usage('--every must be a positive integer');
  if (!Number.isInteger(opts.sessions) || opts.sessions < 1 || opts.sessions > 8) usage('--sessions must be an integer from 1 to 8');
  if (opts.files.length === 0) usage('give at least one CASES.jsonl file');
  return opts;
}

function usage(msg) {
  process.stderr.write(`run.mjs: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads cases; a malformed line is reported with its file and line number. */
function readCases(files, only) {
  const cases = [];
  const problems = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let c;
      try {
        c = JSON.parse(line);
      } catch (e) {
        problems.push(`${file}:${i + 1}: not JSON: ${e.message}`);
        return;
      }
      const bad = validateCase(c);
      if (bad) {
        problems.push(`${file}:${i + 1}: ${bad}`);
        return;
      }
      if (only && !only.some((o) => c.id.includes(o))) return;
      cases.push(c);
    });
  }
  return { cases, problems };
}

function validateCase(c) {
  if (typeof c !== 'object' || c === null) return 'a case must be an object';
  if (typeof c.id !== 'string') return 'case has no string id';
  if (typeof c.origin !== 'string') return `case ${c.id}: origin must be a string`;
  if (!Array.isArray(c.requests) || c.requests.length === 0) return `case ${c.id}: requests must be a non-empty array`;
  for (const [i, r] of c.requests.entries()) {
    if (typeof r.url !== 'string' || typeof r.method !== 'string') return `case ${c.id}: request ${i} needs url and method`;
  }
  return null;
}

/** Every host name and port that the cases use (origins, server keys, request URLs, Location values). */
function hostsAndPorts(cases) {
  const hosts = new Set();
  const ports = new Set();
  const add = (s) => {
    let u;
    try {
      u = new URL(s);
    } catch {
      return;
    }
    if (u.protocol !== 'http:') return;
    if (u.hostname) hosts.add(u.hostname.toLowerCase());
    ports.add(Number(u.port || 80));
  };
  for (const c of cases) {
    add(c.origin);
    for (const [url, entry] of Object.entries(c.server ?? {})) {
      add(url);
      for (const ans of [entry.preflight, entry.response]) {
        for (const [n, v] of ans?.headers ?? []) {
          if (n.toLowerCase() === 'location') {
            try {
              add(new URL(v, url).href);
            } catch {
              /* not a URL: the browser will fail it */
            }
          }
        }
      }
    }
    for (const r of c.requests) add(r.url);
  }
  return { hosts: [...hosts].sort(), ports: [...ports].sort((a, b) => a - b) };
}

// ---------------------------------------------------------------- the page

/** Runs in the page: one fetch() exactly as the case says. */
async function pageFetch(req) {
  const init = { method: req.method, headers: req.headers ?? [], mode: req.mode, credentials: req.credentials };
  if (req.body !== undefined && req.body !== null) init.body = req.body;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), req.timeoutMs);
  init.signal = ctl.signal;
  try {
    const r = await fetch(req.url, init);
    const names = [];
    for (const [n] of r.headers) names.push(n.toLowerCase());
    let bodyError = null;
    try {
      await r.arrayBuffer();
    } catch (e) {
      bodyError = `${e.name}: ${e.message}`;
    }
    clearTimeout(timer);
    return { settled: 'fulfilled', type: r.type, status: r.status, names, redirected: r.redirected, url: r.url, bodyError };
  } catch (e) {
    clearTimeout(timer);
    return { settled: 'rejected', timedOut: ctl.signal.aborted, errorName: e && e.name, errorMessage: e && e.message };
  }
}

// ---------------------------------------------------------------- browsers

/** Opens a fresh browser context and runs `open` in it; closes the context if that fails. */
async function inFreshContext(browser, open) {
  const ctx = await browser.createBrowserContext();
  try {
    return await open(ctx);
  } catch (e) {
    await ctx.close().catch(() => {});
    throw e;
  }
}

class ChromeDriver {
  name = 'chrome';

  async launch() {
    ({ browser: this.browser, cleanup: this.cleanup } = await launchBrowser(puppeteer, 'chrome'));
    this.version = await this.browser.version();
  }

  async close() {
    await this.browser.close();
    this.cleanup();
  }

  /** A fresh isolated context (own network context, own preflight cache) with a page at `origin`. */
  async openCase(origin) {
    return inFreshContext(this.browser, (ctx) => this.#openIn(ctx, origin));
  }

  async #openIn(ctx, origin) {
    const page = await ctx.newPage();
    const cdp = await page.createCDPSession();
    const events = [];
    cdp.on('Network.requestWillBeSent', (e) =>
      events.push({ kind: 'requestWillBeSent', requestId: e.requestId, type: e.type, method: e.request.method, url: e.request.url, t: Date.now() }),
    );
    cdp.on('Network.loadingFailed', (e) =>
      events.push({
        kind: 'loadingFailed',
        requestId: e.requestId,
        type: e.type,
        errorText: e.errorText,
        blockedReason: e.blockedReason ?? null,
        corsErrorStatus: e.corsErrorStatus ?? null,
        t: Date.now(),
      }),
    );
    cdp.on('Log.entryAdded', (e) =>
      events.push({
        kind: 'log',
        source: e.entry.source,
        level: e.entry.level,
        text: e.entry.text,
        url: e.entry.url ?? null,
        networkRequestId: e.entry.networkRequestId ?? null,
        t: Date.now(),
      }),
    );
    await cdp.send('Network.enable');
    await cdp.send('Log.enable');
    await page.goto(origin + PAGE_PATH, { waitUntil: 'load' });
    // Let the page's own load traffic (favicon) settle before the first fetch.
    await sleep(20);
    events.length = 0;
    return {
      page,
      events,
      close: async () => {
        await cdp.detach().catch(() => {});
        await ctx.close();
      },
    };
  }

  /** Waits for the DevTools events of a fetch that just settled. */
  async settle(session, result, sent) {
    const ev = session.events;
    // fetch() rejecting synchronously-style ("Failed to execute 'fetch'":
    // bad method, bad header, GET with body) logs nothing: a short wait.
    const threw = result.settled === 'rejected' && /^Failed to execute 'fetch'/.test(result.errorMessage ?? '');
    const deadline = Date.now() + (result.settled === 'rejected' && !threw ? 600 : 60);
    for (;;) {
      const haveMsg = ev.some((e) => isChromeExplanationLine(e));
      const haveFail = ev.some((e) => e.kind === 'loadingFailed');
      if (result.settled === 'rejected' && haveMsg && (haveFail || sent.length === 0)) break;
      if (Date.now() >= deadline) break;
      await sleep(10);
    }
    await sleep(15);
  }

  /** error and message of the fetch from the DevTools events collected since it started. */
  diagnose(session) {
    const ev = session.events;
    // Only failures of requests that started during this fetch count.
    const ids = new Set(ev.filter((e) => e.kind === 'requestWillBeSent').map((e) => e.requestId));
    const fails = ev.filter((e) => e.kind === 'loadingFailed' && ids.has(e.requestId));
    // The fetch's own request (type Fetch) first, then e.g. its preflight.
    const withCors = fails
      .filter((e) => e.corsErrorStatus && e.corsErrorStatus.corsError)
      .sort((a, b) => (a.type === 'Fetch' ? 0 : 1) - (b.type === 'Fetch' ? 0 : 1));
    const error = withCors.length ? withCors[0].corsErrorStatus.corsError : null;
    const logs = ev.filter((e) => e.kind === 'log');
    // message: the CORS line ("Access to fetch at ..."); without one, the
    // first other error line that explains the failure ("Fetch API cannot
    // load ...", "Unsafe attempt to load URL ..."). Chromium's generic
    // network line "Failed to load resource: ..." never counts: it is also
    // printed for readable 4xx/5xx responses.
    const access = logs.find((e) => e.text.startsWith('Access to '));
    const other = logs.find((e) => isChromeExplanationLine(e));
    const message = access ? access.text : other ? other.text : null;
    return { error, message, consoleLines: logs.map((e) => ({ source: e.source, level: e.level, text: e.text })) };
  }
}

function isChromeExplanationLine(e) {
  return e.kind === 'log' && e.level === 'error' && !e.text.startsWith('Failed to load resource: ');
}

// ---------------------------------------------------------------- running

function filterSent(entries, scriptHeaderNames) {
  const own = new Set(scriptHeaderNames.map((n) => n.toLowerCase()));
  return entries.map((e) => ({
    method: e.method,
    url: e.url,
    headers: e.headers.filter(([n]) => {
      const l = n.toLowerCase();
      return l === 'accept' || l === 'origin' || l.startsWith('access-control-request-') || own.has(l);
    }),
  }));
}

/**
 * Opens a case's context and page, retrying twice: Firefox's remote agent
 * sometimes fails `browsingContext.create` ("no such frame") while another
 * user context is being closed. Nothing of the case has run at that point.
 */
async function openWithRetry(driver, origin) {
  let last;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await driver.openCase(origin);
    } catch (e) {
      last = e;
      process.stderr.write(`run.mjs: opening a context failed (attempt ${attempt + 1}): ${String(e).split('\n')[0]}\n`);
      await sleep(250);
    }
  }
  throw last;
}

async function playCase(driver, servers, c, sessionPromise, opts, emit, debug, closing) {
  servers.setCase(c);
  const session = await sessionPromise;
  const unobserved = [];
  try {
    for (const [index, req] of c.requests.entries()) {
      if (req.delay_ms) await sleep(req.delay_ms);
      const logStart = servers.log.length;
      session.events.length = 0;
      const t0 = Date.now();
      const arg = {
        url: req.url,
        method: req.method,
        headers: req.headers ?? [],
        mode: req.mode ?? 'cors',
        credentials: req.credentials ?? 'same-origin',
        body: req.body,
        timeoutMs: opts.fetchTimeoutMs,
      };
      const result = await session.page.evaluate(pageFetch, arg);
      const wire0 = servers.log.slice(logStart).filter((e) => !e.reserved && e.caseId === c.id);
      await driver.settle(session, result, wire0);
      const wireAll = servers.log.slice(logStart);
      const wire = wireAll.filter((e) => !e.reserved && e.caseId === c.id);
      const diag = driver.diagnose(session);
      // WebKit: console lines printed before this fetch's begin marker
      // (after the previous fetch's end marker) would be mis-attributed.
      for (const l of diag.strayLines ?? []) {
        process.stderr.write(`run.mjs: WARNING ${c.id}#${index}: console line outside any fetch: ${l.text}\n`);
      }
      // A wire request of another case (or between cases) inside this
      // fetch's window would mean state leaking across cases: report it.
      const foreign = wireAll.filter((e) => !e.reserved && e.caseId !== c.id);
      for (const e of foreign) {
        process.stderr.write(`run.mjs: WARNING ${c.id}#${index}: request of another case during this fetch: ${e.method} ${e.url} (case ${e.caseId})\n`);
      }
      const ms = Date.now() - t0;
      debug({
        id: c.id,
        index,
        browser: driver.name,
        ms,
        result,
        diag,
        wire: wireAll.map((e) => ({ caseId: e.caseId, method: e.method, url: e.url, headers: e.headers, routed: e.routed, reserved: e.reserved, error: e.error })),
        events: session.events.slice(),
      });
      if (result.settled === 'rejected' && result.timedOut) {
        unobserved.push({ index, reason: `fetch did not settle within ${opts.fetchTimeoutMs} ms (aborted by the runner)` });
        continue;
      }
      let outcome, status, exposed;
      if (result.settled === 'fulfilled') {
        if (result.type === 'opaque') {
          outcome = 'opaque';
          status = 0;
        } else {
          outcome = 'ok';
          status = result.status;
        }
        exposed = [...new Set(result.names)].sort();
      } else {
        outcome = 'blocked';
        status = null;
        exposed = [];
      }
      const sent = filterSent(wire, (req.headers ?? []).map(([n]) => n));
      const preflight = wire.some(
        (e) => e.method === 'OPTIONS' && e.headers.some(([n]) => n.toLowerCase() === 'access-control-request-method'),
      );
      emit({
        id: c.id,
        index,
        browser: driver.name,
        preflight,
        outcome,
        status,
        exposed,
        error: diag.error,
        message: diag.message,
        sent,
      });
      if (opts.verbose) {
        process.stderr.write(
          `  ${c.id}#${index}: ${outcome}${status !== null ? ' ' + status : ''} preflight=${preflight} error=${diag.error} (${ms} ms)\n`,
        );
      }
    }
  } finally {
    servers.setCase(null);
    // Closed in the background; every close is awaited before the browser exits.
    closing.push(session.close().catch((e) => process.stderr.write(`run.mjs: closing a context failed: ${e}\n`)));
  }
  return unobserved;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  opts.fetchTimeoutMs = 10000;
  const read = readCases(opts.files, opts.only);
  const { problems } = read;
  // --every N: a deterministic sample, the 1st, (N+1)th, (2N+1)th... case.
  const cases = read.cases.filter((_, i) => i % opts.every === 0);
  for (const p of problems) process.stderr.write(`run.mjs: skipped malformed case line ${p}\n`);
  const { hosts, ports } = hostsAndPorts(cases);
  if (opts.browser === 'webkit' && !inWebKitNamespace()) {
    // WebKit resolves host names through the system resolver: play in a
    // namespace of our own whose /etc/hosts maps the cases' names.
    process.exitCode = await reexecInNamespace(hosts, process.argv.slice(1));
    return;
  }
  const out = opts.out ? fs.createWriteStream(opts.out) : process.stdout;
  const dbg = opts.debugOut ? fs.createWriteStream(opts.debugOut) : null;
  let emitted = 0;
  const emit = (a) => {
    emitted++;
    out.write(`${JSON.stringify(a)}\n`);
  };
  const debug = (d) => dbg && dbg.write(`${JSON.stringify(d)}\n`);

  const servers = new CaseServers();
  await servers.listen(ports);
  const driver =
    opts.browser === 'chrome'
      ? new ChromeDriver()
      : opts.browser === 'firefox'
        ? new FirefoxDriver(hosts)
        : new WebKitDriver({ sessions: opts.sessions, pageFetchSource: pageFetch.toString(), reasonKey: reasonKeyOfWebKitMessage });
  const t0 = Date.now();
  await driver.launch();
  process.stderr.write(`run.mjs: ${driver.name} ${driver.version}; ${cases.length} cases; ports ${ports.join(',')}\n`);
  let failures = problems.length;
  let done = 0;
  // The next case's context and page are opened while the current case
  // plays (they only load the runner's reserved page, which any case's
  // servers answer), hiding most of the cost of a fresh renderer per case.
  // WebKit opens several next cases (a new browser process each).
  const closing = [];
  const open = (i) => {
    const p = openWithRetry(driver, cases[i].origin);
    p.catch(() => {});
    return p;
  };
  const depth = driver.prefetch ?? 1;
  const pending = [];
  let opened = 0;
  for (const [i, c] of cases.entries()) {
    while (opened < cases.length && opened <= i + depth) pending.push(open(opened++));
    const sessionPromise = pending.shift();
    let unobserved;
    try {
      unobserved = await playCase(driver, servers, c, sessionPromise, opts, emit, debug, closing);
    } catch (e) {
      unobserved = [{ index: '*', reason: `runner error: ${e && e.stack ? e.stack : e}` }];
    }
    for (const u of unobserved) {
      failures++;
      process.stderr.write(`run.mjs: NOT RECORDED ${c.id}#${u.index}: ${u.reason}\n`);
      debug({ id: c.id, index: u.index, browser: driver.name, notRecorded: u.reason });
    }
    done++;
    if (!opts.verbose && done % 25 === 0) process.stderr.write(`run.mjs: ${done}/${cases.length} cases (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  for (const p of pending) await p.then((sess) => sess.close()).catch(() => {});
  await Promise.all(closing);
  await driver.close();
  await servers.close();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`run.mjs: ${driver.name}: ${cases.length} cases in ${secs} s; ${failures} problem(s)\n`);
  await new Promise((r) => (out === process.stdout ? r() : out.end(r)));
  if (dbg) await new Promise((r) => dbg.end(r));
  if (opts.manifest) {
    const files = opts.files.map((f) => ({
      file: path.basename(f),
      sha256: crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex'),
    }));
    const manifest = {
      browser: driver.name,
      version: driver.version,
      started: new Date(t0).toISOString(),
      seconds: Number(secs),
      cases: cases.length,
      requests: cases.reduce((n, c) => n + c.requests.length, 0),
      answers: emitted,
      problems: failures,
      only: opts.only,
      every: opts.every,
      files,
    };
    fs.writeFileSync(opts.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  process.exitCode = failures ? 1 : 0;
}


class FirefoxDriver {
  name = 'firefox';

  constructor(hosts) {
    this.hosts = hosts;
  }

  async launch() {
    ({ browser: this.browser } = await launchBrowser(puppeteer, 'firefox', { hosts: this.hosts }));
    this.version = await this.browser.version();
  }

  async close() {
    await this.browser.close();
  }

  /** A fresh BiDi user context (own preflight cache, see README) with a page at `origin`. */
  async openCase(origin) {
    return inFreshContext(this.browser, (ctx) => this.#openIn(ctx, origin));
  }

  async #openIn(ctx, origin) {
    const page = await ctx.newPage();
    const events = [];
    // BiDi log.entryAdded of this browsing context: Firefox reports its CORS
    // console messages as entries of type "javascript", level "error".
    const bc = page.mainFrame().browsingContext;
    const onLog = ({ entry }) =>
      events.push({ kind: 'log', type: entry.type, level: entry.level, text: entry.text ?? '', t: Date.now() });
    bc.on('log', onLog);
    await page.goto(origin + PAGE_PATH, { waitUntil: 'load' });
    await sleep(20);
    events.length = 0;
    return {
      page,
      events,
      close: async () => {
        bc.off('log', onLog);
        await ctx.close();
      },
    };
  }

  /** Waits for the console lines of a fetch that just settled. */
  async settle(session, result) {
    const ev = session.events;
    if (result.settled !== 'rejected') {
      await sleep(40);
      return;
    }
    // Firefox may print a second line (e.g. "CORS request did not succeed")
    // shortly after the first: wait for one CORS line, then for quiet.
    // fetch() rejecting before any request ("Window.fetch: ...") logs nothing.
    const threw = /^Window\.fetch: /.test(result.errorMessage ?? '');
    const deadline = Date.now() + (threw ? 60 : 600);
    while (Date.now() < deadline && !ev.some((e) => e.kind === 'log' && e.level === 'error')) await sleep(10);
    // The quiet period is generous: on a loaded 2-core machine a 40 ms one
    // once let the main channel's late "(null)" line fall into the next
    // fetch's window (random-20261129-164, index 1).
    let n = -1;
    while (n !== ev.length && Date.now() < deadline + 400) {
      n = ev.length;
      await sleep(150);
    }
  }

  diagnose(session) {
    const logs = session.events.filter((e) => e.kind === 'log');
    // message: the first CORS line ("Cross-Origin Request Blocked: ...");
    // without one, the first other error line ("Security Error: Content at
    // ... may not load data from ..."). error: the reason key of the CORS
    // line, null without one.
    const cors = logs.find((e) => isFirefoxCorsLine(e.text));
    const other = logs.find((e) => e.level === 'error');
    const message = cors ? cors.text : other ? other.text : null;
    const error = cors ? reasonKeyOfFirefoxMessage(cors.text) : null;
    return { error, message, consoleLines: logs.map((e) => ({ type: e.type, level: e.level, text: e.text })) };
  }
}

main().catch((e) => {
  process.stderr.write(`run.mjs: runner failure: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
