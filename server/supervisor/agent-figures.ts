// Per-agent figures the supervisor sees and the routing core does not keep: calls
// answered and the TMA, for today (live screen) or for a date range (the per-agent
// report), from the call records and the agent state history (server/records.ts).
import type { Database } from '../storage/db.ts';
import type { AgentReportRow, AgentStatus } from '../contract.ts';

const STATES: AgentStatus[] = ['offline', 'available', 'ringing', 'on-call', 'wrap-up', 'away'];
/** Offer results that mean the agent did not take the call. */
const MISSED = `('no-answer','busy','failed','not-delivered')`;

interface CallTotals { agentId: string; calls: number; talkMs: number }
interface StateRow { agentId: string; status: AgentStatus; reason: string | null; at: number }

export interface AgentDay { calls: number; tmaSeconds: number | null }

export class AgentFigures {
  private readonly callsStmt;
  private readonly statesStmt;
  private readonly priorStmt;
  private readonly missedStmt;
  /** Today's figures, recomputed only after an agent's state changed (a call or wrap-up ended). */
  private today: { dayStart: number; byAgent: Map<string, AgentDay> } | null = null;

  constructor(db: Database, private readonly flush: () => void) {
    // arrived_at bounds the scan through its index; a call is counted by its answer time.
    this.callsStmt = db.prepare(`
      SELECT agent_id AS agentId, COUNT(*) AS calls, SUM(ended_at - answered_at) AS talkMs FROM calls
      WHERE arrived_at >= @scanFrom AND arrived_at < @to AND answered_at >= @from AND answered_at < @to
        AND ended_at IS NOT NULL AND agent_id IS NOT NULL
      GROUP BY agent_id`);
    this.statesStmt = db.prepare(`
      SELECT agent_id AS agentId, status, reason, at FROM agent_states
      WHERE at >= @from AND at < @to ORDER BY agent_id, at, id`);
    // Each agent's last state before the range (SQLite returns the row holding MAX(at)).
    this.priorStmt = db.prepare(`
      SELECT agent_id AS agentId, status, reason, MAX(at) AS at FROM agent_states
      WHERE at < @from GROUP BY agent_id`);
    this.missedStmt = db.prepare(`
      SELECT agent_id AS agentId, COUNT(*) AS missed FROM call_offers
      WHERE offered_at >= @from AND offered_at < @to AND result IN ${MISSED}
      GROUP BY agent_id`);
  }

  /** An agent's state changed: today's figures are recomputed at the next read. */
  changed(): void { this.today = null; }

  /** Calls answered today and their TMA, per agent. */
  todayFor(dayStart: number, now: number): Map<string, AgentDay> {
    if (this.today && this.today.dayStart === dayStart) return this.today.byAgent;
    const byAgent = new Map<string, AgentDay>();
    for (const r of this.report(dayStart, now, now, [])) byAgent.set(r.agentId, { calls: r.calls, tmaSeconds: r.tmaSeconds });
    this.today = { dayStart, byAgent };
    return byAgent;
  }

  /**
   * One row per agent (those given, plus any other found in the records) for
   * [from, to); states still running at `now` count up to min(now, to).
   */
  report(from: number, to: number, now: number, agents: { id: string; name: string }[]): AgentReportRow[] {
    this.flush();
    const rows = new Map<string, AgentReportRow>();
    const row = (id: string): AgentReportRow => {
      let r = rows.get(id);
      if (!r) {
        r = {
          agentId: id, name: agents.find((a) => a.id === id)?.name ?? id, calls: 0, tmaSeconds: null, talkSeconds: 0,
          wrapUpSeconds: 0, occupancy: null, missedOffers: 0,
          stateSeconds: Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AgentStatus, number>, pauseSeconds: {},
        };
        rows.set(id, r);
      }
      return r;
    };
    for (const a of agents) row(a.id);

    const scanFrom = from - 86_400_000;
    for (const c of this.callsStmt.all({ scanFrom, from, to }) as CallTotals[]) {
      const r = row(c.agentId);
      r.calls = c.calls;
      r.talkSeconds = Math.max(0, c.talkMs) / 1000;
    }
    for (const m of this.missedStmt.all({ from, to }) as { agentId: string; missed: number }[]) row(m.agentId).missedOffers = m.missed;

    // State time: each change lasts until the agent's next one (or the end of the range).
    const end = Math.min(to, now);
    const byAgent = new Map<string, StateRow[]>();
    for (const p of this.priorStmt.all({ from }) as StateRow[]) byAgent.set(p.agentId, [{ ...p, at: from }]);
    for (const s of this.statesStmt.all({ from, to }) as StateRow[]) {
      const list = byAgent.get(s.agentId) ?? [];
      list.push(s);
      byAgent.set(s.agentId, list);
    }
    for (const [agentId, list] of byAgent) {
      const r = row(agentId);
      list.forEach((s, i) => {
        const until = i + 1 < list.length ? list[i + 1].at : end;
        const ms = Math.max(0, until - s.at);
        if (!ms || !(s.status in r.stateSeconds)) return;
        r.stateSeconds[s.status] += ms / 1000;
        if (s.status === 'away') {
          const reason = s.reason ?? 'pausa';
          r.pauseSeconds[reason] = (r.pauseSeconds[reason] ?? 0) + ms / 1000;
        }
      });
    }
    for (const r of rows.values()) {
      const st = r.stateSeconds;
      r.wrapUpSeconds = st['wrap-up'];
      const busy = st.ringing + st['on-call'] + st['wrap-up'];
      r.occupancy = busy + st.available > 0 ? busy / (busy + st.available) : null;
      r.tmaSeconds = r.calls > 0 ? (r.talkSeconds + r.wrapUpSeconds) / r.calls : null;
    }
    return [...rows.values()];
  }
}
