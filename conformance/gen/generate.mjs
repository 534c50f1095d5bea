#!/usr/bin/env node
// Generates the conformance corpus: conformance/cases/<topic>.jsonl.
//
// Every case is written by hand here or built from explicit lists of
// variants: no randomness, no clock, no environment, so two runs write the
// same bytes. The format is conformance/FORMAT.md ("The case format");
// the rules exercised are those of the Fetch Standard and of the Chromium
// and Firefox notes in the project's browser-cors reference. Cases say what
// the page does and what the server answers, never what the browser should
// do: the recorded browser answers are the truth.
//
// Usage:
//   node conformance/gen/generate.mjs          write the files, print counts
//   node conformance/gen/generate.mjs --check  exit 1 if the committed files
//                                              differ from what would be written
//   node conformance/gen/generate.mjs --out DIR
//                                              write the generated files (and
//                                              CORPUS.md) into DIR instead
// Exit status 2: a case broke a corpus rule (the problems are printed).
//
// `examples.jsonl` is a verbatim copy of the five shared example cases; it is
// not generated, but it is validated with the rest (ids unique across files).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CASES_DIR = path.resolve(HERE, '..', 'cases');

// ------------------------------------------------------------------ origins

const APP = 'http://app.test:8001'; // the page, in most cases
const API = 'http://api.test:8002'; // the cross-origin API
const OTHER = 'http://other.test:8003'; // a third origin
const API2 = 'http://api.test:8004'; // same host as API, other port
const APP2 = 'http://app.test:8005'; // same host as the page, other port

// ------------------------------------------------------------------ headers

const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';
const ACAM = 'Access-Control-Allow-Methods';
const ACAH = 'Access-Control-Allow-Headers';
const ACEH = 'Access-Control-Expose-Headers';
const ACMA = 'Access-Control-Max-Age';
const CT = 'Content-Type';

const CREDENTIALS = ['omit', 'same-origin', 'include'];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/** `Access-Control-Allow-Origin` variants: [slug, header lines]. */
const ACAO_VARIANTS = [
  ['missing', []],
  ['star', [[ACAO, '*']]],
  ['exact', [[ACAO, APP]]],
  ['other-origin', [[ACAO, OTHER]]],
  ['other-port', [[ACAO, APP2]]],
  ['null', [[ACAO, 'null']]],
  ['trailing-slash', [[ACAO, `${APP}/`]]],
  ['uppercase-host', [[ACAO, 'http://APP.TEST:8001']]],
  ['uppercase-scheme', [[ACAO, 'HTTP://app.test:8001']]],
  ['no-port', [[ACAO, 'http://app.test']]],
  ['https-scheme', [[ACAO, 'https://app.test:8001']]],
  ['with-path', [[ACAO, `${APP}/index.html`]]],
  ['star-padded-spaces', [[ACAO, '  *  ']]],
  ['star-padded-tabs', [[ACAO, '\t*\t']]],
  ['exact-padded-spaces', [[ACAO, ` ${APP} `]]],
  ['two-lines-same', [[ACAO, APP], [ACAO, APP]]],
  ['two-lines-different', [[ACAO, APP], [ACAO, OTHER]]],
  ['two-lines-star', [[ACAO, '*'], [ACAO, '*']]],
  ['two-lines-star-exact', [[ACAO, '*'], [ACAO, APP]]],
  ['comma-list', [[ACAO, `${APP}, ${OTHER}`]]],
  ['comma-no-space', [[ACAO, `${APP},${OTHER}`]]],
  ['space-separated', [[ACAO, `${APP} ${OTHER}`]]],
  ['foo', [[ACAO, 'foo']]],
  ['empty', [[ACAO, '']]],
  ['star-quoted', [[ACAO, '"*"']]],
  ['lowercase-name', [['access-control-allow-origin', APP]]],
];
const acao = (slug) => {
  const v = ACAO_VARIANTS.find(([s]) => s === slug);
  if (!v) throw new Error(`unknown ACAO variant ${slug}`);
  return v[1];
};

/** `Access-Control-Allow-Credentials` variants, for credentials `include`. */
const ACAC_VARIANTS = [
  ['missing', []],
  ['true', [[ACAC, 'true']]],
  ['upper-true', [[ACAC, 'TRUE']]],
  ['capital-true', [[ACAC, 'True']]],
  ['quoted-true', [[ACAC, '"true"']]],
  ['false', [[ACAC, 'false']]],
  ['one', [[ACAC, '1']]],
  ['empty', [[ACAC, '']]],
  ['padded-true', [[ACAC, '  true  ']]],
  ['two-lines-true', [[ACAC, 'true'], [ACAC, 'true']]],
  ['two-lines-true-false', [[ACAC, 'true'], [ACAC, 'false']]],
  ['comma-true-true', [[ACAC, 'true, true']]],
];

// ------------------------------------------------------------------ builders

/** A server answer. The body is left out for statuses that carry none. */
function ans(status, headers = [], body = 'ok') {
  const a = { status, headers };
  const bodyless = (status >= 100 && status < 200) || status === 204 || status === 304;
  if (!bodyless && body !== null && body !== undefined) a.body = body;
  return a;
}

/** An allowed actual response: ACAO lines, `Content-Type: text/plain`, body `ok`. */
function okResp(acaoLines = [[ACAO, APP]], extra = [], status = 200) {
  return ans(status, [...acaoLines, [CT, 'text/plain'], ...extra]);
}

/** A redirect answer. */
function redir(status, location, headers = [[ACAO, APP]]) {
  return ans(status, [...headers, ['Location', location]], null);
}

/** One fetch() call. Keys in the case-format order. */
function req(url, o = {}) {
  const r = {
    url,
    method: o.method ?? 'GET',
    headers: o.headers ?? [],
    mode: o.mode ?? 'cors',
    credentials: o.credentials ?? 'same-origin',
  };
  if (o.body !== undefined) r.body = o.body;
  if (o.delay_ms !== undefined) r.delay_ms = o.delay_ms;
  return r;
}

/** Fetch: method normalize (only DELETE GET HEAD OPTIONS POST PUT are upper-cased). */
function normalizeMethod(m) {
  const u = m.toUpperCase();
  return ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(u) ? u : m;
}

/** A request body for methods that may carry one (fetch() throws for GET/HEAD bodies). */
function bodyFor(method) {
  const u = method.toUpperCase();
  return u === 'GET' || u === 'HEAD' ? undefined : 'x';
}

/**
 * A permissive preflight answer for `method` and the unsafe header `names`:
 * exact origin, the normalized method, the names as listed, ACAC when asked.
 */
function allowPreflight(method, names = [], o = {}) {
  const h = [...(o.acao ?? [[ACAO, o.origin ?? APP]])];
  const m = normalizeMethod(method);
  if (!['GET', 'HEAD', 'POST'].includes(m)) h.push([ACAM, m]);
  if (names.length) h.push([ACAH, names.join(', ')]);
  if (o.credentials) h.push([ACAC, 'true']);
  if (o.maxAge !== undefined) h.push([ACMA, String(o.maxAge)]);
  return ans(o.status ?? 204, h);
}

/** Lowercased, deduplicated, sorted header names (Fetch: CORS-unsafe request-header names, last step). */
function sortedNames(headers) {
  return [...new Set(headers.map(([n]) => n.toLowerCase()))].sort();
}

// ------------------------------------------------------------------ topics

/**
 * A topic collects cases for one file. `add(slug, build)` calls
 * `build(p)` with `p` = a per-case path prefix (`/<id>`), so every case uses
 * its own URLs and no browser state can leak from one case to another.
 */
class Topic {
  constructor(name, blurb) {
    this.name = name;
    this.blurb = blurb;
    this.cases = [];
    this.allow404 = new Set();
    this.allowForeignLocation = new Set();
  }

  add(slug, build, opts = {}) {
    const id = `${this.name}-${slug}`;
    const c = build(`/${id}`);
    const out = { id, origin: c.origin ?? APP, server: c.server, requests: c.requests };
    this.cases.push(out);
    if (opts.allow404) this.allow404.add(id);
    if (opts.foreignLocation) this.allowForeignLocation.add(id);
    return out;
  }
}

// ---------------------------------------------------------------- 1. simple

function simple() {
  const t = new Topic('simple', 'Requests that need no preflight: GET/HEAD/POST with CORS-safelisted headers, against every Access-Control-Allow-Origin and -Allow-Credentials variant and every credentials mode.');

  // Every ACAO variant x every credentials mode, GET. With `include` the
  // response also says `ACAC: true`, so ACAO alone decides.
  const omitSet = ['missing', 'star', 'exact', 'null'];
  const includeSkip = ['star-padded-tabs', 'uppercase-scheme', 'no-port', 'with-path', 'exact-padded-spaces', 'two-lines-star', 'star-quoted', 'lowercase-name', 'comma-no-space', 'other-port'];
  for (const [slug, lines] of ACAO_VARIANTS) {
    for (const cred of CREDENTIALS) {
      if (cred === 'omit' && !omitSet.includes(slug)) continue;
      if (cred === 'include' && includeSkip.includes(slug)) continue;
      t.add(`get-acao-${slug}-cred-${cred}`, (p) => ({
        server: {
          [API + p]: { response: okResp(lines, cred === 'include' ? [[ACAC, 'true']] : []) },
        },
        requests: [req(API + p, { credentials: cred })],
      }));
    }
  }
  const add = (slug, server, requests, origin) => t.add(slug, () => ({ origin, server, requests }));
  const U = (slug) => `${API}/simple-${slug}`;

  // ACAC variants with `include` and the exact origin.
  for (const [slug, lines] of ACAC_VARIANTS) {
    const s = `get-include-acac-${slug}`;
    add(s, { [U(s)]: { response: okResp([[ACAO, APP]], lines) } }, [req(U(s), { credentials: 'include' })]);
  }
  // ACAC variants with `include` and ACAO `*` (wildcard never works with include).
  for (const slug of ['missing', 'true', 'false']) {
    const lines = ACAC_VARIANTS.find(([s]) => s === slug)[1];
    const s = `get-include-acao-star-acac-${slug}`;
    add(s, { [U(s)]: { response: okResp([[ACAO, '*']], lines) } }, [req(U(s), { credentials: 'include' })]);
  }
  // ACAC is ignored without `include`, whatever its value.
  for (const [cred, slug, o] of [
    ['omit', 'false', 'exact'],
    ['same-origin', 'false', 'star'],
    ['same-origin', 'upper-true', 'exact'],
    ['same-origin', 'two-lines-true-false', 'star'],
  ]) {
    {
      const lines = ACAC_VARIANTS.find(([s]) => s === slug)[1];
      {
        const s = `get-cred-${cred}-acao-${o}-acac-${slug}`;
        add(s, { [U(s)]: { response: okResp(acao(o), lines) } }, [req(U(s), { credentials: cred })]);
      }
    }
  }

  // HEAD and POST against a representative set of ACAO variants.
  const some = ['missing', 'star', 'exact', 'other-origin', 'null', 'two-lines-same', 'comma-list', 'foo'];
  for (const slug of some) {
    for (const cred of ['same-origin', 'include']) {
      if (cred === 'include' && !['missing', 'star', 'exact', 'null'].includes(slug)) continue;
      const extra = cred === 'include' ? [[ACAC, 'true']] : [];
      const h = `head-acao-${slug}-cred-${cred}`;
      add(h, { [U(h)]: { response: ans(200, [...acao(slug), [CT, 'text/plain'], ...extra], null) } }, [
        req(U(h), { method: 'HEAD', credentials: cred }),
      ]);
      const po = `post-text-plain-acao-${slug}-cred-${cred}`;
      add(po, { [U(po)]: { response: okResp(acao(slug), extra) } }, [
        req(U(po), { method: 'POST', headers: [[CT, 'text/plain']], credentials: cred, body: 'hello' }),
      ]);
    }
  }

  // CORS-safelisted request headers: no preflight expected. The server has
  // no preflight handler, so a surprise preflight shows up as a failure.
  const safe = [
    ['accept-json', 'GET', [['Accept', 'application/json']]],
    ['accept-star', 'GET', [['Accept', '*/*']]],
    ['accept-empty', 'GET', [['Accept', '']]],
    ['accept-128-bytes', 'GET', [['Accept', `text/html;q=0.9,${'a'.repeat(128 - 16)}`]]],
    ['accept-language', 'GET', [['Accept-Language', 'en-US,en;q=0.9']]],
    ['accept-language-star', 'GET', [['Accept-Language', '*']]],
    ['accept-language-empty', 'GET', [['Accept-Language', '']]],
    ['content-language', 'GET', [['Content-Language', 'de-DE, en']]],
    ['content-type-text-plain', 'POST', [[CT, 'text/plain']]],
    ['content-type-form-urlencoded', 'POST', [[CT, 'application/x-www-form-urlencoded']]],
    ['content-type-multipart', 'POST', [[CT, 'multipart/form-data; boundary=xyz']]],
    ['content-type-multipart-no-boundary', 'POST', [[CT, 'multipart/form-data']]],
    ['content-type-text-plain-charset', 'POST', [[CT, 'text/plain;charset=utf-8']]],
    ['content-type-mixed-case', 'POST', [[CT, 'Text/Plain;charset=utf-8']]],
    ['content-type-upper-form', 'POST', [[CT, 'APPLICATION/X-WWW-FORM-URLENCODED']]],
    ['content-type-params-spaces', 'POST', [[CT, 'text/plain; charset=utf-8; format=flowed']]],
    ['content-type-on-get', 'GET', [[CT, 'text/plain']]],
    ['content-type-lowercase-name', 'POST', [['content-type', 'text/plain']]],
    ['accept-uppercase-name', 'GET', [['ACCEPT', 'text/html']]],
    ['all-four-safelisted', 'POST', [['Accept', 'application/json'], ['Accept-Language', 'fr'], ['Content-Language', 'fr'], [CT, 'text/plain']]],
    ['accept-tab-inside', 'GET', [['Accept', 'text/html,\tapplication/xml']]],
  ];
  for (const [slug, method, headers] of safe) {
    for (const cred of ['same-origin', 'include']) {
      if (cred === 'include' && !['accept-json', 'content-type-mixed-case', 'all-four-safelisted'].includes(slug)) continue;
      const s = `safelisted-${slug}-cred-${cred}`;
      const extra = cred === 'include' ? [[ACAC, 'true']] : [];
      add(s, { [U(s)]: { response: okResp([[ACAO, APP]], extra) } }, [
        req(U(s), { method, headers, credentials: cred, body: bodyFor(method) }),
      ]);
    }
  }

  // Other page origins.
  {
    const s = 'page-other-origin-acao-other';
    add(s, { [U(s)]: { response: okResp([[ACAO, OTHER]]) } }, [req(U(s))], OTHER);
  }
  {
    const s = 'page-other-origin-acao-app';
    add(s, { [U(s)]: { response: okResp([[ACAO, APP]]) } }, [req(U(s))], OTHER);
  }
  {
    const s = 'page-app2-to-app-same-host-other-port-missing';
    const u = `${APP}/simple-${s}`;
    add(s, { [u]: { response: okResp([]) } }, [req(u)], APP2);
  }
  {
    const s = 'page-app2-to-app-same-host-other-port-exact';
    const u = `${APP}/simple-${s}`;
    add(s, { [u]: { response: okResp([[ACAO, APP2]]) } }, [req(u)], APP2);
  }
  {
    const s = 'api2-same-host-other-port-acao-api';
    const u = `${API2}/simple-${s}`;
    add(s, { [u]: { response: okResp([[ACAO, API]]) } }, [req(u)], API);
  }
  {
    const s = 'api2-same-host-other-port-acao-exact';
    const u = `${API2}/simple-${s}`;
    add(s, { [u]: { response: okResp([[ACAO, API]]) } }, [req(u, { credentials: 'include' })], API);
  }
  // A query string travels with the URL.
  {
    const s = 'get-with-query';
    const u = `${API}/simple-${s}?a=1&b=two`;
    add(s, { [u]: { response: okResp([[ACAO, APP]]) } }, [req(u)]);
  }
  return t;
}

