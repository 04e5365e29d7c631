// Domain types of the routing core. Every event carries its own time (epoch ms):
// the core never reads a clock, so the server, the simulator and a replay all
// drive it the same way and every run can be reproduced.

export type AgentStatus = 'offline' | 'available' | 'ringing' | 'on-call' | 'wrap-up' | 'away';
export type CallStatus = 'ivr' | 'queued' | 'offering' | 'connected' | 'ended';
/** `not-reached`: a callback whose customer never answered, after every attempt (counted as an abandon). */
export type CallOutcome = 'answered' | 'abandoned' | 'ended-in-ivr' | 'overflowed' | 'not-reached';
/**
 * `not-delivered`: the call never reached the agent (e.g. the telephony dequeue failed); not the agent's miss.
 * `not-bridged`: the agent's phone was picked up but the caller was never connected (the agent dropped
 * during the whisper, or a voicemail answered and accepted nothing): the agent's miss, like no-answer.
 */
export type OfferMissReason = 'no-answer' | 'busy' | 'failed' | 'rejected' | 'timeout' | 'not-delivered' | 'not-bridged';
export type RoutingStrategy = 'longest-idle' | 'fewest-calls' | 'round-robin';

/** What the IVR and the CRM know about a caller; the tier rules read it. */
export interface CallAttributes {
  vip?: boolean;
  customerValue?: string;
  impact?: number;
  [key: string]: string | number | boolean | undefined;
}

interface EventBase {
  /** Unique per event: the same id applied twice changes nothing the second time. */
  id: string;
  /** Epoch milliseconds. */
  at: number;
}

interface CallArrived extends EventBase {
  type: 'call.arrived'; callId: string; from: string; to?: string;
  /** The SAC protocol number given to the call before anything else (server/sac/protocol.ts); kept for good. */
  protocol?: string;
}
interface IvrSelected extends EventBase { type: 'call.ivr'; callId: string; path: string[]; language?: string }
interface CallQueued extends EventBase {
  type: 'call.queued'; callId: string; queue: string; attributes?: CallAttributes;
}
interface CallOffered extends EventBase { type: 'call.offered'; callId: string; agentId: string }
interface OfferAnswered extends EventBase { type: 'call.answered'; callId: string; agentId?: string }
interface OfferMissed extends EventBase {
  type: 'call.offer-missed'; callId: string; agentId?: string; reason: OfferMissReason;
}
interface CallHeld extends EventBase { type: 'call.hold'; callId: string; onHold: boolean }
interface CallEnded extends EventBase { type: 'call.ended'; callId: string; by: 'caller' | 'agent' | 'system' }
interface CallAbandoned extends EventBase { type: 'call.abandoned'; callId: string }
interface WrapUpEnded extends EventBase { type: 'agent.ready'; agentId: string }
interface AgentStateChanged extends EventBase {
  type: 'agent.state'; agentId: string; state: 'available' | 'away' | 'offline'; reason?: string;
}
interface AgentConfigured extends EventBase { type: 'agent.configured'; agent: AgentConfig }
interface CallEscalated extends EventBase {
  type: 'call.escalated'; callId: string; toLevel: number; note?: string; queue?: string;
}
interface CallMoved extends EventBase { type: 'call.moved'; callId: string; queue?: string; tier?: number }
interface SurveyAnswered extends EventBase { type: 'call.survey'; callId: string; nps?: number; csat?: number }
interface DispositionSet extends EventBase {
  type: 'call.disposition'; callId: string; resolvedFirstContact: boolean; note?: string;
}

/**
 * A recording's status as Twilio names it (twilio.com/docs/voice/api/recording): `in-progress`
 * and `paused` while the call goes on; `completed` (the file is ready), `absent` (too short or
 * silent: no file) and `failed` at the end. Twilio may add others: any short token is kept.
 */
export type RecordingStatus = 'in-progress' | 'paused' | 'stopped' | 'processing' | 'completed' | 'absent' | 'failed' | (string & {});

/** The recording of a call as the core keeps it (the newest one when an escalation recorded a second leg). */
export interface RecordingView {
  sid: string;
  status: RecordingStatus;
  /** The Twilio call that owns it (the Dial's parent leg): REST pause/resume go there. */
  callSid: string | null;
  /** Twilio's URL of the audio (Atende never downloads nor keeps it). */
  url: string | null;
  durationSeconds: number | null;
  channels: number | null;
}

/** How a call to the customer placed for a callback ended. */
export type CallbackResult = 'answered' | 'no-answer' | 'busy' | 'failed';

/**
 * The caller asks to be called back and leaves the line, keeping exactly their place: same
 * tier, same original arrival, same aging. From `ivr` (a closed queue takes a callback request
 * for its next opening) it needs `queue`; `notBefore` keeps it out of the agents' reach until then.
 */
