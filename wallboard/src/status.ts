// Connection pill, stale banner and overlays from the feed's state. Pure.

import { age } from './format.ts';
import type { Dict, Lang } from './i18n.ts';
import type { Freshness } from './stale.ts';

export interface StatusView {
  pill: { kind: 'live' | 'stale' | 'offline' | 'connecting' | 'denied'; text: string };
  /** Big banner across the board, null when the figures are live. */
  banner: string | null;
  /** Dim the figures (they are old). */
  dim: boolean;
  /** Full-screen overlay: access denied, or nothing received yet. */
  overlay: { kind: 'denied' | 'waiting'; title: string; body: string } | null;
}

export function statusView(f: Freshness, retryAt: number | null, now: number, t: Dict, lang: Lang): StatusView {
  const retry = retryAt != null && retryAt > now ? ` · ${t.reconnectingIn(Math.ceil((retryAt - now) / 1000))}` : '';
  switch (f.kind) {
    case 'denied':
      return {
        pill: { kind: 'denied', text: t.deniedTitle },
        banner: null,
        dim: true,
        overlay: { kind: 'denied', title: t.deniedTitle, body: t.deniedBody },
      };
    case 'waiting':
      return {
        pill: f.connected ? { kind: 'connecting', text: t.connecting } : { kind: retry ? 'offline' : 'connecting', text: retry ? t.disconnected + retry : t.connecting },
        banner: null,
        dim: true,
        overlay: { kind: 'waiting', title: t.appName, body: t.noDataYet },
      };
    case 'data': {
      const a = age(f.ageSeconds, lang);
      const pill: StatusView['pill'] = f.connected
        ? f.stale
          ? { kind: 'stale', text: t.stalePill(a) }
          : { kind: 'live', text: t.live }
        : { kind: 'offline', text: t.disconnected + retry };
      const banner = f.stale ? (f.connected ? t.staleBanner(a) : t.offlineBanner(a)) : null;
      return { pill, banner, dim: f.stale, overlay: null };
    }
  }
}
