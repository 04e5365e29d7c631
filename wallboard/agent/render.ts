// DOM writing. Thin on purpose: every word and colour is decided in view.ts /
// status.ts; this file builds the skeleton once (labels from the dictionary)
// and then only sets textContent, attributes and classes. Inputs the agent is
// typing in are never rewritten, except when a different call arrives.

import { esc } from '../src/format.ts';
import type { AgentDict } from './i18n.ts';
import type { PauseHint } from './pause.ts';
import type { ConsoleStatus } from './status.ts';
import type { ButtonView, ConsoleViewModel } from './view.ts';
import { DTMF_KEYS, type AudioPicker, type VoiceViewModel } from './voice-view.ts';

export interface ConsoleUi {
  root: HTMLElement;
  signin: HTMLElement;
  signinForm: HTMLFormElement;
  signinReason: HTMLElement;
  tokenInput: HTMLInputElement;
  signinButton: HTMLButtonElement;
  console: HTMLElement;
  name: HTMLElement;
  meta: HTMLElement;
  conn: HTMLElement;
  clock: HTMLElement;
  signout: HTMLButtonElement;
  banner: HTMLElement;
  waiting: HTMLElement;
  state: HTMLElement;
  stateLabel: HTMLElement;
  stateSince: HTMLElement;
  pending: HTMLElement;
  btnAvailable: HTMLButtonElement;
  btnAway: HTMLButtonElement;
  btnOffline: HTMLButtonElement;
  pauseReason: HTMLSelectElement;
  /** "Pausa liberada" / "Aguarde ~10 min" (pause.ts). */
  pauseHint: HTMLElement;
  device: HTMLElement;
  softphone: HTMLElement;
  spStatus: HTMLElement;
  spMic: HTMLSelectElement;
  spSpeakerRow: HTMLElement;
  spSpeaker: HTMLSelectElement;
  phoneBar: HTMLElement;
  phoneText: HTMLElement;
  btnAnswer: HTMLButtonElement;
  btnDecline: HTMLButtonElement;
  btnMute: HTMLButtonElement;
  keypad: HTMLElement;
  btnHangUp: HTMLButtonElement;
  handled: HTMLElement;
  callPanel: HTMLElement;
  noCall: HTMLElement;
  call: HTMLElement;
  callTitle: HTMLElement;
  callBadges: HTMLElement;
  callFrom: HTMLElement;
  callCallback: HTMLElement;
  btnDropped: HTMLButtonElement;
  fQueue: HTMLElement;
  fPath: HTMLElement;
  fProtocol: HTMLElement;
  fPriority: HTMLElement;
  fWaitedLabel: HTMLElement;
  fWaited: HTMLElement;
  fLanguage: HTMLElement;
  notes: HTMLElement;
  escalatedNote: HTMLElement;
  recording: HTMLElement;
  recLabel: HTMLElement;
  btnRecording: HTMLButtonElement;
  escalate: HTMLElement;
  escalateNote: HTMLInputElement;
  escalateButtons: HTMLElement;
  wrapup: HTMLElement;
  countdown: HTMLElement;
  btnReady: HTMLButtonElement;
  disposition: HTMLFormElement;
  dispositionNote: HTMLInputElement;
  dispositionSend: HTMLButtonElement;
  dispositionDone: HTMLElement;
  toast: HTMLElement;
  /** Which call the forms were last reset for. */
  formsFor: string | null;
  escalateKey: string;
  reasonsKey: string;
  reasonFor: string;
}

const $ = <T extends HTMLElement>(root: HTMLElement, sel: string): T => {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`agent console: ${sel} missing`);
  return el;
};

