// A simulation scenario: one day of traffic for a center, in a small JSON file.
// Checked in two passes like the settings file: sim/model/scenario.schema.json
// through ajv (shapes, ranges, defaults), then the rules that need the settings
// (languages, menu paths, skills, VIP list). Every refusal is a ScenarioError
// naming the file and the field (JSON pointer).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { fromAjv, show } from '../../server/config/ajv-errors.ts';
import { loadSettings, parseSettings, SettingsError } from '../../server/config/load.ts';
import type { CallbacksSetting, MenuNode, MenuOption, SacSettings, Settings, SpecialDate, WeeklyHours } from '../../server/config/types.ts';

/** Repository root: settings paths in scenarios are relative to it. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIO_SCHEMA_PATH = fileURLToPath(new URL('./scenario.schema.json', import.meta.url));
/** Folder of the shipped scenarios. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

export type Duration =
  | { distribution: 'exponential'; meanSeconds: number }
  | { distribution: 'lognormal'; medianSeconds: number; sigma: number }
  | { distribution: 'fixed'; seconds: number };

interface Surge { fromHour: number; hours: number; callsPerHour: number; ivrPath: string[]; language?: string }
interface Shift { start: string; end: string }
interface AgentGroup { name?: string; count: number; skills: string[]; level: number; shifts?: Shift[] }

/** The SAC settings a day runs under, laid over the settings file (see `withSacSettings`). */
export interface ScenarioSac {
  /** Per queue, its weekly hours (null: 24/7), replacing the queue's own. */
  hours?: Record<string, WeeklyHours | null>;
  /** Added after the settings' sac.dates. */
  dates?: SpecialDate[];
  holidays?: SacSettings['holidays'];
  onClose?: SacSettings['onClose'];
  legalWaitSeconds?: number;
  callbacks?: Partial<CallbacksSetting>;
}

/**
 * A supervisor closes a queue at `at` (local "HH:MM"); with `reopen` they open it again by hand
 * then; with `until` the closure is given its end and the queue reopens by itself (its next
 * opening is known: on the wallboard, and for callback requests).
 */
export interface ScenarioClosure {
  queue: string; at: string; reopen?: string; until?: string; reason: string; emergency: boolean; waiting?: 'serve' | 'offer-callback';
}

/** How callers take callbacks; when the offer is made follows the settings. */
export interface ScenarioCallbacks { requestShare: number; atClosedShare: number; missShare: number; answerSeconds: number }

/** Answered calls that drop on the company's side, and when in the talk. */
export interface ScenarioDrops { share: number; afterTalkShare: number }

/** A scenario after validation: defaults are filled in (see the schema for each field). */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  settings: string;
  date: string;
  start: string;
  hours: number;
  arrivalsPerHour: number[];
  surges: Surge[];
  languages?: Record<string, number>;
  ivrPaths: { path: string[]; share: number }[];
  ivrSeconds: number;
  vipShare: number;
  repeatCallerShare: number;
  patience: Duration | null;
  talk: Duration;
  hold?: { share: number; meanSeconds: number };
  wrapUpSeconds?: number;
  agentGroups?: AgentGroup[];
  ring: { minSeconds: number; maxSeconds: number; noAnswerProbability: number; awayAfterNoAnswerSeconds: number };
  survey?: { responseRate: number; nps?: number[]; csat?: number[]; delaySeconds: number };
  firstContactResolution?: number;
  drainMinutes: number;
  sac?: ScenarioSac;
  closures: ScenarioClosure[];
  callbacks?: ScenarioCallbacks;
  drops?: ScenarioDrops;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** @param field JSON pointer of the offending value ("" = the whole file). */
  constructor(readonly field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validator | null = null;

function validator(): Validator {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ useDefaults: true, allErrors: true, verbose: true, allowUnionTypes: true, strict: false });
  compiled = ajv.compile(schema) as Validator;
  return compiled;
}

/**
 * The most telling of ajv's errors: one outside any oneOf/anyOf branch if there is
 * one (a bad enum beats "branch 2 wanted another field"), else the first branch leaf.
 */
