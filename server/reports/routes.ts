// Interval reports from the stored interval rows (server/history stores each interval
// as it closes; stored.ts reads them), the open interval from the history worker.
//   GET /api/reports/intervals?from=&to=&granularity=15m|hour|day&scope=center|queue|tier|agent[&id=]&format=json|csv
// Behind the supervisor token (open when unset). Every request reads the settings in
// force (time zone, service level, queues): a supervisor's change counts at once.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { BadInputError, NotReadyError } from '../errors.ts';
import { namingTheParameter } from '../forecast/http.ts';
import { errorReplies } from '../schemas.ts';
import { DailyBoundary, type MetricsSettings, type Scope } from '../../routing/metrics/index.ts';
import type { OpenInterval } from '../history/link.ts';
import { agentCsv, agentTotal, groupAgentRows } from './agents.ts';
import { toCsv } from './csv.ts';
import { dayStart, groupRows, ROW_FIELDS, sumFigures, termsOf, toRow } from './intervals.ts';
import { readStored, storedAgentIntervals, storedIntervals, type StoredRange } from './stored.ts';
import { parseBound, Zone } from './zone.ts';

/** Longest range one request may ask for: a year and a bit (calls are kept 400 days by default). */
export const MAX_RANGE_DAYS = 400;
const DAY = 86_400_000;

/** A plain JSON Schema enum (a refusal lists the allowed values, where a union of literals would not). */
const OneOf = <const T extends string>(values: readonly T[], fallback: NoInfer<T>) => Type.Unsafe<T>({ type: 'string', enum: values, default: fallback });

const Query = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  granularity: OneOf(['15m', 'interval', 'hour', 'day'], '15m'),
  scope: OneOf(['center', 'queue', 'tier', 'agent'], 'center'),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  format: OneOf(['json', 'csv'], 'json'),
}, { additionalProperties: false });
type Query = Static<typeof Query>;

const Ratio = Type.Union([Type.Number(), Type.Null()]);
const Row = Type.Object({
  start: Type.String(), end: Type.String(), startMs: Type.Number(), endMs: Type.Number(),
  complete: Type.Boolean(), intervals: Type.Integer(),
  offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), shortAbandoned: Type.Integer(),
  answeredWithinThreshold: Type.Integer(), abandonedWithinThreshold: Type.Integer(),
  serviceLevel: Ratio, asaSeconds: Ratio, tmaSeconds: Ratio, abandonRate: Ratio, handled: Type.Integer(),
  nps: Ratio, npsResponses: Type.Integer(), csat: Ratio, csatResponses: Type.Integer(), fcr: Ratio, fcrResponses: Type.Integer(),
  /** SAC: callers who waited longer than their queue's legal limit (docs/sac.md). */
  legalBreaches: Type.Integer(),
  /** SAC callbacks: asked for, reached, not reached; calls dropped on the company's side (docs/sac.md). */
  callbacksRequested: Type.Integer(), callbacksReached: Type.Integer(), callbacksNotReached: Type.Integer(), dropped: Type.Integer(),
});
const AgentRow = Type.Object({
  start: Type.String(), end: Type.String(), startMs: Type.Number(), endMs: Type.Number(),
  complete: Type.Boolean(), intervals: Type.Integer(),
  offered: Type.Integer(), answered: Type.Integer(), missed: Type.Integer(), handled: Type.Integer(),
  talkSeconds: Type.Number(), holdSeconds: Type.Number(), wrapSeconds: Type.Number(), tmaSeconds: Ratio,
  availableSeconds: Type.Number(), ringingSeconds: Type.Number(), onCallSeconds: Type.Number(), wrapUpSeconds: Type.Number(),
  awaySeconds: Type.Number(), offlineSeconds: Type.Number(), occupancy: Ratio,
  pauseSeconds: Type.Record(Type.String(), Type.Number()),
});
/** What every report says about itself; `baseIntervals` is how many base intervals the rows sum. */
const Header = {
  from: Type.String(), to: Type.String(), timezone: Type.String(),
  granularity: Type.String(), intervalMinutes: Type.Number(),
  scope: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  generatedAt: Type.String(),
  baseIntervals: Type.Integer(), readMs: Type.Number(),
};
const Report = Type.Object({
  ...Header,
  formula: Type.String(), thresholdSeconds: Type.Number(), target: Type.Number(),
  rows: Type.Array(Row),
  total: Type.Union([Row, Type.Null()]),
});
const AgentReport = Type.Object({
  ...Header,
  rows: Type.Array(AgentRow),
  total: Type.Union([AgentRow, Type.Null()]),
});

type ReportScope = Scope | { kind: 'agent'; id: string };

/** The scope asked for, checked against the queues, tiers and agents in force. */
function scopeOf(q: Query, settings: Settings, metrics: MetricsSettings): ReportScope {
  if (q.scope === 'center') {
    if (q.id !== undefined) throw new BadInputError('id', 'is only for scope=queue, scope=tier or scope=agent');
    return { kind: 'center' };
  }
  if (q.scope === 'agent') {
    if (q.id === undefined) throw new BadInputError('id', 'is required with scope=agent (an agent id)');
    if (!settings.agents.some((a) => a.id === q.id)) {
      throw new BadInputError('id', `'${q.id}' is not an agent (${settings.agents.map((a) => a.id).join(', ')})`);
    }
    return { kind: 'agent', id: q.id };
  }
  if (q.scope === 'queue') {
    if (q.id === undefined) throw new BadInputError('id', 'is required with scope=queue (a queue id)');
    if (!settings.queues.some((x) => x.id === q.id)) {
      throw new BadInputError('id', `'${q.id}' is not a queue of the settings (${settings.queues.map((x) => x.id).join(', ')})`);
    }
    return { kind: 'queue', id: q.id };
  }
  const tier = q.id === undefined ? NaN : Number(q.id);
  if (!(Number.isInteger(tier) && tier >= 1 && tier <= metrics.tiers)) {
    throw new BadInputError('id', `must be a tier number from 1 to ${metrics.tiers} with scope=tier`);
  }
  return { kind: 'tier', tier };
}

