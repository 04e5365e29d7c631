// The audit log: every supervisor change, who made it, when, before and after.
import type { Database } from './db.ts';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export class AuditLog {
  private readonly insert;
  private readonly list;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO audit (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)');
    this.list = db.prepare('SELECT id, at, actor, action, target, before, after FROM audit ORDER BY id DESC LIMIT ?');
  }

  record(e: Omit<AuditEntry, 'id'>): void {
    this.insert.run(e.at, e.actor, e.action, e.target, JSON.stringify(e.before ?? null), JSON.stringify(e.after ?? null));
  }

  recent(limit = 100): AuditEntry[] {
    return (this.list.all(limit) as { id: number; at: number; actor: string; action: string; target: string | null; before: string; after: string }[])
      .map((r) => ({ ...r, before: JSON.parse(r.before), after: JSON.parse(r.after) }));
  }
}
