// What Twilio posts beyond a call's own parameters, so Atende meets it in tests as it
// will on day one (twilio.md §1; docs api/twiml/twilio_request, voice/trusted-calling-
// with-shakenstir, marketplace Add-ons): the geography of both numbers (often empty),
// STIR/SHAKEN's StirVerstat and CallToken (an opaque token, over 2,048 characters on
// some calls), and, on the incoming call's request, Marketplace Add-on results in
// AddOns (a JSON document, tens of KB with a few Add-ons installed).

export interface ParamOptions {
  /** Share (0..1) of calls whose incoming request carries AddOns. Default 0.2. */
  addOnsShare?: number;
  /** Size of those AddOns in bytes. Default 24 KiB. */
  addOnsBytes?: number;
  /** Share of calls with a long CallToken (the rest get an ordinary one of ~900 characters). Default 0.25. */
  longTokenShare?: number;
  /** Length of a long CallToken. Default 2,600 (over the 2,048 a naive limit would allow). */
  longTokenLength?: number;
}

/** Per call: drawn once when the call starts. */
export interface CallExtras {
  callToken: string;
  stirVerstat: string;
  /** Null: no Add-ons on this call. */
  addOns: string | null;
}

const ORDINARY_TOKEN_LENGTH = 900;
const VERSTATS = ['TN-Validation-Passed-A', 'TN-Validation-Passed-B', 'TN-Validation-Passed-C', 'TN-Validation-Failed-A', 'No-TN-Validation'];

export function extrasFor(random: () => number, opts: ParamOptions = {}): CallExtras {
  const long = random() < (opts.longTokenShare ?? 0.25);
  const withAddOns = random() < (opts.addOnsShare ?? 0.2);
  return {
    callToken: callToken(long ? opts.longTokenLength ?? 2600 : ORDINARY_TOKEN_LENGTH, random),
    stirVerstat: VERSTATS[Math.floor(random() * VERSTATS.length)],
    addOns: withAddOns ? addOns(opts.addOnsBytes ?? 24 * 1024, random) : null,
  };
}

/**
 * Twilio's CallToken is URL-encoded JSON holding signed tokens
 * (`%7B%22parentCallInfoToken%22%3A%22eyJ…`); opaque to Atende, only its size matters.
 */
export function callToken(length: number, random: () => number): string {
  const head = '%7B%22parentCallInfoToken%22%3A%22';
  const tail = '%22%7D';
  return head + base64url(Math.max(0, length - head.length - tail.length), random) + tail;
}

/** An AddOns document in Twilio's shape (status, results per Add-on), padded to `bytes`. */
export function addOns(bytes: number, random: () => number): string {
  const result = (name: string, data: Record<string, unknown>) => ({
    request_sid: `XR${hex(32, random)}`, status: 'successful', message: null, code: null, result: data, name,
  });
  const doc = {
    status: 'successful', message: null, code: null,
    results: {
      twilio_caller_name: result('twilio_caller_name', { caller_name: { caller_name: 'CLIENTE EXEMPLO', caller_type: 'CONSUMER', error_code: null } }),
      nomorobo_spamscore: result('nomorobo_spamscore', { status: 'success', message: 'success', score: 0 }),
      padding: result('padding', { data: '' }),
    },
  };
  const base = JSON.stringify(doc).length;
  doc.results.padding.result.data = base64url(Math.max(0, bytes - base), random);
  return JSON.stringify(doc);
}

/** FromCity/FromState/FromZip/FromCountry (and To, Caller, Called): Twilio's guesses from the number, often empty. */
export function geography(field: 'From' | 'To' | 'Caller' | 'Called', number: string): Record<string, string> {
  const { country, state } = whereIs(number);
  return { [`${field}City`]: '', [`${field}State`]: state, [`${field}Zip`]: '', [`${field}Country`]: country };
}

/** Brazilian area codes (DDD) to states; others by country code only. */
const DDD_STATE: [RegExp, string][] = [
  [/^1[1-9]/, 'SP'], [/^2[124]/, 'RJ'], [/^2[78]/, 'ES'], [/^3[1-8]/, 'MG'], [/^4[1-6]/, 'PR'], [/^4[7-9]/, 'SC'],
  [/^5[1-5]/, 'RS'], [/^61/, 'DF'], [/^7[1-57]/, 'BA'], [/^8[17]/, 'PE'], [/^8[58]/, 'CE'],
];

function whereIs(number: string): { country: string; state: string } {
  if (number.startsWith('+55')) return { country: 'BR', state: DDD_STATE.find(([re]) => re.test(number.slice(3)))?.[1] ?? '' };
  if (number.startsWith('+1')) return { country: 'US', state: '' };
  return { country: '', state: '' };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(n: number, random: () => number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += B64[Math.floor(random() * 64)];
  return s;
}

function hex(n: number, random: () => number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}
