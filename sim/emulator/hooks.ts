// Webhook delivery as Twilio does it: form-encoded POST (or GET with the
// parameters in the query), X-Twilio-Signature over the exact URL as given in the
// TwiML (Atende's public URL) without its fragment, an I-Twilio-Idempotency-Token
// stable across the retries of one logical request. The request itself goes to
// where Atende listens.
//
// Retries as Twilio documents them (docs usage/webhooks/webhooks-connection-overrides;
// twilio.md §4): by default one retry (rc=1) and only when the connection could not
// be made (rp=ct); a 5xx, a 4xx or a read timeout is final, Retry-After is ignored.
// A URL fragment `#ct=…&rt=…&tt=…&rc=…&rp=…` overrides that for this URL: connect
// timeout, read timeout, total time of all tries (≤ 15 s for calls), retry count
// (0–5) and which failures are retried (4xx, 5xx, ct, rt, all; a list).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type { EmulatorEvent, WebhookRecord } from './types.ts';

// node:http with keep-alive rather than fetch: under load fetch's web streams and
// abort signals cost the emulator several times what the server spends per request.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

/** Why an attempt got no answer: the connection was never made (ct), or no answer came in time (rt). */
export class AttemptError extends Error {
  constructor(message: string, readonly failure: 'ct' | 'rt') { super(message); }
}

/** Errors of a connection that was never made. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

export interface Timeouts {
  /** Connect timeout (ms). */
  connectMs: number;
  /** Read timeout (ms): to the first byte of the answer, and between its packets. */
  readMs: number;
  /** Hard end of this attempt (ms), whatever comes. */
  totalMs: number;
}

/** One HTTP request, the whole body read as text. Rejects with an AttemptError when no answer came. */
export function httpRequest(target: string, method: string, headers: Record<string, string>, body: string | undefined, timeouts: number | Timeouts): Promise<{ status: number; text: string; serverMs: number | null }> {
  const t = typeof timeouts === 'number' ? { connectMs: timeouts, readMs: timeouts, totalMs: timeouts } : timeouts;
  return new Promise((resolve, reject) => {
    const u = new URL(target);
    const lib = u.protocol === 'https:' ? https : http;
    let connected = false;
    const req = lib.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: u.protocol === 'https:' ? httpsAgent : httpAgent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(total);
        const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), serverMs: timing ? Number(timing[1]) : null });
      });
      res.on('error', (err) => fail(err));
    });
    const fail = (err: Error) => {
      clearTimeout(total);
      if (err instanceof AttemptError) return reject(err);
      const code = (err as NodeJS.ErrnoException).code ?? '';
      // A keep-alive socket the server had closed: Twilio would have opened a fresh connection.
      const staleSocket = req.reusedSocket && code === 'ECONNRESET';
      reject(new AttemptError(err.message, !connected && (CONNECT_ERRORS.has(code) || staleSocket) ? 'ct' : 'rt'));
    };
    const total = setTimeout(() => req.destroy(new AttemptError(`no answer within ${t.totalMs} ms`, connected ? 'rt' : 'ct')), t.totalMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) { connected = true; return; }
      const connect = setTimeout(() => req.destroy(new AttemptError(`connect timeout after ${t.connectMs} ms`, 'ct')), t.connectMs);
      socket.once('connect', () => { connected = true; clearTimeout(connect); });
      socket.once('close', () => clearTimeout(connect));
    });
    req.setTimeout(t.readMs, () => req.destroy(new AttemptError(`read timeout after ${t.readMs} ms`, 'rt')));
    req.on('error', fail);
    req.end(body);
  });
}

/** A URL's connection overrides, Twilio's defaults where absent or out of range. */
export interface ConnectionOverrides {
  connectMs: number;
  readMs: number;
  totalMs: number;
  retries: number;
  /** Failures that are retried: 'ct', 'rt', '4xx', '5xx' (or 'all'). */
  retryOn: Set<string>;
}

