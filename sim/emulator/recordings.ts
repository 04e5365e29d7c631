// Recordings as Twilio makes them for a <Dial record> (twilio.com/docs/voice/twiml/dial#record,
// twilio.com/docs/voice/api/recording):
// - `record-from-answer[-dual]` / `record-from-ringing[-dual]` start a recording (RE… sid)
//   owned by the call that runs the <Dial> (the parent leg), with 2 channels for `-dual`;
//   the emulator starts it when the bridge starts (the whisper is the agent's alone);
// - the REST Recording resource of that call pauses it (Status=paused, PauseBehavior=skip
//   leaves the paused time out of the file, `silence`, Twilio's default, keeps it as silence)
//   and resumes it (Status=in-progress); `Twilio.CURRENT` names the call's active recording;
// - when the bridge ends it is processed and `completed` (or `absent` when nothing was
//   recorded), and the recordingStatusCallback is posted for the events asked for
//   (recordingStatusCallbackEvent: in-progress, completed, absent; default completed) with
//   AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus, RecordingDuration,
//   RecordingChannels, RecordingStartTime, RecordingSource=DialVerb, RecordingTrack (and
//   ErrorCode=16101 for an absent one), signed like every webhook.
import type { EmulatedClock } from './clock.ts';
import { newSid } from './queues.ts';

export type RecordingStatus = 'in-progress' | 'paused' | 'stopped' | 'processing' | 'completed' | 'absent' | 'deleted';

/** What a test (or a live runner) can read of a recording. */
export interface RecordingInfo {
  sid: string;
  callSid: string;
  status: RecordingStatus;
  channels: number;
  /** Emulated seconds in the file (paused time left out with PauseBehavior=skip). */
  durationSeconds: number;
  /** Emulated seconds spent paused. */
  pausedSeconds: number;
  /** REST updates it received, in order (Status and PauseBehavior). */
  updates: { status: string; pauseBehavior: string | null }[];
}

export interface RecordingCallback {
  url: string;
  method: 'POST' | 'GET';
  events: Set<string>;
}

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

export class Recording {
  readonly sid = newSid('RE');
  status: RecordingStatus = 'in-progress';
  readonly startedAt: number;
  /** Emulated ms in the file so far, and since when it has been running (null while paused or over). */
  private keptMs = 0;
  private runningSince: number | null;
  private pausedSince: number | null = null;
  private pauseSkips = false;
  private pausedMs = 0;
  readonly updates: RecordingInfo['updates'] = [];

  constructor(
    readonly callSid: string,
    readonly channels: number,
    private readonly clock: EmulatedClock,
    private readonly accountSid: string,
    readonly callback: RecordingCallback | null,
  ) {
    this.startedAt = clock.now();
    this.runningSince = this.startedAt;
  }

  get live(): boolean { return this.status === 'in-progress' || this.status === 'paused'; }

  /** REST update; an error message when Twilio would refuse it. */
  update(status: string, pauseBehavior: string | null): string | null {
    if (!this.live) return `Recording ${this.sid} is ${this.status}: its status cannot be changed`;
    if (status !== 'paused' && status !== 'in-progress' && status !== 'stopped') return `Status must be paused, in-progress or stopped, not ${status}`;
    if (pauseBehavior !== null && pauseBehavior !== 'skip' && pauseBehavior !== 'silence') return `PauseBehavior must be skip or silence, not ${pauseBehavior}`;
    this.updates.push({ status, pauseBehavior });
    const now = this.clock.now();
    if (status === 'paused' && this.status === 'in-progress') {
      this.settle(now);
      this.runningSince = null;
      this.pausedSince = now;
      this.pauseSkips = (pauseBehavior ?? 'silence') === 'skip';
      this.status = 'paused';
    } else if (status === 'in-progress' && this.status === 'paused') {
      this.endPause(now);
      this.runningSince = now;
      this.status = 'in-progress';
    } else if (status === 'stopped') {
      this.stop();
    }
    return null;
  }

