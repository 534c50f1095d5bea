// The corsica playground. Plain JavaScript, no build step: the gateway
// embeds this file as it is.
//
// A run: POST /api/prepare (same origin as this page) checks the policy,
// makes the run's URLs on the API's origin and returns the engine's
// prediction; the page then fetch()es those URLs for real, asks
// /api/observed what the gateway received and answered, and shows both
// sides, with a verdict: does the prediction match what the browser did?

const $ = (id) => document.getElementById(id);
const CORS_HEADER = /^(origin|access-control-|vary$|corsica-rejection$)/i;

const state = { presets: [], preset: null, page: '', api: '', before: [] };

function browserName() {
  return /firefox/i.test(navigator.userAgent) ? 'firefox' : 'chrome';
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// ---------------------------------------------------------------- setup

function headerRow(name = '', value = '') {
  const row = el('div', { class: 'header-row' });
  const n = el('input', { placeholder: 'header name', 'aria-label': 'header name', spellcheck: 'false' });
  const v = el('input', { placeholder: 'value', 'aria-label': 'header value', spellcheck: 'false' });
  n.value = name;
  v.value = value;
  const x = el('button', { type: 'button', 'aria-label': 'remove header', text: '×' });
  x.onclick = () => row.remove();
  row.append(n, v, x);
  $('headers').append(row);
}

function setStep(step) {
  $('method').value = step.method;
  $('path').value = step.path;
  $('credentials').value = step.credentials || 'same-origin';
  $('mode').value = step.mode || 'cors';
  $('body').value = step.body ?? '';
  $('headers').replaceChildren();
  for (const [n, v] of step.headers || []) headerRow(n, v);
}

function readStep() {
  const headers = [];
  for (const row of $('headers').querySelectorAll('.header-row')) {
    const [n, v] = row.querySelectorAll('input');
    if (n.value.trim()) headers.push([n.value.trim(), v.value]);
  }
  const body = $('body').value;
  return {
    method: $('method').value.trim() || 'GET',
    path: $('path').value.trim() || '/',
    headers,
    credentials: $('credentials').value,
    mode: $('mode').value,
    body: body === '' ? null : body,
  };
}

function setTarget(kind) {
  $('target-preset').checked = kind === 'preset';
  $('target-policy').checked = kind === 'policy';
  $('target-preset').disabled = !(state.preset && state.preset.kind === 'server');
  $('policy').disabled = kind !== 'policy';
}

function choosePreset(id) {
  const p = state.presets.find((x) => x.id === id);
  state.preset = p;
  $('mistake').textContent = p.mistake;
  $('snippet').hidden = !p.snippet;
  $('snippet').textContent = p.snippet || '';
  const steps = p.steps;
  state.before = steps.slice(0, -1);
  setStep(steps[steps.length - 1]);
  showBefore();
  if (p.kind === 'server') {
    $('policy').value = p.fix_policy;
    setTarget('preset');
  } else {
    $('policy').value = p.policy;
    setTarget('policy');
  }
  $('fix').hidden = !p.fix_policy;
  $('result').dataset.state = 'idle';
}

function showBefore() {
  $('before').hidden = state.before.length === 0;
  $('before').textContent = state.before
    .map((s) => `First: fetch('${s.path}', {mode: '${s.mode}'}) (it fills the browser's cache).`)
    .join(' ');
}

function fixIt() {
  const p = state.preset;
  $('policy').value = p.fix_policy;
  if (p.fix_steps) {
    state.before = p.fix_steps.slice(0, -1);
    setStep(p.fix_steps[p.fix_steps.length - 1]);
    showBefore();
  }
  setTarget('policy');
}

// ------------------------------------------------------------------ run

async function browserFetch(url, step) {
  const init = { method: step.method, headers: step.headers, credentials: step.credentials, mode: step.mode };
  if (step.body != null) init.body = step.body;
  try {
    const r = await fetch(url, init);
    const text = await r.text();
    return {
      outcome: 'readable',
      status: r.status,
      type: r.type,
      exposed: [...r.headers.keys()].map((k) => k.toLowerCase()).sort(),
      requestId: r.headers.get('x-request-id'),
      body: text.slice(0, 300),
    };
  } catch (e) {
    return { outcome: 'blocked', error: `${e.name}: ${e.message}` };
  }
}

async function run() {
  const result = $('result');
  result.dataset.state = 'running';
  $('check').hidden = true;
  $('warnings').hidden = true;
  $('verdict').hidden = true;
  $('columns').hidden = true;
  const main = readStep();
  const steps = [...state.before, main];
  const target = $('target-preset').checked ? { preset: state.preset.id } : { policy: $('policy').value };
  let prep;
  try {
    const r = await fetch('/api/prepare', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ target, steps, browser: browserName() }),
    });
    prep = await r.json();
    if (prep.error) throw new Error(prep.error);
  } catch (e) {
    result.dataset.state = 'error';
    $('verdict').hidden = false;
    $('verdict').dataset.agree = 'false';
    $('verdict').textContent = `The run could not be prepared: ${e.message}`;
    return;
  }
  if (!prep.ok) {
    showCheck(prep.check);
    result.dataset.state = 'refused';
    return;
  }
  if (prep.check.warnings.length) {
    $('warnings').hidden = false;
    $('warnings').textContent = prep.check.warnings.map((w) => `warning[${w.code}]: ${w.message}`).join('\n');
  }
  const seen = [];
  for (let i = 0; i < steps.length; i++) seen.push(await browserFetch(prep.urls[i], steps[i]));
  let observed = [];
  try {
    observed = (await (await fetch(`/api/observed?run=${prep.run}`)).json()).exchanges;
  } catch {
    observed = [];
  }
  render(prep, steps, seen, observed);
  result.dataset.state = 'done';
}

