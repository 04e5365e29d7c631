// The contract between the server and its pages: every shape the server hands the
// TV wallboard (wallboard/src/: GET /api/snapshot, GET /api/history, /ws/wallboard)
// and the agent console (wallboard/agent/: GET /api/agent/me, /ws/agent). The pages
// import types from this file and from nowhere else in server/, routing/ or sim/
// (test/wallboard/imports.test.ts), so it holds types only: no values, no Node imports.
// Where a page shape is exactly a routing core type, it is re-exported from there.
import type { AgentStatus, CallStatus } from '../routing/types.ts';
import type { NpsBand, SlFormula } from '../routing/metrics/types.ts';

export type { AgentStatus, CallStatus, NpsBand, SlFormula };

// ---- the wallboard: snapshot and history ----

export interface WindowFigures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinThreshold: number;
  /** 0..1, null when nothing was offered. */
  serviceLevel: number | null;
  tmaSeconds: number | null;
  asaSeconds: number | null;
  abandonRate: number | null;
  handled: number;
  occupancy: number | null;
}

export interface Feedback {
  nps: { score: number | null; band: NpsBand | null; responses: number };
  csat: { score: number | null; responses: number };
  fcr: { rate: number | null; responses: number };
}

export interface ServiceLevelSetting {
  thresholdSeconds: number;
  target: number;
  formula: SlFormula;
  shortAbandonSeconds: number;
  windowMinutes: number;
}

/** Colour bands in force: where each figure turns amber and red. */
export interface ColourBands {
  /** Service level 0..1: green at or above target, amber at or above `amberFrom`. */
  serviceLevel: { amberFrom: number };
  /** Seconds: amber above `amberAbove`, red above `redAbove`. */
  longestWaitSeconds: { amberAbove: number; redAbove: number };
  /** 0..1: amber above, red above. */
  abandonRate: { amberAbove: number; redAbove: number };
  /** Calls waiting: amber above, red above. */
  waiting: { amberAbove: number; redAbove: number };
}

/** The live figures of one scope: the whole center or one queue. */
export interface ScopeLive extends Feedback {
  rolling: WindowFigures;
  today: WindowFigures;
  waiting: number;
  /** Index 0 = P1. */
  waitingByTier: number[];
  longestWaitSeconds: number | null;
  /** Agents by state (for a queue: agents holding its skill). */
  agents: Record<AgentStatus, number>;
}

export interface QueueBlock extends ScopeLive {
  id: string;
  name: string;
  language: string | null;
  thresholdSeconds: number;
  target: number;
}

export interface WaitingCall {
  callId: string;
  /** Caller number with the middle masked, e.g. "+55 11 9****-7777". */
  caller: string;
  queue: string;
  tier: number;
  /** Why this tier: rule label ("Cliente VIP") and kind (vip | repeat | urgency | impact | aged | default | supervisor). */
  reason: { label: string; kind: string };
  waitSeconds: number;
  level: number;
  ringing: boolean;
}

export interface AbandonedCall {
  at: number;
  waitSeconds: number;
  queue: string;
  tier: number;
}

export interface AgentTile {
  id: string;
  name: string;
  state: AgentStatus;
  stateSeconds: number;
  /** Pause reason, or "no-answer" after a missed offer. */
  reason: string | null;
  level: number;
  skills: string[];
  /** Tier of the call being rung, talked or wrapped up, null otherwise. */
  callTier: number | null;
  callQueue: string | null;
}

export interface Snapshot {
  type: 'snapshot';
  /** Epoch ms on the server when this was built; the wallboard ticks waits from it. */
  serverTime: number;
  /** True when the figures come from simulated demo traffic. */
  demo: boolean;
  centerName: string;
  tiers: number;
  serviceLevel: ServiceLevelSetting;
  colours: ColourBands;
  center: ScopeLive;
  queues: QueueBlock[];
  agents: AgentTile[];
  waitingCalls: WaitingCall[];
  recentAbandons: AbandonedCall[];
}

export interface IntervalPoint {
  start: number;
  end: number;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
}

/** Sent on connect and whenever an interval closes; also GET /api/history. */
export interface History {
  type: 'history';
  /** Today's closed intervals (15 min by default), oldest first. */
  intervals: IntervalPoint[];
  /** Rolling points for the last hour, one per minute or finer, oldest first. */
  series: { at: number[]; serviceLevel: (number | null)[]; waiting: number[] };
}

// ---- the agent console: one agent's own view ----

export interface ConsoleCall {
  id: string;
  from: string;
  status: CallStatus;
  queue: string | null;
  queueName: string | null;
  tier: number | null;
  tierLabel: string | null;
  tierReason: string | null;
  vip: boolean;
  repeatCaller: boolean;
  ivrPath: string[];
  /** The menu options the caller chose, in the center's first language. */
  ivrLabels: string[];
  language: string | null;
  arrivedAt: number;
  queuedAt: number | null;
  answeredAt: number | null;
  /** Seconds the caller waited before being answered (or so far). */
  waitedSeconds: number | null;
  level: number;
  escalations: number;
  notes: string[];
  resolvedFirstContact: boolean | null;
}

/**
 * Where the agent's voice comes from: `softphone` this page (Twilio Voice SDK, tokens from
 * GET /api/agent/voice-token), `external` a Twilio Client softphone of their own (no API key
 * configured), `phone` the E.164 number in `contact`, `simulated` demo mode (the emulator answers).
 */
export type ConsoleVoice = 'softphone' | 'external' | 'phone' | 'simulated';

export interface AgentConsoleView {
  type: 'agent';
  serverTime: number;
  agent: {
    id: string; name: string; contact: string | null; softphone: boolean; voice: ConsoleVoice; state: string; reason: string | null;
    stateSeconds: number; level: number; skills: string[]; callsHandled: number;
    pending: { state: string; reason: string | null } | null;
    /** Epoch ms when wrap-up ends by itself; null when not in wrap-up or it lasts until "ready". */
    wrapUpEndsAt: number | null;
  };
  call: ConsoleCall | null;
  pauseReasons: string[];
  /** Levels the current call may be escalated to. */
  escalateTo: number[];
}
