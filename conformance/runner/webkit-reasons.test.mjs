// Tests of the WebKit reason keys and console parsing on lines WebKitGTK
// 2.50.6 printed in the conformance corpus (answers/webkit.console.jsonl).
import test from 'node:test';
import assert from 'node:assert/strict';
import { reasonKeyOfWebKitMessage, WEBKIT_REASON_KEYS } from './webkit-reasons.mjs';
import { ConsoleStream, parseConsoleLine } from './webkit.mjs';

test('every reason template maps to its key', () => {
  const cases = [
    ['Origin http://app.test:8001 is not allowed by Access-Control-Allow-Origin. Status code: 204', 'OriginNotAllowed'],
    ['Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200', 'OriginNotAllowed'],
    ['Access-Control-Allow-Origin cannot contain more than one origin.', 'MultipleAllowOrigin'],
    ['Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.', 'WildcardOriginWithCredentials'],
    ['Credentials flag is true, but Access-Control-Allow-Credentials is not "true".', 'AllowCredentialsNotTrue'],
    ['Preflight response is not successful. Status code: 405', 'PreflightNotSuccessful'],
    ['Method patch is not allowed by Access-Control-Allow-Methods.', 'MethodNotAllowed'],
    ['Request header field X-Api-Key is not allowed by Access-Control-Allow-Headers.', 'HeaderNotAllowed'],
    ['Header Access-Control-Allow-Methods has an invalid value: PUT, Bad method', 'InvalidAllowMethods'],
    ['Header Access-Control-Allow-Headers has an invalid value: x-caf\u00e9', 'InvalidAllowHeaders'],
    [
      'Cross-origin redirection to http://other.test:8003/b denied by Cross-Origin Resource Sharing policy: Origin http://app.test:8001 is not allowed by Access-Control-Allow-Origin. Status code: 302',
      'RedirectOriginNotAllowed',
    ],
    [
      'Cross-origin redirection to http://api.test:8002/b denied by Cross-Origin Resource Sharing policy: Credentials flag is true, but Access-Control-Allow-Credentials is not "true".',
      'RedirectAllowCredentialsNotTrue',
    ],
    [
      'Cross-origin redirection to data:text/plain,hello denied by Cross-Origin Resource Sharing policy: not allowed to follow a cross-origin CORS redirection with non CORS scheme',
      'RedirectNonCorsScheme',
    ],
    [
      'Cross-origin redirection to http://user:pass@api.test:8002/b denied by Cross-Origin Resource Sharing policy: redirection URL http://user:pass@api.test:8002/b has credentials',
      'RedirectUrlHasCredentials',
    ],
    [
      'Unsafe attempt to load URL http://api.test:8002/x from origin http://app.test:8001. Domains, protocols and ports must match.\n',
      'SameOriginModeCrossOrigin',
    ],
    ['Load cannot follow more than 20 redirections', 'TooManyRedirects'],
    ['FTP URLs are disabled', 'FtpDisabled'],
    ['Fetch API cannot load http://api.test:8002/x.', 'FetchCannotLoad'],
    ['Fetch API cannot load http://api.test:8002/x due to access control checks.', 'AccessControlChecks'],
  ];
  for (const [text, key] of cases) {
    assert.equal(reasonKeyOfWebKitMessage(text), key, text);
    assert.ok(WEBKIT_REASON_KEYS.includes(key), key);
  }
});

test('unknown text, a wrong trailing byte, and non-strings have no key', () => {
  assert.equal(reasonKeyOfWebKitMessage('Something new.'), null);
  // The same-origin line really ends with a newline; without it, it is not that template.
  assert.equal(reasonKeyOfWebKitMessage('Unsafe attempt to load URL http://a.test/ from origin http://b.test. Domains, protocols and ports must match.'), null);
  assert.equal(reasonKeyOfWebKitMessage('Preflight response is not successful. Status code: abc'), null);
  assert.equal(reasonKeyOfWebKitMessage('Cross-origin redirection to http://x.test/ denied by Cross-Origin Resource Sharing policy: something new'), null);
  assert.equal(reasonKeyOfWebKitMessage(null), null);
});

test('console records are parsed with their source and level', () => {
  assert.deepEqual(parseConsoleLine('CONSOLE SECURITY ERROR Preflight response is not successful. Status code: 405'), {
    url: null,
    source: 'SECURITY',
    type: null,
    level: 'ERROR',
    text: 'Preflight response is not successful. Status code: 405',
  });
  assert.deepEqual(parseConsoleLine('CONSOLE LOG corsica-begin-1-1'), { url: null, source: null, type: null, level: 'LOG', text: 'corsica-begin-1-1' });
  assert.equal(parseConsoleLine('http://app.test:8001/p.html:3:9: CONSOLE JS ERROR boom').url, 'http://app.test:8001/p.html');
  assert.equal(parseConsoleLine('(process:12): Gtk-WARNING **: 04:30:23.216: Locale not supported by C library.'), null);
});

test('the stream keeps multi-line texts, a trailing newline, and drops GLib noise', () => {
  const sink = [];
  const s = new ConsoleStream();
  s.setSink(sink);
  // One write per record, as WTFLogAlways does; chunks may split lines.
  s.push('CONSOLE LOG corsica-begin-1-1\nCONSOLE SECURITY ERROR Unsafe attempt to load URL http://a.test/ from origin http://b.test. Domains, protocols and ports must match.\n\n');
  s.push('CONSOLE JS ERROR Fetch API cannot load http://a.test/ due to access control ');
  s.push('checks.\nCONSOLE JS ERROR two\nlines\n');
  s.push('\n(process:12): Gtk-WARNING **: noise\n');
  const logs = sink.filter((e) => e.kind === 'log').map((e) => e.text);
  assert.deepEqual(logs, [
    'corsica-begin-1-1',
    'Unsafe attempt to load URL http://a.test/ from origin http://b.test. Domains, protocols and ports must match.\n',
    'Fetch API cannot load http://a.test/ due to access control checks.',
    'two\nlines',
  ]);
  assert.equal(sink.filter((e) => e.kind === 'raw').length, 4);
  assert.ok(s.other.some((l) => l.includes('Gtk-WARNING')));
});
