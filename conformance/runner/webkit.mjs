// WebKit (WebKitGTK) for the conformance runner: W3C WebDriver over HTTP
// (WebKitWebDriver, Debian package webkit2gtk-driver), a browser of the
// runner's own (webkit-browser.py) under Xvfb, console lines read from the
// standard error of the driver's process tree. See conformance/README.md,
// "WebKit".
//
// Isolation: every case gets a new WebDriver session, that is a new browser
// process (new network process, new web process, new data folder), so the
// preflight cache, the HTTP cache and cookies start empty. Starting a
// browser takes about half a second, so several drivers ("slots") prepare
// the next cases' sessions while the current case plays.
//
// Attribution of console lines: WebCore prints each console message as one
// `CONSOLE <SOURCE> <LEVEL> <text>` record on the web process's standard
// error. The runner logs a marker (`console.log`) before each fetch and
// another after it settled; the lines between the two markers are the
// fetch's. Each slot has its own driver process and so its own stream.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_PATH } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BROWSER_SHIM = path.join(here, 'webkit-browser.py');
const TRACE = process.env.CORSICA_WEBKIT_TRACE === '1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------ console lines

const SOURCES = 'XML|JS|NETWORK|CONSOLEAPI|STORAGE|APPCACHE|RENDERING|CSS|SECURITY|CONTENTBLOCKER|MEDIA|MEDIASOURCE|WEBRTC|ITPDEBUG|ADCLICKATTRIBUTION|PRIVATECLICKMEASUREMENT|PAYMENTREQUEST|OTHER';
const TYPES = 'CLEAR|DIR|DIRXML|TABLE|TRACE|STARTGROUP|STARTGROUPCOLLAPSED|ENDGROUP|ASSERT|TIMING|PROFILE|PROFILEEND|IMAGE';
const LEVELS = 'LOG|DEBUG|INFO|WARN|ERROR';
// JavaScriptCore's ConsoleClient::printConsoleMessage: an optional
// `url:line:column: ` (when the message has a source URL), `CONSOLE`, then
// the source, type and level words that apply, a space, the text.
const RECORD = new RegExp(`^(?:(\\S+):(\\d+):(\\d+): )?CONSOLE(?: (${SOURCES}))?(?: (${TYPES}))?(?: (${LEVELS}))? (.*)$`, 's');

/**
 * Parses the first line of a WebKit console record; null when the line is
 * not one (a GLib warning, or a continuation line of a multi-line message).
 */
export function parseConsoleLine(line) {
  const m = RECORD.exec(line);
  if (!m) return null;
  return {
    url: m[1] ?? null,
    source: m[4] ?? null,
    type: m[5] ?? null,
    level: m[6] ?? null,
    text: m[7],
  };
}

// A GLib/GTK log line on the same stream ("(process:123): Gtk-WARNING **: ...").
const GLIB_LINE = /^\((?:[^():]+):\d+\): |^\s+Using the fallback/;

/**
 * Splits one process tree's standard error into console records.
 *
 * WTFLogAlways writes a record as its text plus one newline, in one write.
 * Lines that follow a record and are not GLib noise are continuation lines
 * of that record's text (a message with newlines); an empty line in the
 * same chunk right after a record is a newline that ends the text (a
 * message ending in "\n", such as "Unsafe attempt to load URL ...").
 * While a fetch plays, the raw chunks are kept too ({kind: 'raw'}).
 */
export class ConsoleStream {
  constructor() {
    this.partial = '';
    this.sink = null; // array receiving {kind:'log', ...} and {kind:'raw'} entries, or null
    this.last = null;
    this.other = [];
  }

  setSink(sink) {
    this.sink = sink;
    this.last = null;
  }

  push(chunk) {
    if (this.sink) this.sink.push({ kind: 'raw', text: chunk, t: Date.now() });
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop();
    let inChunk = null; // the record whose line came in this chunk
    for (const line of lines) inChunk = this.#line(line, inChunk);
  }

  #line(line, inChunk) {
    const rec = parseConsoleLine(line);
    if (rec) {
      this.last = { kind: 'log', ...rec, t: Date.now() };
      if (this.sink) this.sink.push(this.last);
      else this.#other(line);
      return this.last;
    }
    if (line === '' && inChunk && inChunk === this.last) {
      this.last.text += '\n';
      return inChunk;
    }
    if (this.last && line !== '' && !GLIB_LINE.test(line)) {
      this.last.text += `\n${line}`;
      return this.last;
    }
    this.last = null;
    this.#other(line);
    return null;
  }

  #other(line) {
    this.other.push(line);
    if (this.other.length > 200) this.other.splice(0, 100);
  }
}

