// Public types of the Twilio emulator: what a traffic model produces (CallScript),
// how agents behave, which faults to inject, and what comes back (CallRecord, stats, events).

/** One caller, as a traffic model describes them. */
export interface CallScript {
  /** CA + 32 hex; a fresh one when absent. */
  callSid?: string;
  from: string;
  /** The number dialled (default: the emulator's `toNumber`). */
  to?: string;
  /** Pressed at successive IVR <Gather>s, in order; '' or running out = silence (no input). */
  digits: string[];
  /** Hangs up after waiting this long (emulated seconds) since first entering a queue; ringing agents count too. Null: waits forever. */
  patienceSeconds: number | null;
  /** Emulated seconds of conversation once bridged to an agent. */
  talkSeconds: number;
  /** Who ends the conversation: the agent (the caller stays for the survey) or the caller. */
  hangsUp: 'caller' | 'agent';
  /** Pressed at successive <Gather>s after the conversation (the survey); '' or running out = silence. */
  surveyDigits?: string[];
  /** Extension: when the IVR digits run out the caller hangs up at that <Gather> instead of staying silent. */
  ivrHangup?: boolean;
  /** Presses 1 at every <Gather> the wait offers (a callback that keeps the place), then 1 to confirm the caller ID. */
  asksCallback?: boolean;
  /**
   * The number to be called back on, as typed (DDD and number): typed, then #, at any
   * <Gather> before the conversation that asks for more than one digit ending in # (Atende's
   * "digite o número com o DDD"). In the wait's offer (`asksCallback`) the caller then presses
   * 2 ("another number") instead of confirming the caller ID; at a closed queue the offer's
   * keys are IVR `digits` (e.g. 2 for another number), the number comes from here.
   */
  callbackNumber?: string;
  /**
   * An outbound call Atende placed with the REST Calls resource (calls.create: a callback's
   * call to the agent). The dialled party (`to`) answers as the agent behaviour says for that
   * contact; a <Dial> it runs reaches the customer's number, who answers (or not) as the agent
   * behaviour says for that number.
   */
  outbound?: { url: string; method?: string; statusCallback: string | null; timeoutSeconds: number };
}

interface AgentContext {
  /** The caller's CallSid (ParentCallSid of the agent leg). */
  callSid: string;
  /** The agent leg's CallSid. */
  legSid: string;
  from: string;
  /** 1 for the first agent leg of this call, 2 for the next… */
  attempt: number;
  /** The queue the caller last waited in, if any. */
  queue: string | null;
  /** The <Dial timeout> in seconds. */
  timeoutSeconds: number;
  /** Seeded random numbers in [0, 1) for behaviours that want them. */
  random: () => number;
}

/**
 * What whoever picked up does while the whisper (the <Number>/<Client> url) plays:
 * `accepts` (default) listens and presses 1 at a <Gather>; `hangs-up` drops after a
 * moment; `voicemail` plays its greeting and never presses anything.
 */
export type WhisperConduct = 'accepts' | 'hangs-up' | 'voicemail';

/**
 * How each agent leg answers. `contact` is what was dialled: `client:<identity>` for
 * <Client>, the number for <Number>. Answering after the Dial timeout is a no-answer.
 */
export type AgentBehaviour = (contact: string, ctx: AgentContext) => { answer: boolean; afterSeconds: number; atWhisper?: WhisperConduct };

export interface FaultOptions {
  /** Probability (0..1) that a REST request fails with `restFailStatus` (nothing is changed). */
  restFailureRate?: number;
  /** Default 500. */
  restFailStatus?: number;
  /** Real milliseconds every REST answer is delayed by. */
  restDelayMs?: number;
  /** Probability that a status callback (number's or agent leg's) is delivered twice (two separate deliveries). */
  duplicateCallbacks?: number;
  /** Probability that an agent leg's status callbacks are held and delivered in reverse order when the leg ends. */
  reorderCallbacks?: number;
  /** Probability that any webhook is sent a second time with the same I-Twilio-Idempotency-Token (a Twilio retry). */
  webhookRetries?: number;
  /**
   * Probability that a REST request that changes something (a POST) is carried out but
   * its answer is lost: the connection drops before any response, so the client cannot
   * tell whether it acted.
   */
  restLostResponseRate?: number;
}

