// The audit log, filtered (GET /api/audit?who=&since=&until=&field=&action=): who
// made the change (part of the actor, e.g. "supervisor" or the "sha256:1a2b" tag),
// when (since inclusive, until exclusive), and which setting or agent it touched.
import type { Database } from '../storage/db.ts';

export interface AuditFilter {
  limit: number;
  /** Part of the actor, any case. */
  who?: string;
  since?: number;
  until?: number;
  /**
   * A settings key or path ("serviceLevel", "serviceLevel.target", "/serviceLevel/target"),
   * an agent id, or an alert rule id: entries whose target names it.
   */
  field?: string;
  /** The action, or its family: "settings.changed", "alert" (every alert.*). */
  action?: string;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

/** The first key of a field path: "/serviceLevel/target" and "serviceLevel.target" → "serviceLevel". */
export const topKeyOf = (field: string): string => field.replace(/^\//, '').split(/[/.]/)[0] ?? '';

const likeEscaped = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function searchAudit(db: Database, f: AuditFilter): AuditRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: f.limit };
  if (f.who) { where.push(`actor LIKE @who ESCAPE '\\'`); params.who = `%${likeEscaped(f.who)}%`; }
  if (f.since !== undefined) { where.push('at >= @since'); params.since = f.since; }
  if (f.until !== undefined) { where.push('at < @until'); params.until = f.until; }
  if (f.action) {
    where.push(`(action = @action OR action LIKE @family ESCAPE '\\')`);
    params.action = f.action;
    params.family = `${likeEscaped(f.action)}.%`;
  }
  if (f.field) {
    // Settings changes name their keys comma-separated; agents and alerts their id.
    const key = topKeyOf(f.field);
    where.push(`(',' || target || ',' LIKE @key ESCAPE '\\' OR target = @exact OR target LIKE @alert ESCAPE '\\')`);
    params.key = `%,${likeEscaped(key)},%`;
    params.exact = f.field;
    params.alert = `${likeEscaped(f.field)}:%`;
  }
  // A deeper path ("serviceLevel.target") keeps only the settings changes that set it:
  // the key narrows in SQL, the path in the patch (`after`) here, over a wider scan.
  const path = f.field ? pathOf(f.field) : [];
  if (path.length > 1) params.limit = Math.max(f.limit, DEEP_SCAN);
  const sql = `SELECT id, at, actor, action, target, before, after FROM audit
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
  const rows = (db.prepare(sql).all(params) as { id: number; at: number; actor: string; action: string; target: string | null; before: string; after: string }[])
    .map((r) => ({ ...r, before: JSON.parse(r.before) as unknown, after: JSON.parse(r.after) as unknown }));
  if (path.length <= 1) return rows;
  return rows.filter((r) => r.action !== 'settings.changed' || r.target === f.field || holds(r.after, path)).slice(0, f.limit);
}

/** Entries looked through for a deeper field path. */
const DEEP_SCAN = 5000;

const pathOf = (field: string): string[] => field.replace(/^\//, '').split(/[/.]/).filter(Boolean);

/** The patch sets this path (queues are patched by id: a path through "queues" may name the id or the index). */
function holds(patch: unknown, path: string[]): boolean {
  let at: unknown = patch;
  for (const key of path) {
    if (Array.isArray(at)) {
      const byId = at.find((x) => (x as { id?: unknown })?.id === key);
      at = byId ?? at[Number(key)];
    } else if (at && typeof at === 'object') {
      at = (at as Record<string, unknown>)[key];
    } else {
      return false;
    }
    if (at === undefined) return false;
  }
  return true;
}