// ---------------------------------------------------------------- 2. trigger

function trigger() {
  const t = new Topic('trigger', 'What makes a request preflighted: non-safelisted methods (case matters), unsafe header names and values (128-byte rule, unsafe bytes, MIME parsing, Range grammar, combined duplicate values), and the shape of Access-Control-Request-Headers (lowercase, sorted, deduplicated).');

  // Methods: each against a permissive preflight (the normalized method
  // allowed) and, for the main ones, against a server with no preflight
  // handler (405, no headers).
  const methods = ['PUT', 'DELETE', 'PATCH', 'patch', 'Patch', 'FOO', 'foo', 'OPTIONS', 'put', 'delete', 'get', 'post', 'GeT', 'M-SEARCH'];
  for (const m of methods) {
    const slug = m === m.toUpperCase() ? m.toLowerCase() : `${m.toLowerCase()}-as-${m === m.toLowerCase() ? 'lowercase' : 'mixedcase'}`;
    for (const cred of ['same-origin', 'include']) {
      if (cred === 'include' && !['PUT', 'DELETE', 'patch', 'FOO'].includes(m)) continue;
      t.add(`method-${slug}-allowed-cred-${cred}`, (p) => ({
        server: {
          [API + p]: {
            preflight: allowPreflight(m, [], { credentials: cred === 'include' }),
            response: m.toUpperCase() === 'HEAD' ? ans(200, [[ACAO, APP], ...(cred === 'include' ? [[ACAC, 'true']] : [])], null) : okResp([[ACAO, APP]], cred === 'include' ? [[ACAC, 'true']] : []),
          },
        },
        requests: [req(API + p, { method: m, credentials: cred, body: bodyFor(m) })],
      }));
    }
    if (['PUT', 'DELETE', 'PATCH', 'patch', 'FOO', 'get', 'put', 'OPTIONS'].includes(m)) {
      t.add(`method-${slug}-no-preflight-handler`, (p) => ({
        server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
        requests: [req(API + p, { method: m, body: bodyFor(m) })],
      }));
    }
  }

  // Headers: [slug, method, headers]. The server's preflight allows the
  // lowercased names of every header the script set, so the case shows
  // whether a preflight happened and what it asked for.
  const a120 = (i) => `application/x-${String(i)}${'a'.repeat(105)}`; // 120 bytes
  const headerCases = [
    ['x-custom', 'GET', [['X-Custom', '1']]],
    ['authorization', 'GET', [['Authorization', 'Bearer token123']]],
    ['content-type-json', 'POST', [[CT, 'application/json']]],
    ['content-type-text-html', 'POST', [[CT, 'text/html']]],
    ['content-type-csp-report', 'POST', [[CT, 'application/csp-report']]],
    ['content-type-trailing-comma', 'POST', [[CT, 'text/plain,']]],
    ['content-type-space-before-slash', 'POST', [[CT, 'text /plain']]],
    ['content-type-two-types', 'POST', [[CT, 'text/plain,x/x']]],
    ['content-type-quoted-charset', 'POST', [[CT, 'text/plain;charset="utf-8"']]],
    ['content-type-empty', 'POST', [[CT, '']]],
    ['content-type-no-subtype', 'POST', [[CT, 'text']]],
    ['content-type-129-bytes', 'POST', [[CT, `text/plain;charset=${'a'.repeat(129 - 19)}`]]],
    ['content-type-mixed-case-charset', 'POST', [[CT, 'Text/Plain;charset=utf-8']]],
    ['content-type-128-bytes', 'POST', [[CT, `text/plain;charset=${'a'.repeat(128 - 19)}`]]],
    ['accept-129-bytes', 'GET', [['Accept', `text/html;q=0.9,${'a'.repeat(129 - 16)}`]]],
    ['accept-quote', 'GET', [['Accept', 'text/"html"']]],
    ['accept-at', 'GET', [['Accept', 'text/html@x']]],
    ['accept-colon', 'GET', [['Accept', 'text:html']]],
    ['accept-braces', 'GET', [['Accept', 'text/{html}']]],
    ['accept-control-byte', 'GET', [['Accept', 'text/html\u0001']]],
    ['accept-del-byte', 'GET', [['Accept', 'text/html\u007f']]],
    ['accept-language-at', 'GET', [['Accept-Language', 'en@us']]],
    ['accept-language-underscore', 'GET', [['Accept-Language', 'en_US']]],
    ['accept-language-control-byte', 'GET', [['Accept-Language', '\u0001']]],
    ['accept-language-slash', 'GET', [['Accept-Language', 'en/US']]],
    ['content-language-slash', 'GET', [['Content-Language', 'de/DE']]],
    ['content-language-quote', 'GET', [['Content-Language', '"de"']]],
    ['range-bytes-200-open', 'GET', [['Range', 'bytes=200-']]],
    ['range-bytes-0-open', 'GET', [['Range', 'bytes=0-']]],
    ['range-bytes-suffix-500', 'GET', [['Range', 'bytes=-500']]],
    ['range-bytes-two-ranges', 'GET', [['Range', 'bytes=0-1,2-3']]],
    ['range-bytes-100-200', 'GET', [['Range', 'bytes=100-200']]],
    ['range-space-before-equals', 'GET', [['Range', 'bytes =100-200']]],
    ['range-space-before-dash', 'GET', [['Range', 'bytes=100 -200']]],
    ['range-start-after-end', 'GET', [['Range', 'bytes=200-100']]],
    ['range-uppercase-bytes', 'GET', [['Range', 'BYTES=0-']]],
    ['range-no-equals', 'GET', [['Range', 'bytes 0-']]],
    ['range-items-unit', 'GET', [['Range', 'items=0-1']]],
    ['nine-accept-120-bytes', 'GET', Array.from({ length: 9 }, (_, i) => ['Accept', a120(i)])],
    // A browser that checks each appended value on its own (instead of the
    // combined `a, b` value) meets the 1024-byte sum here: 8 x 128 = 1024
    // is still safe, one more byte is not.
    ['eight-accept-128-bytes-sum-1024', 'GET', Array.from({ length: 8 }, (_, i) => ['Accept', `text/x-${i}${'a'.repeat(128 - 8)}`])],
    ['eight-accept-128-bytes-plus-language-sum-1025', 'GET', [...Array.from({ length: 8 }, (_, i) => ['Accept', `text/x-${i}${'a'.repeat(128 - 8)}`]), ['Accept-Language', 'e']]],
    ['two-accept-60-bytes', 'GET', [['Accept', `text/${'a'.repeat(55)}`], ['Accept', `text/${'b'.repeat(55)}`]]],
    ['two-accept-64-bytes', 'GET', [['Accept', `text/${'a'.repeat(59)}`], ['Accept', `text/${'b'.repeat(59)}`]]],
    ['four-safelisted-128-bytes-each', 'POST', [
      ['Accept', `text/html;q=0.9,${'a'.repeat(128 - 16)}`],
      ['Accept-Language', `en-US,${'e'.repeat(128 - 6)}`],
      ['Content-Language', `de-DE,${'d'.repeat(128 - 6)}`],
      [CT, `text/plain;charset=${'c'.repeat(128 - 19)}`],
    ]],
    ['unsorted-mixed-case', 'POST', [['X-Zeta', '1'], [CT, 'application/json'], ['x-alpha', '2'], ['X-Middle', '3'], ['Accept', 'text/plain']]],
    ['unsorted-with-authorization', 'GET', [['X-B', '1'], ['Authorization', 'Basic dTpw'], ['x-a', '2']]],
    ['duplicate-name-same-case', 'GET', [['X-Custom', 'a'], ['X-Custom', 'b']]],
    ['duplicate-name-different-case', 'GET', [['X-Custom', 'a'], ['x-custom', 'b']]],
    ['safelisted-plus-unsafe', 'POST', [[CT, 'text/plain'], ['X-Requested-With', 'XMLHttpRequest']]],
    ['empty-value', 'GET', [['X-Empty', '']]],
    ['value-padded-whitespace', 'GET', [['X-Custom', '  v  ']]],
    ['uppercase-name', 'GET', [['X-CUSTOM', '1']]],
    ['name-with-digits-and-dots', 'GET', [['X-Api.Version2', '1']]],
    ['accept-language-padded', 'GET', [['Accept-Language', '  en  ']]],
    ['content-type-json-on-get', 'GET', [[CT, 'application/json']]],
    ['x-requested-with', 'GET', [['X-Requested-With', 'XMLHttpRequest']]],
    ['cache-control', 'GET', [['Cache-Control', 'no-cache']]],
    ['if-none-match', 'GET', [['If-None-Match', '"abc"']]],
    ['last-event-id', 'GET', [['Last-Event-ID', '1']]],
    ['access-control-allow-origin-as-request-header', 'GET', [[ACAO, '*']]],
  ];
  for (const [slug, method, headers] of headerCases) {
    const names = sortedNames(headers);
    t.add(`header-${slug}`, (p) => ({
      server: {
        [API + p]: {
          preflight: allowPreflight(method, names),
          response: okResp([[ACAO, APP]]),
        },
      },
      requests: [req(API + p, { method, headers, body: bodyFor(method) })],
    }));
  }
  // A few of the borderline ones against a server without a preflight
  // handler: a surprise preflight becomes a visible failure.
  for (const slug of ['range-bytes-200-open', 'range-bytes-suffix-500', 'content-type-mixed-case-charset', 'two-accept-60-bytes']) {
    const [, method, headers] = headerCases.find(([s]) => s === slug);
    t.add(`header-${slug}-no-preflight-handler`, (p) => ({
      server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
      requests: [req(API + p, { method, headers, body: bodyFor(method) })],
    }));
  }
  // Method and headers together, credentials include.
  t.add('put-json-authorization-include', (p) => ({
    server: {
      [API + p]: {
        preflight: allowPreflight('PUT', ['authorization', 'content-type'], { credentials: true }),
        response: okResp([[ACAO, APP]], [[ACAC, 'true']]),
      },
    },
    requests: [req(API + p, { method: 'PUT', headers: [[CT, 'application/json'], ['Authorization', 'Bearer t']], credentials: 'include', body: '{}' })],
  }));
  return t;
}

// ---------------------------------------------------------------- 3. preflight

