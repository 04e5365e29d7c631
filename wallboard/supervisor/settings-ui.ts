// The "Configurações" screen: one form per section of live settings, a preview of
// what changes (before → after) before saving, the server's refusal shown next to
// the field it names, and the audit log with its filter.

import { esc, hhmm } from '../src/format.ts';
import type { AuditEntry, AuditQuery, Result } from './api.ts';
import type { Dict } from './i18n.ts';
import { FieldError, fromInput, getAt, NEW_DESTINATION, NEW_RULE, sections, setAt, toInput, type Field, type Section } from './settings-fields.ts';
import { diff, fieldFor, refusedField, settingsPatch, shown, type Json } from './settings-model.ts';

type Settings = Record<string, Json>;

export interface SettingsDeps {
  patch(body: Record<string, Json>): Promise<Result<Record<string, unknown>>>;
  audit(q: AuditQuery): Promise<Result<{ entries: AuditEntry[] }>>;
  toast(message: string, kind?: 'ok' | 'error'): void;
  /** A refusal that means the token is gone (401/403): back to sign-in. */
  denied(r: Result<unknown>): boolean;
}

const AUDIT_ACTIONS = ['settings.changed', 'agent.changed', 'agent.state', 'call.moved', 'call.escalated', 'alert'];

export class SettingsScreen {
  private current: Settings = {};
  /** Alert rules and destinations being edited (rows added or removed before saving). */
  private alertsDraft: { rules: Json[]; destinations: Json[] } | null = null;
  private readonly forms: HTMLElement;
  private readonly auditForm: HTMLFormElement;
  private readonly auditBody: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly t: Dict, private readonly d: SettingsDeps) {
    root.innerHTML = `
      <div class="settings-col">
        <p class="intro">${esc(t.settingsIntro)}</p>
        <div id="settings-forms"></div>
      </div>
      <section class="panel audit" aria-labelledby="audit-title">
        <h2 id="audit-title">${esc(t.audit)}</h2>
        <form id="audit-filter" class="audit-filter">
          <label>${esc(t.auditWho)}<input name="who" type="text" autocomplete="off"></label>
          <label>${esc(t.auditField)}<input name="field" type="text" autocomplete="off"></label>
          <label>${esc(t.auditAction)}<select name="action"><option value="">${esc(t.anyAction)}</option>${AUDIT_ACTIONS.map((a) => `<option>${esc(a)}</option>`).join('')}</select></label>
          <label>${esc(t.auditSince)}<input name="since" type="date"></label>
          <label>${esc(t.auditUntil)}<input name="until" type="date"></label>
          <button type="submit">${esc(t.filter)}</button>
        </form>
        <div class="table-wrap"><table class="audit-table"><thead><tr>
          <th>${esc(t.auditWhen)}</th><th>${esc(t.auditWho)}</th><th>${esc(t.auditAction)}</th><th>${esc(t.auditTarget)}</th>
        </tr></thead><tbody id="audit-body"></tbody></table></div>
      </section>`;
    this.forms = root.querySelector<HTMLElement>('#settings-forms')!;
    this.auditForm = root.querySelector<HTMLFormElement>('#audit-filter')!;
    this.auditBody = root.querySelector<HTMLElement>('#audit-body')!;
    this.forms.addEventListener('click', (ev) => this.onClick(ev));
    this.forms.addEventListener('submit', (ev) => { ev.preventDefault(); void this.save(ev.target as HTMLFormElement); });
    this.forms.addEventListener('input', (ev) => this.clearError(ev.target as HTMLElement));
    this.auditForm.addEventListener('submit', (ev) => { ev.preventDefault(); void this.loadAudit(); });
  }

  /** The settings in force (GET /api/settings, or the answer to a save). */
  load(settings: Record<string, unknown>): void {
    this.current = settings as Settings;
    this.alertsDraft = null;
    this.render();
  }

  async loadAudit(): Promise<void> {
    const f = new FormData(this.auditForm);
    const text = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    const r = await this.d.audit({ who: text('who'), field: text('field'), action: text('action'), since: text('since'), until: text('until'), limit: 200 });
    if (!r.ok) {
      if (!this.d.denied(r)) this.d.toast(this.t.refused(r.message), 'error');
      return;
    }
    this.auditBody.innerHTML = r.body.entries.length === 0
      ? `<tr><td colspan="4" class="empty">${esc(this.t.auditEmpty)}</td></tr>`
      : r.body.entries.map((e) => `<tr class="facts" data-action="${esc(e.action)}">
          <td class="num">${esc(dateTime(e.at))}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td><td>${esc(e.target ?? '')}</td></tr>
          <tr class="change-row"><td colspan="4" class="change"><code>${esc(brief(e.before))}</code> → <code>${esc(brief(e.after))}</code></td></tr>`).join('');
  }

  // ---- rendering ----

  private sectionList(): Section[] {
    const view = this.alertsDraft ? { ...this.current, alerts: this.alertsDraft as unknown as Json } : this.current;
    return sections(view, this.t);
  }

  private render(): void {
    const view = this.alertsDraft ? { ...this.current, alerts: this.alertsDraft as unknown as Json } : this.current;
    this.forms.innerHTML = this.sectionList().map((s) => this.sectionHtml(s, view)).join('');
  }

  private sectionHtml(s: Section, values: Settings): string {
    const t = this.t;
    const fields = s.fields.map((f) => this.fieldHtml(f, getAt(values, f.path))).join('');
    const rows = (s.rows ?? []).map((r) => `
      <fieldset class="row" data-row="${esc(r.key)}"><legend>${esc(r.title)}</legend>
        ${r.fields.map((f) => this.fieldHtml(f, getAt(values, f.path))).join('')}
        ${s.id === 'alerts' ? `<button type="button" class="remove" data-act="remove" data-row="${esc(r.key)}">${esc(t.remove)}</button>` : ''}
      </fieldset>`).join('');
    const adders = s.id === 'alerts'
      ? `<div class="adders"><button type="button" data-act="add-rule">${esc(t.addRule)}</button><button type="button" data-act="add-destination">${esc(t.addDestination)}</button></div>`
      : '';
    return `<form class="section panel" data-section="${s.id}" novalidate aria-labelledby="sec-${s.id}">
      <h2 id="sec-${s.id}">${esc(s.title)}</h2>
      ${fields ? `<div class="fields">${fields}</div>` : ''}
      ${rows ? `<div class="rows">${rows}</div>` : ''}
      ${adders}
      <div class="form-actions">
        <button type="button" data-act="preview">${esc(t.preview)}</button>
        <button type="submit" class="primary">${esc(t.save)}</button>
        <button type="button" data-act="reset">${esc(t.reset)}</button>
      </div>
      <div class="preview" aria-live="polite"></div>
    </form>`;
  }

  private fieldHtml(f: Field, value: Json | undefined): string {
    const id = `f${f.path.replace(/[^A-Za-z0-9]/g, '-')}`;
    const attrs = `id="${id}" name="${esc(f.path)}" data-path="${esc(f.path)}" data-kind="${f.kind}" aria-describedby="${id}-err"`;
    const v = toInput(f.kind, value);
    let input: string;
    if (f.kind === 'select' || f.kind === 'optionalSelect' || f.kind === 'bool') {
      const options: [string, string][] = f.kind === 'bool'
        ? [['true', '✓'], ['false', '—']]
        : [...(f.kind === 'optionalSelect' ? [['', this.t.none] as [string, string]] : []), ...(f.options ?? [])];
      input = `<select ${attrs}>${options.map(([val, label]) => `<option value="${esc(val)}"${val === v ? ' selected' : ''}>${esc(label)}</option>`).join('')}</select>`;
    } else if (f.kind === 'lines' || f.kind === 'json') {
      input = `<textarea ${attrs} rows="${f.kind === 'json' ? 8 : 4}" spellcheck="false">${esc(v)}</textarea>`;
    } else {
      const numeric = ['number', 'percent', 'optionalNumber', 'optionalPercent', 'nullableNumber'].includes(f.kind);
      input = `<input ${attrs} type="text"${numeric ? ' inputmode="decimal"' : ''}${f.kind === 'time' ? ' placeholder="HH:MM"' : ''} value="${esc(v)}" autocomplete="off">`;
    }
    return `<div class="field${f.wide || f.kind === 'json' || f.kind === 'lines' ? ' wide' : ''}">
      <label for="${id}">${esc(f.label)}</label>${input}
      <span class="field-error" id="${id}-err" role="alert" hidden></span></div>`;
  }

  // ---- reading the forms ----

  /** The new values of the section's keys, from its inputs; marks the fields that cannot be read. */
  private collect(form: HTMLFormElement): Settings | null {
    const section = this.sectionList().find((s) => s.id === form.dataset.section);
    if (!section) return null;
    const next: Settings = {};
    let ok = true;
    const read = (f: Field, into: Settings) => {
      const el = form.querySelector<HTMLInputElement>(`[data-path="${cssEscape(f.path)}"]`);
      if (!el) return;
      try {
        setAt(into, f.path, fromInput(f.kind, el.value, this.t));
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        this.showError(form, f.path, err.message);
        ok = false;
      }
    };
    if (section.id === 'alerts') {
      next.alerts = { rules: [], destinations: [] };
      for (const r of section.rows ?? []) for (const f of r.fields) read(f, next);
      const alerts = next.alerts as { rules: Record<string, Json>[] };
      for (const rule of alerts.rules) {
        const q = rule.quietHours as Record<string, Json> | undefined;
        if (q && !q.from && !q.to) delete rule.quietHours;
      }
    } else {
      for (const key of section.keys) next[key] = structuredClone(this.current[key] ?? null);
      for (const f of [...section.fields, ...(section.rows ?? []).flatMap((r) => r.fields)]) read(f, next);
    }
    return ok ? next : null;
  }

  private preview(form: HTMLFormElement): Settings | null {
    this.clearErrors(form);
    const next = this.collect(form);
    const box = form.querySelector<HTMLElement>('.preview')!;
    if (!next) { box.innerHTML = ''; return null; }
    const before: Settings = {};
    for (const k of Object.keys(next)) before[k] = this.current[k];
    const changes = diff(before, next);
    box.innerHTML = changes.length === 0
      ? `<p class="muted">${esc(this.t.noChanges)}</p>`
      : `<p>${esc(this.t.changes(changes.length))}</p><table class="diff"><thead><tr><th></th><th>${esc(this.t.before)}</th><th>${esc(this.t.after)}</th></tr></thead><tbody>${
        changes.map((c) => `<tr><th scope="row"><code>${esc(c.path)}</code></th><td class="before">${esc(shown(c.before, this.t.none))}</td><td class="after">${esc(shown(c.after, this.t.none))}</td></tr>`).join('')
      }</tbody></table>`;
    return next;
  }

  private async save(form: HTMLFormElement): Promise<void> {
    const next = this.preview(form);
    if (!next) return;
    const patch = settingsPatch(this.current, next);
    if (!patch) { this.d.toast(this.t.noChanges); return; }
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button')];
    for (const b of buttons) b.disabled = true;
    const r = await this.d.patch(patch);
    for (const b of buttons) b.disabled = false;
    if (r.ok) {
      const id = form.dataset.section;
      this.load(r.body);
      this.d.toast(this.t.saved);
      this.forms.querySelector<HTMLElement>(`form[data-section="${id}"] button[type="submit"]`)?.focus();
      void this.loadAudit();
      return;
    }
    if (this.d.denied(r)) return;
    const field = r.code === 'ATENDE_ERR_INVALID_SETTINGS' || r.code === 'FST_ERR_VALIDATION' ? refusedField(r.message) : null;
    const paths = [...form.querySelectorAll<HTMLElement>('[data-path]')].map((el) => el.dataset.path!);
    const target = field ? fieldFor(field, paths) : null;
    if (target) {
      this.showError(form, target, r.message);
      this.d.toast(this.t.invalid, 'error');
    } else {
      this.d.toast(this.t.refused(r.message), 'error');
    }
  }

  private onClick(ev: Event): void {
    const btn = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
    const form = btn?.closest<HTMLFormElement>('form.section');
    if (!btn || !form) return;
    const act = btn.dataset.act;
    if (act === 'preview') this.preview(form);
    else if (act === 'reset') { this.alertsDraft = null; this.render(); }
    else if (act === 'add-rule' || act === 'add-destination' || act === 'remove') this.editAlerts(form, act, btn.dataset.row ?? '');
  }

  /** Adds or removes a row of the alerts form, keeping what was typed in the others. */
  private editAlerts(form: HTMLFormElement, act: string, row: string): void {
    const typed = this.collect(form);
    const alerts = (typed?.alerts ?? this.alertsDraft ?? this.current.alerts ?? { rules: [], destinations: [] }) as { rules: Json[]; destinations: Json[] };
    const draft = { rules: [...(alerts.rules ?? [])], destinations: [...(alerts.destinations ?? [])] };
    if (act === 'add-rule') draft.rules.push(structuredClone(NEW_RULE));
    if (act === 'add-destination') draft.destinations.push(structuredClone(NEW_DESTINATION));
    const m = /^(rule|destination)-(\d+)$/.exec(row);
    if (act === 'remove' && m) (m[1] === 'rule' ? draft.rules : draft.destinations).splice(Number(m[2]), 1);
    this.alertsDraft = draft;
    this.render();
    const again = this.forms.querySelector<HTMLFormElement>('form[data-section="alerts"]');
    const focusOn = act === 'remove' ? again?.querySelector<HTMLElement>('[data-act="add-rule"]')
      : again?.querySelector<HTMLElement>(`fieldset[data-row="${act === 'add-rule' ? `rule-${draft.rules.length - 1}` : `destination-${draft.destinations.length - 1}`}"] input`);
    focusOn?.focus();
  }

  private showError(form: HTMLFormElement, path: string, message: string): void {
    const el = form.querySelector<HTMLElement>(`[data-path="${cssEscape(path)}"]`);
    const err = el ? form.querySelector<HTMLElement>(`#${el.id}-err`) : null;
    if (!el || !err) return;
    el.setAttribute('aria-invalid', 'true');
    err.textContent = message;
    err.hidden = false;
    el.focus();
  }

  private clearError(el: HTMLElement): void {
    if (!el.dataset.path) return;
    el.removeAttribute('aria-invalid');
    const err = this.forms.querySelector<HTMLElement>(`#${el.id}-err`);
    if (err) { err.hidden = true; err.textContent = ''; }
  }

  private clearErrors(form: HTMLFormElement): void {
    for (const el of form.querySelectorAll<HTMLElement>('[aria-invalid]')) this.clearError(el);
  }
}

const cssEscape = (s: string): string => s.replace(/["\\]/g, '\\$&');

function dateTime(at: number): string {
  const d = new Date(at);
  return `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')} ${hhmm(at)}`;
}

/** A short one-line JSON of a before/after value. */
function brief(v: unknown): string {
  const s = v === undefined || v === null ? '—' : JSON.stringify(v);
  return s.length > 240 ? `${s.slice(0, 237)}…` : s;
}