function showCheck(check) {
  $('check').hidden = false;
  $('check-errors').replaceChildren(
    ...check.errors.map((e) =>
      el('li', { 'data-code': e.code }, el('code', { text: `error[${e.code}]` }), ` ${e.message}`),
    ),
  );
}

// --------------------------------------------------------------- render

function headerList(pairs) {
  const box = el('div', { class: 'headers' });
  const cors = pairs.filter(([n]) => CORS_HEADER.test(n));
  const other = pairs.filter(([n]) => !CORS_HEADER.test(n));
  for (const [n, v] of cors) box.append(el('div', { class: 'cors', text: `${n}: ${v}` }));
  if (other.length) {
    const d = el('details', {}, el('summary', { text: `${other.length} other header${other.length > 1 ? 's' : ''}` }));
    for (const [n, v] of other) d.append(el('div', { text: `${n}: ${v}` }));
    box.append(d);
  }
  if (!pairs.length) box.append(el('div', { class: 'script', text: '(no headers)' }));
  return box;
}

function arrow(dir, label, pairs, failed = false) {
  return el(
    'div',
    { class: `arrow ${dir}${failed ? ' failed' : ''}` },
    el('div', { class: 'label', text: label }),
    el('div', { class: 'line' }),
    headerList(pairs),
  );
}

function diagram(exchanges, blockedAt) {
  const box = el('div', { class: 'diagram' });
  box.append(
    el('div', { class: 'lifelines' }, el('span', { text: `page ${state.page}` }), el('span', { text: `API ${state.api}` })),
  );
  if (!exchanges.length) box.append(el('div', { class: 'arrow none', text: 'nothing went over the network (served from the browser\'s cache, or refused before sending)' }));
  exchanges.forEach((x, i) => {
    const path = x.path ?? new URL(x.url).pathname.replace(/^\/lab\/[^/]+\/\d+/, '');
    const kind = x.preflight ?? (x.method === 'OPTIONS' && x.headers.some(([n]) => /^access-control-request-method$/i.test(n)));
    box.append(arrow('to-server', `${x.method} ${path}${kind ? '  (preflight)' : ''}`, x.headers));
    box.append(arrow('to-page', `${x.status}`, x.response_headers, blockedAt === i));
  });
  return box;
}

