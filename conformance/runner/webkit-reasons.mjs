// WebKit prints a CORS failure as console text with no reason code (no
// enum like Chromium's CorsError, no key like Firefox's security.properties
// entries). The answer's `error` for WebKit is a stable key derived from
// the template of the first console line of the failure, the `message`:
// the templates below are the strings of WebCore and WebKit's network
// process (CrossOriginAccessControl.cpp, CrossOriginPreflightResultCache.cpp,
// NetworkLoadChecker.cpp, FetchLoader / DocumentThreadableLoader), as
// printed by WebKitGTK 2.50 and listed in conformance/webkit-findings.md.
//
// A redirect refused by the CORS check of the redirect response prints
// `Cross-origin redirection to <url> denied by Cross-Origin Resource
// Sharing policy: <reason>`; its key is `Redirect` + the key of <reason>
// (e.g. `RedirectOriginNotAllowed`), or `RedirectNonCorsScheme` /
// `RedirectUrlHasCredentials` for the two reasons only redirects have.

const ANY = '.*';

// [key, regular expression for a whole message]. `<o>` origin, `<n>` a
// status, `<m>` a method, `<h>` a header name, `<v>` a raw header value,
// `<url>` a URL: each matches anything, the rest is literal.
const REASONS = [
  ['OriginNotAllowed', `Origin ${ANY} is not allowed by Access-Control-Allow-Origin\\. Status code: \\d+`],
  ['MultipleAllowOrigin', 'Access-Control-Allow-Origin cannot contain more than one origin\\.'],
  ['WildcardOriginWithCredentials', 'Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true\\.'],
  ['AllowCredentialsNotTrue', 'Credentials flag is true, but Access-Control-Allow-Credentials is not "true"\\.'],
  ['PreflightNotSuccessful', 'Preflight response is not successful\\. Status code: \\d+'],
  ['MethodNotAllowed', `Method ${ANY} is not allowed by Access-Control-Allow-Methods\\.`],
  ['HeaderNotAllowed', `Request header field ${ANY} is not allowed by Access-Control-Allow-Headers\\.`],
  ['InvalidAllowMethods', `Header Access-Control-Allow-Methods has an invalid value: ${ANY}`],
  ['InvalidAllowHeaders', `Header Access-Control-Allow-Headers has an invalid value: ${ANY}`],
];

// Reasons only a redirect has (the text after "...Sharing policy: ").
const REDIRECT_ONLY = [
  ['RedirectNonCorsScheme', 'not allowed to follow a cross-origin CORS redirection with non CORS scheme'],
  ['RedirectUrlHasCredentials', `redirection URL ${ANY} has credentials`],
];

// Lines that are not a CORS check's reason.
const OTHERS = [
  // mode "same-origin" and the request (or a redirect) goes to another origin
  ['SameOriginModeCrossOrigin', `Unsafe attempt to load URL ${ANY} from origin ${ANY}\\. Domains, protocols and ports must match\\.\\n`],
  ['TooManyRedirects', 'Load cannot follow more than 20 redirections'],
  ['FtpDisabled', 'FTP URLs are disabled'],
  // The fetch's own JS line when no reason line came before it: mode
  // "same-origin" to another origin prints only `Fetch API cannot load <url>.`
  ['FetchCannotLoad', `Fetch API cannot load ${ANY}\\.`],
];

// Most specific first: "Fetch API cannot load X." would also match the
// "... due to access control checks." line, which is never a reason.
const ACCESS_CONTROL_CHECKS = /^Fetch API cannot load .* due to access control checks\.$/s;

const compile = (list) => list.map(([key, src]) => [key, new RegExp(`^${src}$`, 's')]);
const REASON_RES = compile(REASONS);
const REDIRECT_ONLY_RES = compile(REDIRECT_ONLY);
const OTHER_RES = compile(OTHERS);
const REDIRECT = /^Cross-origin redirection to (.*?) denied by Cross-Origin Resource Sharing policy: (.*)$/s;

function match(list, text) {
  for (const [key, re] of list) if (re.test(text)) return key;
  return null;
}

/**
 * The reason key of a WebKit console message (without its `CONSOLE ...`
 * prefix), or null when it matches no known template (the message is
 * still recorded; the runner reports the line).
 */
export function reasonKeyOfWebKitMessage(text) {
  if (typeof text !== 'string') return null;
  const r = REDIRECT.exec(text);
  if (r) {
    const inner = r[2];
    const own = match(REDIRECT_ONLY_RES, inner);
    if (own) return own;
    const key = match(REASON_RES, inner);
    return key ? `Redirect${key}` : null;
  }
  if (ACCESS_CONTROL_CHECKS.test(text)) return 'AccessControlChecks';
  return match(REASON_RES, text) ?? match(OTHER_RES, text);
}

/** Every key reasonKeyOfWebKitMessage can return, for tests and docs. */
export const WEBKIT_REASON_KEYS = [
  ...REASONS.map(([k]) => k),
  ...REASONS.map(([k]) => `Redirect${k}`),
  ...REDIRECT_ONLY.map(([k]) => k),
  ...OTHERS.map(([k]) => k),
  'AccessControlChecks',
];