export interface EmulatorOptions {
  accountSid: string;
  authToken: string;
  /**
   * Where Atende listens, e.g. http://127.0.0.1:3000. May be left out and given
   * later with `setAtendeUrl()` (Atende needs `apiUrl` before it can listen).
   */
  atendeUrl?: string;
  /**
   * Atende's PUBLIC_URL: the base of the number's voice/status URLs and of the URLs in
   * its TwiML. Requests are signed with it and sent to `atendeUrl`. Default: atendeUrl.
   */
  publicUrl?: string;
  /** The number's Voice URL path; a fragment (`#rc=2&rp=ct,rt`) sets Twilio's connection overrides for it. */
  voicePath?: string;
  /**
   * The number's Voice fallback URL path (Atende's is /twilio/fallback): requested, with
   * ErrorCode and ErrorUrl, when the Voice URL fails (no connection, timeout, non-2xx,
   * TwiML that cannot be parsed). Null (default): none, the call ends in an application error.
   */
  voiceFallbackPath?: string | null;
  /** The parameters Twilio adds on some calls: long CallTokens, AddOns (params.ts). */
  params?: import('./params.ts').ParamOptions;
  /** The number's status callback; null: none. */
  statusCallbackPath?: string | null;
  /** Time factor: 10 = ten times faster than real time. Default 1. */
  speed?: number;
  /**
   * Emulated time (epoch ms) when the clock starts; it then waits there until
   * `clock.start()`. Default: the real time now, running at once.
   */
  startAt?: number;
  agents?: AgentBehaviour;
  faults?: FaultOptions;
  seed?: number;
  /** The number callers dial (To/Called). */
  toNumber?: string;
  /** Emulated seconds a <Play> lasts (audio length is unknown). Default 10. */
  playSeconds?: number;
  /** Emulated seconds a callback's conversation lasts once the customer is bridged (calls.create legs); default 60. */
  callbackTalkSeconds?: number;
  /** Emulated seconds per word of <Say>: default 1/2.5 (2.5 words a second). */
  secondsPerWord?: number;
  /** Real-time cap of one webhook request (Twilio's is 15 s). */
  webhookTimeoutMs?: number;
  onEvent?: (e: EmulatorEvent) => void;
  /** Port of the REST API on 127.0.0.1 (default: any free port). */
  port?: number;
}

export type EmulatedOutcome = 'answered' | 'abandoned' | 'ivr-hangup' | 'overflowed' | 'error' | 'callback-requested';

export interface WebhookRecord {
  /** The URL as signed (Atende's public URL), fragment removed. */
  url: string;
  path: string;
  kind: 'twiml' | 'callback';
  leg: 'caller' | 'agent';
  /** HTTP status; 0 when no answer (connection error, timeout). */
  status: number;
  ms: number;
  /** True for a retry carrying the same idempotency token, or a duplicated callback. */
  repeat: boolean;
  /** Status callbacks: StatusCallbackEvent (or CallStatus) and SequenceNumber. */
  event?: string;
  sequence?: number;
}

export interface AgentAttempt {
  contact: string;
  legSid: string;
  /** not-bridged: picked up, but the whisper ended the leg before the caller was connected (DialBridged=false). */
  result: 'answered' | 'no-answer' | 'rejected' | 'canceled' | 'not-bridged';
}

export interface CallRecord {
  sid: string;
  from: string;
  to: string;
  outcome: EmulatedOutcome;
  /** Contact of the agent the caller talked to (last one when several), e.g. `client:ana`. */
  agent: string | null;
  /** Last queue the call waited in. */
  queue: string | null;
  queueSid: string | null;
  /** Emulated seconds from first entering a queue to the bridge (answered) or to the hang-up (abandoned); null when never queued. */
  waitSeconds: number | null;
  /** Emulated seconds of conversation (all bridges). */
  talkSeconds: number;
  /** Emulated seconds from the first webhook to the end. */
  durationSeconds: number;
  /** Digits sent at survey <Gather>s, in order. */
  survey: string[];
  attempts: AgentAttempt[];
  /** Every request posted for this call (both legs), in sending order. */
  webhooks: WebhookRecord[];
  /** Why the call ended in error. */
  error: string | null;
}

export interface EmulatorStats {
  callsPlaced: number;
  callsActive: number;
  outcomes: Record<EmulatedOutcome, number>;
  /** HTTP requests sent to Atende (retries and duplicates included). */
  webhooksSent: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Non-2xx answers (and '0' for no answer) by status. */
  errorsByStatus: Record<string, number>;
  /** REST requests received (failed ones included). */
  restRequests: number;
  /** REST answers by status. */
  restByStatus: Record<string, number>;
  /** Failures injected by `faults.restFailureRate`. */
  restFailuresInjected: number;
  /** Requests carried out whose answer was dropped (`faults.restLostResponseRate`). */
  restResponsesLost: number;
}

export type QueueResult = 'hangup' | 'redirected' | 'leave' | 'error' | 'queue-full';

export type EmulatorEvent = { at: number } & (
  | { type: 'call.started'; callSid: string; from: string; to: string }
  | { type: 'call.digits'; callSid: string; digits: string; phase: 'ivr' | 'survey' }
  | { type: 'call.enqueued'; callSid: string; queue: string; queueSid: string; position: number }
  | { type: 'call.left-queue'; callSid: string; queue: string; result: QueueResult; queueSeconds: number }
  | { type: 'agent.ringing'; callSid: string; legSid: string; contact: string }
  | { type: 'agent.missed'; callSid: string; legSid: string; contact: string; result: AgentAttempt['result'] }
  | { type: 'call.bridged'; callSid: string; legSid: string; contact: string; waitSeconds: number | null }
  | { type: 'call.ended'; callSid: string; record: CallRecord }
  | { type: 'webhook'; callSid: string; path: string; kind: WebhookRecord['kind']; status: number; ms: number; serverMs: number | null }
  | { type: 'rest'; method: string; path: string; status: number }
  /** A <Dial record> recording started, paused, resumed or ended (durationSeconds once over). */
  | { type: 'recording'; callSid: string; recordingSid: string; status: string; durationSeconds: number | null }
);
