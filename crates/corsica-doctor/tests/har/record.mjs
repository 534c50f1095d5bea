#!/usr/bin/env node
// Records a HAR of a page whose cross-origin requests fail in several ways,
// with real headless Chromium, the way DevTools exports one: the HAR is
// built from the Chrome DevTools Protocol's Network events.
//
//   node crates/corsica-doctor/tests/har/record.mjs OUT.har [--page-port N] [--api-port N]
//
// Without ports, both servers take ephemeral ports on 127.0.0.1; `*.test`
// names resolve to 127.0.0.1 through --host-resolver-rules, so nothing
// leaves the machine. The committed fixture (failing-page.har) was recorded
// with --page-port 8001 --api-port 8002 inside `unshare -n` (its own
// loopback), so its URLs are stable.
//
// Why not the npm package chrome-har: it drops every request that failed
// (`Network.loadingFailed`), which is exactly every request CORS blocked.
// This builder keeps them, as DevTools' own export does
// (devtools-frontend front_end/models/har/Log.ts): a failed request has
// status 0 and `_error`; a preflight is an entry of `_resourceType`
// "preflight" whose `_initiator` names the request it preceded.
//
// puppeteer-core comes from conformance/node_modules (npm ci --prefix
// conformance); Chromium is Debian's, launched as every corsica test
// launches it (conformance/runner/browsers.mjs).

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const require = createRequire(path.join(root, 'conformance/package.json'));
const puppeteer = require('puppeteer-core');
const { launchBrowser } = await import(pathToFileURL(path.join(root, 'conformance/runner/browsers.mjs')).href);

function parseArgs(argv) {
  const opts = { out: null, pagePort: 0, apiPort: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--page-port') opts.pagePort = Number(argv[++i]);
    else if (a === '--api-port') opts.apiPort = Number(argv[++i]);
    else opts.out = a;
  }
  if (!opts.out) {
    process.stderr.write('usage: record.mjs OUT.har [--page-port N] [--api-port N]\n');
    process.exit(2);
  }
  return opts;
}

// ------------------------------------------------------------------ servers

/** What the API answers, by path; `app` is the page's origin. */
function api(req, res, app) {
  const url = new URL(req.url, 'http://x');
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'];
  const send = (status, headers) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(status === 204 ? undefined : '{"ok":true}');
  };
  const allow = { 'Access-Control-Allow-Origin': origin ?? '', Vary: 'Origin' };
  switch (url.pathname) {
    case '/ok':
      // Allowed, with a header the page may want and cannot read.
      return send(200, { ...allow, 'X-Request-Id': '7' });
    case '/no-acao':
      return send(200, {});
    case '/wrong-origin':
      return send(200, { 'Access-Control-Allow-Origin': 'http://other.test' });
    case '/star-credentials':
      return send(200, { 'Access-Control-Allow-Origin': '*' });
    case '/put-json':
      if (preflight) return send(204, { ...allow, 'Access-Control-Allow-Methods': 'GET, POST' });
      return send(200, allow);
    case '/custom-header':
      if (preflight) {
        return send(204, { ...allow, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'content-type' });
      }
      return send(200, allow);
    case '/no-options':
      // No OPTIONS handler: the framework's 404.
      if (req.method === 'OPTIONS') return send(404, {});
      return send(200, allow);
    case '/preflight-ok':
      if (preflight) {
        return send(204, { ...allow, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'content-type', 'Access-Control-Max-Age': '0' });
      }
      return send(200, allow);
    case '/error-500':
      return send(500, {});
    case '/redirect':
      return send(302, { ...allow, Location: '/no-acao' });
    case '/credentials-ok':
      return send(200, { ...allow, 'Access-Control-Allow-Credentials': 'true' });
    default:
      return send(404, {});
  }
}