/** The range asked for; by default today, from its daily reset, up to now. */
function rangeOf(q: Query, metrics: MetricsSettings, zone: Zone, now: number): { from: number; to: number } {
  const bound = (name: 'from' | 'to', text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const t = parseBound(text, name, zone);
    if (t === null || !Number.isFinite(t)) {
      throw new BadInputError(name, `must be epoch ms, a date (2026-11-23) or a date-time (2026-11-23T09:15, local to ${zone.timezone} unless it carries Z or an offset); got '${text}'`);
    }
    return t;
  };
  const from = bound('from', q.from, dayStart(new DailyBoundary(metrics.timezone, metrics.todayResetsAt), now));
  const to = bound('to', q.to, Math.max(now, from + 1));
  if (to <= from) throw new BadInputError('to', `must be after from (from ${zone.iso(from)}, to ${zone.iso(to)})`);
  if (to - from > MAX_RANGE_DAYS * DAY) {
    throw new BadInputError('to', `the range from ${zone.iso(from)} to ${zone.iso(to)} exceeds ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}

/** How the scope is keyed in the stored rows. */
function storedKey(scope: ReportScope): Pick<StoredRange, 'scope' | 'id'> {
  if (scope.kind === 'center') return { scope: 'center', id: '' };
  if (scope.kind === 'tier') return { scope: 'tier', id: String(scope.tier) };
  return { scope: scope.kind, id: scope.id };
}

function fileNameOf(scope: ReportScope, granularity: string, from: number, to: number, zone: Zone): string {
  const scopeName = scope.kind === 'center' ? 'center' : scope.kind === 'tier' ? `tier-${scope.tier}` : `${scope.kind}-${scope.id}`;
  const day = (t: number) => zone.iso(t).slice(0, 10);
  return `atende-${scopeName}-${granularity}-${day(from)}_${day(Math.max(from, to - 1))}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export const reportsApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, storage } = fastify as FastifyInstance;

  fastify.get('/api/reports/intervals', {
    // onRequest: without the token, not even the query is looked at.
    onRequest: access.require(['supervisor']),
    schemaErrorFormatter: namingTheParameter,
    schema: {
      querystring: Query,
      response: {
        200: {
          content: {
            'application/json': { schema: Type.Union([Report, AgentReport]) },
            'text/csv': { schema: Type.String() },
          },
        },
        ...errorReplies(400, 401, 403, 503),
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const settings = fastify.settings.current;
    const metrics = toMetricsSettings(settings);
    const zone = new Zone(settings.timezone);
    const scope = scopeOf(q, settings, metrics);
    // The live core and the history worker's copy stand at the same moment.
    engine.advance();
    const now = engine.now();
    const { from, to } = rangeOf(q, metrics, zone, now);

    const t0 = performance.now();
    let open: OpenInterval;
    try {
      if (!storage.history) throw new Error('the history worker is not running');
      open = await storage.history.catchUp(now);
    } catch (err) {
      throw new NotReadyError(`interval reports are unavailable: ${(err as Error).message}`);
    }
    const key = { ...storedKey(scope), from, to, now, intervalMs: metrics.intervalMinutes * 60_000 };
    const range: StoredRange = { ...key, stored: await readStored(fastify.store.intervals, key), open };
    const header = {
      from: zone.iso(from), to: zone.iso(to), timezone: settings.timezone, granularity: q.granularity,
      intervalMinutes: metrics.intervalMinutes,
      scope: { kind: scope.kind, id: scope.kind === 'center' ? null : scope.kind === 'tier' ? String(scope.tier) : scope.id },
      generatedAt: zone.iso(now),
    };

    if (scope.kind === 'agent') {
      const intervals = storedAgentIntervals(range);
      const rows = groupAgentRows(intervals, q.granularity, metrics, zone);
      const readMs = Math.round(performance.now() - t0);
      if (q.format === 'csv') return sendCsv(reply, fileNameOf(scope, q.granularity, from, to, zone), agentCsv(rows, settings.pauseReasons));
      return { ...header, baseIntervals: intervals.length, readMs, rows, total: agentTotal(intervals, zone) };
    }

    const terms = termsOf(metrics, scope);
    const iv = storedIntervals(range, terms);
    const rows = groupRows(iv, q.granularity, metrics, terms, zone);
    const readMs = Math.round(performance.now() - t0);
    if (q.format === 'csv') return sendCsv(reply, fileNameOf(scope, q.granularity, from, to, zone), toCsv(rows, ROW_FIELDS));
    const total = iv.length
      ? toRow(zone, iv[0].start, iv[iv.length - 1].end, iv.every((x) => x.complete), iv.length, sumFigures(iv.map((x) => x.figures), terms))
      : null;
    return {
      ...header, formula: terms.formula, thresholdSeconds: terms.thresholdSeconds, target: terms.target,
      baseIntervals: iv.length, readMs, rows, total,
    };
  });
};

function sendCsv(reply: FastifyReply, name: string, body: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(body);
}
