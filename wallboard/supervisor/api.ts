// HTTP calls of the supervisor's screen, all with `Authorization: Bearer <token>`.
// Every call answers a Result instead of throwing: the page shows the server's
// reason (the one error shape's `message`) next to what was refused.

import type {
  AgentReport, AlertView, SupervisorSetup, SupervisorView,
} from '../../server/contract.ts';

interface HttpResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  blob(): Promise<Blob>;
}
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; cache?: 'no-store' }) => Promise<HttpResponse>;

export type Result<T> =
  | { ok: true; status: number; body: T }
  /** status 0: no answer (network down, server gone). */
  | { ok: false; status: number; code: string | null; message: string };

export const isDenied = (r: Result<unknown>): boolean => !r.ok && (r.status === 401 || r.status === 403);

export interface Ticket { ticket: string; expiresInSeconds: number }
export interface AuditEntry { id: number; at: number; actor: string; action: string; target: string | null; before: unknown; after: unknown }
export interface AuditQuery { who?: string; field?: string; action?: string; since?: string; until?: string; limit?: number }
export interface ReportQuery { from: string; to: string; granularity: string; scope: string; id?: string }
export interface IntervalRow {
  start: string; end: string; startMs: number; endMs: number; complete: boolean; intervals: number;
  offered: number; answered: number; abandoned: number; shortAbandoned: number; answeredWithinThreshold: number;
  abandonedWithinThreshold: number; serviceLevel: number | null; asaSeconds: number | null; tmaSeconds: number | null;
  abandonRate: number | null; handled: number; nps: number | null; npsResponses: number; csat: number | null;
  csatResponses: number; fcr: number | null; fcrResponses: number;
  /** SAC (docs/sac.md): waits over the legal limit; callbacks asked for, reached, not reached; calls dropped. */
  legalBreaches: number; callbacksRequested: number; callbacksReached: number; callbacksNotReached: number; dropped: number;
}
export interface IntervalReport {
  from: string; to: string; timezone: string; granularity: string; target: number; thresholdSeconds: number;
  rows: IntervalRow[]; total: IntervalRow | null;
}
export interface Download { blob: Blob; filename: string }

// ---- Planejamento: POST /api/whatif, GET /api/calls/:id/why, GET /api/forecast/intraday ----
export interface WhatIfFigures {
  offered: number; answered: number; abandoned: number; shortAbandoned: number; answeredWithinThreshold: number;
  serviceLevel: number | null; asaSeconds: number | null; tmaSeconds: number | null; abandonRate: number | null;
  handled: number; occupancy: number | null;
}
export interface WhatIfScopes { center: WhatIfFigures; queues: Record<string, WhatIfFigures> }
export interface WhatIfResult {
  date: string; timezone: string; dayStart: string; endAt: string; intervalMinutes: number; changes: string[]; seed: number;
  intervals: { start: string; end: string; complete: boolean; before: WhatIfScopes; after: WhatIfScopes }[];
  day: { before: WhatIfScopes; after: WhatIfScopes };
  patience: { observations: number; abandons: number; meanSeconds: number | null; medianSeconds: number | null };
  calls: { recorded: number; carriedOver: number };
  limits: string[];
  replayMs: number;
}
export interface WhyAgent { id: string; level: number; status: string; reason: string | null; callId: string | null }
export type WhyReason =
  | { kind: 'no-agent-logged-in'; skill: string; agentsWithSkill: string[] }
  | { kind: 'all-busy'; agents: WhyAgent[] }
  | { kind: 'level-busy'; levels: { from: number; to: number }; busy: WhyAgent[]; free: WhyAgent[]; widensAt: number | null }
  | { kind: 'callers-ahead'; count: number; byTier: number[] }
  | { kind: 'excluded'; agentId: string };
