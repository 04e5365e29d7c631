// What the console shows of the softphone (softphone.ts): its state under the state
// buttons, the microphone and speaker pickers, and the phone bar in the call panel
// (answer / decline while it rings, mute / keypad / hang up on the call). Pure: the
// words come from the dictionary; the caller and tier are the call card's (view.ts).

import type { ConsoleVoice } from '../../server/contract.ts';
import type { AgentDict } from './i18n.ts';
import type { AudioChoice, CallPhase, SoftphoneState } from './softphone.ts';

/** The keys of the DTMF keypad, in a phone's order. */
export const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

export interface SoftphoneStatus {
  kind: 'starting' | 'ready' | 'offline' | 'error';
  text: string;
}

export interface AudioPicker {
  choices: AudioChoice[];
  /** '' = the system default. */
  value: string;
}

export interface PhoneBar {
  phase: CallPhase;
  text: string;
  muted: boolean;
  canAnswer: boolean;
  canHangUp: boolean;
  canMute: boolean;
  canDial: boolean;
}

export interface VoiceViewModel {
  /** Null unless the voice is this page's softphone. */
  status: SoftphoneStatus | null;
  microphone: AudioPicker | null;
  /** Null where the browser cannot choose the speaker. */
  speaker: AudioPicker | null;
  bar: PhoneBar | null;
}

const NONE: VoiceViewModel = { status: null, microphone: null, speaker: null, bar: null };

function statusOf(s: SoftphoneState, t: AgentDict): SoftphoneStatus {
  const name = s.identity ? ` (“${s.identity}”)` : '';
  switch (s.registration) {
    case 'registered':
      return s.problem ? { kind: 'error', text: t.spProblem(s.problem) } : { kind: 'ready', text: `${t.spReady}${name}` };
    case 'unavailable':
      return { kind: 'error', text: t.spUnavailable(s.problem ?? '—') };
    case 'unregistered':
      return { kind: 'offline', text: s.problem ? `${t.spOffline} ${s.problem}` : t.spOffline };
    default:
      return { kind: 'starting', text: t.spStarting };
  }
}

function barOf(call: NonNullable<SoftphoneState['call']>, t: AgentDict): PhoneBar {
  const talking = call.phase === 'open' || call.phase === 'reconnecting';
  const text = call.phase === 'ringing' ? t.ringingHere(call.from)
    : call.phase === 'connecting' ? t.connectingCall
    : call.phase === 'reconnecting' ? t.reconnectingAudio
    : call.muted ? `${t.onCallHere} · ${t.micMuted}` : t.onCallHere;
  return {
    phase: call.phase, text, muted: call.muted,
    canAnswer: call.phase === 'ringing',
    canHangUp: call.phase !== 'ringing',
    canMute: talking,
    canDial: call.phase === 'open',
  };
}

/** `state` is null until the softphone has said anything (or when there is none). */
export function buildVoiceView(voice: ConsoleVoice, state: SoftphoneState | null, t: AgentDict): VoiceViewModel {
  if (voice !== 'softphone') return NONE;
  if (!state) return { ...NONE, status: { kind: 'starting', text: t.spStarting } };
  const audio = state.audio;
  return {
    status: statusOf(state, t),
    microphone: audio ? { choices: audio.inputs, value: audio.input ?? '' } : null,
    speaker: audio && audio.outputSelectable ? { choices: audio.outputs, value: audio.output ?? '' } : null,
    bar: state.call ? barOf(state.call, t) : null,
  };
}
