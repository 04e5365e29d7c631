// TwiML as the emulator executes it: verbs in document order, each with its
// attributes, text and nested verbs/nouns.
import { XMLParser } from 'fast-xml-parser';

export interface Verb {
  name: string;
  attrs: Record<string, string>;
  /** Concatenated text content (queue name, Redirect URL, Say text, Client identity…). */
  text: string;
  children: Verb[];
}

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '',
  parseTagValue: false, parseAttributeValue: false, ignoreDeclaration: true, ignorePiTags: true, trimValues: true,
});

type Node = Record<string, unknown>;

function toVerbs(nodes: Node[]): Verb[] {
  const out: Verb[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const inner = (node[name] as Node[] | undefined) ?? [];
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries((node[':@'] as Record<string, unknown> | undefined) ?? {})) attrs[k] = String(v);
    const text = inner.filter((n) => '#text' in n).map((n) => String(n['#text'])).join(' ').trim();
    out.push({ name, attrs, text, children: toVerbs(inner.filter((n) => !('#text' in n))) });
  }
  return out;
}

/** The verbs of a TwiML document; throws when it is not `<Response>`. */
export function parseTwiml(xml: string): Verb[] {
  let doc: Node[];
  try {
    doc = parser.parse(xml) as Node[];
  } catch (err) {
    throw new Error(`bad TwiML: ${(err as Error).message}`);
  }
  const root = Array.isArray(doc) ? doc.find((n) => 'Response' in n) : undefined;
  if (!root) throw new Error(`not TwiML (no <Response>): ${xml.slice(0, 120)}`);
  return toVerbs((root.Response as Node[]) ?? []);
}

/** Emulated seconds a <Say> takes: words at the given pace, times `loop` (0 = forever, counted as 1 here). */
export function sayDuration(v: Verb, secondsPerWord: number): number {
  const words = v.text.split(/\s+/).filter(Boolean).length;
  return words * secondsPerWord * loops(v);
}

export function loops(v: Verb): number {
  const n = Number(v.attrs.loop ?? 1);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

export function pauseDuration(v: Verb): number {
  const n = Number(v.attrs.length ?? 1);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/** Resolves a TwiML URL against the document it came from (relative URLs are allowed). */
export function resolveUrl(url: string, base: string): string {
  // Absolute URLs are kept byte for byte: they are signed exactly as written.
  if (/^https?:\/\//i.test(url)) return url;
  return new URL(url, base).toString();
}
