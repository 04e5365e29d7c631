// URL parameters of the wallboard page (one bookmarked URL per TV):
//   token=XYZ   wallboard token; exchanged for a single-use WebSocket ticket
//   lang=en     English (Portuguese by default)
//   queue=ID    show one queue only
//   sound=1     alarm beep on (off by default)

import { langOf, type Lang } from './i18n.ts';

export interface BoardParams {
  token: string | null;
  lang: Lang;
  queue: string | null;
  sound: boolean;
}

const nonEmpty = (v: string | null): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

export function parseParams(search: string): BoardParams {
  const q = new URLSearchParams(search);
  const sound = (q.get('sound') ?? '').trim().toLowerCase();
  return {
    token: nonEmpty(q.get('token')),
    lang: langOf(q.get('lang')),
    queue: nonEmpty(q.get('queue')),
    sound: sound === '1' || sound === 'true' || sound === 'on' || sound === 'yes',
  };
}

/** WebSocket URL on the page's own host: wss on https pages, ws otherwise. */
export function wsUrl(pageProtocol: string, host: string, ticket: string | null): string {
  const scheme = pageProtocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${host}/ws/wallboard`;
  return ticket == null ? base : `${base}?ticket=${encodeURIComponent(ticket)}`;
}
