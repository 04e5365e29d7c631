// HTTP calls of the console, all with `Authorization: Bearer <token>`. The
// fetch function is injected, so the module runs in node tests too. Every call
// answers a Result instead of throwing: the page decides what a 401/403 (back
// to sign-in), a 409 (say so) or a network failure (status 0) means.

import type { AgentConsoleView, PauseAdviceView } from '../../server/contract.ts';
import { agentQuery } from './params.ts';

interface HttpResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; cache?: 'no-store' }) => Promise<HttpResponse>;

export type Result<T> =
  | { ok: true; status: number; body: T }
  /** status 0: no answer (network down, server gone). */
  | { ok: false; status: number; code: string | null; message: string };

/** 401/403: the token is no good here; the page goes back to the sign-in form. */
export const isDenied = (r: Result<unknown>): boolean => !r.ok && (r.status === 401 || r.status === 403);

export interface Ticket { ticket: string; expiresInSeconds: number; agent: string }

/** GET /api/agent/voice-token: a Twilio Access Token for the softphone, expiring at `expiresAt` (epoch ms). */
export interface VoiceToken { token: string; identity: string; expiresAt: number }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class AgentApi {
  constructor(
    private readonly fetchFn: FetchLike,
    private readonly token: string,
    /** `?agent=` from the page URL (supervisors); null for an agent's own console. */
    private readonly agent: string | null = null,
  ) {}

  private async call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Result<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: HttpResponse;
    try {
      res = await this.fetchFn(url, { method, headers, cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      return { ok: false, status: 0, code: null, message: err instanceof Error ? err.message : String(err) };
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (res.ok) return { ok: true, status: res.status, body: json as T };
    const rec = isRecord(json) ? json : {};
    return {
      ok: false,
      status: res.status,
      code: typeof rec.code === 'string' ? rec.code : null,
      message: typeof rec.message === 'string' ? rec.message : `HTTP ${res.status}`,
    };
  }

  me(): Promise<Result<AgentConsoleView>> {
    return this.call('GET', `/api/agent/me${agentQuery(this.agent)}`);
  }

  ticket(): Promise<Result<Ticket>> {
    return this.call('POST', `/api/agent/ticket${agentQuery(this.agent)}`);
  }

  voiceToken(): Promise<Result<VoiceToken>> {
    return this.call('GET', `/api/agent/voice-token${agentQuery(this.agent)}`);
  }

  /** Whether a pause now would break the service level (the breach warning). */
  pauseAdvice(agentId: string): Promise<Result<PauseAdviceView>> {
    return this.call('GET', `/api/forecast/pause?agent=${encodeURIComponent(agentId)}`);
  }

  setState(agentId: string, state: 'available' | 'away' | 'offline', reason?: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/agents/${encodeURIComponent(agentId)}/state`, reason ? { state, reason } : { state });
  }

  ready(agentId: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/agents/${encodeURIComponent(agentId)}/ready`);
  }

  /** The line dropped on the company's side: the call becomes a callback at the head of its tier (docs/sac.md). */
  dropped(callId: string): Promise<Result<unknown>> {
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/dropped`, {});
  }

  disposition(callId: string, resolvedFirstContact: boolean, note?: string): Promise<Result<unknown>> {
    const n = note?.trim();
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/disposition`, n ? { resolvedFirstContact, note: n } : { resolvedFirstContact });
  }

  /** Pauses or resumes Twilio's recording of the agent's call (card numbers stay out of it). */
  recording(action: 'pause' | 'resume'): Promise<Result<unknown>> {
    return this.call('POST', `/api/agent/recording${agentQuery(this.agent)}`, { action });
  }

  escalate(callId: string, toLevel: number, note?: string): Promise<Result<unknown>> {
    const n = note?.trim();
    return this.call('POST', `/api/calls/${encodeURIComponent(callId)}/escalate`, n ? { toLevel, note: n } : { toLevel });
  }
}
