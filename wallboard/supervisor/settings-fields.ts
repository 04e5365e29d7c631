// Which settings the "Configurações" screen edits and how each one reads and
// writes: the live keys of PATCH /api/settings, one form per section. A field's
// `path` is the settings' JSON pointer, the one a refusal names, so the server's
// message lands next to the field it is about. Pure: no DOM.

import type { AlertKind } from '../../server/contract.ts';
import type { Dict } from './i18n.ts';
import type { Json } from './settings-model.ts';

export type FieldKind = 'number' | 'percent' | 'optionalNumber' | 'optionalPercent' | 'nullableNumber' | 'text' | 'time'
  | 'select' | 'optionalSelect' | 'lines' | 'numberList' | 'json' | 'bool' | 'list';

export interface Field {
  path: string;
  label: string;
  kind: FieldKind;
  options?: [string, string][];
  /** Narrow inputs in a row of the alert tables. */
  wide?: boolean;
}

export interface Section {
  id: 'center' | 'serviceLevel' | 'queues' | 'colours' | 'timers' | 'pauseReasons' | 'priority' | 'alerts';
  title: string;
  /** The top-level settings keys the section changes. */
  keys: string[];
  fields: Field[];
  /** Field groups shown as rows of a table (queues, alert rules, destinations). */
  rows?: { title: string; key: string; fields: Field[] }[];
}

export const ALERT_KINDS: AlertKind[] = ['serviceLevelBelowTarget', 'longestWaitAbove', 'noAgentAvailable', 'abandonsPerHourAbove', 'queueClosedByEmergency'];
const SEVERITIES = ['info', 'warning', 'critical'];
const FORMATS = ['slack', 'teams', 'teams-messagecard', 'json'] as const;

type Settings = Record<string, Json>;
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const obj = (v: Json | undefined): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

