// Tests of the Firefox reason-key matcher on lines Firefox ESR 153 printed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { isFirefoxCorsLine, reasonKeyOfFirefoxMessage } from './firefox-reasons.mjs';

const P = 'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test:8002/x. ';

test('every reason template maps to its MDN slug', () => {
  const cases = [
    ['(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 405.', 'CORSMissingAllowOrigin'],
    ['(Reason: CORS request did not succeed). Status code: (null).', 'CORSDidNotSucceed'],
    ['(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘http://app.test:9000’).', 'CORSAllowOriginNotMatchingOrigin'],
    ['(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘’).', 'CORSAllowOriginNotMatchingOrigin'],
    ['(Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).', 'CORSMultipleAllowOriginNotAllowed'],
    ['(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).', 'CORSMethodNotFound'],
    ['(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).', 'CORSMissingAllowCredentials'],
    ['(Reason: CORS preflight response did not succeed). Status code: 500.', 'CORSPreflightDidNotSucceed'],
    ['(Reason: invalid token ‘Bad method’ in CORS header ‘Access-Control-Allow-Methods’).', 'CORSInvalidAllowMethod'],
    ['(Reason: invalid token ‘a b’ in CORS header ‘Access-Control-Allow-Headers’).', 'CORSInvalidAllowHeader'],
    [
      '(Reason: header ‘x-api-key’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).',
      'CORSMissingAllowHeaderFromPreflight',
    ],
    ['(Reason: CORS request external redirect not allowed).', 'CORSExternalRedirectNotAllowed'],
    ['(Reason: CORS request not http).', 'CORSRequestNotHttp'],
    ['(Reason: CORS disabled).', 'CORSDisabled'],
    ['(Reason: CORS header ‘Origin’ cannot be added).', 'CORSOriginHeaderNotAdded'],
  ];
  for (const [reason, key] of cases) {
    assert.ok(isFirefoxCorsLine(P + reason), reason);
    assert.equal(reasonKeyOfFirefoxMessage(P + reason), key, reason);
  }
});

test('the credentials template quotes the URL', () => {
  const line =
    'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘http://api.test:8002/me’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).';
  assert.equal(reasonKeyOfFirefoxMessage(line), 'CORSNotSupportingCredentials');
});

test('other lines are not CORS lines and have no key', () => {
  const sec = 'Security Error: Content at http://app.test:8001/__corsica__/page.html may not load data from http://api.test:8002/x.';
  assert.equal(isFirefoxCorsLine(sec), false);
  assert.equal(reasonKeyOfFirefoxMessage(sec), null);
  assert.equal(reasonKeyOfFirefoxMessage(P + '(Reason: something new).'), null);
});
