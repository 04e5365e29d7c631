// Shapes of the what-if replay (see index.ts for what it does and why).
import type { Figures } from '../metrics/types.ts';
import type { PatienceSummary } from '../patience.ts';
import type { CoreSnapshot } from '../snapshot.ts';
import type { AgentStatus, DomainEvent, OfferMissReason } from '../types.ts';

/** A logged event without its id and time: what a script replays at a new time. */
export type EventBody = Record<string, unknown> & { type: DomainEvent['type'] };

/** Something a caller or an agent did, `offsetMs` after the moment it hangs on, in the log's order `rank`. */
export interface ScriptStep { offsetMs: number; rank: number; body: EventBody }

/** How the k-th offer of a caller to an agent ended in the recorded day. */
export interface OfferOutcome {
  /** answered / missed: an event did it `afterMs` after the offer; timeout: the core's offer deadline did;
   *  withdrawn: something else ended it (the agent paused, the caller hung up) `afterMs` after the offer. */
  kind: 'answered' | 'missed' | 'timeout' | 'withdrawn';
  afterMs: number;
  reason?: OfferMissReason;
  rank: number;
}

/** One stretch of waiting: from the first queue entry, or from an escalation back to the queue. */
export interface WaitRecord {
  /** The caller hung up this long after the wait began (observed patience); null: did not. */
  hangupAfterMs: number | null;
  /** The hang-up as logged (call.abandoned or call.ended by the caller). */
  hangup: EventBody | null;
  hangupRank: number;
  /** Waited at least this long without hanging up (answered, or still waiting when the day ended). */
  censoredMs: number;
}

/** One recorded caller, as times relative to what the router decided, so it can be replayed under other decisions. */
export interface CallScript {
  callId: string;
  arrivedAt: number;
  rank: number;
  from: string;
  to: string | null;
  /** IVR, queue entry or a hang-up in the IVR: offsets from arrival. */
  beforeQueue: ScriptStep[];
  offers: OfferOutcome[];
  /** Per answer, what followed it (hold, hang-up, escalation, disposition): offsets from that answer. */
  segments: ScriptStep[][];
  waits: WaitRecord[];
  /** After the call ended (survey, disposition, the agent's "ready"): offsets from the end. */
  afterEnd: ScriptStep[];
  /** A supervisor's move or escalation while waiting: at the recorded time, if still waiting then. */
  absolute: { at: number; rank: number; body: EventBody }[];
  /** Queue of the first answer (or of the queue entry): where its talk time is drawn for others. */
  queue: string | null;
}

/** A logged event replayed as it was (agents' logins and pauses, settings changes, calls carried over). */
export interface VerbatimEvent { at: number; rank: number; body: EventBody; agentId: string | null }

/** The figures the what-if compares. */
export interface ScopeFigures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinThreshold: number;
  serviceLevel: number | null;
  asaSeconds: number | null;
  tmaSeconds: number | null;
  abandonRate: number | null;
  handled: number;
  /** Center only. */
  occupancy: number | null;
}

export interface ScopeSet { center: ScopeFigures; queues: Record<string, ScopeFigures> }

export interface IntervalRead { start: number; end: number; complete: boolean; figures: ScopeSet }

export interface DayReads { intervals: IntervalRead[]; day: ScopeSet; refused: number }

/** The recorded day, read once from the log: the state at its start and everything needed to replay it. */
export interface RecordedDay {
  dayStart: number;
  endAt: number;
  /** The core as it stood just before the day's first event. */
  fork: CoreSnapshot;
  scripts: CallScript[];
  verbatim: VerbatimEvent[];
  /** The recorded figures. */
  before: DayReads;
  /** First waits: KM's observations. */
  patience: { waitMs: number; abandoned: boolean }[];
  /** "agentId@at" of every time the core sent an agent away for a missed offer. */
  noAnswerAways: Set<string>;
  /** Median pause after such an away until the agent came back (ms). */
  noAnswerPauseMs: number;
  /** Median ring time of answered offers (ms). */
  ringMs: number;
  /** Talk times (ms, hold included) by queue: drawn for a caller answered only in the what-if. */
  talkMs: Record<string, number[]>;
  /** Delays from a call's end to the agent's "ready" (ms), when wrap-up lasted until ready. */
  readyMs: number[];
  /** Each agent's requested states as logged (agent.state), oldest first; `atFork` the status at the fork. */
  agentStates: Record<string, { atFork: AgentStatus; forkReason: string | null; changes: { at: number; state: 'available' | 'away' | 'offline'; reason: string | null }[] }>;
  /** Each agent's status changes in the recorded day (from the core's decisions), for "-N skill" picks. */
  agentTimeline: Record<string, { at: number; status: AgentStatus }[]>;
  /** Calls in progress at the start of the day (their events are replayed verbatim). */
  carried: number;
  /** Last log sequence rank used (synthetic events rank after it). */
  lastRank: number;
}

export interface WhatIfSummary {
  dayStart: number;
  endAt: number;
  intervalMinutes: number;
  changes: string[];
  seed: number;
  intervals: { start: number; end: number; complete: boolean; before: ScopeSet; after: ScopeSet }[];
  day: { before: ScopeSet; after: ScopeSet };
  patience: PatienceSummary;
  calls: { recorded: number; carriedOver: number };
  refused: { before: number; after: number };
  limits: string[];
}

export function scopeFigures(f: Figures): ScopeFigures {
  return {
    offered: f.offered, answered: f.answered, abandoned: f.abandoned, shortAbandoned: f.shortAbandoned,
    answeredWithinThreshold: f.answeredWithinThreshold, serviceLevel: f.serviceLevel, asaSeconds: f.asaSeconds,
    tmaSeconds: f.tmaSeconds, abandonRate: f.abandonRate, handled: f.handled, occupancy: f.occupancy,
  };
}
