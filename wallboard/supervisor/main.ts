// The supervisor's screen: sign-in (token kept out of the address bar, as the
// agent console does), the live feed, and the four screens — Agora (live, with
// actions), Configurações (live settings, preview, audit), Relatórios (interval
// reports, per-agent table, CSV) and Planejamento (what-if, "por que esperou?",
// intraday forecast). This file holds the page's state and wiring; the screens
// live in now-ui.ts, settings-ui.ts, reports-ui.ts and planning-ui.ts.

import './style.css';
import type { SupervisorSetup, SupervisorView } from '../../server/contract.ts';
import { acknowledge, initialAlarmState, stepAlarms, type AlarmKey, type AlarmState } from '../src/alarms.ts';
import { age, esc, hhmmss } from '../src/format.ts';
import { dictionaries as boardDictionaries } from '../src/i18n.ts';
import { browserSocket, type LinkStatus } from '../src/reconnecting.ts';
import { STALE_AFTER_MS } from '../src/stale.ts';
import { isDenied, SupervisorApi, type Result } from './api.ts';
import { SupervisorFeed } from './feed.ts';
import { dictionaries } from './i18n.ts';
import { buildNowView } from './now-view.ts';
import { NowScreen } from './now-ui.ts';
import { parseParams, TokenStore, withoutToken, type StorageLike, type Tab } from './params.ts';
import { planDictionaries } from './planning-i18n.ts';
import { PlanningScreen } from './planning-ui.ts';
import { ReportsScreen } from './reports-ui.ts';
import { SettingsScreen } from './settings-ui.ts';

const params = parseParams(window.location.search);
const t = dictionaries[params.lang];
const board = boardDictionaries[params.lang];
const plan = planDictionaries[params.lang];
document.documentElement.lang = t.locale;
document.title = `${t.appName} — ${t.pageTitle}`;

const storage = ((): StorageLike | null => {
  try { return window.sessionStorage; } catch { return null; }
})();
const store = new TokenStore(storage);
let memoryToken: string | null = null;
// A bookmarked /supervisor/?token=… : keep the token for this tab, drop it from the address bar.
if (params.token) {
  store.set(params.token);
  memoryToken = params.token;
  const clean = withoutToken(window.location.href);
  if (clean) window.history.replaceState(window.history.state, '', clean);
}

// ---- the page skeleton ----
const app = document.getElementById('app')!;
const TABS: Tab[] = ['now', 'settings', 'reports', 'planning'];
app.innerHTML = `
  <section id="signin" hidden>
    <form id="signin-form" class="card" autocomplete="off">
      <div class="brand">${esc(t.appName)}</div>
      <h1>${esc(t.signInTitle)}</h1>
      <p class="muted">${esc(t.signInHint)}</p>
      <p id="signin-reason" role="alert" hidden></p>
      <label for="token">${esc(t.tokenLabel)}</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
      <button id="signin-btn" type="submit" class="primary">${esc(t.signIn)}</button>
    </form>
  </section>
  <div id="shell" hidden>
    <header class="top">
      <span class="brand">${esc(t.appName)}</span>
      <span id="center" class="center"></span>
      <nav class="tabs" role="tablist" aria-label="${esc(t.pageTitle)}">
        ${TABS.map((k) => `<button type="button" role="tab" id="tab-${k}" data-tab="${k}" aria-controls="screen-${k}">${esc(t.tabs[k])}</button>`).join('')}
      </nav>
      <span id="conn" class="conn" data-kind="connecting" role="status">${esc(t.connecting)}</span>
      <span id="clock" class="clock num"></span>
      <button type="button" id="signout">${esc(t.signOut)}</button>
    </header>
    <main>
      <section id="screen-now" class="screen now" role="tabpanel" aria-labelledby="tab-now"></section>
      <section id="screen-settings" class="screen settings" role="tabpanel" aria-labelledby="tab-settings" hidden></section>
      <section id="screen-reports" class="screen reports" role="tabpanel" aria-labelledby="tab-reports" hidden></section>
      <section id="screen-planning" class="screen planning" role="tabpanel" aria-labelledby="tab-planning" hidden></section>
    </main>
    <div id="toast" class="toast" role="status" aria-live="polite" hidden></div>
  </div>`;
const $ = <T extends HTMLElement>(sel: string) => app.querySelector<T>(sel)!;
const ui = {
  signin: $('#signin'), signinForm: $<HTMLFormElement>('#signin-form'), signinReason: $('#signin-reason'),
  tokenInput: $<HTMLInputElement>('#token'), signinButton: $<HTMLButtonElement>('#signin-btn'),
  shell: $('#shell'), center: $('#center'), conn: $('#conn'), clock: $('#clock'), toast: $('#toast'),
};

