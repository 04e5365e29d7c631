// Agent console entry point: sign-in, the live feed, the 1 s tick and the
// buttons. All decisions live in the pure modules (view.ts, status.ts,
// params.ts, api.ts, feed.ts); this file only holds the page's state.

import './style.css';
import type { AgentConsoleView, PauseAdviceView } from '../../server/contract.ts';
import { hhmmss } from '../src/format.ts';
import { browserSocket } from '../src/reconnecting.ts';
import { AgentApi, isDenied, type Result } from './api.ts';
import { AgentFeed, type AgentFrame, type AgentFeedStatus } from './feed.ts';
import { dictionaries } from './i18n.ts';
import { parseParams, TokenStore, withoutToken, type StorageLike } from './params.ts';
import { PAUSE_ADVICE_EVERY_MS, pauseHint } from './pause.ts';
import { mount, renderConsole, renderPauseHint, renderStatus, renderVoice, showConsole, showSignIn, toast } from './render.ts';
import { createSoftphone, type Softphone, type SoftphoneState } from './softphone.ts';
import { consoleStatus, serverNow } from './status.ts';
import { buildConsoleView, type LocalCallState } from './view.ts';
import { buildVoiceView, DTMF_KEYS } from './voice-view.ts';

const params = parseParams(window.location.search);
const t = dictionaries[params.lang];
document.documentElement.lang = t.locale;
document.title = `${t.pageTitle} — ${t.appName}`;

const storage = ((): StorageLike | null => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
})();
const store = new TokenStore(storage);
/** The token when sessionStorage refuses to keep it. */
let memoryToken: string | null = null;

// A bookmarked /agent/?token=… : keep the token for this tab, drop it from the address bar.
if (params.token) {
  store.set(params.token);
  memoryToken = params.token;
  const clean = withoutToken(window.location.href);
  if (clean) window.history.replaceState(window.history.state, '', clean);
}

const app = document.getElementById('app');
if (!app) throw new Error('#app missing');
const ui = mount(app, t);

// ---- page state ----
let api: AgentApi | null = null;
let feed: AgentFeed | null = null;
let view: AgentConsoleView | null = null;
let lastFrameAt: number | null = null;
let lastServerTime = 0;
let connection: 'connecting' | 'open' | 'closed' = 'connecting';
let retryAt: number | null = null;
const local = new Map<string, LocalCallState>();
/** The softphone (voice 'softphone' only), for which agent and contact, and what it last said. */
let phone: Softphone | null = null;
let phoneFor: string | null = null;
let phoneState: SoftphoneState | null = null;
/** The breach warning's word on pausing now, asked for every half minute and on each state change. */
let advice: PauseAdviceView | null = null;
let adviceFor: string | null = null;

const fetchFn = (url: string, init: RequestInit) => fetch(url, { ...init, credentials: 'same-origin' });

function frame(): void {
  if (!api) return;
  const now = Date.now();
  const sNow = lastFrameAt == null ? now : serverNow(now, lastServerTime, lastFrameAt);
  renderStatus(ui, consoleStatus(now, lastFrameAt, connection, retryAt, t, params.lang), hhmmss(lastFrameAt == null ? now : now + (lastServerTime - lastFrameAt)));
  const callId = view?.call?.id;
  renderConsole(ui, view ? buildConsoleView(view, sNow, t, callId ? local.get(callId) : undefined) : null, t);
  renderVoice(ui, buildVoiceView(view?.agent.voice ?? 'external', phoneState, t), t);
  renderPauseHint(ui, pauseHint(advice, view?.agent.id ?? null, view?.agent.state ?? null, sNow, t));
}

/** Asks whether a pause is safe now; a refusal or an error just hides the hint. */
async function refreshAdvice(): Promise<void> {
  const a = api;
  const id = view?.agent.id;
  if (!a || !id) return;
  const r = await a.pauseAdvice(id);
  if (api !== a) return;
  advice = r.ok ? r.body : null;
  frame();
}
window.setInterval(() => { void refreshAdvice(); }, PAUSE_ADVICE_EVERY_MS);

/**
 * A softphone while this console's agent is reached in this page (voice 'softphone'):
 * started on sign-in, replaced when the agent's contact changes, stopped on sign-out
 * or when the voice moves elsewhere (a supervisor gave the agent a phone number).
 */
