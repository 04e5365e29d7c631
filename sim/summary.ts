// The result of a simulated day: plain JSON (so `--json` can print it and a test
// can compare two runs) and a readable table. Figures come from the routing
// core's metrics ("today" window, which the simulator starts at the scenario's
// start), plus what the metrics do not keep: the longest wait and the Erlang
// comparison, both from the simulator's own tracking.
import type { Figures, NpsBand } from '../routing/metrics/types.ts';

export interface ScopeSummary {
  /** answered + abandoned, short abandons excluded (the metrics core's definition). */
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  thresholdSeconds: number;
  target: number;
  tmaSeconds: number | null;
  asaSeconds: number | null;
  abandonRate: number | null;
  /** Longest time a caller waited in the queue (answered, abandoned or still waiting at the end). */
  longestWaitSeconds: number | null;
  /** Center only. */
  occupancy: number | null;
  nps: { score: number | null; band: NpsBand | null; responses: number };
  csat: { score: number | null; responses: number };
  fcr: { rate: number | null; responses: number };
}

export interface TheoryFigures {
  serviceLevel: number;
  /** null when the queue is unstable (agents ≤ load): the wait grows without bound. */
  asaSeconds: number | null;
  probabilityOfWaiting: number;
  /** Erlang A only. */
  abandonRate: number | null;
  occupancy: number;
}

interface TheoryGap {
  /** Prediction minus simulation, in percentage points. */
  serviceLevelPoints: number;
  /** Prediction minus simulation, seconds (null when the prediction is unbounded). */
  asaSeconds: number | null;
  abandonRatePoints: number | null;
}

/** Day-average Erlang predictions for the center versus what the simulation measured. */
export interface TheorySummary {
  basis: {
    /** Calls that reached a queue, per hour of arrivals. */
    callsPerHour: number;
    /** Center TMA (talk + hold + wrap-up). Ring time is not included. */
    ahtSeconds: number;
    /** Time-average of agents on shift during the arrival hours, rounded. */
    agents: number;
    averageAgentsOnShift: number;
    thresholdSeconds: number;
    /** Mean patience (null = nobody abandons). */
    patienceSeconds: number | null;
  };
  /** Over every call that reached a queue and was answered or abandoned, short abandons included. */
  simulated: { serviceLevel: number | null; asaSeconds: number | null; abandonRate: number | null };
  erlangC: TheoryFigures | null;
  erlangA: TheoryFigures | null;
  erlangCGap: TheoryGap | null;
  erlangAGap: TheoryGap | null;
}

/** The SAC figures of a day (docs/sac.md): closures, callbacks, drops, the legal wait limit. */
export interface SacSummary {
  /** Callers who found their queue closed (never enqueued): they hung up after the message or left a callback request. */
  closedAtEntry: number;
  /** requestsWhileWaiting + requestsAtClosed. */
  callbackRequests: number;
  /** Waiting callers who took the callback the wait offered. */
  requestsWhileWaiting: number;
  /** Callers at a closed queue who left a request for its next opening. */
  requestsAtClosed: number;
  /** Callbacks (requested or after a drop) whose customer answered. */
  callbacksReached: number;
  /** Callbacks that ended as not reached after every attempt (counted as abandons). */
  callbacksNotReached: number;
  /** Callbacks neither reached nor given up when the run stopped (e.g. waiting for a queue's next opening). */
  callbacksWaitingAtEnd: number;
  /** Calls placed to customers, and those not answered. */
  customerCalls: number;
  customerCallsMissed: number;
  /** Answered calls that dropped on the company's side, and the callbacks they became (origin `dropped`). */
  drops: number;
  dropCallbacks: number;
  /** Center, today: answered within the legal wait limit, breaches, and "dentro do limite legal". */
  answeredWithinLegal: number;
  legalBreaches: number;
  withinLegal: number | null;
  queues: { id: string; closedAtEntry: number; answeredWithinLegal: number; legalBreaches: number; withinLegal: number | null }[];
  /** Every closure and opening, in order (ISO times). */
  closures: { queue: string; at: string; change: 'closed' | 'opened'; by: 'schedule' | 'supervisor'; reason: string | null; emergency: boolean }[];
}

