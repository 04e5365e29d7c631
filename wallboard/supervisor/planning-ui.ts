// The "Planejamento" screen in the DOM: the what-if form and its result (the day before
// and after with the difference, SL per interval as a uPlot chart and a table, the
// limits), "por que esperou?" (search by call id or protocol, or pick a recent call)
// and the intraday forecast (agents needed per coming interval against those logged in).

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SupervisorSetup } from '../../server/contract.ts';
import { duration, esc, maskCaller, percent } from '../src/format.ts';
import type { Lang } from '../src/i18n.ts';
import type { CallRow, Intraday, Result, WhatIfFigures, WhatIfResult, WhyAnswer } from './api.ts';
import type { PlanDict } from './planning-i18n.ts';
import { diffRows, figureText, whyView, yesterdayIn, type FigureKey, type WhyContext } from './planning-view.ts';

export interface PlanningDeps {
  whatIf(body: { date: string; changes: string[]; seed?: number }): Promise<Result<WhatIfResult>>;
  why(callId: string): Promise<Result<WhyAnswer>>;
  calls(q: { protocol?: string; limit?: number }): Promise<Result<{ calls: CallRow[] }>>;
  intraday(intervals: number): Promise<Result<Intraday>>;
  toast(message: string, kind?: 'ok' | 'error'): void;
  denied(r: Result<unknown>): boolean;
}

const INTERVAL_COLUMNS: FigureKey[] = ['offered', 'answered', 'abandoned', 'serviceLevel', 'asaSeconds'];
const hhmmOf = (iso: string): string => iso.slice(11, 16);

export class PlanningScreen {
  private readonly $: <T extends HTMLElement>(sel: string) => T;
  private setup: SupervisorSetup | null = null;
  private result: WhatIfResult | null = null;
  private forecast: Intraday | null = null;
  private chart: uPlot | null = null;