function preflight() {
  const t = new Topic('preflight', 'How the preflight response is judged: status, redirects, Access-Control-Allow-Origin/-Credentials on the preflight, Allow-Methods and Allow-Headers parsing and matching (case, wildcards, Authorization), and the order of the checks in each browser.');

  const put = (p, o = {}) => req(API + p, { method: 'PUT', headers: o.headers ?? [], credentials: o.credentials ?? 'same-origin', body: 'x' });
  const actual = (cred) => okResp([[ACAO, APP]], cred === 'include' ? [[ACAC, 'true']] : []);

  // Status codes, with ACAO present; and the non-2xx ones with ACAO missing.
  for (const st of [200, 201, 204, 206, 250, 299, 300, 304, 400, 401, 404, 405, 500, 503, 680]) {
    t.add(`status-${st}`, (p) => ({
      server: { [API + p]: { preflight: ans(st, [[ACAO, APP], [ACAM, 'PUT']]), response: actual() } },
      requests: [put(p)],
    }));
    if ([300, 304, 404, 500].includes(st)) {
      t.add(`status-${st}-acao-missing`, (p) => ({
        server: { [API + p]: { preflight: ans(st, [[ACAM, 'PUT']]), response: actual() } },
        requests: [put(p)],
      }));
    }
  }
  // Redirected preflights, with and without ACAO on the 3xx; the target has a good preflight.
  for (const st of [301, 302, 303, 307, 308]) {
    for (const withAcao of [true, false]) {
      t.add(`redirect-${st}-acao-${withAcao ? 'exact' : 'missing'}`, (p) => ({
        server: {
          [API + p]: { preflight: redir(st, `${API}${p}/target`, withAcao ? [[ACAO, APP], [ACAM, 'PUT']] : []), response: actual() },
          [`${API}${p}/target`]: { preflight: allowPreflight('PUT'), response: actual() },
        },
        requests: [put(p)],
      }));
    }
  }
  t.add('redirect-307-acao-star-to-other-origin', (p) => ({
    server: {
      [API + p]: { preflight: redir(307, `${OTHER}${p}`, [[ACAO, '*'], [ACAM, 'PUT']]), response: actual() },
      [OTHER + p]: { preflight: allowPreflight('PUT', [], { acao: [[ACAO, '*']] }), response: okResp([[ACAO, '*']]) },
    },
    requests: [put(p)],
  }));

  // ACAO variants on the preflight (actual response always good).
  for (const [slug, lines] of ACAO_VARIANTS) {
    if (['uppercase-scheme', 'with-path', 'lowercase-name', 'star-padded-tabs'].includes(slug)) continue;
    t.add(`acao-${slug}`, (p) => ({
      server: { [API + p]: { preflight: ans(204, [...lines, [ACAM, 'PUT']]), response: actual() } },
      requests: [put(p)],
    }));
  }
  for (const slug of ['missing', 'star', 'exact', 'null', 'two-lines-same', 'comma-list', 'foo']) {
    t.add(`acao-${slug}-cred-include`, (p) => ({
      server: { [API + p]: { preflight: ans(204, [...acao(slug), [ACAM, 'PUT'], [ACAC, 'true']]), response: actual('include') } },
      requests: [put(p, { credentials: 'include' })],
    }));
  }
  // ACAC variants on the preflight, credentials include.
  for (const [slug, lines] of ACAC_VARIANTS) {
    if (['padded-true', 'comma-true-true', 'empty'].includes(slug)) continue;
    t.add(`acac-${slug}-cred-include`, (p) => ({
      server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], ...lines]), response: actual('include') } },
      requests: [put(p, { credentials: 'include' })],
    }));
  }
  // The preflight passes but the actual response fails its own CORS check.
  for (const [slug, lines, cred] of [
    ['actual-acao-missing', [], 'same-origin'],
    ['actual-acao-other', [[ACAO, OTHER]], 'same-origin'],
    ['actual-acao-star-cred-include', [[ACAO, '*'], [ACAC, 'true']], 'include'],
    ['actual-acac-missing-cred-include', [[ACAO, APP]], 'include'],
  ]) {
    t.add(slug, (p) => ({
      server: { [API + p]: { preflight: allowPreflight('PUT', [], { credentials: cred === 'include' }), response: okResp(lines) } },
      requests: [put(p, { credentials: cred })],
    }));
  }

  // Access-Control-Allow-Methods: [slug, request method, ACAM lines, credentials].
  const acam = [
    ['missing-put', 'PUT', [], 'same-origin'],
    ['exact-put', 'PUT', [[ACAM, 'PUT']], 'same-origin'],
    ['list-put', 'PUT', [[ACAM, 'GET, PUT, DELETE']], 'same-origin'],
    ['list-no-spaces', 'PUT', [[ACAM, 'GET,PUT,DELETE']], 'same-origin'],
    ['list-extra-spaces', 'PUT', [[ACAM, '  GET ,   PUT  , DELETE ']], 'same-origin'],
    ['list-tabs', 'PUT', [[ACAM, 'GET,\tPUT']], 'same-origin'],
    ['star-put', 'PUT', [[ACAM, '*']], 'same-origin'],
    ['star-put-cred-include', 'PUT', [[ACAM, '*']], 'include'],
    ['star-and-put-cred-include', 'PUT', [[ACAM, '*, PUT']], 'include'],
    ['star-delete-cred-omit', 'DELETE', [[ACAM, '*']], 'omit'],
    ['lowercase-put-for-put', 'PUT', [[ACAM, 'put']], 'same-origin'],
    ['lowercase-put-for-script-put', 'put', [[ACAM, 'put']], 'same-origin'],
    ['upper-patch-for-lowercase-patch', 'patch', [[ACAM, 'PATCH']], 'same-origin'],
    ['lowercase-patch-for-lowercase-patch', 'patch', [[ACAM, 'patch']], 'same-origin'],
    ['upper-patch-for-patch', 'PATCH', [[ACAM, 'PATCH']], 'same-origin'],
    ['lowercase-patch-for-upper-patch', 'PATCH', [[ACAM, 'patch']], 'same-origin'],
    ['foo-lowercase-for-foo', 'FOO', [[ACAM, 'foo']], 'same-origin'],
    ['leading-commas', 'PUT', [[ACAM, ',,PUT,GET']], 'same-origin'],
    ['trailing-comma', 'PUT', [[ACAM, 'PUT,']], 'same-origin'],
    ['only-commas-and-spaces', 'PUT', [[ACAM, ' , , ']], 'same-origin'],
    ['empty-value', 'PUT', [[ACAM, '']], 'same-origin'],
    ['invalid-token-space', 'PUT', [[ACAM, 'Bad method']], 'same-origin'],
    ['invalid-token-semicolon', 'PUT', [[ACAM, 'PUT;']], 'same-origin'],
    ['invalid-token-after-match', 'PUT', [[ACAM, 'PUT, Bad method']], 'same-origin'],
    ['invalid-token-slash', 'PUT', [[ACAM, 'PUT, GET/POST']], 'same-origin'],
    ['quoted-put', 'PUT', [[ACAM, '"PUT"']], 'same-origin'],
    ['two-lines', 'PUT', [[ACAM, 'GET'], [ACAM, 'PUT']], 'same-origin'],
    ['two-lines-second-invalid', 'PUT', [[ACAM, 'PUT'], [ACAM, 'Bad method']], 'same-origin'],
    ['get-only-for-put', 'PUT', [[ACAM, 'GET']], 'same-origin'],
    ['put-only-for-delete', 'DELETE', [[ACAM, 'PUT']], 'same-origin'],
    ['options-for-options', 'OPTIONS', [[ACAM, 'OPTIONS']], 'same-origin'],
    ['missing-for-post-with-header', 'POST', [], 'same-origin'],
    ['get-only-for-post-with-header', 'POST', [[ACAM, 'GET']], 'same-origin'],
    ['exact-put-cred-include', 'PUT', [[ACAM, 'PUT']], 'include'],
    ['invalid-for-post-with-header', 'POST', [[ACAM, 'Bad method']], 'same-origin'],
  ];
  for (const [slug, method, lines, cred] of acam) {
    const postHeader = method === 'POST';
    t.add(`acam-${slug}`, (p) => ({
      server: {
        [API + p]: {
          preflight: ans(204, [[ACAO, APP], ...lines, ...(postHeader ? [[ACAH, 'X-Custom']] : []), ...(cred === 'include' ? [[ACAC, 'true']] : [])]),
          response: actual(cred),
        },
      },
      requests: [req(API + p, { method, headers: postHeader ? [['X-Custom', '1']] : [], credentials: cred, body: bodyFor(method) })],
    }));
  }

  // Access-Control-Allow-Headers: [slug, request headers, ACAH lines, credentials].
  const acah = [
    ['missing', [['X-Custom', '1']], [], 'same-origin'],
    ['exact', [['X-Custom', '1']], [[ACAH, 'X-Custom']], 'same-origin'],
    ['lowercase', [['X-Custom', '1']], [[ACAH, 'x-custom']], 'same-origin'],
    ['mixed-case', [['X-Custom', '1']], [[ACAH, 'x-CUSTOM']], 'same-origin'],
    ['star', [['X-Custom', '1']], [[ACAH, '*']], 'same-origin'],
    ['star-cred-omit', [['X-Custom', '1']], [[ACAH, '*']], 'omit'],
    ['star-cred-include', [['X-Custom', '1']], [[ACAH, '*']], 'include'],
    ['star-and-name-cred-include', [['X-Custom', '1']], [[ACAH, '*, X-Custom']], 'include'],
    ['star-authorization', [['Authorization', 'Bearer t']], [[ACAH, '*']], 'same-origin'],
    ['star-authorization-cred-include', [['Authorization', 'Bearer t']], [[ACAH, '*']], 'include'],
    ['star-authorization-and-custom', [['Authorization', 'Bearer t'], ['X-Custom', '1']], [[ACAH, '*']], 'same-origin'],
    ['authorization-listed', [['Authorization', 'Bearer t']], [[ACAH, 'Authorization']], 'same-origin'],
    ['authorization-listed-lowercase-cred-include', [['Authorization', 'Bearer t']], [[ACAH, 'authorization']], 'include'],
    ['star-plus-authorization', [['Authorization', 'Bearer t'], ['X-Custom', '1']], [[ACAH, '*, Authorization']], 'same-origin'],
    ['authorization-missing', [['Authorization', 'Bearer t']], [[ACAH, 'X-Custom']], 'same-origin'],
    ['invalid-token-space', [['X-Custom', '1']], [[ACAH, 'header name with space']], 'same-origin'],
    ['invalid-token-semicolon', [['X-Custom', '1']], [[ACAH, 'x-custom;']], 'same-origin'],
    ['invalid-after-match', [['X-Custom', '1']], [[ACAH, 'X-Custom, bad header']], 'same-origin'],
    ['commas-and-spaces', [['X-Print', '1'], ['Y-Print', '1']], [[ACAH, ',y-lol,x-print, ,,,y-print']], 'same-origin'],
    ['two-lines', [['X-A', '1'], ['X-B', '1']], [[ACAH, 'X-A'], [ACAH, 'X-B']], 'same-origin'],
    ['two-lines-second-invalid', [['X-A', '1']], [[ACAH, 'X-A'], [ACAH, 'bad header']], 'same-origin'],
    ['one-of-two-listed', [['X-A', '1'], ['X-B', '1']], [[ACAH, 'X-A']], 'same-origin'],
    ['neither-listed-reports-first', [['X-Zulu', '1'], ['X-Alpha', '1']], [[ACAH, 'X-Other']], 'same-origin'],
    ['content-type-json-listed', [[CT, 'application/json']], [[ACAH, 'Content-Type']], 'same-origin'],
    ['content-type-json-missing', [[CT, 'application/json']], [[ACAH, 'X-Custom']], 'same-origin'],
    ['safelisted-not-needed', [['Accept', 'text/plain'], ['X-Custom', '1']], [[ACAH, 'X-Custom']], 'same-origin'],
    ['empty-value', [['X-Custom', '1']], [[ACAH, '']], 'same-origin'],
    ['quoted-name', [['X-Custom', '1']], [[ACAH, '"X-Custom"']], 'same-origin'],
    ['quoted-list-with-comma', [['X-A', '1'], ['X-B', '1']], [[ACAH, '"X-A, X-B"']], 'same-origin'],
    ['exact-cred-include', [['X-Custom', '1']], [[ACAH, 'X-Custom']], 'include'],
    ['lowercase-names-many', [['X-One', '1'], ['X-Two', '2'], ['X-Three', '3']], [[ACAH, 'x-three,x-two,x-one']], 'same-origin'],
  ];
  for (const [slug, headers, lines, cred] of acah) {
    t.add(`acah-${slug}`, (p) => ({
      server: {
        [API + p]: {
          preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], ...lines, ...(cred === 'include' ? [[ACAC, 'true']] : [])]),
          response: actual(cred),
        },
      },
      requests: [put(p, { headers, credentials: cred })],
    }));
  }

  // Order of the checks (Chromium parses ACAM and ACAH before matching;
  // Firefox finishes the methods first; both check ACAO before status).
  const order = [
    ['order-acah-invalid-method-disallowed', 200, [[ACAO, APP], [ACAM, 'GET'], [ACAH, 'header name with space']], [['X-Custom', '1']]],
    ['order-acam-invalid-acah-missing-header', 200, [[ACAO, APP], [ACAM, 'Bad method']], [['X-Custom', '1']]],
    ['order-acam-invalid-acah-invalid', 200, [[ACAO, APP], [ACAM, 'Bad method'], [ACAH, 'bad header']], [['X-Custom', '1']]],
    ['order-method-disallowed-header-disallowed', 200, [[ACAO, APP], [ACAM, 'GET']], [['X-Custom', '1']]],
    ['order-status-500-acao-missing', 500, [[ACAM, 'PUT']], []],
    ['order-status-500-acao-mismatch', 500, [[ACAO, OTHER], [ACAM, 'PUT']], []],
    ['order-status-500-method-disallowed', 500, [[ACAO, APP], [ACAM, 'GET']], []],
    ['order-status-404-acam-invalid', 404, [[ACAO, APP], [ACAM, 'Bad method']], []],
    ['order-acao-missing-acam-invalid', 204, [[ACAM, 'Bad method']], []],
    ['order-two-acao-method-disallowed', 204, [[ACAO, APP], [ACAO, APP], [ACAM, 'GET']], []],
  ];
  for (const [slug, st, lines, headers] of order) {
    t.add(slug, (p) => ({
      server: { [API + p]: { preflight: ans(st, lines), response: actual() } },
      requests: [put(p, { headers })],
    }));
  }
  t.add('order-acac-wrong-status-500-cred-include', (p) => ({
    server: { [API + p]: { preflight: ans(500, [[ACAO, APP], [ACAM, 'PUT'], [ACAC, 'false']]), response: actual('include') } },
    requests: [put(p, { credentials: 'include' })],
  }));

  // Preflight answers that also carry odd extras.
  t.add('with-body-and-content-type', (p) => ({
    server: { [API + p]: { preflight: ans(200, [[ACAO, APP], [ACAM, 'PUT'], [CT, 'application/json']], '{"ok":true}'), response: actual() } },
    requests: [put(p)],
  }));
  t.add('vary-and-max-age', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], ['Vary', 'Origin, Access-Control-Request-Method'], [ACMA, '600']]), response: actual() } },
    requests: [put(p)],
  }));
  t.add('acam-star-acah-star-acao-star', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, '*'], [ACAM, '*'], [ACAH, '*']]), response: okResp([[ACAO, '*']]) } },
    requests: [req(API + p, { method: 'DELETE', headers: [['X-Custom', '1'], [CT, 'application/json']] })],
  }));
  return t;
}

