// One inbound call, run as Twilio runs it: fetch TwiML, execute its verbs in order,
// follow actions and redirects, hold callers in queues (looping the waitUrl), ring
// agent legs for <Dial>, and post status callbacks. Everything that takes time
// (speech, pauses, ringing, talk, patience) is emulated seconds on the emulator's
// clock (clock.ts): real time divided by `speed`, stalls of this process left out.
import type { ClockTimer, EmulatedClock } from './clock.ts';
import type { Hooks, HookResult } from './hooks.ts';
import { geography, type CallExtras } from './params.ts';
import { newSid, type Member, type Queue, type Queues } from './queues.ts';
import { Recording, type Recordings } from './recordings.ts';
import { loops, parseTwiml, pauseDuration, resolveUrl, sayDuration, type Verb } from './twiml.ts';
import type {
  AgentAttempt, AgentBehaviour, EmulatedOutcome, CallRecord, CallScript, EmulatorEvent, QueueResult, WebhookRecord, WhisperConduct,
} from './types.ts';

export interface CallEnv {
  accountSid: string;
  voiceUrl: string;
  statusCallbackUrl: string | null;
  /** The number's Voice fallback URL; null: none. */
  voiceFallbackUrl: string | null;
  /** Draws what Twilio adds to this call's requests (CallToken, StirVerstat, AddOns). */
  extras: () => CallExtras;
  toNumber: string;
  speed: number;
  /** Emulated time: what Twilio's timestamps say. */
  clock: EmulatedClock;
  playSeconds: number;
  secondsPerWord: number;
  hooks: Hooks;
  queues: Queues<CallRun>;
  agents: AgentBehaviour;
  agentRandom: () => number;
  duplicateCallback: () => boolean;
  reorderCallbacks: () => boolean;
  emit: (e: EmulatorEvent) => void;
  /** Every recording made (<Dial record>), for the REST Recording resource. */
  recordings: Recordings;
}

/** A TwiML request to make next: the document it returns is what the call runs. */
interface Fetch { url: string; method: 'POST' | 'GET'; extra: Record<string, string> }
type Step = 'next' | Fetch | null;

/** Wakes a waiting verb: the caller hung up, or the call was redirected (REST). */
class Interrupt extends Error {
  constructor(readonly kind: 'hangup' | 'redirect') { super(kind); }
}

type CallStatus = 'ringing' | 'in-progress' | 'completed';
type EndedBy = 'caller' | 'hangup-verb' | 'document-end' | 'error';

const method = (m: string | undefined): 'POST' | 'GET' => (m?.toUpperCase() === 'GET' ? 'GET' : 'POST');
const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

export class CallRun implements Member {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  enteredAt = 0;
  enteredWall = 0;

  private status: CallStatus = 'ringing';
  private readonly t0: number;
  /** Emulated epoch ms when the call ended (the Call resource's end_time; t0 is its start_time). */
  private endedAt: number | null = null;
  private readonly extras: CallExtras;
  private ctl = new AbortController();
  private callerGone = false;
  private redirectTo: Fetch | null = null;
  private endedBy: EndedBy | null = null;
  private error: string | null = null;
  private ended = false;

  private digitIdx = 0;
  private surveyIdx = 0;
  private readonly survey: string[] = [];

  private queue: Queue<CallRun> | null = null;
  private lastQueue: Queue<CallRun> | null = null;
  /** Emulated seconds of the stint that just ended (set when leaving a queue). */
  private lastQueueSeconds = 0;
  private lastQueueResult: QueueResult | null = null;
  private firstQueuedAt: number | null = null;
  private patienceTimer: ClockTimer | null = null;
  private waitSeconds: number | null = null;

  private bridgedEver = false;
  private talkMs = 0;
  private agent: string | null = null;
  private readonly attempts: AgentAttempt[] = [];
  private callerSeq = 0;

  private readonly webhooks: WebhookRecord[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly env: CallEnv, readonly script: CallScript) {
    this.sid = script.callSid ?? newSid('CA');
    if (!/^CA[0-9a-fA-F]{32}$/.test(this.sid)) throw new Error(`callSid must be CA + 32 hex digits, got ${this.sid}`);
    this.from = script.from;
    this.to = script.to ?? env.toNumber;
    this.t0 = env.clock.now();
    this.extras = env.extras();
  }

  get isEnded(): boolean { return this.ended; }
  get inQueue(): Queue<CallRun> | null { return this.queue; }
  get currentStatus(): CallStatus { return this.status; }

  // ---- outside world: REST and the emulator -------------------------------------------

  /** REST: take this member out of its queue now (synchronously) and run `url`. */
  dequeue(url: string, m: string | undefined): void {
    if (this.ended || this.callerGone) return;
    this.leaveQueue('redirected');
    this.redirect(url, m);
  }

