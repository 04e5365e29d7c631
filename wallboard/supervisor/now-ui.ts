// The "Agora" screen in the DOM: the tiles (flashing as on the TV), the alerts
// with their delivery state, queues, callers waiting and agents, and the two
// dialogs that act on a caller or an agent. Tables are redrawn only when their
// text changes, and keyboard focus stays on the same button across redraws.

import type { SupervisorView } from '../../server/contract.ts';
import type { AlarmKey } from '../src/alarms.ts';
import { esc } from '../src/format.ts';
import type { Dict as BoardDict } from '../src/i18n.ts';
import type { Result } from './api.ts';
import type { Dict } from './i18n.ts';
import { levelsAbove, tiersUpTo, type AgentLine, type CallerLine, type NowView } from './now-view.ts';

export interface NowDeps {
  moveCall(callId: string, change: { queue?: string; tier?: number; reason: string }): Promise<Result<unknown>>;
  escalateCall(callId: string, toLevel: number, reason: string): Promise<Result<unknown>>;
  setState(agentId: string, state: 'available' | 'away' | 'offline', reason?: string): Promise<Result<unknown>>;
  changeAgent(agentId: string, change: { skills?: string[]; level?: number }): Promise<Result<unknown>>;
  markDropped(callId: string): Promise<Result<unknown>>;
  ackAlert(id: string): Promise<Result<unknown>>;
  ackAlarms(): void;
  /** Shows the outcome: a confirmation, or the server's reason; answers whether it went through. */
  outcome(r: Result<unknown>, ok: string): boolean;
  /** "Por quê?" on a caller waiting: opens "por que esperou?" (Planejamento) for that call. */
  why: { label: string; title(caller: string): string; open(callId: string): void };
  /** Header of the queues' breach column (short: the tile says it in full). */
  breachColumn: string;
}

/** Replaces an element's HTML only when it changed; the focused control (by data-key) keeps the focus. */
function patch(el: HTMLElement, html: string): void {
  if (el.dataset.html === html) return;
  const active = document.activeElement as HTMLElement | null;
  const key = active && el.contains(active) ? active.dataset.key : undefined;
  el.innerHTML = html;
  el.dataset.html = html;
  if (key) el.querySelector<HTMLElement>(`[data-key="${key}"]`)?.focus();
}

export class NowScreen {
  private readonly tiles: HTMLElement;
  private readonly alerts: HTMLElement;
  private readonly queues: HTMLElement;
  private readonly callers: HTMLElement;
  private readonly agents: HTMLElement;
  private readonly callDialog: HTMLDialogElement;
  private readonly agentDialog: HTMLDialogElement;
  private view: NowView | null = null;
  private live: SupervisorView | null = null;
  /** What a dialog acts on, and the button that opened it (focus goes back there). */
  private dialogFor: { kind: 'call' | 'agent'; id: string; opener: string } | null = null;