// ---------------------------------------------------------------- 4. cache

function cache() {
  const t = new Topic('cache', 'The CORS-preflight cache: Access-Control-Max-Age values (default, zero, negative, unparsable, two lines), expiry, credentials keying, method and header coverage, wildcards, Authorization, and what a failed preflight clears.');
  const allow = (o = {}) =>
    ans(204, [
      [ACAO, APP],
      [ACAM, o.acam ?? 'PUT'],
      ...(o.acah ? [[ACAH, o.acah]] : []),
      ...(o.credentials ? [[ACAC, 'true']] : []),
      ...(o.maxAge === undefined ? [] : Array.isArray(o.maxAge) ? o.maxAge.map((v) => [ACMA, v]) : [[ACMA, o.maxAge]]),
    ]);
  const put = (url, o = {}) => req(url, { method: o.method ?? 'PUT', headers: o.headers ?? [], credentials: o.credentials ?? 'same-origin', body: bodyFor(o.method ?? 'PUT'), delay_ms: o.delay_ms });
  const actual = (cred) => okResp([[ACAO, APP]], cred ? [[ACAC, 'true']] : []);

  // Max-Age values: two identical requests back to back.
  const maxAges = [
    ['absent', undefined],
    ['0', '0'],
    ['5', '5'],
    ['60', '60'],
    ['86400', '86400'],
    ['100000', '100000'],
    ['minus-1', '-1'],
    ['abc', 'abc'],
    ['1-point-5', '1.5'],
    ['empty', ''],
    ['plus-60', '+60'],
    ['leading-zero-060', '060'],
    ['padded-60', '  60  '],
    ['60s', '60s'],
    ['two-lines-60-60', ['60', '60']],
    ['two-lines-0-60', ['0', '60']],
    ['comma-60-60', '60, 60'],
    ['huge', '99999999999999999999'],
  ];
  for (const [slug, v] of maxAges) {
    t.add(`max-age-${slug}-twice`, (p) => ({
      server: { [API + p]: { preflight: allow({ maxAge: v }), response: actual() } },
      requests: [put(API + p), put(API + p)],
    }));
  }
  // Expiry (delays are the corpus's time budget: keep them few).
  // Max-Age 2 rather than 1: the second request must land inside the window
  // even on a loaded machine; the third comes 2.5 s later, after it.
  t.add('max-age-2-expires-after-2500ms', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: '2' }), response: actual() } },
    requests: [put(API + p), put(API + p), put(API + p, { delay_ms: 2500 })],
  }));
  t.add('max-age-5-still-cached-after-1500ms', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: '5' }), response: actual() } },
    requests: [put(API + p), put(API + p, { delay_ms: 1500 })],
  }));
  t.add('max-age-absent-default-expires-after-5500ms', (p) => ({
    server: { [API + p]: { preflight: allow(), response: actual() } },
    requests: [put(API + p), put(API + p, { delay_ms: 5500 })],
  }));
  t.add('max-age-abc-after-1500ms', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: 'abc' }), response: actual() } },
    requests: [put(API + p), put(API + p, { delay_ms: 1500 })],
  }));

  // Credentials keying.
  t.add('include-entry-serves-same-origin', (p) => ({
    server: { [API + p]: { preflight: allow({ credentials: true, maxAge: '60' }), response: actual(true) } },
    requests: [put(API + p, { credentials: 'include' }), put(API + p)],
  }));
  t.add('include-entry-serves-omit', (p) => ({
    server: { [API + p]: { preflight: allow({ credentials: true, maxAge: '60' }), response: actual(true) } },
    requests: [put(API + p, { credentials: 'include' }), put(API + p, { credentials: 'omit' })],
  }));
  t.add('same-origin-entry-then-include', (p) => ({
    server: { [API + p]: { preflight: allow({ credentials: true, maxAge: '60' }), response: actual(true) } },
    requests: [put(API + p), put(API + p, { credentials: 'include' })],
  }));
  t.add('omit-entry-then-same-origin', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { credentials: 'omit' }), put(API + p)],
  }));

  // Header coverage.
  t.add('second-needs-header-listed-by-first', (p) => ({
    server: { [API + p]: { preflight: allow({ acah: 'X-A, X-B', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { headers: [['X-A', '1']] }), put(API + p, { headers: [['X-B', '1']] })],
  }));
  t.add('second-needs-header-not-listed-then-first-again', (p) => ({
    server: { [API + p]: { preflight: allow({ acah: 'X-A', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { headers: [['X-A', '1']] }), put(API + p, { headers: [['X-B', '1']] }), put(API + p, { headers: [['X-A', '1']] })],
  }));
  t.add('header-case-differs-second-time', (p) => ({
    server: { [API + p]: { preflight: allow({ acah: 'X-Custom', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { headers: [['X-Custom', '1']] }), put(API + p, { headers: [['x-CUSTOM', '2']] })],
  }));
  t.add('get-with-header-then-post-with-header', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'GET', acah: 'X-Custom', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'GET', headers: [['X-Custom', '1']] }), put(API + p, { method: 'POST', headers: [['X-Custom', '1']] })],
  }));
  t.add('fewer-headers-second-time', (p) => ({
    server: { [API + p]: { preflight: allow({ acah: 'X-A, X-B', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { headers: [['X-A', '1'], ['X-B', '1']] }), put(API + p, { headers: [['X-A', '1']] })],
  }));

  // Method coverage.
  t.add('second-method-listed-by-first', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'PUT, DELETE', maxAge: '60' }), response: actual() } },
    requests: [put(API + p), put(API + p, { method: 'DELETE' })],
  }));
  t.add('second-method-not-listed', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'PUT', maxAge: '60' }), response: actual() } },
    requests: [put(API + p), put(API + p, { method: 'DELETE' }), put(API + p)],
  }));
  t.add('lowercase-patch-then-upper-patch', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'patch, PATCH', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'patch' }), put(API + p, { method: 'PATCH' })],
  }));

  // Wildcards.
  t.add('star-entries-cover-other-method-and-header', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: '*', acah: '*', maxAge: '60' }), response: actual() } },
    requests: [put(API + p), put(API + p, { method: 'DELETE', headers: [['X-Other', '1']] })],
  }));
  t.add('star-entry-then-include', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: '*', acah: '*', credentials: true, maxAge: '60' }), response: actual(true) } },
    requests: [put(API + p, { headers: [['X-Custom', '1']] }), put(API + p, { headers: [['X-Custom', '1']], credentials: 'include' })],
  }));
  t.add('star-acah-authorization-twice', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'GET', acah: '*', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'GET', headers: [['Authorization', 'Bearer t']] }), put(API + p, { method: 'GET', headers: [['Authorization', 'Bearer t']] })],
  }));
  t.add('star-acah-custom-then-authorization', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'GET', acah: '*', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'GET', headers: [['X-Custom', '1']] }), put(API + p, { method: 'GET', headers: [['Authorization', 'Bearer t']] })],
  }));
  t.add('authorization-listed-twice', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'GET', acah: 'Authorization', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'GET', headers: [['Authorization', 'Bearer t']] }), put(API + p, { method: 'GET', headers: [['Authorization', 'Bearer u']] })],
  }));

  // Failed preflights and failed actual responses.
  t.add('failed-preflight-not-cached', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'GET'], [ACMA, '60']]), response: actual() } },
    requests: [put(API + p), put(API + p)],
  }));
  t.add('failed-actual-keeps-entry', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: '60' }), response: okResp([]) } },
    requests: [put(API + p), put(API + p)],
  }));
  t.add('per-url-entries', (p) => ({
    server: {
      [`${API}${p}/a`]: { preflight: allow({ maxAge: '60' }), response: actual() },
      [`${API}${p}/b`]: { preflight: allow({ maxAge: '60' }), response: actual() },
    },
    requests: [put(`${API}${p}/a`), put(`${API}${p}/b`), put(`${API}${p}/a`)],
  }));
  t.add('query-string-is-part-of-key', (p) => ({
    server: {
      [`${API}${p}?v=1`]: { preflight: allow({ maxAge: '60' }), response: actual() },
      [`${API}${p}?v=2`]: { preflight: allow({ maxAge: '60' }), response: actual() },
    },
    requests: [put(`${API}${p}?v=1`), put(`${API}${p}?v=2`)],
  }));
  t.add('head-with-header-after-get-with-header', (p) => ({
    server: { [API + p]: { preflight: allow({ acam: 'GET', acah: 'X-Custom', maxAge: '60' }), response: actual() } },
    requests: [put(API + p, { method: 'GET', headers: [['X-Custom', '1']] }), put(API + p, { method: 'HEAD', headers: [['X-Custom', '1']] })],
  }));
  // Chromium does not cache preflights for URLs of 1024 characters or more.
  t.add('long-url-1100-chars-twice', (p) => {
    const u = `${API}${p}/${'l'.repeat(1100)}`;
    return {
      server: { [u]: { preflight: allow({ maxAge: '60' }), response: actual() } },
      requests: [put(u), put(u)],
    };
  });
  t.add('url-1000-chars-twice', (p) => {
    const u = `${API}${p}/${'s'.repeat(1000 - API.length - p.length - 1)}`;
    return {
      server: { [u]: { preflight: allow({ maxAge: '60' }), response: actual() } },
      requests: [put(u), put(u)],
    };
  });
  t.add('safelisted-request-after-preflight', (p) => ({
    server: { [API + p]: { preflight: allow({ maxAge: '60' }), response: actual() } },
    requests: [put(API + p), put(API + p, { method: 'GET' })],
  }));
  return t;
}

// ---------------------------------------------------------------- 5. expose

function expose() {
  const t = new Topic('expose', 'Which response headers the script can read: the safelisted response headers, Access-Control-Expose-Headers (case, lists, empties, invalid tokens, two lines, `*` with and without credentials), Set-Cookie, and an explicit Content-Length.');
  const base = [
    [CT, 'application/json'],
    ['X-Custom', 'a'],
    ['X-Other', 'b'],
    ['Set-Cookie', 's=1; Path=/'],
  ];
  // [slug, ACEH lines, credentials]
  const variants = [
    ['missing', [], 'same-origin'],
    ['exact', [[ACEH, 'X-Custom']], 'same-origin'],
    ['lowercase', [[ACEH, 'x-custom']], 'same-origin'],
    ['uppercase', [[ACEH, 'X-CUSTOM']], 'same-origin'],
    ['star', [[ACEH, '*']], 'same-origin'],
    ['star-cred-omit', [[ACEH, '*']], 'omit'],
    ['star-cred-include', [[ACEH, '*']], 'include'],
    ['star-and-name-cred-include', [[ACEH, '*, X-Custom']], 'include'],
    ['exact-cred-include', [[ACEH, 'X-Custom']], 'include'],
    ['set-cookie-listed', [[ACEH, 'Set-Cookie, X-Custom']], 'same-origin'],
    ['list', [[ACEH, 'X-Custom, X-Other']], 'same-origin'],
    ['list-spaces-and-empties', [[ACEH, ' , X-Custom ,  ,, X-Other , ']], 'same-origin'],
    ['two-lines', [[ACEH, 'X-Custom'], [ACEH, 'X-Other']], 'same-origin'],
    ['invalid-token-in-list', [[ACEH, 'X-Custom, bad header, X-Other']], 'same-origin'],
    ['invalid-token-semicolon', [[ACEH, 'X-Custom;']], 'same-origin'],
    ['two-lines-one-invalid', [[ACEH, 'X-Custom'], [ACEH, 'bad header']], 'same-origin'],
    ['not-present-header', [[ACEH, 'X-Absent']], 'same-origin'],
    ['acao-listed', [[ACEH, 'Access-Control-Allow-Origin']], 'same-origin'],
    ['quoted-name', [[ACEH, '"X-Custom"']], 'same-origin'],
    ['empty-value', [[ACEH, '']], 'same-origin'],
  ];
  for (const [slug, lines, cred] of variants) {
    t.add(`aceh-${slug}`, (p) => ({
      server: { [API + p]: { response: ans(200, [[ACAO, APP], ...(cred === 'include' ? [[ACAC, 'true']] : []), ...lines, ...base], '{}') } },
      requests: [req(API + p, { credentials: cred })],
    }));
  }
  // ACEH `*` with ACAO `*`.
  t.add('aceh-star-acao-star', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, '*'], [ACEH, '*'], ...base], '{}') } },
    requests: [req(API + p, { credentials: 'omit' })],
  }));
  // Every safelisted response header, plus some that are not.
  const all = [
    ['Cache-Control', 'no-store'],
    ['Content-Language', 'en'],
    ['Content-Length', '2'],
    [CT, 'application/json'],
    ['Expires', 'Thu, 01 Jan 2037 00:00:00 GMT'],
    ['Last-Modified', 'Mon, 01 Jan 2024 00:00:00 GMT'],
    ['Pragma', 'no-cache'],
    ['ETag', '"v1"'],
    ['Server', 'corsica-test'],
    ['Date', 'Mon, 01 Jan 2024 00:00:00 GMT'],
    ['Vary', 'Origin'],
    ['X-Request-Id', '42'],
    ['Link', '</next>; rel="next"'],
  ];
  t.add('safelisted-response-headers', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], ...all], '{}') } },
    requests: [req(API + p)],
  }));
  t.add('safelisted-response-headers-cred-include', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], [ACAC, 'true'], ...all], '{}') } },
    requests: [req(API + p, { credentials: 'include' })],
  }));
  t.add('safelisted-response-headers-aceh-star', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], [ACEH, '*'], ...all, ['Set-Cookie', 'a=b'], ['Set-Cookie2', 'c=d']], '{}') } },
    requests: [req(API + p)],
  }));
  t.add('content-length-explicit', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], ['Content-Length', '5']], 'hello') } },
    requests: [req(API + p)],
  }));
  t.add('no-content-type', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP]], 'hello') } },
    requests: [req(API + p)],
  }));
  t.add('status-204-no-body', (p) => ({
    server: { [API + p]: { response: ans(204, [[ACAO, APP], ['X-Custom', 'a'], [ACEH, 'X-Custom']]) } },
    requests: [req(API + p)],
  }));
  t.add('head-request', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], [CT, 'text/plain'], ['X-Custom', 'a'], [ACEH, 'X-Custom']], null) } },
    requests: [req(API + p, { method: 'HEAD' })],
  }));
  t.add('same-origin-request-all-visible', (p) => ({
    server: { [APP + p]: { response: ans(200, base, '{}') } },
    requests: [req(APP + p)],
  }));
  t.add('after-preflight', (p) => ({
    server: {
      [API + p]: {
        preflight: allowPreflight('PUT'),
        response: ans(200, [[ACAO, APP], [ACEH, 'X-Custom'], ...base], '{}'),
      },
    },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('aceh-on-preflight-only', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], [ACEH, 'X-Custom']]),
        response: ans(200, [[ACAO, APP], ...base], '{}'),
      },
    },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('duplicate-response-header', (p) => ({
    server: { [API + p]: { response: ans(200, [[ACAO, APP], [ACEH, 'X-Custom'], ['X-Custom', 'a'], ['X-Custom', 'b']], '{}') } },
    requests: [req(API + p)],
  }));
  t.add('status-404-with-acao-and-aceh', (p) => ({
    server: { [API + p]: { response: ans(404, [[ACAO, APP], [ACEH, 'X-Error'], ['X-Error', 'nope'], [CT, 'text/plain']], 'not found') } },
    requests: [req(API + p)],
  }));
  return t;
}

