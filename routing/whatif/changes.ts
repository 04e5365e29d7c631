// The changes a what-if may make to a recorded day, written as the command line takes
// them ("+2 suporte 09:00-10:00") or as JSON objects (the API), checked against the
// center's configuration, and applied to the routing configuration the replay starts
// from. Times are local "HH:MM" on the replayed day; the caller resolves them.
import type { RoutingConfig, RoutingStrategy } from '../types.ts';

/** A local time window "HH:MM"–"HH:MM"; null ends = the whole day. */
interface Window { from: string | null; to: string | null }

export type WhatIfChange =
  | ({ kind: 'add'; count: number; skills: string[]; level: number } & Window)
  | ({ kind: 'remove-agent'; agent: string } & Window)
  | ({ kind: 'remove'; count: number; skill: string } & Window)
  | { kind: 'agent'; agent: string; skills?: string[]; level?: number }
  | { kind: 'strategy'; strategy: RoutingStrategy }
  | { kind: 'wrap-up'; seconds: number }
  | { kind: 'offer-timeout'; seconds: number }
  | { kind: 'rule'; id: string; tier: number | null };

export class WhatIfChangeError extends Error {
  override readonly name = 'WhatIfChangeError';
  /** @param field where the bad value is ("changes[1]"). */
  constructor(readonly field: string, message: string) { super(message); }
}

const STRATEGIES: readonly RoutingStrategy[] = ['longest-idle', 'fewest-calls', 'round-robin'];
const HHMM = /^([01]?\d|2[0-4]):([0-5]\d)$/;
const WINDOW = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/;

export const CHANGE_SYNTAX = `changes (one per --change, or as JSON objects):
  +N SKILL[,SKILL] [N2] [HH:MM-HH:MM]   N more agents with these skills (level N1 unless N2, N3), for the window (default: all day)
  -AGENT [HH:MM-HH:MM]                  the agent away for the window (default: all day)
  -N SKILL [HH:MM-HH:MM]                N agents of that skill away (those logged in longest in the window)
  AGENT skills=A,B level=N              an agent's skills and/or level changed
  strategy=longest-idle|fewest-calls|round-robin
  wrapup=SECONDS                        wrap-up time (0: until the agent says ready)
  offer-timeout=SECONDS                 how long an offer rings before it counts as missed
  rule=ID tier=N | rule=ID off          a priority rule's tier changed, or the rule dropped`;