  constructor(root: HTMLElement, private readonly t: Dict, private readonly board: BoardDict, private readonly d: NowDeps) {
    root.innerHTML = `
      <div class="tiles" id="tiles"></div>
      <section class="panel p-alerts" aria-labelledby="h-alerts"><div class="panel-head"><h2 id="h-alerts">${esc(t.alerts)}</h2></div><div class="scroll"><ul id="alerts" class="alerts"></ul></div></section>
      <section class="panel p-queues" aria-labelledby="h-queues"><h2 id="h-queues">${esc(t.queues)}</h2><div class="scroll"><table class="grid"><thead><tr>
        <th>${esc(t.queueName)}</th><th>${esc(t.queueState)}</th><th class="num">${esc(t.waiting)}</th><th class="num">${esc(t.callbacks)}</th>
        <th class="num">${esc(t.slNow)}</th><th class="num">${esc(t.slToday)}</th><th class="num">${esc(t.longestWait)}</th>
        <th class="num">${esc(t.available)}</th><th class="num">${esc(t.abandonsHour)}</th><th class="num" title="${esc(board.breachHint)}">${esc(d.breachColumn)}</th></tr></thead><tbody id="queues"></tbody></table></div></section>
      <section class="panel p-callers" aria-labelledby="h-callers"><h2 id="h-callers">${esc(t.callers)}</h2><div class="scroll"><table class="grid"><thead><tr>
        <th class="num">${esc(t.wait)}</th><th>${esc(t.priority)}</th><th>${esc(t.why)}</th><th>${esc(t.queue)}</th><th>${esc(t.caller)}</th>
        <th class="num">${esc(t.level)}</th><th><span class="sr-only">${esc(t.actions)}</span></th></tr></thead><tbody id="callers"></tbody></table></div></section>
      <section class="panel p-agents" aria-labelledby="h-agents"><h2 id="h-agents">${esc(t.agents)}</h2><div class="scroll"><table class="grid"><thead><tr>
        <th>${esc(t.agent)}</th><th>${esc(t.state)}</th><th class="num">${esc(t.timeInState)}</th><th>${esc(t.currentCall)}</th>
        <th class="num">${esc(t.callsToday)}</th><th class="num">${esc(t.tmaToday)}</th><th class="num">${esc(t.level)}</th><th>${esc(t.skills)}</th>
        <th><span class="sr-only">${esc(t.actions)}</span></th></tr></thead><tbody id="agents"></tbody></table></div></section>
      <dialog id="call-dialog" aria-labelledby="call-dialog-title"><form method="dialog" id="call-form" novalidate></form></dialog>
      <dialog id="agent-dialog" aria-labelledby="agent-dialog-title"><form method="dialog" id="agent-form" novalidate></form></dialog>`;
    const $ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
    this.tiles = $('#tiles');
    this.alerts = $('#alerts');
    this.queues = $('#queues');
    this.callers = $('#callers');
    this.agents = $('#agents');
    this.callDialog = $<HTMLDialogElement>('#call-dialog');
    this.agentDialog = $<HTMLDialogElement>('#agent-dialog');
    root.addEventListener('click', (ev) => this.onClick(ev));
    this.callDialog.addEventListener('close', () => this.closed());
    this.agentDialog.addEventListener('close', () => this.closed());
    $('#call-form').addEventListener('submit', (ev) => { ev.preventDefault(); void this.submitCall(ev as SubmitEvent); });
    $('#agent-form').addEventListener('submit', (ev) => { ev.preventDefault(); void this.submitAgent(ev as SubmitEvent); });
  }

