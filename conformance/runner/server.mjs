// Raw HTTP/1.1 servers on 127.0.0.1 that answer a conformance case's
// requests byte for byte (see conformance/FORMAT.md, "Hosts and the
// wire"). Built on node:net, not node:http, so that the status line and the
// case's header lines go out exactly as written: in order, with duplicates,
// with the name case of the case and with arbitrary bytes in values.
//
// Keep-alive: requests are parsed one after another on a connection
// (Content-Length bodies, chunked bodies), and every answer carries exact
// framing, so the browser may reuse the connection. No `Connection` header
// is ever added: the only header the runner adds is `Content-Length`.

import net from 'node:net';
import { STATUS_CODES } from 'node:http';

/** Reserved path prefix for the runner's own page; never a case URL. */
export const RESERVED_PREFIX = '/__corsica__/';
export const PAGE_PATH = `${RESERVED_PREFIX}page.html`;

const PAGE_BODY = Buffer.from(
  '<!doctype html><meta charset="utf-8"><title>corsica conformance</title><p>corsica conformance runner page</p>\n',
  'latin1',
);

/**
 * Encodes a JSON string as header bytes: a code point up to U+00FF is one
 * byte (latin1), anything above is written as its UTF-8 bytes.
 */
export function headerBytes(s) {
  const parts = [];
  let latin = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (cp <= 0xff) {
      latin += ch;
    } else {
      if (latin) parts.push(Buffer.from(latin, 'latin1'));
      latin = '';
      parts.push(Buffer.from(ch, 'utf8'));
    }
  }
  if (latin) parts.push(Buffer.from(latin, 'latin1'));
  return Buffer.concat(parts);
}

/** Routing key of an absolute URL: lowercased host[:port] + path + query, userinfo ignored. */
export function routeKeyOfUrl(url) {
  const u = new URL(url);
  return `${u.host.toLowerCase()}${u.pathname}${u.search}`;
}

/** Whether a response with this status may carry a body (not 1xx, 204, 304). */
export function statusMayHaveBody(status) {
  return !(status >= 100 && status < 200) && status !== 204 && status !== 304;
}

/**
 * Serializes one case answer ({status, headers, body}) to wire bytes.
 * `isHead` suppresses the body (but not the added Content-Length).
 */
export function serializeAnswer(answer, isHead) {
  const status = answer.status;
  const reason = STATUS_CODES[status] ?? 'Unknown';
  const headers = answer.headers ?? [];
  const body = Buffer.from(answer.body ?? '', 'utf8');
  const lines = [Buffer.from(`HTTP/1.1 ${status} ${reason}\r\n`, 'latin1')];
  let hasLength = false;
  let hasChunked = false;
  for (const [name, value] of headers) {
    const lname = name.toLowerCase();
    if (lname === 'content-length') hasLength = true;
    if (lname === 'transfer-encoding') hasChunked = true;
    lines.push(headerBytes(name), Buffer.from(': ', 'latin1'), headerBytes(value), Buffer.from('\r\n', 'latin1'));
  }
  let added = null;
  if (!hasLength && statusMayHaveBody(status)) {
    added = String(body.length);
    lines.push(Buffer.from(`Content-Length: ${added}\r\n`, 'latin1'));
  }
  lines.push(Buffer.from('\r\n', 'latin1'));
  const mayBody = statusMayHaveBody(status) && !isHead;
  if (mayBody) lines.push(body);
  // The framing is exact only when we wrote the Content-Length ourselves or
  // the case's own Content-Length equals the body length; otherwise the
  // connection is closed after the answer (a TCP close, not a header).
  let exact = true;
  if (hasChunked) exact = false;
  if (hasLength) {
    const given = headers.filter(([n]) => n.toLowerCase() === 'content-length');
    exact = exact && given.length === 1 && given[0][1].trim() === String(body.length);
  }
  if (status >= 100 && status < 200) exact = false;
  return { bytes: Buffer.concat(lines), closeAfter: !exact };
}

/**
 * A set of servers sharing one routing state.
 * `state.routes`: Map routeKey -> server entry of the current case, or null.
 * `state.log`: every request received, in arrival order.
 */
export class CaseServers {
  constructor() {
    this.routes = new Map();
    this.caseId = null;
    this.log = [];
    this.servers = [];
    this.sockets = new Set();
    this.seq = 0;
  }

  /** Sets the case whose `server` map answers from now on. */
  setCase(c) {
    this.caseId = c ? c.id : null;
    this.routes = new Map();
    if (!c) return;
    for (const [url, entry] of Object.entries(c.server ?? {})) {
      this.routes.set(routeKeyOfUrl(url), entry);
    }
  }