export interface WhyAnswer {
  callId: string; arrivedAt: number; endedAt: number | null; outcome: string | null; waitedSeconds: number | null;
  timeline: ({ at: number; what: string } & Record<string, unknown>)[];
  waits: { from: number; to: number; seconds: number; reasons: WhyReason[] }[];
  replayedEvents: number; replayMs: number;
}
export interface CallRow { callId: string; from: string; arrivedAt: number; queue: string | null; outcome: string | null; status: string; protocol: string | null }
export interface IntradayComing { start: string; end: string; startMs: number; endMs: number; arrivals: number; callsPerHour: number; erlangC: number | null; erlangA: number | null; loggedIn: number; gap: number | null }
export interface IntradayScope { id: string | null; method: string; scale: number | null; historyDays: number; ahtSeconds: number | null; thresholdSeconds: number; target: number; observed: number[]; coming: IntradayComing[] }
export interface Intraday {
  at: number; timezone: string; dayStart: string; intervalMinutes: number;
  patience: { observations: number; abandons: number; meanSeconds: number | null; medianSeconds: number | null };
  center: IntradayScope; queues: IntradayScope[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** The file name in `Content-Disposition: attachment; filename="…"`. */
export function filenameOf(disposition: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(disposition ?? '');
  return m ? m[1] : fallback;
}

export class SupervisorApi {
  constructor(private readonly fetchFn: FetchLike, private readonly token: string) {}

  private async send(method: string, url: string, body?: unknown): Promise<HttpResponse | Result<never>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetchFn(url, { method, headers, cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      return { ok: false, status: 0, code: null, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<Result<T>> {
    const res = await this.send(method, url, body);
    if (!('json' in res)) return res;
    let json: unknown = null;
    try { json = await res.json(); } catch { json = null; }
    if (res.ok) return { ok: true, status: res.status, body: json as T };
    return refusal(res.status, json);
  }

  setup(): Promise<Result<SupervisorSetup>> { return this.call('GET', '/api/supervisor/setup'); }
  live(): Promise<Result<SupervisorView>> { return this.call('GET', '/api/supervisor/live'); }
  ticket(): Promise<Result<Ticket>> { return this.call('POST', '/api/supervisor/ticket'); }
  settings(): Promise<Result<Record<string, unknown>>> { return this.call('GET', '/api/settings'); }
  patchSettings(patch: Record<string, unknown>): Promise<Result<Record<string, unknown>>> { return this.call('PATCH', '/api/settings', patch); }

  setState(agentId: string, state: 'available' | 'away' | 'offline', reason?: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/agents/${encodeURIComponent(agentId)}/state`, reason ? { state, reason } : { state });
  }
  changeAgent(agentId: string, change: { skills?: string[]; level?: number }): Promise<Result<unknown>> {
    return this.call('PATCH', `/api/agents/${encodeURIComponent(agentId)}`, change);
  }
  moveCall(callId: string, change: { queue?: string; tier?: number; reason: string }): Promise<Result<unknown>> {
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/move`, change);
  }
  /** The call dropped on the company's side: a callback at the head of its tier (docs/sac.md). */
  markDropped(callId: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/dropped`, {});
  }
  escalateCall(callId: string, toLevel: number, reason: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/escalate`, { toLevel, reason });
  }
  acknowledgeAlert(id: string): Promise<Result<AlertView>> {
    return this.call('POST', `/api/alerts/${encodeURIComponent(id)}/acknowledge`);
  }
  audit(q: AuditQuery): Promise<Result<{ entries: AuditEntry[] }>> {
    return this.call('GET', `/api/audit${query({ ...q })}`);
  }
  intervals(q: ReportQuery): Promise<Result<IntervalReport>> {
    return this.call('GET', `/api/reports/intervals${query({ ...q })}`);
  }
  agentReport(from: string, to: string): Promise<Result<AgentReport>> {
    return this.call('GET', `/api/supervisor/agent-report${query({ from, to })}`);
  }

  whatIf(body: { date: string; changes: string[]; seed?: number }): Promise<Result<WhatIfResult>> {
    return this.call('POST', '/api/whatif', body);
  }
  why(callId: string): Promise<Result<WhyAnswer>> {
    return this.call('GET', `/api/calls/${encodeURIComponent(callId)}/why`);
  }
  calls(q: { protocol?: string; limit?: number }): Promise<Result<{ calls: CallRow[] }>> {
    return this.call('GET', `/api/calls${query({ ...q })}`);
  }
  intraday(intervals: number): Promise<Result<Intraday>> {
    return this.call('GET', `/api/forecast/intraday${query({ intervals })}`);
  }

  /** A CSV as a file to save: the header carries the token, so a plain link cannot fetch it. */
  async csv(url: string, fallbackName: string): Promise<Result<Download>> {
    const res = await this.send('GET', url);
    if (!('json' in res)) return res;
    if (!res.ok) {
      let json: unknown = null;
      try { json = await res.json(); } catch { json = null; }
      return refusal(res.status, json);
    }
    return { ok: true, status: res.status, body: { blob: await res.blob(), filename: filenameOf(res.headers.get('content-disposition'), fallbackName) } };
  }
  intervalsCsvUrl(q: ReportQuery): string { return `/api/reports/intervals${query({ ...q, format: 'csv' })}`; }
  agentReportCsvUrl(from: string, to: string): string { return `/api/supervisor/agent-report${query({ from, to, format: 'csv' })}`; }
}

function refusal(status: number, json: unknown): Result<never> {
  const rec = isRecord(json) ? json : {};
  return {
    ok: false,
    status,
    code: typeof rec.code === 'string' ? rec.code : null,
    message: typeof rec.message === 'string' ? rec.message : `HTTP ${status}`,
  };
}
