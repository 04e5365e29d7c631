// Reads and checks the settings file (ATENDE_CONFIG). Two passes: config/schema.json
// (shapes, ranges, enums, defaults) through ajv, then the rules a schema cannot say
// (references between queues, menus, agents and languages). Every refusal is a
// SettingsError naming the file, the field (JSON pointer) and the rule, so a typo in
// the file is found at start and not at the first call.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { defaultRoutingConfig } from '../../routing/defaults.ts';
import { validateSettings } from '../../routing/metrics/settings.ts';
import type { MetricsSettings } from '../../routing/metrics/types.ts';
import type { QueueConfig, RoutingConfig } from '../../routing/types.ts';
import { fromAjv, pointer, show } from './ajv-errors.ts';
import { checkSacSettings } from './sac-rules.ts';
import type {
  AgentSetting, CallbacksSetting, HistorySettings, Localised, MenuNode, MenuOption, RecordingSetting, RetentionSettings, SacSettings, Settings,
} from './types.ts';

/** Absolute path of the shipped example center (config/example.json). */
export const DEFAULT_SETTINGS_PATH = fileURLToPath(new URL('../../config/example.json', import.meta.url));

/** Absolute path of the JSON Schema the settings file is checked against. */
const SETTINGS_SCHEMA_PATH = fileURLToPath(new URL('../../config/schema.json', import.meta.url));

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  /**
   * @param field JSON pointer of the offending value, e.g. "/serviceLevel/target"; "" for the whole file.
   * @param message full message (source, field and rule).
   */
  constructor(readonly field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// ---- schema -----------------------------------------------------------------

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validator | null = null;

function validator(): Validator {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SETTINGS_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ useDefaults: true, allErrors: false, verbose: true, allowUnionTypes: true });
  compiled = ajv.compile(schema) as Validator;
  return compiled;
}

// ---- messages ---------------------------------------------------------------

function describeSource(source: string): string {
  return source === 'settings' ? 'settings' : `settings file ${source}`;
}