// ---- page state ----
let api: SupervisorApi | null = null;
let feed: SupervisorFeed | null = null;
let live: SupervisorView | null = null;
let setup: SupervisorSetup | null = null;
let lastFrameAt: number | null = null;
let connection: 'connecting' | 'open' | 'closed' = 'connecting';
let retryAt: number | null = null;
let alarms: AlarmState = initialAlarmState();
let activeAlarms: AlarmKey[] = [];
let tab: Tab = params.tab;
const fetchFn = (url: string, init: RequestInit) => fetch(url, { ...init, credentials: 'same-origin' });

let toastTimer = 0;
function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  ui.toast.textContent = message;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => { ui.toast.hidden = true; }, kind === 'error' ? 9000 : 5000);
}

/** 401/403 on any call: the token is no good any more; back to sign-in. */
function denied(r: Result<unknown>): boolean {
  if (!isDenied(r) || r.ok) return false;
  signOut(reasonText(r.status, r.message));
  return true;
}

/** Every action answers: a confirmation, or the server's reason for refusing. */
function outcome(r: Result<unknown>, ok: string): boolean {
  if (denied(r)) return false;
  if (!r.ok) {
    toast(r.status === 0 || r.status >= 500 ? t.failed(r.message) : t.refused(r.message), 'error');
    return false;
  }
  toast(ok);
  // Without a live socket, fetch the new view rather than wait for a frame.
  if (connection !== 'open' && api) void api.live().then((v) => { if (v.ok) takeView(v.body); });
  return true;
}

const call = <T>(fn: (a: SupervisorApi) => Promise<Result<T>>): Promise<Result<T>> =>
  api ? fn(api) : Promise.resolve({ ok: false, status: 0, code: null, message: t.reasonSignedOut });

const now = new NowScreen($('#screen-now'), t, board, {
  moveCall: (id, change) => call((a) => a.moveCall(id, change)),
  escalateCall: (id, level, reason) => call((a) => a.escalateCall(id, level, reason)),
  setState: (id, state, reason) => call((a) => a.setState(id, state, reason)),
  changeAgent: (id, change) => call((a) => a.changeAgent(id, change)),
  markDropped: (callId) => call((a) => a.markDropped(callId)),
  ackAlert: (id) => call((a) => a.acknowledgeAlert(id)),
  ackAlarms: () => { alarms = acknowledge(alarms); toast(t.acknowledged); frame(); },
  outcome,
  why: { label: plan.whyButton, title: plan.whyOf, open: (callId) => { showTab('planning'); void planning.explain(callId); } },
  breachColumn: plan.breachCol,
});
const settings = new SettingsScreen($('#screen-settings'), t, {
  patch: (body) => call((a) => a.patchSettings(body)),
  audit: (q) => call((a) => a.audit(q)),
  toast,
  denied,
});
const reports = new ReportsScreen($('#screen-reports'), t, params.lang, {
  intervals: (q) => call((a) => a.intervals(q)),
  agentReport: (from, to) => call((a) => a.agentReport(from, to)),
  csv: (kind, q) => call((a) => (kind === 'intervals'
    ? a.csv(a.intervalsCsvUrl(q), 'atende-report.csv')
    : a.csv(a.agentReportCsvUrl(q.from, q.to), 'atende-agents.csv'))),
  toast,
  denied,
});

const planning = new PlanningScreen($('#screen-planning'), plan, params.lang, {
  whatIf: (body) => call((a) => a.whatIf(body)),
  why: (id) => call((a) => a.why(id)),
  calls: (q) => call((a) => a.calls(q)),
  intraday: (n) => call((a) => a.intraday(n)),
  toast,
  denied,
});

// ---- tabs ----
function showTab(next: Tab, focus = false): void {
  tab = next;
  for (const k of TABS) {
    const b = $<HTMLButtonElement>(`#tab-${k}`);
    b.setAttribute('aria-selected', String(k === next));
    b.tabIndex = k === next ? 0 : -1;
    $(`#screen-${k}`).hidden = k !== next;
  }
  if (focus) $<HTMLButtonElement>(`#tab-${next}`).focus();
  document.body.dataset.tab = next;
  const u = new URL(window.location.href);
  if (next === 'now') u.searchParams.delete('tab'); else u.searchParams.set('tab', next);
  window.history.replaceState(window.history.state, '', `${u.pathname}${u.search}${u.hash}`);
  if (next === 'settings') void settings.loadAudit();
  if (next === 'planning' && api) planning.activate();
}
app.querySelector('.tabs')!.addEventListener('click', (ev) => {
  const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('[data-tab]');
  if (b) showTab(b.dataset.tab as Tab);
});
app.querySelector('.tabs')!.addEventListener('keydown', (ev) => {
  const e = ev as KeyboardEvent;
  const i = TABS.indexOf(tab);
  if (e.key === 'ArrowRight') showTab(TABS[(i + 1) % TABS.length], true);
  else if (e.key === 'ArrowLeft') showTab(TABS[(i + TABS.length - 1) % TABS.length], true);
  else return;
  e.preventDefault();
});