  async listen(ports) {
    for (const port of ports) {
      const srv = net.createServer((sock) => this.#onConnection(sock, port));
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => resolve());
      });
      this.servers.push(srv);
    }
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(() => r()))));
  }

  #onConnection(sock, port) {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let closed = false;
    sock.on('data', (chunk) => {
      if (closed) return;
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = parseRequest(buf);
        if (r === null) return; // need more bytes
        if (r.error) {
          this.log.push({ seq: this.seq++, caseId: this.caseId, port, error: r.error, raw: buf.toString('latin1').slice(0, 2000) });
          closed = true;
          sock.end(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'latin1'));
          return;
        }
        buf = buf.subarray(r.consumed);
        const { bytes, closeAfter } = this.#answer(r, port);
        if (closeAfter) {
          closed = true;
          sock.end(bytes);
          return;
        }
        sock.write(bytes);
      }
    });
  }

  #answer(req, port) {
    const hostHdr = req.headers.find(([n]) => n.toLowerCase() === 'host');
    const host = (hostHdr ? hostHdr[1].trim() : `127.0.0.1:${port}`).toLowerCase();
    const url = `http://${host}${req.target}`;
    const entry = {
      seq: this.seq++,
      caseId: this.caseId,
      port,
      time: Date.now(),
      method: req.method,
      url,
      headers: req.headers,
      bodyLength: req.body.length,
      reserved: false,
      routed: null,
    };
    this.log.push(entry);
    const isHead = req.method === 'HEAD';
    const key = `${host}${req.target}`;
    const routed = this.routes.get(key);
    if (routed) {
      const isPreflight =
        req.method === 'OPTIONS' && req.headers.some(([n]) => n.toLowerCase() === 'access-control-request-method');
      if (isPreflight) {
        entry.routed = routed.preflight ? 'preflight' : 'preflight-405';
        return serializeAnswer(routed.preflight ?? { status: 405, headers: [] }, isHead);
      }
      entry.routed = 'response';
      return serializeAnswer(routed.response ?? { status: 404, headers: [] }, isHead);
    }
    const path = req.target.split('?')[0];
    if (path === PAGE_PATH) {
      entry.reserved = true;
      entry.routed = 'page';
      return serializeAnswer(
        {
          status: 200,
          headers: [
            ['Content-Type', 'text/html; charset=utf-8'],
            ['Cache-Control', 'no-store'],
          ],
          body: PAGE_BODY.toString('latin1'),
        },
        isHead,
      );
    }
    if (path === '/favicon.ico') {
      entry.reserved = true;
      entry.routed = 'favicon';
      return serializeAnswer({ status: 204, headers: [] }, isHead);
    }
    entry.routed = '404';
    return serializeAnswer({ status: 404, headers: [] }, isHead);
  }
}

/**
 * Parses one request from the front of `buf`. Returns null when more bytes
 * are needed, {error} on a malformed request, else
 * {method, target, version, headers: [[name, value]], body, consumed}.
 * Names keep their wire case; values are latin1 strings with OWS trimmed.
 */
export function parseRequest(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > 1 << 20) return { error: 'request head larger than 1 MiB' };
    return null;
  }
  const head = buf.subarray(0, end).toString('latin1');
  const lines = head.split('\r\n');
  const m = /^(\S+) (\S+) (HTTP\/\d\.\d)$/.exec(lines[0]);
  if (!m) return { error: `bad request line ${JSON.stringify(lines[0])}` };
  const headers = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) return { error: `bad header line ${JSON.stringify(line)}` };
    headers.push([line.slice(0, i), line.slice(i + 1).replace(/^[ \t]+|[ \t]+$/g, '')]);
  }
  let pos = end + 4;
  const te = headers.find(([n]) => n.toLowerCase() === 'transfer-encoding');
  const cl = headers.find(([n]) => n.toLowerCase() === 'content-length');
  let body = Buffer.alloc(0);
  if (te && /chunked/i.test(te[1])) {
    const parts = [];
    for (;;) {
      const le = buf.indexOf('\r\n', pos);
      if (le < 0) return null;
      const size = parseInt(buf.subarray(pos, le).toString('latin1'), 16);
      if (Number.isNaN(size)) return { error: 'bad chunk size' };
      pos = le + 2;
      if (size === 0) {
        // trailers until an empty line
        for (;;) {
          const te2 = buf.indexOf('\r\n', pos);
          if (te2 < 0) return null;
          const empty = te2 === pos;
          pos = te2 + 2;
          if (empty) break;
        }
        break;
      }
      if (buf.length < pos + size + 2) return null;
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    body = Buffer.concat(parts);
  } else if (cl) {
    const n = Number(cl[1]);
    if (!Number.isInteger(n) || n < 0) return { error: `bad Content-Length ${cl[1]}` };
    if (buf.length < pos + n) return null;
    body = buf.subarray(pos, pos + n);
    pos += n;
  }
  return { method: m[1], target: m[2], version: m[3], headers, body, consumed: pos };
}
