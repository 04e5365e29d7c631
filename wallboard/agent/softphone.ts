// The agent's softphone: the ONE module of the console that uses Twilio's Voice
// JavaScript SDK (@twilio/voice-sdk, Twilio's own browser Voice client). Everything
// else sees the small interface below, never a Device or a Call; the end-to-end test
// builds the page with that one import aliased to a test double (test/e2e/softphone.test.ts).
//
// What it relies on (Voice JS SDK 2.x: https://www.twilio.com/docs/voice/sdks/javascript/twiliodevice
// and .../twiliocall, the SDK's own .d.ts):
// - `new Device(token, options)`, `device.register()`; events 'registering', 'registered',
//   'unregistered', 'error' (a TwilioError: code, message), 'incoming' (a Call).
// - 'tokenWillExpire' fires `tokenRefreshMs` (10 s by default) before the Access Token expires;
//   `device.updateToken(token)` hands over the next one (GET /api/agent/voice-token).
// - `call.accept()`, `call.reject()` (Twilio reports the agent leg busy/no-answer to the <Dial>
//   action: a missed offer for the routing core), `call.disconnect()`, `call.mute(bool)`,
//   `call.sendDigits('1')`; events 'accept', 'disconnect', 'cancel' (the caller or Twilio gave up
//   ringing), 'reject', 'mute', 'reconnecting', 'reconnected', 'error'; `call.parameters.From`.
// - `device.audio`: `incoming(true)` keeps the SDK's ring sound on; `availableInputDevices` /
//   `availableOutputDevices` (Maps by deviceId), `setInputDevice(id)` before `accept()` and
//   `unsetInputDevice()` after the call (the SDK's advice: the mic is released between calls),
//   `speakerDevices.set(id)` / `ringtoneDevices.set(id)` where `isOutputSelectionSupported`;
//   'deviceChange' when a headset comes or goes.
// The SDK is loaded on demand (a separate chunk): phone agents and demo mode never fetch it.
import type { Call, Device } from '@twilio/voice-sdk';

export type Registration = 'starting' | 'registering' | 'registered' | 'unregistered' | 'unavailable';
export type CallPhase = 'ringing' | 'connecting' | 'open' | 'reconnecting';

export interface AudioChoice { id: string; label: string }

export interface AudioDevices {
  inputs: AudioChoice[];
  outputs: AudioChoice[];
  /** The chosen ones; null = the system default. */
  input: string | null;
  output: string | null;
  /** The browser can route audio to a chosen speaker (setSinkId). */
  outputSelectable: boolean;
}

export interface SoftphoneState {
  registration: Registration;
  /** The Twilio Client identity the token is for (what Atende dials). */
  identity: string | null;
  /** The last problem worth showing, in the server's or the SDK's words; null when fine. */
  problem: string | null;
  call: { phase: CallPhase; from: string; muted: boolean } | null;
  /** Null until the SDK is loaded. */
  audio: AudioDevices | null;
}

/** The console API's answer (api.ts Result) to GET /api/agent/voice-token. */
export type TokenAnswer =
  | { ok: true; body: { token: string; identity: string; expiresAt: number } }
  | { ok: false; status: number; message: string };

export interface SoftphoneDeps {
  fetchToken: () => Promise<TokenAnswer>;
  onState: (state: SoftphoneState) => void;
  /** A call starts ringing here (the SDK rings by itself). */
  onIncoming?: (from: string) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Softphone {
  /** Fetches a token, loads the SDK and registers; resolves once registration is under way. */
  start(): Promise<void>;
  accept(): void;
  reject(): void;
  hangUp(): void;
  setMuted(muted: boolean): void;
  sendDigits(digits: string): void;
  chooseInput(deviceId: string): Promise<void>;
  chooseOutput(deviceId: string): Promise<void>;
  /** Unregisters and lets go of everything (sign-out, another agent, contact changed). */
  stop(): void;
  state(): SoftphoneState;
}

/** After a failed token fetch (network), try again this soon. */
const TOKEN_RETRY_MS = 5_000;

const problemOf = (err: unknown): string => {
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown };
    const msg = typeof e.message === 'string' && e.message ? e.message : String(err);
    return typeof e.code === 'number' && !msg.includes(String(e.code)) ? `${msg} (${e.code})` : msg;
  }
  return String(err);
};

