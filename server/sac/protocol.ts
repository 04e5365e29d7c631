// SAC protocol numbers (registro numérico, Decreto 11.034/2022): every call gets one before
// anything else, digits only, unique, by default the date in the center's time zone plus a
// six-digit daily sequence (20261206000123). The format is a setting (sac.protocolFormat).
//
// Allocation is durable: the number is committed to SQLite (server/storage/protocols.ts)
// before the call's first event, so a restart continues the sequence and a webhook retried
// for the same call gets the same number back.
import type { ProtocolRows } from '../storage/store.ts';

type Part =
  | { kind: 'literal'; digits: string }
  | { kind: 'date'; token: 'yyyy' | 'yy' | 'MM' | 'dd' }
  | { kind: 'seq'; width: number };

export interface ProtocolFormat { source: string; parts: Part[] }

const DATE_TOKENS = new Set(['yyyy', 'yy', 'MM', 'dd']);

/** Reads a format like "{yyyy}{MM}{dd}{seq:6}" (digits may stand between tokens). Throws RangeError saying what is wrong. */
export function parseProtocolFormat(source: string): ProtocolFormat {
  const parts: Part[] = [];
  let rest = source;
  let seqs = 0;
  while (rest.length > 0) {
    const token = /^\{([A-Za-z]+)(?::(\d+))?\}/.exec(rest);
    if (token) {
      const [whole, name, width] = token;
      if (name === 'seq') {
        const w = Number(width);
        if (!Number.isInteger(w) || w < 1 || w > 12) throw new RangeError(`{seq:N} needs a width N from 1 to 12, got "${whole}"`);
        parts.push({ kind: 'seq', width: w });
        seqs++;
      } else if (DATE_TOKENS.has(name) && width === undefined) {
        parts.push({ kind: 'date', token: name as 'yyyy' | 'yy' | 'MM' | 'dd' });
      } else {
        throw new RangeError(`unknown token "${whole}" (use {yyyy}, {yy}, {MM}, {dd} and one {seq:N})`);
      }
      rest = rest.slice(whole.length);
      continue;
    }
    const digits = /^\d+/.exec(rest);
    if (!digits) throw new RangeError(`a protocol is digits only: "${rest[0]}" is neither a digit nor a token`);
    parts.push({ kind: 'literal', digits: digits[0] });
    rest = rest.slice(digits[0].length);
  }
  if (seqs !== 1) throw new RangeError(`the format needs exactly one {seq:N}, got ${seqs}`);
  return { source, parts };
}

export interface LocalDate { y: number; m: number; d: number }

/** The local date of `at` in a time zone. */
export function localDate(at: number, timezone: string): LocalDate {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(at).split('-').map(Number);
  return { y, m, d };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function renderPart(p: Part, date: LocalDate, seq: number): string {
  switch (p.kind) {
    case 'literal': return p.digits;
    // A sequence past its width grows a digit rather than wrap: still unique, still digits.
    case 'seq': return pad(seq, p.width);
    case 'date':
      switch (p.token) {
        case 'yyyy': return pad(date.y, 4);
        case 'yy': return pad(date.y % 100, 2);
        case 'MM': return pad(date.m, 2);
        case 'dd': return pad(date.d, 2);
      }
  }
}

export function renderProtocol(format: ProtocolFormat, date: LocalDate, seq: number): string {
  return format.parts.map((p) => renderPart(p, date, seq)).join('');
}

/** What the sequence counts within: the format rendered without its sequence ("20261206" by default: a daily sequence). */
export function periodOf(format: ProtocolFormat, date: LocalDate): string {
  return format.parts.map((p) => (p.kind === 'seq' ? '#' : renderPart(p, date, 0))).join('');
}

/**
 * The number in groups a caller can write down: the format's own pieces (year, month, day,
 * sequence), long ones cut in threes or fours. A number that does not fit the format is cut in threes.
 */
export function protocolGroups(protocol: string, format?: ProtocolFormat): string[] {
  const widths: number[] = [];
  if (format) {
    for (const p of format.parts) {
      const w = p.kind === 'literal' ? p.digits.length : p.kind === 'seq' ? p.width : p.token === 'yyyy' ? 4 : 2;
      widths.push(w);
    }
  }
  const total = widths.reduce((a, b) => a + b, 0);
  const pieces: string[] = [];
  if (format && total === protocol.length) {
    let at = 0;
    for (const w of widths) { pieces.push(protocol.slice(at, at + w)); at += w; }
  } else {
    pieces.push(protocol);
  }
  return pieces.flatMap(split);
}

/** 4 digits and fewer stay whole (a year reads as one); longer ones go in threes, never leaving one digit alone. */
function split(piece: string): string[] {
  if (piece.length <= 4) return [piece];
  const out: string[] = [];
  let rest = piece;
  while (rest.length > 4) {
    const take = rest.length === 5 ? 2 : 3;
    out.push(rest.slice(0, take));
    rest = rest.slice(take);
  }
  out.push(rest);
  return out;
}

const SPEECH: Record<'pt' | 'en' | 'es', { intro: string; again: string }> = {
  pt: { intro: 'Anote o número do seu protocolo:', again: 'Repetindo:' },
  en: { intro: 'Please write down your protocol number:', again: 'Again:' },
  es: { intro: 'Anote su número de protocolo:', again: 'Repito:' },
};

/**
 * What <Say> reads to tell a caller their protocol, in their language (pt-BR, en, es; others
 * in English): every digit on its own, groups apart, said twice. "20261206000123" →
 * "Anote o número do seu protocolo: 2 0 2 6, 1 2, 0 6, 0 0 0, 1 2 3. Repetindo: …".
 */
export function protocolSpeech(protocol: string, language: string, format?: ProtocolFormat): string {
  const words = SPEECH[language.slice(0, 2).toLowerCase() as 'pt' | 'en' | 'es'] ?? SPEECH.en;
  const spoken = protocolGroups(protocol, format).map((g) => g.split('').join(' ')).join(', ');
  return `${words.intro} ${spoken}. ${words.again} ${spoken}.`;
}

export interface ProtocolOptions {
  /** Read at each allocation: the settings in force. */
  format: () => string;
  timezone: () => string;
}

/** Hands out protocol numbers: one per call, kept in the store (SQLite or PostgreSQL), never twice. */
export class Protocols {
  private parsed: ProtocolFormat | null = null;

  constructor(private readonly store: ProtocolRows, private readonly opts: ProtocolOptions) {}

  /** The format in force (parsed once per change of the setting). */
  format(): ProtocolFormat {
    const source = this.opts.format();
    if (this.parsed?.source !== source) this.parsed = parseProtocolFormat(source);
    return this.parsed;
  }

  /**
   * The call's protocol number: the one it already has (a retried webhook), or the next of
   * the period of `at` (the call's arrival), committed before it is returned.
   */
  allocate(callId: string, at: number): Promise<string> {
    const format = this.format();
    const date = localDate(at, this.opts.timezone());
    return this.store.allocate(callId, periodOf(format, date), at, (seq) => renderProtocol(format, date, seq));
  }

  /** The protocol already given to a call, or null. */
  of(callId: string): Promise<string | null> {
    return this.store.protocolOf(callId);
  }

  /** The call a protocol was given to, or null. */
  callOf(protocol: string): Promise<string | null> {
    return this.store.callOf(protocol);
  }
}
