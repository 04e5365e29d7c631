// Report projections: call detail records (one row per call), every offer of a
// call to an agent, and the agent status history. They are derived from the event
// log and may be rebuilt from it; the log stays the truth.
import type { Statement } from 'better-sqlite3';
import type {
  AgentStatus, CallAttributes, CallOutcome, CallStatus, CallView, OfferMissReason, TierReason,
} from '../../routing/types.ts';
import type { Database } from './db.ts';

/** Facts a CallView does not carry. Omitted or null keeps what an earlier upsert stored. */
export interface CallExtra {
  offeredAt?: number | null;
  endedAt?: number | null;
  twilioQueueSid?: string | null;
  /** The Twilio leg Atende placed that carries the call now (a callback's customer): see Legs.carries. */
  twilioCarrierSid?: string | null;
  toNumber?: string | null;
  surveyNps?: number | null;
  surveyCsat?: number | null;
  resolvedFirstContact?: boolean | null;
}

export type OfferResult = 'answered' | OfferMissReason | 'withdrawn' | (string & {});

export interface CdrRow {
  callId: string;
  status: CallStatus;
  from: string;
  to: string | null;
  arrivedAt: number;
  ivrPath: string[];
  language: string | null;
  attributes: CallAttributes;
  queue: string | null;
  tier: number | null;
  tierRuleId: string | null;
  tierLabel: string | null;
  tierReason: TierReason | null;
  queuedAt: number | null;
  offeredAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  outcome: CallOutcome | null;
  agentId: string | null;
  level: number;
  escalations: number;
  missedBy: string[];
  notes: string[];
  surveyNps: number | null;
  surveyCsat: number | null;
  resolvedFirstContact: boolean | null;
  twilioQueueSid: string | null;
  /** The leg Atende placed that carries the call (a callback's customer), read back at start after a restart. */
  twilioCarrierSid: string | null;
  /** The SAC protocol number (null for calls that arrived without one). */
  protocol: string | null;
  /** Twilio's recording of the agent leg (docs/sac.md, "Gravações"): its sid (RE…), null when not recorded. */
  recordingSid: string | null;
  /** Where Twilio keeps the audio; Atende never downloads nor stores it. */
  recordingUrl: string | null;
  /** Seconds of audio (paused time skipped), once Twilio reports the recording completed. */
  recordingDurationSeconds: number | null;
  /** in-progress, paused, completed, absent, failed… as Twilio names it. */
  recordingStatus: string | null;
  updatedAt: number;
}

export interface OfferRow {
  agentId: string;
  offeredAt: number;
  /** null while the offer is still ringing. */
  result: OfferResult | null;
  resultAt: number | null;
}

export interface AgentStateRow {
  status: AgentStatus;
  reason: string | null;
  at: number;
}

export interface ListCallsOptions {
  /** arrived_at >= from (epoch ms). */
  from?: number;
  /** arrived_at < to (epoch ms). */
  to?: number;
  queue?: string;
  /** Exactly this protocol number. */
  protocol?: string;
  /** Default 500. */
  limit?: number;
}

