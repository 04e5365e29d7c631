// Wallboard fan-out: each update is serialised once and the same string goes to
// every socket. Updates are coalesced to at most two a second, with a heartbeat.
import type { WebSocket } from 'ws';

export interface HubOptions {
  snapshot: () => unknown;
  history: () => unknown;
  minIntervalMs?: number;
  heartbeatMs?: number;
  pingMs?: number;
  maxBufferedBytes?: number;
  stuckCloseMs?: number;
}

interface Client { ws: WebSocket; alive: boolean; stuckSince: number | null }

export class WallboardHub {
  private readonly clients = new Set<Client>();
  private readonly o: Required<HubOptions>;
  private lastSent = 0;
  private pending: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: HubOptions) {
    this.o = {
      minIntervalMs: 500, heartbeatMs: 2000, pingMs: 15_000, maxBufferedBytes: 1024 * 1024, stuckCloseMs: 30_000,
      ...opts,
    };
    // Re-armed by every broadcast (refresh), so an idle board gets a frame
    // heartbeatMs after the last one, not on a fixed grid (up to 2× later).
    this.heartbeat = setInterval(() => this.broadcast(), this.o.heartbeatMs);
    this.heartbeat.unref();
    this.pinger = setInterval(() => this.pingAll(), this.o.pingMs);
    this.pinger.unref();
  }

  get size(): number { return this.clients.size; }

  add(ws: WebSocket): void {
    if (this.closed) { ws.close(1001, 'server shutting down'); return; }
    const client: Client = { ws, alive: true, stuckSince: null };
    this.clients.add(client);
    ws.on('pong', () => { client.alive = true; });
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
    ws.send(JSON.stringify(this.o.snapshot()));
    ws.send(JSON.stringify(this.o.history()));
  }

  /** Something changed: send a snapshot soon, at most one per minIntervalMs. */
  changed(): void {
    if (this.closed || this.pending || this.clients.size === 0) return;
    const wait = this.lastSent + this.o.minIntervalMs - Date.now();
    if (wait <= 0) { this.broadcast(); return; }
    this.pending = setTimeout(() => { this.pending = null; this.broadcast(); }, wait);
    this.pending.unref();
  }

  /** Sends a history message to everyone (e.g. when an interval closes). */
  historyChanged(): void { this.send(JSON.stringify(this.o.history())); }

  broadcast(): void {
    if (this.closed || this.clients.size === 0) return;
    this.lastSent = Date.now();
    this.heartbeat?.refresh();
    this.send(JSON.stringify(this.o.snapshot()));
  }

  private send(payload: string): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.ws.readyState !== 1) continue;
      if (c.ws.bufferedAmount > this.o.maxBufferedBytes) {
        c.stuckSince ??= now;
        if (now - c.stuckSince > this.o.stuckCloseMs) { c.ws.terminate(); this.clients.delete(c); }
        continue;
      }
      c.stuckSince = null;
      c.ws.send(payload);
    }
  }

  private pingAll(): void {
    for (const c of this.clients) {
      if (!c.alive) { c.ws.terminate(); this.clients.delete(c); continue; }
      c.alive = false;
      try { c.ws.ping(); } catch { /* closed meanwhile */ }
    }
  }

  close(code = 1001, reason = 'server shutting down'): void {
    this.closed = true;
    for (const t of [this.pending]) if (t) clearTimeout(t);
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.clients) { try { c.ws.close(code, reason); } catch { /* ignore */ } }
    this.clients.clear();
  }
}
