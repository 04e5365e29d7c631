// The supervisor's screen, server side: its single-use socket tickets, the live
// view over HTTP and over /ws/supervisor (a topic on the one fan-out), what the
// screen needs once (setup, capabilities), and the per-agent report.
//   POST /api/supervisor/ticket        → { ticket, expiresInSeconds } for /ws/supervisor
//   GET  /api/supervisor/live          → SupervisorView (also each socket frame)
//   GET  /api/supervisor/setup         → SupervisorSetup
//   GET  /api/supervisor/agent-report  → AgentReport (?from=&to=, format=json|csv)
//   GET  /ws/supervisor                → the live view, on change (≤ 2/s) and every 2 s
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DailyBoundary } from '../../routing/metrics/index.ts';
import { bearerOf } from '../auth/access.ts';
import type { SupervisorSetup, SupervisorView } from '../contract.ts';
import { SqliteOnlyError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { LIVE_KEYS } from '../settings/live.ts';
import { upgradeRequired } from '../ws-routes.ts';
import { AgentFigures } from './agent-figures.ts';
import { agentReportCsv, reportRange } from './agent-report.ts';
import { probeAgentReports } from './capabilities.ts';
import { supervisorView } from './view.ts';

const Anything = Type.Object({}, { additionalProperties: true });
const Ticket = Type.Object({ ticket: Type.String(), expiresInSeconds: Type.Number() });
const SocketQuery = Type.Object({
  ticket: Type.Optional(Type.String({ maxLength: 128 })),
  token: Type.Optional(Type.String({ maxLength: 512 })),
}, { additionalProperties: false });
const ReportQuery = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  format: Type.Optional(Type.Unsafe<'json' | 'csv'>({ type: 'string', enum: ['json', 'csv'], default: 'json' })),
}, { additionalProperties: false });
const View = Type.Object({
  type: Type.Literal('supervisor'), serverTime: Type.Number(), snapshot: Anything,
  queues: Type.Array(Anything), agents: Type.Array(Anything), alerts: Type.Array(Anything),
  pauseReasons: Type.Array(Type.String()), maxLevel: Type.Integer(),
});

const supervisorRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const app = fastify as FastifyInstance;
  const { engine, access, tickets, fanout, storage, alerts } = app;
  const supervisors = access.require(['supervisor']);
  // Per-agent figures read the SQLite file directly: on PostgreSQL the screen goes without them (docs/deploy.md).
  const figures = app.store.kind === 'sqlite' ? new AgentFigures(storage.db, () => app.records.flush()) : null;

  let boundary: DailyBoundary | null = null;
  const todayStart = (now: number): number => {
    const s = fastify.settings.current;
    if (!boundary || boundary.timezone !== s.timezone || boundary.localTime !== s.serviceLevel.todayResetsAt) {
      boundary = new DailyBoundary(s.timezone, s.serviceLevel.todayResetsAt);
    }
    let b = boundary.next(now - 27 * 3_600_000);
    for (let n = boundary.next(b); n <= now; n = boundary.next(b)) b = n;
    return b;
  };
  const view = (): SupervisorView => {
    const snapshot = app.wallboardSnapshot();
    const now = snapshot.serverTime;
    return supervisorView({
      engine, settings: fastify.settings.current, snapshot, alerts: alerts.list(),
      today: figures?.todayFor(todayStart(now), now) ?? new Map(), abandonsLastHour: app.abandonsLastHour,
    });
  };

  // ---- live: one topic for every supervisor screen ----
  const topic = fanout.topic({ welcome: () => [view()], frame: view, minIntervalMs: 500 });
  const offChange = engine.onChange(() => topic.changed());
  const offDecisions = engine.onDecisions((ds) => { if (ds.some((d) => d.type === 'agent-status')) figures?.changed(); });
  const offAlerts = alerts.onChange(() => topic.changed());
  fastify.addHook('preClose', async () => { offChange(); offDecisions(); offAlerts(); });

  fastify.post('/api/supervisor/ticket', {
    preHandler: supervisors,
    schema: { response: { 200: Ticket, ...errorReplies(401, 403) } },
  }, async (req) => tickets.issue('supervisor', access.identify(bearerOf(req))));

  fastify.get('/api/supervisor/live', {
    preHandler: supervisors,
    schema: { response: { 200: View, ...errorReplies(401, 403) } },
  }, async () => view());

  let agentReports: boolean | null = null;
  fastify.get('/api/supervisor/setup', {
    preHandler: supervisors,
    schema: { response: { 200: Anything, ...errorReplies(401, 403) } },
  }, async (): Promise<SupervisorSetup> => {
    agentReports ??= await probeAgentReports(app);
    const s = fastify.settings.current;
    return {
      capabilities: { agentReports },
      timezone: s.timezone,
      tiers: s.priority.tiers,
      maxLevel: s.maxLevel,
      queues: s.queues.map((q) => ({ id: q.id, name: q.name })),
      agents: engine.core.agentList().map((a) => ({ id: a.id, name: a.name })),
      liveKeys: [...LIVE_KEYS],
    };
  });

  fastify.get('/api/supervisor/agent-report', {
    preHandler: supervisors,
    schema: { querystring: ReportQuery, response: { 200: Anything, ...errorReplies(400, 401, 403) } },
  }, async (req, reply) => {
    const s = fastify.settings.current;
    const now = engine.now();
    const range = reportRange(req.query.from, req.query.to, s.timezone, todayStart(now), now);
    if (!figures) throw new SqliteOnlyError('the per-agent report');
    const rows = figures.report(range.from, range.to, now, engine.core.agentList().map((a) => ({ id: a.id, name: a.name })));
    const report = { from: range.fromIso, to: range.toIso, timezone: s.timezone, rows };
    if (req.query.format !== 'csv') return report;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="atende-agents-${range.fromIso.slice(0, 10)}_${range.lastDayIso}.csv"`)
      .send(agentReportCsv(rows, s.pauseReasons));
  });

  fastify.route({
    method: 'GET',
    url: '/ws/supervisor',
    schema: { querystring: SocketQuery, response: errorReplies(400, 401, 403, 426) },
    // Refused before the upgrade: a supervisor ticket, else a supervisor token.
    preHandler: async (req) => {
      if (tickets.take(req.query.ticket, 'supervisor') !== undefined) return;
      const refusal = access.check(bearerOf(req) ?? req.query.token ?? null, ['supervisor']);
      if (refusal) throw refusal;
    },
    handler: upgradeRequired,
    wsHandler: (socket) => {
      socket.on('message', () => { /* actions go over HTTP */ });
      topic.add(socket);
    },
  });
};

async function supervisorPlugin(fastify: FastifyInstance): Promise<void> {
  await fastify.register(supervisorRoutes);
}

export default fp(supervisorPlugin, { name: 'atende-supervisor', dependencies: ['atende-services', 'atende-hub', 'atende-alerts'] });