function pickError(errors: ErrorObject[]): ErrorObject {
  const leaves = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'const'].includes(e.keyword));
  const pool = leaves.length ? leaves : errors;
  const direct = pool.filter((e) => !/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath));
  return (direct.length ? direct : pool)[0];
}

/**
 * Checks parsed JSON against the schema and returns a complete Scenario (defaults
 * filled, `arrivalsPerHour` always an array). `data` is not modified.
 */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const label = source === 'scenario' ? 'scenario' : `scenario file ${source}`;
  const fail = (field: string, rule: string): never => { throw new ScenarioError(field, `${label}: ${rule}`); };
  const copy: unknown = data === undefined ? undefined : structuredClone(data);
  const validate = validator();
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    if (errors.length === 0) fail('', 'does not match sim/model/scenario.schema.json');
    const { field, rule } = fromAjv(pickError(errors));
    fail(field, rule);
  }
  const s = copy as Omit<Scenario, 'arrivalsPerHour' | 'hours'> & { arrivalsPerHour: number | number[]; hours?: number; $schema?: string };
  delete s.$schema;
  let perHour: number[];
  if (Array.isArray(s.arrivalsPerHour)) {
    if (s.hours !== undefined && s.hours !== s.arrivalsPerHour.length) {
      fail('/hours', `/hours is ${s.hours} but /arrivalsPerHour has ${s.arrivalsPerHour.length} entries (one per hour)`);
    }
    perHour = s.arrivalsPerHour;
  } else {
    if (s.hours === undefined) fail('/hours', '/hours is required when /arrivalsPerHour is a single number');
    perHour = new Array(s.hours).fill(s.arrivalsPerHour);
  }
  const scenario: Scenario = { ...s, hours: perHour.length, arrivalsPerHour: perHour };
  if (!validDate(scenario.date)) fail('/date', `/date must be a real calendar date "YYYY-MM-DD", got ${show(scenario.date)}`);
  if (scenario.hours * 60 + scenario.drainMinutes >= 24 * 60) {
    fail('/hours', '/hours plus /drainMinutes must stay under 24 h (the day-long metrics window starts at /start)');
  }
  if (scenario.ring.maxSeconds < scenario.ring.minSeconds) {
    fail('/ring/maxSeconds', `/ring/maxSeconds must be >= /ring/minSeconds (${scenario.ring.minSeconds}), got ${scenario.ring.maxSeconds}`);
  }
  shareSum(scenario.ivrPaths.map((p) => p.share), '/ivrPaths', fail);
  if (scenario.languages) shareSum(Object.values(scenario.languages), '/languages', fail);
  scenario.surges.forEach((sg, i) => {
    if (sg.fromHour + sg.hours > scenario.hours) {
      fail(`/surges/${i}/hours`, `/surges/${i} runs past the last simulated hour (${scenario.hours})`);
    }
  });
  scenario.agentGroups?.forEach((g, i) => g.shifts?.forEach((sh, k) => {
    if (minutesOf(sh.end) <= minutesOf(sh.start)) {
      fail(`/agentGroups/${i}/shifts/${k}/end`, `/agentGroups/${i}/shifts/${k}/end must be after its start (${sh.start}), got ${show(sh.end)}`);
    }
  }));
  scenario.closures.forEach((c, i) => {
    if (c.reopen !== undefined && c.until !== undefined) {
      fail(`/closures/${i}/until`, `/closures/${i}: give either reopen (the supervisor opens it by hand) or until (it reopens by itself), not both`);
    }
    for (const key of ['reopen', 'until'] as const) {
      const end = c[key];
      if (end !== undefined && minutesOf(end) <= minutesOf(c.at)) {
        fail(`/closures/${i}/${key}`, `/closures/${i}/${key} must be after its closure at ${c.at}, got ${show(end)}`);
      }
    }
    const runEnd = minutesOf(scenario.start) + scenario.hours * 60 + scenario.drainMinutes;
    if (minutesOf(c.at) < minutesOf(scenario.start) || minutesOf(c.at) >= runEnd) {
      fail(`/closures/${i}/at`, `/closures/${i}/at must fall within the run (${scenario.start} + ${scenario.hours} h + ${scenario.drainMinutes} min), got ${show(c.at)}`);
    }
  });
  if (scenario.survey) {
    if (scenario.survey.nps && !scenario.survey.nps.some((w) => w > 0)) fail('/survey/nps', '/survey/nps needs at least one positive weight');
    if (scenario.survey.csat && !scenario.survey.csat.some((w) => w > 0)) fail('/survey/csat', '/survey/csat needs at least one positive weight');
  }
  return scenario;
}