  render(v: NowView, live: SupervisorView, flashing: readonly AlarmKey[], active: readonly AlarmKey[]): void {
    this.view = v;
    this.live = live;
    const t = this.t;
    patch(this.tiles, v.tiles.map(({ key, tile, alarm }) => `
      <div class="tile band-${tile.band}${alarm && flashing.includes(alarm) ? ' flash' : ''}" id="tile-${key}">
        <div class="t-label">${esc(tile.label)}${tile.goal ? ` <span class="goal">${esc(tile.goal)}</span>` : ''}</div>
        <div class="t-value num">${esc(tile.value || '—')}</div>
        <div class="t-sub">${esc(tile.sub)}</div>
      </div>`).join('') + `<button type="button" id="ack-alarms" data-key="ack-alarms" class="ack"${active.length ? '' : ' hidden'}>${esc(t.acknowledge)}</button>`);
    patch(this.alerts, v.alerts.length === 0 ? `<li class="empty">${esc(t.noAlerts)}</li>` : v.alerts.map((a) => `
      <li class="alert sev-${a.severityClass}${a.firing ? ' firing' : ' resolved'}" data-alert="${esc(a.id)}">
        <span class="sev">${esc(a.severity)}</span>
        <span class="a-main"><b>${esc(a.kind)}</b> · ${esc(a.message)}
          <span class="a-meta">${esc(a.firing ? t.alertFiring : t.alertResolved)} ${esc(a.when)}${a.acked ? ` · ${esc(a.acked)}` : ''}</span>
          <span class="deliveries">${a.deliveries.map((d) => `<span class="dlv dlv-${d.state}" title="${esc(d.title)}">${esc(d.text)}</span>`).join('')}</span></span>
        ${a.firing && !a.acked ? `<button type="button" data-act="ack-alert" data-id="${esc(a.id)}" data-key="ack-${esc(a.id)}">${esc(t.acknowledge.split(' ')[0])}</button>` : ''}
      </li>`).join(''));
    patch(this.queues, v.queues.map((q) => `<tr data-queue="${esc(q.id)}">
      <th scope="row">${esc(q.name)} <span class="goal">${esc(q.goal)}</span></th>
      <td><span class="pill ${q.open ? 'open' : 'closed'}">${esc(q.stateText)}</span></td>
      <td class="num band-${q.waitingBand}">${esc(q.waiting)}</td><td class="num">${esc(q.callbacks)}</td>
      <td class="num band-${q.slBand}">${esc(q.sl)}</td><td class="num band-${q.slTodayBand}">${esc(q.slToday)}</td>
      <td class="num band-${q.longestBand}">${esc(q.longest)}</td><td class="num">${esc(q.available)}</td><td class="num">${esc(q.abandonsHour)}</td>
      <td class="num breach band-${q.breachBand}" data-k="breach"${q.breachFix ? ` title="${esc(q.breachFix)}"` : ''}>${esc(q.breach)}${q.breachAgents ? ` <span class="fix">${esc(q.breachAgents)}</span>` : ''}</td></tr>`).join(''));
    patch(this.callers, v.callers.length === 0 ? `<tr><td colspan="7" class="empty">${esc(t.noCallers)}</td></tr>` : v.callers.map((c) => `
      <tr data-call="${esc(c.callId)}"${c.ringing ? ' class="ringing"' : ''}>
        <td class="num band-${c.waitBand}">${esc(c.wait)}</td><td><span class="tier tier-${c.tierClass}">${esc(c.tier)}</span></td>
        <td>${esc(c.why)}</td><td>${esc(c.queue)}</td><td class="num">${esc(c.caller)}${c.ringing ? ` <span class="ring">☎ ${esc(t.ringing)}</span>` : ''}</td>
        <td class="num">N${c.level}</td>
        <td class="acts"><a href="?tab=planning" class="why-link" data-act="why" data-id="${esc(c.callId)}" data-key="why-${esc(c.callId)}" title="${esc(this.d.why.title(c.caller))}" aria-label="${esc(this.d.why.title(c.caller))}">${esc(this.d.why.label)}</a>
          <button type="button" data-act="call" data-id="${esc(c.callId)}" data-key="call-${esc(c.callId)}" aria-label="${esc(`${t.actions}: ${c.caller}`)}">${esc(t.actions)}</button></td></tr>`).join(''));
    patch(this.agents, v.agents.map((a) => `
      <tr data-agent="${esc(a.id)}" data-state="${a.state}">
        <th scope="row">${esc(a.name)}</th>
        <td><span class="dot st-${a.state}" aria-hidden="true"></span>${esc(a.stateText)}${a.pending ? ` <span class="pending">${esc(a.pending)}</span>` : ''}</td>
        <td class="num">${esc(a.time)}</td><td>${esc(a.call)}</td><td class="num">${esc(a.callsToday)}</td><td class="num">${esc(a.tma)}</td>
        <td class="num">N${a.level}</td><td class="skills">${esc(a.skillNames)}</td>
        <td><button type="button" data-act="agent" data-id="${esc(a.id)}" data-key="agent-${esc(a.id)}" aria-label="${esc(`${t.actions}: ${a.name}`)}">${esc(t.actions)}</button></td></tr>`).join(''));
  }

  private onClick(ev: Event): void {
    const link = (ev.target as HTMLElement).closest<HTMLAnchorElement>('a[data-act="why"]');
    if (link) {
      // A link (it names where it goes), opened in place: Planejamento with this call explained.
      ev.preventDefault();
      this.d.why.open(link.dataset.id ?? '');
      return;
    }
    const btn = (ev.target as HTMLElement).closest<HTMLButtonElement>('button');
    if (!btn) return;
    if (btn.id === 'ack-alarms') { this.d.ackAlarms(); return; }
    const id = btn.dataset.id ?? '';
    if (btn.dataset.act === 'ack-alert') {
      btn.disabled = true;
      void this.d.ackAlert(id).then((r) => { this.d.outcome(r, this.t.done); btn.disabled = false; });
    } else if (btn.dataset.act === 'call') {
      const c = this.view?.callers.find((x) => x.callId === id);
      if (c) this.openCall(c, btn.dataset.key ?? '');
    } else if (btn.dataset.act === 'agent') {
      const a = this.view?.agents.find((x) => x.id === id);
      if (a) this.openAgent(a, btn.dataset.key ?? '');
    }
  }