/** The error to report: ajv lists the failed branches of an anyOf before the anyOf itself; the anyOf says more. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const first = errors[0];
  const anyOf = errors.find((e) => e.keyword === 'anyOf' && first.instancePath.startsWith(e.instancePath));
  return anyOf ?? first;
}

// ---- cross-field checks -----------------------------------------------------

const PLACEHOLDERS = new Set(['position', 'minutes']);

function crossCheck(s: Settings, fail: (field: string, rule: string) => never): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.timezone });
  } catch {
    fail('/timezone', `/timezone must be an IANA time zone like "America/Sao_Paulo", got ${show(s.timezone)}`);
  }

  // Queues.
  const queueIds = new Set<string>();
  s.queues.forEach((q, i) => {
    if (queueIds.has(q.id)) fail(pointer('queues', i, 'id'), `${pointer('queues', i, 'id')}: queue "${q.id}" is listed twice`);
    queueIds.add(q.id);
  });
  const needQueue = (field: string, id: string) => {
    if (!queueIds.has(id)) fail(field, `${field}: no queue "${id}" (queues are ${[...queueIds].join(', ')})`);
  };
  s.queues.forEach((q, i) => {
    if (q.overflowQueue == null) return;
    const field = pointer('queues', i, 'overflowQueue');
    needQueue(field, q.overflowQueue);
    if (q.overflowQueue === q.id) fail(field, `${field}: queue "${q.id}" cannot overflow into itself`);
  });

  // Languages.
  const codes: string[] = [];
  const langDigits = new Set<string>();
  s.ivr.languages.forEach((l, i) => {
    if (codes.includes(l.code)) fail(pointer('ivr', 'languages', i, 'code'), `${pointer('ivr', 'languages', i, 'code')}: language "${l.code}" is listed twice`);
    codes.push(l.code);
    if (langDigits.has(l.digit)) fail(pointer('ivr', 'languages', i, 'digit'), `${pointer('ivr', 'languages', i, 'digit')}: digit "${l.digit}" is used by two languages`);
    langDigits.add(l.digit);
  });
  const texts = (field: string, t: Localised) => {
    for (const code of codes) {
      if (typeof t[code] !== 'string') fail(field + pointer(code), `${field + pointer(code)} is missing: every text needs every configured language (${codes.join(', ')})`);
    }
    for (const key of Object.keys(t)) {
      if (!codes.includes(key)) fail(field + pointer(key), `${field + pointer(key)}: "${key}" is not a configured language (${codes.join(', ')})`);
    }
  };

  // IVR.
  const ivr = s.ivr;
  texts('/ivr/greeting', ivr.greeting);
  texts('/ivr/invalidInput', ivr.invalidInput);
  texts('/ivr/waitAnnouncement', ivr.waitAnnouncement);
  texts('/ivr/overflowMessage', ivr.overflowMessage);
  texts('/ivr/errorMessage', ivr.errorMessage);
  for (const [code, text] of Object.entries(ivr.waitAnnouncement)) {
    for (const m of text.matchAll(/\{([^{}]*)\}/g)) {
      if (!PLACEHOLDERS.has(m[1])) {
        const field = pointer('ivr', 'waitAnnouncement', code);
        fail(field, `${field}: unknown placeholder "{${m[1]}}" (use {position} and {minutes})`);
      }
    }
  }
  needQueue('/ivr/defaultQueue', ivr.defaultQueue);
  const menuIds = new Set<string>();
  const walkMenu = (menu: MenuNode, at: string) => {
    if (menuIds.has(menu.id)) fail(at + '/id', `${at}/id: menu id "${menu.id}" is used twice`);
    menuIds.add(menu.id);
    texts(at + '/prompt', menu.prompt);
    if (menu.defaultQueue !== undefined) needQueue(at + '/defaultQueue', menu.defaultQueue);
    const digits = new Set<string>();
    menu.options.forEach((o, i) => {
      const oat = `${at}/options/${i}`;
      if (digits.has(o.digit)) fail(oat + '/digit', `${oat}/digit: digit "${o.digit}" is used twice in menu "${menu.id}"`);
      digits.add(o.digit);
      texts(oat + '/label', o.label);
      if ([o.queue, o.menu, o.back].filter((x) => x !== undefined).length !== 1) {
        fail(oat, `${oat}: an option needs exactly one of "queue" or "menu"${o.back !== undefined ? ' (or "back")' : ''}`);
      }
      if (o.back !== undefined && at === '/ivr/menu') fail(oat + '/back', `${oat}/back: the first menu has no menu before it`);
      if (o.queue !== undefined) needQueue(oat + '/queue', o.queue);
      if (o.menu) walkMenu(o.menu, oat + '/menu');
    });
  };
  walkMenu(ivr.menu, '/ivr/menu');

  // Priority.
  const pr = s.priority;
  if (pr.agingSeconds.length !== pr.tiers) {
    fail('/priority/agingSeconds', `/priority/agingSeconds must have one entry per tier (${pr.tiers}), got ${pr.agingSeconds.length}`);
  }
  const ruleIds = new Set<string>();
  pr.rules.forEach((r, i) => {
    const at = pointer('priority', 'rules', i);
    if (ruleIds.has(r.id)) fail(at + '/id', `${at}/id: rule "${r.id}" is listed twice`);
    ruleIds.add(r.id);
    if (r.tier > pr.tiers) fail(at + '/tier', `${at}/tier must be within 1..${pr.tiers} (priority.tiers), got ${r.tier}`);
    r.when.queues?.forEach((q, k) => needQueue(`${at}/when/queues/${k}`, q));
    if (r.when.ivrPath) checkIvrPath(ivr.menu, r.when.ivrPath, `${at}/when/ivrPath`, fail);
    const memory = pr.repeatMemoryHours ?? 24;
    if (r.when.repeat && r.when.repeat.withinHours > memory) {
      fail(`${at}/when/repeat/withinHours`, `${at}/when/repeat/withinHours must be <= priority.repeatMemoryHours (${memory}), got ${r.when.repeat.withinHours}`);
    }
  });

  // Agents.
  const agentIds = new Set<string>();
  const contacts = new Set<string>();
  s.agents.forEach((a, i) => {
    const at = pointer('agents', i);
    if (agentIds.has(a.id)) fail(at + '/id', `${at}/id: agent "${a.id}" is listed twice`);
    agentIds.add(a.id);
    if (a.contact !== undefined) {
      if (contacts.has(a.contact)) fail(at + '/contact', `${at}/contact: "${a.contact}" is already another agent's contact`);
      contacts.add(a.contact);
    }
    if (a.level > s.maxLevel) fail(at + '/level', `${at}/level must be <= maxLevel (${s.maxLevel}), got ${a.level}`);
    a.skills.forEach((q, k) => needQueue(`${at}/skills/${k}`, q));
  });

  for (const id of Object.keys(s.auth?.agents ?? {})) {
    if (!agentIds.has(id)) fail(`/auth/agents/${id}`, `/auth/agents/${id}: no agent with id "${id}"`);
  }

  // Survey.
  texts('/survey/intro', s.survey.intro);
  texts('/survey/npsQuestion', s.survey.npsQuestion);
  texts('/survey/csatQuestion', s.survey.csatQuestion);
  texts('/survey/thanks', s.survey.thanks);

  // Colours.
  for (const band of ['longestWaitSeconds', 'abandonRate', 'waiting'] as const) {
    const b = s.colours[band];
    if (b.amberAbove > b.redAbove) {
      fail(`/colours/${band}/amberAbove`, `/colours/${band}/amberAbove must be <= redAbove (${b.redAbove}), got ${b.amberAbove}`);
    }
  }

  checkAlerts(s, queueIds, fail);
  // Business hours, holidays, the protocol format and (in sac.strict) the SAC menu rules.
  checkSacSettings(s, queueIds, fail);

  // Whatever the metrics core itself refuses.
  try {
    validateSettings(toMetricsSettings(s));
  } catch (err) {
    const msg = err instanceof Error ? err.message.replace(/^metrics settings: /, '') : String(err);
    const field = metricsField(msg, s);
    fail(field, `${field || 'metrics settings'}: ${msg}`);
  }
}

/** Alert rules name configured queues and destinations; ids are unique. */
function checkAlerts(s: Settings, queueIds: Set<string>, fail: (field: string, rule: string) => never): void {
  const destinationIds = new Set<string>();
  s.alerts.destinations.forEach((d, i) => {
    const at = pointer('alerts', 'destinations', i, 'id');
    if (destinationIds.has(d.id)) fail(at, `${at}: destination "${d.id}" is listed twice`);
    destinationIds.add(d.id);
  });
  const ruleIds = new Set<string>();
  s.alerts.rules.forEach((r, i) => {
    const at = pointer('alerts', 'rules', i);
    if (ruleIds.has(r.id)) fail(at + '/id', `${at}/id: rule "${r.id}" is listed twice`);
    ruleIds.add(r.id);
    r.queues?.forEach((q, k) => {
      if (!queueIds.has(q)) fail(`${at}/queues/${k}`, `${at}/queues/${k}: no queue "${q}" (queues are ${[...queueIds].join(', ')})`);
    });
    r.destinations?.forEach((d, k) => {
      if (!destinationIds.has(d)) fail(`${at}/destinations/${k}`, `${at}/destinations/${k}: no destination "${d}" (alerts.destinations are ${[...destinationIds].join(', ') || 'none'})`);
    });
  });
}