/** One change from the command-line syntax above. */
export function parseChange(text: string, field = 'change'): WhatIfChange {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const fail = (why: string): never => { throw new WhatIfChangeError(field, `"${text}": ${why}`); };
  if (words.length === 0) fail('empty');
  const window = (w: string | undefined): Window => {
    if (w === undefined) return { from: null, to: null };
    const m = WINDOW.exec(w);
    if (!m) fail(`"${w}" is not a time window HH:MM-HH:MM`);
    return { from: m![1], to: m![2] };
  };
  const head = words[0];
  const add = /^\+(\d+)$/.exec(head);
  if (add) {
    if (!words[1]) fail('name the skills: +N SKILL[,SKILL]');
    let level = 1;
    let rest = words.slice(2);
    if (rest[0] && /^N\d+$/i.test(rest[0])) { level = Number(rest[0].slice(1)); rest = rest.slice(1); }
    if (rest.length > 1) fail(`unexpected "${rest.slice(1).join(' ')}"`);
    return { kind: 'add', count: Number(add[1]), skills: words[1].split(',').filter(Boolean), level, ...window(rest[0]) };
  }
  const removeN = /^-(\d+)$/.exec(head);
  if (removeN) {
    if (!words[1]) fail('name the skill: -N SKILL');
    if (words.length > 3) fail(`unexpected "${words.slice(3).join(' ')}"`);
    return { kind: 'remove', count: Number(removeN[1]), skill: words[1], ...window(words[2]) };
  }
  if (head.startsWith('-') && head.length > 1) {
    if (words.length > 2) fail(`unexpected "${words.slice(2).join(' ')}"`);
    return { kind: 'remove-agent', agent: head.slice(1), ...window(words[1]) };
  }
  const kv = (w: string) => { const i = w.indexOf('='); return i > 0 ? [w.slice(0, i), w.slice(i + 1)] as const : null; };
  const first = kv(head);
  if (first) {
    const [key, value] = first;
    const seconds = () => { const n = Number(value); if (!(value !== '' && Number.isFinite(n) && n >= 0)) fail(`${key} needs seconds ≥ 0`); return n; };
    switch (key) {
      case 'strategy': return { kind: 'strategy', strategy: value as RoutingStrategy };
      case 'wrapup': case 'wrap-up': return { kind: 'wrap-up', seconds: seconds() };
      case 'offer-timeout': case 'offertimeout': return { kind: 'offer-timeout', seconds: seconds() };
      case 'rule': {
        const second = words[1];
        if (second === 'off' || second === 'drop') return { kind: 'rule', id: value, tier: null };
        const t = second ? kv(second) : null;
        if (!t || t[0] !== 'tier') fail('rule=ID tier=N or rule=ID off');
        return { kind: 'rule', id: value, tier: Number(t![1]) };
      }
      default: fail(`unknown setting "${key}"`);
    }
  }
  // AGENT skills=… level=…
  const change: { kind: 'agent'; agent: string; skills?: string[]; level?: number } = { kind: 'agent', agent: head };
  for (const w of words.slice(1)) {
    const p = kv(w);
    if (p?.[0] === 'skills') change.skills = p[1].split(',').filter(Boolean);
    else if (p?.[0] === 'level') change.level = Number(p[1].replace(/^N/i, ''));
    else fail(`"${w}" is neither skills=… nor level=…`);
  }
  if (!change.skills && change.level === undefined) fail('not a change (see the syntax: +N SKILL, -AGENT, AGENT skills=… level=…, strategy=…, wrapup=…, offer-timeout=…, rule=…)');
  return change;
}

/** A change given as JSON, with the defaults the command line implies (level N1, all day). */
export function normalizeChange(c: WhatIfChange): WhatIfChange {
  switch (c.kind) {
    case 'add': return { ...c, level: c.level ?? 1, from: c.from ?? null, to: c.to ?? null };
    case 'remove': case 'remove-agent': return { ...c, from: c.from ?? null, to: c.to ?? null };
    default: return c;
  }
}

