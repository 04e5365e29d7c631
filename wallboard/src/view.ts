// Snapshot → what every part of the screen says. Pure (no DOM, no clock: the
// caller passes `tick`, the seconds elapsed since the snapshot arrived), so
// the whole board's wording and colouring is unit-testable.

import type {
  AgentStatus, AgentTile, AbandonedCall, ColourBands, QueueBlock, ScopeLive, ServiceLevelSetting, Snapshot,
  WaitingCall, WindowFigures,
} from '../../server/contract.ts';
import type { Indicators } from './alarms.ts';
import {
  abandonRateBand, longestWaitBand, npsColour, serviceLevelBand, waitingBand, type Band,
} from './colours.ts';
import { count, duration, hhmm, maskCaller, npsScore, percent, tierLabel, wholePercent } from './format.ts';
import type { Dict, Lang } from './i18n.ts';
import { effectiveNpsBand, npsBandLabel } from './nps.ts';

const AGENT_STATES: readonly AgentStatus[] = ['available', 'ringing', 'on-call', 'wrap-up', 'away', 'offline'];

export interface TileView {
  label: string;
  /** "NS 80/20" for service-level tiles. */
  goal: string;
  value: string;
  sub: string;
  /** Small print under the tile (formula in force, definition). */
  note: string;
  band: Band;
}

interface TierChip { tier: number; label: string; count: string; zero: boolean }
interface AgentCount { state: AgentStatus; label: string; count: string; n: number }

interface QueueRow {
  id: string;
  name: string;
  goal: string;
  sl: string;
  slBand: Band;
  slToday: string;
  slTodayBand: Band;
  waiting: string;
  waitingBand: Band;
  longest: string;
  longestBand: Band;
  /** Closed (SAC): the row says so — why, when it opens — instead of its figures; null while open. */
  closed: string | null;
}

interface WaitingRow {
  key: string;
  wait: string;
  waitBand: Band;
  tier: string;
  /** 1, 2, 3+ (CSS colours P1 red-ish, P2 amber, P3 neutral). */
  tierClass: number;
  reason: string;
  queue: string;
  caller: string;
  ringing: boolean;
  /** A callback keeping its place: nobody on the line. */
  callback: boolean;
}

interface AbandonRow { key: string; at: string; waited: string; queue: string; tier: string; tierClass: number }

export interface AgentTileView {
  id: string;
  name: string;
  state: AgentStatus;
  /** State name, or the pause reason when away. */
  detail: string;
  /** Pause reason / missed-call note, '' when none (small tiles show only this). */
  reason: string;
  time: string;
  tier: string | null;
  tierClass: number;
}

export type BoardScope =
  | { kind: 'center' }
  | { kind: 'queue'; queue: QueueBlock }
  | { kind: 'missing'; id: string };

export interface BoardView {
  title: string;
  scopeName: string | null;
  notice: string | null;
  demo: boolean;
  slRolling: TileView;
  slToday: TileView;
  /** The breach warning: a countdown to the rolling SL falling below target (amber), red once it has. */
  breach: TileView;
  waiting: TileView;
  tierChips: TierChip[];
  longest: TileView;
  tma: TileView;
  tme: TileView;
  abandon: TileView;
  nps: TileView;
  csat: TileView;
  fcr: TileView;
  agentsTile: TileView;
  agentCounts: AgentCount[];
  queues: QueueRow[];
  waitingCalls: WaitingRow[];
  abandons: AbandonRow[];
  agents: AgentTileView[];
  /** Raw states for the alarm machine (before any staleness check). */
  indicators: Required<Indicators>;
}

export function selectScope(s: Snapshot, queueId: string | null): BoardScope {
  if (queueId == null) return { kind: 'center' };
  const want = queueId.toLowerCase();
  const q = s.queues.find((x) => x.id.toLowerCase() === want) ?? s.queues.find((x) => x.name.toLowerCase() === want);
  return q ? { kind: 'queue', queue: q } : { kind: 'missing', id: queueId };
}

/** Plain-words formula of the service level in force (+ short-abandon note). */
export function formulaText(sl: ServiceLevelSetting, thresholdSeconds: number, t: Dict): string {
  const f = t.formula[sl.formula] ?? t.formula.offered;
  const base = f(thresholdSeconds);
  return sl.shortAbandonSeconds > 0 ? `${base} · ${t.shortAbandonsIgnored(sl.shortAbandonSeconds)}` : base;
}

const tierClassOf = (tier: number | null | undefined): number =>
  tier == null || !Number.isFinite(tier) ? 0 : Math.min(3, Math.max(1, Math.floor(tier)));

