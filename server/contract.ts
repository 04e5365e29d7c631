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
  /**
   * SAC "dentro do limite legal": answered within the queue's legal wait limit ÷ (those + the
   * breaches: answered or abandoned after it); null when nothing counted. Absent from older servers.
   */
  withinLegal?: number | null;
  /** Callers who waited longer than the legal limit (answered late, or abandoned late). */
  legalBreaches?: number;
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
  /** Callers on the line now (waiting callbacks are counted apart, in `callbacksWaiting`). */
  waiting: number;
  /** Index 0 = P1; callers on the line. */
  waitingByTier: number[];
  /** The longest wait of a caller on the line. */
  longestWaitSeconds: number | null;
  /** Callbacks waiting for an agent (their place kept, nobody on the line). Absent from older servers. */
  callbacksWaiting?: number;
  /** How long the oldest waiting callback has waited since it first entered the queue; null when none. */
  oldestCallbackWaitSeconds?: number | null;
  /** Agents by state (for a queue: agents holding its skill). */
  agents: Record<AgentStatus, number>;
  /**
   * Minutes until the rolling service level falls below its target if nothing changes
   * (0: below it now; null: not within `breachHorizonMinutes`). Absent from older servers.
   */
  breachInMinutes?: number | null;
  /** What would prevent the breach: this many more agents with this skill (queue id); null when none or more than 5. */
  breachPrevention?: BreachPrevention | null;
}

export interface BreachPrevention { agents: number; skill: string }

/** GET /api/forecast/pause?agent=ID: may the agent pause now without the service level breaking? */
export interface PauseAdviceView {
  agentId: string;
  serverTime: number;
  /** A pause now brings no breach within `horizonMinutes` in the agent's queues or the center. */
  safe: boolean;
  /** Not safe: minutes until a pause would be (5-minute steps); null when none within the horizon. */
  waitMinutes: number | null;
  /** Scopes a pause now would break ('center' or queue ids), earliest first. */
  breaks: string[];
  horizonMinutes: number;
}