function syncSoftphone(): void {
  const a = view?.agent;
  const wanted = api && a && a.voice === 'softphone' ? `${a.id}|${a.contact ?? ''}` : null;
  if (wanted === phoneFor) return;
  phone?.stop();
  phone = null;
  phoneState = null;
  phoneFor = wanted;
  if (!wanted || !api) return;
  const client = api;
  const p = createSoftphone({
    fetchToken: () => client.voiceToken(),
    onState: (s) => {
      if (phone !== p) return;
      phoneState = s;
      frame();
    },
    // Enter or Space answers, unless the agent is typing somewhere.
    onIncoming: () => {
      if (phone === p && !document.activeElement?.closest('input, select, textarea')) ui.btnAnswer.focus();
    },
  });
  phone = p;
  void p.start();
}

function takeView(v: AgentConsoleView): void {
  // An HTTP answer may arrive after a newer frame: never go back in time.
  if (view && v.serverTime < view.serverTime) return;
  const stateKey = `${v.agent.id}|${v.agent.state}`;
  view = v;
  lastServerTime = v.serverTime;
  lastFrameAt = Date.now();
  syncSoftphone();
  if (stateKey !== adviceFor) { adviceFor = stateKey; void refreshAdvice(); }
}

function onFrame(f: AgentFrame): void {
  if (f.type === 'agent') takeView(f.view);
  else {
    lastServerTime = f.serverTime;
    lastFrameAt = Date.now();
  }
  frame();
}

function onStatus(s: AgentFeedStatus): void {
  connection = s.kind === 'open' ? 'open' : s.kind === 'closed' ? 'closed' : 'connecting';
  retryAt = s.kind === 'closed' ? s.retryAt : null;
  frame();
}

function reasonText(status: number, message: string): string {
  const why = status === 401 ? t.reasonUnauthorized : status === 403 ? t.reasonForbidden : status === 0 ? t.reasonUnreachable : t.reasonOther(status);
  return message && status !== 0 ? `${why} ${message}` : why;
}

function signOut(reason: string | null): void {
  feed?.stop();
  feed = null;
  api = null;
  view = null;
  advice = null;
  adviceFor = null;
  lastFrameAt = null;
  syncSoftphone();
  local.clear();
  store.clear();
  memoryToken = null;
  ui.tokenInput.value = '';
  showSignIn(ui, reason, false, t);
  ui.tokenInput.focus();
}


async function signIn(token: string): Promise<void> {
  showSignIn(ui, null, true, t);
  const candidate = new AgentApi(fetchFn, token, params.agent);
  const me = await candidate.me();
  if (!me.ok && me.status !== 0) {
    signOut(reasonText(me.status, me.message));
    return;
  }
  api = candidate;
  view = null;
  lastFrameAt = null;
  if (me.ok) takeView(me.body);
  showConsole(ui);
  feed = new AgentFeed({
    location: window.location,
    ticket: () => candidate.ticket(),
    openSocket: browserSocket,
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (h) => window.clearTimeout(h as number),
    now: () => Date.now(),
    random: Math.random,
    onFrame,
    onStatus,
    onDenied: (status, message) => signOut(reasonText(status, message)),
  });
  feed.start();
  frame();
}

/** Runs one action; 401/403 → sign-in, else a short message. Answers the result. */
async function act(run: (a: AgentApi) => Promise<Result<unknown>>, ok?: string): Promise<Result<unknown> | null> {
  if (!api) return null;
  const a = api;
  const r = await run(a);
  if (api !== a) return r;
  if (isDenied(r) && !r.ok) {
    signOut(reasonText(r.status, r.message));
  } else if (!r.ok) {
    toast(ui, r.status === 409 ? t.conflict(r.message) : t.failed(r.message), 'error');
  } else {
    if (ok) toast(ui, ok);
    // Without a live socket, fetch the new view rather than wait for a frame.
    if (connection !== 'open') {
      const me = await a.me();
      if (me.ok && api === a) takeView(me.body);
    }
  }
  frame();
  return r;
}

// ---- controls ----
ui.signinForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = ui.tokenInput.value.trim();
  if (!token) return;
  store.set(token);
  memoryToken = token;
  void signIn(token);
});
ui.signout.addEventListener('click', () => signOut(t.reasonSignedOut));