export function mount(root: HTMLElement, t: AgentDict): ConsoleUi {
  root.innerHTML = `
  <section id="signin" hidden>
    <form id="signin-form" class="card" autocomplete="off">
      <div class="brand">${esc(t.appName)}</div>
      <h1>${esc(t.signInTitle)}</h1>
      <p class="intro">${esc(t.signInIntro)}</p>
      <p id="signin-reason" role="alert" hidden></p>
      <label for="token-input">${esc(t.tokenLabel)}</label>
      <input id="token-input" name="token" type="password" autocomplete="off" spellcheck="false" required />
      <button id="signin-btn" type="submit" class="big primary">${esc(t.signIn)}</button>
    </form>
  </section>
  <div id="console" hidden>
    <header id="hdr">
      <span class="brand">${esc(t.appName)}</span>
      <span id="agent-name"></span>
      <span id="agent-meta"></span>
      <span class="spacer"></span>
      <span id="conn" data-kind="connecting"></span>
      <span id="clock"></span>
      <button id="signout" type="button">${esc(t.signOut)}</button>
    </header>
    <div id="banner" role="alert" hidden></div>
    <main id="main">
      <section id="state-panel" class="panel">
        <div class="label">${esc(t.yourState)}</div>
        <div id="state" data-state="offline">
          <span id="state-label"></span>
          <span id="state-since"></span>
        </div>
        <div id="pending" hidden></div>
        <div id="state-buttons">
          <button id="btn-available" type="button" class="big st-available">${esc(t.btnAvailable)}</button>
          <div class="pause-row">
            <button id="btn-away" type="button" class="big st-away">${esc(t.btnPause)}</button>
            <select id="pause-reason" aria-label="${esc(t.pauseReason)}" title="${esc(t.pauseReason)}"></select>
          </div>
          <div id="pause-hint" role="status" hidden></div>
          <button id="btn-offline" type="button" class="big st-offline">${esc(t.btnOffline)}</button>
        </div>
        <div id="device" data-softphone="false"></div>
        <div id="softphone" hidden>
          <div id="sp-status" data-kind="starting" role="status"></div>
          <div id="sp-audio">
            <label>${esc(t.microphone)} <select id="sp-mic"></select></label>
            <label id="sp-speaker-row">${esc(t.speaker)} <select id="sp-speaker"></select></label>
          </div>
        </div>
        <div id="handled"></div>
      </section>
      <section id="call-panel" class="panel" data-phase="none">
        <div id="waiting-data">${esc(t.noDataYet)}</div>
        <div id="no-call">
          <div class="big-muted">${esc(t.noCall)}</div>
          <div class="hint">${esc(t.noCallHint)}</div>
        </div>
        <div id="call" hidden>
          <div class="call-head">
            <h2 id="call-title"></h2>
            <span id="call-badges"></span>
          </div>
          <div id="call-from"></div>
          <div id="call-callback" hidden></div>
          <button id="btn-dropped" type="button" hidden>${esc(t.dropped)}</button>
          <dl id="call-fields">
            <div><dt>${esc(t.queue)}</dt><dd id="f-queue"></dd></div>
            <div><dt>${esc(t.priority)}</dt><dd id="f-priority"></dd></div>
            <div><dt id="f-waited-label"></dt><dd id="f-waited" class="num"></dd></div>
            <div><dt>${esc(t.language)}</dt><dd id="f-language"></dd></div>
            <div class="wide"><dt>${esc(t.protocol)}</dt><dd id="f-protocol" class="num"></dd></div>
            <div class="wide"><dt>${esc(t.path)}</dt><dd id="f-path"></dd></div>
          </dl>
          <div id="call-notes" hidden></div>
          <div id="escalated-note" hidden></div>
          <div id="recording" hidden>
            <span id="rec-indicator" role="status"><span class="rec-dot" aria-hidden="true"></span><span id="rec-label"></span></span>
            <button id="btn-recording" type="button"></button>
          </div>
        </div>
        <div id="phone-bar" hidden data-phase="">
          <div id="phone-text" role="status"></div>
          <div class="phone-row">
            <button id="btn-answer" type="button" class="big st-available">${esc(t.accept)}</button>
            <button id="btn-decline" type="button" class="big st-hangup">${esc(t.decline)}</button>
            <button id="btn-mute" type="button" aria-pressed="false">${esc(t.mute)}</button>
            <span id="keypad" role="group" aria-label="${esc(t.keypad)}">${DTMF_KEYS.map((k) => `<button type="button" data-digit="${esc(k)}">${esc(k)}</button>`).join('')}</span>
            <button id="btn-hangup" type="button" class="st-hangup">${esc(t.hangUp)}</button>
          </div>
        </div>
        <div id="escalate" hidden>
          <div class="label">${esc(t.escalate)}</div>
          <div class="escalate-row">
            <input id="escalate-note" type="text" maxlength="500" placeholder="${esc(t.escalateNote)}" aria-label="${esc(t.escalateNote)}" />
            <span id="escalate-buttons"></span>
          </div>
        </div>
        <div id="wrapup" hidden>
          <div class="wrapup-row">
            <div id="countdown" class="num"></div>
            <button id="btn-ready" type="button" class="big st-available">${esc(t.ready)}</button>
          </div>
          <form id="disposition" hidden>
            <div class="label">${esc(t.disposition)}</div>
            <div class="disp-row">
              <span class="q">${esc(t.resolvedQuestion)}</span>
              <label class="choice"><input type="radio" name="resolved" value="yes" required /> ${esc(t.yes)}</label>
              <label class="choice"><input type="radio" name="resolved" value="no" /> ${esc(t.no)}</label>
            </div>
            <div class="disp-row">
              <input id="disposition-note" type="text" maxlength="500" placeholder="${esc(t.notePlaceholder)}" aria-label="${esc(t.noteLabel)}" />
              <button id="disposition-send" type="submit" class="primary">${esc(t.send)}</button>
            </div>
          </form>
          <div id="disposition-done" hidden></div>
        </div>
        <div id="toast" role="status" hidden></div>
      </section>
    </main>
  </div>`;
  return {
    root,
    signin: $(root, '#signin'),
    signinForm: $(root, '#signin-form'),
    signinReason: $(root, '#signin-reason'),
    tokenInput: $(root, '#token-input'),
    signinButton: $(root, '#signin-btn'),
    console: $(root, '#console'),
    name: $(root, '#agent-name'),
    meta: $(root, '#agent-meta'),
    conn: $(root, '#conn'),
    clock: $(root, '#clock'),
    signout: $(root, '#signout'),
    banner: $(root, '#banner'),
    waiting: $(root, '#waiting-data'),
    state: $(root, '#state'),
    stateLabel: $(root, '#state-label'),
    stateSince: $(root, '#state-since'),
    pending: $(root, '#pending'),
    btnAvailable: $(root, '#btn-available'),
    btnAway: $(root, '#btn-away'),
    btnOffline: $(root, '#btn-offline'),
    pauseReason: $(root, '#pause-reason'),
    pauseHint: $(root, '#pause-hint'),
    device: $(root, '#device'),
    softphone: $(root, '#softphone'),
    spStatus: $(root, '#sp-status'),
    spMic: $(root, '#sp-mic'),
    spSpeakerRow: $(root, '#sp-speaker-row'),
    spSpeaker: $(root, '#sp-speaker'),
    phoneBar: $(root, '#phone-bar'),
    phoneText: $(root, '#phone-text'),
    btnAnswer: $(root, '#btn-answer'),
    btnDecline: $(root, '#btn-decline'),
    btnMute: $(root, '#btn-mute'),
    keypad: $(root, '#keypad'),
    btnHangUp: $(root, '#btn-hangup'),
    handled: $(root, '#handled'),
    callPanel: $(root, '#call-panel'),
    noCall: $(root, '#no-call'),
    call: $(root, '#call'),
    callTitle: $(root, '#call-title'),
    callBadges: $(root, '#call-badges'),
    callFrom: $(root, '#call-from'),
    callCallback: $(root, '#call-callback'),
    btnDropped: $(root, '#btn-dropped') as HTMLButtonElement,
    fQueue: $(root, '#f-queue'),
    fPath: $(root, '#f-path'),
    fProtocol: $(root, '#f-protocol'),
    fPriority: $(root, '#f-priority'),
    fWaitedLabel: $(root, '#f-waited-label'),
    fWaited: $(root, '#f-waited'),
    fLanguage: $(root, '#f-language'),
    notes: $(root, '#call-notes'),
    escalatedNote: $(root, '#escalated-note'),
    recording: $(root, '#recording'),
    recLabel: $(root, '#rec-label'),
    btnRecording: $(root, '#btn-recording') as HTMLButtonElement,
    escalate: $(root, '#escalate'),
    escalateNote: $(root, '#escalate-note'),
    escalateButtons: $(root, '#escalate-buttons'),
    wrapup: $(root, '#wrapup'),
    countdown: $(root, '#countdown'),
    btnReady: $(root, '#btn-ready'),
    disposition: $(root, '#disposition'),
    dispositionNote: $(root, '#disposition-note'),
    dispositionSend: $(root, '#disposition-send'),
    dispositionDone: $(root, '#disposition-done'),
    toast: $(root, '#toast'),
    formsFor: null,
    escalateKey: '',
    reasonsKey: '',
    reasonFor: '',
  };
}