export function sections(s: Settings, t: Dict): Section[] {
  const f = t.fields;
  const queues = arr(s.queues).map(obj);
  const queueOptions: [string, string][] = queues.map((q) => [String(q.id), String(q.name)]);
  const severity: [string, string][] = SEVERITIES.map((x) => [x, t.severity[x as 'info']]);
  return [
    { id: 'center', title: t.sections.center, keys: ['centerName'], fields: [{ path: '/centerName', label: f.centerName, kind: 'text', wide: true }] },
    {
      id: 'serviceLevel', title: t.sections.serviceLevel, keys: ['serviceLevel'], fields: [
        { path: '/serviceLevel/thresholdSeconds', label: f.thresholdSeconds, kind: 'number' },
        { path: '/serviceLevel/target', label: f.target, kind: 'percent' },
        { path: '/serviceLevel/formula', label: f.formula, kind: 'select', options: Object.entries(t.formulaOption) },
        { path: '/serviceLevel/shortAbandonSeconds', label: f.shortAbandonSeconds, kind: 'number' },
        { path: '/serviceLevel/windowMinutes', label: f.windowMinutes, kind: 'number' },
        { path: '/serviceLevel/todayResetsAt', label: f.todayResetsAt, kind: 'time' },
      ],
    },
    {
      id: 'queues', title: t.sections.queues, keys: ['queues'], fields: [],
      rows: queues.map((q, i) => ({
        title: String(q.id), key: String(q.id), fields: [
          { path: `/queues/${i}/name`, label: f.name, kind: 'text' },
          { path: `/queues/${i}/thresholdSeconds`, label: f.thresholdSeconds, kind: 'optionalNumber' },
          { path: `/queues/${i}/target`, label: f.target, kind: 'optionalPercent' },
          { path: `/queues/${i}/maxWaiting`, label: f.maxWaiting, kind: 'optionalNumber' },
          { path: `/queues/${i}/maxEstimatedWaitSeconds`, label: f.maxEstimatedWaitSeconds, kind: 'optionalNumber' },
          { path: `/queues/${i}/overflowQueue`, label: f.overflowQueue, kind: 'optionalSelect', options: queueOptions.filter(([id]) => id !== q.id) },
        ],
      })),
    },
    {
      id: 'colours', title: t.sections.colours, keys: ['colours'], fields: [
        { path: '/colours/serviceLevel/amberFrom', label: f.amberFrom, kind: 'percent' },
        { path: '/colours/longestWaitSeconds/amberAbove', label: f.longestWaitAmber, kind: 'number' },
        { path: '/colours/longestWaitSeconds/redAbove', label: f.longestWaitRed, kind: 'number' },
        { path: '/colours/abandonRate/amberAbove', label: f.abandonAmber, kind: 'percent' },
        { path: '/colours/abandonRate/redAbove', label: f.abandonRed, kind: 'percent' },
        { path: '/colours/waiting/amberAbove', label: f.waitingAmber, kind: 'number' },
        { path: '/colours/waiting/redAbove', label: f.waitingRed, kind: 'number' },
      ],
    },
    {
      id: 'timers', title: t.sections.timers,
      keys: ['offerTimeoutSeconds', 'wrapUpSeconds', 'levelWideningSeconds', 'maxConsecutiveMisses', 'missDelaySeconds'], fields: [
        { path: '/offerTimeoutSeconds', label: f.offerTimeoutSeconds, kind: 'number' },
        { path: '/wrapUpSeconds', label: f.wrapUpSeconds, kind: 'number' },
        { path: '/levelWideningSeconds', label: f.levelWideningSeconds, kind: 'nullableNumber' },
        { path: '/maxConsecutiveMisses', label: f.maxConsecutiveMisses, kind: 'number' },
        { path: '/missDelaySeconds', label: f.missDelaySeconds, kind: 'number' },
      ],
    },
    {
      id: 'pauseReasons', title: t.sections.pauseReasons, keys: ['pauseReasons'], fields: [
        { path: '/pauseReasons', label: f.pauseReasons, kind: 'lines' },
      ],
    },
    {
      id: 'priority', title: t.sections.priority, keys: ['priority'], fields: [
        { path: '/priority/agingSeconds', label: f.agingSeconds, kind: 'numberList' },
        { path: '/priority/vipNumbers', label: f.vipNumbers, kind: 'lines' },
        { path: '/priority/rules', label: f.rules, kind: 'json' },
      ],
    },
    {
      id: 'alerts', title: t.sections.alerts, keys: ['alerts'], fields: [],
      rows: [
        ...arr(obj(s.alerts).rules).map((_r, i) => ({ title: `${f.rulesTitle} ${i + 1}`, key: `rule-${i}`, fields: ruleFields(i, t, severity) })),
        ...arr(obj(s.alerts).destinations).map((_d, i) => ({ title: `${f.destinationsTitle} ${i + 1}`, key: `destination-${i}`, fields: destinationFields(i, t, severity) })),
      ],
    },
  ];
}

export function ruleFields(i: number, t: Dict, severity: [string, string][]): Field[] {
  const f = t.fields;
  const at = `/alerts/rules/${i}`;
  return [
    { path: `${at}/id`, label: f.id, kind: 'text' },
    { path: `${at}/kind`, label: f.kind, kind: 'select', options: ALERT_KINDS.map((k) => [k, t.ruleKind[k]]), wide: true },
    { path: `${at}/queues`, label: f.queues, kind: 'list' },
    { path: `${at}/forMinutes`, label: f.forMinutes, kind: 'optionalNumber' },
    { path: `${at}/waitSeconds`, label: f.waitSeconds, kind: 'optionalNumber' },
    { path: `${at}/abandonsPerHour`, label: f.abandonsPerHour, kind: 'optionalNumber' },
    { path: `${at}/severity`, label: f.severity, kind: 'select', options: severity },
    { path: `${at}/cooldownMinutes`, label: f.cooldownMinutes, kind: 'number' },
    { path: `${at}/quietHours/from`, label: f.quietFrom, kind: 'time' },
    { path: `${at}/quietHours/to`, label: f.quietTo, kind: 'time' },
    { path: `${at}/destinations`, label: f.destinations, kind: 'list' },
    { path: `${at}/enabled`, label: f.enabled, kind: 'bool' },
  ];
}

export function destinationFields(i: number, t: Dict, severity: [string, string][]): Field[] {
  const f = t.fields;
  const at = `/alerts/destinations/${i}`;
  return [
    { path: `${at}/id`, label: f.id, kind: 'text' },
    { path: `${at}/format`, label: f.format, kind: 'select', options: FORMATS.map((x) => [x, t.format[x]]) },
    { path: `${at}/url`, label: f.url, kind: 'text', wide: true },
    { path: `${at}/minSeverity`, label: f.minSeverity, kind: 'select', options: severity },
    { path: `${at}/enabled`, label: f.enabled, kind: 'bool' },
  ];
}