export interface CallDbRow {
  call_id: string; status: string; from_number: string; to_number: string | null; arrived_at: number;
  ivr_path: string; language: string | null; attributes: string; queue: string | null; tier: number | null;
  tier_rule_id: string | null; tier_label: string | null; tier_reason: string | null; queued_at: number | null;
  offered_at: number | null; answered_at: number | null; ended_at: number | null; outcome: string | null;
  agent_id: string | null; level: number; escalations: number; missed_by: string; notes: string;
  survey_nps: number | null; survey_csat: number | null; resolved_first_contact: number | null;
  twilio_queue_sid: string | null; twilio_carrier_sid: string | null; updated_at: number; protocol: string | null;
  recording_sid: string | null; recording_url: string | null; recording_duration_seconds: number | null; recording_status: string | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toCdr(r: CallDbRow): CdrRow {
  return {
    callId: r.call_id,
    status: r.status as CallStatus,
    from: r.from_number,
    to: r.to_number,
    arrivedAt: r.arrived_at,
    ivrPath: parseJson<string[]>(r.ivr_path, []),
    language: r.language,
    attributes: parseJson<CallAttributes>(r.attributes, {}),
    queue: r.queue,
    tier: r.tier,
    tierRuleId: r.tier_rule_id,
    tierLabel: r.tier_label,
    tierReason: r.tier_reason as TierReason | null,
    queuedAt: r.queued_at,
    offeredAt: r.offered_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    outcome: r.outcome as CallOutcome | null,
    agentId: r.agent_id,
    level: r.level,
    escalations: r.escalations,
    missedBy: parseJson<string[]>(r.missed_by, []),
    notes: parseJson<string[]>(r.notes, []),
    surveyNps: r.survey_nps,
    surveyCsat: r.survey_csat,
    resolvedFirstContact: r.resolved_first_contact == null ? null : r.resolved_first_contact !== 0,
    twilioQueueSid: r.twilio_queue_sid,
    twilioCarrierSid: r.twilio_carrier_sid ?? null,
    protocol: r.protocol ?? null,
    recordingSid: r.recording_sid ?? null,
    recordingUrl: r.recording_url ?? null,
    recordingDurationSeconds: r.recording_duration_seconds == null ? null : Number(r.recording_duration_seconds),
    recordingStatus: r.recording_status ?? null,
    updatedAt: r.updated_at,
  };
}

/** The calls row for a view: the columns of the upsert (both stores write the same row). */
export function callRowOf(view: CallView, extra: CallExtra, updatedAt: number): Record<string, unknown> {
  const rule = view.tierRule;
  return {
    call_id: view.id,
    status: view.status,
    from_number: view.from,
    to_number: extra.toNumber ?? null,
    arrived_at: view.arrivedAt,
    ivr_path: JSON.stringify(view.ivrPath ?? []),
    language: view.language,
    attributes: JSON.stringify(view.attributes ?? {}),
    queue: view.queue,
    tier: view.tier,
    tier_rule_id: rule?.ruleId ?? null,
    tier_label: rule?.label ?? null,
    tier_reason: rule?.reason ?? null,
    queued_at: view.queuedAt,
    offered_at: extra.offeredAt ?? null,
    answered_at: view.answeredAt,
    ended_at: extra.endedAt ?? null,
    outcome: view.outcome,
    agent_id: view.agentId,
    level: view.level,
    escalations: view.escalations,
    missed_by: JSON.stringify(view.missedBy ?? []),
    notes: JSON.stringify(view.notes ?? []),
    survey_nps: extra.surveyNps ?? null,
    survey_csat: extra.surveyCsat ?? null,
    resolved_first_contact: extra.resolvedFirstContact == null ? null : extra.resolvedFirstContact ? 1 : 0,
    twilio_queue_sid: extra.twilioQueueSid ?? null,
    twilio_carrier_sid: extra.twilioCarrierSid ?? null,
    protocol: view.protocol ?? null,
    recording_sid: view.recording?.sid ?? null,
    recording_url: view.recording?.url ?? null,
    recording_duration_seconds: view.recording?.durationSeconds ?? null,
    recording_status: view.recording?.status ?? null,
    updated_at: updatedAt,
  };
}

interface CallRecordsOptions {
  /** Wall clock for `updated_at`; defaults to Date.now. */
  now?: () => number;
}

export class CallRecords {
  private readonly now: () => number;
  private readonly upsertStmt: Statement<[Record<string, unknown>]>;
  private readonly getStmt: Statement<[string]>;
  private readonly listStmt: Statement<[Record<string, unknown>]>;
  private readonly offerStmt: Statement<[string, string, number]>;
  private readonly offerResultStmt: Statement<[string, number, string, string]>;
  private readonly offersStmt: Statement<[string]>;
  private readonly stateStmt: Statement<[string, string, string | null, number]>;
  private readonly historyStmt: Statement<[Record<string, unknown>]>;

  /** Runs before every read: a writer that batches its rows flushes them here. */
  beforeRead: (() => void) | null = null;

