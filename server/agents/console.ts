// The agent console's server side: one agent's own view (state, the call offered
// or in progress, wrap-up), over HTTP and live over /ws/agent. An agent token only
// ever sees its own agent; a supervisor names the agent with ?agent=.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { bearerOf, refusalSchema, type Access, type Principal } from '../auth/access.ts';
import type { Tickets } from '../auth/tickets.ts';
import type { Settings } from '../config/types.ts';
import type { AgentConsoleView, ConsoleCall } from '../contract.ts';
import type { Engine } from '../engine.ts';
import { upgradeRequired } from '../ws-routes.ts';

export interface AgentConsoleOptions {
  engine: Engine;
  access: Access;
  tickets: Tickets;
  settings: Settings | null;
  heartbeatMs?: number;
}

const QUERY = {
  type: 'object', additionalProperties: false,
  properties: { agent: { type: 'string', minLength: 1, maxLength: 64 }, ticket: { type: 'string', maxLength: 128 }, token: { type: 'string', maxLength: 512 } },
} as const;
const DEFAULT_PAUSES = ['almoço', 'lanche', 'banheiro', 'treinamento', 'reunião'];

export async function agentConsole(app: FastifyInstance, opts: AgentConsoleOptions): Promise<void> {
  const { engine, access, tickets, settings } = opts;
  const core = engine.core;
  const firstLang = settings?.ivr.languages[0]?.code ?? 'pt-BR';

  const ivrLabels = (path: string[]): string[] => {
    const out: string[] = [];
    let node = settings?.ivr.menu;
    for (const d of path) {
      const o = node?.options.find((x) => x.digit === d);
      if (!o) break;
      out.push(o.label[firstLang] ?? Object.values(o.label)[0] ?? d);
      node = o.menu;
    }
    return out;
  };

  const view = (agentId: string): AgentConsoleView | null => {
    const a = core.agent(agentId);
    if (!a) return null;
    const now = engine.now();
    const c = a.callId ? core.call(a.callId) : null;
    const cfg = core.routingConfig();
    const call: ConsoleCall | null = c ? {
      id: c.id, from: c.from, status: c.status, queue: c.queue,
      queueName: core.queueConfigs().find((q) => q.id === c.queue)?.name ?? null,
      tier: c.tier, tierLabel: c.tierRule?.label ?? null, tierReason: c.tierRule?.reason ?? null,
      vip: c.tierRule?.reason === 'vip' || c.attributes.vip === true, repeatCaller: c.tierRule?.reason === 'repeat',
      ivrPath: c.ivrPath, ivrLabels: ivrLabels(c.ivrPath), language: c.language,
      arrivedAt: c.arrivedAt, queuedAt: c.queuedAt, answeredAt: c.answeredAt,
      waitedSeconds: c.queuedAt === null ? null : Math.max(0, Math.round(((c.answeredAt ?? (c.status === 'ended' ? c.queuedAt : now)) - c.queuedAt) / 1000)),
      level: c.level, escalations: c.escalations, notes: c.notes, resolvedFirstContact: c.resolvedFirstContact,
    } : null;
    // Only the agent talking to the caller escalates from the console.
    const canEscalate = c && c.status === 'connected' && c.agentId === a.id;
    return {
      type: 'agent', serverTime: now,
      agent: {
        id: a.id, name: a.name, contact: a.contact, softphone: (a.contact ?? `client:${a.id}`).startsWith('client:'),
        state: a.status, reason: a.reason, stateSeconds: Math.max(0, Math.floor((now - a.since) / 1000)),
        level: a.level, skills: a.skills, callsHandled: a.callsHandled, pending: a.pending,
        wrapUpEndsAt: a.status === 'wrap-up' && cfg.wrapUpSeconds > 0 ? a.since + cfg.wrapUpSeconds * 1000 : null,
      },
      call,
      pauseReasons: settings?.pauseReasons ?? DEFAULT_PAUSES,
      escalateTo: canEscalate ? Array.from({ length: cfg.maxLevel - c!.level }, (_, i) => c!.level + 1 + i) : [],
    };
  };

  /** Which agent this request is about: the token's own, or ?agent= for supervisors (and open mode). */
  const resolve = (req: FastifyRequest, reply: FastifyReply, principal: Principal | null | undefined, ticketed = false): string | null => {
    const asked = (req.query as { agent?: string }).agent ?? null;
    if (principal?.role === 'agent') {
      if (asked && asked !== principal.agentId) { reply.code(403).send({ error: 'forbidden', code: 'ATENDE_FORBIDDEN', message: `this token belongs to agent '${principal.agentId}', not '${asked}'` }); return null; }
      return principal.agentId;
    }
    if (!ticketed) {
      const refusal = access.check(bearerOf(req) ?? (req.query as { token?: string }).token ?? null, ['agent'], asked);
      if (refusal) { reply.code(refusal.status).send(refusal.body); return null; }
    }
    if (!asked) { reply.code(400).send({ error: 'bad-request', code: 'ATENDE_AGENT_REQUIRED', message: 'name the agent: ?agent=ID (only an agent token names its own agent)' }); return null; }
    if (!core.agent(asked)) { reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_AGENT', message: `no agent with id '${asked}'` }); return null; }
    return asked;
  };

  const viewSchema = { type: 'object', required: ['type', 'serverTime', 'agent', 'call', 'pauseReasons', 'escalateTo'], additionalProperties: true, properties: { type: { type: 'string' }, serverTime: { type: 'number' } } };
  const errors = { 400: refusalSchema, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema };

  app.get('/api/agent/me', { schema: { querystring: QUERY, response: { 200: viewSchema, ...errors } } }, async (req, reply) => {
    const principal = access.identify(bearerOf(req));
    const id = resolve(req, reply, principal);
    if (id === null) return reply;
    return view(id);
  });

  app.post('/api/agent/ticket', {
    schema: { querystring: QUERY, response: { 200: { type: 'object', required: ['ticket', 'expiresInSeconds', 'agent'], properties: { ticket: { type: 'string' }, expiresInSeconds: { type: 'number' }, agent: { type: 'string' } } }, ...errors } },
  }, async (req, reply) => {
    const principal = access.identify(bearerOf(req));
    const id = resolve(req, reply, principal);
    if (id === null) return reply;
    return { ...tickets.issue('agent', { role: 'agent', agentId: id }), agent: id };
  });

  // ---- live: one socket set per agent; a frame only when that agent's view changed ----
  const sockets = new Map<string, Set<WebSocket>>();
  const last = new Map<string, string>();
  const push = (agentId: string, force = false) => {
    const set = sockets.get(agentId);
    if (!set?.size) return;
    const v = view(agentId);
    if (!v) return;
    const key = JSON.stringify({ ...v, serverTime: 0, agent: { ...v.agent, stateSeconds: 0 } });
    if (!force && last.get(agentId) === key) return;
    last.set(agentId, key);
    const frame = JSON.stringify(v);
    for (const s of set) if (s.readyState === s.OPEN && s.bufferedAmount < 256 * 1024) s.send(frame);
  };
  const offChange = engine.onChange(() => { for (const id of sockets.keys()) push(id); });
  const heartbeat = setInterval(() => {
    const frame = JSON.stringify({ type: 'heartbeat', serverTime: engine.now() });
    for (const set of sockets.values()) for (const s of set) if (s.readyState === s.OPEN) s.send(frame);
  }, opts.heartbeatMs ?? 2000);
  heartbeat.unref();
  app.addHook('preClose', async () => {
    offChange();
    clearInterval(heartbeat);
    for (const set of sockets.values()) for (const s of set) s.close(1001, 'server shutting down');
  });

  app.route({
    method: 'GET',
    url: '/ws/agent',
    schema: { querystring: QUERY, response: { ...errors, 426: refusalSchema } },
    // After the query is validated, before the upgrade.
    preHandler: async (req, reply) => {
      const q = req.query as { ticket?: string };
      const held = tickets.take(q.ticket, 'agent');
      const principal = held ?? access.identify(bearerOf(req) ?? (req.query as { token?: string }).token ?? null);
      const id = resolve(req, reply, principal, held !== undefined);
      if (id === null) return reply;
      (req as FastifyRequest & { agentId?: string }).agentId = id;
    },
    handler: upgradeRequired,
    wsHandler: (socket, req) => {
      const id = (req as FastifyRequest & { agentId?: string }).agentId!;
      let set = sockets.get(id);
      if (!set) sockets.set(id, (set = new Set()));
      set.add(socket);
      socket.on('message', () => { /* actions go over HTTP */ });
      socket.on('close', () => { set!.delete(socket); if (!set!.size) { sockets.delete(id); last.delete(id); } });
      push(id, true);
    },
  });
}
