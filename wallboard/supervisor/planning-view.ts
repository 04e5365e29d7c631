// The "Planejamento" screen as words: the what-if's before/after with the difference and
// whether it is better or worse, the "por que esperou?" timeline and reasons in plain
// language, the intraday gap. Pure: no DOM, no clock.

import { duration, maskCaller, percent } from '../src/format.ts';
import type { Lang } from '../src/i18n.ts';
import type { WhatIfFigures, WhyAnswer, WhyAgent, WhyReason } from './api.ts';
import type { PlanDict } from './planning-i18n.ts';

export type FigureKey = keyof PlanDict['figures'];
export const FIGURES: readonly FigureKey[] = ['offered', 'answered', 'abandoned', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'occupancy'];
/** +1: more is better; −1: less is better; 0: neither (offered is the same callers; occupancy is a trade-off). */
const BETTER: Record<FigureKey, 1 | -1 | 0> = { offered: 0, answered: 1, abandoned: -1, serviceLevel: 1, asaSeconds: -1, tmaSeconds: -1, occupancy: 0 };
const MINUS = '−';

const signed = (n: number, digits: number, lang: Lang, unit = ''): string => {
  const r = Number(n.toFixed(digits));
  const text = Math.abs(r).toLocaleString(lang === 'pt' ? 'pt-BR' : 'en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${r > 0 ? '+' : r < 0 ? MINUS : ''}${text}${unit}`;
};

/** One figure as shown (ratios as percent, seconds as a clock). */
export function figureText(k: FigureKey, v: number | null, lang: Lang): string {
  if (v === null) return '—';
  if (k === 'serviceLevel' || k === 'occupancy') return percent(v, lang);
  if (k === 'asaSeconds' || k === 'tmaSeconds') return duration(v);
  return String(v);
}

export interface DiffRow { key: FigureKey; label: string; before: string; after: string; diff: string; change: 'better' | 'worse' | 'changed' | 'same'; beforeV: number | null; afterV: number | null }

export function diffRows(b: WhatIfFigures, a: WhatIfFigures, t: PlanDict, lang: Lang): DiffRow[] {
  return FIGURES.map((k) => {
    const x = b[k];
    const y = a[k];
    let diff = '—';
    let change: DiffRow['change'] = 'same';
    if (x !== null && y !== null) {
      const d = y - x;
      const pp = k === 'serviceLevel' || k === 'occupancy';
      const secs = k === 'asaSeconds' || k === 'tmaSeconds';
      diff = pp ? signed(d * 100, 1, lang, ' p.p.') : secs ? signed(d, 0, lang, ' s') : signed(d, 0, lang);
      const shown = pp ? Math.round(d * 1000) : secs ? Math.round(d) : d;
      if (shown !== 0) change = BETTER[k] === 0 ? 'changed' : Math.sign(d) === BETTER[k] ? 'better' : 'worse';
    } else if (x !== y) {
      change = 'changed';
    }
    return { key: k, label: t.figures[k], before: figureText(k, x, lang), after: figureText(k, y, lang), diff, change, beforeV: x, afterV: y };
  });
}

export interface WhyContext {
  t: PlanDict;
  /** Epoch ms → the center's "HH:MM:SS". */
  clock(ms: number): string;
  queueName(id: string): string;
  agentName(id: string): string;
}

const tier = (n: unknown): string => (typeof n === 'number' ? `P${n}` : '—');
const seconds = (s: number): string => (s < 60 ? `${Math.round(s)} s` : duration(s));

function agentDoing(a: WhyAgent, c: WhyContext): string {
  const state = c.t.stateIn[a.status as keyof PlanDict['stateIn']] ?? a.status;
  const detail = a.callId ? ` (${a.callId})` : a.reason ? ` (${a.reason})` : '';
  return `${c.agentName(a.id)} ${state}${detail}`;
}

/** The router's reason in plain words. */
export function reasonText(r: WhyReason, c: WhyContext): string {
  const t = c.t;
  switch (r.kind) {
    case 'no-agent-logged-in':
      return r.agentsWithSkill.length ? t.reasonNoAgent(c.queueName(r.skill), r.agentsWithSkill.map(c.agentName).join(', ')) : t.reasonNoHolder(c.queueName(r.skill));
    case 'all-busy':
      return t.reasonAllBusy(r.agents.map((a) => agentDoing(a, c)).join('; '));
    case 'level-busy': {
      const levels = r.levels.from === r.levels.to ? `N${r.levels.from}` : `N${r.levels.from}–N${r.levels.to}`;
      return t.reasonLevelBusy(levels, r.busy.map((a) => agentDoing(a, c)).join('; '), r.free.map((a) => `${c.agentName(a.id)} N${a.level}`).join(', '),
        r.widensAt === null ? null : c.clock(r.widensAt));
    }
    case 'callers-ahead':
      return t.reasonAhead(r.count, r.byTier.map((n, i) => (n ? `${n} P${i + 1}` : '')).filter(Boolean).join(', '));
    case 'excluded':
      return t.reasonExcluded(c.agentName(r.agentId));
    default:
      return t.reasonNone;
  }
}

/** One timeline entry in plain words. */
export function timelineText(e: WhyAnswer['timeline'][number], c: WhyContext): string {
  const ev = c.t.event;
  const s = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : '');
  const agent = () => (s('agentId') ? c.agentName(s('agentId')) : '—');
  switch (e.what) {
    case 'arrived': return ev.arrived(maskCaller(s('from')));
    case 'ivr': return ev.ivr(Array.isArray(e.path) ? (e.path as string[]).join(' › ') : '');
    case 'queued': {
      const rule = e.rule as { label?: string } | null | undefined;
      return ev.queued(c.queueName(s('queue')), tier(e.tier), rule?.label ?? null);
    }
    case 'turned-away': return ev.turnedAway(c.queueName(s('queue')));
    case 'offered': return ev.offered(agent());
    case 'offer-withdrawn': return ev.withdrawn(agent(), s('reason'));
    case 'missed': return ev.missed(agent(), s('reason'));
    case 'requeued': return ev.requeued(s('reason'));
    case 'tier-changed': return ev.tierChanged(tier(e.tier), s('reason'));
    case 'levels-widened': return ev.widened(Number(e.maxLevel));
    case 'overflow': return ev.overflow(c.queueName(s('fromQueue')), e.toQueue ? c.queueName(s('toQueue')) : null);
    case 'answered': return ev.answered(agent());
    case 'on-hold': return ev.onHold;
    case 'off-hold': return ev.offHold;
    case 'escalated': return ev.escalated(Number(e.toLevel));
    case 'moved': return ev.moved(c.queueName(s('queue')), tier(e.tier));
    case 'abandoned': return ev.abandoned;
    case 'ended': return ev.ended(c.t.by[s('by')] ?? s('by'));
    case 'ended-in-ivr': return ev.endedInIvr;
    case 'survey': return ev.survey(e.nps == null ? '—' : String(e.nps), e.csat == null ? '—' : String(e.csat));
    case 'disposition': return ev.disposition(e.resolvedFirstContact === true);
    default: return ev.other(e.what);
  }
}

export interface WhyView {
  summary: string;
  timeline: { at: string; text: string; what: string }[];
  waits: { when: string; reasons: string[] }[];
}

export function whyView(w: WhyAnswer, c: WhyContext): WhyView {
  const t = c.t;
  const parts = [w.callId];
  if (w.outcome) parts.push(t.outcome[w.outcome] ?? w.outcome);
  else if (w.endedAt === null) parts.push(t.stillGoing);
  if (w.waitedSeconds !== null) parts.push(t.waited(seconds(w.waitedSeconds)));
  return {
    summary: parts.join(' · '),
    timeline: w.timeline.map((e) => ({ at: c.clock(e.at), text: timelineText(e, c), what: e.what })),
    waits: w.waits.map((x) => ({
      when: t.stretch(c.clock(x.from), c.clock(x.to), seconds(x.seconds)),
      reasons: x.reasons.length ? x.reasons.map((r) => reasonText(r, c)) : [t.reasonNone],
    })),
  };
}

/** "2026-12-05" of the day before `now` in the center's time zone. */
export function yesterdayIn(timezone: string, now: number): string {
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
  const today = day(now);
  let ms = now - 86_400_000;
  while (day(ms) === today) ms -= 3_600_000;
  return day(ms);
}
