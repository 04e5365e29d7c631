// The console's softphone module (wallboard/agent/softphone.ts) and what the page shows
// of it (voice-view.ts), in node: the Voice SDK is replaced by a small fake Device at its
// one import, timers are the test's.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSoftphone, type SoftphoneState, type TokenAnswer } from '../../../wallboard/agent/softphone.ts';
import { en, pt } from '../../../wallboard/agent/i18n.ts';
import { buildVoiceView } from '../../../wallboard/agent/voice-view.ts';

type Handler = (...args: unknown[]) => void;
class Emitter {
  handlers = new Map<string, Handler[]>();
  on(e: string, fn: Handler) { this.handlers.set(e, [...(this.handlers.get(e) ?? []), fn]); return this; }
  emit(e: string, ...a: unknown[]) { for (const fn of this.handlers.get(e) ?? []) fn(...a); }
}
const sdk = vi.hoisted(() => ({ devices: [] as { token: string; updates: string[]; emit(e: string, ...a: unknown[]): void; destroyed: boolean }[], log: [] as string[] }));
vi.mock('@twilio/voice-sdk', () => {
  class FakeCall extends Emitter {
    constructor(public parameters: Record<string, string>) { super(); }
    accept() { sdk.log.push('accept'); this.emit('accept'); }
    reject() { sdk.log.push('reject'); this.emit('reject'); }
    disconnect() { sdk.log.push('disconnect'); this.emit('disconnect'); }
    mute(m: boolean) { sdk.log.push(`mute:${m}`); this.emit('mute', m); }
    sendDigits(d: string) { sdk.log.push(`digits:${d}`); }
  }
  class Device extends Emitter {
    updates: string[] = [];
    destroyed = false;
    audio = Object.assign(new Emitter(), {
      availableInputDevices: new Map(), availableOutputDevices: new Map(), isOutputSelectionSupported: false,
      incoming: () => true, setInputDevice: async () => {}, unsetInputDevice: async () => {},
    });
    constructor(public token: string) { super(); sdk.devices.push(this); }
    async register() { this.emit('registering'); this.emit('registered'); }
    updateToken(t: string) { this.updates.push(t); }
    destroy() { this.destroyed = true; }
    ring(from: string) { const c = new FakeCall({ From: from }); this.emit('incoming', c); return c; }
  }
  return { Device };
});

const ok = (token: string): TokenAnswer => ({ ok: true, body: { token, identity: 'ana', expiresAt: 0 } });
const timers: { fn: () => void; ms: number }[] = [];
const flush = () => new Promise((r) => setTimeout(r, 0));

function phone(answers: TokenAnswer[]) {
  const states: SoftphoneState[] = [];
  const p = createSoftphone({
    fetchToken: async () => answers.shift() ?? { ok: false, status: 0, message: 'Failed to fetch' },
    onState: (s) => states.push(s),
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
  });
  return { p, last: () => states.at(-1)!, device: () => sdk.devices.at(-1) as unknown as { ring(f: string): Emitter; updates: string[]; emit(e: string): void; destroyed: boolean } };
}

beforeEach(() => { sdk.devices.length = 0; sdk.log.length = 0; timers.length = 0; });

describe('softphone.ts', () => {
  it("a refusal (no API key) is shown in the server's words; the SDK is not even loaded, nothing retried", async () => {
    const { p, last } = phone([{ ok: false, status: 503, message: 'no softphone voice on this server: set TWILIO_API_KEY_SID…' }]);
    await p.start();
    expect(last()).toMatchObject({ registration: 'unavailable', problem: 'no softphone voice on this server: set TWILIO_API_KEY_SID…' });
    expect(sdk.devices).toHaveLength(0);
    expect(timers).toHaveLength(0);
  });

  it('an unreached server is tried again in 5 s; then it registers', async () => {
    const { p, last } = phone([{ ok: false, status: 0, message: 'Failed to fetch' }, ok('t1')]);
    await p.start();
    expect(timers.map((t) => t.ms)).toEqual([5000]);
    timers.shift()!.fn();
    await vi.waitFor(() => expect(last().registration).toBe('registered'));
    expect(last()).toMatchObject({ identity: 'ana', problem: null });
    expect(sdk.devices[0].token).toBe('t1');
  });

  it('tokenWillExpire: the next token is handed over; a failed fetch is retried', async () => {
    const { p, device } = phone([ok('t1'), { ok: false, status: 0, message: 'Failed to fetch' }, ok('t2')]);
    await p.start();
    device().emit('tokenWillExpire');
    await flush();
    expect(device().updates).toEqual([]);
    expect(timers.map((t) => t.ms)).toEqual([5000]);
    timers.shift()!.fn();
    await vi.waitFor(() => expect(device().updates).toEqual(['t2']));
  });

  it('rings, answers, mutes, dials, hangs up; a second call while busy is declined', async () => {
    const { p, last, device } = phone([ok('t1')]);
    await p.start();
    device().ring('+5511999990000');
    expect(last().call).toEqual({ phase: 'ringing', from: '+5511999990000', muted: false });
    p.setMuted(true);
    p.sendDigits('1');
    expect(sdk.log).toEqual([]); // nothing of that while it rings
    device().ring('+5511000000000');
    expect(sdk.log).toEqual(['reject']);
    expect(last().call?.from).toBe('+5511999990000');
    p.accept();
    await vi.waitFor(() => expect(last().call?.phase).toBe('open'));
    p.setMuted(true);
    p.sendDigits('#');
    expect(last().call?.muted).toBe(true);
    p.hangUp();
    expect(sdk.log).toEqual(['reject', 'accept', 'mute:true', 'digits:#', 'disconnect']);
    expect(last().call).toBeNull();
  });

  it('declining ends the ringing at once; stop() destroys the device', async () => {
    const { p, last, device } = phone([ok('t1')]);
    await p.start();
    device().ring('+5511999990000');
    p.reject();
    expect(last().call).toBeNull();
    p.stop();
    expect(device().destroyed).toBe(true);
  });
});

describe('voice-view.ts', () => {
  const base: SoftphoneState = { registration: 'registered', identity: 'ana', problem: null, call: null, audio: null };
  it('only a softphone voice shows anything', () => {
    for (const v of ['external', 'phone', 'simulated'] as const) expect(buildVoiceView(v, base, pt)).toEqual({ status: null, microphone: null, speaker: null, bar: null });
    expect(buildVoiceView('softphone', null, pt).status).toEqual({ kind: 'starting', text: 'Softphone: conectando…' });
  });

  it('states and the phone bar in each phase', () => {
    expect(buildVoiceView('softphone', base, pt).status).toEqual({ kind: 'ready', text: 'Softphone pronto (“ana”)' });
    expect(buildVoiceView('softphone', { ...base, registration: 'unregistered' }, en).status).toEqual({ kind: 'offline', text: 'Softphone disconnected: reconnecting…' });
    expect(buildVoiceView('softphone', { ...base, registration: 'unavailable', problem: 'x' }, en).status).toEqual({ kind: 'error', text: 'Softphone unavailable: x' });
    const ringing = buildVoiceView('softphone', { ...base, call: { phase: 'ringing', from: '+55', muted: false } }, pt).bar!;
    expect(ringing).toMatchObject({ text: 'Tocando no softphone: +55', canAnswer: true, canHangUp: false, canMute: false, canDial: false });
    const open = buildVoiceView('softphone', { ...base, call: { phase: 'open', from: '+55', muted: true } }, en).bar!;
    expect(open).toMatchObject({ text: 'On the call through the softphone · microphone muted', canAnswer: false, canHangUp: true, canMute: true, canDial: true });
  });
});