/** The page: it runs the fetches one after another, then says done. */
function page(apiOrigin) {
  const calls = [
    ['/ok', {}],
    ['/no-acao', {}],
    ['/wrong-origin', {}],
    ['/star-credentials', { credentials: 'include' }],
    ['/put-json', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
    ['/custom-header', { headers: { 'X-Api-Key': 'k' } }],
    ['/no-options', { method: 'DELETE' }],
    ['/preflight-ok', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
    ['/error-500', {}],
    ['/redirect', {}],
    ['/credentials-ok', { credentials: 'include' }],
  ];
  return `<!doctype html><meta charset="utf-8"><title>failing page</title>
<script>
const calls = ${JSON.stringify(calls)};
(async () => {
  const results = [];
  for (const [p, init] of calls) {
    try {
      const r = await fetch(${JSON.stringify(apiOrigin)} + p, init);
      await r.text();
      results.push([p, r.status]);
    } catch (e) {
      results.push([p, String(e)]);
    }
  }
  window.results = results;
  document.title = 'done';
})();
</script>`;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

// ------------------------------------------------------------------ the HAR

const toMs = (t) => (t === undefined || t < 0 ? -1 : t * 1000);

function headerList(obj) {
  if (!obj) return [];
  const out = [];
  for (const [name, value] of Object.entries(obj)) {
    // CDP joins repeated headers with "\n".
    for (const v of String(value).split('\n')) out.push({ name, value: v });
  }
  return out;
}

/** DevTools' resource type names: lowercase ("fetch", "preflight", "document"). */
const resourceType = (t) => (t ? t.toLowerCase() : 'other');

/** Builds the HAR from the Network events of one page, as DevTools does. */
function buildHar(events, version, pageUrl) {
  const byId = new Map();
  const entries = [];
  let pageStarted = null;
  const get = (id) => byId.get(id);
  const finish = (r) => {
    if (!r.done) {
      r.done = true;
      entries.push(r);
    }
  };
  for (const { method, params: p } of events) {
    switch (method) {
      case 'Network.requestWillBeSent': {
        const old = get(p.requestId);
        if (old && p.redirectResponse) {
          // A redirect: the previous hop ends with the redirect's answer.
          old.response = p.redirectResponse;
          if (old.extraResponse) old.responseHeaders = old.extraResponse.headers;
          finish(old);
        }
        // The ExtraInfo events come from the network service, apart from
        // the renderer's: under load they may arrive before this one.
        const early = old && !old.request ? old : null;
        const r = {
          id: p.requestId,
          wallTime: p.wallTime,
          timestamp: p.timestamp,
          request: p.request,
          requestHeaders: early?.pendingRequestHeaders ?? early?.requestHeaders ?? null,
          type: p.type,
          initiator: p.initiator,
          done: false,
        };
        if (early?.extraResponse) {
          r.extraResponse = early.extraResponse;
          r.responseHeaders = early.extraResponse.headers;
          r.status = early.extraResponse.statusCode;
        }
        byId.set(p.requestId, r);
        if (pageStarted === null) pageStarted = p.wallTime;
        break;
      }
      case 'Network.requestWillBeSentExtraInfo': {
        const r = get(p.requestId);
        // The headers that went on the wire (after the browser added its own).
        if (r && !r.requestHeaders) r.requestHeaders = p.headers;
        else if (!r) byId.set(p.requestId, { id: p.requestId, pendingRequestHeaders: p.headers, done: false });
        break;
      }
      case 'Network.responseReceivedExtraInfo': {
        const r = get(p.requestId);
        if (r) {
          r.extraResponse = p;
          r.responseHeaders = p.headers;
          r.status = p.statusCode;
        } else {
          byId.set(p.requestId, { id: p.requestId, extraResponse: p, done: false });
        }
        break;
      }
      case 'Network.responseReceived': {
        const r = get(p.requestId);
        if (r) {
          r.response = p.response;
          r.type = p.type ?? r.type;
        }
        break;
      }
      case 'Network.loadingFinished': {
        const r = get(p.requestId);
        if (r) {
          r.endTimestamp = p.timestamp;
          finish(r);
        }
        break;
      }
      case 'Network.loadingFailed': {
        const r = get(p.requestId);
        if (r) {
          r.endTimestamp = p.timestamp;
          r.error = p.errorText;
          r.type = p.type ?? r.type;
          finish(r);
        }
        break;
      }
      default:
        break;
    }
  }
  // Requests still open at the end (none expected).
  for (const r of byId.values()) if (!r.done && r.request) finish(r);
  entries.sort((a, b) => a.timestamp - b.timestamp);

  const harEntries = entries.filter((r) => r.request).map((r) => {
    const resp = r.response;
    // A failed request keeps the status and headers the network saw, when a
    // response came back at all (the CORS check runs on a received answer).
    const status = r.error && !resp ? 0 : resp ? resp.status : r.status ?? 0;
    const responseHeaders = r.responseHeaders ?? resp?.headers ?? null;
    const reqHeaders = r.requestHeaders ?? r.request.headers;
    const entry = {
      _initiator: r.initiator ? { type: r.initiator.type, ...(r.initiator.url ? { url: r.initiator.url } : {}), ...(r.initiator.requestId ? { requestId: r.initiator.requestId } : {}) } : null,
      _priority: r.request.initialPriority ?? 'High',
      _resourceType: resourceType(r.type),
      cache: {},
      pageref: 'page_1',
      request: {
        method: r.request.method,
        url: r.request.url.split('#')[0],
        httpVersion: 'HTTP/1.1',
        headers: headerList(reqHeaders),
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: r.request.postData ? Buffer.byteLength(r.request.postData) : 0,
        ...(r.request.postData ? { postData: { mimeType: r.request.headers['Content-Type'] ?? '', text: r.request.postData } } : {}),
      },
      response: {
        status: r.error ? 0 : status,
        statusText: r.error ? '' : resp?.statusText ?? '',
        httpVersion: 'HTTP/1.1',
        headers: r.error && !r.responseHeaders ? [] : headerList(responseHeaders),
        cookies: [],
        content: { size: 0, mimeType: resp?.mimeType ?? 'x-unknown' },
        redirectURL: (responseHeaders && (responseHeaders.Location ?? responseHeaders.location)) || '',
        headersSize: -1,
        bodySize: -1,
        _transferSize: 0,
        _error: r.error ?? null,
      },
      serverIPAddress: '127.0.0.1',
      startedDateTime: new Date((r.wallTime ?? pageStarted) * 1000).toISOString(),
      time: r.endTimestamp ? toMs(r.endTimestamp - r.timestamp) : 0,
      timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
    };
    if (r.error && r.responseHeaders) {
      // DevTools keeps what came back for a request CORS blocked: the
      // status and headers of the answer (from the ExtraInfo event).
      entry.response.status = r.status ?? 0;
      entry.response.headers = headerList(r.responseHeaders);
    }
    return entry;
  });
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: version.replace(/^.*\//, '') },
      pages: [
        {
          startedDateTime: new Date(pageStarted * 1000).toISOString(),
          id: 'page_1',
          title: pageUrl,
          pageTimings: { onContentLoad: -1, onLoad: -1 },
        },
      ],
      entries: harEntries,
    },
  };
}

/** Each fetch Chromium blocked: method, URL, CorsError, console line. */
function blockedRequests(events) {
  const requests = new Map();
  const out = [];
  // The console line carries no request id: it quotes the URL fetched
  // (as "at '...'", or "redirected from '...'").
  const lines = events
    .filter((e) => e.method === 'Log.entryAdded' && e.params.entry.text.startsWith('Access to '))
    .map((e) => e.params.entry.text);
  for (const { method, params: p } of events) {
    if (method === 'Network.requestWillBeSent' && !requests.has(p.requestId)) {
      requests.set(p.requestId, { method: p.request.method, url: p.request.url, type: p.type });
    }
    if (method === 'Network.loadingFailed' && p.type === 'Fetch') {
      const r = requests.get(p.requestId);
      const at = lines.findIndex((t) => t.includes(`at '${r?.url}'`) || t.includes(`redirected from '${r?.url}'`));
      const log = at >= 0 ? lines.splice(at, 1)[0] : null;
      out.push({
        method: r?.method,
        url: r?.url,
        error: p.corsErrorStatus?.corsError ?? null,
        message: log,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const apiServer = http.createServer();
  const apiPort = await listen(apiServer, opts.apiPort);
  const pageServer = http.createServer();
  const pagePort = await listen(pageServer, opts.pagePort);
  const appOrigin = `http://app.test:${pagePort}`;
  const apiOrigin = `http://api.test:${apiPort}`;
  apiServer.on('request', (req, res) => api(req, res, appOrigin));
  pageServer.on('request', (req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(apiOrigin));
  });

  const { browser, cleanup } = await launchBrowser(puppeteer, 'chrome', { tag: 'corsica-har' });
  try {
    const version = await browser.version();
    const page = await browser.newPage();
    const cdp = await page.createCDPSession();
    const events = [];
    let lastEvent = Date.now();
    for (const name of [
      'Log.entryAdded',
      'Network.requestWillBeSent',
      'Network.requestWillBeSentExtraInfo',
      'Network.responseReceived',
      'Network.responseReceivedExtraInfo',
      'Network.loadingFinished',
      'Network.loadingFailed',
    ]) {
      cdp.on(name, (params) => {
        events.push({ method: name, params });
        lastEvent = Date.now();
      });
    }
    await cdp.send('Network.enable');
    await cdp.send('Log.enable');
    const pageUrl = `${appOrigin}/`;
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => document.title === 'done', { timeout: 30000 });
    // The last events of the last requests: the ExtraInfo events (the
    // headers on the wire, the answer of a request CORS blocked) come from
    // the network service and can trail the page's own by hundreds of
    // milliseconds on a loaded machine. Wait for a second with no event
    // (at most 15 s): a fixed 200 ms lost them under load.
    const waitUntil = Date.now() + 15000;
    while (Date.now() - lastEvent < 1000 && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const results = await page.evaluate(() => window.results);
    const har = buildHar(events, version, pageUrl);
    fs.writeFileSync(opts.out, `${JSON.stringify(har, null, 2)}\n`);
    // What Chromium itself reported for each request it blocked: its
    // DevTools CORS error and its console line.
    const blocked = blockedRequests(events);
    const expected = { version, appOrigin, apiOrigin, results, blocked };
    fs.writeFileSync(opts.out.replace(/\.har$/, '.expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify({ version, appOrigin, apiOrigin, blocked: blocked.length })}\n`);
  } finally {
    await browser.close();
    cleanup();
    apiServer.close();
    pageServer.close();
  }
}

main().catch((e) => {
  process.stderr.write(`record.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