function outcomeBadge(outcome, status, id) {
  const text = outcome === 'readable' ? `readable${status != null ? `, status ${status}` : ''}` : 'blocked';
  return el('span', { class: 'outcome', id, 'data-outcome': outcome, 'data-status': status ?? '', text });
}

function assignSteps(observed, predicted) {
  // The gateway records what it received in order; a step's exchanges are
  // those whose path is the step's, taken in order.
  let k = 0;
  predicted.forEach((p, i) => {
    const path = new URL(p.url).pathname.replace(/^\/lab\/[^/]+\/\d+/, '');
    const want = p.exchanges.length || 1;
    let got = 0;
    while (k < observed.length && got < want && observed[k].path === path) {
      observed[k].__step = i;
      k++;
      got++;
    }
  });
}

function compare(steps, seen, predicted, observed) {
  const diffs = [];
  predicted.forEach((p, i) => {
    const s = seen[i];
    const tag = steps.length > 1 ? `step ${i + 1}: ` : '';
    if (s.outcome !== p.outcome) diffs.push(`${tag}the browser's fetch was ${s.outcome}, the engine predicted ${p.outcome}`);
    else if (s.outcome === 'readable') {
      if (s.status !== p.status) diffs.push(`${tag}status ${s.status} in the browser, ${p.status} predicted`);
      const a = s.exposed.join(', ');
      const b = p.exposed.join(', ');
      if (a !== b) diffs.push(`${tag}readable headers: browser [${a}], engine [${b}]`);
    }
  });
  const sent = observed.map((x) => x.method).join(' → ') || 'nothing';
  const want = predicted.flatMap((p) => p.exchanges.map((x) => x.method)).join(' → ') || 'nothing';
  if (sent !== want) diffs.push(`requests: the gateway received ${sent}, the engine sent ${want}`);
  const corsOf = (hs) =>
    hs
      .filter(([n]) => /^(origin|access-control-request-method|access-control-request-headers)$/i.test(n))
      .map(([n, v]) => `${n.toLowerCase()}: ${v}`)
      .sort()
      .join('; ');
  const flat = predicted.flatMap((p) => p.exchanges);
  observed.forEach((x, i) => {
    if (flat[i] && corsOf(x.headers) !== corsOf(flat[i].headers)) {
      diffs.push(`request ${i + 1}: the browser sent ${corsOf(x.headers) || 'no CORS headers'}, the engine ${corsOf(flat[i].headers) || 'none'}`);
    }
  });
  return diffs;
}