export const NEW_RULE: Json = { id: 'nova-regra', kind: 'longestWaitAbove', waitSeconds: 120, severity: 'warning', cooldownMinutes: 15, enabled: true };
export const NEW_DESTINATION: Json = { id: 'novo-destino', format: 'slack', url: 'https://hooks.slack.com/services/…', minSeverity: 'info', enabled: true };

// ---- reading and writing one value ----

const segments = (path: string): string[] => path.split('/').slice(1);

export function getAt(s: Settings, path: string): Json | undefined {
  let at: Json | undefined = s;
  for (const k of segments(path)) {
    if (Array.isArray(at)) at = at[Number(k)];
    else if (at && typeof at === 'object') at = (at as Record<string, Json>)[k];
    else return undefined;
  }
  return at;
}

/** Sets (or, with undefined, removes) the value at `path` inside `s`, creating objects on the way. */
export function setAt(s: Settings, path: string, value: Json | undefined): void {
  const keys = segments(path);
  let at: Json = s;
  for (const k of keys.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(at) ? at[Number(k)] : (at as Record<string, Json>)[k];
    if (next === undefined || next === null || typeof next !== 'object') {
      if (value === undefined) return;
      const made: Json = {};
      if (Array.isArray(at)) at[Number(k)] = made; else (at as Record<string, Json>)[k] = made;
      at = made;
    } else {
      at = next;
    }
  }
  const last = keys[keys.length - 1];
  if (Array.isArray(at)) { if (value !== undefined) at[Number(last)] = value; return; }
  const o = at as Record<string, Json>;
  if (value === undefined) delete o[last]; else o[last] = value;
}

const round = (n: number, d: number): number => Math.round(n * 10 ** d) / 10 ** d;

/** The text an input shows for a value. */
export function toInput(kind: FieldKind, v: Json | undefined): string {
  if (v === undefined || v === null) return '';
  switch (kind) {
    case 'percent': case 'optionalPercent': return typeof v === 'number' ? String(round(v * 100, 4)) : '';
    case 'lines': return Array.isArray(v) ? v.join('\n') : '';
    case 'list': return Array.isArray(v) ? v.join(', ') : '';
    case 'numberList': return Array.isArray(v) ? v.map((x) => (x === null ? '—' : String(x))).join(', ') : '';
    case 'json': return JSON.stringify(v, null, 2);
    case 'bool': return v === true ? 'true' : 'false';
    default: return String(v);
  }
}

export class FieldError extends Error {}

/** The value an input holds; undefined removes an optional one. Throws FieldError with a reason. */
export function fromInput(kind: FieldKind, raw: string, t: Dict): Json | undefined {
  const text = raw.trim();
  const num = (s: string): number => {
    const n = Number(s.replace(',', '.'));
    if (s === '' || !Number.isFinite(n)) throw new FieldError(t.notANumber);
    return n;
  };
  switch (kind) {
    case 'number': return num(text);
    case 'percent': return round(num(text) / 100, 6);
    case 'optionalNumber': return text === '' ? undefined : num(text);
    case 'optionalPercent': return text === '' ? undefined : round(num(text) / 100, 6);
    case 'nullableNumber': return text === '' ? null : num(text);
    case 'text': case 'time': case 'select': return text;
    case 'optionalSelect': return text === '' ? undefined : text;
    case 'lines': return text.split('\n').map((l) => l.trim()).filter(Boolean);
    case 'list': { const items = text.split(',').map((l) => l.trim()).filter(Boolean); return items.length ? items : undefined; }
    // "—" (or nothing) between commas: never.
    case 'numberList': return text === '' ? [] : text.split(',').map((x) => (['', '—', '-'].includes(x.trim()) ? null : num(x.trim())));
    case 'json':
      try { return JSON.parse(text) as Json; } catch (err) { throw new FieldError(t.jsonInvalid((err as Error).message)); }
    case 'bool': return raw === 'true';
  }
}
