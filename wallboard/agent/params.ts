// URL parameters of the agent console and where the token is kept.
//   token=XYZ   agent token (bookmarkable); moved to sessionStorage and removed
//               from the address bar at once
//   lang=en     English (Portuguese by default)
//   agent=ID    the agent to show: only a supervisor token may name someone
//               else; an agent token naming another agent is refused (403)
// Pure, except `TokenStore`, which takes the storage it writes to.

import { langOf, type Lang } from './i18n.ts';

export interface ConsoleParams {
  token: string | null;
  lang: Lang;
  agent: string | null;
}

const nonEmpty = (v: string | null): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

export function parseParams(search: string): ConsoleParams {
  const q = new URLSearchParams(search);
  return { token: nonEmpty(q.get('token')), lang: langOf(q.get('lang')), agent: nonEmpty(q.get('agent')) };
}

/**
 * The same address without `token` (path, other parameters and hash kept), for
 * history.replaceState: the token must not stay in the address bar, the
 * history or a screenshot. Null when there is no token to remove.
 */
export function withoutToken(href: string): string | null {
  const u = new URL(href);
  if (!u.searchParams.has('token')) return null;
  u.searchParams.delete('token');
  const qs = u.searchParams.toString();
  return `${u.pathname}${qs ? `?${qs}` : ''}${u.hash}`;
}

/** `?agent=ID` for the API calls that name the agent (me, ticket, socket). */
export function agentQuery(agent: string | null): string {
  return agent ? `?agent=${encodeURIComponent(agent)}` : '';
}

/** WebSocket URL of the agent feed on the page's own host: wss on https pages. */
export function agentWsUrl(pageProtocol: string, host: string, ticket: string): string {
  const scheme = pageProtocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${host}/ws/agent?ticket=${encodeURIComponent(ticket)}`;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const TOKEN_KEY = 'atende.agent.token';

/** The token for this tab (sessionStorage: gone when the tab closes). */
export class TokenStore {
  constructor(private readonly storage: StorageLike | null) {}

  get(): string | null {
    try {
      return nonEmpty(this.storage?.getItem(TOKEN_KEY) ?? null);
    } catch {
      return null;
    }
  }

  set(token: string): void {
    try {
      this.storage?.setItem(TOKEN_KEY, token.trim());
    } catch {
      /* storage disabled: the token lives in memory only (see main.ts) */
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(TOKEN_KEY);
    } catch {
      /* nothing stored */
    }
  }
}
