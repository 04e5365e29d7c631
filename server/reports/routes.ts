// Interval reports, rebuilt from the event log (see intervals.ts for how and at what cost).
//   GET /api/reports/intervals?from=&to=&granularity=15m|hour|day&scope=center|queue|tier[&id=]&format=json|csv
// Behind the supervisor token (open when unset).
import type { FastifyInstance } from 'fastify';
import { toMetricsSettings, toRoutingConfig } from '../config/load.ts';
import type { Settings } from '../config/types.ts';
import { refusalSchema, type Access } from '../auth/access.ts';
import type { Engine } from '../engine.ts';
import type { EventLog } from '../storage/index.ts';
import { badRequest, badRequestSchema, refuseInvalid, unavailableSchema } from '../forecast/http.ts';
import { DailyBoundary, type Scope } from '../../routing/metrics/index.ts';
import { toCsv } from './csv.ts';
import { dayStart, groupRows, replayIntervals, ROW_FIELDS, sumFigures, termsOf, toRow, type Granularity } from './intervals.ts';
import { parseBound, Zone } from './zone.ts';

export interface ReportsApiOptions {
  engine: Engine;
  access: Access;
  /** Both needed; without them the route answers 503. */
  settings: Settings | null;
  events: EventLog | null;
}

/** Longest range one request may ask for: the replay cost grows with it. */
export const MAX_RANGE_DAYS = 31;
const DAY = 86_400_000;

const query = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'string', minLength: 1, maxLength: 40 },
    to: { type: 'string', minLength: 1, maxLength: 40 },
    granularity: { type: 'string', enum: ['15m', 'interval', 'hour', 'day'], default: '15m' },
    scope: { type: 'string', enum: ['center', 'queue', 'tier'], default: 'center' },
    id: { type: 'string', minLength: 1, maxLength: 64 },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
  },
} as const;

const num = { type: ['number', 'null'] } as const;
const int = { type: 'integer' } as const;
const rowProps = {
  start: { type: 'string' }, end: { type: 'string' }, startMs: { type: 'number' }, endMs: { type: 'number' },
  complete: { type: 'boolean' }, intervals: int,
  offered: int, answered: int, abandoned: int, shortAbandoned: int, answeredWithinThreshold: int, abandonedWithinThreshold: int,
  serviceLevel: num, asaSeconds: num, tmaSeconds: num, abandonRate: num, handled: int,
  nps: num, npsResponses: int, csat: num, csatResponses: int, fcr: num, fcrResponses: int,
} as const;
const rowSchema = { type: 'object', required: Object.keys(rowProps), properties: rowProps } as const;
const reportSchema = {
  type: 'object',
  required: ['from', 'to', 'timezone', 'granularity', 'intervalMinutes', 'scope', 'formula', 'thresholdSeconds', 'target', 'generatedAt', 'replayedEvents', 'rows', 'total'],
  properties: {
    from: { type: 'string' }, to: { type: 'string' }, timezone: { type: 'string' },
    granularity: { type: 'string' }, intervalMinutes: { type: 'number' },
    scope: { type: 'object', properties: { kind: { type: 'string' }, id: { type: ['string', 'null'] } } },
    formula: { type: 'string' }, thresholdSeconds: { type: 'number' }, target: { type: 'number' },
    generatedAt: { type: 'string' },
    replayedEvents: int, refusedEvents: int, replayMs: { type: 'number' },
    rows: { type: 'array', items: rowSchema },
    total: { ...rowSchema, type: ['object', 'null'] },
  },
} as const;

type Query = { from?: string; to?: string; granularity: Granularity; scope: 'center' | 'queue' | 'tier'; id?: string; format: 'json' | 'csv' };

export async function reportsApi(app: FastifyInstance, opts: ReportsApiOptions): Promise<void> {
  const { engine, settings, events } = opts;
  const authorize = opts.access.require(['supervisor']);
  const metrics = settings ? toMetricsSettings(settings) : null;
  const routing = settings ? toRoutingConfig(settings) : null;
  const zone = settings ? new Zone(settings.timezone) : null;

  app.get('/api/reports/intervals', {
    preHandler: authorize,
    attachValidation: true,
    schema: {
      querystring: query,
      response: {
        200: {
          content: {
            'application/json': { schema: reportSchema },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        400: badRequestSchema, 401: refusalSchema, 403: refusalSchema, 503: unavailableSchema,
      },
    },
  }, async (req, reply) => {
    if (refuseInvalid(req, reply)) return reply;
    if (!metrics || !routing || !zone || !events || !settings) {
      return reply.code(503).send({ error: 'unavailable', message: 'reports need the settings file and the event log' });
    }
    const q = req.query as Query;
    const now = engine.now();

    // ---- scope
    let scope: Scope;
    if (q.scope === 'center') {
      if (q.id !== undefined) return reply.code(400).send(badRequest('id', 'id is only for scope=queue or scope=tier'));
      scope = { kind: 'center' };
    } else if (q.scope === 'queue') {
      if (q.id === undefined) return reply.code(400).send(badRequest('id', 'id is required with scope=queue (a queue id)'));
      if (!settings.queues.some((x) => x.id === q.id)) {
        return reply.code(400).send(badRequest('id', `id '${q.id}' is not a queue of the settings (${settings.queues.map((x) => x.id).join(', ')})`));
      }
      scope = { kind: 'queue', id: q.id };
    } else {
      const tier = q.id === undefined ? NaN : Number(q.id);
      if (!(Number.isInteger(tier) && tier >= 1 && tier <= metrics.tiers)) {
        return reply.code(400).send(badRequest('id', `id must be a tier number from 1 to ${metrics.tiers} with scope=tier`));
      }
      scope = { kind: 'tier', tier };
    }

    // ---- range (defaults: today, from its daily reset, up to now)
    const bound = (name: 'from' | 'to', text: string | undefined, fallback: number): number | string => {
      if (text === undefined) return fallback;
      const t = parseBound(text, name, zone);
      if (t === null || !Number.isFinite(t)) {
        return `${name} must be epoch ms, a date (2026-11-23) or a date-time (2026-11-23T09:15, local to ${settings.timezone} unless it carries Z or an offset); got '${text}'`;
      }
      return t;
    };
    const todayStart = dayStart(new DailyBoundary(metrics.timezone, metrics.todayResetsAt), now);
    const from = bound('from', q.from, todayStart);
    if (typeof from === 'string') return reply.code(400).send(badRequest('from', from));
    const to = bound('to', q.to, Math.max(now, from + 1));
    if (typeof to === 'string') return reply.code(400).send(badRequest('to', to));
    if (to <= from) return reply.code(400).send(badRequest('to', `to must be after from (from ${zone.iso(from)}, to ${zone.iso(to)})`));
    if (to - from > MAX_RANGE_DAYS * DAY) {
      return reply.code(400).send(badRequest('to', `the range from ${zone.iso(from)} to ${zone.iso(to)} exceeds ${MAX_RANGE_DAYS} days`));
    }

    // ---- replay (synchronous: the SQLite iterator is closed before anything else runs)
    const t0 = performance.now();
    const replay = replayIntervals({ routing, metrics, events: events.replay(), scope, from, to, now });
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
}