function shareSum(shares: number[], field: string, fail: (f: string, r: string) => never): void {
  const sum = shares.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) fail(field, `${field}: shares must add up to 1, got ${Number(sum.toFixed(6))}`);
}

function validDate(d: string): boolean {
  const [y, m, day] = d.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
}

/** "HH:MM" → minutes after midnight (24:00 = 1440). */
function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Where a path of digits leads in the menu tree: the queue and the attributes of the options on the way, or why not. */
export function resolveIvrPath(settings: Settings, path: string[]):
  { queue: string; attributes: Record<string, string | number | boolean> } | { error: string } {
  let menu: MenuNode | undefined = settings.ivr.menu;
  let attributes: Record<string, string | number | boolean> = {};
  for (let i = 0; i < path.length; i++) {
    if (!menu) return { error: `${show(path)} goes past a queue option (no menu after ${show(path.slice(0, i))})` };
    const option: MenuOption | undefined = menu.options.find((o) => o.digit === path[i]);
    if (!option) return { error: `${show(path)} leads nowhere (menu "${menu.id}" has no digit "${path[i]}")` };
    if (option.attributes) attributes = { ...attributes, ...option.attributes };
    if (option.queue !== undefined) {
      if (i !== path.length - 1) return { error: `${show(path)} goes past a queue option (option ${show(path.slice(0, i + 1))} is queue "${option.queue}")` };
      return { queue: option.queue, attributes };
    }
    menu = option.menu;
  }
  return { queue: menu?.defaultQueue ?? settings.ivr.defaultQueue, attributes };
}

/** The rules that need the center's settings. Throws a ScenarioError naming the field. */
export function checkScenario(scenario: Scenario, settings: Settings, source = 'scenario'): void {
  const label = source === 'scenario' ? 'scenario' : `scenario file ${source}`;
  const fail = (field: string, rule: string): never => { throw new ScenarioError(field, `${label}: ${rule}`); };
  const codes = settings.ivr.languages.map((l) => l.code);
  for (const code of Object.keys(scenario.languages ?? {})) {
    if (!codes.includes(code)) fail(`/languages/${code}`, `/languages: "${code}" is not a language of the settings (${codes.join(', ')})`);
  }
  scenario.ivrPaths.forEach((p, i) => {
    const r = resolveIvrPath(settings, p.path);
    if ('error' in r) fail(`/ivrPaths/${i}/path`, `/ivrPaths/${i}/path: ${r.error}`);
  });
  scenario.surges.forEach((sg, i) => {
    const r = resolveIvrPath(settings, sg.ivrPath);
    if ('error' in r) fail(`/surges/${i}/ivrPath`, `/surges/${i}/ivrPath: ${r.error}`);
    if (sg.language !== undefined && !codes.includes(sg.language)) {
      fail(`/surges/${i}/language`, `/surges/${i}/language: "${sg.language}" is not a language of the settings (${codes.join(', ')})`);
    }
  });
  if (scenario.vipShare > 0 && settings.priority.vipNumbers.length === 0) {
    fail('/vipShare', '/vipShare is above 0 but the settings have no priority.vipNumbers');
  }
  const queues = new Set(settings.queues.map((q) => q.id));
  scenario.agentGroups?.forEach((g, i) => {
    g.skills.forEach((q, k) => {
      if (!queues.has(q)) fail(`/agentGroups/${i}/skills/${k}`, `/agentGroups/${i}/skills/${k}: no queue "${q}" (queues are ${[...queues].join(', ')})`);
    });
    if (g.level > settings.maxLevel) fail(`/agentGroups/${i}/level`, `/agentGroups/${i}/level must be <= maxLevel (${settings.maxLevel}), got ${g.level}`);
  });
  scenario.closures.forEach((c, i) => {
    if (!queues.has(c.queue)) fail(`/closures/${i}/queue`, `/closures/${i}/queue: no queue "${c.queue}" (queues are ${[...queues].join(', ')})`);
  });
  for (const q of Object.keys(scenario.sac?.hours ?? {})) {
    if (!queues.has(q)) fail(`/sac/hours/${q}`, `/sac/hours: no queue "${q}" (queues are ${[...queues].join(', ')})`);
  }
  const names = new Set<string>();
  scenario.agentGroups?.forEach((g, i) => {
    const n = g.name ?? `g${i}`;
    if (names.has(n)) fail(`/agentGroups/${i}/name`, `/agentGroups/${i}/name: group "${n}" is listed twice`);
    names.add(n);
  });
}