// ---- live view ----
function takeView(v: SupervisorView): void {
  if (live && v.serverTime < live.serverTime) return;
  live = v;
  lastFrameAt = Date.now();
  frame();
}

function frame(): void {
  const nowMs = Date.now();
  const sinceFrame = lastFrameAt == null ? Infinity : nowMs - lastFrameAt;
  const stale = sinceFrame > STALE_AFTER_MS;
  document.body.classList.toggle('stale', live !== null && stale);
  const kind = connection === 'open' ? (stale ? 'stale' : 'live') : connection;
  ui.conn.dataset.kind = kind;
  ui.conn.textContent = kind === 'live' ? t.live
    : kind === 'stale' ? t.stale(age(sinceFrame / 1000, params.lang))
      : kind === 'closed' ? t.disconnected(Math.max(0, Math.ceil(((retryAt ?? nowMs) - nowMs) / 1000))) : t.connecting;
  ui.clock.textContent = hhmmss(live && lastFrameAt != null ? nowMs + (live.serverTime - lastFrameAt) : nowMs);
  if (!live) return;
  ui.center.textContent = live.snapshot.centerName;
  // Waits and times in state tick between frames, but never from stale data.
  const tick = stale ? 0 : Math.floor(sinceFrame / 1000);
  const view = buildNowView(live, tick, t, board, params.lang);
  const step = stepAlarms(alarms, nowMs, stale ? {} : view.indicators);
  alarms = step.state;
  activeAlarms = step.active;
  now.render(view, live, step.flashing, activeAlarms);
}

function onStatus(s: LinkStatus): void {
  connection = s.kind === 'open' ? 'open' : s.kind === 'closed' ? 'closed' : 'connecting';
  retryAt = s.kind === 'closed' ? s.retryAt : null;
  frame();
}

// ---- sign-in and out ----
function reasonText(status: number, message: string): string {
  const why = status === 401 ? t.reasonUnauthorized : status === 403 ? t.reasonForbidden : status === 0 ? t.reasonUnreachable : t.reasonOther(status);
  return message && status !== 0 ? `${why} ${message}` : why;
}

function showSignIn(reason: string | null, busy: boolean): void {
  ui.shell.hidden = true;
  ui.signin.hidden = false;
  ui.signinReason.hidden = reason == null;
  ui.signinReason.textContent = reason ?? '';
  ui.signinButton.disabled = busy;
  ui.signinButton.textContent = busy ? t.signingIn : t.signIn;
  document.body.dataset.screen = 'signin';
}

function signOut(reason: string | null): void {
  feed?.stop();
  feed = null;
  api = null;
  live = null;
  lastFrameAt = null;
  store.clear();
  memoryToken = null;
  ui.tokenInput.value = '';
  showSignIn(reason, false);
  ui.tokenInput.focus();
}

async function signIn(token: string): Promise<void> {
  showSignIn(null, true);
  const candidate = new SupervisorApi(fetchFn, token);
  const s = await candidate.setup();
  if (!s.ok) { signOut(reasonText(s.status, s.message)); return; }
  api = candidate;
  setup = s.body;
  reports.configure(setup);
  planning.configure(setup);
  const [v, cfg] = await Promise.all([candidate.live(), candidate.settings()]);
  if (v.ok) takeView(v.body);
  if (cfg.ok) settings.load(cfg.body);
  ui.signin.hidden = true;
  ui.shell.hidden = false;
  document.body.dataset.screen = 'supervisor';
  showTab(tab);
  feed = new SupervisorFeed({
    location: window.location,
    ticket: () => candidate.ticket(),
    openSocket: browserSocket,
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (h) => window.clearTimeout(h as number),
    now: () => Date.now(),
    random: Math.random,
    onView: takeView,
    onStatus,
    onDenied: (status, message) => signOut(reasonText(status, message)),
  });
  feed.start();
  frame();
}

ui.signinForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = ui.tokenInput.value.trim();
  if (!token) return;
  store.set(token);
  memoryToken = token;
  void signIn(token);
});
$('#signout').addEventListener('click', () => signOut(t.reasonSignedOut));

// ---- start ----
const saved = store.get() ?? memoryToken;
if (saved) void signIn(saved);
else {
  // No token: a server whose supervisor role is open (a local run) lets the screen in;
  // otherwise the sign-in form, without a reproach.
  showSignIn(null, true);
  void new SupervisorApi(fetchFn, '').setup().then((s) => (s.ok ? signIn('') : showSignIn(null, false)));
}

let lastSecond = 0;
window.setInterval(() => {
  const s = Math.floor(Date.now() / 1000);
  if (s !== lastSecond) { lastSecond = s; frame(); }
}, 200);