/** A rule's ivrPath must lead somewhere in the menu (a prefix is fine: ["1"] = everything under option 1). */
function checkIvrPath(root: MenuNode, path: string[], field: string, fail: (field: string, rule: string) => never): void {
  let menu: MenuNode | undefined = root;
  for (let i = 0; i < path.length; i++) {
    if (!menu) fail(`${field}/${i}`, `${field}: ${show(path)} goes past a queue option (no menu after ${show(path.slice(0, i))})`);
    const option: MenuOption | undefined = menu.options.find((o) => o.digit === path[i]);
    if (!option) fail(`${field}/${i}`, `${field}: ${show(path)} leads nowhere (menu "${menu.id}" has no digit "${path[i]}")`);
    menu = option.menu;
  }
}

/** Maps a metrics-core message back to the settings field it is about. */
function metricsField(msg: string, s: Settings): string {
  const q = /^queues\[([^\]]+)\]\.(\w+)/.exec(msg);
  if (q) {
    const i = s.queues.findIndex((x) => x.id === q[1]);
    return i >= 0 ? pointer('queues', i, q[2]) : '/queues';
  }
  if (/^tiers/.test(msg)) return '/priority/tiers';
  if (/^intervalMinutes/.test(msg)) return '/intervalMinutes';
  if (/^todayResetsAt/.test(msg)) return '/serviceLevel/todayResetsAt';
  const key = msg.startsWith('unknown formula') ? 'formula' : /^(\w+)/.exec(msg)?.[1];
  return key !== undefined && key in s.serviceLevel ? `/serviceLevel/${key}` : '';
}

