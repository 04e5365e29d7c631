// Twilio retries a webhook with the same I-Twilio-Idempotency-Token when it did not
// get (or could not read) the answer. The retry must get the very TwiML the first
// try got, even if the call has moved on since: what the caller hears was decided
// then. Bounded: the oldest answers go first.
const DEFAULT_SIZE = 5000;

export class ReplyCache {
  private readonly byToken = new Map<string, string>();

  constructor(private readonly size = DEFAULT_SIZE) {}

  get(token: string): string | undefined {
    return this.byToken.get(token);
  }

  set(token: string, twiml: string): void {
    this.byToken.set(token, twiml);
    if (this.byToken.size > this.size) this.byToken.delete(this.byToken.keys().next().value!);
  }
}