interface CallbackRequested extends EventBase {
  type: 'call.callback-requested'; callId: string; number: string; queue?: string; notBefore?: number;
}
/** The outcome of one call to the customer (agent-first: after the agent answered; customer-first: before). */
interface CallbackAttempt extends EventBase { type: 'call.callback-attempt'; callId: string; result: CallbackResult }
/**
 * Twilio's recording of the call's agent leg (`<Dial record>`; docs/sac.md, "Gravações"): a
 * fact from the recording status callback, or the agent's pause/resume through the REST
 * Recording resource. `callSid` is the Twilio call that owns the recording (the Dial's parent
 * leg), where a pause is sent. Facts left out keep what an earlier event said.
 */
interface CallRecording extends EventBase {
  type: 'call.recording'; callId: string; recordingSid: string; status: RecordingStatus;
  callSid?: string; url?: string; durationSeconds?: number; channels?: number;
}
/** The call dropped on the company's side: it becomes a callback at the head of its tier. */
interface CallDropped extends EventBase { type: 'call.dropped'; callId: string; number?: string }
/**
 * A queue stops taking callers. `by: 'schedule'` comes from business hours and holidays,
 * `by: 'supervisor'` (the default) from POST /api/queues/:id/close and wins over the schedule.
 * `until` (epoch ms) reopens it by itself. `waiting: 'offer-callback'` marks the callers
 * already waiting for a callback offer; by default they are simply served.
 */
interface QueueClosed extends EventBase {
  type: 'queue.closed'; queue: string; reason: string; emergency?: boolean; until?: number;
  by?: QueueChangeSource; waiting?: 'serve' | 'offer-callback';
}
/** A supervisor's opening during scheduled closed hours lasts until the schedule's next change. */
interface QueueOpened extends EventBase { type: 'queue.opened'; queue: string; by?: QueueChangeSource }
export type QueueChangeSource = 'supervisor' | 'schedule';

/** Settings a supervisor may change live; queues keep their ids (none added or removed). */
export type LiveRoutingSettings = Partial<Pick<RoutingConfig,
  'tierRules' | 'vipNumbers' | 'vipValues' | 'agingSeconds' | 'offerTimeoutSeconds' | 'wrapUpSeconds'
  | 'levelWideningSeconds' | 'maxConsecutiveMisses' | 'missDelaySeconds' | 'queues' | 'callbacks'>>;

export interface ConfigChanged extends EventBase {
  type: 'config.changed';
  routing?: LiveRoutingSettings;
  metrics?: import('./metrics/types.ts').MetricsSettings;
  /** Opaque to the core: the owner's whole settings after the change, so a replay restores them. */
  settings?: unknown;
}

export type DomainEvent =
  | ConfigChanged
  | CallArrived | IvrSelected | CallQueued | CallOffered | OfferAnswered | OfferMissed | CallHeld
  | CallEnded | CallAbandoned | WrapUpEnded | AgentStateChanged | AgentConfigured | CallEscalated
  | CallMoved | SurveyAnswered | DispositionSet
  | CallbackRequested | CallbackAttempt | CallDropped | QueueClosed | QueueOpened | CallRecording;

/** What the core decided; the outside world carries it out (Twilio REST, TwiML). */
export type Decision =
  | { type: 'offer'; callId: string; agentId: string; queue: string; tier: number } & CallbackOffer
  | { type: 'offer-withdrawn'; callId: string; agentId: string; reason: string }
  | { type: 'requeued'; callId: string; queue: string; tier: number; reason: string }
  | { type: 'overflow'; callId: string; fromQueue: string; toQueue: string | null; reason: 'queue-full' | 'wait-too-long' }
  | { type: 'tier-changed'; callId: string; tier: number; reason: string }
  | { type: 'levels-widened'; callId: string; maxLevel: number }
  | { type: 'agent-status'; agentId: string; status: AgentStatus; reason: string | null }
  /** A callback's customer did not answer: the callback waits until `at`, then takes its place again. */
  | { type: 'callback-retry'; callId: string; at: number; attempts: number }
  /** Every attempt failed: the callback ended as not reached. */
  | { type: 'callback-not-reached'; callId: string; attempts: number };

/**
 * On an offer of a waiting callback: there is nobody on the line. Agent-first (the default)
 * the edge rings the agent, then calls `number`; customer-first it calls `number` first and
 * rings the agent once the customer answered. `attempt` counts from 1.
 */
type CallbackOffer = { callback?: undefined } | { callback: true; number: string; attempt: number; customerFirst: boolean };

export interface Outcome {
  /** False when the event id had been applied before: nothing changed. */
  applied: boolean;
  decisions: Decision[];
}

// ---- settings -------------------------------------------------------------

export interface TierCondition {
  /** Matches when the caller pressed these digits in this order, e.g. ['1','9'] for Suporte → outage. A prefix match. */
  ivrPath?: string[];
  /** Matches any call queued into one of these queues. */
  queues?: string[];
  /** Number in the VIP list or attribute vip=true / customerValue in vipValues. */
  vip?: boolean;
  /** Same number arrived at least `minCalls` times (this call included) within `withinHours`. */
  repeat?: { withinHours: number; minCalls: number };
  /** Numeric attribute `impact` at least this. */
  impactAtLeast?: number;
  /** Any attribute equal to a value. */
  attribute?: { name: string; equals: string | number | boolean };
}

