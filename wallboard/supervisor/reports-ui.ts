// The "Relatórios" screen: interval reports for a date range (center, queue, tier;
// agent when the server offers it) as a uPlot chart and a table with exactly the
// API's figures, the per-agent table, and both as CSV files.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AgentReport, AgentReportRow, SupervisorSetup } from '../../server/contract.ts';
import { duration, esc, percent } from '../src/format.ts';
import type { Lang } from '../src/i18n.ts';
import type { Download, IntervalReport, IntervalRow, ReportQuery, Result } from './api.ts';
import type { Dict } from './i18n.ts';

export interface ReportsDeps {
  intervals(q: ReportQuery): Promise<Result<IntervalReport>>;
  agentReport(from: string, to: string): Promise<Result<AgentReport>>;
  csv(kind: 'intervals' | 'agents', q: ReportQuery): Promise<Result<Download>>;
  toast(message: string, kind?: 'ok' | 'error'): void;
  denied(r: Result<unknown>): boolean;
}

const COLUMNS = ['offered', 'answered', 'abandoned', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'abandonRate', 'legalBreaches', 'callbacksRequested', 'nps', 'csat', 'fcr'] as const;
type Column = (typeof COLUMNS)[number];

/** One cell as shown; the raw figure goes into data-v so a test can hold it against the API. */
function cell(row: IntervalRow, k: Column, lang: Lang): string {
  const v = row[k];
  let text: string;
  if (v === null) text = '—';
  else if (k === 'serviceLevel' || k === 'abandonRate' || k === 'csat' || k === 'fcr') text = percent(v, lang);
  else if (k === 'asaSeconds' || k === 'tmaSeconds') text = duration(v);
  else if (k === 'nps') text = String(Math.round(v));
  else text = String(v);
  return `<td class="num" data-k="${k}" data-v="${v === null ? '' : v}">${esc(text)}</td>`;
}

/** "2026-11-23T09:15:00-03:00" → "23/11/2026 09:15" (the center's wall clock, as the server wrote it). */
const localStamp = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;

