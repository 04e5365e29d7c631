// DOM writing. Thin on purpose: every word and colour is decided in view.ts /
// status.ts; this file builds the skeleton once (labels from the dictionary)
// and then only sets textContent, attributes and classes, except for the
// short lists, which are rebuilt as HTML strings with all server text
// escaped through esc().

import type { AlarmKey } from './alarms.ts';
import { esc } from './format.ts';
import { gridLayout } from './grid.ts';
import type { Dict } from './i18n.ts';
import type { StatusView } from './status.ts';
import type { AgentTileView, BoardView, TileView } from './view.ts';

const TILE_KEYS = ['slRolling', 'slToday', 'waiting', 'longest', 'breach', 'tma', 'tme', 'abandon', 'agentsTile', 'nps', 'csat', 'fcr'] as const;
type TileKey = (typeof TILE_KEYS)[number];

/** Above this many agents the agent panel takes more of the bottom row. */
const MANY_AGENTS = 120;

/** Which tile flashes for which alarm. */
const ALARM_TILE: Record<AlarmKey, TileKey> = { serviceLevel: 'slRolling', longestWait: 'longest', noAgent: 'agentsTile' };

interface TileEls { root: HTMLElement; label: HTMLElement; goal: HTMLElement; value: HTMLElement; sub: HTMLElement; note: HTMLElement }

interface AgentEls { root: HTMLElement; name: HTMLElement; detail: HTMLElement; time: HTMLElement; reason: HTMLElement; tier: HTMLElement }

export interface BoardUi {
  root: HTMLElement;
  title: HTMLElement;
  scope: HTMLElement;
  demo: HTMLElement;
  conn: HTMLElement;
  clock: HTMLElement;
  ack: HTMLButtonElement;
  sound: HTMLButtonElement;
  banner: HTMLElement;
  notice: HTMLElement;
  overlay: HTMLElement;
  tiles: Record<TileKey, TileEls>;
  chips: HTMLElement;
  counts: HTMLElement;
  queues: HTMLElement;
  calls: HTMLElement;
  abandons: HTMLElement;
  agentGrid: HTMLElement;
  agentEls: Map<string, AgentEls>;
  agentOrder: string;
  hourChart: { el: HTMLElement; empty: HTMLElement };
  todayChart: { el: HTMLElement; empty: HTMLElement };
}

const tileHtml = (key: TileKey, cls: string, extra = ''): string => `
  <div class="tile ${cls}" id="t-${key}" data-band="none">
    <div class="t-head"><span class="t-label"></span><span class="t-goal"></span></div>
    <div class="t-value"></div>
    ${extra}
    <div class="t-sub"></div>
    <div class="t-note"></div>
  </div>`;

