// How the leader's publisher gets the frames its screens would get: it watches them
// itself, through the leader's own socket routes, in process (fastify.injectWS: no
// port, no network), one socket per topic: the wallboard, the supervisor's screen,
// and every agent's console. So an edge's screens get byte for byte what the leader's
// fan-out sends its own (same frames, same coalescing, same heartbeats), built by the
// same code, and the leader's topics keep working as they do with one screen watching.
// Agents come and go with the settings: the list is checked after changes.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/access.ts';
import type { TicketPurpose } from '../auth/tickets.ts';
import { agentTopic, SUPERVISOR_TOPIC, WALLBOARD_TOPIC } from './channel.ts';

/** A dropped relay socket is opened again after this long. */
const RECONNECT_MS = 1000;
/** The agent list is checked at most this often after a change (and this often anyway). */
const AGENT_SYNC_MS = 500;
const AGENT_RESYNC_MS = 5000;

export interface RelaySink {
  put(topic: string, json: string): void;
  /** A topic that ended (its agent was removed). */
  drop(topic: string): void;
}

interface Watch { topic: string; path: string; purpose: TicketPurpose; principal: Principal | null }

export class LeaderRelay {
  private readonly sockets = new Map<string, WebSocket>();
  private readonly connecting = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private offChange: (() => void) | null = null;
  private syncTimer: NodeJS.Timeout | null = null;

  /** `beforeConnect`: resolves once the ticket just issued can be taken (it is in Redis). */
  constructor(private readonly app: FastifyInstance, private readonly sink: RelaySink, private readonly beforeConnect: () => Promise<void>) {}

  start(): void {
    this.watch({ topic: WALLBOARD_TOPIC, path: '/ws/wallboard', purpose: 'wallboard', principal: null });
    this.watch({ topic: SUPERVISOR_TOPIC, path: '/ws/supervisor', purpose: 'supervisor', principal: { role: 'supervisor', agentId: null } });
    this.syncAgents();
    this.offChange = this.app.engine.onChange(() => this.scheduleSync(AGENT_SYNC_MS));
    this.every(AGENT_RESYNC_MS, () => this.syncAgents());
  }

  /** Topics watched now. */
  get size(): number { return this.sockets.size; }

  stop(): void {
    this.stopped = true;
    this.offChange?.();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    for (const t of this.timers) { clearTimeout(t); clearInterval(t); }
    this.timers.clear();
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
  }

  private scheduleSync(ms: number): void {
    if (this.syncTimer || this.stopped) return;
    this.syncTimer = setTimeout(() => { this.syncTimer = null; this.syncAgents(); }, ms);
    this.syncTimer.unref();
  }

  private syncAgents(): void {
    if (this.stopped) return;
    const ids = new Set(this.app.engine.core.agentList().map((a) => a.id));
    for (const id of ids) {
      const topic = agentTopic(id);
      if (!this.sockets.has(topic)) this.watch({ topic, path: '/ws/agent', purpose: 'agent', principal: { role: 'agent', agentId: id } });
    }
    for (const topic of [...this.sockets.keys()]) {
      if (!topic.startsWith('agent:') || ids.has(topic.slice('agent:'.length))) continue;
      this.sockets.get(topic)!.terminate();
      this.sockets.delete(topic);
      this.sink.drop(topic);
    }
  }

  private watch(w: Watch): void {
    if (this.stopped || this.connecting.has(w.topic) || this.sockets.has(w.topic)) return;
    this.connecting.add(w.topic);
    void this.open(w).then((ws) => {
      this.connecting.delete(w.topic);
      if (!ws) return this.retry(w);
      if (this.stopped) { ws.terminate(); return; }
      this.sockets.set(w.topic, ws);
      ws.on('close', () => {
        if (this.sockets.get(w.topic) !== ws) return; // replaced or removed on purpose
        this.sockets.delete(w.topic);
        this.retry(w);
      });
    });
  }

  private async open(w: Watch): Promise<WebSocket | null> {
    const { ticket } = this.app.tickets.issue(w.purpose, w.principal);
    await this.beforeConnect();
    if (this.stopped) return null;
    try {
      // An in-process request has no socket: Fastify (and the rate limit) want an address.
      return await this.app.injectWS(`${w.path}?ticket=${ticket}`, { socket: { remoteAddress: '127.0.0.1' } } as never, {
        // Listening before the upgrade completes: the welcome frames come at once.
        onInit: (ws) => {
          ws.on('message', (data: Buffer, isBinary: boolean) => { if (!isBinary && !this.stopped) this.sink.put(w.topic, data.toString('utf8')); });
          ws.on('error', () => { /* a close follows */ });
        },
      });
    } catch {
      return null;
    }
  }

  private retry(w: Watch): void {
    if (this.stopped) return;
    // An agent gone from the list is not watched again; the next sync says who is.
    if (w.purpose === 'agent' && !this.app.engine.core.agent(w.principal!.agentId!)) return;
    const t = setTimeout(() => { this.timers.delete(t); this.watch(w); }, RECONNECT_MS);
    t.unref();
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }
}