const plus = (v: number | null | undefined, tick: number): number | null =>
  v == null || !Number.isFinite(v) ? null : v + tick;

interface ScopeFigures extends ScopeLive {
  thresholdSeconds: number;
  target: number;
}

function figuresOf(s: Snapshot, scope: BoardScope): ScopeFigures {
  if (scope.kind === 'queue') return scope.queue;
  return { ...s.center, thresholdSeconds: s.serviceLevel.thresholdSeconds, target: s.serviceLevel.target };
}

function slTile(label: string, w: WindowFigures, f: ScopeFigures, s: Snapshot, t: Dict, lang: Lang): TileView {
  return {
    label,
    goal: t.slGoal(wholePercent(f.target), f.thresholdSeconds),
    value: percent(w.serviceLevel, lang),
    sub: `${t.target} ${percent(f.target, lang, 0)} · ${t.offeredCount(count(w.offered, lang))}`,
    note: formulaText(s.serviceLevel, f.thresholdSeconds, t),
    band: serviceLevelBand(w.serviceLevel, f.target, s.colours.serviceLevel.amberFrom),
  };
}

/**
 * The countdown tile: minutes until the rolling service level falls below target if nothing
 * changes (the server's `breachInMinutes`, ticked down between snapshots), and what would
 * prevent it. Amber while counting down, red once below target, green when no drop is
 * expected within the horizon; nothing from a server that does not send it.
 */
export function breachTile(f: ScopeFigures, s: Snapshot, tick: number, names: Map<string, string>, t: Dict): TileView {
  const horizon = s.breachHorizonMinutes ?? 30;
  const inMinutes = f.breachInMinutes;
  if (inMinutes === undefined) return plainTile(t.breach, '—', '', t.breachHint);
  if (inMinutes === null) return plainTile(t.breach, t.breachNone, t.breachQuiet(horizon), t.breachHint, 'green');
  const left = Math.max(0, Math.ceil(inMinutes - tick / 60));
  const fix = f.breachPrevention;
  const sub = fix ? t.breachFix(fix.agents, names.get(fix.skill) ?? fix.skill) : t.breachNoFix;
  return left === 0
    ? plainTile(t.breach, t.breachNow, sub, t.breachHint, 'red')
    : plainTile(t.breach, t.breachIn(left), sub, t.breachHint, 'amber');
}

function plainTile(label: string, value: string, sub: string, note: string, band: Band = 'none'): TileView {
  return { label, goal: '', value, sub, note, band };
}

function queueNameMap(s: Snapshot): Map<string, string> {
  const m = new Map<string, string>();
  for (const q of s.queues) m.set(q.id, q.name);
  return m;
}

/** When a closed queue opens, as the board says it: "08:00" today, "26/12 22:00" another day. */
/** Day, month, hour and minute of `at` on the center's clock (`timezone`), else the browser's. */
function wallOf(at: number, timezone: string | undefined): { day: string; date: string; time: string } {
  if (timezone) {
    try {
      const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
        timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }).formatToParts(at).map((x) => [x.type, x.value]));
      return { day: `${p.year}-${p.month}-${p.day}`, date: `${p.day}/${p.month}`, time: `${p.hour}:${p.minute}` };
    } catch { /* a zone this browser does not know: its own clock */ }
  }
  const d = new Date(at);
  return { day: d.toDateString(), date: `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}`, time: hhmm(at) };
}

function openingText(at: number | null | undefined, now: number, t: Dict, timezone?: string): string {
  if (at == null || !Number.isFinite(at)) return '';
  const open = wallOf(at, timezone);
  return t.opensAt(open.day === wallOf(now, timezone).day ? open.time : `${open.date} ${open.time}`);
}

/**
 * "fora do horário · abre 08:00", "feriado: Natal · abre 28/12 08:00", a supervisor's reason.
 * The opening is on the center's clock (`timezone`, the snapshot's): a TV elsewhere says the
 * time the center opens, as its callers hear it.
 */
export function closedText(q: QueueBlock, now: number, t: Dict, timezone?: string): string {
  const r = q.closedReason ?? '';
  const why = r === 'hours' ? t.closedHours
    : r.startsWith('holiday: ') ? t.closedHoliday(r.slice('holiday: '.length))
      : r.startsWith('date: ') ? r.slice('date: '.length)
        : r;
  return [why, openingText(q.nextOpeningAt, now, t, timezone)].filter(Boolean).join(' · ');
}

const isClosed = (q: QueueBlock): boolean => q.open === false;

const inScope = (scope: BoardScope, queueField: string | null | undefined): boolean =>
  scope.kind !== 'queue' || queueField === scope.queue.id || queueField === scope.queue.name;