export function createSoftphone(deps: SoftphoneDeps): Softphone {
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let state: SoftphoneState = { registration: 'starting', identity: null, problem: null, call: null, audio: null };
  let device: Device | null = null;
  let current: Call | null = null;
  let chosenInput: string | null = null;
  let chosenOutput: string | null = null;
  let retry: unknown = null;
  let stopped = false;

  const publish = (patch: Partial<SoftphoneState>): void => {
    if (stopped) return;
    state = { ...state, ...patch };
    deps.onState(state);
  };
  const updateCall = (patch: Partial<NonNullable<SoftphoneState['call']>>): void => {
    if (state.call) publish({ call: { ...state.call, ...patch } });
  };

  const audioOf = (): AudioDevices | null => {
    const audio = device?.audio;
    if (!audio) return null;
    const list = (m: Map<string, MediaDeviceInfo>, fallback: string): AudioChoice[] =>
      Array.from(m.values()).map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    return {
      inputs: list(audio.availableInputDevices, 'mic'),
      outputs: list(audio.availableOutputDevices, 'out'),
      input: chosenInput,
      output: chosenOutput,
      outputSelectable: audio.isOutputSelectionSupported,
    };
  };

  /** A fresh token, or the HTTP status of the refusal (0: the server was not reached). */
  const token = async (): Promise<{ token: string } | { status: number }> => {
    const r = await deps.fetchToken();
    if (!r.ok) {
      publish({ problem: r.message || `HTTP ${r.status}` });
      return { status: r.status };
    }
    publish({ identity: r.body.identity });
    return { token: r.body.token };
  };

  /** 'tokenWillExpire': the next token before this one runs out; on failure, again shortly. */
  const refresh = async (): Promise<void> => {
    if (retry !== null) { clearTimer(retry); retry = null; }
    const next = await token();
    if (stopped || !device) return;
    if ('token' in next) {
      device.updateToken(next.token);
      publish({ problem: null });
    } else {
      retry = setTimer(() => { retry = null; void refresh(); }, TOKEN_RETRY_MS);
    }
  };

  const take = (call: Call): void => {
    if (current) {
      // One call at a time: Twilio then treats this one as not answered here.
      call.reject();
      return;
    }
    current = call;
    const forget = () => {
      if (current !== call) return;
      current = null;
      publish({ call: null });
      // Let go of the microphone between calls (the browser's recording indicator goes out).
      void device?.audio?.unsetInputDevice().catch(() => {});
    };
    call.on('accept', () => { if (current === call) updateCall({ phase: 'open' }); });
    call.on('reconnecting', () => { if (current === call) updateCall({ phase: 'reconnecting' }); });
    call.on('reconnected', () => { if (current === call) updateCall({ phase: 'open' }); });
    call.on('mute', (muted: boolean) => { if (current === call) updateCall({ muted }); });
    call.on('cancel', forget);
    call.on('reject', forget);
    call.on('disconnect', forget);
    call.on('error', (err: unknown) => publish({ problem: problemOf(err) }));
    const from = call.parameters?.From ?? '';
    publish({ call: { phase: 'ringing', from, muted: false } });
    deps.onIncoming?.(from);
  };

  const softphone: Softphone = {
    async start() {
      const first = await token();
      if (stopped) return;
      if (!('token' in first)) {
        publish({ registration: 'unavailable' });
        // Only an unreached server is worth another try; a refusal (503, 409, 401…) stays until the page reloads.
        if (first.status === 0) retry = setTimer(() => { retry = null; if (!stopped) void softphone.start(); }, TOKEN_RETRY_MS);
        return;
      }
      const { Device: SdkDevice } = await import('@twilio/voice-sdk');
      if (stopped) return;
      const d = new SdkDevice(first.token, {
        appName: 'atende-agent-console',
        // A tab closed by mistake would drop the caller: the browser asks first.
        closeProtection: true,
        codecPreferences: ['opus', 'pcmu'] as Call.Codec[],
      });
      device = d;
      d.on('registering', () => publish({ registration: 'registering' }));
      d.on('registered', () => publish({ registration: 'registered', problem: null }));
      d.on('unregistered', () => publish({ registration: 'unregistered' }));
      d.on('error', (err: unknown) => publish({ problem: problemOf(err) }));
      d.on('tokenWillExpire', () => { void refresh(); });
      d.on('incoming', take);
      d.audio?.incoming(true);
      d.audio?.on('deviceChange', () => publish({ audio: audioOf() }));
      publish({ registration: 'registering', audio: audioOf() });
      try {
        await d.register();
      } catch (err) {
        publish({ registration: 'unregistered', problem: problemOf(err) });
      }
    },
    accept() {
      const call = current;
      if (!call || state.call?.phase !== 'ringing') return;
      updateCall({ phase: 'connecting' });
      const input = chosenInput ? device?.audio?.setInputDevice(chosenInput) : undefined;
      void Promise.resolve(input).catch((err: unknown) => publish({ problem: problemOf(err) })).then(() => {
        if (current === call) call.accept();
      });
    },
    reject() {
      const call = current;
      if (!call || state.call?.phase !== 'ringing') return;
      call.reject();
      if (current === call) { current = null; publish({ call: null }); }
    },
    hangUp() {
      current?.disconnect();
    },
    setMuted(muted) {
      if (current && state.call && state.call.phase !== 'ringing') current.mute(muted);
    },
    sendDigits(digits) {
      if (current && state.call?.phase === 'open') current.sendDigits(digits);
    },
    async chooseInput(deviceId) {
      chosenInput = deviceId || null;
      publish({ audio: audioOf() });
      // On a call the new microphone takes over at once; otherwise at the next accept().
      if (chosenInput && current && state.call?.phase !== 'ringing') {
        await device?.audio?.setInputDevice(chosenInput).catch((err: unknown) => publish({ problem: problemOf(err) }));
      }
    },
    async chooseOutput(deviceId) {
      const audio = device?.audio;
      if (!audio || !audio.isOutputSelectionSupported) return;
      chosenOutput = deviceId || null;
      const target = chosenOutput ?? 'default';
      // The ring and the voice come out of the same speaker.
      await Promise.all([audio.speakerDevices.set(target), audio.ringtoneDevices.set(target)])
        .catch((err: unknown) => publish({ problem: problemOf(err) }));
      publish({ audio: audioOf() });
    },
    stop() {
      if (retry !== null) clearTimer(retry);
      retry = null;
      stopped = true;
      current = null;
      device?.destroy();
      device = null;
    },
    state: () => state,
  };
  return softphone;
}