// ---------------------------------------------------------------- 6. redirect

function redirect() {
  const t = new Topic('redirect', 'Redirects in cors mode: same-origin to cross-origin, cross-origin hops, the tainted `Origin: null`, ACAO on the 3xx, credentials in Location, method rewriting, preflights after a redirect, non-HTTP targets, relative Locations, the 20-redirect limit, and Authorization removal on cross-origin hops.');
  const target = (lines, extra = []) => ({ response: okResp(lines, extra) });

  // Same-origin start -> cross-origin target.
  for (const st of REDIRECT_STATUSES) {
    t.add(`same-to-cross-${st}`, (p) => ({
      server: {
        [APP + p]: { response: redir(st, API + p, []) },
        [API + p]: target([[ACAO, APP]]),
      },
      requests: [req(APP + p)],
    }));
  }
  for (const slug of ['star', 'missing', 'null', 'other-origin']) {
    t.add(`same-to-cross-307-target-acao-${slug}`, (p) => ({
      server: { [APP + p]: { response: redir(307, API + p, []) }, [API + p]: target(acao(slug)) },
      requests: [req(APP + p)],
    }));
  }
  t.add('same-to-cross-302-cred-include', (p) => ({
    server: { [APP + p]: { response: redir(302, API + p, []) }, [API + p]: target([[ACAO, APP]], [[ACAC, 'true']]) },
    requests: [req(APP + p, { credentials: 'include' })],
  }));
  t.add('same-to-same-302', (p) => ({
    server: { [APP + p]: { response: redir(302, `${APP}${p}/end`, []) }, [`${APP}${p}/end`]: target([]) },
    requests: [req(APP + p)],
  }));

  // Cross-origin -> same cross-origin.
  for (const st of REDIRECT_STATUSES) {
    t.add(`cross-to-same-cross-${st}`, (p) => ({
      server: { [API + p]: { response: redir(st, `${API}${p}/end`) }, [`${API}${p}/end`]: target([[ACAO, APP]]) },
      requests: [req(API + p)],
    }));
  }
  for (const [slug, lines, cred] of [
    ['3xx-acao-missing-302', [], 'same-origin'],
    ['3xx-acao-missing-307', [], 'same-origin'],
    ['3xx-acao-other', [[ACAO, OTHER]], 'same-origin'],
    ['3xx-acao-star', [[ACAO, '*']], 'same-origin'],
    ['3xx-acao-star-cred-include', [[ACAO, '*'], [ACAC, 'true']], 'include'],
    ['3xx-acao-exact-acac-true-cred-include', [[ACAO, APP], [ACAC, 'true']], 'include'],
    ['3xx-acao-exact-acac-missing-cred-include', [[ACAO, APP]], 'include'],
    ['3xx-acao-two-lines', [[ACAO, APP], [ACAO, APP]], 'same-origin'],
  ]) {
    const st = slug.endsWith('307') ? 307 : 302;
    t.add(`cross-to-same-cross-${slug}`, (p) => ({
      server: {
        [API + p]: { response: redir(st, `${API}${p}/end`, lines) },
        [`${API}${p}/end`]: target([[ACAO, APP]], cred === 'include' ? [[ACAC, 'true']] : []),
      },
      requests: [req(API + p, { credentials: cred })],
    }));
  }

  // Cross-origin -> another cross-origin: the origin becomes tainted (`null`).
  for (const st of [302, 307]) {
    for (const slug of ['star', 'null', 'exact', 'missing']) {
      t.add(`cross-to-other-${st}-target-acao-${slug}`, (p) => ({
        server: { [API + p]: { response: redir(st, OTHER + p) }, [OTHER + p]: target(acao(slug)) },
        requests: [req(API + p)],
      }));
    }
  }
  for (const st of [301, 303, 308]) {
    t.add(`cross-to-other-${st}-target-acao-star`, (p) => ({
      server: { [API + p]: { response: redir(st, OTHER + p) }, [OTHER + p]: target([[ACAO, '*']]) },
      requests: [req(API + p)],
    }));
  }
  t.add('cross-to-other-3xx-acao-star', (p) => ({
    server: { [API + p]: { response: redir(302, OTHER + p, [[ACAO, '*']]) }, [OTHER + p]: target([[ACAO, '*']]) },
    requests: [req(API + p)],
  }));
  t.add('cross-to-other-target-acao-null-cred-include', (p) => ({
    server: { [API + p]: { response: redir(302, OTHER + p, [[ACAO, APP], [ACAC, 'true']]) }, [OTHER + p]: target([[ACAO, 'null']], [[ACAC, 'true']]) },
    requests: [req(API + p, { credentials: 'include' })],
  }));
  t.add('cross-to-other-target-acao-star-cred-include', (p) => ({
    server: { [API + p]: { response: redir(302, OTHER + p, [[ACAO, APP], [ACAC, 'true']]) }, [OTHER + p]: target([[ACAO, '*']], [[ACAC, 'true']]) },
    requests: [req(API + p, { credentials: 'include' })],
  }));
  t.add('cross-to-same-host-other-port-target-acao-null', (p) => ({
    server: { [API + p]: { response: redir(302, API2 + p) }, [API2 + p]: target([[ACAO, 'null']]) },
    requests: [req(API + p)],
  }));
  t.add('cross-to-same-host-other-port-target-acao-exact', (p) => ({
    server: { [API + p]: { response: redir(302, API2 + p) }, [API2 + p]: target([[ACAO, APP]]) },
    requests: [req(API + p)],
  }));
  t.add('tainted-then-back-to-first-origin', (p) => ({
    server: {
      [API + p]: { response: redir(302, OTHER + p) },
      [OTHER + p]: { response: redir(302, `${API}${p}/end`, [[ACAO, '*']]) },
      [`${API}${p}/end`]: target([[ACAO, APP]]),
    },
    requests: [req(API + p)],
  }));
  t.add('tainted-then-back-to-first-origin-acao-star', (p) => ({
    server: {
      [API + p]: { response: redir(302, OTHER + p) },
      [OTHER + p]: { response: redir(302, `${API}${p}/end`, [[ACAO, '*']]) },
      [`${API}${p}/end`]: target([[ACAO, '*']]),
    },
    requests: [req(API + p)],
  }));
  t.add('tainted-3xx-acao-exact-blocks', (p) => ({
    server: {
      [API + p]: { response: redir(302, OTHER + p) },
      [OTHER + p]: { response: redir(302, `${OTHER}${p}/end`, [[ACAO, APP]]) },
      [`${OTHER}${p}/end`]: target([[ACAO, '*']]),
    },
    requests: [req(API + p)],
  }));

  // Same-origin -> cross-origin -> back to the page's origin (tainted on the way back).
  for (const slug of ['missing', 'star']) {
    t.add(`same-to-cross-to-same-target-acao-${slug}`, (p) => ({
      server: {
        [`${APP}${p}/start`]: { response: redir(302, `${API}${p}/mid`, []) },
        [`${API}${p}/mid`]: { response: redir(302, `${APP}${p}/end`, [[ACAO, APP]]) },
        [`${APP}${p}/end`]: target(acao(slug)),
      },
      requests: [req(`${APP}${p}/start`)],
    }));
  }

  // Cross-origin -> the page's own origin (tainted, response tainting stays cors).
  for (const slug of ['missing', 'star', 'null', 'exact']) {
    t.add(`cross-to-page-origin-target-acao-${slug}`, (p) => ({
      server: { [API + p]: { response: redir(302, APP + p) }, [APP + p]: target(acao(slug)) },
      requests: [req(API + p)],
    }));
  }

  // Credentials (userinfo) in Location.
  const userinfos = [
    ['user-pass', 'user:pass@'],
    ['user-only', 'user:@'],
    ['pass-only', ':pass@'],
    ['empty-at', '@'],
  ];
  for (const [slug, ui] of userinfos) {
    t.add(`userinfo-${slug}-same-to-cross`, (p) => ({
      server: { [APP + p]: { response: redir(302, `http://${ui}api.test:8002${p}`, []) }, [API + p]: target([[ACAO, APP]]) },
      requests: [req(APP + p)],
    }));
    t.add(`userinfo-${slug}-cross-to-same-cross`, (p) => ({
      server: { [API + p]: { response: redir(302, `http://${ui}api.test:8002${p}/end`) }, [`${API}${p}/end`]: target([[ACAO, APP]]) },
      requests: [req(API + p)],
    }));
  }
  t.add('userinfo-user-pass-same-to-same', (p) => ({
    server: { [APP + p]: { response: redir(302, `http://user:pass@app.test:8001${p}/end`, []) }, [`${APP}${p}/end`]: target([]) },
    requests: [req(APP + p)],
  }));
  t.add('userinfo-user-pass-cross-to-page-origin', (p) => ({
    server: { [API + p]: { response: redir(302, `http://user:pass@app.test:8001${p}`, [[ACAO, '*']]) }, [APP + p]: target([[ACAO, '*']]) },
    requests: [req(API + p)],
  }));
  t.add('userinfo-user-pass-cross-to-other', (p) => ({
    server: { [API + p]: { response: redir(307, `http://user:pass@other.test:8003${p}`, [[ACAO, '*']]) }, [OTHER + p]: target([[ACAO, '*']]) },
    requests: [req(API + p)],
  }));

  // Method rewriting.
  for (const st of REDIRECT_STATUSES) {
    t.add(`post-${st}-cross-to-same-cross`, (p) => ({
      server: { [API + p]: { response: redir(st, `${API}${p}/end`) }, [`${API}${p}/end`]: target([[ACAO, APP]]) },
      requests: [req(API + p, { method: 'POST', headers: [[CT, 'text/plain']], body: 'hello' })],
    }));
  }
  for (const [m, st] of [['PUT', 303], ['PUT', 301], ['PUT', 307], ['DELETE', 303], ['PATCH', 302]]) {
    t.add(`${m.toLowerCase()}-${st}-cross-to-same-cross`, (p) => ({
      server: {
        [API + p]: { preflight: allowPreflight(m, ['content-type']), response: redir(st, `${API}${p}/end`) },
        [`${API}${p}/end`]: { preflight: allowPreflight(m, ['content-type']), response: okResp([[ACAO, APP]]) },
      },
      requests: [req(API + p, { method: m, headers: [[CT, 'text/plain']], body: 'x' })],
    }));
  }
  // After the method becomes GET, does the new URL still need a preflight?
  t.add('put-303-target-no-preflight-handler', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT'), response: redir(303, `${API}${p}/end`) },
      [`${API}${p}/end`]: { response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('post-json-302-becomes-get-without-content-type', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('POST', ['content-type']), response: redir(302, `${API}${p}/end`) },
      [`${API}${p}/end`]: { response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json']], body: '{}' })],
  }));
  t.add('post-json-307-keeps-post-needs-new-preflight', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('POST', ['content-type']), response: redir(307, `${API}${p}/end`) },
      [`${API}${p}/end`]: { preflight: allowPreflight('POST', ['content-type']), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json']], body: '{}' })],
  }));
  t.add('head-303-stays-head', (p) => ({
    server: { [API + p]: { response: redir(303, `${API}${p}/end`) }, [`${API}${p}/end`]: { response: ans(200, [[ACAO, APP]], null) } },
    requests: [req(API + p, { method: 'HEAD' })],
  }));
  t.add('post-content-language-303-dropped', (p) => ({
    server: { [API + p]: { response: redir(303, `${API}${p}/end`) }, [`${API}${p}/end`]: target([[ACAO, APP]]) },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'text/plain'], ['Content-Language', 'en'], ['Accept', 'text/plain']], body: 'hello' })],
  }));

  // Preflighted requests redirected.
  t.add('preflighted-307-target-has-preflight', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: redir(307, `${API}${p}/end`) },
      [`${API}${p}/end`]: { preflight: allowPreflight('PUT', ['x-custom']), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('preflighted-307-target-no-preflight-handler', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: redir(307, `${API}${p}/end`) },
      [`${API}${p}/end`]: { response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('preflighted-307-to-other-preflight-acao-star', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: redir(307, OTHER + p) },
      [OTHER + p]: { preflight: allowPreflight('PUT', ['x-custom'], { acao: [[ACAO, '*']] }), response: okResp([[ACAO, '*']]) },
    },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('preflighted-307-to-other-preflight-acao-exact', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: redir(307, OTHER + p) },
      [OTHER + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('preflighted-307-to-other-preflight-acao-null', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('PUT', ['x-custom']), response: redir(307, OTHER + p) },
      [OTHER + p]: { preflight: allowPreflight('PUT', ['x-custom'], { acao: [[ACAO, 'null']] }), response: okResp([[ACAO, 'null']]) },
    },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('same-origin-put-307-to-cross', (p) => ({
    server: {
      [APP + p]: { response: redir(307, API + p, []) },
      [API + p]: { preflight: allowPreflight('PUT'), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(APP + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('simple-get-302-to-url-with-preflight-handler', (p) => ({
    server: {
      [API + p]: { response: redir(302, `${API}${p}/end`) },
      [`${API}${p}/end`]: { preflight: allowPreflight('GET'), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p)],
  }));

  // Authorization across hops.
  const auth = [['Authorization', 'Bearer secret']];
  t.add('authorization-cross-hop-to-other-dropped', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('GET', ['authorization']), response: redir(307, OTHER + p) },
      [OTHER + p]: { preflight: allowPreflight('GET', ['authorization'], { acao: [[ACAO, '*']] }), response: okResp([[ACAO, '*']]) },
    },
    requests: [req(API + p, { headers: auth })],
  }));
  t.add('authorization-same-origin-hop-kept', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('GET', ['authorization']), response: redir(307, `${API}${p}/end`) },
      [`${API}${p}/end`]: { preflight: allowPreflight('GET', ['authorization']), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(API + p, { headers: auth })],
  }));
  t.add('authorization-page-origin-to-cross-dropped', (p) => ({
    server: {
      [APP + p]: { response: redir(307, API + p, []) },
      [API + p]: { preflight: allowPreflight('GET', ['authorization']), response: okResp([[ACAO, APP]]) },
    },
    requests: [req(APP + p, { headers: auth })],
  }));
  t.add('authorization-page-origin-to-cross-no-preflight-handler', (p) => ({
    server: {
      [APP + p]: { response: redir(307, API + p, []) },
      [API + p]: { response: okResp([[ACAO, APP]]) },
    },
    requests: [req(APP + p, { headers: auth })],
  }));
  t.add('authorization-page-origin-to-page-origin-kept', (p) => ({
    server: { [APP + p]: { response: redir(307, `${APP}${p}/end`, []) }, [`${APP}${p}/end`]: target([]) },
    requests: [req(APP + p, { headers: auth })],
  }));
  t.add('custom-header-cross-hop-to-other-kept', (p) => ({
    server: {
      [API + p]: { preflight: allowPreflight('GET', ['x-custom']), response: redir(307, OTHER + p) },
      [OTHER + p]: { preflight: allowPreflight('GET', ['x-custom'], { acao: [[ACAO, '*']] }), response: okResp([[ACAO, '*']]) },
    },
    requests: [req(API + p, { headers: [['X-Custom', '1']] })],
  }));

  // Non-HTTP(S) targets, bad and relative Locations.
  for (const [slug, loc] of [
    ['data-url', 'data:text/plain,hello'],
    ['ftp-url', 'ftp://api.test:8002/file'],
    ['about-blank', 'about:blank'],
    ['javascript-url', 'javascript:void(0)'],
    ['file-url', 'file:///etc/hostname'],
  ]) {
    t.add(`to-${slug}`, (p) => ({
      server: { [API + p]: { response: redir(302, loc, [[ACAO, '*']]) } },
      requests: [req(API + p)],
    }), { foreignLocation: true });
  }
  t.add('same-origin-to-data-url', (p) => ({
    server: { [APP + p]: { response: redir(302, 'data:text/plain,hello', []) } },
    requests: [req(APP + p)],
  }), { foreignLocation: true });
  t.add('bad-location-unclosed-bracket', (p) => ({
    server: { [API + p]: { response: redir(302, 'http://[bad', [[ACAO, '*']]) } },
    requests: [req(API + p)],
  }), { foreignLocation: true });
  // Relative Locations resolve against the redirecting URL `<p>/start`.
  for (const [slug, loc, dest] of [
    ['absolute-path', (p) => `${p}/end`, (p) => `${API}${p}/end`],
    ['relative-segment', () => 'end', (p) => `${API}${p}/end`],
    ['dot-dot-segment', () => '../up', (p) => `${API}/up`],
    ['query-only', () => '?q=1', (p) => `${API}${p}/start?q=1`],
    ['scheme-relative-other', (p) => `//other.test:8003${p}/end`, (p) => `${OTHER}${p}/end`],
    ['with-fragment', (p) => `${p}/end#frag`, (p) => `${API}${p}/end`],
  ]) {
    t.add(`relative-location-${slug}`, (p) => ({
      server: { [`${API}${p}/start`]: { response: redir(302, loc(p), [[ACAO, '*']]) }, [dest(p)]: target([[ACAO, '*']]) },
      requests: [req(`${API}${p}/start`)],
    }));
  }
  t.add('no-location-301', (p) => ({
    server: { [API + p]: { response: ans(301, [[ACAO, APP]], 'moved') } },
    requests: [req(API + p)],
  }));
  t.add('no-location-302-acao-missing', (p) => ({
    server: { [API + p]: { response: ans(302, [], 'moved') } },
    requests: [req(API + p)],
  }));
  t.add('empty-location', (p) => ({
    server: { [API + p]: { response: ans(302, [[ACAO, APP], ['Location', '']], 'moved') } },
    requests: [req(API + p)],
  }));
  t.add('to-404', (p) => ({
    server: { [API + p]: { response: redir(302, `${API}${p}/missing`) } },
    requests: [req(API + p)],
  }), { foreignLocation: true });

  // The redirect limit: 20 redirects are followed, the 21st is an error.
  const chain = (origin, p, n, acaoLines) => {
    const s = {};
    for (let i = 0; i < n; i++) s[`${origin}${p}/r${i}`] = { response: redir(302, `${origin}${p}/r${i + 1}`, acaoLines) };
    s[`${origin}${p}/r${n}`] = { response: okResp(acaoLines) };
    return s;
  };
  t.add('limit-20-redirects-cross-origin', (p) => ({ server: chain(API, p, 20, [[ACAO, '*']]), requests: [req(`${API}${p}/r0`)] }));
  t.add('limit-21-redirects-cross-origin', (p) => ({ server: chain(API, p, 21, [[ACAO, '*']]), requests: [req(`${API}${p}/r0`)] }));
  t.add('limit-21-redirects-same-origin', (p) => ({ server: chain(APP, p, 21, []), requests: [req(`${APP}${p}/r0`)] }));
  t.add('limit-self-loop', (p) => ({
    server: { [API + p]: { response: redir(302, API + p, [[ACAO, '*']]) } },
    requests: [req(API + p)],
  }));
  return t;
}