  constructor(db: Database, opts: CallRecordsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.upsertStmt = db.prepare(`
      INSERT INTO calls (
        call_id, status, from_number, to_number, arrived_at, ivr_path, language, attributes, queue, tier,
        tier_rule_id, tier_label, tier_reason, queued_at, offered_at, answered_at, ended_at, outcome,
        agent_id, level, escalations, missed_by, notes, survey_nps, survey_csat, resolved_first_contact,
        twilio_queue_sid, twilio_carrier_sid, protocol, recording_sid, recording_url, recording_duration_seconds, recording_status, updated_at
      ) VALUES (
        @call_id, @status, @from_number, @to_number, @arrived_at, @ivr_path, @language, @attributes, @queue, @tier,
        @tier_rule_id, @tier_label, @tier_reason, @queued_at, @offered_at, @answered_at, @ended_at, @outcome,
        @agent_id, @level, @escalations, @missed_by, @notes, @survey_nps, @survey_csat, @resolved_first_contact,
        @twilio_queue_sid, @twilio_carrier_sid, @protocol, @recording_sid, @recording_url, @recording_duration_seconds, @recording_status, @updated_at
      )
      ON CONFLICT (call_id) DO UPDATE SET
        status = excluded.status,
        from_number = excluded.from_number,
        to_number = COALESCE(excluded.to_number, calls.to_number),
        arrived_at = excluded.arrived_at,
        ivr_path = excluded.ivr_path,
        language = excluded.language,
        attributes = excluded.attributes,
        queue = excluded.queue,
        tier = excluded.tier,
        tier_rule_id = excluded.tier_rule_id,
        tier_label = excluded.tier_label,
        tier_reason = excluded.tier_reason,
        queued_at = excluded.queued_at,
        offered_at = COALESCE(excluded.offered_at, calls.offered_at),
        answered_at = excluded.answered_at,
        ended_at = COALESCE(excluded.ended_at, calls.ended_at),
        outcome = excluded.outcome,
        agent_id = excluded.agent_id,
        level = excluded.level,
        escalations = excluded.escalations,
        missed_by = excluded.missed_by,
        notes = excluded.notes,
        survey_nps = COALESCE(excluded.survey_nps, calls.survey_nps),
        survey_csat = COALESCE(excluded.survey_csat, calls.survey_csat),
        resolved_first_contact = COALESCE(excluded.resolved_first_contact, calls.resolved_first_contact),
        twilio_queue_sid = COALESCE(excluded.twilio_queue_sid, calls.twilio_queue_sid),
        twilio_carrier_sid = COALESCE(excluded.twilio_carrier_sid, calls.twilio_carrier_sid),
        protocol = COALESCE(excluded.protocol, calls.protocol),
        recording_sid = COALESCE(excluded.recording_sid, calls.recording_sid),
        recording_url = COALESCE(excluded.recording_url, calls.recording_url),
        recording_duration_seconds = COALESCE(excluded.recording_duration_seconds, calls.recording_duration_seconds),
        recording_status = COALESCE(excluded.recording_status, calls.recording_status),
        updated_at = excluded.updated_at
    `);
    this.getStmt = db.prepare('SELECT * FROM calls WHERE call_id = ?');
    this.listStmt = db.prepare(`
      SELECT * FROM calls
      WHERE (@from IS NULL OR arrived_at >= @from)
        AND (@to IS NULL OR arrived_at < @to)
        AND (@queue IS NULL OR queue = @queue)
        AND (@protocol IS NULL OR protocol = @protocol)
      ORDER BY arrived_at DESC, call_id DESC
      LIMIT @limit
    `);
    this.offerStmt = db.prepare('INSERT INTO call_offers (call_id, agent_id, offered_at) VALUES (?, ?, ?)');
    this.offerResultStmt = db.prepare(`
      UPDATE call_offers SET result = ?, result_at = ?
      WHERE id = (
        SELECT id FROM call_offers
        WHERE call_id = ? AND agent_id = ? AND result IS NULL
        ORDER BY offered_at DESC, id DESC LIMIT 1
      )
    `);
    this.offersStmt = db.prepare(`
      SELECT agent_id AS agentId, offered_at AS offeredAt, result, result_at AS resultAt
      FROM call_offers WHERE call_id = ? ORDER BY offered_at, id
    `);
    this.stateStmt = db.prepare('INSERT INTO agent_states (agent_id, status, reason, at) VALUES (?, ?, ?, ?)');
    this.historyStmt = db.prepare(`
      SELECT status, reason, at FROM agent_states
      WHERE agent_id = @agent_id
        AND (@from IS NULL OR at >= @from)
        AND (@to IS NULL OR at < @to)
      ORDER BY at, id
    `);
  }

  /** Inserts the call or rewrites it from the current view; `extra` fields left out keep their stored value. */
  upsertCall(view: CallView, extra: CallExtra = {}): void {
    this.upsertStmt.run(callRowOf(view, extra, this.now()));
  }

  /** A new offer of the call to the agent, still ringing (result null). */
  recordOffer(callId: string, agentId: string, at: number): void {
    this.offerStmt.run(callId, agentId, at);
  }

  /**
   * Closes the newest still-open offer of that call to that agent. Returns false
   * when there was none (already closed, or never recorded).
   */
  recordOfferResult(callId: string, agentId: string, result: OfferResult, at: number): boolean {
    return this.offerResultStmt.run(result, at, callId, agentId).changes === 1;
  }

  recordAgentState(agentId: string, status: AgentStatus, reason: string | null, at: number): void {
    this.stateStmt.run(agentId, status, reason, at);
  }

  getCall(callId: string): CdrRow | null {
    this.beforeRead?.();
    const row = this.getStmt.get(callId) as CallDbRow | undefined;
    return row ? toCdr(row) : null;
  }

  /** Calls by arrival time, newest first; `from` inclusive, `to` exclusive. */
  listCalls(opts: ListCallsOptions = {}): CdrRow[] {
    this.beforeRead?.();
    const limit = opts.limit === undefined ? 500 : Math.max(0, Math.floor(opts.limit));
    const rows = this.listStmt.all({
      from: opts.from ?? null, to: opts.to ?? null, queue: opts.queue ?? null, protocol: opts.protocol ?? null, limit,
    }) as CallDbRow[];
    return rows.map(toCdr);
  }

  /** Status changes of the agent in time order; `from` inclusive, `to` exclusive. */
  agentStateHistory(agentId: string, opts: { from?: number; to?: number } = {}): AgentStateRow[] {
    this.beforeRead?.();
    return this.historyStmt.all({ agent_id: agentId, from: opts.from ?? null, to: opts.to ?? null }) as AgentStateRow[];
  }

  /** Every offer of the call, oldest first. */
  offersFor(callId: string): OfferRow[] {
    this.beforeRead?.();
    return this.offersStmt.all(callId) as OfferRow[];
  }
}