/** `centerCharts`: the charts show the whole center while the tiles show one queue. */
export function mount(root: HTMLElement, t: Dict, centerCharts = false): BoardUi {
  const chartScope = centerCharts ? ` · ${esc(t.center)}` : '';
  root.innerHTML = `
  <header id="hdr">
    <div class="h-title"><span id="title">${esc(t.appName)}</span><span id="scope"></span></div>
    <span id="demo" hidden>${esc(t.demo)}</span>
    <div class="h-right">
      <button id="ack" type="button" hidden>${esc(t.acknowledge)}</button>
      <button id="sound" type="button"></button>
      <span id="conn" class="pill"></span>
      <span id="clock"></span>
    </div>
  </header>
  <main id="main">
    <section class="row hero">
      ${tileHtml('slRolling', 'sl')}
      ${tileHtml('slToday', 'sl')}
      ${tileHtml('waiting', 'wait', '<div class="chips"></div>')}
      ${tileHtml('longest', 'long')}
    </section>
    <section class="row strip">
      ${tileHtml('breach', 'small breach')}
      ${tileHtml('tma', 'small')}
      ${tileHtml('tme', 'small')}
      ${tileHtml('abandon', 'small')}
      ${tileHtml('agentsTile', 'small agents', '<div class="counts"></div>')}
      ${tileHtml('nps', 'small')}
      ${tileHtml('csat', 'small')}
      ${tileHtml('fcr', 'small')}
    </section>
    <section class="row bottom">
      <div class="col">
        <div class="panel p-queues"><h2>${esc(t.queues)}</h2><div class="list" id="queues"></div></div>
        <div class="panel p-calls"><h2>${esc(t.callersWaiting)}</h2><div class="list" id="calls"></div></div>
      </div>
      <div class="col">
        <div class="panel p-chart"><h2>${esc(t.chartHour)}${chartScope} <span class="legend"><i class="lg-sl"></i>${esc(t.chartSl)} <i class="lg-wait"></i>${esc(t.chartWaiting)} <i class="lg-target"></i>${esc(t.chartTarget)}</span></h2>
          <div class="chart" id="chart-hour"></div><div class="empty" id="chart-hour-empty">${esc(t.noHistory)}</div></div>
        <div class="panel p-chart"><h2>${esc(t.chartToday)}${chartScope} <span class="legend"><i class="lg-target"></i>${esc(t.chartTarget)}</span></h2>
          <div class="chart" id="chart-today"></div><div class="empty" id="chart-today-empty">${esc(t.noHistory)}</div></div>
        <div class="panel p-abandons"><h2>${esc(t.recentAbandons)}</h2><div class="list" id="abandons"></div></div>
      </div>
      <div class="col">
        <div class="panel p-agents"><h2>${esc(t.agentGrid)}</h2><div id="agent-grid"></div></div>
      </div>
    </section>
  </main>
  <div id="banner" hidden></div>
  <div id="notice" hidden></div>
  <div id="overlay" hidden><div class="ov-title"></div><div class="ov-body"></div></div>`;

  const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => {
    const el = root.querySelector<T>(sel);
    if (!el) throw new Error(`wallboard skeleton: ${sel} missing`);
    return el;
  };
  const tiles = {} as Record<TileKey, TileEls>;
  for (const k of TILE_KEYS) {
    const r = $(`#t-${k}`);
    tiles[k] = {
      root: r,
      label: r.querySelector<HTMLElement>('.t-label')!,
      goal: r.querySelector<HTMLElement>('.t-goal')!,
      value: r.querySelector<HTMLElement>('.t-value')!,
      sub: r.querySelector<HTMLElement>('.t-sub')!,
      note: r.querySelector<HTMLElement>('.t-note')!,
    };
  }
  return {
    root,
    title: $('#title'),
    scope: $('#scope'),
    demo: $('#demo'),
    conn: $('#conn'),
    clock: $('#clock'),
    ack: $<HTMLButtonElement>('#ack'),
    sound: $<HTMLButtonElement>('#sound'),
    banner: $('#banner'),
    notice: $('#notice'),
    overlay: $('#overlay'),
    tiles,
    chips: $('#t-waiting .chips'),
    counts: $('#t-agentsTile .counts'),
    queues: $('#queues'),
    calls: $('#calls'),
    abandons: $('#abandons'),
    agentGrid: $('#agent-grid'),
    agentEls: new Map(),
    agentOrder: '',
    hourChart: { el: $('#chart-hour'), empty: $('#chart-hour-empty') },
    todayChart: { el: $('#chart-today'), empty: $('#chart-today-empty') },
  };
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function setAttr(el: HTMLElement, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setHtml(el: HTMLElement, html: string): boolean {
  // Cache the source string: comparing against innerHTML would never match after parsing.
  if (el.dataset.src === html) return false;
  el.dataset.src = html;
  el.innerHTML = html;
  return true;
}

function renderTile(els: TileEls, v: TileView): void {
  setText(els.label, v.label);
  setText(els.goal, v.goal);
  setText(els.value, v.value);
  setText(els.sub, v.sub);
  setText(els.note, v.note);
  setAttr(els.root, 'data-band', v.band);
}

export function renderStatus(ui: BoardUi, st: StatusView, clock: string): void {
  setText(ui.clock, clock);
  setText(ui.conn, st.pill.text);
  setAttr(ui.conn, 'data-kind', st.pill.kind);
  ui.banner.hidden = st.banner == null;
  setText(ui.banner, st.banner ?? '');
  setAttr(ui.banner, 'data-kind', st.pill.kind);
  document.body.classList.toggle('dim', st.dim);
  ui.overlay.hidden = st.overlay == null;
  if (st.overlay) {
    setAttr(ui.overlay, 'data-kind', st.overlay.kind);
    setText(ui.overlay.querySelector<HTMLElement>('.ov-title')!, st.overlay.title);
    setText(ui.overlay.querySelector<HTMLElement>('.ov-body')!, st.overlay.body);
  }
}

export function renderSound(ui: BoardUi, on: boolean, t: Dict): void {
  setText(ui.sound, `♪ ${on ? t.soundOn : t.soundOff}`);
  setAttr(ui.sound, 'aria-pressed', String(on));
}

export function renderAlarms(ui: BoardUi, flashing: readonly AlarmKey[]): void {
  for (const [alarm, tile] of Object.entries(ALARM_TILE) as [AlarmKey, TileKey][]) {
    ui.tiles[tile].root.classList.toggle('flash', flashing.includes(alarm));
  }
  ui.ack.hidden = flashing.length === 0;
}

export function renderBoard(ui: BoardUi, v: BoardView, t: Dict, unit: number): void {
  setText(ui.title, v.title);
  setText(ui.scope, v.scopeName ? ` — ${v.scopeName}` : '');
  ui.demo.hidden = !v.demo;
  ui.notice.hidden = v.notice == null;
  setText(ui.notice, v.notice ?? '');

  for (const k of TILE_KEYS) renderTile(ui.tiles[k], v[k]);

  setHtml(
    ui.chips,
    v.tierChips
      .map((c) => `<span class="chip tier-${Math.min(3, c.tier)}${c.zero ? ' zero' : ''}"><b>${esc(c.label)}</b> ${esc(c.count)}</span>`)
      .join(''),
  );
  setHtml(
    ui.counts,
    v.agentCounts
      .map((c) => `<div class="count st-${c.state}${c.n === 0 ? ' zero' : ''}"><b>${esc(c.count)}</b><span>${esc(c.label)}</span></div>`)
      .join(''),
  );

  renderQueues(ui, v, t);
  renderCalls(ui, v, t);
  renderAbandons(ui, v, t);
  renderAgents(ui, v.agents, t, unit);
}

/** Drop trailing rows that do not fit and say how many were left out. */
function fitList(list: HTMLElement, t: Dict): void {
  const rows = Array.from(list.querySelectorAll<HTMLElement>('.r'));
  const limit = list.clientHeight;
  if (limit <= 0 || list.scrollHeight <= limit + 1) return;
  let hidden = 0;
  const more = document.createElement('div');
  more.className = 'more';
  list.appendChild(more);
  for (let i = rows.length - 1; i >= 0 && list.scrollHeight > limit + 1; i--) {
    rows[i].remove();
    hidden++;
    more.textContent = t.more(hidden);
  }
}

function renderQueues(ui: BoardUi, v: BoardView, t: Dict): void {
  const head = `<div class="qh"><span>${esc(t.queueCol)}</span><span>${esc(t.slCol)}</span><span>${esc(t.todayShort)}</span><span>${esc(t.waitingCol)}</span><span>${esc(t.longestCol)}</span></div>`;
  const rows = v.queues
    .map(
      (q) => q.closed !== null
        // Closed: one cell says why and when it opens, across the figures' columns.
        ? `<div class="r q closed"><span class="q-name"><b>${esc(q.name)}</b><small>${esc(q.goal)}</small></span>` +
          `<span class="q-closed">${esc(q.closed)}</span></div>`
        : `<div class="r q"><span class="q-name"><b>${esc(q.name)}</b><small>${esc(q.goal)}</small></span>` +
        `<span class="num" data-band="${q.slBand}">${esc(q.sl)}</span>` +
        `<span class="num dimmer" data-band="${q.slTodayBand}">${esc(q.slToday)}</span>` +
        `<span class="num" data-band="${q.waitingBand}">${esc(q.waiting)}</span>` +
        `<span class="num" data-band="${q.longestBand}">${esc(q.longest)}</span></div>`,
    )
    .join('');
  if (setHtml(ui.queues, head + rows)) fitList(ui.queues, t);
}

function renderCalls(ui: BoardUi, v: BoardView, t: Dict): void {
  const html = v.waitingCalls.length === 0
    ? `<div class="none">${esc(t.noneWaiting)}</div>`
    : v.waitingCalls
      .map(
        (c) => `<div class="r call${c.ringing ? ' ringing' : ''}${c.callback ? ' callback' : ''}"><span class="tier tier-${c.tierClass}">${esc(c.tier)}</span>` +
          `<span class="num wait" data-band="${c.waitBand}">${esc(c.wait)}</span>` +
          `<span class="c-main"><b>${c.callback ? `<i class="cb">${esc(t.callbackTag)}</i> ` : ''}${esc(c.reason)}</b><small>${esc(c.queue)} · ${esc(c.caller)}</small></span></div>`,
      )
      .join('');
  if (setHtml(ui.calls, html)) fitList(ui.calls, t);
}

function renderAbandons(ui: BoardUi, v: BoardView, t: Dict): void {
  const html = v.abandons.length === 0
    ? `<div class="none">${esc(t.noAbandons)}</div>`
    : v.abandons
      .map(
        (a) => `<div class="r ab"><span class="num at">${esc(a.at)}</span><span class="tier tier-${a.tierClass}">${esc(a.tier)}</span>` +
          `<span class="ab-wait">${esc(t.waitedFor(a.waited))}</span><span class="ab-q">${esc(a.queue)}</span></div>`,
      )
      .join('');
  if (setHtml(ui.abandons, html)) fitList(ui.abandons, t);
}

function agentEls(): AgentEls {
  const root = document.createElement('div');
  root.className = 'agent';
  const name = document.createElement('div');
  name.className = 'a-name';
  const detail = document.createElement('div');
  detail.className = 'a-detail';
  const row = document.createElement('div');
  row.className = 'a-row';
  const time = document.createElement('span');
  time.className = 'a-time';
  const reason = document.createElement('span');
  reason.className = 'a-reason';
  const tier = document.createElement('span');
  tier.className = 'a-tier';
  row.append(time, reason, tier);
  root.append(name, detail, row);
  return { root, name, detail, time, reason, tier };
}

function renderAgents(ui: BoardUi, agents: AgentTileView[], t: Dict, unit: number): void {
  const grid = ui.agentGrid;
  // A big team gets a wider agent panel (CSS), measured after the switch.
  setAttr(ui.root, 'data-agents', agents.length > MANY_AGENTS ? 'many' : 'few');
  const layout = gridLayout({ count: agents.length, width: grid.clientWidth, height: grid.clientHeight, gap: Math.max(2, unit * 0.25), unit });
  grid.style.setProperty('--cols', String(layout.cols));
  grid.style.setProperty('--rows', String(layout.rows));
  grid.style.setProperty('--afont', `${layout.fontPx}px`);
  setAttr(grid, 'data-mode', layout.mode);

  if (agents.length === 0) {
    ui.agentEls.clear();
    ui.agentOrder = '';
    setHtml(grid, `<div class="none">${esc(t.noAgents)}</div>`);
    return;
  }
  if (grid.dataset.src) {
    delete grid.dataset.src;
    grid.innerHTML = '';
  }

  const seen = new Set<string>();
  for (const a of agents) {
    seen.add(a.id);
    let e = ui.agentEls.get(a.id);
    if (!e) {
      e = agentEls();
      ui.agentEls.set(a.id, e);
    }
    setText(e.name, a.name);
    setText(e.detail, a.detail);
    setText(e.time, a.time);
    setText(e.reason, a.reason);
    setText(e.tier, a.tier ?? '');
    e.tier.hidden = a.tier == null;
    const cls = `agent st-${a.state}${a.tier ? ` tier-${a.tierClass}` : ''}`;
    if (e.root.className !== cls) e.root.className = cls;
    e.root.title = `${a.name} — ${a.detail}`;
  }
  for (const [id, e] of ui.agentEls) {
    if (!seen.has(id)) {
      e.root.remove();
      ui.agentEls.delete(id);
    }
  }
  const order = agents.map((a) => a.id).join('\u0000');
  if (order !== ui.agentOrder) {
    ui.agentOrder = order;
    // append() moves existing nodes; CSS animations on them keep running.
    grid.append(...agents.map((a) => ui.agentEls.get(a.id)!.root));
  }
}