const agentId = (): string | null => view?.agent.id ?? null;
ui.btnAvailable.addEventListener('click', () => {
  const id = agentId();
  if (id) void act((a) => a.setState(id, 'available'));
});
ui.btnAway.addEventListener('click', () => {
  const id = agentId();
  if (id) void act((a) => a.setState(id, 'away', ui.pauseReason.value || undefined));
});
ui.btnOffline.addEventListener('click', () => {
  const id = agentId();
  if (id) void act((a) => a.setState(id, 'offline'));
});
ui.btnReady.addEventListener('click', () => {
  const id = agentId();
  if (id) void act((a) => a.ready(id));
});
ui.btnDropped.addEventListener('click', () => {
  const callId = view?.call?.id;
  if (!callId) return;
  ui.btnDropped.disabled = true;
  void act((a) => a.dropped(callId), t.droppedToast).finally(() => { ui.btnDropped.disabled = false; });
});
ui.escalateButtons.addEventListener('click', (ev) => {
  const btn = (ev.target as HTMLElement | null)?.closest<HTMLButtonElement>('button[data-level]');
  const callId = view?.call?.id;
  if (!btn || !callId) return;
  const level = Number(btn.dataset.level);
  const note = ui.escalateNote.value;
  btn.disabled = true;
  void act((a) => a.escalate(callId, level, note), t.escalated(t.levelLabel(level))).finally(() => { btn.disabled = false; });
});
ui.btnRecording.addEventListener('click', () => {
  const action = ui.btnRecording.dataset.action;
  if (action !== 'pause' && action !== 'resume') return;
  ui.btnRecording.disabled = true;
  void act((a) => a.recording(action), action === 'pause' ? t.recordingPausedToast : t.recordingResumedToast)
    .finally(() => { ui.btnRecording.disabled = false; });
});
ui.disposition.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const callId = view?.call?.id;
  const choice = new FormData(ui.disposition).get('resolved');
  if (!callId || (choice !== 'yes' && choice !== 'no')) return;
  ui.dispositionSend.disabled = true;
  void (async () => {
    const r = await act((a) => a.disposition(callId, choice === 'yes', ui.dispositionNote.value));
    ui.dispositionSend.disabled = false;
    if (r?.ok) local.set(callId, { disposition: 'saved' });
    else if (r && r.status === 409) local.set(callId, { disposition: 'already' });
    frame();
  })();
});

// ---- the softphone ----
ui.btnAnswer.addEventListener('click', () => phone?.accept());
ui.btnDecline.addEventListener('click', () => phone?.reject());
ui.btnHangUp.addEventListener('click', () => phone?.hangUp());
ui.btnMute.addEventListener('click', () => phone?.setMuted(!(phoneState?.call?.muted ?? false)));
ui.keypad.addEventListener('click', (ev) => {
  const key = (ev.target as HTMLElement | null)?.closest<HTMLButtonElement>('button[data-digit]')?.dataset.digit;
  if (key) phone?.sendDigits(key);
});
// On a call, the keyboard's digits are DTMF too (not while typing a note).
document.addEventListener('keydown', (ev) => {
  if (phoneState?.call?.phase !== 'open' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if ((ev.target as HTMLElement | null)?.closest('input, select, textarea')) return;
  if ((DTMF_KEYS as readonly string[]).includes(ev.key)) phone?.sendDigits(ev.key);
});
ui.spMic.addEventListener('change', () => { void phone?.chooseInput(ui.spMic.value); });
ui.spSpeaker.addEventListener('change', () => { void phone?.chooseOutput(ui.spSpeaker.value); });

// ---- start ----
const saved = store.get() ?? memoryToken;
if (saved) void signIn(saved);
// No token but ?agent=: a server with no agent tokens (e.g. the local demo) lets it in;
// otherwise the 401 brings the sign-in form with the reason.
else if (params.agent) void signIn('');
else showSignIn(ui, null, false, t);

// Tick on each new second so waits and the countdown advance together.
let lastSecond = 0;
window.setInterval(() => {
  const s = Math.floor(Date.now() / 1000);
  if (s !== lastSecond) {
    lastSecond = s;
    frame();
  }
}, 200);