  /** REST: interrupt whatever runs and fetch `url` next. */
  redirect(url: string, m: string | undefined): void {
    if (this.ended || this.callerGone) return;
    this.redirectTo = { url, method: method(m), extra: {} };
    this.wake(new Interrupt('redirect'));
  }

  /** The caller hangs up wherever they are (patience, REST Status=completed, close()). */
  hangup(): void {
    if (this.ended || this.callerGone) return;
    this.callerGone = true;
    this.status = 'completed';
    this.endedAt ??= this.env.clock.now();
    this.leaveQueue('hangup');
    this.wake(new Interrupt('hangup'));
  }

  memberJson(q: Queue<CallRun>, accountSid: string): Record<string, unknown> {
    return {
      call_sid: this.sid, queue_sid: q.sid, account_sid: accountSid,
      position: q.position(this) || 1,
      wait_time: Math.round(this.seconds(this.env.clock.now() - this.enteredAt)),
      date_enqueued: rfc2822(this.enteredWall),
      uri: `/2010-04-01/Accounts/${accountSid}/Queues/${q.sid}/Members/${this.sid}.json`,
    };
  }

  /** The REST Calls resource, as Twilio's JSON has it: end_time and duration once the call is over. */
  callJson(accountSid: string): Record<string, unknown> {
    const now = this.env.clock.now();
    const end = this.endedAt;
    return {
      sid: this.sid, account_sid: accountSid, parent_call_sid: null, to: this.to, to_formatted: this.to,
      from: this.from, from_formatted: this.from, phone_number_sid: null, status: end !== null ? 'completed' : this.status,
      start_time: rfc2822(this.t0), end_time: end !== null ? rfc2822(end) : null,
      duration: end !== null ? String(Math.round((end - this.t0) / 1000)) : null,
      direction: this.script.outbound ? 'outbound-api' : 'inbound', api_version: '2010-04-01', answered_by: null, forwarded_from: null, caller_name: null,
      queue_time: '0', price: null, price_unit: 'USD', group_sid: null, trunk_sid: null,
      date_created: rfc2822(now), date_updated: rfc2822(now),
      uri: `/2010-04-01/Accounts/${accountSid}/Calls/${this.sid}.json`, subresource_uris: {},
    };
  }

  // ---- the run -------------------------------------------------------------------------