  constructor(root: HTMLElement, private readonly t: PlanDict, private readonly lang: Lang, private readonly d: PlanningDeps) {
    root.innerHTML = `
      <section class="panel p-whatif" aria-labelledby="h-whatif">
        <h2 id="h-whatif">${esc(t.whatIf)}</h2>
        <p class="intro">${esc(t.whatIfIntro)}</p>
        <form id="wi-form" class="wi-form" novalidate>
          <label>${esc(t.date)}<input id="wi-date" name="date" type="date" required></label>
          <label>${esc(t.seed)}<input id="wi-seed" name="seed" type="number" min="0" max="4294967295" step="1" placeholder="1" title="${esc(t.seedHint)}"></label>
          <label class="changes">${esc(t.changes)}<textarea id="wi-changes" name="changes" rows="3" spellcheck="false" placeholder="${esc(t.changesPlaceholder)}"></textarea></label>
          <button type="submit" class="primary" id="wi-run">${esc(t.run)}</button>
          <details class="syntax"><summary>${esc(t.syntaxTitle)}</summary>
            <table class="grid"><tbody>${t.syntax.map(([ex, what]) => `<tr><td><code>${esc(ex)}</code></td><td>${esc(what)}</td></tr>`).join('')}</tbody></table>
          </details>
        </form>
        <p id="wi-status" class="status" role="status"></p>
        <div id="wi-result" hidden>
          <div class="wi-top">
            <label>${esc(t.scope)}<select id="wi-scope"></select></label>
            <span id="wi-meta" class="muted"></span>
          </div>
          <table id="wi-day" class="grid wi-day"><thead><tr><th>${esc(t.figure)}</th><th class="num">${esc(t.before)}</th><th class="num">${esc(t.after)}</th><th class="num">${esc(t.difference)}</th></tr></thead><tbody></tbody></table>
          <div id="wi-chart" class="chart wi-chart"></div>
          <h3>${esc(t.intervalsTitle)}</h3>
          <div class="table-wrap wi-intervals-wrap"><table id="wi-intervals" class="grid"><thead><tr><th>${esc(t.interval)}</th>
            ${INTERVAL_COLUMNS.map((k) => `<th class="num">${esc(t.figures[k].split(' (')[0])}</th>`).join('')}</tr></thead><tbody></tbody></table></div>
          <details class="limits" open><summary>${esc(t.limitsTitle)}</summary><ul id="wi-limits"></ul></details>
        </div>
      </section>
      <section class="panel p-why" aria-labelledby="h-why">
        <h2 id="h-why">${esc(t.why)}</h2>
        <p class="intro">${esc(t.whyIntro)}</p>
        <form id="why-form" class="why-form">
          <label>${esc(t.searchLabel)}<input id="why-q" name="q" type="search" autocomplete="off" spellcheck="false" placeholder="${esc(t.searchPlaceholder)}"></label>
          <button type="submit" class="primary" id="why-run">${esc(t.explain)}</button>
          <label>${esc(t.recent)}<select id="why-recent"><option value="">${esc(t.recentNone)}</option></select></label>
        </form>
        <p id="why-status" class="status" role="status"></p>
        <div id="why-result" hidden>
          <p id="why-summary" class="why-summary"></p>
          <h3>${esc(t.waits)}</h3>
          <ul id="why-waits" class="why-waits"></ul>
          <h3>${esc(t.timeline)}</h3>
          <ol id="why-timeline" class="timeline"></ol>
        </div>
      </section>
      <section class="panel p-intraday" aria-labelledby="h-intraday">
        <div class="panel-head"><h2 id="h-intraday">${esc(t.intraday)}</h2>
          <span class="fc-tools"><label class="sr-only" for="fc-scope">${esc(t.scope)}</label><select id="fc-scope"></select>
          <button type="button" id="fc-refresh">${esc(t.refresh)}</button></span></div>
        <p class="intro">${esc(t.intradayIntro)}</p>
        <p id="fc-basis" class="muted" role="status"></p>
        <div class="table-wrap"><table id="fc-table" class="grid"><thead><tr><th>${esc(t.interval)}</th><th class="num">${esc(t.forecastCalls)}</th>
          <th class="num">${esc(t.erlangC)}</th><th class="num">${esc(t.erlangA)}</th><th class="num">${esc(t.loggedIn)}</th><th class="num">${esc(t.gap)}</th></tr></thead>
          <tbody></tbody></table></div>
      </section>`;
    this.$ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
    this.$<HTMLFormElement>('#wi-form').addEventListener('submit', (ev) => { ev.preventDefault(); void this.runWhatIf(); });
    this.$<HTMLSelectElement>('#wi-scope').addEventListener('change', () => this.renderWhatIf());
    this.$<HTMLFormElement>('#why-form').addEventListener('submit', (ev) => { ev.preventDefault(); void this.search(this.$<HTMLInputElement>('#why-q').value); });
    this.$<HTMLSelectElement>('#why-recent').addEventListener('change', (ev) => {
      const id = (ev.target as HTMLSelectElement).value;
      if (id) void this.explain(id);
    });
    this.$<HTMLSelectElement>('#fc-scope').addEventListener('change', () => this.renderForecast());
    this.$('#fc-refresh').addEventListener('click', () => void this.loadForecast());
    new ResizeObserver(() => this.chart?.setSize(this.chartSize())).observe(this.$('#wi-chart'));
  }

  configure(setup: SupervisorSetup): void {
    this.setup = setup;
    const scopes = `<option value="">${esc(this.t.scopeCenter)}</option>${setup.queues.map((q) => `<option value="${esc(q.id)}">${esc(q.name)}</option>`).join('')}`;
    this.$('#wi-scope').innerHTML = scopes;
    this.$('#fc-scope').innerHTML = scopes;
    const date = this.$<HTMLInputElement>('#wi-date');
    if (!date.value) date.value = yesterdayIn(setup.timezone, Date.now());
  }

  /** The screen was opened: the recent calls and the forecast, fresh. */
  activate(): void {
    void this.loadRecent();
    void this.loadForecast();
  }

