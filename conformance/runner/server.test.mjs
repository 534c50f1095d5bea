// Tests of the byte-exact case servers: `node --test conformance/runner/`.
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CaseServers, parseRequest, serializeAnswer, headerBytes, routeKeyOfUrl } from './server.mjs';

const PORT = 8099;

/** Sends raw bytes on one connection and collects everything until `until` bytes arrived or the peer closes. */
function exchange(raw, { untilCount = 1, timeoutMs = 1000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(PORT, '127.0.0.1');
    const chunks = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed: false });
    }, timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      const text = Buffer.concat(chunks).toString('latin1');
      if ((text.match(/HTTP\/1\.1 /g) ?? []).length >= untilCount && untilCount > 1 && text.endsWith('world')) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ bytes: Buffer.concat(chunks), closed: false });
      }
    });
    sock.on('end', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), closed: true });
    });
    sock.on('error', reject);
    sock.write(raw);
  });
}

test('headerBytes writes latin1 code points as single bytes and others as UTF-8', () => {
  assert.deepEqual([...headerBytes('a\u00e9')], [0x61, 0xe9]);
  assert.deepEqual([...headerBytes('\u20ac')], [0xe2, 0x82, 0xac]);
  assert.deepEqual([...headerBytes('\u0001\u007f')], [0x01, 0x7f]);
});

test('routeKeyOfUrl ignores userinfo and keeps path and query', () => {
  assert.equal(routeKeyOfUrl('http://user:pw@API.test:8003/u?x=1'), 'api.test:8003/u?x=1');
  assert.equal(routeKeyOfUrl('http://api.test:8002/'), 'api.test:8002/');
});

test('serializeAnswer keeps order, duplicates and case, and adds exactly one Content-Length', () => {
  const { bytes, closeAfter } = serializeAnswer(
    { status: 200, headers: [['access-control-allow-origin', '*'], ['X-A', '1'], ['X-A', '2']], body: 'hi' },
    false,
  );
  assert.equal(bytes.toString('latin1'), 'HTTP/1.1 200 OK\r\naccess-control-allow-origin: *\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 2\r\n\r\nhi');
  assert.equal(closeAfter, false);
});

test('serializeAnswer adds no Content-Length to 204 and 304, and none when the case gives one', () => {
  assert.equal(serializeAnswer({ status: 204, headers: [] }, false).bytes.toString('latin1'), 'HTTP/1.1 204 No Content\r\n\r\n');
  assert.equal(serializeAnswer({ status: 304, headers: [] }, false).bytes.toString('latin1'), 'HTTP/1.1 304 Not Modified\r\n\r\n');
  const own = serializeAnswer({ status: 200, headers: [['Content-Length', '5']], body: 'hello' }, false);
  assert.equal(own.bytes.toString('latin1'), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
  assert.equal(own.closeAfter, false);
  const wrong = serializeAnswer({ status: 200, headers: [['Content-Length', '9']], body: 'hello' }, false);
  assert.equal(wrong.closeAfter, true);
});

test('serializeAnswer sends no body for HEAD but keeps the added Content-Length', () => {
  const { bytes } = serializeAnswer({ status: 200, headers: [], body: 'hello' }, true);
  assert.equal(bytes.toString('latin1'), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
});

test('parseRequest waits for the whole body and keeps header name case and order', () => {
  const raw = Buffer.from('POST /a?b=1 HTTP/1.1\r\nHost: api.test:8002\r\nX-Foo: bar \r\nContent-Length: 3\r\n\r\nab', 'latin1');
  assert.equal(parseRequest(raw), null);
  const full = Buffer.concat([raw, Buffer.from('cGET', 'latin1')]);
  const r = parseRequest(full);
  assert.equal(r.method, 'POST');
  assert.equal(r.target, '/a?b=1');
  assert.deepEqual(r.headers, [
    ['Host', 'api.test:8002'],
    ['X-Foo', 'bar'],
    ['Content-Length', '3'],
  ]);
  assert.equal(r.body.toString('latin1'), 'abc');
  assert.equal(r.consumed, full.length - 3);
});

test('servers route preflight, response, 405, 404 and keep the connection alive', async () => {
  const s = new CaseServers();
  await s.listen([PORT]);
  try {
    s.setCase({
      id: 't',
      server: {
        'http://api.test:8099/p': {
          preflight: { status: 204, headers: [['Access-Control-Allow-Origin', 'http://app.test:8001']] },
          response: { status: 200, headers: [['X-R', 'caf\u00e9']], body: 'hello' },
        },
        'http://u:p@api.test:8099/nopre': { response: { status: 201, headers: [], body: 'world' } },
      },
    });
    const req = (m, p, extra = '') => `${m} ${p} HTTP/1.1\r\nHost: api.test:8099\r\n${extra}\r\n`;
    const raw =
      req('OPTIONS', '/p', 'Access-Control-Request-Method: PUT\r\n') +
      req('OPTIONS', '/p') +
      req('POST', '/p', 'Content-Length: 4\r\n') +
      'body' +
      req('OPTIONS', '/nopre', 'Access-Control-Request-Method: PUT\r\n') +
      req('GET', '/missing') +
      req('GET', '/nopre');
    const { bytes, closed } = await exchange(raw, { untilCount: 6 });
    assert.equal(closed, false, 'the server must not close a keep-alive connection');
    assert.equal(
      bytes.toString('latin1'),
      'HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: http://app.test:8001\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nX-R: caf\u00e9\r\nContent-Length: 5\r\n\r\nhello' +
        'HTTP/1.1 200 OK\r\nX-R: caf\u00e9\r\nContent-Length: 5\r\n\r\nhello' +
        'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nworld',
    );
    assert.deepEqual(
      s.log.map((e) => [e.method, e.url, e.routed]),
      [
        ['OPTIONS', 'http://api.test:8099/p', 'preflight'],
        ['OPTIONS', 'http://api.test:8099/p', 'response'],
        ['POST', 'http://api.test:8099/p', 'response'],
        ['OPTIONS', 'http://api.test:8099/nopre', 'preflight-405'],
        ['GET', 'http://api.test:8099/missing', '404'],
        ['GET', 'http://api.test:8099/nopre', 'response'],
      ],
    );
    assert.equal(s.log[2].bodyLength, 4);
  } finally {
    await s.close();
  }
});