// ---------------------------------------------------------------- 7. mode

function mode() {
  const t = new Topic('mode', 'Request modes and credentials: no-cors (opaque results, header dropping, methods that throw), same-origin mode, and cors mode towards the page\'s own origin (when Origin is sent).');

  // no-cors.
  for (const [slug, method, headers, lines] of [
    ['get-acao-missing', 'GET', [], []],
    ['get-acao-exact', 'GET', [], [[ACAO, APP]]],
    ['get-acao-star', 'GET', [], [[ACAO, '*']]],
    ['head', 'HEAD', [], []],
    ['post-text-plain', 'POST', [[CT, 'text/plain']], []],
    ['post-form', 'POST', [[CT, 'application/x-www-form-urlencoded']], []],
    ['post-json-content-type-dropped', 'POST', [[CT, 'application/json']], []],
    ['get-x-custom-dropped', 'GET', [['X-Custom', '1']], []],
    ['get-authorization-dropped', 'GET', [['Authorization', 'Bearer t']], []],
    ['get-range-dropped', 'GET', [['Range', 'bytes=0-']], []],
    ['get-accept-129-bytes', 'GET', [['Accept', `text/html;q=0.9,${'a'.repeat(129 - 16)}`]], []],
    ['get-safelisted-kept', 'GET', [['Accept', 'text/plain'], ['Accept-Language', 'en'], ['Content-Language', 'en']], []],
    ['get-mixed-headers', 'GET', [['Accept', 'text/plain'], ['X-Custom', '1'], ['Accept-Language', 'en']], []],
  ]) {
    t.add(`no-cors-${slug}`, (p) => ({
      server: { [API + p]: { response: method === 'HEAD' ? ans(200, lines, null) : okResp(lines) } },
      requests: [req(API + p, { method, headers, mode: 'no-cors', body: bodyFor(method) })],
    }));
  }
  for (const cred of ['omit', 'include']) {
    t.add(`no-cors-get-cred-${cred}`, (p) => ({
      server: { [API + p]: { response: okResp([]) } },
      requests: [req(API + p, { mode: 'no-cors', credentials: cred })],
    }));
  }
  for (const m of ['PUT', 'DELETE', 'PATCH', 'patch', 'OPTIONS', 'put']) {
    const slug = m === m.toUpperCase() ? m.toLowerCase() : `${m}-lowercase`;
    t.add(`no-cors-${slug}-throws`, (p) => ({
      server: { [API + p]: { preflight: allowPreflight(m), response: okResp([[ACAO, APP]]) } },
      requests: [req(API + p, { method: m, mode: 'no-cors', body: bodyFor(m) })],
    }));
  }
  t.add('no-cors-status-404', (p) => ({
    server: { [API + p]: { response: ans(404, [], 'nope') } },
    requests: [req(API + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-status-500-acao-exact', (p) => ({
    server: { [API + p]: { response: ans(500, [[ACAO, APP]], 'err') } },
    requests: [req(API + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-same-origin-url', (p) => ({
    server: { [APP + p]: { response: okResp([], [['X-Custom', 'a']]) } },
    requests: [req(APP + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-cross-to-other-redirect', (p) => ({
    server: { [API + p]: { response: redir(302, OTHER + p, []) }, [OTHER + p]: { response: okResp([]) } },
    requests: [req(API + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-same-to-cross-redirect', (p) => ({
    server: { [APP + p]: { response: redir(302, API + p, []) }, [API + p]: { response: okResp([]) } },
    requests: [req(APP + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-redirect-userinfo', (p) => ({
    server: { [API + p]: { response: redir(302, `http://user:pass@api.test:8002${p}/end`, []) }, [`${API}${p}/end`]: { response: okResp([]) } },
    requests: [req(API + p, { mode: 'no-cors' })],
  }));
  t.add('no-cors-then-cors-same-url', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { mode: 'no-cors' }), req(API + p)],
  }));

  // same-origin mode.
  for (const [slug, url] of [
    ['cross-origin-api', (p) => API + p],
    ['same-host-other-port', (p) => APP2 + p],
    ['other-host-same-port', (p) => `http://api.test:8001${p}`],
  ]) {
    t.add(`same-origin-mode-${slug}-blocked`, (p) => ({
      server: { [url(p)]: { response: okResp([[ACAO, '*']]) } },
      requests: [req(url(p), { mode: 'same-origin' })],
    }));
  }
  t.add('same-origin-mode-post-cross-origin-blocked', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, '*']]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'text/plain']], mode: 'same-origin', body: 'x' })],
  }));
  t.add('same-origin-mode-same-origin-ok', (p) => ({
    server: { [APP + p]: { response: okResp([], [['X-Custom', 'a']]) } },
    requests: [req(APP + p, { mode: 'same-origin' })],
  }));
  t.add('same-origin-mode-put-custom-header-ok', (p) => ({
    server: { [APP + p]: { response: okResp([]) } },
    requests: [req(APP + p, { method: 'PUT', headers: [['X-Custom', '1']], mode: 'same-origin', body: 'x' })],
  }));
  t.add('same-origin-mode-redirect-to-cross-blocked', (p) => ({
    server: { [APP + p]: { response: redir(302, API + p, []) }, [API + p]: { response: okResp([[ACAO, '*']]) } },
    requests: [req(APP + p, { mode: 'same-origin' })],
  }));
  t.add('same-origin-mode-redirect-same-to-same', (p) => ({
    server: { [APP + p]: { response: redir(302, `${APP}${p}/end`, []) }, [`${APP}${p}/end`]: { response: okResp([]) } },
    requests: [req(APP + p, { mode: 'same-origin' })],
  }));
  t.add('same-origin-mode-cred-include', (p) => ({
    server: { [APP + p]: { response: okResp([]) } },
    requests: [req(APP + p, { mode: 'same-origin', credentials: 'include' })],
  }));

  // cors mode towards the page's own origin.
  for (const [slug, method, headers] of [
    ['get', 'GET', []],
    ['head', 'HEAD', []],
    ['post-text-plain', 'POST', [[CT, 'text/plain']]],
    ['put', 'PUT', []],
    ['delete', 'DELETE', []],
    ['patch-lowercase', 'patch', []],
    ['get-x-custom', 'GET', [['X-Custom', '1']]],
    ['post-json', 'POST', [[CT, 'application/json']]],
  ]) {
    for (const cred of ['same-origin', 'omit']) {
      if (cred === 'omit' && !['get', 'post-text-plain'].includes(slug)) continue;
      t.add(`cors-to-same-origin-${slug}-cred-${cred}`, (p) => ({
        server: { [APP + p]: { response: method === 'HEAD' ? ans(200, [[CT, 'text/plain'], ['X-Custom', 'a']], null) : okResp([], [['X-Custom', 'a']]) } },
        requests: [req(APP + p, { method, headers, credentials: cred, body: bodyFor(method) })],
      }));
    }
  }
  t.add('cors-to-same-origin-include', (p) => ({
    server: { [APP + p]: { response: okResp([]) } },
    requests: [req(APP + p, { credentials: 'include' })],
  }));
  t.add('cors-to-same-origin-status-500', (p) => ({
    server: { [APP + p]: { response: ans(500, [[CT, 'text/plain']], 'err') } },
    requests: [req(APP + p)],
  }));
  t.add('cors-to-same-origin-not-found', (p) => ({
    server: {},
    requests: [req(APP + p)],
  }), { allow404: true });
  return t;
}