  async run(): Promise<CallRecord> {
    this.env.emit({ type: 'call.started', at: Date.now(), callSid: this.sid, from: this.from, to: this.to });
    // Add-on results come with the incoming call's request only.
    const incoming: Record<string, string> = this.extras.addOns === null ? {} : { AddOns: this.extras.addOns };
    const outbound = this.script.outbound;
    let next: Fetch | null = outbound ? { url: outbound.url, method: method(outbound.method), extra: {} } : { url: this.env.voiceUrl, method: 'POST', extra: incoming };
    let first = !outbound;
    try {
      // calls.create: the dialled party picks up (or never does: no-answer, no TwiML fetched).
      if (outbound && !(await this.pickedUp(outbound.timeoutSeconds))) return this.finish();
      while (next && !this.callerGone) {
        let doc = await this.fetchTwiml(next);
        // The Voice URL failed: Twilio asks the number's fallback URL at once, telling why and where.
        if (first && !doc.ok && this.env.voiceFallbackUrl && !this.callerGone) {
          const fallback: Fetch = { url: this.env.voiceFallbackUrl, method: 'POST', extra: { ...incoming, ErrorCode: doc.code, ErrorUrl: next.url.replace(/#.*$/, '') } };
          next = fallback;
          doc = await this.fetchTwiml(fallback);
        }
        first = false;
        if (this.status === 'ringing') this.status = 'in-progress';
        if (this.callerGone) break;
        if (this.redirectTo) { next = this.takeRedirect(); continue; }
        if (!doc.ok) { this.fail(doc.error); break; }
        next = await this.execute(doc.verbs, next.url);
      }
    } catch (err) {
      this.fail(`emulator: ${(err as Error).stack ?? err}`);
    }
    if (this.callerGone) this.endedBy ??= 'caller';
    return this.finish();
  }

  /** Set when an outbound call was never picked up: its status callback says no-answer. */
  private unanswered = false;

  /** An outbound call's dialled party, as the agent behaviour says for that contact. */
  private async pickedUp(timeoutSeconds: number): Promise<boolean> {
    const b = this.env.agents(this.to, {
      callSid: this.sid, legSid: this.sid, from: this.from, attempt: 1, queue: null, timeoutSeconds, random: this.env.agentRandom,
    });
    if (b.answer && b.afterSeconds < timeoutSeconds) {
      await this.sleep(b.afterSeconds);
      return true;
    }
    await this.sleep(timeoutSeconds);
    this.unanswered = true;
    this.endedBy = 'caller';
    return false;
  }

  private fail(error: string): void {
    this.error ??= error;
    this.endedBy = 'error';
  }

  private takeRedirect(): Fetch | null {
    const r = this.redirectTo;
    this.redirectTo = null;
    return r;
  }

  private async execute(verbs: Verb[], docUrl: string): Promise<Fetch | null> {
    for (const v of verbs) {
      try {
        this.check();
        const step = await this.verb(v, docUrl);
        if (step === 'next') continue;
        return step;
      } catch (err) {
        if (!(err instanceof Interrupt)) throw err;
        if (this.callerGone) return null;
        return this.takeRedirect();
      }
    }
    this.endedBy ??= 'document-end';
    return null;
  }

  private async verb(v: Verb, docUrl: string): Promise<Step> {
    switch (v.name) {
      case 'Say': await this.sleep(sayDuration(v, this.env.secondsPerWord)); return 'next';
      case 'Play': await this.sleep(this.playDuration(v)); return 'next';
      case 'Pause': await this.sleep(pauseDuration(v)); return 'next';
      case 'Redirect': return { url: resolveUrl(v.text, docUrl), method: method(v.attrs.method), extra: {} };
      case 'Hangup':
      case 'Reject':
        this.endedBy = 'hangup-verb';
        return null;
      case 'Gather': return this.gather(v, docUrl);
      case 'Enqueue': return this.enqueue(v, docUrl);
      case 'Dial': return this.dial(v, docUrl);
      default: return 'next'; // Leave outside a queue, Record, Sms…: nothing to emulate
    }
  }

  private playDuration(v: Verb): number {
    if (v.attrs.digits) return v.attrs.digits.length * 0.5;
    return this.env.playSeconds * loops(v);
  }

  // ---- Gather -----------------------------------------------------------------------------

  private async gather(v: Verb, docUrl: string): Promise<Step> {
    for (const c of v.children) await this.verb(c, docUrl);
    const survey = this.bridgedEver;
    // Asked for a number (a callback's, at a closed queue): typed from the script, not an IVR key.
    const typing = !survey && this.asksNumber(v);
    const list = survey ? this.script.surveyDigits ?? [] : this.script.digits;
    const idx = typing ? -1 : survey ? this.surveyIdx++ : this.digitIdx++;
    let digits = typing ? this.script.callbackNumber : list[idx];
    if (digits === undefined && !survey && this.script.ivrHangup && this.firstQueuedAt === null) {
      this.hangup();
      this.check();
    }
    const finishOnKey = v.attrs.finishOnKey ?? '#';
    if (digits) {
      if (finishOnKey) {
        const at = digits.indexOf(finishOnKey);
        if (at >= 0) digits = digits.slice(0, at);
      }
      const numDigits = Number(v.attrs.numDigits);
      if (Number.isFinite(numDigits) && numDigits > 0) digits = digits.slice(0, numDigits);
    }
    const action = { url: resolveUrl(v.attrs.action ?? docUrl, docUrl), method: method(v.attrs.method) };
    if (!digits) {
      const timeout = Number(v.attrs.timeout ?? 5);
      await this.sleep(Number.isFinite(timeout) ? timeout : 5);
      if (v.attrs.actionOnEmptyResult === 'true') return { ...action, extra: { Digits: '' } };
      return 'next';
    }
    await this.sleep(0.4 * digits.length); // keying
    if (survey) this.survey.push(digits);
    this.env.emit({ type: 'call.digits', at: Date.now(), callSid: this.sid, digits, phase: survey ? 'survey' : 'ivr' });
    return { ...action, extra: { Digits: digits } };
  }

  // ---- Enqueue ----------------------------------------------------------------------------

  private async enqueue(v: Verb, docUrl: string): Promise<Step> {
    const q = this.env.queues.named(v.text);
    const action = v.attrs.action !== undefined && v.attrs.action !== '' ? resolveUrl(v.attrs.action, docUrl) : null;
    const actionMethod = method(v.attrs.method);
    const actionFetch = (result: QueueResult, queued: boolean): Fetch | null => action ? {
      url: action, method: actionMethod,
      extra: { QueueResult: result, ...(queued ? { QueueSid: q.sid, QueueTime: String(Math.round(this.lastQueueSeconds)) } : {}) },
    } : null;

    this.enteredAt = this.env.clock.now();
    this.enteredWall = this.env.clock.now();
    if (!q.add(this)) {
      this.lastQueueResult = 'queue-full';
      return actionFetch('queue-full', false) ?? 'next';
    }
    this.queue = q;
    this.lastQueue = q;
    if (this.firstQueuedAt === null) {
      this.firstQueuedAt = this.enteredAt;
      this.startPatience();
    }
    this.env.emit({ type: 'call.enqueued', at: Date.now(), callSid: this.sid, queue: q.name, queueSid: q.sid, position: q.position(this) });

    try {
      const result = await this.hold(q, v, docUrl);
      this.leaveQueue(result);
      return actionFetch(result, true) ?? 'next';
    } catch (err) {
      if (!(err instanceof Interrupt)) throw err;
      // Hung up, or dequeued/redirected by REST: the action is told at once, its TwiML is not run.
      const result: QueueResult = this.callerGone ? 'hangup' : 'redirected';
      this.leaveQueue(result);
      const f = actionFetch(result, true);
      if (f) await this.fetchTwiml(f);
      throw err;
    }
  }

  /** A <Gather> that asks for a number to call back: more than one digit, ended by #, and a number to type. */
  private asksNumber(g: Verb): boolean {
    return !!this.script.callbackNumber && Number(g.attrs.numDigits) > 1 && (g.attrs.finishOnKey ?? '#') === '#';
  }

  /**
   * The wait offers a callback (a <Gather> in the wait document): the caller presses 1, then 1
   * again to confirm the number read back (with `callbackNumber`: 2, then the number typed);
   * a document with <Leave> ends the wait.
   */
  private async requestCallback(gather: Verb, docUrl: string): Promise<'leave' | 'stay'> {
    let g: Verb | undefined = gather;
    let at = docUrl;
    for (let step = 0; g && step < 3; step++) {
      for (const c of g.children) await this.verb(c, at);
      const action = resolveUrl(g.attrs.action ?? at, at);
      const keys: string = this.asksNumber(g) ? this.script.callbackNumber! : step > 0 && this.script.callbackNumber ? '2' : '1';
      if (keys.length > 1) await this.sleep(0.4 * keys.length); // keying
      const doc: Awaited<ReturnType<CallRun['fetchTwiml']>> = await this.race(this.fetchTwiml({ url: action, method: method(g.attrs.method), extra: { Digits: keys } }));
      if (!doc.ok) return 'stay';
      g = undefined;
      for (const v of doc.verbs as Verb[]) {
        if (v.name === 'Leave') { this.askedCallback = true; return 'leave'; }
        if (v.name === 'Gather') { g = v; break; }
        if (v.name === 'Say') await this.verb(v, action);
      }
      at = action;
    }
    return 'stay';
  }

  /** The caller left the queue for a callback that keeps their place. */
  private askedCallback = false;

  /** Loops the waitUrl until interrupted; returns how the call left on its own (<Leave>, bad TwiML). */
  private async hold(q: Queue<CallRun>, v: Verb, docUrl: string): Promise<QueueResult> {
    const waitUrl = v.attrs.waitUrl;
    const waitMethod = method(v.attrs.waitUrlMethod);
    let url = waitUrl ? resolveUrl(waitUrl, docUrl) : null;
    for (;;) {
      const started = this.env.clock.now();
      if (waitUrl === '') await this.sleep(3600); // silence
      else if (url === null) await this.sleep(this.env.playSeconds); // Twilio's default hold music
      else {
        const doc = await this.race(this.fetchTwiml({ url, method: waitMethod, extra: this.queueParams(q) }));
        if (!doc.ok) return 'error'; // Twilio: the Enqueue action gets QueueResult=error
        let next: string | null = null;
        for (const w of doc.verbs) {
          if (w.name === 'Leave') return 'leave';
          if (w.name === 'Hangup') { this.hangup(); this.check(); }
          if (w.name === 'Redirect') { next = resolveUrl(w.text, url); break; }
          if (w.name === 'Gather' && this.script.asksCallback) {
            if (await this.requestCallback(w, url) === 'leave') return 'leave';
            continue;
          }
          if (w.name === 'Gather') { for (const c of w.children) await this.verb(c, url); continue; }
          if (w.name === 'Say' || w.name === 'Play' || w.name === 'Pause') await this.verb(w, url);
        }
        if (next) url = next;
      }
      // An empty wait document would spin: Twilio plays at least a moment of it.
      const took = this.seconds(this.env.clock.now() - started);
      if (took < 1) await this.sleep(1 - took);
    }
  }

  private queueParams(q: Queue<CallRun>): Record<string, string> {
    return {
      QueueSid: q.sid, QueuePosition: String(q.position(this) || 1),
      QueueTime: String(Math.round(this.seconds(this.env.clock.now() - this.enteredAt))),
      AvgQueueTime: String(q.averageWait()), CurrentQueueSize: String(q.members.length), MaxQueueSize: String(q.maxSize),
    };
  }

  private leaveQueue(result: QueueResult): void {
    const q = this.queue;
    if (!q) return;
    this.queue = null;
    this.lastQueueSeconds = this.seconds(this.env.clock.now() - this.enteredAt);
    this.lastQueueResult = result;
    q.remove(this, this.lastQueueSeconds);
    this.env.emit({ type: 'call.left-queue', at: Date.now(), callSid: this.sid, queue: q.name, result, queueSeconds: Math.round(this.lastQueueSeconds) });
  }

  private startPatience(): void {
    const p = this.script.patienceSeconds;
    if (p === null || p === undefined || !Number.isFinite(p)) return;
    this.patienceTimer = this.env.clock.setTimeout(() => {
      this.patienceTimer = null;
      if (!this.bridgedEver) this.hangup();
    }, p * 1000);
  }

  private stopPatience(): void {
    this.patienceTimer?.cancel();
    this.patienceTimer = null;
  }

  // ---- Dial ---------------------------------------------------------------------------------

  private async dial(v: Verb, docUrl: string): Promise<Step> {
    const timeout = Number(v.attrs.timeout ?? 30) || 30;
    const action = v.attrs.action ? { url: resolveUrl(v.attrs.action, docUrl), method: method(v.attrs.method) } : null;
    const noun = v.children.find((c) => c.name === 'Client' || c.name === 'Number' || c.name === 'Sip')
      ?? (v.text ? { name: 'Number', attrs: {}, text: v.text, children: [] } : undefined);
    if (!noun) {
      // <Queue>/<Conference> or nothing dialable: not emulated, the Dial fails.
      return action ? { ...action, extra: { DialCallStatus: 'failed', DialBridged: 'false' } } : 'next';
    }
    const contact = noun.name === 'Client' ? `client:${noun.text}` : noun.text;
    const leg = new AgentLeg(this, contact, noun, docUrl, this.env.reorderCallbacks);
    this.env.emit({ type: 'agent.ringing', at: Date.now(), callSid: this.sid, legSid: leg.sid, contact });
    leg.fire('initiated', 'initiated');
    leg.fire('ringing', 'ringing');
    const decision = this.env.agents(contact, {
      callSid: this.sid, legSid: leg.sid, from: this.from, attempt: this.attempts.length + 1,
      queue: this.lastQueue?.name ?? null, timeoutSeconds: timeout, random: this.env.agentRandom,
    });
    const answers = decision.answer && decision.afterSeconds <= timeout;

    let bridged = false;
    let bridgedAt = 0;
    let recording: Recording | null = null;
    let pickedUpAt: number | null = null;
    /** Emulated seconds since the agent's leg was picked up (the dialed call's length when it never bridged). */
    const sincePickUp = () => (pickedUpAt === null ? 0 : this.seconds(this.env.clock.now() - pickedUpAt));
    const dialParams = (status: string): Record<string, string> => ({
      DialCallStatus: status, DialCallSid: leg.sid, DialBridged: String(bridged),
      ...(bridged ? { DialCallDuration: String(Math.round(this.seconds(this.env.clock.now() - bridgedAt))) }
        : pickedUpAt !== null ? { DialCallDuration: String(Math.round(sincePickUp())) } : {}),
    });
    const missed = (result: AgentAttempt['result'], legStatus: string) => {
      this.attempts.push({ contact, legSid: leg.sid, result });
      this.env.emit({ type: 'agent.missed', at: Date.now(), callSid: this.sid, legSid: leg.sid, contact, result });
      leg.end(legStatus, sincePickUp());
    };
    let dialStatus: string;
    try {
      await this.sleep(answers ? Math.max(0, decision.afterSeconds) : timeout);
      if (!answers) {
        missed('no-answer', 'no-answer');
        dialStatus = 'no-answer';
      } else {
        // Picked up: Twilio reports the leg answered now, before its url (the whisper)
        // runs "after they answer, but before the parties are connected"
        // (twilio.com/docs/voice/twiml/number).
        pickedUpAt = this.env.clock.now();
        leg.answered();
      }
      if (answers && noun.attrs.url && !(await this.whisper(leg, resolveUrl(noun.attrs.url, docUrl), method(noun.attrs.method), decision.atWhisper ?? 'accepts'))) {
        // The whisper ended the agent's leg before the bridge (its <Hangup/>, or the
        // agent hung up): the dialed call was answered and completed, the caller was
        // never connected. Twilio: DialCallStatus=completed, DialBridged=false.
        missed('not-bridged', 'completed');
        dialStatus = 'completed';
      } else if (answers) {
        bridged = true;
        bridgedAt = this.env.clock.now();
        this.stopPatience();
        this.bridgedEver = true;
        this.agent = contact;
        this.attempts.push({ contact, legSid: leg.sid, result: 'answered' });
        if (this.firstQueuedAt !== null && this.waitSeconds === null) this.waitSeconds = this.seconds(bridgedAt - this.firstQueuedAt);
        this.env.emit({ type: 'call.bridged', at: Date.now(), callSid: this.sid, legSid: leg.sid, contact, waitSeconds: this.waitSeconds });
        recording = this.startRecording(v, docUrl);
        const timeLimit = Number(v.attrs.timeLimit);
        await this.sleep(Number.isFinite(timeLimit) && timeLimit > 0 ? Math.min(timeLimit, this.script.talkSeconds) : this.script.talkSeconds);
        this.talkMs += this.env.clock.now() - bridgedAt;
        if (this.script.hangsUp === 'caller') {
          this.callerGone = true;
          this.status = 'completed';
          this.endedBy = 'caller';
        }
        const params = dialParams('completed');
        leg.end('completed', Number(params.DialCallDuration));
        this.stopRecording(recording);
        if (this.callerGone) {
          if (action) await this.fetchTwiml({ ...action, extra: params });
          return null;
        }
        return action ? { ...action, extra: params } : 'next';
      }
    } catch (err) {
      if (!(err instanceof Interrupt)) throw err;
      // The caller hung up, or the call was redirected by REST: the Dial ends now.
      let params: Record<string, string>;
      if (bridged) {
        this.talkMs += this.env.clock.now() - bridgedAt;
        params = dialParams('completed');
        leg.end('completed', Number(params.DialCallDuration));
        this.stopRecording(recording);
      } else {
        params = dialParams('canceled');
        if (!this.attempts.some((a) => a.legSid === leg.sid)) missed('canceled', 'canceled');
      }
      if (action) await this.fetchTwiml({ ...action, extra: params });
      throw err;
    }
    return action ? { ...action, extra: dialParams(dialStatus!) } : 'next';
  }

  /**
   * <Dial record="record-from-answer[-dual]|record-from-ringing[-dual]">: a recording owned by
   * this call (the parent leg), started at the bridge; the in-progress callback when asked for.
   */
  private startRecording(v: Verb, docUrl: string): Recording | null {
    const mode = v.attrs.record ?? 'do-not-record';
    if (!/^record-from-(answer|ringing)(-dual)?$/.test(mode)) return null;
    const cb = v.attrs.recordingStatusCallback;
    const r = new Recording(this.sid, mode.endsWith('-dual') ? 2 : 1, this.env.clock, this.env.accountSid, cb ? {
      url: resolveUrl(cb, docUrl), method: method(v.attrs.recordingStatusCallbackMethod),
      events: new Set((v.attrs.recordingStatusCallbackEvent ?? 'completed').split(/[\s,]+/).filter(Boolean)),
    } : null);
    this.env.recordings.add(r);
    this.env.emit({ type: 'recording', at: Date.now(), callSid: this.sid, recordingSid: r.sid, status: r.status, durationSeconds: null });
    this.recordingCallback(r);
    return r;
  }

  /** The bridge is over: the recording is processed (an emulated second), then completed or absent. */
  private stopRecording(r: Recording | null): void {
    if (!r || !r.live) return;
    r.stop();
    this.env.emit({ type: 'recording', at: Date.now(), callSid: this.sid, recordingSid: r.sid, status: r.status, durationSeconds: r.durationSeconds() });
    const processed = this.env.clock.sleep(1000).then(() => this.recordingCallback(r));
    this.pending.add(processed);
    void processed.finally(() => this.pending.delete(processed));
  }

  private recordingCallback(r: Recording): void {
    if (r.callback?.events.has(r.status)) this.sendCallback(r.callback.url, r.callback.method, r.callbackParams(), 'caller');
  }

  /**
   * Runs the whisper TwiML on the agent leg, as whoever picked up behaves (`conduct`);
   * true when it runs out (Twilio then bridges), false when the leg ends first (a
   * <Hangup/>, a failed request, or the agent hanging up).
   */
  private async whisper(leg: AgentLeg, url: string, m: 'POST' | 'GET', conduct: WhisperConduct): Promise<boolean> {
    let next: Fetch | null = { url, method: m, extra: {} };
    for (let hops = 0; next && hops < 10; hops++) {
      const f: Fetch = next;
      const doc = await this.race(this.fetchTwiml(f, leg));
      if (!doc.ok) return false;
      const at = f.url;
      next = null;
      if (conduct === 'hangs-up') {
        await this.sleep(1); // hears a moment of it
        return false;
      }
      for (const w of doc.verbs) {
        if (w.name === 'Hangup' || w.name === 'Reject') return false;
        if (w.name === 'Redirect') { next = { url: resolveUrl(w.text, at), method: method(w.attrs.method), extra: {} }; break; }
        if (w.name === 'Gather') {
          for (const c of w.children) await this.verb(c, at);
          const action = { url: resolveUrl(w.attrs.action ?? at, at), method: method(w.attrs.method) };
          if (conduct === 'accepts') {
            await this.sleep(0.4); // keying
            next = { ...action, extra: { Digits: '1' } };
            break;
          }
          // A voicemail presses nothing: the Gather times out, then the next verb runs.
          const timeout = Number(w.attrs.timeout ?? 5);
          await this.sleep(Number.isFinite(timeout) ? timeout : 5);
          if (w.attrs.actionOnEmptyResult === 'true') { next = { ...action, extra: { Digits: '' } }; break; }
          continue;
        }
        if (w.name === 'Say' || w.name === 'Play' || w.name === 'Pause') await this.verb(w, at);
      }
    }
    return true;
  }

  // ---- requests ------------------------------------------------------------------------------

  /** Standard parameters of every request on the caller's leg, with the geography and STIR/SHAKEN Twilio adds. */
  params(extra: Record<string, string> = {}): Record<string, string> {
    return {
      AccountSid: this.env.accountSid, ApiVersion: '2010-04-01', CallSid: this.sid,
      From: this.from, To: this.to, Caller: this.from, Called: this.to,
      Direction: this.script.outbound ? 'outbound-api' : 'inbound', CallStatus: this.status,
      ...geography('From', this.from), ...geography('To', this.to), ...geography('Caller', this.from), ...geography('Called', this.to),
      CallToken: this.extras.callToken, StirVerstat: this.extras.stirVerstat, ...extra,
    };
  }

  private async fetchTwiml(f: Fetch, leg?: AgentLeg): Promise<{ ok: true; verbs: Verb[] } | { ok: false; error: string; code: string }> {
    const params = leg ? leg.params({ CallStatus: 'in-progress', ...f.extra }) : this.params(f.extra);
    const res = await this.env.hooks.send(
      { url: f.url, method: f.method, params, kind: 'twiml', leg: leg ? 'agent' : 'caller', callSid: this.sid },
      (w) => this.webhooks.push(w),
    );
    return parsed(res, f.url);
  }

  /** Status callbacks are fire-and-forget for the call, awaited before it is reported over. */
  sendCallback(url: string, m: 'POST' | 'GET', params: Record<string, string>, leg: 'caller' | 'agent'): void {
    const times = this.env.duplicateCallback() ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const p = this.env.hooks.send({ url, method: m, params, kind: 'callback', leg, callSid: this.sid }, (w) => this.webhooks.push(i ? { ...w, repeat: true } : w));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Emulated time, epoch ms. */
  now(): number {
    return this.env.clock.now();
  }

  /** Emulated milliseconds (differences of clock readings) to emulated seconds. */
  private seconds(ms: number): number {
    return ms / 1000;
  }

  private check(): void {
    if (this.callerGone) throw new Interrupt('hangup');
    if (this.redirectTo) throw new Interrupt('redirect');
  }

  private wake(reason: Interrupt): void {
    const ctl = this.ctl;
    this.ctl = new AbortController();
    ctl.abort(reason);
  }

  /** Waits emulated seconds; an interrupt (hang-up, REST redirect) ends the wait by throwing. */
  private async sleep(emuSeconds: number): Promise<void> {
    let t: ClockTimer | undefined;
    try {
      await this.race(new Promise<void>((resolve) => { t = this.env.clock.setTimeout(resolve, emuSeconds * 1000); }));
    } finally {
      t?.cancel();
    }
  }

  /** Awaits p unless an interrupt comes first (p then finishes in the background). */
  private async race<T>(p: Promise<T>): Promise<T> {
    this.check();
    const signal = this.ctl.signal;
    let onAbort: () => void = () => {};
    try {
      return await Promise.race([p, new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      })]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.check();
    }
  }

  // ---- the end ---------------------------------------------------------------------------------

  private async finish(): Promise<CallRecord> {
    this.stopPatience();
    this.leaveQueue('hangup');
    this.status = 'completed';
    this.ended = true;
    this.endedAt ??= this.env.clock.now();
    const durationSeconds = this.seconds(this.env.clock.now() - this.t0);
    if (this.firstQueuedAt !== null && this.waitSeconds === null && !this.bridgedEver) {
      this.waitSeconds = this.seconds(this.env.clock.now() - this.firstQueuedAt);
    }
    const statusCallback = this.script.outbound ? this.script.outbound.statusCallback : this.env.statusCallbackUrl;
    if (statusCallback) {
      this.sendCallback(statusCallback, 'POST', this.params({
        CallStatus: this.unanswered ? 'no-answer' : 'completed', CallDuration: String(Math.round(durationSeconds)), Duration: String(Math.max(1, Math.ceil(durationSeconds / 60))),
        Timestamp: rfc2822(this.env.clock.now()), CallbackSource: 'call-progress-events', SequenceNumber: String(this.callerSeq++),
      }), 'caller');
    }
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    const record: CallRecord = {
      sid: this.sid, from: this.from, to: this.to, outcome: this.outcome(),
      agent: this.agent, queue: this.lastQueue?.name ?? null, queueSid: this.lastQueue?.sid ?? null,
      waitSeconds: this.waitSeconds === null ? null : round1(this.waitSeconds),
      talkSeconds: round1(this.seconds(this.talkMs)), durationSeconds: round1(durationSeconds),
      survey: [...this.survey], attempts: [...this.attempts], webhooks: [...this.webhooks], error: this.error,
    };
    this.env.emit({ type: 'call.ended', at: Date.now(), callSid: this.sid, record });
    return record;
  }

  /**
   * answered: bridged to an agent at least once. error: a TwiML request failed.
   * Queued but never bridged: abandoned when the caller hung up, overflowed when
   * Atende ended it (queue-full, <Hangup>). Never queued: overflowed when Atende
   * hung up (its overflow goodbye), else ivr-hangup (caller left, or the TwiML ran out).
   */
  private outcome(): EmulatedOutcome {
    if (this.bridgedEver) return 'answered';
    if (this.askedCallback) return 'callback-requested';
    if (this.endedBy === 'error') return 'error';
    if (this.firstQueuedAt !== null) return this.endedBy === 'caller' ? 'abandoned' : 'overflowed';
    if (this.endedBy === 'hangup-verb' || this.lastQueueResult === 'queue-full') return 'overflowed';
    return 'ivr-hangup';
  }
}

/** The agent's leg of a <Dial>: its own sid, status callbacks and sequence numbers. */
class AgentLeg {
  readonly sid = newSid('CA');
  private seq = 0;
  private readonly events: Set<string>;
  private readonly callbackUrl: string | null;
  private readonly callbackMethod: 'POST' | 'GET';
  private readonly held: Record<string, string>[] | null;
  private answeredAt: number | null = null;
  private over = false;

  constructor(private readonly call: CallRun, readonly contact: string, noun: Verb, docUrl: string, reorder: () => boolean) {
    this.callbackUrl = noun.attrs.statusCallback ? resolveUrl(noun.attrs.statusCallback, docUrl) : null;
    this.callbackMethod = method(noun.attrs.statusCallbackMethod);
    this.events = new Set((noun.attrs.statusCallbackEvent ?? 'completed').split(/[\s,]+/).filter(Boolean));
    this.held = this.callbackUrl && reorder() ? [] : null;
  }

  params(extra: Record<string, string> = {}): Record<string, string> {
    return {
      AccountSid: this.call.params().AccountSid, ApiVersion: '2010-04-01', CallSid: this.sid, ParentCallSid: this.call.sid,
      From: this.call.from, To: this.contact, Caller: this.call.from, Called: this.contact,
      Direction: 'outbound-dial', CallStatus: 'ringing',
      ...geography('From', this.call.from), ...geography('To', this.contact), ...geography('Caller', this.call.from), ...geography('Called', this.contact),
      ...extra,
    };
  }

  answered(): void {
    this.answeredAt = this.call.now();
    this.fire('answered', 'in-progress');
  }

  end(status: string, talkSeconds: number): void {
    if (this.over) return;
    this.over = true;
    const duration = this.answeredAt === null ? 0 : talkSeconds;
    this.fire('completed', status, {
      CallDuration: String(Math.round(duration)), Duration: String(Math.max(duration ? 1 : 0, Math.ceil(duration / 60))),
    });
    if (this.held) {
      // Out of order: the newest first.
      for (const p of this.held.reverse()) this.call.sendCallback(this.callbackUrl!, this.callbackMethod, p, 'agent');
      this.held.length = 0;
    }
  }

  fire(event: string, callStatus: string, extra: Record<string, string> = {}): void {
    if (!this.callbackUrl || !this.events.has(event)) return;
    const p = this.params({
      CallStatus: callStatus, StatusCallbackEvent: event, CallbackSource: 'call-progress-events',
      SequenceNumber: String(this.seq++), Timestamp: rfc2822(this.call.now()), ...extra,
    });
    if (this.held) this.held.push(p);
    else this.call.sendCallback(this.callbackUrl, this.callbackMethod, p, 'agent');
  }
}

/**
 * The TwiML of an answer, or why there is none, with the code Twilio posts to the
 * fallback URL: 11205 HTTP connection failure (no connection, timeout), 11200 HTTP
 * retrieval failure (a non-2xx answer), 12100 document parse failure.
 */
function parsed(res: HookResult, url: string): { ok: true; verbs: Verb[] } | { ok: false; error: string; code: string } {
  if (res.status === 0) return { ok: false, error: `${url}: ${res.error}`, code: '11205' };
  if (res.status < 200 || res.status >= 300) return { ok: false, error: `${url}: HTTP ${res.status}`, code: '11200' };
  try {
    return { ok: true, verbs: parseTwiml(res.body) };
  } catch (err) {
    return { ok: false, error: `${url}: ${(err as Error).message}`, code: '12100' };
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
