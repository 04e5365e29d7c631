// A test double of @twilio/voice-sdk for the browser under test. The softphone test
// builds the console with Vite aliasing '@twilio/voice-sdk' to this file, so the one
// module that wraps the SDK (wallboard/agent/softphone.ts) gets this Device instead:
// the real SDK cannot reach Twilio from here (no network but the loopback). It keeps
// the SDK's surface that softphone.ts uses, records what the page asked of it, and lets
// the test play Twilio's part through `window.__softphoneDouble` (ring the device,
// expire the token, hang up from the far end).

type Handler = (...args: unknown[]) => void;

class Emitter {
  private readonly handlers = new Map<string, Handler[]>();
  on(event: string, fn: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
}

/** Everything the page asked of the SDK, in order ("accept", "mute:true", "digits:5", …). */
const log: string[] = [];
const devices: Device[] = [];

export class Call extends Emitter {
  private muted = false;
  constructor(readonly parameters: Record<string, string>) { super(); }
  accept(): void { log.push('accept'); this.emit('accept', this); }
  reject(): void { log.push('reject'); this.emit('reject'); }
  disconnect(): void { log.push('disconnect'); this.emit('disconnect', this); }
  mute(shouldMute = true): void { this.muted = shouldMute; log.push(`mute:${shouldMute}`); this.emit('mute', shouldMute, this); }
  isMuted(): boolean { return this.muted; }
  sendDigits(digits: string): void { log.push(`digits:${digits}`); }
}

const mediaDevice = (deviceId: string, label: string, kind: MediaDeviceKind) => ({ deviceId, label, kind, groupId: deviceId, toJSON: () => ({}) }) as MediaDeviceInfo;

class OutputDevices {
  private chosen = 'default';
  constructor(private readonly name: string) {}
  async set(id: string): Promise<void> { this.chosen = id; log.push(`${this.name}:${id}`); }
  get(): Set<MediaDeviceInfo> { return new Set([mediaDevice(this.chosen, this.chosen, 'audiooutput')]); }
}

class AudioHelper extends Emitter {
  availableInputDevices = new Map([
    ['default', mediaDevice('default', 'Padrão', 'audioinput')],
    ['headset-mic', mediaDevice('headset-mic', 'Headset USB (microfone)', 'audioinput')],
  ]);
  availableOutputDevices = new Map([
    ['default', mediaDevice('default', 'Padrão', 'audiooutput')],
    ['headset-out', mediaDevice('headset-out', 'Headset USB (fones)', 'audiooutput')],
  ]);
  isOutputSelectionSupported = true;
  speakerDevices = new OutputDevices('speaker');
  ringtoneDevices = new OutputDevices('ringtone');
  private ring = false;
  incoming(on?: boolean): boolean { if (on !== undefined) { this.ring = on; log.push(`ring-sound:${on}`); } return this.ring; }
  async setInputDevice(id: string): Promise<void> { log.push(`input:${id}`); }
  async unsetInputDevice(): Promise<void> { log.push('input:released'); }
}

export class Device extends Emitter {
  readonly audio = new AudioHelper();
  state = 'unregistered';
  current: Call | null = null;
  constructor(public token: string, readonly options: Record<string, unknown>) {
    super();
    devices.push(this);
    log.push('new-device');
  }
  async register(): Promise<void> {
    log.push('register');
    this.state = 'registering';
    this.emit('registering');
    this.state = 'registered';
    this.emit('registered');
  }
  updateToken(token: string): void { this.token = token; log.push('update-token'); }
  destroy(): void { this.state = 'destroyed'; log.push('destroy'); this.emit('destroyed'); }
}

/** The test's handle, as Twilio would act on the device. */
const control = {
  log,
  devices,
  /** The JWT the last Device holds, its claims decoded. */
  claims(): Record<string, unknown> | null {
    const d = devices.at(-1);
    return d ? JSON.parse(atob(d.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) : null;
  },
  state: () => devices.at(-1)?.state ?? 'none',
  /** Twilio rings the registered identity: the SDK's 'incoming'. */
  ring(parameters: Record<string, string>): void {
    const d = devices.at(-1);
    if (!d || d.state !== 'registered') throw new Error(`no registered device (${d?.state ?? 'none'})`);
    const call = new Call(parameters);
    call.on('disconnect', () => { if (d.current === call) d.current = null; });
    d.current = call;
    d.emit('incoming', call);
  },
  /** 10 s before the token runs out, the SDK says so. */
  expireSoon(): void { const d = devices.at(-1); d?.emit('tokenWillExpire', d); },
  /** The caller hung up: the SDK reports the call disconnected. */
  farEndHangsUp(): void { const c = devices.at(-1)?.current; c?.emit('disconnect', c); },
};

(window as unknown as { __softphoneDouble: typeof control }).__softphoneDouble = control;
