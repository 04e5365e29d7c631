// Interval reports, rebuilt from the event log (see intervals.ts for how and at what cost).
//   GET /api/reports/intervals?from=&to=&granularity=15m|hour|day&scope=center|queue|tier[&id=]&format=json|csv
// Behind the supervisor token (open when unset). Every request reads the settings in
// force (time zone, service level, queues): a supervisor's change counts at once.
import type { FastifyInstance } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { BadInputError } from '../errors.ts';
import { namingTheParameter } from '../forecast/http.ts';
import { errorReplies } from '../schemas.ts';
import { DailyBoundary, type MetricsSettings, type Scope } from '../../routing/metrics/index.ts';
import { toCsv } from './csv.ts';
import { dayStart, groupRows, replayIntervals, ROW_FIELDS, sumFigures, termsOf, toRow } from './intervals.ts';
import { parseBound, Zone } from './zone.ts';

/** Longest range one request may ask for: the replay cost grows with it. */
export const MAX_RANGE_DAYS = 31;
const DAY = 86_400_000;

/** A plain JSON Schema enum (a refusal lists the allowed values, where a union of literals would not). */
const OneOf = <const T extends string>(values: readonly T[], fallback: NoInfer<T>) => Type.Unsafe<T>({ type: 'string', enum: values, default: fallback });

const Query = Type.Object({
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  granularity: OneOf(['15m', 'interval', 'hour', 'day'], '15m'),
  scope: OneOf(['center', 'queue', 'tier'], 'center'),
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
});
const Report = Type.Object({
  from: Type.String(), to: Type.String(), timezone: Type.String(),
  granularity: Type.String(), intervalMinutes: Type.Number(),
  scope: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  formula: Type.String(), thresholdSeconds: Type.Number(), target: Type.Number(),
  generatedAt: Type.String(),
  replayedEvents: Type.Integer(), refusedEvents: Type.Integer(), replayMs: Type.Number(),
  rows: Type.Array(Row),
  total: Type.Union([Row, Type.Null()]),
});

/** The scope asked for, checked against the queues and tiers in force. */
function scopeOf(q: Query, settings: Settings, metrics: MetricsSettings): Scope {
  if (q.scope === 'center') {
    if (q.id !== undefined) throw new BadInputError('id', 'is only for scope=queue or scope=tier');
    return { kind: 'center' };
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
            'application/json': { schema: Report },
            'text/csv': { schema: Type.String() },
          },
        },
        ...errorReplies(400, 401, 403),
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const settings = fastify.settings.current;
    const metrics = toMetricsSettings(settings);
    const zone = new Zone(settings.timezone);
    const now = engine.now();
    const scope = scopeOf(q, settings, metrics);
    const { from, to } = rangeOf(q, metrics, zone, now);

    // Synchronous: the SQLite iterator is closed before anything else runs.
    const t0 = performance.now();
    const replay = replayIntervals({ routing: toRoutingConfig(settings), metrics, events: storage.events.replay(), scope, from, to, now });
    const replayMs = Math.round(performance.now() - t0);
    const terms = termsOf(metrics, scope);
    const rows = groupRows(replay.intervals, q.granularity, metrics, terms, zone);
    const iv = replay.intervals;
    const total = iv.length
      ? toRow(zone, iv[0].start, iv[iv.length - 1].end, iv.every((x) => x.complete), iv.length, sumFigures(iv.map((x) => x.figures), terms))
      : null;

    if (q.format === 'csv') {
      const scopeName = scope.kind === 'center' ? 'center' : scope.kind === 'queue' ? `queue-${scope.id}` : `tier-${scope.tier}`;
      const day = (t: number) => zone.iso(t).slice(0, 10);
      const name = `atende-${scopeName}-${q.granularity}-${day(from)}_${day(Math.max(from, to - 1))}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-replayed-events', String(replay.replayedEvents))
        .send(toCsv(rows, ROW_FIELDS));
    }
    return {
      from: zone.iso(from), to: zone.iso(to), timezone: settings.timezone, granularity: q.granularity,
      intervalMinutes: metrics.intervalMinutes,
      scope: { kind: scope.kind, id: scope.kind === 'queue' ? scope.id : scope.kind === 'tier' ? String(scope.tier) : null },
      formula: terms.formula, thresholdSeconds: terms.thresholdSeconds, target: terms.target,
      generatedAt: zone.iso(now),
      replayedEvents: replay.replayedEvents, refusedEvents: replay.refusedEvents, replayMs,
      rows, total,
    };
  });
};
