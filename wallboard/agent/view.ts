// What the console shows, from one AgentConsoleView. Pure: no DOM, no clock
// (the caller passes the estimated server time). Every word comes from the
// dictionary; server text is passed through untouched (render.ts escapes it).

import type { AgentConsoleView, AgentStatus, CallStatus, ConsoleCall, ConsoleVoice } from '../../server/contract.ts';
import { duration, tierLabel } from '../src/format.ts';
import type { AgentDict } from './i18n.ts';

export interface ButtonView {
  enabled: boolean;
  /** The agent is in (or is heading to) this state: shown pressed. */
  current: boolean;
}

export interface Buttons {
  available: ButtonView;
  away: ButtonView;
  offline: ButtonView;
  ready: boolean;
}

type CallPhase = 'offered' | 'in-progress' | 'wrap-up' | 'escalated' | 'other';

interface Badge { kind: 'vip' | 'repeat' | 'escalated' | 'callback'; text: string }

interface CallCard {
  id: string;
  phase: CallPhase;
  title: string;
  statusLabel: string;
  from: string;
  /** The SAC protocol number, to confirm with the caller; '—' without one. */
  protocol: string;
  /** A callback: "Retorno para +55… · pedido de retorno" (who and why); null for a call on the line. */
  callback: string | null;
  /** The agent may say the line dropped on the company's side (talking, or wrapping up a call answered). */
  canMarkDropped: boolean;
  path: string;
  queue: string;
  priority: string;
  waitedLabel: string;
  waited: string;
  /** The wait still grows (waiting or ringing): the page ticks it every second. */
  ticking: boolean;
  badges: Badge[];
  language: string | null;
  notes: string[];
  /** While escalated away: "Chamada escalada para N2: …". */
  escalatedNote: string | null;
}

type DispositionState = 'form' | 'saved' | 'already' | 'hidden';

interface WrapUpView {
  /** Whole seconds left, null when wrap-up lasts until "ready". */
  remainingSeconds: number | null;
  text: string;
}

export interface ConsoleViewModel {
  agentId: string;
  name: string;
  state: AgentStatus;
  stateLabel: string;
  /** "Pausa · almoço". */
  stateLine: string;
  since: string;
  pending: string | null;
  meta: string;
  handled: string;
  softphone: boolean;
  voice: ConsoleVoice;
  device: string;
  buttons: Buttons;
  pauseReasons: string[];
  /** The reason currently in effect (away, or a pending away), to preselect. */
  currentReason: string | null;
  call: CallCard | null;
  escalate: { level: number; label: string }[];
  wrapUp: WrapUpView | null;
  disposition: DispositionState;
  /** While the agent talks on a call Twilio records: the indicator and the pause/resume button. */
  recording: RecordingView | null;
}

interface RecordingView {
  status: 'in-progress' | 'paused';
  /** "Gravando" / "Gravação pausada". */
  label: string;
  /** What the button does, and its text ("Pausar gravação" / "Retomar gravação"). */
  action: 'pause' | 'resume';
  button: string;
}

/** What the page itself remembers about a call (the server view does not say). */
export interface LocalCallState {
  disposition?: 'saved' | 'already';
}

