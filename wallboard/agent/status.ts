// Connection pill and stale banner of the console. Pure. Freshness is the
// wallboard's (../src/stale.ts): stale strictly after 5 s without any frame
// (view or heartbeat; the server sends a heartbeat every 2 s).

import { age } from '../src/format.ts';
import { STALE_AFTER_MS, freshness, type Connection } from '../src/stale.ts';
import type { AgentDict, Lang } from './i18n.ts';

export interface ConsoleStatus {
  pill: { kind: 'live' | 'stale' | 'offline' | 'connecting'; text: string };
  /** Banner over the console, null while live. */
  banner: string | null;
  /** The figures on screen are old: dim them. */
  dim: boolean;
}

export function consoleStatus(now: number, lastFrameAt: number | null, connection: Exclude<Connection, 'denied'>, retryAt: number | null, t: AgentDict, lang: Lang): ConsoleStatus {
  const f = freshness(now, lastFrameAt, connection);
  const retry = retryAt != null && retryAt > now ? ` · ${t.reconnectingIn(Math.ceil((retryAt - now) / 1000))}` : '';
  if (f.kind !== 'data') {
    const connected = f.kind === 'waiting' && f.connected;
    return { pill: !connected && retry ? { kind: 'offline', text: t.disconnected + retry } : { kind: 'connecting', text: t.connecting }, banner: null, dim: true };
  }
  const a = age(f.ageSeconds, lang);
  const pill: ConsoleStatus['pill'] = f.connected
    ? f.stale ? { kind: 'stale', text: t.stalePill(a) } : { kind: 'live', text: t.live }
    : { kind: 'offline', text: t.disconnected + retry };
  return { pill, banner: f.stale ? (f.connected ? t.staleBanner(a) : t.offlineBanner(a)) : null, dim: f.stale };
}

/**
 * The server's clock now, as the page estimates it from the last frame (view
 * or heartbeat) and the client time elapsed since: frozen once the feed is
 * stale, so a dead feed does not keep inventing longer waits or run a
 * countdown to zero.
 */
export function serverNow(now: number, lastServerTime: number, lastFrameAt: number, staleAfterMs: number = STALE_AFTER_MS): number {
  return lastServerTime + Math.min(Math.max(0, now - lastFrameAt), staleAfterMs);
}
