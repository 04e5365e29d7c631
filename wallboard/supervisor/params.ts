// URL parameters of the supervisor's screen and where its token is kept.
//   token=XYZ   supervisor token (bookmarkable); moved to sessionStorage and removed
//               from the address bar at once (as the agent console does)
//   lang=en     English (Portuguese by default)
//   tab=now|settings|reports|planning   the screen to open on
// Pure, except `TokenStore`, which takes the storage it writes to.

import { withoutToken, type StorageLike } from '../agent/params.ts';
import { langOf, type Lang } from '../src/i18n.ts';

export { withoutToken, type StorageLike };

export type Tab = 'now' | 'settings' | 'reports' | 'planning';
const TABS: readonly Tab[] = ['now', 'settings', 'reports', 'planning'];

export interface SupervisorParams { token: string | null; lang: Lang; tab: Tab }

const nonEmpty = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

export function parseParams(search: string): SupervisorParams {
  const q = new URLSearchParams(search);
  const tab = q.get('tab');
  return { token: nonEmpty(q.get('token')), lang: langOf(q.get('lang')), tab: TABS.includes(tab as Tab) ? (tab as Tab) : 'now' };
}

/** WebSocket URL of the supervisor feed on the page's own host: wss on https pages. */
export function supervisorWsUrl(pageProtocol: string, host: string, ticket: string): string {
  const scheme = pageProtocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${host}/ws/supervisor?ticket=${encodeURIComponent(ticket)}`;
}

export const TOKEN_KEY = 'atende.supervisor.token';

/** The token for this tab (sessionStorage: gone when the tab closes). */
export class TokenStore {
  constructor(private readonly storage: StorageLike | null) {}

  get(): string | null {
    try { return nonEmpty(this.storage?.getItem(TOKEN_KEY)); } catch { return null; }
  }

  set(token: string): void {
    try { this.storage?.setItem(TOKEN_KEY, token.trim()); } catch { /* storage disabled: memory only */ }
  }

  clear(): void {
    try { this.storage?.removeItem(TOKEN_KEY); } catch { /* nothing stored */ }
  }
}