export interface QueueBlock extends ScopeLive {
  id: string;
  name: string;
  language: string | null;
  thresholdSeconds: number;
  target: number;
  /** False while closed (business hours, a holiday, the center's dates, a supervisor). Absent from older servers: open. */
  open?: boolean;
  /** "hours", "holiday: Natal", "date: Inventário", or a supervisor's reason; null while open. */
  closedReason?: string | null;
  /** When it opens again (epoch ms); null while open or when nobody said. */
  nextOpeningAt?: number | null;
  /** Closed by an emergency. */
  emergency?: boolean;
  /** The SAC legal wait limit of this queue, seconds. */
  legalWaitSeconds?: number;
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
  /** A callback keeping its place: nobody is on the line. */
  callback?: boolean;
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
  /** The center's IANA time zone: the board prints a closed queue's opening time in it, wherever the TV is. Absent from older servers. */
  timezone?: string;
  tiers: number;
  serviceLevel: ServiceLevelSetting;
  colours: ColourBands;
  center: ScopeLive;
  queues: QueueBlock[];
  agents: AgentTile[];
  waitingCalls: WaitingCall[];
  recentAbandons: AbandonedCall[];
  /** How far ahead `breachInMinutes` looks (minutes). */
  breachHorizonMinutes?: number;
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
  /**
   * A callback (docs/sac.md): the number called back, why (`requested` by the caller, or `dropped`
   * on the company's side) and which call to the customer this is (from 1); null for a call on the line.
   */
  callback?: { number: string; origin: 'requested' | 'dropped'; attempt: number; reached: boolean } | null;
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
  /** The SAC protocol number (server/sac/protocol.ts); null for a call that arrived without one. */
  protocol?: string | null;
  /**
   * Twilio's recording of this call (docs/sac.md, "Gravações"): `in-progress` or `paused` while
   * the agent may pause or resume it (POST /api/agent/recording); null when not recorded.
   */
  recording?: { status: string } | null;
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

// ---- the supervisor's screen (wallboard/supervisor/: GET /api/supervisor/live, /ws/supervisor) ----

/** A queue open to callers, or closed (closures come with business hours; until then every queue is open). */
export type QueueOpenState = 'open' | 'closed';

/** What the supervisor sees of a queue beyond the wallboard's QueueBlock (same order, same ids). */
export interface SupervisorQueue {
  id: string;
  state: QueueOpenState;
  /** Why it is closed ("emergency", "hours"…), null while open. */
  closedReason: string | null;
  /** Callbacks waiting in this queue (their callers keep their place off the line). */
  callbacks: number;
  /** Abandons in the last 60 minutes (short abandons left out), as the alert rules count them. */
  abandonsLastHour: number;
}

/** What the supervisor sees of an agent beyond the wallboard's AgentTile (same ids). */
export interface SupervisorAgent {
  id: string;
  contact: string | null;
  /** The call being rung, talked or wrapped up. */
  callId: string | null;
  /** A state asked for during a call, applied when it ends. */
  pending: { state: string; reason: string | null } | null;
  /** Calls answered today (since the daily reset) and ended, from the call records. */
  callsToday: number;
  /** (talk + wrap-up) ÷ callsToday, seconds; null with no call today. */
  tmaTodaySeconds: number | null;
}

// ---- alerts away from the TV (server/alerts/; settings `alerts`) ----

export type AlertKind = 'serviceLevelBelowTarget' | 'longestWaitAbove' | 'noAgentAvailable' | 'abandonsPerHourAbove' | 'queueClosedByEmergency';
export type AlertSeverity = 'info' | 'warning' | 'critical';
/** The body a destination is sent: Slack incoming webhook, Teams (Adaptive Card; legacy MessageCard), plain JSON. */
export type AlertFormat = 'slack' | 'teams' | 'teams-messagecard' | 'json';

/** One rule of the settings' `alerts.rules` (config/schema.json has the defaults and ranges). */
export interface AlertRuleSetting {
  id: string;
  kind: AlertKind;
  /** Queue ids the rule watches; absent = every queue. */
  queues?: string[];
  /** How long the condition must hold before the alert fires (required for serviceLevelBelowTarget). */
  forMinutes?: number;
  /** longestWaitAbove: the wait, seconds. */
  waitSeconds?: number;
  /** abandonsPerHourAbove: abandons in the last 60 minutes. */
  abandonsPerHour?: number;
  severity: AlertSeverity;
  /** After firing, the same rule and queue fires again only this much later. */
  cooldownMinutes: number;
  /** Local "HH:MM" in the center's time zone: nothing fires from `from` until `to` (may cross midnight). */
  quietHours?: { from: string; to: string };
  /** Destination ids; absent = every destination. */
  destinations?: string[];
  enabled: boolean;
}

export interface AlertDestinationSetting {
  id: string;
  format: AlertFormat;
  /** The webhook URL (http or https). Shown to supervisors only. */
  url: string;
  /** Only alerts of this severity or above. */
  minSeverity: AlertSeverity;
  enabled: boolean;
}

export interface AlertsSetting {
  rules: AlertRuleSetting[];
  destinations: AlertDestinationSetting[];
}

export type AlertDeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

/** One notice (the alert firing, or resolving) to one destination. */
export interface AlertDelivery {
  destination: string;
  format: AlertFormat;
  phase: 'fired' | 'resolved';
  state: AlertDeliveryState;
  attempts: number;
  /** HTTP status or network error of the last failed attempt. */
  lastError: string | null;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
}

export interface AlertView {
  id: string;
  ruleId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  queue: string | null;
  queueName: string | null;
  state: 'firing' | 'resolved';
  firedAt: number;
  resolvedAt: number | null;
  /** The figure when it fired (service level 0..1, seconds, abandons) and the rule's limit; null when none. */
  value: number | null;
  limit: number | null;
  /** One line, in the center's first language. */
  message: string;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  deliveries: AlertDelivery[];
}

/** GET /api/supervisor/live and each /ws/supervisor frame: the wallboard's snapshot plus what only a supervisor sees. */
export interface SupervisorView {
  type: 'supervisor';
  serverTime: number;
  snapshot: Snapshot;
  queues: SupervisorQueue[];
  agents: SupervisorAgent[];
  /** Firing alerts first, then the latest resolved ones. */
  alerts: AlertView[];
  pauseReasons: string[];
  maxLevel: number;
}

/** GET /api/supervisor/setup: what the screen needs once, and what this server can do. */
export interface SupervisorSetup {
  /** `agentReports`: GET /api/reports/intervals takes scope=agent. */
  capabilities: { agentReports: boolean };
  timezone: string;
  tiers: number;
  maxLevel: number;
  queues: { id: string; name: string }[];
  agents: { id: string; name: string }[];
  /** The settings keys PATCH /api/settings takes. */
  liveKeys: string[];
}

/** One agent's row of GET /api/supervisor/agent-report. Seconds unless named otherwise. */
export interface AgentReportRow {
  agentId: string;
  name: string;
  /** Calls answered in the range (and ended). */
  calls: number;
  tmaSeconds: number | null;
  talkSeconds: number;
  wrapUpSeconds: number;
  /** Busy (ringing + on call + wrap-up) ÷ staffed (busy + available); null when never staffed. */
  occupancy: number | null;
  /** Offers not taken: no answer, busy, failed, not delivered. */
  missedOffers: number;
  /** Seconds in each state within the range. */
  stateSeconds: Record<AgentStatus, number>;
  /** Seconds away per pause reason. */
  pauseSeconds: Record<string, number>;
}

export interface AgentReport {
  from: string;
  to: string;
  timezone: string;
  rows: AgentReportRow[];
}
