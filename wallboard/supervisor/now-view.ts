// The "Agora" screen as words and colours: the wallboard's own view of the
// snapshot (../src/view.ts: the same tiles, bands and alarm indicators as the TV)
// plus what only the supervisor sees. Pure: no DOM, no clock.

import type { AgentStatus, AlertView, SupervisorView } from '../../server/contract.ts';
import type { Band } from '../src/colours.ts';
import { duration, hhmm, tierLabel } from '../src/format.ts';
import type { Dict as BoardDict, Lang } from '../src/i18n.ts';
import { breachTile, buildView, type BoardView, type TileView } from '../src/view.ts';
import type { Dict } from './i18n.ts';

export interface QueueLine {
  id: string;
  name: string;
  goal: string;
  open: boolean;
  stateText: string;
  waiting: string;
  waitingBand: Band;
  callbacks: string;
  sl: string;
  slBand: Band;
  slToday: string;
  slTodayBand: Band;
  longest: string;
  longestBand: Band;
  available: string;
  abandonsHour: string;
  /** The breach warning for the queue (snapshot's breachInMinutes, ticked): "~12 min", "Agora", "Estável". */
  breach: string;
  breachBand: Band;
  /** What would prevent it ("evita: +1 agente Suporte"), for the tooltip. */
  breachFix: string;
  /** The same, short: "+1" (agents of the queue's skill), or "" when none is expected or more than 5 would be needed. */
  breachAgents: string;
}

export interface CallerLine {
  callId: string;
  wait: string;
  waitBand: Band;
  tier: string;
  tierNumber: number;
  tierClass: number;
  why: string;
  queueId: string;
  queue: string;
  caller: string;
  level: number;
  ringing: boolean;
}

export interface AgentLine {
  id: string;
  name: string;
  state: AgentStatus;
  stateText: string;
  time: string;
  call: string;
  callsToday: string;
  tma: string;
  level: number;
  skills: string[];
  skillNames: string;
  pending: string;
  /** The call the agent is ringing, talking or wrapping up (null: none). */
  callId: string | null;
}

export interface AlertLine {
  id: string;
  firing: boolean;
  severity: string;
  severityClass: string;
  kind: string;
  message: string;
  when: string;
  acked: string;
  deliveries: { text: string; state: string; title: string }[];
}

export interface NowView {
  tiles: { key: 'sl' | 'waiting' | 'longest' | 'agents' | 'abandon' | 'breach'; tile: TileView; alarm: 'serviceLevel' | 'longestWait' | 'noAgent' | null }[];
  alerts: AlertLine[];
  queues: QueueLine[];
  callers: CallerLine[];
  agents: AgentLine[];
  indicators: BoardView['indicators'];
}