/** Reads and checks a scenario file (schema only; see loadScenarioAndSettings for the full check). */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(err as Error).message})`;
    throw new ScenarioError('', `scenario file ${path}: ${reason}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new ScenarioError('', `scenario file ${path}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseScenario(data, path);
}

/** Absolute path of the scenario's settings file. */
function settingsPathOf(scenario: Scenario): string {
  return isAbsolute(scenario.settings) ? scenario.settings : resolve(REPO_ROOT, scenario.settings);
}

/**
 * The settings with the scenario's `sac` block laid over them (hours per queue, dates added,
 * holidays, onClose, legal wait limit, callback settings), checked again like a settings file:
 * a refusal is a ScenarioError at /sac naming the settings field. Without `sac`: the settings.
 */
export function withSacSettings(scenario: Scenario, settings: Settings, source = 'scenario'): Settings {
  const sac = scenario.sac;
  if (!sac) return settings;
  const label = source === 'scenario' ? 'scenario' : `scenario file ${source}`;
  const queues = new Set(settings.queues.map((q) => q.id));
  for (const q of Object.keys(sac.hours ?? {})) {
    if (!queues.has(q)) throw new ScenarioError(`/sac/hours/${q}`, `${label}: /sac/hours: no queue "${q}" (queues are ${[...queues].join(', ')})`);
  }
  const merged: Settings = structuredClone(settings);
  for (const q of merged.queues) {
    const h = sac.hours?.[q.id];
    if (h === null) delete q.hours;
    else if (h !== undefined) q.hours = structuredClone(h);
  }
  const base = merged.sac ?? {} as Partial<SacSettings>;
  merged.sac = {
    ...base,
    ...(sac.holidays !== undefined ? { holidays: sac.holidays } : {}),
    ...(sac.onClose !== undefined ? { onClose: sac.onClose } : {}),
    ...(sac.legalWaitSeconds !== undefined ? { legalWaitSeconds: sac.legalWaitSeconds } : {}),
    dates: [...(base.dates ?? []), ...structuredClone(sac.dates ?? [])],
  } as SacSettings;
  if (sac.callbacks) merged.callbacks = { ...merged.callbacks, ...sac.callbacks } as CallbacksSetting;
  try {
    return parseSettings(merged, `${scenario.settings} with the scenario's /sac`);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    throw new ScenarioError('/sac', `${label}: /sac makes the settings invalid: ${err.message}`, { cause: err });
  }
}

/** Scenario plus its settings (with the scenario's `sac` laid over them), both fully checked. `seed` overrides the file's seed. */
export function loadScenarioAndSettings(path: string, overrides: { seed?: number } = {}): { scenario: Scenario; settings: Settings } {
  const scenario = loadScenario(path);
  if (overrides.seed !== undefined) scenario.seed = overrides.seed >>> 0;
  const settings = withSacSettings(scenario, loadSettings(settingsPathOf(scenario)), path);
  checkScenario(scenario, settings, path);
  return { scenario, settings };
}