/** Today's date in the center's time zone (the browser's own zone until the setup says which). */
const today = (timezone?: string): string => {
  if (timezone) return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export class ReportsScreen {
  private readonly form: HTMLFormElement;
  private readonly which: HTMLSelectElement;
  private readonly chartBox: HTMLElement;
  private readonly tableBody: HTMLElement;
  private readonly agentsBody: HTMLElement;
  private readonly status: HTMLElement;
  private chart: uPlot | null = null;
  private setup: SupervisorSetup | null = null;
  private last: IntervalReport | null = null;

  constructor(root: HTMLElement, private readonly t: Dict, private readonly lang: Lang, private readonly d: ReportsDeps) {
    root.innerHTML = `
      <form id="report-form" class="panel report-form">
        <label>${esc(t.reportFrom)}<input id="r-from" name="from" type="date" required></label>
        <label>${esc(t.reportTo)}<input id="r-to" name="to" type="date" required></label>
        <label>${esc(t.granularity)}<select id="r-granularity" name="granularity">
          ${(['15m', 'hour', 'day'] as const).map((g) => `<option value="${g}"${g === 'hour' ? ' selected' : ''}>${esc(t.granularities[g])}</option>`).join('')}
        </select></label>
        <label>${esc(t.scope)}<select id="r-scope" name="scope">
          ${(['center', 'queue', 'tier', 'agent'] as const).map((s) => `<option value="${s}"${s === 'agent' ? ' hidden disabled data-capability="agentReports"' : ''}>${esc(t.scopes[s])}</option>`).join('')}
        </select></label>
        <label>${esc(t.which)}<select id="r-id" name="id" disabled></select></label>
        <button type="submit" class="primary" id="r-run">${esc(t.run)}</button>
        <button type="button" id="r-csv">${esc(t.downloadCsv)}</button>
      </form>
      <p id="r-status" class="muted" role="status">${esc(t.reportHint)}</p>
      <section class="panel chart-panel"><div id="r-chart" class="chart"></div></section>
      <section class="panel"><div class="table-wrap"><table id="r-table" class="report">
        <thead><tr><th>${esc(t.col.start)}</th>${COLUMNS.map((c) => `<th class="num">${esc(t.col[c])}</th>`).join('')}</tr></thead>
        <tbody></tbody></table></div></section>
      <section class="panel">
        <div class="panel-head"><h2>${esc(t.agentTable)}</h2><button type="button" id="r-agents-csv">${esc(t.downloadCsv)}</button></div>
        <div class="table-wrap"><table id="r-agents" class="report">
          <thead><tr><th>${esc(t.agent)}</th><th class="num">${esc(t.col.calls)}</th><th class="num">${esc(t.col.tmaSeconds)}</th>
          <th class="num">${esc(t.col.talk)}</th><th class="num">${esc(t.col.wrapUp)}</th><th class="num">${esc(t.col.occupancy)}</th>
          <th class="num">${esc(t.col.missed)}</th><th>${esc(t.col.pauses)}</th></tr></thead>
          <tbody></tbody></table></div>
      </section>`;
    this.form = root.querySelector<HTMLFormElement>('#report-form')!;
    this.which = root.querySelector<HTMLSelectElement>('#r-id')!;
    this.chartBox = root.querySelector<HTMLElement>('#r-chart')!;
    this.tableBody = root.querySelector<HTMLElement>('#r-table tbody')!;
    this.agentsBody = root.querySelector<HTMLElement>('#r-agents tbody')!;
    this.status = root.querySelector<HTMLElement>('#r-status')!;
    root.querySelector<HTMLInputElement>('#r-from')!.value = today();
    root.querySelector<HTMLInputElement>('#r-to')!.value = today();
    this.form.addEventListener('submit', (ev) => { ev.preventDefault(); void this.run(); });
    root.querySelector<HTMLSelectElement>('#r-scope')!.addEventListener('change', () => this.fillWhich());
    root.querySelector('#r-csv')!.addEventListener('click', () => void this.download('intervals'));
    root.querySelector('#r-agents-csv')!.addEventListener('click', () => void this.download('agents'));
    new ResizeObserver(() => this.chart?.setSize(this.size())).observe(this.chartBox);
  }

  /** Queues, tiers and agents to choose from; the agent scope only when the server has it. */
  configure(setup: SupervisorSetup): void {
    // The center's today, not the browser's (a supervisor abroad, or a browser in UTC after 21:00 in São Paulo).
    const first = this.setup === null;
    this.setup = setup;
    if (first) {
      for (const id of ['#r-from', '#r-to']) this.form.querySelector<HTMLInputElement>(id)!.value = today(setup.timezone);
    }
    const agent = this.form.querySelector<HTMLOptionElement>('option[data-capability="agentReports"]')!;
    agent.hidden = !setup.capabilities.agentReports;
    agent.disabled = !setup.capabilities.agentReports;
    this.fillWhich();
  }

  private query(): ReportQuery {
    const f = new FormData(this.form);
    const scope = String(f.get('scope') ?? 'center');
    return {
      from: String(f.get('from') ?? ''), to: String(f.get('to') ?? ''), granularity: String(f.get('granularity') ?? 'hour'),
      scope, ...(scope === 'center' ? {} : { id: this.which.value }),
    };
  }

  private fillWhich(): void {
    const scope = this.form.querySelector<HTMLSelectElement>('#r-scope')!.value;
    const s = this.setup;
    const options: [string, string][] = !s ? []
      : scope === 'queue' ? s.queues.map((q) => [q.id, q.name])
        : scope === 'tier' ? Array.from({ length: s.tiers }, (_, i) => [String(i + 1), `P${i + 1}`])
          : scope === 'agent' ? s.agents.map((a) => [a.id, a.name]) : [];
    this.which.innerHTML = options.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join('');
    this.which.disabled = options.length === 0;
  }

  async run(): Promise<void> {
    const q = this.query();
    this.status.textContent = '…';
    const [r, a] = await Promise.all([this.d.intervals(q), this.d.agentReport(q.from, q.to)]);
    if (!r.ok) {
      if (!this.d.denied(r)) { this.status.textContent = this.t.refused(r.message); this.d.toast(this.t.refused(r.message), 'error'); }
      return;
    }
    this.last = r.body;
    this.renderIntervals(r.body);
    if (a.ok) this.renderAgents(a.body.rows);
    this.status.textContent = r.body.rows.length ? `${localStamp(r.body.from)} — ${localStamp(r.body.to)} (${r.body.timezone})` : this.t.reportEmpty;
  }

  private renderIntervals(rep: IntervalReport): void {
    const row = (r: IntervalRow, label: string, cls = '') => `<tr class="${cls}" data-start="${r.startMs}"><th scope="row" class="num">${esc(label)}</th>${COLUMNS.map((c) => cell(r, c, this.lang)).join('')}</tr>`;
    const label = (r: IntervalRow) => (rep.granularity === 'day' ? r.start.slice(0, 10) : `${r.start.slice(5, 10).split('-').reverse().join('/')} ${r.start.slice(11, 16)}`);
    this.tableBody.innerHTML = rep.rows.length === 0
      ? `<tr><td colspan="${COLUMNS.length + 1}" class="empty">${esc(this.t.reportEmpty)}</td></tr>`
      : rep.rows.map((r) => row(r, label(r))).join('') + (rep.total ? row(rep.total, this.t.total, 'total') : '');
    this.drawChart(rep);
  }

  private renderAgents(rows: AgentReportRow[]): void {
    this.agentsBody.innerHTML = rows.map((r) => `<tr data-agent="${esc(r.agentId)}">
      <th scope="row">${esc(r.name)}</th>
      <td class="num" data-k="calls" data-v="${r.calls}">${r.calls}</td>
      <td class="num" data-k="tmaSeconds" data-v="${r.tmaSeconds ?? ''}">${esc(duration(r.tmaSeconds))}</td>
      <td class="num" data-k="talkSeconds" data-v="${r.talkSeconds}">${esc(duration(r.talkSeconds))}</td>
      <td class="num" data-k="wrapUpSeconds" data-v="${r.wrapUpSeconds}">${esc(duration(r.wrapUpSeconds))}</td>
      <td class="num" data-k="occupancy" data-v="${r.occupancy ?? ''}">${esc(percent(r.occupancy, this.lang))}</td>
      <td class="num" data-k="missedOffers" data-v="${r.missedOffers}">${r.missedOffers}</td>
      <td>${esc(Object.entries(r.pauseSeconds).map(([k, s]) => `${k} ${duration(s)}`).join(' · ') || '—')}</td></tr>`).join('');
  }

  /** The canvas leaves room for the legend below it. */
  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.chartBox.clientWidth), height: Math.max(120, this.chartBox.clientHeight - 28) };
  }

  private drawChart(rep: IntervalReport): void {
    this.chart?.destroy();
    const x = rep.rows.map((r) => r.startMs / 1000);
    const step = x.length > 1 ? x[1] - x[0] : rep.granularity === 'day' ? 86_400 : rep.granularity === 'hour' ? 3600 : 900;
    const sl = rep.rows.map((r) => (r.serviceLevel === null ? null : r.serviceLevel * 100));
    const data: uPlot.AlignedData = [x, rep.rows.map((r) => r.offered), rep.rows.map((r) => r.answered), sl, x.map(() => rep.target * 100)];
    const axis = { stroke: '#9ca3af', grid: { stroke: 'rgba(255,255,255,0.07)' }, ticks: { stroke: 'rgba(255,255,255,0.07)' } };
    const tz = this.setup?.timezone ?? rep.timezone;
    const tzDateOf = (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz);
    const fmtTick = uPlot.fmtDate(rep.granularity === 'day' ? '{DD}/{MM}' : '{HH}:{mm}');
    this.chart = new uPlot({
      ...this.size(),
      // Times on the axis in the center's zone, as the table's (not the browser's).
      tzDate: tzDateOf,
      legend: { show: true, live: false },
      cursor: { show: false },
      // Half a row of room at each end, so the first and last bars are whole.
      scales: { x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] }, n: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil((max || 0) * 1.15))] }, pct: { range: [0, 100] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => fmtTick(tzDateOf(v))) },
        { ...axis, scale: 'n' },
        { ...axis, scale: 'pct', side: 1, grid: { show: false }, values: (_u, s) => s.map((v) => `${v}%`) },
      ],
      series: [
        {},
        { label: this.t.chartOffered, scale: 'n', stroke: '#64748b', fill: 'rgba(100,116,139,0.45)', paths: uPlot.paths.bars?.({ size: [0.7, 60] }), points: { show: false } },
        { label: this.t.chartAnswered, scale: 'n', stroke: '#38bdf8', fill: 'rgba(56,189,248,0.35)', paths: uPlot.paths.bars?.({ size: [0.4, 30] }), points: { show: false } },
        { label: this.t.chartSl, scale: 'pct', stroke: '#e5e7eb', width: 2 },
        { label: this.t.chartTarget, scale: 'pct', stroke: '#f8fafc', width: 1.5, dash: [8, 6], points: { show: false } },
      ],
    }, data, this.chartBox);
  }

  private async download(kind: 'intervals' | 'agents'): Promise<void> {
    const r = await this.d.csv(kind, this.query());
    if (!r.ok) {
      if (!this.d.denied(r)) this.d.toast(this.t.refused(r.message), 'error');
      return;
    }
    const url = URL.createObjectURL(r.body.blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = r.body.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.d.toast(this.t.downloaded(r.body.filename));
  }

  get report(): IntervalReport | null { return this.last; }
}