  // ---- the caller dialog: move, raise the tier, escalate; always with a reason ----

  private openCall(c: CallerLine, opener: string): void {
    const t = this.t;
    const s = this.live!.snapshot;
    const queues = s.queues.filter((q) => q.id !== c.queueId);
    const form = this.callDialog.querySelector('form')!;
    form.innerHTML = `
      <h2 id="call-dialog-title">${esc(t.callActions(c.caller))}</h2>
      <p class="muted">${esc(c.queue)} · ${esc(c.tier)} · ${esc(c.wait)} · N${c.level}</p>
      <label>${esc(t.moveTo)}<select name="queue" id="cd-queue"><option value="">${esc(t.keep)}</option>${queues.map((q) => `<option value="${esc(q.id)}">${esc(q.name)}</option>`).join('')}</select></label>
      <label>${esc(t.raiseTier)}<select name="tier" id="cd-tier"><option value="">${esc(t.keep)}</option>${tiersUpTo(s.tiers).filter((n) => n !== c.tierNumber).map((n) => `<option value="${n}">P${n}</option>`).join('')}</select></label>
      <label>${esc(t.escalateTo)}<select name="level" id="cd-level"><option value="">${esc(t.keep)}</option>${levelsAbove(c.level, this.live!.maxLevel).map((n) => `<option value="${n}">N${n}</option>`).join('')}</select></label>
      <label>${esc(t.reason)}<input name="reason" id="cd-reason" type="text" maxlength="500" autocomplete="off" required></label>
      <p class="form-error" id="cd-error" role="alert" hidden></p>
      <div class="form-actions">
        <button type="submit" value="move" class="primary" id="cd-move">${esc(t.move)}</button>
        <button type="submit" value="escalate" id="cd-escalate">${esc(t.escalate)}</button>
        <button type="button" value="cancel" id="cd-cancel">${esc(t.cancel)}</button>
      </div>`;
    form.querySelector('#cd-cancel')!.addEventListener('click', () => this.callDialog.close());
    this.dialogFor = { kind: 'call', id: c.callId, opener };
    this.callDialog.showModal();
    form.querySelector<HTMLElement>('#cd-queue')!.focus();
  }

  private async submitCall(ev: SubmitEvent): Promise<void> {
    const target = this.dialogFor;
    if (!target || target.kind !== 'call') return;
    const form = this.callDialog.querySelector('form')!;
    const f = new FormData(form);
    const reason = String(f.get('reason') ?? '').trim();
    const err = form.querySelector<HTMLElement>('#cd-error')!;
    const say = (m: string, focus: string) => { err.textContent = m; err.hidden = false; form.querySelector<HTMLElement>(focus)?.focus(); };
    if (!reason) { say(this.t.reasonRequired, '#cd-reason'); return; }
    const c = this.view?.callers.find((x) => x.callId === target.id);
    const who = c?.caller ?? target.id;
    const action = (ev.submitter as HTMLButtonElement | null)?.value ?? 'move';
    let r: Result<unknown>;
    let ok: string;
    if (action === 'escalate') {
      const level = Number(f.get('level'));
      if (!level) { say(this.t.escalateTo, '#cd-level'); return; }
      r = await this.d.escalateCall(target.id, level, reason);
      ok = this.t.escalated(who, level);
    } else {
      const queue = String(f.get('queue') ?? '') || undefined;
      const tier = Number(f.get('tier')) || undefined;
      if (!queue && !tier) { say(`${this.t.moveTo} / ${this.t.raiseTier}`, '#cd-queue'); return; }
      r = await this.d.moveCall(target.id, { ...(queue ? { queue } : {}), ...(tier ? { tier } : {}), reason });
      ok = this.t.moved(who);
    }
    if (this.d.outcome(r, ok)) this.callDialog.close();
    else if (!r.ok) say(r.message, '#cd-reason');
  }

  // ---- the agent dialog: force a state, log out, skills and level ----