const setText = (el: HTMLElement, text: string): void => {
  if (el.textContent !== text) el.textContent = text;
};
const show = (el: HTMLElement, on: boolean): void => {
  if (el.hidden === on) el.hidden = !on;
};
const button = (el: HTMLButtonElement, b: ButtonView): void => {
  el.disabled = !b.enabled;
  el.classList.toggle('current', b.current);
  el.setAttribute('aria-pressed', String(b.current));
};

export function showSignIn(ui: ConsoleUi, reason: string | null, busy: boolean, t: AgentDict): void {
  show(ui.console, false);
  show(ui.signin, true);
  show(ui.signinReason, reason != null);
  setText(ui.signinReason, reason ?? '');
  ui.signinButton.disabled = busy;
  setText(ui.signinButton, busy ? t.signingIn : t.signIn);
  document.body.dataset.screen = 'signin';
}

export function showConsole(ui: ConsoleUi): void {
  show(ui.signin, false);
  show(ui.console, true);
  document.body.dataset.screen = 'console';
}

export function renderStatus(ui: ConsoleUi, s: ConsoleStatus, clock: string): void {
  ui.conn.dataset.kind = s.pill.kind;
  setText(ui.conn, s.pill.text);
  setText(ui.clock, clock);
  show(ui.banner, s.banner != null);
  setText(ui.banner, s.banner ?? '');
  document.body.classList.toggle('dim', s.dim);
}

