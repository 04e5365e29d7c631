// Is what the board shows live? The server sends a snapshot at least every
// ~2 s (a heartbeat when nothing changes), so silence for more than 5 s means
// the numbers on screen can no longer be trusted, connected or not.

export const STALE_AFTER_MS = 5_000;

export type Connection = 'connecting' | 'open' | 'closed' | 'denied';

export type Freshness =
  /** Nothing received yet. */
  | { kind: 'waiting'; connected: boolean }
  | { kind: 'denied' }
  /** Figures on screen, `ageSeconds` since the last message. */
  | { kind: 'data'; ageSeconds: number; stale: boolean; connected: boolean };

/**
 * `lastMessageAt`: client time of the last message from the server (null
 * before the first). Stale strictly after `staleAfterMs`. A socket that just
 * dropped with a message 1 s ago is disconnected but not yet stale: the
 * figures are still good while the reconnect happens.
 */
export function freshness(
  now: number,
  lastMessageAt: number | null,
  connection: Connection,
  staleAfterMs: number = STALE_AFTER_MS,
): Freshness {
  if (connection === 'denied') return { kind: 'denied' };
  const connected = connection === 'open';
  if (lastMessageAt == null) return { kind: 'waiting', connected };
  const ms = Math.max(0, now - lastMessageAt);
  return { kind: 'data', ageSeconds: Math.floor(ms / 1000), stale: ms > staleAfterMs, connected };
}

/** Figures can drive alarms and be shown undimmed. */
export const isTrusted = (f: Freshness): boolean => f.kind === 'data' && !f.stale;

/**
 * Seconds to add to a snapshot's waits and times-in-state so they tick between
 * updates: client time since the snapshot arrived, frozen once the feed goes
 * stale, so a dead feed doesn't keep inventing longer waits.
 */
export function tickSeconds(now: number, receivedAt: number, staleAfterMs: number = STALE_AFTER_MS): number {
  const ms = Math.min(Math.max(0, now - receivedAt), staleAfterMs);
  return ms / 1000;
}