export interface Summary {
  scenario: {
    name: string; description: string; seed: number; settings: string;
    date: string; start: string; hours: number; timezone: string;
  };
  simulated: {
    /** ISO times. */
    startAt: string; arrivalsEndAt: string; endAt: string;
    /** Events applied to the routing core (deadline wake-ups not counted). */
    events: number;
  };
  calls: {
    generated: number;
    /** Reached a queue (overflowed calls excluded). */
    queued: number;
    answered: number;
    abandoned: number;
    /** Refused by the queue (maxWaiting / estimated wait) with no overflow queue. */
    overflowed: number;
    waitingAtEnd: number;
    connectedAtEnd: number;
    inIvrAtEnd: number;
    ringNoAnswer: number;
  };
  agents: { rostered: number; averageOnShift: number; peakOnShift: number };
  center: ScopeSummary;
  queues: (ScopeSummary & { id: string; name: string })[];
  tiers: (ScopeSummary & { tier: number })[];
  theory: TheorySummary | null;
  /** The SAC figures (virtual runs; a live run fills what its snapshot tells). */
  sac?: SacSummary;
  /** Wall-clock time the run took. */
  wallClockMs: number;
}

export function scopeSummary(f: Figures, longestWaitMs: number | null): ScopeSummary {
  return {
    offered: f.offered,
    answered: f.answered,
    abandoned: f.abandoned,
    shortAbandoned: f.shortAbandoned,
    serviceLevel: f.serviceLevel,
    thresholdSeconds: f.thresholdSeconds,
    target: f.target,
    tmaSeconds: f.tmaSeconds,
    asaSeconds: f.asaSeconds,
    abandonRate: f.abandonRate,
    longestWaitSeconds: longestWaitMs === null ? null : longestWaitMs / 1000,
    occupancy: f.occupancy,
    nps: { score: f.nps.score, band: f.nps.band, responses: f.nps.responses },
    csat: { score: f.csat.score, responses: f.csat.responses },
    fcr: { rate: f.fcr.rate, responses: f.fcr.responses },
  };
}

// ---- rendering -------------------------------------------------------------------

export const pct = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);
export const secs = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '—';
  if (v < 60) return `${v.toFixed(1)}s`;
  const m = Math.floor(v / 60);
  const s = Math.round(v - m * 60);
  return s === 60 ? `${m + 1}m00s` : `${m}m${String(s).padStart(2, '0')}s`;
};
const BANDS: Record<NpsBand, string> = { excellent: 'excelente', good: 'bom', mustImprove: 'melhorar', critical: 'crítico' };
const nps = (n: ScopeSummary['nps']): string => (n.score === null ? '—' : `${n.score.toFixed(0)} ${BANDS[n.band!]}`);

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function scopeRow(label: string, s: ScopeSummary): string[] {
  return [
    label, String(s.offered), String(s.answered), String(s.abandoned),
    `${pct(s.serviceLevel)} /${s.thresholdSeconds}s`, secs(s.tmaSeconds), secs(s.asaSeconds), pct(s.abandonRate),
    secs(s.longestWaitSeconds), pct(s.occupancy), nps(s.nps), pct(s.csat.score, 0), pct(s.fcr.rate, 0),
  ];
}