const KNOWN_STATES: AgentStatus[] = ['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'away'];
const KNOWN_CALL: CallStatus[] = ['ivr', 'queued', 'offering', 'connected', 'ended'];

const stateName = (s: string): AgentStatus => (KNOWN_STATES.includes(s as AgentStatus) ? (s as AgentStatus) : 'offline');

/**
 * Which state buttons work in each state. On a call a change is kept as
 * pending by the server (applied when the call ends), so Pausa and Sair stay
 * usable; Disponível only to take back a pending change. In wrap-up "Pronto"
 * is the way back to available; Pausa/Sair end wrap-up into that state.
 */
export function buttonsFor(state: string, pending: { state: string } | null): Buttons {
  const s = stateName(state);
  const heading = s === 'on-call' && pending ? pending.state : s;
  const b = (enabled: boolean, current: boolean): ButtonView => ({ enabled, current });
  switch (s) {
    case 'offline':
      return { available: b(true, false), away: b(true, false), offline: b(false, true), ready: false };
    case 'available':
      return { available: b(false, true), away: b(true, false), offline: b(true, false), ready: false };
    case 'away':
      // Pausa stays on: choosing another reason is a new pause.
      return { available: b(true, false), away: b(true, true), offline: b(true, false), ready: false };
    case 'ringing':
      // Pausa/Sair turn the offer down (the caller goes back to the head of the queue).
      return { available: b(false, false), away: b(true, false), offline: b(true, false), ready: false };
    case 'on-call':
      return {
        available: b(pending != null && pending.state !== 'available', heading === 'available'),
        away: b(true, heading === 'away'),
        offline: b(heading !== 'offline', heading === 'offline'),
        ready: false,
      };
    case 'wrap-up':
      return { available: b(false, false), away: b(true, false), offline: b(true, false), ready: true };
  }
}

/** Whole seconds of wrap-up left at `serverNow`; null when it lasts until "ready". */
export function wrapUpRemaining(wrapUpEndsAt: number | null, serverNow: number): number | null {
  if (wrapUpEndsAt == null) return null;
  return Math.max(0, Math.ceil((wrapUpEndsAt - serverNow) / 1000));
}

export function wrapUpText(remaining: number | null, t: AgentDict): string {
  return remaining == null ? t.wrapUpUntilReady : t.wrapUpEndsIn(duration(remaining));
}

/** "Português (Brasil)" for "pt-BR", in the page's language; the tag itself if Intl cannot. */
export function languageName(tag: string | null, t: AgentDict): string | null {
  if (!tag) return null;
  try {
    const name = new Intl.DisplayNames([t.locale], { type: 'language' }).of(tag);
    return name ? name.charAt(0).toLocaleUpperCase(t.locale) + name.slice(1) : tag;
  } catch {
    return tag;
  }
}

function badgesOf(call: ConsoleCall, t: AgentDict): Badge[] {
  const out: Badge[] = [];
  if (call.vip) out.push({ kind: 'vip', text: t.badgeVip });
  if (call.repeatCaller) out.push({ kind: 'repeat', text: t.badgeRepeat });
  if (call.escalations > 0) out.push({ kind: 'escalated', text: t.badgeEscalated(call.escalations) });
  if (call.callback) out.push({ kind: 'callback', text: t.badgeCallback });
  return out;
}

/** "P1 · Cliente VIP": the tier and the rule that set it. */
function priorityText(call: ConsoleCall): string {
  const p = tierLabel(call.tier);
  return call.tierLabel ? `${p} · ${call.tierLabel}` : p;
}

function phaseOf(state: AgentStatus, call: ConsoleCall): CallPhase {
  if (state === 'ringing') return 'offered';
  if (state === 'on-call') return 'in-progress';
  if (state === 'wrap-up') return call.status === 'ended' ? 'wrap-up' : 'escalated';
  return 'other';
}

/** Only on this agent's call in progress, and only while Twilio records it (in progress or paused). */
function recordingOf(state: AgentStatus, c: ConsoleCall | null, t: AgentDict): RecordingView | null {
  const status = c?.recording?.status;
  if (state !== 'on-call' || c?.status !== 'connected' || (status !== 'in-progress' && status !== 'paused')) return null;
  return status === 'paused'
    ? { status, label: t.recordingPaused, action: 'resume', button: t.recordingResume }
    : { status, label: t.recordingOn, action: 'pause', button: t.recordingPause };
}

/** Where the agent's voice comes from (the softphone's live state is voice-view.ts's). */
function deviceText(a: AgentConsoleView['agent'], contactName: string, t: AgentDict): string {
  switch (a.voice) {
    case 'softphone': return t.softphoneHere(contactName);
    case 'simulated': return t.voiceSimulated;
    case 'phone': return a.contact ? t.phoneRings(a.contact) : t.noContact;
    default: return t.softphone(contactName);
  }
}

/**
 * The whole console from one view. `serverNow`: the server's clock now as the
 * page estimates it (frozen by the caller once the feed is stale), so waits,
 * time in state and the wrap-up countdown tick between frames.
 */
export function buildConsoleView(
  v: AgentConsoleView,
  serverNow: number,
  t: AgentDict,
  local: LocalCallState = {},
): ConsoleViewModel {
  const a = v.agent;
  const state = stateName(a.state);
  const elapsed = Math.max(0, (serverNow - v.serverTime) / 1000);
  // A pending "available" is what happens after a call anyway: nothing to say.
  const pendingWhat = a.pending && a.pending.state !== 'available'
    ? a.pending.state === 'away' && a.pending.reason
      ? `${t.state.away} (${a.pending.reason})`
      : t.state[stateName(a.pending.state)]
    : null;

  let call: CallCard | null = null;
  const c = v.call;
  if (c) {
    const phase = phaseOf(state, c);
    const ticking = c.waitedSeconds != null && (c.status === 'queued' || c.status === 'offering');
    const waited = c.waitedSeconds == null ? null : c.waitedSeconds + (ticking ? elapsed : 0);
    const status = KNOWN_CALL.includes(c.status) ? t.callStatus[c.status] : c.status;
    call = {
      id: c.id,
      phase,
      title: phase === 'offered' ? (c.callback && !c.callback.reached ? t.callbackOfferedTitle : t.offeredTitle) : phase === 'in-progress' ? t.inProgressTitle : phase === 'wrap-up' ? t.wrapUpTitle : status,
      statusLabel: status,
      from: c.from || '—',
      protocol: c.protocol || '—',
      callback: c.callback ? t.callbackLine(c.callback.number, c.callback.origin, c.callback.attempt) : null,
      canMarkDropped: (phase === 'in-progress' || phase === 'wrap-up') && (c.callback == null || c.callback.reached),
      path: c.ivrLabels.length ? c.ivrLabels.join(' › ') : '—',
      queue: c.queueName ?? c.queue ?? '—',
      priority: priorityText(c),
      waitedLabel: ticking ? t.waitingNow : t.waited,
      waited: duration(waited),
      ticking,
      badges: badgesOf(c, t),
      language: languageName(c.language, t),
      notes: c.notes.filter((n) => n.trim() !== ''),
      // Back in the queue while the agent wraps up: escalated, or a drop now waiting as a callback.
      escalatedNote: phase !== 'escalated' ? null : c.callback?.origin === 'dropped' && !c.callback.reached ? t.droppedAway : t.escalatedAway(t.levelLabel(c.level)),
    };
  }

  const inWrapUp = state === 'wrap-up';
  const remaining = inWrapUp ? wrapUpRemaining(a.wrapUpEndsAt, serverNow) : null;
  let disposition: DispositionState = 'hidden';
  if (inWrapUp && c && c.status === 'ended') {
    disposition = c.resolvedFirstContact != null || local.disposition === 'saved' ? 'saved' : local.disposition === 'already' ? 'already' : 'form';
  }

  const contactName = (a.contact ?? `client:${a.id}`).replace(/^client:/, '');
  return {
    agentId: a.id,
    name: a.name,
    state,
    stateLabel: t.state[state],
    stateLine: state === 'away' && a.reason ? `${t.state.away} · ${a.reason}` : t.state[state],
    since: t.stateFor(duration(a.stateSeconds + elapsed)),
    pending: pendingWhat ? (state === 'wrap-up' ? t.pendingAfterWrapUp(pendingWhat) : t.pendingAfterCall(pendingWhat)) : null,
    meta: t.levelSkills(a.level, a.skills.join(', ')),
    handled: t.callsHandled(String(a.callsHandled)),
    softphone: a.softphone,
    voice: a.voice,
    device: deviceText(a, contactName, t),
    buttons: buttonsFor(state, a.pending),
    pauseReasons: v.pauseReasons,
    currentReason: state === 'away' ? a.reason : a.pending?.state === 'away' ? a.pending.reason : null,
    call,
    // Only while this agent talks to the caller: after an escalation the call
    // is queued again (the server would still list levels for it).
    escalate: state === 'on-call' && c?.status === 'connected' ? v.escalateTo.map((level) => ({ level, label: t.levelLabel(level) })) : [],
    wrapUp: inWrapUp ? { remainingSeconds: remaining, text: wrapUpText(remaining, t) } : null,
    disposition,
    recording: recordingOf(state, c, t),
  };
}