// ---------------------------------------------------------------- 8. odd

function odd() {
  const t = new Topic('odd', 'Odd values and where the browsers differ: forbidden methods and request headers, User-Agent (forbidden in Chromium only), method-override headers, 304/407 and error statuses, unusual statuses, header case, and the method literally named `*`.');

  // Forbidden methods: fetch() throws before sending anything.
  for (const m of ['TRACE', 'CONNECT', 'TRACK', 'track', 'Trace', 'connect']) {
    const slug = m === m.toUpperCase() ? m.toLowerCase() : `${m.toLowerCase()}-as-${m === m.toLowerCase() ? 'lowercase' : 'mixedcase'}`;
    t.add(`forbidden-method-${slug}`, (p) => ({
      server: { [API + p]: { preflight: ans(204, [[ACAO, '*'], [ACAM, '*']]), response: okResp([[ACAO, '*']]) } },
      requests: [req(API + p, { method: m })],
    }));
  }
  t.add('forbidden-method-trace-same-origin', (p) => ({
    server: { [APP + p]: { response: okResp([]) } },
    requests: [req(APP + p, { method: 'TRACE' })],
  }));

  // Forbidden request headers: silently dropped, so no preflight.
  const forbidden = [
    ['cookie', 'Cookie', 'a=b'],
    ['cookie2', 'Cookie2', 'a=b'],
    ['origin', 'Origin', 'http://evil.test:8009'],
    ['referer', 'Referer', 'http://evil.test:8009/'],
    ['host', 'Host', 'evil.test'],
    ['sec-foo', 'Sec-Foo', '1'],
    ['sec-fetch-mode', 'Sec-Fetch-Mode', 'navigate'],
    ['proxy-x', 'Proxy-X', '1'],
    ['proxy-authorization', 'Proxy-Authorization', 'Basic dTpw'],
    ['accept-charset', 'Accept-Charset', 'utf-8'],
    ['accept-encoding', 'Accept-Encoding', 'identity'],
    ['connection', 'Connection', 'close'],
    ['content-length', 'Content-Length', '0'],
    ['date', 'Date', 'Mon, 01 Jan 2024 00:00:00 GMT'],
    ['dnt', 'DNT', '1'],
    ['expect', 'Expect', '100-continue'],
    ['keep-alive', 'Keep-Alive', 'timeout=5'],
    ['te', 'TE', 'trailers'],
    ['trailer', 'Trailer', 'X-Foo'],
    ['transfer-encoding', 'Transfer-Encoding', 'chunked'],
    ['upgrade', 'Upgrade', 'websocket'],
    ['via', 'Via', '1.1 proxy'],
    ['set-cookie', 'Set-Cookie', 'a=b'],
    ['acrm', 'Access-Control-Request-Method', 'PUT'],
    ['acrh', 'Access-Control-Request-Headers', 'x-custom'],
    ['x-http-method-override-trace', 'X-HTTP-Method-Override', 'TRACE'],
    ['x-http-method-connect', 'X-HTTP-Method', 'CONNECT'],
    ['x-method-override-list-with-track', 'X-Method-Override', 'GET, track'],
    ['mixed-case-cookie', 'cOoKiE', 'a=b'],
  ];
  for (const [slug, name, value] of forbidden) {
    t.add(`forbidden-header-${slug}`, (p) => ({
      server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
      requests: [req(API + p, { headers: [[name, value]] })],
    }));
  }
  // Not forbidden: the override headers with a harmless method.
  for (const [slug, name, value] of [
    ['x-http-method-override-put', 'X-HTTP-Method-Override', 'PUT'],
    ['x-http-method-override-quoted-trace', 'X-HTTP-Method-Override', '"TRACE"'],
  ]) {
    t.add(`header-${slug}`, (p) => ({
      server: { [API + p]: { preflight: allowPreflight('GET', [name.toLowerCase()]), response: okResp([[ACAO, APP]]) } },
      requests: [req(API + p, { headers: [[name, value]] })],
    }));
  }
  // A forbidden header next to an unsafe one: only the unsafe one is asked for.
  t.add('forbidden-and-unsafe-header', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('GET', ['x-custom']), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['Cookie', 'a=b'], ['X-Custom', '1'], ['Sec-Foo', '1']] })],
  }));

  // User-Agent: forbidden in Chromium only.
  t.add('user-agent-preflight-allows', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('GET', ['user-agent']), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['User-Agent', 'corsica-test/1.0']] })],
  }));
  t.add('user-agent-no-preflight-handler', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['User-Agent', 'corsica-test/1.0']] })],
  }));
  t.add('user-agent-preflight-acah-star', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAH, '*']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['User-Agent', 'corsica-test/1.0'], ['X-Custom', '1']] })],
  }));

  // Odd statuses on the actual response, with and without ACAO.
  for (const st of [201, 202, 205, 304, 400, 401, 403, 404, 407, 418, 500, 503, 599]) {
    for (const withAcao of [true, false]) {
      if (!withAcao && ![304, 401, 404, 407, 500, 503].includes(st)) continue;
      t.add(`status-${st}-acao-${withAcao ? 'exact' : 'missing'}`, (p) => ({
        server: { [API + p]: { response: ans(st, [...(withAcao ? [[ACAO, APP]] : []), [CT, 'text/plain']], 'body') } },
        requests: [req(API + p)],
      }));
    }
  }
  t.add('status-304-with-etag-if-none-match', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('GET', ['if-none-match']), response: ans(304, [['ETag', '"v1"']]) } },
    requests: [req(API + p, { headers: [['If-None-Match', '"v1"']] })],
  }));
  t.add('status-407-proxy-authenticate', (p) => ({
    server: { [API + p]: { response: ans(407, [[ACAO, APP], ['Proxy-Authenticate', 'Basic realm="x"']], 'auth') } },
    requests: [req(API + p)],
  }));
  t.add('status-401-www-authenticate-acao-exact', (p) => ({
    server: { [API + p]: { response: ans(401, [[ACAO, APP], ['WWW-Authenticate', 'Basic realm="x"']], 'auth') } },
    requests: [req(API + p)],
  }));
  t.add('not-found-url-not-in-server', (p) => ({
    server: {},
    requests: [req(API + p)],
  }), { allow404: true });

  // Header and method odds.
  t.add('method-literal-star-acam-star-cred-include', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, '*'], [ACAC, 'true']]), response: okResp([[ACAO, APP]], [[ACAC, 'true']]) } },
    requests: [req(API + p, { method: '*', credentials: 'include', body: 'x' })],
  }));
  t.add('header-literal-star-acah-star-cred-include', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAH, '*'], [ACAC, 'true']]), response: okResp([[ACAO, APP]], [[ACAC, 'true']]) } },
    requests: [req(API + p, { headers: [['*', '1']], credentials: 'include' })],
  }));
  t.add('invalid-method-token-throws', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'BAD METHOD' })],
  }));
  t.add('invalid-header-name-throws', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['X Bad', '1']] })],
  }));
  t.add('response-header-names-lowercase', (p) => ({
    server: { [API + p]: { response: ans(200, [['access-control-allow-origin', APP], ['access-control-expose-headers', 'x-custom'], ['x-custom', 'a'], ['content-type', 'text/plain']], 'ok') } },
    requests: [req(API + p)],
  }));
  t.add('response-header-names-uppercase', (p) => ({
    server: { [API + p]: { response: ans(200, [['ACCESS-CONTROL-ALLOW-ORIGIN', APP], ['ACCESS-CONTROL-EXPOSE-HEADERS', 'X-CUSTOM'], ['X-CUSTOM', 'a']], 'ok') } },
    requests: [req(API + p)],
  }));
  t.add('preflight-header-names-lowercase', (p) => ({
    server: { [API + p]: { preflight: ans(204, [['access-control-allow-origin', APP], ['access-control-allow-methods', 'PUT'], ['access-control-allow-headers', 'x-custom']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('acao-exact-and-star-lines-cred-omit', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP], [ACAO, '*']]) } },
    requests: [req(API + p, { credentials: 'omit' })],
  }));
  t.add('acao-with-control-byte', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, `${APP}\u0001`]]) } },
    requests: [req(API + p)],
  }));
  // Chromium escapes non-printable and non-ASCII bytes in the console hint.
  t.add('acao-non-ascii-byte', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, 'http://app.test:8001\u00e9']]) } },
    requests: [req(API + p)],
  }));
  t.add('acah-non-ascii-byte', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], [ACAH, 'x-caf\u00e9']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', headers: [['X-Custom', '1']], body: 'x' })],
  }));
  t.add('acao-page-origin-other-page', (p) => ({
    origin: APP2,
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p)],
  }));
  t.add('put-with-empty-body', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('PUT'), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', body: '' })],
  }));
  t.add('post-without-body-or-content-type', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST' })],
  }));
  t.add('post-string-body-default-content-type', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST', body: '{"a":1}' })],
  }));
  t.add('same-header-twice-exact-128-combined', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('GET', ['accept-language']), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['Accept-Language', 'e'.repeat(63)], ['Accept-Language', 'f'.repeat(63)]] })],
  }));
  t.add('same-header-twice-129-combined', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('GET', ['accept-language']), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { headers: [['Accept-Language', 'e'.repeat(63)], ['Accept-Language', 'f'.repeat(64)]] })],
  }));
  t.add('content-type-twice-combined-not-safelisted', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('POST', ['content-type']), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'text/plain'], [CT, 'text/plain']], body: 'x' })],
  }));
  return t;
}

// ---------------------------------------------------------------- 9. seed

function seed() {
  const t = new Topic('seed', 'The mistakes of the seed page "CORS errors explained" and of common server setups: `*` with credentials, no OPTIONS handler, unexposed headers, error responses without CORS headers (nginx add_header on 2xx only), nginx `if` blocks that drop headers, framework defaults.');

  // `*` with credentials.
  t.add('star-with-credentials-simple', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, '*']], [[ACAC, 'true']]) } },
    requests: [req(API + p, { credentials: 'include' })],
  }));
  t.add('star-with-credentials-preflight', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, '*'], [ACAC, 'true'], [ACAM, 'GET, POST, PUT, DELETE'], [ACAH, '*']]), response: okResp([[ACAO, '*']], [[ACAC, 'true']]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json']], credentials: 'include', body: '{}' })],
  }));
  t.add('star-without-credentials-works', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, '*']], [[ACAC, 'true']]) } },
    requests: [req(API + p, { credentials: 'same-origin' })],
  }));
  t.add('reflected-origin-with-credentials-works', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP], [ACAC, 'true'], ['Vary', 'Origin']]) } },
    requests: [req(API + p, { credentials: 'include' })],
  }));

  // Missing OPTIONS handler: 404 / 405 / 401 preflights.
  for (const [slug, st, lines] of [
    ['no-options-handler-405', 405, []],
    ['no-options-handler-405-allow', 405, [['Allow', 'GET, POST']]],
    ['no-options-handler-404', 404, []],
    ['no-options-handler-404-acao', 404, [[ACAO, APP]]],
    ['options-behind-auth-401', 401, [['WWW-Authenticate', 'Bearer']]],
    ['options-behind-auth-401-acao', 401, [[ACAO, APP], ['WWW-Authenticate', 'Bearer']]],
    ['options-redirect-to-login', 302, [['Location', `${API}/login`]]],
  ]) {
    t.add(`${slug}-post-json`, (p) => ({
      server: {
        [API + p]: { preflight: ans(st, lines, st === 302 ? null : 'no'), response: okResp([[ACAO, APP]]) },
        ...(st === 302 ? { [`${API}/login`]: { response: ans(200, [], 'login') } } : {}),
      },
      requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json']], body: '{}' })],
    }));
  }
  t.add('no-options-handler-put', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));

  // Headers not exposed.
  t.add('header-not-exposed', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP]], [['X-Request-Id', '42'], ['X-Total-Count', '100']]) } },
    requests: [req(API + p)],
  }));
  t.add('header-exposed-fix', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP], [ACEH, 'X-Request-Id, X-Total-Count']], [['X-Request-Id', '42'], ['X-Total-Count', '100']]) } },
    requests: [req(API + p)],
  }));

  // Error responses without CORS headers (nginx add_header without `always`).
  for (const st of [400, 401, 404, 500, 502]) {
    t.add(`error-${st}-without-acao`, (p) => ({
      server: { [API + p]: { response: ans(st, [[CT, 'application/json']], '{"error":"x"}') } },
      requests: [req(API + p)],
    }));
  }
  t.add('error-500-with-acao-always', (p) => ({
    server: { [API + p]: { response: ans(500, [[ACAO, APP], [CT, 'application/json']], '{"error":"x"}') } },
    requests: [req(API + p)],
  }));
  t.add('error-500-after-good-preflight', (p) => ({
    server: { [API + p]: { preflight: allowPreflight('POST', ['content-type']), response: ans(500, [[CT, 'text/html']], '<h1>500</h1>') } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json']], body: '{}' })],
  }));

  // The seed's nginx block: add_header inside `if` replaces the outer ones,
  // so the 204 preflight carries only Access-Control-Max-Age.
  t.add('nginx-if-block-preflight-only-max-age', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACMA, '86400']]),
        response: okResp([[ACAO, APP], [ACAM, 'GET, POST, OPTIONS'], [ACAH, 'Authorization, Content-Type']]),
      },
    },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json'], ['Authorization', 'Bearer t']], body: '{}' })],
  }));
  const nginxPreflight = ans(204, [[ACAO, APP], [ACAM, 'GET, POST, OPTIONS'], [ACAH, 'Authorization, Content-Type'], [ACMA, '86400']]);
  t.add('nginx-fixed-post-json-authorization', (p) => ({
    server: { [API + p]: { preflight: nginxPreflight, response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json'], ['Authorization', 'Bearer t']], body: '{}' })],
  }));
  t.add('nginx-fixed-put-not-listed', (p) => ({
    server: { [API + p]: { preflight: nginxPreflight, response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', headers: [[CT, 'application/json']], body: '{}' })],
  }));
  t.add('nginx-fixed-x-requested-with-not-listed', (p) => ({
    server: { [API + p]: { preflight: nginxPreflight, response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json'], ['X-Requested-With', 'XMLHttpRequest']], body: '{}' })],
  }));
  t.add('example-origin-https-mismatch', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, 'https://app.test:8001']]) } },
    requests: [req(API + p)],
  }));

  // Framework defaults.
  t.add('express-cors-default-put', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACAO, '*'], [ACAM, 'GET,HEAD,PUT,PATCH,POST,DELETE'], ['Vary', 'Access-Control-Request-Headers'], [ACAH, 'content-type']]),
        response: okResp([[ACAO, '*']]),
      },
    },
    requests: [req(API + p, { method: 'PUT', headers: [[CT, 'application/json']], body: '{}' })],
  }));
  t.add('express-cors-default-with-credentials', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACAO, '*'], [ACAM, 'GET,HEAD,PUT,PATCH,POST,DELETE'], [ACAH, 'content-type']]),
        response: okResp([[ACAO, '*']]),
      },
    },
    requests: [req(API + p, { method: 'PUT', headers: [[CT, 'application/json']], credentials: 'include', body: '{}' })],
  }));
  t.add('express-cors-default-lowercase-patch', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACAO, '*'], [ACAM, 'GET,HEAD,PUT,PATCH,POST,DELETE']]),
        response: okResp([[ACAO, '*']]),
      },
    },
    requests: [req(API + p, { method: 'patch', body: '{}' })],
  }));
  t.add('express-origin-list-credentials', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(204, [[ACAO, APP], ['Vary', 'Origin'], [ACAC, 'true'], [ACAM, 'GET,POST,PUT,DELETE'], [ACAH, 'content-type']]),
        response: okResp([[ACAO, APP], ['Vary', 'Origin'], [ACAC, 'true']]),
      },
    },
    requests: [req(API + p, { method: 'DELETE', headers: [[CT, 'application/json']], credentials: 'include' })],
  }));
  t.add('django-corsheaders-defaults', (p) => ({
    server: {
      [API + p]: {
        preflight: ans(200, [[ACAO, APP], [ACAC, 'true'], [ACAH, 'accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with'], [ACAM, 'DELETE, GET, OPTIONS, PATCH, POST, PUT'], [ACMA, '86400']], ''),
        response: okResp([[ACAO, APP], [ACAC, 'true']]),
      },
    },
    requests: [req(API + p, { method: 'PATCH', headers: [[CT, 'application/json'], ['X-CSRFToken', 'abc']], credentials: 'include', body: '{}' })],
  }));
  t.add('proxy-and-app-both-add-acao', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, APP], [ACAO, APP]]) } },
    requests: [req(API + p)],
  }));
  t.add('proxy-and-app-both-add-acao-star', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, '*'], [ACAO, APP]]) } },
    requests: [req(API + p)],
  }));
  t.add('client-sends-acao-request-header', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAH, 'Content-Type']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'POST', headers: [[CT, 'application/json'], [ACAO, '*']], body: '{}' })],
  }));
  t.add('acao-on-preflight-only', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT']]), response: okResp([]) } },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('acao-on-actual-only', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAM, 'PUT']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', body: 'x' })],
  }));
  t.add('null-origin-allowed-from-real-origin', (p) => ({
    server: { [API + p]: { response: okResp([[ACAO, 'null'], [ACAC, 'true']]) } },
    requests: [req(API + p, { credentials: 'include' })],
  }));
  t.add('max-age-86400-second-request-cached', (p) => ({
    server: { [API + p]: { preflight: ans(204, [[ACAO, APP], [ACAM, 'PUT'], [ACMA, '86400']]), response: okResp([[ACAO, APP]]) } },
    requests: [req(API + p, { method: 'PUT', body: 'x' }), req(API + p, { method: 'PUT', body: 'x' })],
  }));
  return t;
}