/** Twilio's hard cap on a call-related request, retries included. */
const CALL_REQUEST_CAP_MS = 15_000;

export function connectionOverrides(url: string, capMs = CALL_REQUEST_CAP_MS): ConnectionOverrides {
  const at = url.indexOf('#');
  const f = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  const num = (key: string, min: number, max: number, def: number) => {
    const v = Number(f.get(key));
    return f.has(key) && Number.isInteger(v) && v >= min && v <= max ? v : def;
  };
  const cap = Math.min(capMs, CALL_REQUEST_CAP_MS);
  const policy = (f.get('rp') ?? '').split(',').filter((p) => ['4xx', '5xx', 'ct', 'rt', 'all'].includes(p));
  return {
    connectMs: num('ct', 100, 10_000, 5000),
    readMs: Math.min(num('rt', 100, 15_000, 15_000), cap),
    totalMs: Math.min(num('tt', 100, 15_000, 15_000), cap),
    retries: num('rc', 0, 5, 1),
    retryOn: new Set(policy.length ? policy : ['ct']),
  };
}

/** The failure class of an attempt's result, or null when it is an answer Twilio keeps. */
function failureOf(status: number, failure: 'ct' | 'rt' | null): string | null {
  if (status === 0) return failure ?? 'rt';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return null;
}

export interface HookRequest {
  /** The URL as given (public); a fragment is dropped. */
  url: string;
  method: 'POST' | 'GET';
  params: Record<string, string>;
  kind: WebhookRecord['kind'];
  leg: WebhookRecord['leg'];
  callSid: string;
}

export interface HookResult {
  status: number;
  body: string;
  ms: number;
  /** Atende's own time for the request (its Server-Timing header), when it says. */
  serverMs?: number | null;
  error: string | null;
  /** No answer: the connection was never made (ct) or no answer came in time (rt). */
  failure?: 'ct' | 'rt' | null;
}

export class Stats {
  webhooksSent = 0;
  readonly errorsByStatus: Record<string, number> = {};
  restRequests = 0;
  readonly restByStatus: Record<string, number> = {};
  restFailuresInjected = 0;
  private readonly latencies: number[] = [];
  private seen = 0;
  private max = 0;
  private static readonly KEEP = 50_000;

  webhook(status: number, ms: number): void {
    this.webhooksSent++;
    if (status < 200 || status >= 300) this.errorsByStatus[String(status)] = (this.errorsByStatus[String(status)] ?? 0) + 1;
    this.max = Math.max(this.max, ms);
    // Reservoir sample: long runs keep a bounded, unbiased set of latencies.
    this.seen++;
    if (this.latencies.length < Stats.KEEP) this.latencies.push(ms);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < Stats.KEEP) this.latencies[j] = ms;
    }
  }

  rest(status: number): void {
    this.restRequests++;
    this.restByStatus[String(status)] = (this.restByStatus[String(status)] ?? 0) + 1;
  }

  latency(): { p50: number; p99: number; max: number } {
    if (!this.latencies.length) return { p50: 0, p99: 0, max: 0 };
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(this.max) };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export interface HooksOptions {
  authToken: string;
  /** Where Atende listens (may be set later with setAtendeUrl). */
  atendeUrl: string | null;
  /** Atende's public URL; null: the same as atendeUrl. */
  publicUrl: string | null;
  timeoutMs: number;
  stats: Stats;
  emit: (e: EmulatorEvent) => void;
  /** Decides whether this request is sent again with the same token. */
  retry: () => boolean;
}

export class Hooks {
  private atende: URL | null = null;
  private atendeBase = '';

  constructor(private readonly opts: HooksOptions) {
    if (opts.atendeUrl) this.setAtendeUrl(opts.atendeUrl);
  }

  setAtendeUrl(url: string): void {
    this.atende = new URL(url);
    this.atendeBase = url.replace(/\/+$/, '');
  }

