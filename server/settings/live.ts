// Live settings: a supervisor's change is validated as a whole settings file would
// be, recorded in the event log as `config.changed` (so a restart replays it onto
// the settings file), applied to the core, shown on the wallboard, and audited.
import type { Settings } from '../config/types.ts';
import { parseSettings, toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { ConfigChanged, LiveRoutingSettings } from '../../routing/types.ts';

/** What a supervisor may change live; the rest needs the settings file and a restart. */
export const LIVE_KEYS = [
  'centerName', 'serviceLevel', 'queues', 'priority', 'colours', 'offerTimeoutSeconds', 'wrapUpSeconds',
  'levelWideningSeconds', 'maxConsecutiveMisses', 'missDelaySeconds', 'pauseReasons', 'alerts',
] as const;

export type SettingsPatch = Partial<Pick<Settings, (typeof LIVE_KEYS)[number]>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON merge patch (RFC 7386), except `queues`, merged by id so one queue can change alone. */
export function applyPatch(base: Settings, patch: SettingsPatch): Settings {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isObject(b)) return b;
    const out: Record<string, unknown> = isObject(a) ? { ...a } : {};
    for (const [k, v] of Object.entries(b)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  const next = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'queues' && Array.isArray(v)) {
      const queues = (next.queues as Record<string, unknown>[]).map((q) => ({ ...q }));
      for (const change of v as unknown as Record<string, unknown>[]) {
        const i = queues.findIndex((q) => q.id === change.id);
        if (i >= 0) queues[i] = merge(queues[i], change) as Record<string, unknown>;
        else queues.push(change);
      }
      next.queues = queues;
    } else {
      next[k] = merge(next[k], v);
    }
  }
  return next as unknown as Settings;
}

/** Validates the patched settings as a whole (throws SettingsError naming the field). */
export function patched(base: Settings, patch: SettingsPatch): Settings {
  const unknown = Object.keys(patch).filter((k) => !(LIVE_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    throw Object.assign(new Error(`/${unknown[0]} cannot be changed live (only ${LIVE_KEYS.join(', ')}); agents: PATCH /api/agents/:id`), { field: `/${unknown[0]}` });
  }
  const { $schema: _ignored, ...rest } = applyPatch(base, patch) as Settings & { $schema?: string };
  return parseSettings(rest, 'live change');
}

/** The event that carries a change into the core and into the log. */
export function configChangedEvent(id: string, at: number, next: Settings, patch: SettingsPatch): ConfigChanged {
  const r = toRoutingConfig(next);
  const routing: LiveRoutingSettings = {
    tierRules: r.tierRules, vipNumbers: r.vipNumbers, vipValues: r.vipValues, agingSeconds: r.agingSeconds,
    offerTimeoutSeconds: r.offerTimeoutSeconds, wrapUpSeconds: r.wrapUpSeconds, levelWideningSeconds: r.levelWideningSeconds,
    maxConsecutiveMisses: r.maxConsecutiveMisses, missDelaySeconds: r.missDelaySeconds, queues: r.queues,
  };
  return { type: 'config.changed', id, at, routing, metrics: toMetricsSettings(next), settings: { patch } };
}

/** The settings in force after a replay: the file, then every logged patch in order (those that still fit it). */
export function replaySettings(file: Settings, patches: SettingsPatch[], warn: (msg: string) => void): Settings {
  let s = file;
  for (const p of patches) {
    try {
      s = patched(s, p);
    } catch (err) {
      warn(`a logged settings change no longer fits the settings file and is skipped: ${(err as Error).message}`);
    }
  }
  return s;
}

/** Holds the settings in force; readers always see the latest. */
export class LiveSettings {
  constructor(public current: Settings) {}
}