/** The pause hint under the Pausa button (pause.ts); hidden when there is nothing to say. */
export function renderPauseHint(ui: ConsoleUi, hint: PauseHint | null): void {
  ui.pauseHint.hidden = hint === null;
  setText(ui.pauseHint, hint?.text ?? '');
  if (ui.pauseHint.dataset.kind !== (hint?.kind ?? '')) ui.pauseHint.dataset.kind = hint?.kind ?? '';
}

export function renderConsole(ui: ConsoleUi, v: ConsoleViewModel | null, t: AgentDict): void {
  show(ui.waiting, v == null);
  if (v == null) {
    show(ui.noCall, false);
    show(ui.call, false);
    show(ui.escalate, false);
    show(ui.wrapup, false);
    return;
  }
  setText(ui.name, v.name);
  setText(ui.meta, v.meta);
  document.title = `${v.name} · ${v.stateLabel} — ${t.appName}`;

  // ---- state ----
  ui.state.dataset.state = v.state;
  setText(ui.stateLabel, v.stateLine);
  setText(ui.stateSince, v.since);
  show(ui.pending, v.pending != null);
  setText(ui.pending, v.pending ?? '');
  button(ui.btnAvailable, v.buttons.available);
  button(ui.btnAway, v.buttons.away);
  button(ui.btnOffline, v.buttons.offline);
  const reasonsKey = JSON.stringify(v.pauseReasons);
  if (reasonsKey !== ui.reasonsKey) {
    const keep = ui.pauseReason.value;
    ui.pauseReason.innerHTML = v.pauseReasons.map((r) => `<option value="${esc(r)}">${esc(r)}</option>`).join('');
    if (v.pauseReasons.includes(keep)) ui.pauseReason.value = keep;
    ui.reasonsKey = reasonsKey;
  }
  // Preselect the reason in effect when it changes (not while the agent picks one).
  const reasonFor = `${v.state}|${v.currentReason ?? ''}`;
  if (reasonFor !== ui.reasonFor) {
    if (v.currentReason && v.pauseReasons.includes(v.currentReason)) ui.pauseReason.value = v.currentReason;
    ui.reasonFor = reasonFor;
  }
  ui.pauseReason.disabled = !v.buttons.away.enabled || v.pauseReasons.length === 0;
  ui.device.dataset.softphone = String(v.softphone);
  ui.device.dataset.voice = v.voice;
  setText(ui.device, v.device);
  setText(ui.handled, v.handled);

  // ---- call ----
  const c = v.call;
  ui.callPanel.dataset.phase = c ? c.phase : 'none';
  show(ui.noCall, c == null);
  show(ui.call, c != null);
  if (c) {
    if (ui.formsFor !== c.id) {
      // A different call: fresh forms.
      ui.formsFor = c.id;
      ui.disposition.reset();
      ui.escalateNote.value = '';
    }
    setText(ui.callTitle, c.title);
    const badges = c.badges.map((b) => `<span class="badge b-${b.kind}">${esc(b.text)}</span>`).join('');
    if (ui.callBadges.dataset.src !== badges) {
      ui.callBadges.innerHTML = badges;
      ui.callBadges.dataset.src = badges;
    }
    setText(ui.callFrom, c.from);
    show(ui.callCallback, c.callback != null);
    setText(ui.callCallback, c.callback ?? '');
    show(ui.btnDropped, c.canMarkDropped);
    setText(ui.fQueue, c.queue);
    setText(ui.fPath, c.path);
    setText(ui.fProtocol, c.protocol);
    setText(ui.fPriority, c.priority);
    setText(ui.fWaitedLabel, c.waitedLabel);
    setText(ui.fWaited, c.waited);
    ui.fWaited.classList.toggle('ticking', c.ticking);
    setText(ui.fLanguage, c.language ?? '—');
    const notes = c.notes.length ? `<div class="label">${esc(t.notes)}</div><ul>${c.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
    if (ui.notes.dataset.src !== notes) {
      ui.notes.innerHTML = notes;
      ui.notes.dataset.src = notes;
    }
    show(ui.notes, c.notes.length > 0);
    show(ui.escalatedNote, c.escalatedNote != null);
    setText(ui.escalatedNote, c.escalatedNote ?? '');
  }

  // ---- recording: the indicator and pause/resume, only on a recorded call in progress ----
  const rec = v.recording;
  show(ui.recording, rec != null);
  ui.recording.dataset.status = rec?.status ?? '';
  setText(ui.recLabel, rec?.label ?? '');
  setText(ui.btnRecording, rec?.button ?? '');
  ui.btnRecording.dataset.action = rec?.action ?? '';

  // ---- escalate ----
  show(ui.escalate, v.escalate.length > 0);
  const escalateKey = v.escalate.map((e) => e.level).join(',');
  if (escalateKey !== ui.escalateKey) {
    ui.escalateButtons.innerHTML = v.escalate
      .map((e) => `<button type="button" class="escalate-btn" data-level="${e.level}">${esc(t.escalateTo(e.label))}</button>`)
      .join('');
    ui.escalateKey = escalateKey;
  }

  // ---- wrap-up ----
  show(ui.wrapup, v.wrapUp != null);
  if (v.wrapUp) {
    setText(ui.countdown, v.wrapUp.text);
    ui.countdown.dataset.remaining = v.wrapUp.remainingSeconds == null ? '' : String(v.wrapUp.remainingSeconds);
  }
  ui.btnReady.disabled = !v.buttons.ready;
  show(ui.disposition, v.disposition === 'form');
  show(ui.dispositionDone, v.disposition === 'saved' || v.disposition === 'already');
  ui.dispositionDone.dataset.kind = v.disposition;
  setText(ui.dispositionDone, v.disposition === 'already' ? t.dispositionAlready : v.disposition === 'saved' ? t.dispositionSaved : '');
}

/** Options of a picker, rebuilt only when the devices change (not while the agent has it open). */
function picker(el: HTMLSelectElement, p: AudioPicker | null, t: AgentDict): void {
  if (!p) return;
  const options = [{ id: '', label: t.systemDefault }, ...p.choices.filter((c) => c.id !== 'default')];
  const key = JSON.stringify(options);
  if (el.dataset.src !== key) {
    el.innerHTML = options.map((o) => `<option value="${esc(o.id)}">${esc(o.label)}</option>`).join('');
    el.dataset.src = key;
  }
  if (document.activeElement !== el && el.value !== p.value) el.value = p.value;
}

/** The softphone box (state panel) and the phone bar (call panel). */
export function renderVoice(ui: ConsoleUi, v: VoiceViewModel, t: AgentDict): void {
  show(ui.softphone, v.status != null);
  if (v.status) {
    ui.spStatus.dataset.kind = v.status.kind;
    setText(ui.spStatus, v.status.text);
  }
  picker(ui.spMic, v.microphone, t);
  ui.spMic.disabled = v.microphone == null;
  show(ui.spSpeakerRow, v.speaker != null);
  picker(ui.spSpeaker, v.speaker, t);

  const b = v.bar;
  show(ui.phoneBar, b != null);
  ui.phoneBar.dataset.phase = b?.phase ?? '';
  document.body.dataset.phone = b?.phase ?? '';
  if (!b) return;
  setText(ui.phoneText, b.text);
  show(ui.btnAnswer, b.canAnswer);
  show(ui.btnDecline, b.canAnswer);
  show(ui.btnMute, !b.canAnswer);
  show(ui.keypad, !b.canAnswer);
  show(ui.btnHangUp, !b.canAnswer);
  ui.btnMute.disabled = !b.canMute;
  ui.btnMute.classList.toggle('current', b.muted);
  ui.btnMute.setAttribute('aria-pressed', String(b.muted));
  ui.btnHangUp.disabled = !b.canHangUp;
  for (const k of Array.from(ui.keypad.querySelectorAll<HTMLButtonElement>('button'))) k.disabled = !b.canDial;
}

let toastTimer = 0;
export function toast(ui: ConsoleUi, text: string, kind: 'info' | 'error' = 'info', ms = 6000): void {
  ui.toast.textContent = text;
  ui.toast.dataset.kind = kind;
  ui.toast.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => { ui.toast.hidden = true; }, ms);
}
