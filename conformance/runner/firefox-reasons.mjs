// Firefox prints CORS failures as console text built from the templates of
// dom/locales/en-US/chrome/security/security.properties. The answer's
// `error` for Firefox is the template's key, named by its MDN slug (the
// version digits of keys like CORSDidNotSucceed2 dropped), recovered from
// the message text by matching these templates.

// Each entry: [key, regular expression for the text after the common prefix].
// `%1$S` (the URL) and `%2$S` (a parameter) match anything.
const ANY = '.*';
const TEMPLATES = [
  ['CORSDisabled', /^\(Reason: CORS disabled\)\.$/],
  ['CORSDidNotSucceed', new RegExp(`^\\(Reason: CORS request did not succeed\\)\\. Status code: ${ANY}\\.$`)],
  ['CORSOriginHeaderNotAdded', /^\(Reason: CORS header ‘Origin’ cannot be added\)\.$/],
  ['CORSExternalRedirectNotAllowed', /^\(Reason: CORS request external redirect not allowed\)\.$/],
  ['CORSRequestNotHttp', /^\(Reason: CORS request not http\)\.$/],
  ['CORSMissingAllowOrigin', new RegExp(`^\\(Reason: CORS header ‘Access-Control-Allow-Origin’ missing\\)\\. Status code: ${ANY}\\.$`)],
  ['CORSMultipleAllowOriginNotAllowed', /^\(Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed\)\.$/],
  ['CORSAllowOriginNotMatchingOrigin', new RegExp(`^\\(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘${ANY}’\\)\\.$`, 's')],
  ['CORSNotSupportingCredentials', /^\(Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘\*’\)\.$/],
  ['CORSMethodNotFound', /^\(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’\)\.$/],
  ['CORSMissingAllowCredentials', /^\(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’\)\.$/],
  ['CORSPreflightDidNotSucceed', new RegExp(`^\\(Reason: CORS preflight response did not succeed\\)\\. Status code: ${ANY}\\.$`)],
  ['CORSInvalidAllowMethod', new RegExp(`^\\(Reason: invalid token ‘${ANY}’ in CORS header ‘Access-Control-Allow-Methods’\\)\\.$`, 's')],
  ['CORSInvalidAllowHeader', new RegExp(`^\\(Reason: invalid token ‘${ANY}’ in CORS header ‘Access-Control-Allow-Headers’\\)\\.$`, 's')],
  [
    'CORSMissingAllowHeaderFromPreflight',
    new RegExp(`^\\(Reason: header ‘${ANY}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response\\)\\.$`, 's'),
  ],
];

const BLOCKED_PREFIX = /^Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at (.*?)\. (\(Reason: .*)$/s;

/** Whether a console line is a Firefox CORS failure line ("Cross-Origin Request Blocked: ..."). */
export function isFirefoxCorsLine(text) {
  return BLOCKED_PREFIX.test(text);
}

/**
 * The reason key (MDN slug) of a Firefox CORS console line, or null when the
 * text matches no template (then the raw line is still recorded as message).
 */
export function reasonKeyOfFirefoxMessage(text) {
  const m = BLOCKED_PREFIX.exec(text);
  if (!m) return null;
  const reason = m[2];
  for (const [key, re] of TEMPLATES) {
    if (re.test(reason)) return key;
  }
  return null;
}
