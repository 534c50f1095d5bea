// How every corsica test launches Debian's Chromium and Firefox ESR: one
// configuration, a real user's browser minus its background traffic, so the
// conformance runner, the corsica-tower end-to-end test and the gateway's
// playground test all see the same browsers.
//
// puppeteer-core is passed in, not imported, so that a caller can report
// it missing in its own words (it lives in conformance/node_modules).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the Debian packages install the browsers. */
export const EXECUTABLES = { chrome: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };

/** The Debian package that provides each browser. */
export const PACKAGES = { chrome: 'chromium', firefox: 'firefox-esr' };

/** Chromium's flags: no QUIC, no background or speculative traffic, `*.test` on loopback. */
export const chromeArgs = (userDataDir) => [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--no-default-browser-check',
  '--no-pings',
  '--host-resolver-rules=MAP *.test 127.0.0.1',
  // Keep http:// as written: no HTTPS-Upgrades / HTTPS-First, no preloading.
  '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForTypicallySecureUsers,HttpsFirstModeIncognito,NetworkPrediction,NoStatePrefetch,Prerender2',
  `--user-data-dir=${userDataDir}`,
];

/** Firefox's preferences, the same intent; `hosts` are names that resolve to 127.0.0.1. */
export function firefoxPrefs(hosts = []) {
  return {
    'network.dns.localDomains': hosts.join(','),
    'network.proxy.type': 0,
    'network.proxy.no_proxies_on': '',
    // Keep http:// as written.
    'dom.security.https_first': false,
    'dom.security.https_first_pbm': false,
    'dom.security.https_first_schemeless': false,
    'dom.security.https_only_mode': false,
    'dom.security.https_only_mode_pbm': false,
    'network.stricttransportsecurity.preloadlist': false,
    // No speculative or background traffic.
    'network.http.speculative-parallel-limit': 0,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.server': '',
    'toolkit.telemetry.archive.enabled': false,
    'app.update.enabled': false,
    'app.update.auto': false,
    'browser.ping-centre.telemetry': false,
    'extensions.blocklist.enabled': false,
    'network.trr.mode': 5,
  };
}

/**
 * Launches `which` ('chrome' or 'firefox') headless with puppeteer-core.
 * Returns `{ browser, cleanup }`; call `cleanup` after closing the browser
 * (it removes Chromium's temporary profile).
 */
export async function launchBrowser(puppeteer, which, { hosts = [], tag = 'corsica' } = {}) {
  if (which === 'chrome') {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-chrome-`));
    const browser = await puppeteer.launch({
      browser: 'chrome',
      executablePath: EXECUTABLES.chrome,
      headless: true,
      args: chromeArgs(userDataDir),
      protocolTimeout: 60000,
    });
    return { browser, cleanup: () => fs.rmSync(userDataDir, { recursive: true, force: true }) };
  }
  if (which !== 'firefox') throw new Error(`launchBrowser: unknown browser ${which}`);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: EXECUTABLES.firefox,
    protocol: 'webDriverBiDi',
    headless: true,
    extraPrefsFirefox: firefoxPrefs(hosts),
    protocolTimeout: 60000,
  });
  return { browser, cleanup: () => {} };
}

/**
 * Collects the console's error lines of `page` (Chromium through CDP's
 * `Log` domain, Firefox through WebDriver BiDi's log entries of its
 * browsing context). Returns `{ lines, detach }`.
 */
export async function collectConsoleErrors(page, which) {
  const lines = [];
  if (which === 'chrome') {
    const cdp = await page.createCDPSession();
    cdp.on('Log.entryAdded', (e) => e.entry.level === 'error' && lines.push(e.entry.text));
    await cdp.send('Log.enable');
    return { lines, detach: () => cdp.detach().catch(() => {}) };
  }
  const bc = page.mainFrame().browsingContext;
  const onLog = ({ entry }) => entry.level === 'error' && lines.push(entry.text ?? '');
  bc.on('log', onLog);
  return { lines, detach: async () => bc.off('log', onLog) };
}