  /** The recording ends (the bridge is over, or Status=stopped): processed, then completed or absent. */
  stop(): void {
    if (!this.live) return;
    const now = this.clock.now();
    this.settle(now);
    this.endPause(now);
    this.runningSince = null;
    this.status = this.durationSeconds() >= 1 ? 'completed' : 'absent';
  }

  durationSeconds(): number {
    const running = this.runningSince === null ? 0 : this.clock.now() - this.runningSince;
    const silent = this.pausedSince !== null && !this.pauseSkips ? this.clock.now() - this.pausedSince : 0;
    return Math.round((this.keptMs + running + silent) / 1000);
  }

  info(): RecordingInfo {
    const paused = this.pausedMs + (this.pausedSince === null ? 0 : this.clock.now() - this.pausedSince);
    return {
      sid: this.sid, callSid: this.callSid, status: this.status, channels: this.channels,
      durationSeconds: this.durationSeconds(), pausedSeconds: Math.round(paused / 1000), updates: [...this.updates],
    };
  }

  get mediaUrl(): string {
    return `https://api.twilio.com/2010-04-01/Accounts/${this.accountSid}/Recordings/${this.sid}`;
  }

  /** The recordingStatusCallback's parameters for the current status. */
  callbackParams(): Record<string, string> {
    return {
      AccountSid: this.accountSid, CallSid: this.callSid, RecordingSid: this.sid, RecordingUrl: this.mediaUrl,
      RecordingStatus: this.status, RecordingDuration: this.live ? '-1' : String(this.durationSeconds()),
      RecordingChannels: String(this.channels), RecordingStartTime: rfc2822(this.startedAt),
      RecordingSource: 'DialVerb', RecordingTrack: 'both',
      ...(this.status === 'absent' ? { ErrorCode: '16101' } : {}),
    };
  }

  /** The Recording resource's JSON, as Twilio answers it. */
  json(): Record<string, unknown> {
    const now = this.clock.now();
    return {
      sid: this.sid, account_sid: this.accountSid, call_sid: this.callSid, conference_sid: null,
      status: this.status, channels: this.channels, source: 'DialVerb', track: 'both',
      start_time: rfc2822(this.startedAt), date_created: rfc2822(this.startedAt), date_updated: rfc2822(now),
      duration: this.live ? '-1' : String(this.durationSeconds()), price: null, price_unit: 'USD', error_code: this.status === 'absent' ? 16101 : null,
      api_version: '2010-04-01', encryption_details: null,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${this.callSid}/Recordings/${this.sid}.json`,
    };
  }

  private settle(now: number): void {
    if (this.runningSince !== null) this.keptMs += now - this.runningSince;
    this.runningSince = now;
  }

  private endPause(now: number): void {
    if (this.pausedSince === null) return;
    const paused = now - this.pausedSince;
    this.pausedMs += paused;
    if (!this.pauseSkips) this.keptMs += paused;
    this.pausedSince = null;
  }
}

/** Every recording the emulator made, by sid and by the call that owns it. */
export class Recordings {
  private readonly bySid = new Map<string, Recording>();
  private readonly byCall = new Map<string, Recording[]>();

  add(r: Recording): void {
    this.bySid.set(r.sid, r);
    const list = this.byCall.get(r.callSid) ?? [];
    list.push(r);
    this.byCall.set(r.callSid, list);
  }

  get(sid: string): Recording | undefined { return this.bySid.get(sid); }

  ofCall(callSid: string): Recording[] { return this.byCall.get(callSid) ?? []; }

  /** `Twilio.CURRENT`: the call's recording still going (in progress or paused). */
  current(callSid: string): Recording | undefined {
    const list = this.ofCall(callSid);
    for (let i = list.length - 1; i >= 0; i--) if (list[i].live) return list[i];
    return undefined;
  }

  delete(sid: string): boolean {
    const r = this.bySid.get(sid);
    if (!r) return false;
    this.bySid.delete(sid);
    const list = this.ofCall(r.callSid).filter((x) => x !== r);
    if (list.length) this.byCall.set(r.callSid, list);
    else this.byCall.delete(r.callSid);
    r.status = 'deleted';
    return true;
  }

  all(): RecordingInfo[] { return [...this.bySid.values()].map((r) => r.info()); }
}
