#!/usr/bin/env node
// Random holdout cases for the browser model (format: case-format.md).
//
// Independent of conformance/gen/generate.mjs on purpose: this draws random
// combinations of method, script headers, mode, credentials, body, server
// preflight answers, redirect chains and actual responses, so the model is
// measured on cases it was not fitted to.
//
//   node conformance/random/generate.mjs [--seed N] [--count N] [--out FILE]
//
// Same seed and count, same bytes. Page origin http://app.test:8001, hosts
// *.test on ports 8001-8009, ids random-<seed>-<n>, paths /random-<seed>-<n>/...
// Every URL fetched or redirected to is a key of `server`, except hops that
// deliberately point at an unknown URL (404).

import { writeFileSync } from "node:fs";

function parseArgs(argv) {
  const opts = { seed: 20261129, count: 300, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--seed") opts.seed = Number(next());
    else if (a === "--count") opts.count = Number(next());
    else if (a === "--out") opts.out = next();
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.seed) || opts.seed < 0) usage("--seed must be a non-negative integer");
  if (!Number.isInteger(opts.count) || opts.count < 1) usage("--count must be a positive integer");
  return opts;
}

function usage(msg) {
  process.stderr.write(`generate.mjs: ${msg}\nusage: generate.mjs [--seed N] [--count N] [--out FILE]\n`);
  process.exit(2);
}