  private queueName = (id: string): string => this.setup?.queues.find((q) => q.id === id)?.name ?? id;
  private agentName = (id: string): string => this.setup?.agents.find((a) => a.id === id)?.name ?? id;
  private clock = (ms: number): string => new Intl.DateTimeFormat(this.lang === 'pt' ? 'pt-BR' : 'en-GB', {
    timeZone: this.setup?.timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(new Date(ms));

  private refused(r: Result<unknown>, into: HTMLElement, wrap: (m: string) => string): void {
    if (r.ok || this.d.denied(r)) return;
    into.textContent = wrap(r.message);
    into.dataset.kind = 'error';
  }

  // ---- what-if ----

  private async runWhatIf(): Promise<void> {
    const t = this.t;
    const status = this.$('#wi-status');
    const button = this.$<HTMLButtonElement>('#wi-run');
    const date = this.$<HTMLInputElement>('#wi-date').value;
    const seedText = this.$<HTMLInputElement>('#wi-seed').value.trim();
    const changes = this.$<HTMLTextAreaElement>('#wi-changes').value.split('\n').map((l) => l.trim()).filter(Boolean);
    status.dataset.kind = '';
    status.textContent = t.running;
    button.disabled = true;
    const r = await this.d.whatIf({ date, changes, ...(seedText ? { seed: Number(seedText) } : {}) });
    button.disabled = false;
    if (!r.ok) {
      this.refused(r, status, t.refusedWhatIf);
      this.$('#wi-result').hidden = true;
      return;
    }
    this.result = r.body;
    status.textContent = t.resultFor(this.lang === 'pt' ? r.body.date.split('-').reverse().join('/') : r.body.date, changes.length ? changes.join('; ') : t.noChanges);
    status.title = r.body.changes.join('; ');
    this.$('#wi-result').hidden = false;
    this.renderWhatIf();
  }

  private renderWhatIf(): void {
    const r = this.result;
    if (!r) return;
    const t = this.t;
    const scope = this.$<HTMLSelectElement>('#wi-scope').value;
    const pick = (s: WhatIfResult['day']['before']): WhatIfFigures | null => (scope ? s.queues[scope] ?? null : s.center);
    const before = pick(r.day.before);
    const after = pick(r.day.after);
    const median = r.patience.medianSeconds === null ? '—' : duration(r.patience.medianSeconds);
    this.$('#wi-meta').textContent = `${t.replayed(r.calls.recorded, r.replayMs)} · ${t.patience(median, r.patience.abandons, r.patience.observations)}`;
    this.$('#wi-day tbody').innerHTML = before && after ? diffRows(before, after, t, this.lang).map((row) => `
      <tr data-k="${row.key}" class="chg-${row.change}"><th scope="row">${esc(row.label)}</th>
        <td class="num" data-v="${row.beforeV ?? ''}">${esc(row.before)}</td><td class="num" data-v="${row.afterV ?? ''}">${esc(row.after)}</td>
        <td class="num diff">${esc(row.diff)}</td></tr>`).join('') : '';
    const rows = r.intervals.map((iv) => ({ iv, b: pick(iv.before), a: pick(iv.after) }))
      .filter((x) => (x.b?.offered ?? 0) > 0 || (x.a?.offered ?? 0) > 0);
    const pair = (k: FigureKey, b: WhatIfFigures | null, a: WhatIfFigures | null) => {
      const x = figureText(k, b?.[k] ?? null, this.lang);
      const y = figureText(k, a?.[k] ?? null, this.lang);
      return x === y ? `<td class="num" data-k="${k}">${esc(x)}</td>` : `<td class="num changed" data-k="${k}">${esc(x)} → <b>${esc(y)}</b></td>`;
    };
    this.$('#wi-intervals tbody').innerHTML = rows.length === 0
      ? `<tr><td colspan="${INTERVAL_COLUMNS.length + 1}" class="empty">${esc(t.noCalls)}</td></tr>`
      : rows.map(({ iv, b, a }) => `<tr data-start="${esc(iv.start)}"><th scope="row" class="num">${esc(`${hhmmOf(iv.start)}–${hhmmOf(iv.end)}`)}</th>
          ${INTERVAL_COLUMNS.map((k) => pair(k, b, a)).join('')}</tr>`).join('');
    // The server's limits, in the page's language when they are the ones this page knows.
    const limits = r.limits.length === t.limits.length ? t.limits : r.limits;
    this.$('#wi-limits').innerHTML = limits.map((l, i) => `<li title="${esc(r.limits[i] ?? '')}">${esc(l)}</li>`).join('');
    // The chart: from an hour before the first interval with calls to an hour after the last (gaps where none came).
    const withCalls = r.intervals.map((iv, i) => ((pick(iv.before)?.offered ?? 0) > 0 || (pick(iv.after)?.offered ?? 0) > 0 ? i : -1)).filter((i) => i >= 0);
    const around = Math.max(1, Math.round(60 / r.intervalMinutes));
    const span = withCalls.length ? r.intervals.slice(Math.max(0, withCalls[0] - around), withCalls[withCalls.length - 1] + around + 1) : [];
    this.drawChart(span.map((iv) => ({ at: Date.parse(iv.start) / 1000, b: pick(iv.before)?.serviceLevel ?? null, a: pick(iv.after)?.serviceLevel ?? null })));
  }

  private chartSize(): { width: number; height: number } {
    const box = this.$('#wi-chart');
    return { width: Math.max(200, box.clientWidth), height: Math.max(100, box.clientHeight - 28) };
  }

  private drawChart(points: { at: number; b: number | null; a: number | null }[]): void {
    this.chart?.destroy();
    this.chart = null;
    const box = this.$('#wi-chart');
    box.hidden = points.length === 0;
    if (points.length === 0) return;
    const tz = this.setup?.timezone ?? this.result?.timezone ?? 'UTC';
    const tzDateOf = (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz);
    const fmtTick = uPlot.fmtDate('{HH}:{mm}');
    const axis = { stroke: '#9ca3af', grid: { stroke: 'rgba(255,255,255,0.07)' }, ticks: { stroke: 'rgba(255,255,255,0.07)' } };
    const pct = (v: number | null) => (v === null ? null : v * 100);
    const step = (this.result?.intervalMinutes ?? 15) * 60;
    this.chart = new uPlot({
      ...this.chartSize(),
      tzDate: tzDateOf,
      legend: { show: true, live: false },
      cursor: { show: false },
      scales: { x: { time: true, range: [points[0].at - step / 2, points[points.length - 1].at + step / 2] }, pct: { range: [0, 100] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => fmtTick(tzDateOf(v))) },
        { ...axis, scale: 'pct', values: (_u, s) => s.map((v) => `${v}%`) },
      ],
      series: [
        {},
        { label: this.t.chartBefore, scale: 'pct', stroke: '#94a3b8', width: 2, dash: [6, 4], points: { show: true, size: 6 }, spanGaps: false },
        { label: this.t.chartAfter, scale: 'pct', stroke: '#38bdf8', width: 2.5, points: { show: true, size: 7 }, spanGaps: false },
      ],
    }, [points.map((p) => p.at), points.map((p) => pct(p.b)), points.map((p) => pct(p.a))], box);
  }

  // ---- por que esperou? ----

  private async loadRecent(): Promise<void> {
    const r = await this.d.calls({ limit: 50 });
    if (!r.ok) return;
    const select = this.$<HTMLSelectElement>('#why-recent');
    const keep = select.value;
    const out = r.body.calls.map((c) => {
      const what = c.outcome ? this.t.outcome[c.outcome] ?? c.outcome : this.t.stillGoing;
      const label = `${this.clock(c.arrivedAt)} · ${c.queue ? this.queueName(c.queue) : '—'} · ${maskCaller(c.from)} · ${what}${c.protocol ? ` · ${c.protocol}` : ''}`;
      return `<option value="${esc(c.callId)}">${esc(label)}</option>`;
    });
    select.innerHTML = `<option value="">${esc(out.length ? '—' : this.t.recentNone)}</option>${out.join('')}`;
    select.value = keep;
  }

  /** By call id, else by protocol number. */
  private async search(raw: string): Promise<void> {
    const q = raw.trim();
    if (!q) return;
    const status = this.$('#why-status');
    status.dataset.kind = '';
    status.textContent = '…';
    const direct = await this.d.why(q);
    if (direct.ok) { this.showWhy(direct.body); return; }
    if (this.d.denied(direct)) return;
    if (direct.status !== 404) { this.refused(direct, status, (m) => m); return; }
    const byProtocol = await this.d.calls({ protocol: q, limit: 1 });
    const id = byProtocol.ok ? byProtocol.body.calls[0]?.callId : undefined;
    if (!id) {
      this.$('#why-result').hidden = true;
      status.dataset.kind = 'error';
      status.textContent = this.t.notFound(q);
      return;
    }
    await this.explain(id);
  }

  /** Explains one call (from the search, the recent list, or the Agora screen's "Por quê?"). */
  async explain(callId: string): Promise<void> {
    this.$<HTMLInputElement>('#why-q').value = callId;
    const status = this.$('#why-status');
    status.dataset.kind = '';
    status.textContent = '…';
    const r = await this.d.why(callId);
    if (!r.ok) {
      this.$('#why-result').hidden = true;
      this.refused(r, status, (m) => m);
      return;
    }
    this.showWhy(r.body);
  }

  private showWhy(w: WhyAnswer): void {
    const ctx: WhyContext = { t: this.t, clock: this.clock, queueName: this.queueName, agentName: this.agentName };
    const v = whyView(w, ctx);
    this.$('#why-status').textContent = '';
    this.$('#why-summary').textContent = v.summary;
    this.$('#why-waits').innerHTML = v.waits.length === 0 ? `<li class="muted">${esc(this.t.noWait)}</li>`
      : v.waits.map((x) => `<li><span class="when num">${esc(x.when)}</span><ul>${x.reasons.map((r) => `<li class="reason">${esc(r)}</li>`).join('')}</ul></li>`).join('');
    this.$('#why-timeline').innerHTML = v.timeline.map((e) => `<li data-what="${esc(e.what)}"><span class="when num">${esc(e.at)}</span> ${esc(e.text)}</li>`).join('');
    this.$('#why-result').hidden = false;
  }

  // ---- intraday forecast ----

  private async loadForecast(): Promise<void> {
    const r = await this.d.intraday(8);
    if (!r.ok) {
      this.refused(r, this.$('#fc-basis'), (m) => m);
      return;
    }
    this.forecast = r.body;
    this.renderForecast();
  }

  private renderForecast(): void {
    const f = this.forecast;
    if (!f) return;
    const t = this.t;
    const id = this.$<HTMLSelectElement>('#fc-scope').value;
    const s = id ? f.queues.find((q) => q.id === id) : f.center;
    if (!s) return;
    const basis = this.$('#fc-basis');
    basis.dataset.kind = '';
    basis.textContent = s.method === 'none' ? t.noForecast
      : t.basis(duration(s.ahtSeconds), f.patience.meanSeconds === null ? '—' : duration(f.patience.meanSeconds), t.method[s.method] ?? s.method)
        + ` · ${t.slGoal(percent(s.target, this.lang, 0), s.thresholdSeconds)}`;
    const n = (v: number | null) => (v === null ? '—' : String(v));
    this.$('#fc-table tbody').innerHTML = s.coming.map((c) => {
      const gap = c.gap === null ? '—' : c.gap < 0 ? t.gapShort(-c.gap) : t.gapOk(c.gap);
      const cls = c.gap === null ? '' : c.gap < 0 ? 'short' : 'ok';
      return `<tr data-start="${esc(c.start)}"><th scope="row" class="num">${esc(`${hhmmOf(c.start)}–${hhmmOf(c.end)}`)}</th>
        <td class="num" data-k="arrivals">${esc(c.arrivals.toLocaleString(this.lang === 'pt' ? 'pt-BR' : 'en', { maximumFractionDigits: 1 }))}</td>
        <td class="num" data-k="erlangC">${n(c.erlangC)}</td><td class="num" data-k="erlangA">${n(c.erlangA)}</td>
        <td class="num" data-k="loggedIn">${c.loggedIn}</td><td class="num gap ${cls}" data-k="gap" data-v="${c.gap ?? ''}">${esc(gap)}</td></tr>`;
    }).join('');
  }
}