// ---- public API -------------------------------------------------------------

/**
 * Checks parsed JSON and returns complete Settings (defaults filled). `data` is not
 * modified. Throws SettingsError on the first problem; `source` (usually the file
 * path) is named in the message.
 */
export function parseSettings(data: unknown, source = 'settings'): Settings {
  const label = describeSource(source);
  const fail = (field: string, rule: string): never => {
    throw new SettingsError(field, `${label}: ${rule}`);
  };
  const copy: unknown = data === undefined ? undefined : structuredClone(data);
  const validate = validator();
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    if (errors.length === 0) fail('', 'does not match config/schema.json');
    const { field, rule } = fromAjv(pickError(errors));
    fail(field, rule);
  }
  const settings = copy as Settings & { $schema?: string };
  delete settings.$schema;
  crossCheck(settings, fail);
  return settings;
}

/** Reads, parses and checks a settings file. Every failure is a SettingsError naming the file. */
export function loadSettings(path: string): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(err as Error).message})`;
    throw new SettingsError('', `settings file ${path}: ${reason}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new SettingsError('', `settings file ${path}: not valid JSON: ${jsonErrorWithLine((err as Error).message, text)}`, { cause: err });
  }
  return parseSettings(data, path);
}

/** Adds "line L column C" of the first syntax error to JSON.parse's message (Node 20 does not always give a position). */
function jsonErrorWithLine(message: string, text: string): string {
  if (/line \d+ column \d+/.test(message)) return message;
  const pos = jsonErrorOffset(text);
  if (pos === null) return message;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

/** Offset of the first JSON syntax error in `text`, or null when it parses. Only used on the error path. */
function jsonErrorOffset(text: string): number | null {
  let i = 0;
  class At { constructor(readonly pos: number) {} }
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const expect = (c: string) => { if (text[i] !== c) throw new At(i); i++; };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= text.length) throw new At(i);
      const c = text[i];
      if (c === '"') { i++; return; }
      if (c < ' ') throw new At(i);
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new At(i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new At(i + 1);
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws(); string(); ws(); expect(':'); value(); ws();
        if (text[i] === ',') { i++; continue; }
        expect('}'); return;
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        expect(']'); return;
      }
    }
    if (c === '"') { string(); return; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '' && m[0] !== '-') { i += m[0].length; return; }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) { i += word.length; return; }
    }
    throw new At(i);
  };
  try {
    value(); ws();
    return i < text.length ? i : null;
  } catch (err) {
    if (err instanceof At) return err.pos;
    throw err;
  }
}

/**
 * The settings of an agent that only the settings file holds (the routing core and the
 * agents API do not know them): kept when the agents are rebuilt from the core.
 */
export function fileOnlyAgentSettings(s: Settings, agentId: string): Pick<AgentSetting, 'acceptKey'> {
  const acceptKey = s.agents.find((a) => a.id === agentId)?.acceptKey;
  return acceptKey === undefined ? {} : { acceptKey };
}

/** What the routing core takes. offerGraceSeconds keeps the core's default (10 s). */
export function toRoutingConfig(s: Settings): RoutingConfig {
  const queues: QueueConfig[] = s.queues.map((q) => {
    const c: QueueConfig = { id: q.id, name: q.name };
    if (q.department !== undefined) c.department = q.department;
    if (q.weight !== undefined) c.weight = q.weight;
    if (q.thresholdSeconds !== undefined) c.thresholdSeconds = q.thresholdSeconds;
    if (q.target !== undefined) c.target = q.target;
    if (q.maxWaiting !== undefined) c.maxWaiting = q.maxWaiting;
    if (q.maxEstimatedWaitSeconds !== undefined) c.maxEstimatedWaitSeconds = q.maxEstimatedWaitSeconds;
    if (q.overflowQueue !== undefined) c.overflowQueue = q.overflowQueue;
    return c;
  });
  const cb = callbacksOf(s);
  const config = defaultRoutingConfig({
    tiers: s.priority.tiers,
    agingSeconds: [...s.priority.agingSeconds],
    tierRules: structuredClone(s.priority.rules),
    vipNumbers: [...s.priority.vipNumbers],
    queues,
    // acceptKey is the Twilio edge's (how a call is taken), not the routing core's.
    agents: s.agents.map(({ acceptKey: _telephonyOnly, ...a }) => ({ ...a, skills: [...a.skills] })),
    strategy: s.strategy,
    offerTimeoutSeconds: s.offerTimeoutSeconds,
    wrapUpSeconds: s.wrapUpSeconds,
    levelWideningSeconds: s.levelWideningSeconds,
    maxLevel: s.maxLevel,
    maxConsecutiveMisses: s.maxConsecutiveMisses,
    missDelaySeconds: s.missDelaySeconds,
    callbacks: { retryDelaySeconds: cb.retryDelaySeconds, maxAttempts: cb.maxAttempts, customerFirst: cb.order === 'customer-first' },
  });
  if (s.priority.vipValues !== undefined) config.vipValues = [...s.priority.vipValues];
  if (s.priority.repeatMemoryHours !== undefined) config.repeatMemoryHours = s.priority.repeatMemoryHours;
  return config;
}