// mulberry32: small, fast, good enough for test-case draws.
function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  // [[weight, value], ...]
  weighted(pairs) {
    const total = pairs.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of pairs) {
      if ((x -= w) < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }
  subset(arr, max) {
    const pool = [...arr];
    const n = this.int(0, Math.min(max, pool.length));
    const out = [];
    for (let i = 0; i < n; i++) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
}

const ORIGIN = "http://app.test:8001";
const HOSTS = [
  "http://app.test:8001",
  "http://api.test:8002",
  "http://other.test:8003",
  "http://api.test:8004",
];

const METHODS = [
  [10, "GET"], [3, "HEAD"], [8, "POST"], [5, "PUT"], [4, "DELETE"], [4, "PATCH"],
  [3, "patch"], [2, "put"], [2, "post"], [1, "get"], [1, "delete"], [2, "OPTIONS"],
  [1, "PURGE"], [1, "Foo-Bar"], [1, "mkcol"],
];

// Script header pool: [name, value]. Safelisted names with valid and invalid
// values, custom names, Authorization, Content-Type variants, Range.
const HEADER_POOL = [
  ["Accept", "application/json"],
  ["Accept", "text/html, */*;q=0.8"],
  ["Accept", "{json}"],
  ["accept", "a".repeat(129)],
  ["Accept-Language", "en-US,en;q=0.9"],
  ["Accept-Language", "en_US"],
  ["Content-Language", "fr"],
  ["Content-Language", "de-DE, en"],
  ["Content-Language", "x(y)"],
  ["Content-Type", "text/plain"],
  ["Content-Type", "text/plain;charset=UTF-8"],
  ["Content-Type", "application/x-www-form-urlencoded"],
  ["Content-Type", "multipart/form-data; boundary=abc"],
  ["Content-Type", "application/json"],
  ["content-type", "TEXT/PLAIN"],
  ["Content-Type", "text/html"],
  ["Content-Type", "text/plain; charset=\"utf-8\""],
  ["Content-Type", "text/plain, application/json"],
  ["Range", "bytes=0-99"],
  ["Range", "bytes=10-"],
  ["Range", "bytes=-5"],
  ["Range", "bytes=0-1,3-4"],
  ["X-Requested-With", "XMLHttpRequest"],
  ["X-Custom", "1"],
  ["x-custom", "two"],
  ["X-Trace-Id", "abc-123"],
  ["X-API-Key", "k"],
  ["X-Empty", ""],
  ["Authorization", "Bearer t0k3n"],
  ["authorization", "Basic dTpw"],
];

const RESPONSE_EXTRA = [
  ["Content-Type", "application/json"],
  ["Content-Type", "text/plain"],
  ["Cache-Control", "no-store"],
  ["Content-Language", "en"],
  ["Expires", "0"],
  ["Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT"],
  ["Pragma", "no-cache"],
  ["X-Foo", "foo"],
  ["X-Bar", "bar"],
  ["x-baz", "baz"],
  ["Set-Cookie", "a=b"],
  ["Content-Range", "bytes 0-1/2"],
  ["ETag", "\"v1\""],
];

function casing(rng, s) {
  return rng.weighted([
    [6, s],
    [2, s.toLowerCase()],
    [1, s.toUpperCase()],
  ]);
}

function acaoHeader(rng, requestOrigin) {
  // Value variants; requestOrigin is usually the page origin.
  const v = rng.weighted([
    [10, requestOrigin],
    [4, "*"],
    [1, "http://App.test:8001"],
    [1, "http://app.test:8001/"],
    [1, "null"],
    [1, "http://other.test:8003"],
    [1, "http://app.test:8001, http://app.test:8001"],
    [1, " http://app.test:8001"],
  ]);
  const lines = [[casing(rng, "Access-Control-Allow-Origin"), v]];
  if (rng.chance(0.05)) lines.push(["Access-Control-Allow-Origin", rng.pick([v, "*"])]);
  return lines;
}

function acacHeader(rng) {
  return [[casing(rng, "Access-Control-Allow-Credentials"), rng.weighted([
    [8, "true"], [1, "True"], [1, "TRUE"], [1, "false"], [1, "1"],
  ])]];
}

function listVariant(rng, items) {
  // items: tokens; joins with random separators, maybe empties/spaces.
  if (items.length === 0) return rng.pick(["", ","]);
  const sep = rng.weighted([[5, ", "], [3, ","], [1, " , "], [1, ",, "]]);
  let s = items.join(sep);
  if (rng.chance(0.1)) s = `, ${s}`;
  if (rng.chance(0.1)) s = `${s},`;
  return s;
}

function acamHeader(rng, method) {
  const upper = method.toUpperCase();
  const base = rng.weighted([
    [8, [method]],
    [2, [upper]],
    [2, [method.toLowerCase()]],
    [3, ["*"]],
    [3, ["GET", "POST"]],
    [3, ["GET", method, "DELETE"]],
    [1, ["PU T"]],
    [1, [`${method};x`]],
    [1, ["PUT", "PATCH", "DELETE"]],
  ]);
  const lines = [[casing(rng, "Access-Control-Allow-Methods"), listVariant(rng, base)]];
  if (rng.chance(0.06)) lines.push(["Access-Control-Allow-Methods", rng.pick(["PATCH", "*", method])]);
  return lines;
}

function acahHeader(rng, headerNames) {
  let names = headerNames.map((n) =>
    rng.weighted([[5, n.toLowerCase()], [3, n], [1, n.toUpperCase()]]),
  );
  const kind = rng.weighted([[6, "all"], [2, "some"], [2, "star"], [1, "star-auth"], [1, "invalid"], [1, "other"]]);
  if (kind === "some") names = names.filter(() => rng.chance(0.5));
  else if (kind === "star") names = ["*"];
  else if (kind === "star-auth") names = ["*", "Authorization"];
  else if (kind === "invalid") names = [...names, "x custom"];
  else if (kind === "other") names = ["X-Other"];
  const lines = [[casing(rng, "Access-Control-Allow-Headers"), listVariant(rng, names)]];
  if (rng.chance(0.06) && headerNames.length) lines.push(["Access-Control-Allow-Headers", headerNames[0]]);
  return lines;
}

function acmaHeader(rng) {
  return [[casing(rng, "Access-Control-Max-Age"), rng.weighted([
    [3, "600"], [2, "1"], [2, "0"], [1, "-1"], [1, "abc"], [1, "2"], [1, "86400"],
  ])]];
}

function acehHeader(rng, extraNames) {
  const names = rng.weighted([
    [4, extraNames.length ? rng.subset(extraNames, 3) : ["X-Foo"]],
    [2, ["*"]],
    [1, ["Content-Length"]],
    [1, ["X-Foo", "X-Bar", "x-baz"]],
    [1, ["Set-Cookie", "X-Foo"]],
    [1, ["x foo"]],
  ]);
  return [[casing(rng, "Access-Control-Expose-Headers"), listVariant(rng, names)]];
}

function generateCase(rng, seed, n) {
  const id = `random-${seed}-${n}`;
  const base = `/random-${seed}-${n}`;
  const server = {};
  let hop = 0;
  const newUrl = (host) => `${host}${base}/${String.fromCharCode(97 + hop++)}`;

  // Where the first request goes: mostly cross-origin.
  const firstHost = rng.weighted([[2, HOSTS[0]], [6, HOSTS[1]], [3, HOSTS[2]], [2, HOSTS[3]]]);

  // The script's request(s).
  const mode = rng.weighted([[17, "cors"], [2, "no-cors"], [1, "same-origin"]]);
  const credentials = rng.weighted([[3, "omit"], [4, "same-origin"], [3, "include"]]);
  let method = rng.weighted(METHODS);
  if (mode === "no-cors" && rng.chance(0.85)) method = rng.pick(["GET", "POST", "HEAD"]);
  let headers = rng.subset(HEADER_POOL, rng.weighted([[3, 0], [4, 1], [3, 2], [1, 3], [1, 4]]));
  // Keep names unique except on purpose (a repeated name now and then).
  if (rng.chance(0.9)) {
    const seen = new Set();
    headers = headers.filter(([name]) => {
      const k = name.toLowerCase();
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const noBody = ["GET", "HEAD"].includes(method.toUpperCase());
  const body = !noBody && rng.chance(0.6) ? rng.pick(["x", "{\"a\":1}", "a=1&b=2", ""]) : undefined;

  // Who the request origin will be at the target (for ACAO values).
  const originFor = () => ORIGIN;

  // Server: the first URL, maybe a redirect chain.
  const firstUrl = newUrl(firstHost);
  const requestHeaderNames = [...new Set(headers.map(([k]) => k))];
  const credentialed = credentials === "include";

  const preflightAnswer = (url) => {
    if (rng.chance(0.08)) return undefined; // no handler: 405
    let status = rng.weighted([[10, 204], [8, 200], [1, 201], [1, 299], [1, 400], [1, 403], [1, 404], [1, 500], [1, 302]]);
    const h = [];
    if (rng.chance(0.9)) h.push(...acaoHeader(rng, originFor(url)));
    if (credentialed ? rng.chance(0.75) : rng.chance(0.25)) h.push(...acacHeader(rng));
    if (rng.chance(0.8)) h.push(...acamHeader(rng, method));
    if (requestHeaderNames.length ? rng.chance(0.8) : rng.chance(0.2)) h.push(...acahHeader(rng, requestHeaderNames));
    if (rng.chance(0.35)) h.push(...acmaHeader(rng));
    if (status === 302) {
      const target = newUrl(rng.pick(HOSTS.slice(1)));
      h.push(["Location", target]);
      server[target] = { response: finalResponse(target) };
    }
    if (rng.chance(0.2)) h.push(["Content-Type", "text/plain"]);
    return { status, headers: h };
  };

  const corsHeaders = (h, extraNames, url) => {
    if (rng.chance(0.85)) h.push(...acaoHeader(rng, originFor(url)));
    if (credentialed ? rng.chance(0.7) : rng.chance(0.2)) h.push(...acacHeader(rng));
    if (rng.chance(0.4)) h.push(...acehHeader(rng, extraNames));
  };

  function finalResponse(url) {
    const status = rng.weighted([[12, 200], [2, 201], [2, 204], [2, 404], [2, 500], [1, 206]]);
    const h = [];
    const extras = rng.subset(RESPONSE_EXTRA, 3);
    h.push(...extras);
    corsHeaders(h, extras.map(([k]) => k), url);
    if (rng.chance(0.6)) {
      // Fisher-Yates: CORS headers anywhere among the others.
      for (let i = h.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [h[i], h[j]] = [h[j], h[i]];
      }
    }
    const resp = { status, headers: h };
    if (status !== 204) resp.body = rng.pick(["ok", "{}", "hello world"]);
    return resp;
  }

  // Redirect chain of 0-3 hops from the first URL.
  const hops = rng.weighted([[14, 0], [4, 1], [2, 2], [1, 3]]);
  let url = firstUrl;
  for (let i = 0; i < hops; i++) {
    const status = rng.pick([301, 302, 303, 307, 308]);
    const nextHost = rng.weighted([[2, HOSTS[0]], [4, HOSTS[1]], [3, HOSTS[2]], [2, HOSTS[3]]]);
    const deliberate404 = rng.chance(0.04);
    const next = deliberate404 ? `${nextHost}${base}/missing` : newUrl(nextHost);
    let location = next;
    // Now and then a relative Location (same host as the hop).
    if (!deliberate404 && next.startsWith(url.slice(0, url.indexOf("/", 8))) && rng.chance(0.5)) {
      location = next.slice(next.indexOf("/", 8));
    }
    const h = [["Location", location]];
    corsHeaders(h, [], url);
    server[url] = { response: { status, headers: h } };
    if (rng.chance(0.5)) server[url].preflight = preflightAnswer(url);
    if (server[url].preflight === undefined) delete server[url].preflight;
    if (deliberate404) {
      url = null;
      break;
    }
    url = next;
  }
  if (url !== null) {
    server[url] = { response: finalResponse(url) };
    const pf = preflightAnswer(url);
    if (pf) server[url].preflight = pf;
  }
  const req = { url: firstUrl, method, headers, mode, credentials };
  if (body !== undefined) req.body = body;
  const requests = [req];

  // 0-2 more requests: repeats (preflight cache) or variants, small delays.
  const more = rng.weighted([[5, 0], [4, 1], [1, 2]]);
  let delayBudget = 2500;
  for (let i = 0; i < more; i++) {
    const r = structuredClone(req);
    const variant = rng.weighted([[5, "same"], [2, "method"], [2, "header"], [1, "credentials"]]);
    if (variant === "method") {
      r.method = rng.weighted(METHODS);
      if (["GET", "HEAD"].includes(r.method.toUpperCase())) delete r.body;
    } else if (variant === "header") {
      r.headers = [...r.headers, rng.pick(HEADER_POOL)];
    } else if (variant === "credentials") {
      r.credentials = rng.pick(["omit", "same-origin", "include"]);
    }
    if (rng.chance(0.25) && delayBudget > 0) {
      const d = Math.min(delayBudget, rng.pick([100, 500, 1100, 2100]));
      r.delay_ms = d;
      delayBudget -= d;
    }
    requests.push(r);
  }

  return { id, origin: ORIGIN, server, requests };
}

const opts = parseArgs(process.argv.slice(2));
const rng = new Rng(opts.seed);
const lines = [];
let totalDelay = 0;
for (let n = 0; n < opts.count; n++) {
  const c = generateCase(rng, opts.seed, n);
  totalDelay += c.requests.reduce((s, r) => s + (r.delay_ms ?? 0), 0);
  lines.push(JSON.stringify(c));
}
if (totalDelay >= 60000) {
  process.stderr.write(`generate.mjs: total delay ${totalDelay} ms is not under 60 s; use fewer cases\n`);
  process.exit(1);
}
const text = lines.join("\n") + "\n";
if (opts.out) writeFileSync(opts.out, text);
else process.stdout.write(text);
process.stderr.write(`generate.mjs: ${lines.length} cases, seed ${opts.seed}, total delay ${totalDelay} ms\n`);