export function buildNowView(v: SupervisorView, tick: number, t: Dict, board: BoardDict, lang: Lang): NowView {
  const s = v.snapshot;
  const b = buildView(s, null, tick, board, lang);
  const names = new Map(s.queues.map((q) => [q.id, q.name]));
  const extra = new Map(v.queues.map((q) => [q.id, q]));
  const queues: QueueLine[] = b.queues.map((row) => {
    const q = s.queues.find((x) => x.id === row.id);
    const x = extra.get(row.id);
    const open = (x?.state ?? 'open') === 'open';
    const risk = q && open ? breachTile(q, s, tick, names, board) : null;
    return {
      id: row.id,
      name: row.name,
      goal: row.goal,
      open,
      stateText: open ? t.open : x?.closedReason ? `${t.closed} (${x.closedReason})` : t.closed,
      waiting: row.waiting,
      waitingBand: row.waitingBand,
      callbacks: String(x?.callbacks ?? 0),
      sl: row.sl,
      slBand: row.slBand,
      slToday: row.slToday,
      slTodayBand: row.slTodayBand,
      longest: row.longest,
      longestBand: row.longestBand,
      available: String(q?.agents.available ?? 0),
      abandonsHour: String(x?.abandonsLastHour ?? 0),
      breach: risk?.value ?? '—',
      breachBand: risk?.band ?? 'none',
      breachFix: risk && risk.band !== 'green' ? risk.sub : '',
      breachAgents: risk && risk.band !== 'green' && q?.breachPrevention ? `+${q.breachPrevention.agents}` : '',
    };
  });
  const waitingById = new Map(s.waitingCalls.map((c) => [c.callId, c]));
  const callers: CallerLine[] = b.waitingCalls.map((row) => {
    const c = waitingById.get(row.key)!;
    return {
      callId: row.key, wait: row.wait, waitBand: row.waitBand, tier: row.tier, tierNumber: c.tier, tierClass: row.tierClass,
      why: row.reason, queueId: c.queue, queue: row.queue, caller: row.caller, level: c.level, ringing: row.ringing,
    };
  });
  const tiles = s.agents;
  const details = new Map(v.agents.map((a) => [a.id, a]));
  const agents: AgentLine[] = b.agents.map((row) => {
    const tile = tiles.find((a) => a.id === row.id);
    const d = details.get(row.id);
    const callQueue = tile?.callQueue ? names.get(tile.callQueue) ?? tile.callQueue : null;
    const pending = d?.pending ? `${board.agentState[d.pending.state as AgentStatus] ?? d.pending.state}${d.pending.reason ? ` (${d.pending.reason})` : ''}` : '';
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      stateText: row.detail,
      time: row.time,
      call: callQueue ? `${callQueue}${row.tier ? ` · ${row.tier}` : ''}` : '',
      callsToday: String(d?.callsToday ?? 0),
      tma: d?.tmaTodaySeconds == null ? '—' : duration(d.tmaTodaySeconds),
      level: tile?.level ?? 1,
      skills: tile?.skills ?? [],
      skillNames: (tile?.skills ?? []).map((q) => names.get(q) ?? q).join(', '),
      pending: pending ? t.pending(pending) : '',
      callId: d?.callId ?? null,
    };
  });
  return {
    tiles: [
      { key: 'sl', tile: b.slRolling, alarm: 'serviceLevel' },
      { key: 'waiting', tile: b.waiting, alarm: null },
      { key: 'longest', tile: b.longest, alarm: 'longestWait' },
      { key: 'agents', tile: { ...b.agentsTile, label: t.agentsAvailable, value: String(s.center.agents.available), sub: `${s.agents.filter((a) => a.state !== 'offline').length} / ${s.agents.length}` }, alarm: 'noAgent' },
      { key: 'abandon', tile: b.abandon, alarm: null },
      { key: 'breach', tile: b.breach, alarm: null },
    ],
    alerts: v.alerts.map((a) => alertLine(a, t)),
    queues,
    callers,
    agents,
    indicators: b.indicators,
  };
}

function alertLine(a: AlertView, t: Dict): AlertLine {
  const firing = a.state === 'firing';
  return {
    id: a.id,
    firing,
    severity: t.severity[a.severity],
    severityClass: a.severity,
    kind: t.alertKind[a.kind],
    message: a.message,
    when: firing ? hhmm(a.firedAt) : `${hhmm(a.firedAt)}–${hhmm(a.resolvedAt ?? a.firedAt)}`,
    acked: a.acknowledgedBy ? t.ackedBy(a.acknowledgedBy) : '',
    deliveries: a.deliveries.map((d) => ({
      text: `${d.destination}: ${t.delivery[d.state]}${d.attempts > 1 ? ` (${d.attempts}×)` : ''}`,
      state: d.state,
      title: `${t.phase[d.phase]}${d.lastError ? ` — ${d.lastError}` : ''}`,
    })),
  };
}

/** Tiers a caller may be set to, and levels a call may be escalated to. */
export const tiersUpTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
export const levelsAbove = (level: number, max: number): number[] => Array.from({ length: Math.max(0, max - level) }, (_, i) => level + 1 + i);
export { tierLabel };
