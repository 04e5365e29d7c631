// The Twilio REST client. TWILIO_API_URL points it at a local emulator: a request
// client that rewrites only the origin and delegates the rest (auth, errors) to the
// package's own RequestClient. Retries, 429 included, are the dequeuer's; this client
// only keeps what the package's RestException drops and a retry needs: Retry-After.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
type TwilioResponse<T> = Awaited<ReturnType<RequestClient['request']>> & { body: T };

/** A Twilio error answer that says when to try again (Retry-After, on a 429 or 503). */
export class TwilioRetryLater extends twilio.RestException {
  constructor(response: { statusCode: number; body: unknown }, readonly retryAfterMs: number) {
    super(response);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const text = String(v).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export type TwilioRest = ReturnType<typeof twilio>;

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** Base URL replacing https://api.twilio.com (and every other Twilio host) for tests. */
  apiUrl?: string | null;
  timeoutMs?: number;
}

class AtendeRequestClient extends twilio.RequestClient {
  /** `base`: the origin replacing Twilio's (a local emulator); null for Twilio itself. */
  constructor(private readonly base: URL | null, timeout: number) {
    super({ timeout });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    let uri = opts.uri;
    if (this.base) {
      const target = new URL(opts.uri);
      uri = new URL(target.pathname + target.search, this.base).toString();
    }
    const res = await super.request<TData>({ ...opts, uri });
    // The package turns an error answer into a RestException without its headers.
    const wait = (res.statusCode === 429 || res.statusCode === 503) ? retryAfterMs(headerOf(res.headers, 'retry-after')) : null;
    if (wait !== null) throw new TwilioRetryLater(res, wait);
    return res;
  }
}

function headerOf(headers: unknown, name: string): unknown {
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  return typeof h.get === 'function' ? h.get(name) : h[name];
}

export function createTwilioRest(opts: TwilioRestOptions): TwilioRest {
  const timeout = opts.timeoutMs ?? 5000;
  const httpClient = new AtendeRequestClient(opts.apiUrl ? new URL(opts.apiUrl) : null, timeout);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}