// ---------------------------------------------------------------- namespace

/** The address added to lo so that getaddrinfo(AI_ADDRCONFIG) answers IPv4 (see README). */
const ADDRCONFIG_ADDRESS = '10.254.254.1/32';

/**
 * Re-runs this process inside a network and mount namespace of its own,
 * where /etc/hosts maps every host name of the cases to 127.0.0.1 (WebKit
 * resolves through the system resolver; it has no host-resolver rules).
 * Returns the child's exit code. Needs root (unshare).
 */
export function reexecInNamespace(hosts, argv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corsica-webkit-ns-'));
  const hostsFile = path.join(dir, 'hosts');
  fs.writeFileSync(hostsFile, `127.0.0.1 localhost\n::1 localhost\n127.0.0.1 ${hosts.join(' ')}\n`);
  // getaddrinfo with AI_ADDRCONFIG (GLib's resolver asks for IPv4 and IPv6
  // separately, with that flag) returns nothing for IPv4 when no
  // non-loopback IPv4 address is configured: give lo one more address.
  const script = `mount --bind "$0" /etc/hosts && ip link set lo up && ip addr add ${ADDRCONFIG_ADDRESS} dev lo && exec "$@"`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-n', '-m', '--', 'sh', '-c', script, hostsFile, process.execPath, ...argv], {
      stdio: 'inherit',
      env: { ...process.env, CORSICA_WEBKIT_NAMESPACE: '1' },
    });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => {
      process.stderr.write(`run.mjs: cannot start unshare (WebKit needs its own network and mount namespace; run as root): ${e.message}\n`);
      resolve(2);
    });
    child.on('exit', (code, signal) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export const inWebKitNamespace = () => process.env.CORSICA_WEBKIT_NAMESPACE === '1';

// ---------------------------------------------------------------- WebDriver

class WebDriverError extends Error {}

/** One WebKitWebDriver process, its console stream and at most one session at a time. */
class Slot {
  constructor(index, port, display) {
    this.index = index;
    this.port = port;
    this.display = display;
    this.stream = new ConsoleStream();
    this.queue = Promise.resolve();
  }

  async start() {
    // A process group of its own, so that a restart ends the driver and
    // every browser it launched.
    this.proc = spawn('WebKitWebDriver', [`--port=${this.port}`], {
      env: { ...process.env, DISPLAY: this.display, WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = false;
    const proc = this.proc;
    this.exitedPromise = new Promise((resolve) =>
      proc.on('exit', () => {
        if (this.proc === proc) this.exited = true;
        resolve();
      }),
    );
    this.proc.stdout.setEncoding('utf8');
    this.proc.stderr.setEncoding('utf8');
    // Console records come on standard error (WTFLogAlways); standard
    // output is kept apart so that its bytes never split a record.
    this.stdout = new ConsoleStream();
    this.proc.stdout.on('data', (d) => this.stdout.push(d));
    this.proc.stderr.on('data', (d) => this.stream.push(d));
    const deadline = Date.now() + 10000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/status`);
        if (r.ok) return;
      } catch {
        /* not listening yet */
      }
      if (this.exited) throw new Error(`WebKitWebDriver (port ${this.port}) exited at start`);
      if (Date.now() > deadline) throw new Error(`WebKitWebDriver (port ${this.port}) did not answer /status within 10 s`);
      await sleep(50);
    }
  }

  /** One WebDriver command; `timeoutMs` bounds the whole HTTP exchange. */
  async cmd(method, route, body, timeoutMs = 90000) {
    const t0 = Date.now();
    try {
      return await this.#cmd(method, route, body, timeoutMs);
    } finally {
      if (TRACE) process.stderr.write(`webkit.mjs: slot ${this.index} ${method} ${route.replace(/[0-9a-f-]{36}/, 'S')} ${Date.now() - t0} ms\n`);
    }
  }

  async #cmd(method, route, body, timeoutMs) {
    const r = await fetch(`http://127.0.0.1:${this.port}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json; charset=utf-8' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const j = await r.json().catch(() => ({ value: { error: 'bad json', message: `HTTP ${r.status}` } }));
    if (!r.ok || (j.value && j.value.error)) {
      throw new WebDriverError(`WebDriver ${method} ${route}: ${j.value?.error}: ${j.value?.message}`);
    }
    return j.value;
  }

  /** Runs `f` after everything queued on this slot. */
  enqueue(f) {
    const p = this.queue.then(f);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Ends the driver and every browser it started (its process group). */
  async kill() {
    if (!this.proc) return;
    try {
      process.kill(-this.proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await Promise.race([this.exitedPromise, sleep(5000)]);
  }

  /**
   * A fresh driver on the same port after a command failed or hung (the
   * driver may still count a half-created session, or a browser may hang
   * starting on a loaded machine).
   */
  async restart(reason) {
    process.stderr.write(`webkit.mjs: restarting WebKitWebDriver on port ${this.port}: ${reason}\n`);
    await this.kill();
    this.stream = new ConsoleStream();
    await this.start();
  }
}

const END_WAIT_MS = 3000;
// Generous: on a heavily loaded 2-core machine (load average 40+) starting a
// browser took minutes.
const SESSION_TIMEOUT_MS = 180000;
const NAVIGATION_TIMEOUT_MS = 60000;
const DELETE_TIMEOUT_MS = 30000;

export class WebKitDriver {
  name = 'webkit';

  constructor(opts) {
    this.sessions = Math.max(1, opts.sessions ?? 3);
    // Cases i+1 .. i+sessions-1 are opened while case i plays.
    this.prefetch = this.sessions - 1;
    this.pageFetchSource = opts.pageFetchSource;
    this.reasonKey = opts.reasonKey;
    this.opened = 0;
    this.markers = 0;
  }

  async launch() {
    // Xvfb picks a free display itself (-displayfd) and tells it on stdout.
    this.xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let xerr = '';
    this.xvfb.stderr.on('data', (d) => (xerr += d));
    const display = await new Promise((resolve, reject) => {
      let out = '';
      this.xvfb.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      this.xvfb.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${xerr.trim().split('\n').slice(-3).join(' | ')}`)));
    });
    this.display = display;
    this.slots = [];
    for (let i = 0; i < this.sessions; i++) this.slots.push(new Slot(i, 4444 + i, display));
    await Promise.all(this.slots.map((s) => s.start()));
    // Version: WebKitGTK's own (the browser reports it as its version) and
    // Debian's package version, when dpkg knows it.
    const probe = await this.#newSession(this.slots[0]);
    await this.slots[0].cmd('DELETE', `/session/${probe.sessionId}`);
    let pkg = null;
    try {
      pkg = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).trim();
    } catch {
      /* not Debian */
    }
    this.version = `WebKitGTK ${probe.capabilities.browserVersion}${pkg ? ` (Debian ${pkg})` : ''}`;
  }

  async close() {
    await Promise.all((this.slots ?? []).map((s) => s.kill()));
    if (this.xvfb) this.xvfb.kill('SIGTERM');
  }

  async #newSession(slot) {
    return slot.cmd(
      'POST',
      '/session',
      {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary: '/usr/bin/python3', args: [BROWSER_SHIM] },
          timeouts: { script: 60000, pageLoad: 30000, implicit: 0 },
        },
      },
      },
      SESSION_TIMEOUT_MS,
    );
  }

  /**
   * A new session (a fresh browser process) on the next slot, its page at
   * `origin`. Sessions are handed out in call order, slot after slot.
   */
  openCase(origin) {
    const slot = this.slots[this.opened++ % this.slots.length];
    return slot.enqueue(async () => {
      // Nothing of the case has run yet: on a failure the slot's driver is
      // restarted and the session opened again (at most three times).
      let id;
      for (let attempt = 1; ; attempt++) {
        try {
          id = (await this.#newSession(slot)).sessionId;
          await slot.cmd('POST', `/session/${id}/url`, { url: origin + PAGE_PATH }, NAVIGATION_TIMEOUT_MS);
          break;
        } catch (e) {
          if (attempt >= 3) throw e;
          await slot.restart(`opening a session failed (attempt ${attempt}): ${e.message}`);
        }
      }
      const events = [];
      const session = {
        slot,
        id,
        events,
        stray: [],
        page: { evaluate: (fn, arg) => this.#evaluate(session, arg) },
        close: () => this.#closeSession(session),
      };
      return session;
    });
  }

  async #marker(session, kind) {
    const token = `corsica-${kind}-${process.pid}-${++this.markers}`;
    await session.slot.cmd('POST', `/session/${session.id}/execute/sync`, { script: `console.log(${JSON.stringify(token)});`, args: [] });
    return token;
  }

  /** Runs one fetch (run.mjs's pageFetch) between two console markers. */
  async #evaluate(session, arg) {
    const { slot } = session;
    // The stream feeds this case's events only while it plays.
    slot.stream.setSink(session.events);
    session.begin = await this.#marker(session, 'begin');
    const script =
      `const done = arguments[arguments.length - 1];\n` +
      `(${this.pageFetchSource})(arguments[0]).then(done, (e) => done({ settled: 'runner-error', errorName: e && e.name, errorMessage: String(e) }));`;
    const result = await slot.cmd('POST', `/session/${session.id}/execute/async`, { script, args: [arg] });
    if (result && result.settled === 'runner-error') throw new Error(`page script failed: ${result.errorMessage}`);
    return result;
  }

  /**
   * Waits for the console lines of a fetch that just settled, then logs the
   * end marker and waits until it came through the stream.
   */
  async settle(session, result, sent) {
    const ev = session.events;
    const beginAt = () => ev.findIndex((e) => e.kind === 'log' && e.text === session.begin);
    if (result.settled === 'rejected') {
      // A blocked fetch prints its reason line(s) and, last, the JS line
      // "Fetch API cannot load ...". A fetch that threw before sending
      // prints nothing.
      const deadline = Date.now() + (sent.length === 0 ? 100 : 800);
      while (Date.now() < deadline) {
        const b = beginAt();
        if (b >= 0 && ev.slice(b + 1).some((e) => e.level === 'ERROR' && e.source === 'JS')) break;
        await sleep(10);
      }
    }
    // Quiet period: a later line would come now.
    await sleep(30);
    session.end = await this.#marker(session, 'end');
    const deadline = Date.now() + END_WAIT_MS;
    while (!ev.some((e) => e.kind === 'log' && e.text === session.end)) {
      if (Date.now() > deadline) {
        throw new Error(
          `end marker not seen on the standard error of WebKitWebDriver's process tree within ${END_WAIT_MS} ms ` +
            '(does this WebKit print console messages with enable-write-console-messages-to-stdout?)',
        );
      }
      await sleep(5);
    }
  }

  /** error and message from the console lines between the markers. */
  diagnose(session) {
    const ev = session.events;
    const b = ev.findIndex((x) => x.kind === 'log' && x.text === session.begin);
    const e = ev.findIndex((x) => x.kind === 'log' && x.text === session.end);
    const before = b > 0 ? ev.slice(0, b).filter((x) => x.kind === 'log') : [];
    for (const s of before) session.stray.push(s);
    const lines = b >= 0 && e > b ? ev.slice(b + 1, e).filter((x) => x.kind === 'log') : [];
    // message: the first error-level line of the fetch, without its
    // `CONSOLE <SOURCE> ERROR ` prefix. error: its reason key.
    const first = lines.find((l) => l.level === 'ERROR');
    const message = first ? first.text : null;
    const error = first ? this.reasonKey(first.text) : null;
    return {
      error,
      message,
      consoleLines: lines.map((l) => ({ source: l.source, level: l.level, text: l.text })),
      strayLines: before.map((l) => ({ source: l.source, level: l.level, text: l.text })),
      // The bytes of the stream while the fetch played (markers included).
      raw: ev.filter((x) => x.kind === 'raw').map((x) => x.text).join(''),
    };
  }

  async #closeSession(session) {
    const { slot } = session;
    if (slot.stream.sink === session.events) slot.stream.setSink(null);
    // Deleting the session ends the browser process; queued on the slot so
    // that the slot's next session starts after it. A driver that cannot
    // delete it is restarted (which ends that browser too).
    return slot.enqueue(() =>
      slot.cmd('DELETE', `/session/${session.id}`, undefined, DELETE_TIMEOUT_MS).catch((e) => slot.restart(`deleting a session failed: ${e.message}`)),
    );
  }
}