function waitingRows(s: Snapshot, scope: BoardScope, tick: number, colours: ColourBands, names: Map<string, string>): WaitingRow[] {
  return s.waitingCalls
    .filter((c: WaitingCall) => inScope(scope, c.queue))
    .map((c) => {
      const wait = plus(c.waitSeconds, tick);
      return {
        key: c.callId,
        wait: duration(wait),
        waitBand: longestWaitBand(wait, colours),
        tier: tierLabel(c.tier),
        tierClass: tierClassOf(c.tier),
        reason: c.reason?.label ?? '',
        queue: names.get(c.queue) ?? c.queue,
        caller: maskCaller(c.caller),
        ringing: c.ringing === true,
        callback: c.callback === true,
      };
    });
}

function abandonRows(s: Snapshot, scope: BoardScope, names: Map<string, string>): AbandonRow[] {
  return s.recentAbandons
    .filter((a: AbandonedCall) => inScope(scope, a.queue))
    .slice()
    .sort((a, b) => b.at - a.at)
    .map((a, i) => ({
      key: `${a.at}-${i}`,
      at: hhmm(a.at),
      waited: duration(a.waitSeconds),
      queue: names.get(a.queue) ?? a.queue,
      tier: tierLabel(a.tier),
      tierClass: tierClassOf(a.tier),
    }));
}

/** Agents for the grid: the scope's queue (by skill or current call), logged-in first, then by name. */
function agentViews(s: Snapshot, scope: BoardScope, tick: number, t: Dict): AgentTileView[] {
  let list: AgentTile[] = s.agents;
  if (scope.kind === 'queue') {
    const { id, name } = scope.queue;
    const mine = list.filter((a) => a.skills?.includes(id) || a.skills?.includes(name) || a.callQueue === id);
    // If skills don't name queues the way we expect, better all agents than an empty grid.
    if (mine.length > 0) list = mine;
  }
  const collator = new Intl.Collator(t.locale, { sensitivity: 'base', numeric: true });
  return list
    .slice()
    .sort((a, b) => Number(a.state === 'offline') - Number(b.state === 'offline') || collator.compare(a.name, b.name))
    .map((a) => {
      let detail = t.agentState[a.state] ?? a.state;
      const reason = a.reason ? (a.reason === 'no-answer' ? t.reasonNoAnswer : a.reason) : '';
      if (reason) detail = a.state === 'away' ? reason : `${detail} · ${reason}`;
      const callTier = a.state === 'ringing' || a.state === 'on-call' || a.state === 'wrap-up' ? a.callTier : null;
      return {
        id: a.id,
        name: a.name,
        state: a.state,
        detail,
        reason,
        time: a.state === 'offline' ? '' : duration(plus(a.stateSeconds, tick)),
        tier: callTier == null ? null : tierLabel(callTier),
        tierClass: tierClassOf(callTier),
      };
    });
}