/** What the metrics core takes; each queue carries its own threshold/target when set. */
export function toMetricsSettings(s: Settings): MetricsSettings {
  return {
    thresholdSeconds: s.serviceLevel.thresholdSeconds,
    target: s.serviceLevel.target,
    formula: s.serviceLevel.formula,
    shortAbandonSeconds: s.serviceLevel.shortAbandonSeconds,
    windowMinutes: s.serviceLevel.windowMinutes,
    intervalMinutes: s.intervalMinutes,
    timezone: s.timezone,
    todayResetsAt: s.serviceLevel.todayResetsAt,
    queues: s.queues.map((q) => {
      const m: MetricsSettings['queues'][number] = { id: q.id };
      if (q.thresholdSeconds !== undefined) m.thresholdSeconds = q.thresholdSeconds;
      if (q.target !== undefined) m.target = q.target;
      if (q.legalWaitSeconds !== undefined) m.legalWaitSeconds = q.legalWaitSeconds;
      return m;
    }),
    tiers: s.priority.tiers,
    legalWaitSeconds: sacOf(s).legalWaitSeconds,
  };
}

/** The SAC settings with the schema's defaults, for settings built by hand. */
export function sacOf(s: Settings): SacSettings {
  return {
    strict: s.sac?.strict ?? false,
    protocolFormat: s.sac?.protocolFormat ?? '{yyyy}{MM}{dd}{seq:6}',
    onClose: s.sac?.onClose ?? 'serve',
    holidays: s.sac?.holidays === undefined ? { country: 'BR', types: ['public'] } : s.sac.holidays,
    dates: s.sac?.dates ?? [],
    legalWaitSeconds: s.sac?.legalWaitSeconds ?? 60,
    ...(s.sac?.closedMessage ? { closedMessage: s.sac.closedMessage } : {}),
  };
}

/** A queue's recording with the schema's defaults; null when the queue does not record (or is unknown). */
export function recordingOf(s: Settings, queueId: string | null | undefined): Required<RecordingSetting> | null {
  const r = s.queues.find((q) => q.id === queueId)?.recording;
  if (r === undefined || r === false) return null;
  if (r === true) return { enabled: true, pauseBehavior: 'skip' };
  return r.enabled ? { enabled: true, pauseBehavior: r.pauseBehavior ?? 'skip' } : null;
}

/** The callback settings with the schema's defaults. */
export function callbacksOf(s: Settings): CallbacksSetting {
  return {
    retryDelaySeconds: s.callbacks?.retryDelaySeconds ?? 120,
    maxAttempts: s.callbacks?.maxAttempts ?? 3,
    order: s.callbacks?.order ?? 'agent-first',
    offerAfterSeconds: s.callbacks?.offerAfterSeconds ?? 60,
    minEstimatedWaitSeconds: s.callbacks?.minEstimatedWaitSeconds ?? 120,
  };
}

/** Snapshot and retention settings, with the schema's defaults for settings built by hand. */
export function historyOf(s: Settings): HistorySettings & RetentionSettings {
  return {
    snapshotEveryEvents: s.history?.snapshotEveryEvents ?? 20_000,
    snapshotEveryMinutes: s.history?.snapshotEveryMinutes ?? 15,
    eventDays: s.retention?.eventDays ?? 30,
    callDays: s.retention?.callDays ?? 400,
  };
}
