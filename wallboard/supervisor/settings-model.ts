// The settings forms without the DOM: what changes between the settings in force
// and a form's values (the preview), the JSON merge patch that carries the change
// (PATCH /api/settings merges objects, merges `queues` by id, replaces arrays; a
// key removed is sent as null), and which field a refusal names
// ("/serviceLevel/target: must be <= 1" → "/serviceLevel/target").

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Change { path: string; before: Json | undefined; after: Json | undefined }

/** Leaf paths ("/serviceLevel/target", "/queues/suporte/target", "/pauseReasons") with their values. */
export function flatten(value: Json | undefined, path = '', out = new Map<string, Json>()): Map<string, Json> {
  if (value === undefined) return out;
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}/${k}`, out);
  } else if (Array.isArray(value) && value.every((x) => isObject(x) && typeof x.id === 'string')) {
    // Lists of things with ids (queues, alert rules) read best by id.
    for (const x of value as Record<string, Json>[]) flatten(x, `${path}/${String(x.id)}`, out);
  } else {
    out.set(path || '/', value);
  }
  return out;
}

/** Every leaf that differs, in the order of the form (after's keys first, then removed ones). */
export function diff(before: Record<string, Json>, after: Record<string, Json>): Change[] {
  const b = new Map<string, Json>(), a = new Map<string, Json>();
  for (const k of Object.keys(after)) { flatten(before[k], `/${k}`, b); flatten(after[k], `/${k}`, a); }
  const changes: Change[] = [];
  for (const [path, v] of a) if (!b.has(path) || JSON.stringify(b.get(path)) !== JSON.stringify(v)) changes.push({ path, before: b.get(path), after: v });
  for (const [path, v] of b) if (!a.has(path)) changes.push({ path, before: v, after: undefined });
  return changes;
}

/** RFC 7386 merge patch turning `before` into `after` (objects recursively, null removes, arrays replace). */
export function mergePatch(before: Json | undefined, after: Json): Json | undefined {
  if (!isObject(after) || !isObject(before)) return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(after)) {
    const p = mergePatch(before[k], v);
    if (p !== undefined) out[k] = p;
  }
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = null;
  return Object.keys(out).length ? out : undefined;
}

/** The body of PATCH /api/settings for these keys' new values; null when nothing changes. */
export function settingsPatch(current: Record<string, Json>, next: Record<string, Json>): Record<string, Json> | null {
  const patch: Record<string, Json> = {};
  for (const [key, after] of Object.entries(next)) {
    const before = current[key];
    if (key === 'queues' && Array.isArray(after) && Array.isArray(before)) {
      // Merged by id on the server: send only the queues that change, each as its own patch.
      const changed: Json[] = [];
      for (const q of after) {
        if (!isObject(q)) continue;
        const old = before.find((x) => isObject(x) && x.id === q.id);
        const p = mergePatch(old, q);
        if (p !== undefined) changed.push({ ...(isObject(p) ? p : {}), id: q.id });
      }
      if (changed.length) patch.queues = changed;
      continue;
    }
    if (Array.isArray(after) || !isObject(after)) {
      if (JSON.stringify(before) !== JSON.stringify(after)) patch[key] = after;
      continue;
    }
    const p = mergePatch(before, after);
    if (p !== undefined) patch[key] = p;
  }
  return Object.keys(patch).length ? patch : null;
}

/** The field path a settings refusal starts with ("/serviceLevel/target: …"), or null. */
export function refusedField(message: string): string | null {
  const m = /^(\/[^\s:]*):/.exec(message);
  return m ? m[1] : null;
}

/** Of the form's field paths, the one a refused path is about: itself, else its nearest parent. */
export function fieldFor(refused: string, fields: readonly string[]): string | null {
  let best: string | null = null;
  for (const f of fields) {
    if (refused === f || refused.startsWith(`${f}/`)) {
      if (best === null || f.length > best.length) best = f;
    }
  }
  return best;
}

/** The value shown for a leaf in the preview. */
export function shown(v: Json | undefined, none: string): string {
  if (v === undefined || v === null) return none;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
