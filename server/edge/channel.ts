// What the leader and its edges say to each other through Redis, in one place.
//
// Every frame a screen is sent is a whole state (a snapshot, a view), never a delta,
// and the next one replaces it. So the live path is Redis pub/sub (push, no consumer
// bookkeeping; a frame lost while an edge reconnects costs at most one heartbeat, 2 s),
// and beside it one hash keeps the latest frame of each topic and kind, so a screen
// that (re)connects, or an edge that starts, gets the state at once. Streams would
// keep history nobody reads and need a cursor per edge; a MAXLEN 1 stream per topic
// is the hash with more steps.
//
//   PUBLISH {prefix}:frames  "<topic>\n<frame JSON>"       every frame, heartbeats too
//   HSET    {prefix}:latest  "<topic>|<type>" <frame JSON>  every frame but heartbeats
//   SET     {prefix}:ticket:<ticket> <TicketRecord JSON> PX <ttl>; GETDEL to take it once
//
// Topics: `wallboard`, `supervisor`, `agent:<id>` (the topics of server/fanout.ts).
// Frames are the leader's own bytes: nothing is parsed or re-encoded on the way.

export interface EdgeKeys {
  /** The pub/sub channel of every frame. */
  frames: string;
  /** The hash of the latest frame per topic and type. */
  latest: string;
  ticket(ticket: string): string;
}

export const DEFAULT_PREFIX = 'atende';

/** The keys of one center; tests use a random prefix so runs never meet. */
export function edgeKeys(prefix: string = DEFAULT_PREFIX): EdgeKeys {
  return { frames: `${prefix}:frames`, latest: `${prefix}:latest`, ticket: (t) => `${prefix}:ticket:${t}` };
}

export const WALLBOARD_TOPIC = 'wallboard';
export const SUPERVISOR_TOPIC = 'supervisor';
export const agentTopic = (agentId: string): string => `agent:${agentId}`;

/** A frame of this type is liveness only: published, never kept as the latest state. */
export const HEARTBEAT = 'heartbeat';

export function encodeMessage(topic: string, json: string): string {
  return `${topic}\n${json}`;
}

export function decodeMessage(message: string): { topic: string; json: string } | null {
  const i = message.indexOf('\n');
  if (i <= 0) return null;
  return { topic: message.slice(0, i), json: message.slice(i + 1) };
}

/** The frame's `type` (every frame the fan-out sends starts with it), without parsing the frame. */
export function frameType(json: string): string | null {
  const m = /^\{"type":"([A-Za-z0-9_-]{1,40})"/.exec(json);
  if (m) return m[1];
  try {
    const v = JSON.parse(json) as { type?: unknown };
    return typeof v?.type === 'string' ? v.type : null;
  } catch {
    return null;
  }
}

/** The hash field of a topic's latest frame of a type, and back. */
export const latestField = (topic: string, type: string): string => `${topic}|${type}`;

export function parseLatestField(field: string): { topic: string; type: string } | null {
  const i = field.lastIndexOf('|');
  return i > 0 ? { topic: field.slice(0, i), type: field.slice(i + 1) } : null;
}

/** A Redis URL fit for a log line: no password. */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}