const signed = (v: number, digits = 1): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** A readable report: counts, the per-scope table, the Erlang comparison and the wall-clock time. */
export function renderSummary(s: Summary): string {
  const out: string[] = [];
  const sc = s.scenario;
  out.push(`Scenario ${sc.name} — ${sc.date} ${sc.start} + ${sc.hours} h (${sc.timezone}), seed ${sc.seed}, settings ${sc.settings}`);
  if (sc.description) out.push(sc.description);
  const c = s.calls;
  out.push(
    `Calls: ${c.generated} generated, ${c.queued} queued, ${c.answered} answered, ${c.abandoned} abandoned, ` +
    `${c.overflowed} overflowed; at the end ${c.waitingAtEnd} waiting, ${c.connectedAtEnd} connected, ${c.inIvrAtEnd} in IVR; ` +
    `${c.ringNoAnswer} ring-no-answer`,
  );
  out.push(`Agents: ${s.agents.rostered} rostered, ${s.agents.averageOnShift.toFixed(1)} on shift on average, ${s.agents.peakOnShift} at peak`);
  out.push('');
  const header = ['', 'Offered', 'Answered', 'Aband.', 'SL', 'TMA', 'ASA', 'Aband.%', 'Longest', 'Occup.', 'NPS', 'CSAT', 'FCR'];
  const rows = [scopeRow('Center', s.center)];
  for (const q of s.queues) rows.push(scopeRow(`  ${q.name}`, q));
  for (const t of s.tiers) rows.push(scopeRow(`  P${t.tier}`, t));
  out.push(table(header, rows));
  const th = s.theory;
  if (th) {
    out.push('');
    const b = th.basis;
    out.push(
      `Erlang (day average): ${b.callsPerHour.toFixed(0)} calls/h, AHT ${b.ahtSeconds.toFixed(0)} s, ${b.agents} agents ` +
      `(${b.averageAgentsOnShift.toFixed(1)} on shift), T ${b.thresholdSeconds} s` +
      (b.patienceSeconds === null ? '' : `, mean patience ${b.patienceSeconds.toFixed(0)} s`),
    );
    const rowsT: string[][] = [['Simulated', pct(th.simulated.serviceLevel), secs(th.simulated.asaSeconds), pct(th.simulated.abandonRate), '']];
    const add = (label: string, f: TheoryFigures | null, gap: TheoryGap | null) => {
      if (!f) return;
      rowsT.push([
        label, pct(f.serviceLevel), f.asaSeconds === null ? '∞' : secs(f.asaSeconds), pct(f.abandonRate),
        gap ? `SL ${signed(gap.serviceLevelPoints)} pp, ASA ${gap.asaSeconds === null ? '∞' : signed(gap.asaSeconds) + ' s'}` +
          (gap.abandonRatePoints === null ? '' : `, aband. ${signed(gap.abandonRatePoints)} pp`) : '',
      ]);
    };
    add('Erlang C', th.erlangC, th.erlangCGap);
    add('Erlang A', th.erlangA, th.erlangAGap);
    out.push(table(['', 'SL', 'ASA', 'Aband.%', 'Prediction − simulation'], rowsT));
  }
  if (s.sac) out.push('', ...renderSac(s.sac, s.scenario.timezone));
  out.push('');
  out.push(`Simulated ${s.simulated.startAt} → ${s.simulated.endAt}, ${s.simulated.events} events; wall clock ${(s.wallClockMs / 1000).toFixed(2)} s`);
  return out.join('\n');
}

/** Local "HH:MM" of an ISO time in the center's zone. */
function localClock(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('pt-BR', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** The SAC block: closures, callbacks, drops, the legal wait limit. */
export function renderSac(s: SacSummary, timezone: string): string[] {
  const out: string[] = [];
  out.push(`SAC: ${s.closedAtEntry} callers found their queue closed (never enqueued)` +
    (s.queues.some((q) => q.closedAtEntry > 0) ? ` [${s.queues.filter((q) => q.closedAtEntry > 0).map((q) => `${q.id} ${q.closedAtEntry}`).join(', ')}]` : ''));
  out.push(`Callbacks: ${s.callbackRequests} requests (${s.requestsWhileWaiting} while waiting, ${s.requestsAtClosed} at a closed queue), ` +
    `${s.dropCallbacks} after a drop; ${s.callbacksReached} reached, ${s.callbacksNotReached} not reached, ${s.callbacksWaitingAtEnd} still waiting at the end; ` +
    `${s.customerCalls} calls to customers, ${s.customerCallsMissed} not answered`);
  out.push(`Drops: ${s.drops} answered calls dropped on the company's side, ${s.dropCallbacks} turned into callbacks at the head of their tier`);
  out.push(`Legal wait limit: ${pct(s.withinLegal)} within (no limite legal), ${s.answeredWithinLegal} answered within, ${s.legalBreaches} breaches` +
    (s.queues.length ? ` [${s.queues.map((q) => `${q.id} ${pct(q.withinLegal)} / ${q.legalBreaches}`).join(', ')}]` : ''));
  if (s.closures.length) {
    out.push('Closures:');
    for (const c of s.closures) {
      out.push(`  ${localClock(c.at, timezone)}  ${c.queue.padEnd(12)} ${c.change === 'closed' ? 'closed' : 'opened'} by ${c.by}` +
        (c.reason ? ` — ${c.reason}` : '') + (c.emergency ? ' (emergency)' : ''));
    }
  }
  return out;
}
