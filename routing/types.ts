// Domain types of the routing core. Every event carries its own time (epoch ms):
// the core never reads a clock, so the server, the simulator and a replay all
// drive it the same way and every run can be reproduced.

export type AgentStatus = 'offline' | 'available' | 'ringing' | 'on-call' | 'wrap-up' | 'away';
export type CallStatus = 'ivr' | 'queued' | 'offering' | 'connected' | 'ended';
export type CallOutcome = 'answered' | 'abandoned' | 'ended-in-ivr' | 'overflowed';
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

interface CallArrived extends EventBase { type: 'call.arrived'; callId: string; from: string; to?: string }
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

/** Settings a supervisor may change live; queues keep their ids (none added or removed). */
export type LiveRoutingSettings = Partial<Pick<RoutingConfig,
  'tierRules' | 'vipNumbers' | 'vipValues' | 'agingSeconds' | 'offerTimeoutSeconds' | 'wrapUpSeconds'
  | 'levelWideningSeconds' | 'maxConsecutiveMisses' | 'missDelaySeconds' | 'queues'>>;

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
  | CallMoved | SurveyAnswered | DispositionSet;

/** What the core decided; the outside world carries it out (Twilio REST, TwiML). */
export type Decision =
  | { type: 'offer'; callId: string; agentId: string; queue: string; tier: number }
  | { type: 'offer-withdrawn'; callId: string; agentId: string; reason: string }
  | { type: 'requeued'; callId: string; queue: string; tier: number; reason: string }
  | { type: 'overflow'; callId: string; fromQueue: string; toQueue: string | null; reason: 'queue-full' | 'wait-too-long' }
  | { type: 'tier-changed'; callId: string; tier: number; reason: string }
  | { type: 'levels-widened'; callId: string; maxLevel: number }
  | { type: 'agent-status'; agentId: string; status: AgentStatus; reason: string | null };

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
