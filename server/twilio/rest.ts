// The Twilio REST client. TWILIO_API_URL points it at a local emulator: a request
// client that rewrites only the origin and delegates the rest (auth, errors) to the
// package's own RequestClient. Retries, 429 included, are the dequeuer's.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
type TwilioResponse<T> = Awaited<ReturnType<RequestClient['request']>> & { body: T };

export type TwilioRest = ReturnType<typeof twilio>;

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** Base URL replacing https://api.twilio.com (and every other Twilio host) for tests. */
  apiUrl?: string | null;
  timeoutMs?: number;
}

class RewritingRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL, timeout: number) {
    super({ timeout });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    const target = new URL(opts.uri);
    const rewritten = new URL(target.pathname + target.search, this.base);
    return super.request<TData>({ ...opts, uri: rewritten.toString() });
  }
}

export function createTwilioRest(opts: TwilioRestOptions): TwilioRest {
  const timeout = opts.timeoutMs ?? 5000;
  const httpClient = opts.apiUrl
    ? new RewritingRequestClient(new URL(opts.apiUrl), timeout)
    : new twilio.RequestClient({ timeout });
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}