function render(prep, steps, seen, observed) {
  state.lastRun = prep.run;
  const predicted = prep.prediction;
  assignSteps(observed, predicted);
  const diffs = compare(steps, seen, predicted, observed);
  const verdict = $('verdict');
  verdict.hidden = false;
  verdict.dataset.agree = String(diffs.length === 0);
  verdict.replaceChildren(
    diffs.length === 0
      ? `The engine's prediction matches what ${browserName() === 'firefox' ? 'Firefox' : 'Chromium'} did.`
      : 'The engine and the browser disagree:',
  );
  if (diffs.length) verdict.append(el('ul', {}, ...diffs.map((d) => el('li', { text: d }))));
  if (prep.shadow) {
    verdict.append(el('div', { class: 'note', text: 'The broken server answered; the gateway ran the fix in shadow mode (it logged what it would have rejected, and changed nothing).' }));
  }

  const bside = $('browser-steps');
  const eside = $('engine-steps');
  bside.replaceChildren();
  eside.replaceChildren();
  predicted.forEach((p, i) => {
    const s = seen[i];
    const step = steps[i];
    const title = `fetch('${step.path}', {method: '${step.method}', credentials: '${step.credentials}', mode: '${step.mode}'${step.headers.length ? `, headers: {${step.headers.map(([n, v]) => `'${n}': '${v}'`).join(', ')}}` : ''}})`;

    const b = el('div', { class: 'step', 'data-step': String(i) }, el('h3', { class: 'script', text: title }));
    b.append(outcomeBadge(s.outcome, s.outcome === 'readable' ? s.status : null, i === predicted.length - 1 ? 'browser-outcome' : null));
    const mine = observed.filter((x) => x.__step === i);
    b.append(diagram(mine, -1));
    if (s.outcome === 'readable') {
      b.append(el('div', { class: 'cause', text: `The script reads status ${s.status}${s.type === 'opaque' ? ' (opaque: nothing readable)' : ''}; readable headers: ${s.exposed.join(', ') || 'none'}.` }));
      if (step.path.startsWith('/items') || step.path.startsWith('/echo')) {
        b.append(el('div', { class: 'script', text: `response.headers.get('x-request-id') → ${s.requestId === null ? 'null' : `'${s.requestId}'`}` }));
      }
    } else {
      b.append(el('div', { class: 'console', text: `${s.error}\n(the browser's own CORS message is in its console)` }));
    }
    bside.append(b);

    const e = el('div', { class: 'step', 'data-step': String(i) }, el('h3', { class: 'script', text: title }));
    e.append(outcomeBadge(p.outcome, p.outcome === 'readable' ? p.status : null, i === predicted.length - 1 ? 'engine-outcome' : null));
    const failedAt = p.outcome === 'blocked' ? p.exchanges.length - 1 : -1;
    e.append(diagram(p.exchanges, failedAt));
    if (p.outcome === 'readable') {
      e.append(el('div', { class: 'cause', text: `Readable: status ${p.status}, ${p.response_type}; readable headers: ${p.exposed.join(', ') || 'none'}.` }));
    } else {
      if (p.console_message) e.append(el('div', { class: 'console', id: i === predicted.length - 1 ? 'engine-console' : null, text: p.console_message }));
      if (p.error_code) e.append(el('div', { class: 'script', text: `error: ${p.error_code}` }));
      e.append(el('p', { class: 'cause', text: p.cause }));
      if (p.fix) {
        const fix = el('div', { class: 'fix', id: i === predicted.length - 1 ? 'engine-fix' : null }, el('strong', { text: 'Fix: ' }), p.fix.summary);
        if (p.fix.header) fix.append(el('pre', { text: [p.fix.header, ...p.fix.also].map(([n, v]) => `${n}: ${v}`).join('\n') }));
        if (p.fix.policy) fix.append(el('div', { text: 'In a corsica policy:' }), el('pre', { text: p.fix.policy }));
        e.append(fix);
      }
    }
    eside.append(e);
  });
  $('columns').hidden = false;
}

// ----------------------------------------------------------------- init

async function init() {
  const data = await (await fetch('/api/presets')).json();
  state.presets = data.presets;
  state.page = data.page;
  state.api = data.api;
  $('page-origin').textContent = data.page;
  $('api-origin').textContent = data.api;
  $('preset').replaceChildren(...data.presets.map((p) => el('option', { value: p.id, text: p.title })));
  $('preset').onchange = () => choosePreset($('preset').value);
  $('target-preset').onchange = () => setTarget('preset');
  $('target-policy').onchange = () => setTarget('policy');
  $('fix').onclick = fixIt;
  $('add-header').onclick = () => headerRow();
  $('run').onclick = run;
  const wanted = new URLSearchParams(location.search).get('preset');
  const first = data.presets.find((p) => p.id === wanted) ?? data.presets[0];
  $('preset').value = first.id;
  choosePreset(first.id);
  document.body.dataset.ready = 'true';
}

init().catch((e) => {
  document.body.dataset.ready = 'error';
  $('mistake').textContent = `The playground could not load its presets: ${e.message}`;
});
