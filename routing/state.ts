// Mutable records the core keeps per call and per agent. Only core.ts mutates them;
// the outside world reads CallView / AgentView copies.
import type {
  AgentConfig, AgentStatus, AgentView, CallAttributes, CallbackView, CallOutcome, CallStatus, CallView, RecordingView, TierAssignment,
} from './types.ts';

/** A callback's own facts. Replaced, never edited, so a snapshot may share it. */
export type CallbackState = Readonly<CallbackView>;

export interface CallState {
  id: string;
  from: string;
  to: string | null;
  status: CallStatus;
  queue: string | null;
  queueIndex: number;
  tier: number;
  tierRule: TierAssignment | null;
  /** When the call entered its current tier; aging counts from here. */
  tierSince: number;
  arrivedAt: number;
  queuedAt: number | null;
  /** Position key inside its tier: the original wait, or ahead of the head after a ring-no-answer. */
  orderAt: number;
  seq: number;
  /** Bumped on every change of place; heap entries with an older version are stale. */
  version: number;
  level: number;
  maxLevel: number;
  agentId: string | null;
  offeredAt: number | null;
  answeredAt: number | null;
  firstAnsweredAt: number | null;
  holdStartedAt: number | null;
  holdMs: number;
  ivrPath: string[];
  language: string | null;
  attributes: CallAttributes;
  notes: string[];
  escalations: number;
  missedBy: string[];
  excludedAgent: string | null;
  outcome: CallOutcome | null;
  endedAt: number | null;
  surveyNps: number | null;
  surveyCsat: number | null;
  resolvedFirstContact: boolean | null;
  /** Tier and queue the call was counted under when first answered/abandoned; surveys land there too. */
  countedQueue: string | null;
  countedTier: number | null;
  /** The SAC protocol number, from call.arrived. */
  protocol: string | null;
  /** Non-null while the call is a callback (requested, or dropped on the company's side). */
  callback: CallbackState | null;
  /** Marked for a callback offer when its queue closed while it waited. */
  offerCallback: boolean;
  /** Twilio's recording of the agent leg (call.recording); replaced, never edited. */
  recording: Readonly<RecordingView> | null;
}

/** A queue's closures: the schedule's (business hours, holidays) and a supervisor's, which wins. */
export interface QueueClosures {
  queue: string;
  schedule: { reason: string; since: number; until: number | null } | null;
  supervisor: { reason: string; emergency: boolean; since: number; until: number | null; seq: number } | null;
  /** A supervisor opened the queue while the schedule had it closed: open until the schedule's next change. */
  override: boolean;
}

export interface AgentState {
  config: AgentConfig;
  index: number;
  status: AgentStatus;
  reason: string | null;
  since: number;
  version: number;
  callId: string | null;
  /** Moment the agent last became free; longest-idle routing orders by it. */
  idleSince: number;
  callsHandled: number;
  lastOfferSeq: number;
  consecutiveMisses: number;
  blockedUntil: number;
  pending: { state: 'available' | 'away' | 'offline'; reason: string | null } | null;
  /** The segment being wrapped up, so its handle time can be recorded when wrap-up ends. */
  wrap: { queue: string; tier: number; talkMs: number; holdMs: number; startedAt: number } | null;
}

// Most calls never get notes, misses or attributes: they share these empty values
// (replaced, never mutated), which saves a fifth of the heap with 100k callers waiting.
const NONE: never[] = Object.freeze([]) as never[];
const NO_ATTRIBUTES: CallAttributes = Object.freeze({});

export function newCall(id: string, from: string, to: string | null, at: number, seq: number, protocol: string | null = null): CallState {
  return {
    id, from, to, status: 'ivr', queue: null, queueIndex: -1, tier: 0, tierRule: null, tierSince: at, arrivedAt: at,
    queuedAt: null, orderAt: at, seq, version: 0, level: 1, maxLevel: 1, agentId: null, offeredAt: null,
    answeredAt: null, firstAnsweredAt: null, holdStartedAt: null, holdMs: 0, ivrPath: NONE, language: null,
    attributes: NO_ATTRIBUTES, notes: NONE, escalations: 0, missedBy: NONE, excludedAgent: null, outcome: null, endedAt: null,
    surveyNps: null, surveyCsat: null, resolvedFirstContact: null, countedQueue: null, countedTier: null,
    protocol, callback: null, offerCallback: false, recording: null,
  };
}

export function newAgent(config: AgentConfig, index: number, at: number): AgentState {
  return {
    config, index, status: 'offline', reason: null, since: at, version: 0, callId: null, idleSince: at,
    callsHandled: 0, lastOfferSeq: 0, consecutiveMisses: 0, blockedUntil: 0, pending: null, wrap: null,
  };
}

/** A call read back from a snapshot shares the empty values again, so a restored core weighs what the live one did. */
export function shareEmptyValues(c: CallState): CallState {
  if (c.ivrPath.length === 0) c.ivrPath = NONE;
  if (c.notes.length === 0) c.notes = NONE;
  if (c.missedBy.length === 0) c.missedBy = NONE;
  if (Object.keys(c.attributes).length === 0) c.attributes = NO_ATTRIBUTES;
  return c;
}

export function callView(c: CallState): CallView {
  return {
    id: c.id, from: c.from, status: c.status, queue: c.queue, tier: c.queue ? c.tier : null,
    tierRule: c.tierRule, arrivedAt: c.arrivedAt, queuedAt: c.queuedAt, answeredAt: c.answeredAt,
    agentId: c.agentId, level: c.level, maxLevel: c.maxLevel, ivrPath: [...c.ivrPath], language: c.language,
    attributes: { ...c.attributes }, notes: [...c.notes], escalations: c.escalations, missedBy: [...c.missedBy],
    outcome: c.outcome,
    resolvedFirstContact: c.resolvedFirstContact,
    protocol: c.protocol,
    callback: c.callback ? { ...c.callback } : null,
    offerCallback: c.offerCallback,
    recording: c.recording ? { ...c.recording } : null,
  };
}

export function agentView(a: AgentState, callTier: number | null): AgentView {
  return {
    id: a.config.id, name: a.config.name, contact: a.config.contact ?? null, skills: [...a.config.skills],
    level: a.config.level, status: a.status, reason: a.reason, since: a.since, callId: a.callId, callTier,
    callsHandled: a.callsHandled, consecutiveMisses: a.consecutiveMisses,
    pending: a.pending ? { ...a.pending } : null,
  };
}

/** Ringing, on a call or wrapping up: the agent is working a contact (occupancy's numerator). */
export function isBusy(status: AgentStatus): boolean {
  return status === 'ringing' || status === 'on-call' || status === 'wrap-up';
}

/** Logged in and not paused (occupancy's denominator). */
export function isStaffed(status: AgentStatus): boolean {
  return status !== 'offline' && status !== 'away';
}