// ------------------------------------------------------------------ checks

const TOPICS = [simple, trigger, preflight, cache, expose, redirect, mode, odd, seed];

const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks one URL against the corpus rules; returns an error string or null. */
function checkUrl(u) {
  let url;
  try {
    url = new URL(u);
  } catch {
    return `not a URL: ${u}`;
  }
  if (url.protocol !== 'http:') return `not http: ${u}`;
  if (!url.hostname.endsWith('.test')) return `host is not *.test: ${u}`;
  const port = Number(url.port);
  if (!(port >= 8001 && port <= 8009)) return `port outside 8001-8009: ${u}`;
  return null;
}

/** Routing key used by the runner: URL without user-info and fragment. */
function routeKey(u) {
  const url = new URL(u);
  url.username = '';
  url.password = '';
  url.hash = '';
  return url.href;
}

/** Validates every case; returns the list of problems. */
function validate(topicCases, allow404, foreignLocation) {
  const errors = [];
  const ids = new Set();
  for (const [file, cases] of topicCases) {
    for (const c of cases) {
      const where = `${file}: ${c.id}`;
      if (!ID_RE.test(c.id)) errors.push(`${where}: id is not kebab-case`);
      if (ids.has(c.id)) errors.push(`${where}: duplicate id`);
      ids.add(c.id);
      const oerr = checkUrl(c.origin);
      if (oerr || new URL(c.origin).origin !== c.origin) errors.push(`${where}: bad origin ${c.origin}`);
      const keys = new Set();
      for (const [k, v] of Object.entries(c.server)) {
        const e = checkUrl(k);
        if (e) errors.push(`${where}: server key ${e}`);
        keys.add(routeKey(k));
        for (const part of ['preflight', 'response']) {
          const a = v[part];
          if (a === undefined) continue;
          if (!Number.isInteger(a.status) || a.status < 100 || a.status > 999) errors.push(`${where}: bad status`);
          for (const [n, val] of a.headers) {
            if (!TOKEN_RE.test(n)) errors.push(`${where}: bad header name ${JSON.stringify(n)}`);
            if (/[\0\r\n]/.test(val)) errors.push(`${where}: bad header value ${JSON.stringify(val)}`);
          }
        }
        if (!v.response && !v.preflight) errors.push(`${where}: server entry without answers`);
      }
      // Locations must resolve to served http URLs, unless the case is about that.
      for (const [k, v] of Object.entries(c.server)) {
        for (const part of ['preflight', 'response']) {
          const a = v[part];
          if (!a) continue;
          for (const [n, val] of a.headers) {
            if (n.toLowerCase() !== 'location') continue;
            let dest;
            try {
              dest = new URL(val, k).href;
            } catch {
              dest = null;
            }
            if (dest && !checkUrl(dest) && keys.has(routeKey(dest))) continue;
            if (!foreignLocation.has(c.id)) errors.push(`${where}: Location ${val} is not served`);
          }
        }
      }
      if (!Array.isArray(c.requests) || c.requests.length === 0) errors.push(`${where}: no requests`);
      for (const r of c.requests) {
        const e = checkUrl(r.url);
        if (e) errors.push(`${where}: request ${e}`);
        else if (!keys.has(routeKey(r.url)) && !allow404.has(c.id)) errors.push(`${where}: request URL not in server: ${r.url}`);
        if (!['cors', 'no-cors', 'same-origin'].includes(r.mode)) errors.push(`${where}: bad mode`);
        if (!['omit', 'same-origin', 'include'].includes(r.credentials)) errors.push(`${where}: bad credentials`);
        if (typeof r.method !== 'string' || !r.method) errors.push(`${where}: bad method`);
        for (const h of r.headers) {
          if (!Array.isArray(h) || h.length !== 2) errors.push(`${where}: bad request header`);
          else if (/[\0\r\n]/.test(h[1])) errors.push(`${where}: bad request header value`);
        }
      }
    }
  }
  return errors;
}

// ------------------------------------------------------------------ main

/** The corpus section for conformance/README.md, written from the topics themselves. */
function corpusDoc(topics, examplesCount, totalDelay) {
  const rows = topics.map((t) => `| \`${t.name}.jsonl\` | ${t.cases.length} | ${t.blurb} |`);
  const total = topics.reduce((s, t) => s + t.cases.length, 0) + examplesCount;
  return `<!-- Written by conformance/gen/generate.mjs; edit the generator, not this file. -->
## The case corpus

\`conformance/cases/*.jsonl\` holds ${total} cases in the case format
(one JSON object a line; see the case-format contract). They say what the
page does and what the server answers, never what a browser should do: the
answers recorded from headless Chromium and Firefox are the truth, and the
engine's simulation is compared with them.

| file | cases | what it exercises |
|---|---|---|
${rows.join('\n')}
| \`examples.jsonl\` | ${examplesCount} | The five shared example cases, copied verbatim (not generated). |

Conventions:
- The page is \`http://app.test:8001\` unless a case says otherwise; the API is
  \`http://api.test:8002\`; \`http://other.test:8003\`, \`http://api.test:8004\`
  and \`http://app.test:8005\` are the other origins. Only \`http\`, only
  \`*.test\` hosts, only ports 8001-8009 (a few redirect cases point
  \`Location\` at \`data:\`, \`ftp:\`, \`about:\`, \`javascript:\`, \`file:\` or an
  unparsable URL on purpose).
- Every case uses its own URLs: paths start with \`/<case id>\`, so no state
  (preflight cache, HTTP cache, cookies) can leak between cases even in a
  shared browser profile.
- Ids are kebab-case and start with the file's topic name.
- Every request URL and every \`Location\` target is a key of \`server\`,
  except in the cases that are about a 404 or a non-HTTP redirect target.
- Total \`delay_ms\` over the corpus: ${totalDelay} ms (cache-expiry cases only).

What the format cannot show, and how the corpus gets closest:
- The 1024-byte sum of safelisted values: \`fetch()\` combines same-name
  headers into one \`a, b\` value, so any sum over 1024 already breaks the
  128-byte rule (\`trigger-header-nine-accept-120-bytes\`), and four
  distinct safelisted names of 128 bytes each stay at 512
  (\`trigger-header-four-safelisted-128-bytes-each\`).
- Chromium replacing vs Firefox merging cache entries: a server answers one
  fixed preflight per URL, so a second preflight grants what the first
  did. The cases observe what is observable: which requests hit, what a
  failed preflight clears (\`cache-second-needs-header-not-listed-then-first-again\`),
  credentials keying, \`*\` entries and Authorization.
- Max-Age caps (7200 s vs 86400 s) need hours; values above both are played
  only for "cached right away".

Regenerate after editing \`conformance/gen/generate.mjs\`:

\`\`\`sh
node conformance/gen/generate.mjs          # writes conformance/cases/*.jsonl and this file
node conformance/gen/generate.mjs --check  # exit 1 if the committed files are stale
node --test conformance/gen/               # determinism, --check, case rules
\`\`\`

The generator is deterministic (no randomness, clock or environment), has
no dependencies (Node 20), validates every case before writing (ids unique
and kebab-case, URLs and origins within the rules above, header names are
tokens, no CR/LF/NUL in values, Locations served) and prints the number of
cases, requests and delay per file.
`;
}

function main() {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const outIdx = argv.indexOf('--out');
  if (outIdx >= 0 && !argv[outIdx + 1]) {
    console.error('generate: --out needs a directory');
    process.exit(2);
  }
  const outDir = outIdx >= 0 ? path.resolve(argv[outIdx + 1]) : CASES_DIR;
  const docDir = outIdx >= 0 ? outDir : HERE;
  const topics = TOPICS.map((f) => f());
  const files = topics.map((t) => [`${t.name}.jsonl`, t.cases]);

  const allow404 = new Set(topics.flatMap((t) => [...t.allow404]));
  const foreign = new Set(topics.flatMap((t) => [...t.allowForeignLocation]));
  const examplesPath = path.join(CASES_DIR, 'examples.jsonl');
  const examples = fs.existsSync(examplesPath)
    ? fs.readFileSync(examplesPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
    : [];
  const errors = validate([...files, ['examples.jsonl', examples]], allow404, foreign);
  if (errors.length) {
    for (const e of errors) console.error(`generate: ${e}`);
    process.exit(2);
  }

  let total = 0;
  let totalDelay = 0;
  let stale = false;
  if (!check) fs.mkdirSync(outDir, { recursive: true });
  for (const [file, cases] of files) {
    const text = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const p = path.join(outDir, file);
    if (check) {
      const have = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
      if (have !== text) {
        console.error(`generate: ${path.relative(process.cwd(), p)} differs from the generator's output`);
        stale = true;
      }
    } else {
      fs.writeFileSync(p, text);
    }
    const delay = cases.reduce((s, c) => s + c.requests.reduce((d, r) => d + (r.delay_ms ?? 0), 0), 0);
    const reqs = cases.reduce((s, c) => s + c.requests.length, 0);
    total += cases.length;
    totalDelay += delay;
    console.log(`${file.padEnd(18)} ${String(cases.length).padStart(4)} cases ${String(reqs).padStart(4)} requests ${String(delay).padStart(6)} ms delay`);
  }
  console.log(`${'examples.jsonl'.padEnd(18)} ${String(examples.length).padStart(4)} cases (copied, not generated)`);
  console.log(`${'total'.padEnd(18)} ${String(total + examples.length).padStart(4)} cases ${String(totalDelay).padStart(18)} ms delay`);
  const docPath = path.join(docDir, 'CORPUS.md');
  const doc = corpusDoc(topics, examples.length, totalDelay);
  if (check) {
    const have = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : null;
    if (have !== doc) {
      console.error(`generate: ${path.relative(process.cwd(), docPath)} differs from the generator's output`);
      stale = true;
    }
  } else {
    fs.writeFileSync(docPath, doc);
  }
  if (totalDelay >= 20000) {
    console.error('generate: total delay_ms must stay under 20000');
    process.exit(2);
  }
  if (check && stale) process.exit(1);
}

main();