export function buildView(s: Snapshot, queueId: string | null, tick: number, t: Dict, lang: Lang): BoardView {
  const scope = selectScope(s, queueId);
  const f = figuresOf(s, scope);
  const c = s.colours;
  const names = queueNameMap(s);

  const closedQueue = scope.kind === 'queue' && isClosed(scope.queue) ? scope.queue : null;
  const slRolling = slTile(t.slRolling(s.serviceLevel.windowMinutes), f.rolling, f, s, t, lang);
  const slToday = slTile(t.slToday, f.today, f, s, t, lang);
  if (closedQueue) {
    // A closed queue is closed, not failing: no red figures, no alarm.
    slRolling.band = 'none';
    slToday.band = 'none';
  }
  const breach = breachTile(f, s, tick, names, t);

  const tiers = Math.max(s.tiers || 0, f.waitingByTier?.length ?? 0);
  const tierChips: TierChip[] = [];
  for (let i = 0; i < tiers; i++) {
    const n = f.waitingByTier?.[i] ?? 0;
    tierChips.push({ tier: i + 1, label: tierLabel(i + 1), count: count(n, lang), zero: n === 0 });
  }
  const callbacksWaiting = f.callbacksWaiting ?? 0;
  const waiting = plainTile(
    t.waiting,
    count(f.waiting, lang),
    callbacksWaiting > 0
      ? `${t.callbacks(count(callbacksWaiting, lang))} · ${t.callbackOldest(duration(plus(f.oldestCallbackWaitSeconds, tick)))}`
      : '',
    '',
    waitingBand(f.waiting, c),
  );

  const longestNow = plus(f.longestWaitSeconds, tick);
  // The longest wait is a caller's on the line: an older callback (nobody on the line) is counted apart.
  const oldest = waitingRows(s, scope, tick, c, names).find((r) => !r.callback);
  const longest = plainTile(
    t.longestWait,
    duration(longestNow),
    oldest && f.longestWaitSeconds != null ? `${oldest.tier} · ${oldest.queue}` : '',
    f.today.withinLegal === undefined ? '' : t.withinLegal(percent(f.today.withinLegal, lang)),
    longestNow == null ? 'none' : longestWaitBand(longestNow, c),
  );

  const todayWord = t.todayShort;
  const tma = plainTile(t.tma, duration(f.rolling.tmaSeconds), `${todayWord} ${duration(f.today.tmaSeconds)}`, t.tmaHint);
  const tme = plainTile(t.tme, duration(f.rolling.asaSeconds), `${todayWord} ${duration(f.today.asaSeconds)}`, t.tmeHint);
  const abandon = plainTile(
    t.abandonRate,
    percent(f.rolling.abandonRate, lang),
    `${todayWord} ${percent(f.today.abandonRate, lang)}`,
    t.abandonHint(count(f.rolling.abandoned, lang), count(f.rolling.offered, lang)),
    abandonRateBand(f.rolling.abandonRate, c),
  );

  const npsBand = effectiveNpsBand(f.nps?.score ?? null, f.nps?.band ?? null);
  const nps = plainTile(
    t.nps,
    npsScore(f.nps?.score, lang),
    npsBandLabel(f.nps?.score ?? null, f.nps?.band ?? null, t),
    t.responses(count(f.nps?.responses ?? 0, lang)),
    npsColour(npsBand),
  );
  const csat = plainTile(t.csat, percent(f.csat?.score, lang), t.csatHint, t.responses(count(f.csat?.responses ?? 0, lang)));
  const fcr = plainTile(t.fcr, percent(f.fcr?.rate, lang), t.fcrHint, t.responses(count(f.fcr?.responses ?? 0, lang)));

  const agentCounts: AgentCount[] = AGENT_STATES.map((st) => {
    const n = f.agents?.[st] ?? 0;
    return { state: st, label: t.agentStateShort[st], count: count(n, lang), n };
  });
  const available = f.agents?.available ?? 0;
  const noAgent = f.waiting > 0 && available === 0;
  const agentsTile = plainTile(t.agents, '', '', '', noAgent ? 'red' : 'none');

  const queueRows: QueueRow[] = (scope.kind === 'queue' ? [scope.queue] : s.queues).map((q) => {
    const lw = plus(q.longestWaitSeconds, tick);
    if (isClosed(q)) {
      return {
        id: q.id, name: q.name, goal: `${wholePercent(q.target)}/${q.thresholdSeconds}`,
        sl: '', slBand: 'none', slToday: '', slTodayBand: 'none', waiting: count(q.waiting, lang), waitingBand: 'none',
        longest: '', longestBand: 'none', closed: `${t.closed} · ${closedText(q, s.serverTime + tick * 1000, t, s.timezone)}`,
      };
    }
    return {
      id: q.id,
      name: q.name,
      goal: `${wholePercent(q.target)}/${q.thresholdSeconds}`,
      sl: percent(q.rolling.serviceLevel, lang),
      slBand: serviceLevelBand(q.rolling.serviceLevel, q.target, c.serviceLevel.amberFrom),
      slToday: percent(q.today.serviceLevel, lang),
      slTodayBand: serviceLevelBand(q.today.serviceLevel, q.target, c.serviceLevel.amberFrom),
      waiting: count(q.waiting, lang),
      waitingBand: waitingBand(q.waiting, c),
      longest: duration(lw),
      longestBand: lw == null ? 'none' : longestWaitBand(lw, c),
      closed: null,
    };
  });

  return {
    title: s.centerName || t.appName,
    scopeName: scope.kind === 'queue' ? scope.queue.name : null,
    notice: scope.kind === 'missing' ? t.queueNotFound(scope.id)
      : closedQueue ? t.queueClosedNotice(closedQueue.name, closedText(closedQueue, s.serverTime + tick * 1000, t, s.timezone)) : null,
    demo: s.demo === true,
    slRolling,
    slToday,
    breach,
    waiting,
    tierChips,
    longest,
    tma,
    tme,
    abandon,
    nps,
    csat,
    fcr,
    agentsTile,
    agentCounts,
    queues: queueRows,
    waitingCalls: waitingRows(s, scope, tick, c, names),
    abandons: abandonRows(s, scope, names),
    agents: agentViews(s, scope, tick, t),
    indicators: {
      serviceLevel: slRolling.band === 'red' && !closedQueue,
      longestWait: longest.band === 'red',
      noAgent,
    },
  };
}
