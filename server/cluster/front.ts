// A cluster node's HTTP front: the one listening server. On the leader every request and
// WebSocket upgrade goes to its Atende app (a Fastify instance that never listens itself:
// its server's events are re-emitted into it). On a standby:
// - /readyz answers 503 (a load balancer, or Twilio's fallback URL, sends traffic to the
//   leader), /healthz 200 (the process is alive);
// - anything else is forwarded to the leader (its address is in the lease row), with the
//   raw body and headers untouched, so a Twilio signature still verifies there. While no
//   leader answers (a takeover under way, perhaps this very node's) the request waits, up
//   to `forwardWaitMs`, rather than fail: Twilio hears an error as the end of the call;
// - WebSocket upgrades are refused (503): screens reconnect, to the leader or an edge.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/** Marks a request one node forwarded to another: forwarded once, never again. */
export const FORWARDED_HEADER = 'x-atende-forwarded-by';
/** Says which node answered (diagnostics, tests). */
export const NODE_HEADER = 'x-atende-node';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** Bodies a standby holds while it forwards (a Twilio webhook is at most 256 KiB). */
const MAX_BODY = 1024 * 1024;

export interface LeaderInfo { holder: string | null; address: string | null; epoch: number }

export interface FrontOptions {
  /** This node. */
  holder: string;
  /** Who leads now (the lease row). */
  leader: () => Promise<LeaderInfo>;
  /** How long a standby holds a request while no leader answers (ms). */
  forwardWaitMs?: number;
}

export class Front {
  readonly server: http.Server;
  private app: FastifyInstance | null = null;

  constructor(private readonly o: FrontOptions) {
    this.server = http.createServer((req, res) => {
      res.setHeader(NODE_HEADER, o.holder);
      if (this.app) this.app.server.emit('request', req, res);
      else void this.standby(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.app) { this.app.server.emit('upgrade', req, socket, head); return; }
      socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  }

  get leading(): boolean { return this.app !== null; }

  /** This node leads: its app answers everything from now on. */
  lead(app: FastifyInstance): void { this.app = app; }

  /** This node no longer leads: it answers as a standby from now on. */
  follow(): void { this.app = null; }

  private async standby(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return json(res, 200, { status: 'ok', role: 'standby' });
    if (path === '/readyz') {
      const l = await this.o.leader().catch(() => null);
      const role = l?.holder ? `standby: the leader is ${l.holder} at ${l.address} (epoch ${l.epoch})` : 'standby: no leader yet';
      return json(res, 503, { ready: false, checks: { role } });
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return json(res, 413, { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large', message: 'request body too large to forward' });
    }
    if (req.headers[FORWARDED_HEADER]) {
      // Sent here by a node that took this one for the leader: the lease moved meanwhile.
      return this.answerWhenLeading(req, res, body);
    }
    const deadline = Date.now() + (this.o.forwardWaitMs ?? 8000);
    for (;;) {
      if (this.app) return inject(this.app, req, res, body);
      const l = await this.o.leader().catch(() => null);
      if (l?.address && l.holder !== this.o.holder) {
        const done = await relay(l.address, req, res, body, this.o.holder);
        if (done) return;
      }
      if (Date.now() > deadline) return unavailable(res);
      await sleep(100);
    }
  }

  /** A forwarded request reaching a standby: held until this node leads (it may be taking over), else 503. */
  private async answerWhenLeading(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const deadline = Date.now() + (this.o.forwardWaitMs ?? 8000);
    while (!this.app && Date.now() < deadline) await sleep(50);
    if (this.app) return inject(this.app, req, res, body);
    return unavailable(res);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function unavailable(res: ServerResponse): void {
  json(res, 503, { statusCode: 503, code: 'ATENDE_ERR_UNAVAILABLE', error: 'Service Unavailable', message: 'no leader answers: a takeover is under way, try again' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) { reject(new Error('too large')); req.destroy(); return; }
      parts.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function forwardedHeaders(req: IncomingMessage, body: Buffer, via: string): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
  headers['content-length'] = body.length;
  headers[FORWARDED_HEADER] = via;
  const from = req.socket.remoteAddress;
  if (from) headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${from}` : from;
  return headers;
}

/** The request, as received, to the leader; false when the leader could not be reached (nothing was answered yet). */
function relay(address: string, req: IncomingMessage, res: ServerResponse, body: Buffer, via: string): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try { target = new URL(req.url ?? '/', address); } catch { resolve(false); return; }
    const out = http.request(target, { method: req.method, headers: forwardedHeaders(req, body, via), timeout: 15_000 }, (up) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
      up.on('end', () => resolve(true));
      up.on('error', () => { res.destroy(); resolve(true); });
    });
    // Not reached (refused, reset before an answer): try again, maybe another leader.
    out.on('error', () => resolve(false));
    out.on('timeout', () => { out.destroy(); });
    out.end(body);
  });
}

/** This node's own app, for a request whose body was already read. */
async function inject(app: FastifyInstance, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
  const r = await app.inject({ method: (req.method ?? 'GET') as 'GET', url: req.url ?? '/', headers, payload: body, remoteAddress: req.socket.remoteAddress });
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(r.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v as string;
  res.writeHead(r.statusCode, out);
  res.end(r.rawPayload);
}