  private openAgent(a: AgentLine, opener: string): void {
    const t = this.t;
    const live = this.live!;
    const form = this.agentDialog.querySelector('form')!;
    form.innerHTML = `
      <h2 id="agent-dialog-title">${esc(t.agentActions(a.name))}</h2>
      <p class="muted"><span class="dot st-${a.state}" aria-hidden="true"></span>${esc(a.stateText)} · ${esc(a.time)}</p>
      <fieldset><legend>${esc(t.forceState)}</legend>
        <div class="state-row">
          <button type="submit" value="available" id="ad-available">${esc(t.setAvailable)}</button>
          <label class="inline">${esc(t.pauseReason)}<select name="pause" id="ad-pause">${live.pauseReasons.map((r) => `<option>${esc(r)}</option>`).join('')}</select></label>
          <button type="submit" value="away" id="ad-away">${esc(t.setAway)}</button>
          <button type="submit" value="offline" id="ad-offline" class="danger">${esc(t.logOut)}</button>
        </div>
      </fieldset>
      <fieldset><legend>${esc(t.skillsAndLevel)}</legend>
        <div class="skills-row">${live.snapshot.queues.map((q) => `<label class="inline"><input type="checkbox" name="skill" value="${esc(q.id)}"${a.skills.includes(q.id) ? ' checked' : ''}> ${esc(q.name)}</label>`).join('')}
          <label class="inline">${esc(t.level)}<select name="level" id="ad-level">${Array.from({ length: live.maxLevel }, (_, i) => i + 1).map((n) => `<option value="${n}"${n === a.level ? ' selected' : ''}>N${n}</option>`).join('')}</select></label>
        </div>
        <button type="submit" value="agent" id="ad-save">${esc(t.saveAgent)}</button>
      </fieldset>
      ${a.callId && (a.state === 'on-call' || a.state === 'wrap-up') ? `<fieldset><legend>${esc(t.currentCall)}</legend>
        <button type="submit" value="dropped" id="ad-dropped" class="danger">${esc(t.markDropped)}</button>
        <p class="muted">${esc(t.markDroppedHelp)}</p>
      </fieldset>` : ''}
      <p class="form-error" id="ad-error" role="alert" hidden></p>
      <div class="form-actions"><button type="button" id="ad-cancel">${esc(t.cancel)}</button></div>`;
    form.querySelector('#ad-cancel')!.addEventListener('click', () => this.agentDialog.close());
    this.dialogFor = { kind: 'agent', id: a.id, opener };
    this.agentDialog.showModal();
    form.querySelector<HTMLElement>(a.state === 'offline' ? '#ad-available' : '#ad-away')!.focus();
  }

  private async submitAgent(ev: SubmitEvent): Promise<void> {
    const target = this.dialogFor;
    if (!target || target.kind !== 'agent') return;
    const form = this.agentDialog.querySelector('form')!;
    const f = new FormData(form);
    const a = this.view?.agents.find((x) => x.id === target.id);
    const name = a?.name ?? target.id;
    const action = (ev.submitter as HTMLButtonElement | null)?.value ?? 'away';
    let r: Result<unknown>;
    let ok: string;
    if (action === 'dropped' && a?.callId) {
      r = await this.d.markDropped(a.callId);
      ok = this.t.droppedMarked(name);
    } else if (action === 'agent') {
      const skills = f.getAll('skill').map(String);
      r = await this.d.changeAgent(target.id, { skills, level: Number(f.get('level')) });
      ok = this.t.agentSaved(name);
    } else {
      const state = action as 'available' | 'away' | 'offline';
      const reason = state === 'away' ? String(f.get('pause') ?? '') || undefined : undefined;
      r = await this.d.setState(target.id, state, reason);
      ok = this.t.stateForced(name, `${this.board.agentState[state]}${reason ? ` (${reason})` : ''}`);
    }
    if (this.d.outcome(r, ok)) this.agentDialog.close();
    else if (!r.ok) {
      const err = form.querySelector<HTMLElement>('#ad-error')!;
      err.textContent = r.message;
      err.hidden = false;
    }
  }

  private closed(): void {
    const opener = this.dialogFor?.opener;
    this.dialogFor = null;
    if (opener) document.querySelector<HTMLElement>(`[data-key="${opener}"]`)?.focus();
  }
}