  /** Atende's public base URL: what its TwiML URLs start with and what signatures cover. */
  get publicBase(): string {
    const base = this.opts.publicUrl ?? this.atendeBase;
    if (!base) throw new Error('the emulator does not know where Atende is: pass atendeUrl or call setAtendeUrl()');
    return base.replace(/\/+$/, '');
  }

  /** Where the request really goes: Atende's public base (or any foreign origin) mapped onto atendeUrl. */
  target(url: string): string {
    if (!this.atende) throw new Error('the emulator does not know where Atende is: pass atendeUrl or call setAtendeUrl()');
    const pub = this.publicBase;
    const rest = url.slice(pub.length);
    if (url.startsWith(pub) && (rest === '' || rest.startsWith('/') || rest.startsWith('?'))) return this.atendeBase + rest;
    const u = new URL(url);
    if (u.origin === this.atende.origin) return url;
    return this.atende.origin + url.slice(u.origin.length);
  }

  /**
   * Sends one logical request, retried as its URL's connection overrides say (by
   * default once, on a connection failure only); `retry()` (a fault) may send an
   * answered request once more with the same token. `onAttempt` sees every HTTP
   * attempt (for the call's record).
   */
  async send(req: HookRequest, onAttempt: (w: WebhookRecord) => void): Promise<HookResult> {
    let signed = req.url.replace(/#.*$/, '');
    let body: string | undefined;
    let signParams: Record<string, string> = req.params;
    if (req.method === 'GET') {
      const qs = new URLSearchParams(req.params).toString();
      if (qs) signed += (signed.includes('?') ? '&' : '?') + qs;
      signParams = {};
    } else {
      body = new URLSearchParams(req.params).toString();
    }
    const signature = twilio.getExpectedTwilioSignature(this.opts.authToken, signed, signParams);
    const headers: Record<string, string> = {
      'x-twilio-signature': signature,
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1 (atende-emulator)',
      accept: '*/*',
    };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    const target = this.target(signed);
    const path = new URL(signed).pathname;
    const overrides = connectionOverrides(req.url, this.opts.timeoutMs);
    const started = performance.now();

    const attempt = async (repeat: boolean): Promise<HookResult> => {
      const t0 = performance.now();
      const left = Math.max(1, overrides.totalMs - (t0 - started));
      let result: HookResult;
      try {
        const res = await httpRequest(target, req.method, headers, body, { connectMs: Math.min(overrides.connectMs, left), readMs: overrides.readMs, totalMs: left });
        result = { status: res.status, body: res.text, ms: performance.now() - t0, serverMs: res.serverMs, error: null, failure: null };
      } catch (err) {
        result = { status: 0, body: '', ms: performance.now() - t0, error: (err as Error).message, failure: err instanceof AttemptError ? err.failure : 'rt' };
      }
      this.opts.stats.webhook(result.status, result.ms);
      const ms = round(result.ms);
      const record: WebhookRecord = { url: signed, path, kind: req.kind, leg: req.leg, status: result.status, ms, repeat };
      if (req.kind === 'callback') {
        record.event = req.params.StatusCallbackEvent ?? req.params.CallStatus;
        if (req.params.SequenceNumber !== undefined) record.sequence = Number(req.params.SequenceNumber);
      }
      onAttempt(record);
      this.opts.emit({ type: 'webhook', at: Date.now(), callSid: req.callSid, path, kind: req.kind, status: result.status, ms, serverMs: result.serverMs ?? null });
      return result;
    };

    let res = await attempt(false);
    for (let n = 0; n < overrides.retries; n++) {
      const failure = failureOf(res.status, res.failure ?? null);
      const retried = failure !== null && (overrides.retryOn.has('all') || overrides.retryOn.has(failure));
      if (!retried || performance.now() - started >= overrides.totalMs) break;
      res = await attempt(true);
    }
    // The fault: an answer lost on its way back, the request sent again with its token.
    if (res.status >= 200 && res.status < 300 && this.opts.retry()) res = await attempt(true);
    return res;
  }
}