/** Checks a change against the configuration the day ran with; throws WhatIfChangeError naming the field. */
export function checkChange(c: WhatIfChange, config: RoutingConfig, field: string): void {
  const fail = (why: string): never => { throw new WhatIfChangeError(field, why); };
  const queues = config.queues.map((q) => q.id);
  const agents = new Set(config.agents.map((a) => a.id));
  const skill = (s: string) => { if (!queues.includes(s)) fail(`no queue "${s}" (queues are ${queues.join(', ')})`); };
  const level = (l: number) => { if (!(Number.isInteger(l) && l >= 1 && l <= config.maxLevel)) fail(`level must be 1..${config.maxLevel}, got ${l}`); };
  const count = (n: number) => { if (!(Number.isInteger(n) && n >= 1 && n <= 500)) fail(`the number of agents must be 1..500, got ${n}`); };
  const window = (w: Window) => {
    for (const t of [w.from, w.to]) if (t !== null && !HHMM.test(t)) fail(`"${t}" is not a local time HH:MM`);
    if ((w.from === null) !== (w.to === null)) fail('a window needs both ends');
    if (w.from !== null && minutesOf(w.to!) <= minutesOf(w.from)) fail(`the window ${w.from}-${w.to} ends before it starts`);
  };
  switch (c.kind) {
    case 'add':
      count(c.count);
      if (!Array.isArray(c.skills) || c.skills.length === 0) fail('name at least one skill');
      c.skills.forEach(skill);
      level(c.level);
      window(c);
      return;
    case 'remove-agent':
      if (!agents.has(c.agent)) fail(`no agent "${c.agent}"`);
      window(c);
      return;
    case 'remove':
      count(c.count);
      skill(c.skill);
      window(c);
      return;
    case 'agent':
      if (!agents.has(c.agent)) fail(`no agent "${c.agent}"`);
      c.skills?.forEach(skill);
      if (c.skills && c.skills.length === 0) fail('an agent needs at least one skill');
      if (c.level !== undefined) level(c.level);
      return;
    case 'strategy':
      if (!STRATEGIES.includes(c.strategy)) fail(`strategy must be ${STRATEGIES.join(', ')}`);
      return;
    case 'wrap-up':
    case 'offer-timeout':
      if (!(Number.isFinite(c.seconds) && c.seconds >= 0 && c.seconds <= 3600)) fail('seconds must be 0..3600');
      if (c.kind === 'offer-timeout' && c.seconds < 1) fail('an offer rings at least 1 s');
      return;
    case 'rule':
      if (!config.tierRules.some((r) => r.id === c.id)) fail(`no priority rule "${c.id}" (rules are ${config.tierRules.map((r) => r.id).join(', ') || 'none'})`);
      if (c.tier !== null && !(Number.isInteger(c.tier) && c.tier >= 1 && c.tier <= config.tiers)) fail(`tier must be 1..${config.tiers}`);
      return;
    default:
      fail(`unknown change kind "${String((c as { kind?: unknown }).kind)}"`);
  }
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const span = (w: Window) => (w.from === null ? 'all day' : `${w.from}-${w.to}`);

/** The change in words, for the result and the log. */
export function describeChange(c: WhatIfChange): string {
  switch (c.kind) {
    case 'add': return `+${c.count} agent${c.count > 1 ? 's' : ''} N${c.level} with ${c.skills.join(', ')}, ${span(c)}`;
    case 'remove-agent': return `agent ${c.agent} away, ${span(c)}`;
    case 'remove': return `${c.count} agent${c.count > 1 ? 's' : ''} with ${c.skill} away, ${span(c)}`;
    case 'agent': return `agent ${c.agent}: ${[c.skills ? `skills ${c.skills.join(', ')}` : '', c.level !== undefined ? `level N${c.level}` : ''].filter(Boolean).join(', ')}`;
    case 'strategy': return `strategy ${c.strategy}`;
    case 'wrap-up': return c.seconds === 0 ? 'wrap-up until the agent says ready' : `wrap-up ${c.seconds} s`;
    case 'offer-timeout': return `offers ring ${c.seconds} s`;
    case 'rule': return c.tier === null ? `priority rule ${c.id} dropped` : `priority rule ${c.id} → P${c.tier}`;
  }
}

/** The routing configuration the replay starts from: the day's, with the setting changes applied. */
export function changedConfig(config: RoutingConfig, changes: readonly WhatIfChange[]): RoutingConfig {
  let out = config;
  for (const c of changes) {
    switch (c.kind) {
      case 'strategy': out = { ...out, strategy: c.strategy }; break;
      case 'wrap-up': out = { ...out, wrapUpSeconds: c.seconds }; break;
      case 'offer-timeout': out = { ...out, offerTimeoutSeconds: c.seconds }; break;
      case 'rule':
        out = {
          ...out,
          tierRules: c.tier === null ? out.tierRules.filter((r) => r.id !== c.id) : out.tierRules.map((r) => (r.id === c.id ? { ...r, tier: c.tier! } : r)),
        };
        break;
      default: break;
    }
  }
  return out;
}

/** The settings a change overrides, so the day's own live changes of them are not replayed over it. */
export function overriddenSettings(changes: readonly WhatIfChange[]): Set<'wrapUpSeconds' | 'offerTimeoutSeconds' | 'tierRules'> {
  const out = new Set<'wrapUpSeconds' | 'offerTimeoutSeconds' | 'tierRules'>();
  for (const c of changes) {
    if (c.kind === 'wrap-up') out.add('wrapUpSeconds');
    if (c.kind === 'offer-timeout') out.add('offerTimeoutSeconds');
    if (c.kind === 'rule') out.add('tierRules');
  }
  return out;
}