export type TierReason = 'vip' | 'repeat' | 'urgency' | 'impact' | 'attribute' | 'default' | 'aged' | 'supervisor';

export interface TierRule {
  id: string;
  /** Shown on the wallboard and in logs ("Cliente VIP", "Rechamada em 24 h"). */
  label: string;
  reason: TierReason;
  tier: number;
  when: TierCondition;
}

export interface QueueConfig {
  id: string;
  name: string;
  language?: string;
  department?: string;
  /** Breaks ties between queues of equal tier and wait: higher first. */
  weight?: number;
  thresholdSeconds?: number;
  target?: number;
  /** Overflow: at most this many waiting; the next goes to overflowQueue (or a polite message when null). */
  maxWaiting?: number;
  /** Overflow when the estimated wait at entry exceeds this. */
  maxEstimatedWaitSeconds?: number;
  overflowQueue?: string | null;
}

export interface AgentConfig {
  id: string;
  name: string;
  contact?: string;
  skills: string[];
  /** Support level: 1 = N1, 2 = N2, 3 = N3. */
  level: number;
}

export interface RoutingConfig {
  tiers: number;
  /** Seconds a call may wait in tier k (index k-1) before it moves up one tier; null = never. */
  agingSeconds: (number | null)[];
  tierRules: TierRule[];
  vipNumbers: string[];
  vipValues?: string[];
  queues: QueueConfig[];
  agents: AgentConfig[];
  strategy: RoutingStrategy;
  offerTimeoutSeconds: number;
  /** Extra seconds after the offer timeout before the core gives up on Twilio reporting the offer. */
  offerGraceSeconds: number;
  /** 0 = wrap-up lasts until the agent says ready. */
  wrapUpSeconds: number;
  /** After this many seconds of waiting, agents one level above may take the call too; again after twice as long. */
  levelWideningSeconds: number | null;
  maxLevel: number;
  /** Consecutive misses before the agent is set away with reason no-answer. */
  maxConsecutiveMisses: number;
  /** Pause before the next offer after a miss that did not set the agent away. */
  missDelaySeconds: number;
  /** How long a number is remembered for repeat-caller rules. */
  repeatMemoryHours: number;
  /** Callbacks: delay before a failed call to the customer is tried again, attempts in all, who is called first. */
  callbacks?: CallbackSettings;
}

export interface CallbackSettings {
  retryDelaySeconds: number;
  maxAttempts: number;
  /** False (the default): the agent is called first, then the customer. */
  customerFirst: boolean;
}

// ---- read models ----------------------------------------------------------

export interface TierAssignment { tier: number; ruleId: string; label: string; reason: TierReason }

export interface CallView {
  id: string;
  from: string;
  status: CallStatus;
  queue: string | null;
  tier: number | null;
  tierRule: TierAssignment | null;
  arrivedAt: number;
  /** First queue entry; kept across ring-no-answer and escalation. */
  queuedAt: number | null;
  answeredAt: number | null;
  agentId: string | null;
  level: number;
  maxLevel: number;
  ivrPath: string[];
  language: string | null;
  attributes: CallAttributes;
  notes: string[];
  escalations: number;
  missedBy: string[];
  outcome: CallOutcome | null;
  /** The agent's disposition: resolved on first contact (null until given). */
  resolvedFirstContact: boolean | null;
  /** The SAC protocol number (null for calls that arrived without one). */
  protocol: string | null;
  /** Set while the call is a callback: nobody is on the line, the place is kept. */
  callback: CallbackView | null;
  /** The queue closed while the caller waited and the center offers a callback to those waiting. */
  offerCallback: boolean;
  /** Twilio's recording of the agent leg, when the queue records (absent in views built by hand). */
  recording?: RecordingView | null;
}

export interface CallbackView {
  number: string;
  /** `requested` by the caller while waiting (or at a closed queue), or `dropped` on the company's side. */
  origin: 'requested' | 'dropped';
  requestedAt: number;
  /** Calls to the customer that failed so far. */
  attempts: number;
  /** While waiting for a retry (or for the queue's opening): when it takes its place again. */
  retryAt: number | null;
  /** The customer answered the callback call. */
  reached: boolean;
}

/** A queue's state as the core knows it: closures by the schedule or a supervisor. */
export interface QueueStateView {
  open: boolean;
  reason: string | null;
  emergency: boolean;
  by: QueueChangeSource | null;
  since: number | null;
  /** When it reopens by itself (a supervisor's `until`, or the schedule's next opening); null when unknown. */
  until: number | null;
}

export interface AgentView {
  id: string;
  name: string;
  contact: string | null;
  skills: string[];
  level: number;
  status: AgentStatus;
  reason: string | null;
  since: number;
  callId: string | null;
  callTier: number | null;
  callsHandled: number;
  consecutiveMisses: number;
  /** Requested state to take once the current call and wrap-up end. */
  pending: { state: 'available' | 'away' | 'offline'; reason: string | null } | null;
}
