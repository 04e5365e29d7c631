// Staffing forecast API (Erlang C, optionally Erlang A). Read-only planning data,
// but still behind the supervisor token like the agents API (open when unset).
//   GET /api/forecast?callsPerHour=&ahtSeconds=&thresholdSeconds=&targetServiceLevel=
//       [&maxOccupancy=][&shrinkage=][&patienceSeconds=]
//   GET /api/forecast/now[?maxOccupancy=][&shrinkage=][&patienceSeconds=]
import type { FastifyInstance } from 'fastify';
import { refusalSchema, type Access } from '../auth/access.ts';
import type { Engine } from '../engine.ts';
import { badRequest, badRequestSchema, refuseInvalid } from './http.ts';
import { forecast, ForecastInputError, LIMITS, type Forecast, type ForecastInput } from './staffing.ts';

export interface ForecastApiOptions {
  engine: Engine;
  access: Access;
  /** Length of the rolling window (settings serviceLevel.windowMinutes): /now scales its calls to an hour. */
  windowMinutes: number;
}

const num = { type: 'number' } as const;
const optionalParams = {
  maxOccupancy: { type: 'number', minimum: 0.5, maximum: 1 },
  shrinkage: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  patienceSeconds: { type: 'number', minimum: 1, maximum: LIMITS.patienceSeconds },
} as const;
const forecastQuery = {
  type: 'object', additionalProperties: false,
  required: ['callsPerHour', 'ahtSeconds', 'thresholdSeconds', 'targetServiceLevel'],
  properties: {
    callsPerHour: { type: 'number', minimum: 0, maximum: LIMITS.callsPerHour },
    ahtSeconds: { type: 'number', minimum: 1, maximum: LIMITS.ahtSeconds },
    thresholdSeconds: { type: 'number', minimum: 0, maximum: LIMITS.thresholdSeconds },
    targetServiceLevel: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    ...optionalParams,
  },
} as const;
const nowQuery = { type: 'object', additionalProperties: false, properties: optionalParams } as const;

const rowProps = {
  agents: { type: 'integer' }, serviceLevel: num, asaSeconds: num, probabilityOfWaiting: num, occupancy: num,
  meetsTarget: { type: 'boolean' },
} as const;
const rowSchema = { type: 'object', required: Object.keys(rowProps), properties: rowProps } as const;
const erlangASchema = {
  type: ['object', 'null'],
  required: ['patienceSeconds', 'agentsRequired', 'scheduledAgents', 'serviceLevel', 'asaSeconds', 'probabilityOfWaiting', 'probabilityOfAbandon', 'occupancy', 'rows'],
  properties: {
    patienceSeconds: num, agentsRequired: { type: 'integer' }, scheduledAgents: { type: 'integer' },
    serviceLevel: num, asaSeconds: num, probabilityOfWaiting: num, probabilityOfAbandon: num, occupancy: num,
    rows: { type: 'array', items: { type: 'object', properties: { ...rowProps, probabilityOfAbandon: num } } },
  },
} as const;
const nullableNum = { type: ['number', 'null'] } as const;
const inputSchema = {
  type: 'object',
  properties: {
    callsPerHour: num, ahtSeconds: num, thresholdSeconds: num, targetServiceLevel: num,
    maxOccupancy: nullableNum, shrinkage: num, patienceSeconds: nullableNum,
  },
} as const;
const forecastSchema = {
  type: 'object',
  required: ['model', 'input', 'trafficErlangs', 'agentsRequired', 'scheduledAgents', 'serviceLevel', 'asaSeconds', 'probabilityOfWaiting', 'occupancy', 'rows', 'erlangA'],
  properties: {
    model: { type: 'string' }, input: inputSchema, trafficErlangs: num,
    agentsRequired: { type: 'integer' }, scheduledAgents: { type: 'integer' },
    serviceLevel: num, asaSeconds: num, probabilityOfWaiting: num, occupancy: num,
    rows: { type: 'array', items: rowSchema }, erlangA: erlangASchema,
  },
} as const;
const nowSchema = {
  type: 'object',
  required: ['at', 'reason', 'basis', 'agentsStaffed', 'trafficErlangs', 'agentsRequired', 'scheduledAgents', 'serviceLevel', 'asaSeconds', 'probabilityOfWaiting', 'occupancy', 'rows', 'erlangA'],
  properties: {
    at: num,
    reason: { type: ['string', 'null'] },
    basis: {
      type: 'object',
      properties: {
        windowMinutes: num, offered: { type: 'integer' }, callsPerHour: num,
        ahtSeconds: nullableNum, ahtFrom: { type: ['string', 'null'] },
        thresholdSeconds: num, targetServiceLevel: num,
      },
    },
    agentsStaffed: { type: 'integer' },
    input: { ...inputSchema, type: ['object', 'null'] },
    trafficErlangs: nullableNum, agentsRequired: { type: ['integer', 'null'] }, scheduledAgents: { type: ['integer', 'null'] },
    serviceLevel: nullableNum, asaSeconds: nullableNum, probabilityOfWaiting: nullableNum, occupancy: nullableNum,
    rows: { type: 'array', items: rowSchema }, erlangA: erlangASchema,
  },
} as const;

type Optional = Pick<ForecastInput, 'maxOccupancy' | 'shrinkage' | 'patienceSeconds'>;

export async function forecastApi(app: FastifyInstance, opts: ForecastApiOptions): Promise<void> {
  const { engine } = opts;
  const authorize = opts.access.require(['supervisor']);

  app.get('/api/forecast', {
    preHandler: authorize,
    attachValidation: true,
    schema: { querystring: forecastQuery, response: { 200: forecastSchema, 400: badRequestSchema, 401: refusalSchema, 403: refusalSchema } },
  }, async (req, reply) => {
    if (refuseInvalid(req, reply)) return reply;
    try {
      return forecast(req.query as ForecastInput);
    } catch (err) {
      if (err instanceof ForecastInputError) return reply.code(400).send(badRequest(err.parameter, err.message));
      throw err;
    }
  });

  /**
   * "Agents needed now": the last rolling window's offered calls scaled to an hour,
   * the TMA of the window (of today when the window handled nothing), the center's
   * threshold and target. Null figures and a reason when there is nothing to go on.
   */
  app.get('/api/forecast/now', {
    preHandler: authorize,
    attachValidation: true,
    schema: { querystring: nowQuery, response: { 200: nowSchema, 400: badRequestSchema, 401: refusalSchema, 403: refusalSchema } },
  }, async (req, reply) => {
    if (refuseInvalid(req, reply)) return reply;
    engine.advance();
    const metrics = engine.core.metrics;
    const rolling = metrics.read({ kind: 'center' }, 'rolling');
    const today = metrics.read({ kind: 'center' }, 'today');
    const counts = engine.core.agentCountsByStatus();
    const agentsStaffed = counts.available + counts.ringing + counts['on-call'] + counts['wrap-up'];
    const ahtFrom = rolling.tmaSeconds !== null ? 'rolling' : today.tmaSeconds !== null ? 'today' : null;
    const ahtSeconds = rolling.tmaSeconds ?? today.tmaSeconds;
    const basis = {
      windowMinutes: opts.windowMinutes, offered: rolling.offered,
      callsPerHour: (rolling.offered * 60) / opts.windowMinutes,
      ahtSeconds, ahtFrom, thresholdSeconds: rolling.thresholdSeconds, targetServiceLevel: rolling.target,
    };
    const empty = {
      at: engine.now(), basis, agentsStaffed, input: null, trafficErlangs: null, agentsRequired: null, scheduledAgents: null,
      serviceLevel: null, asaSeconds: null, probabilityOfWaiting: null, occupancy: null, rows: [], erlangA: null,
    };
    if (rolling.offered === 0) return { ...empty, reason: `no calls offered in the last ${opts.windowMinutes} minutes` };
    if (ahtSeconds === null || ahtSeconds <= 0) return { ...empty, reason: 'no call handled today yet: no TMA to forecast with' };
    const target = rolling.target;
    if (!(target > 0 && target < 1)) return { ...empty, reason: `the service-level target ${target} cannot be forecast (it must be between 0 and 1, exclusive)` };
    let f: Forecast;
    try {
      f = forecast({
        ...(req.query as Optional), callsPerHour: basis.callsPerHour, ahtSeconds,
        thresholdSeconds: rolling.thresholdSeconds, targetServiceLevel: target,
      });
    } catch (err) {
      if (!(err instanceof ForecastInputError)) throw err;
      if (err.parameter in optionalParams) return reply.code(400).send(badRequest(err.parameter, err.message));
      return { ...empty, reason: `the live figures cannot be forecast: ${err.message}` };
    }
    const { model: _model, ...figures } = f;
    return { at: engine.now(), reason: null, basis, agentsStaffed, ...figures };
  });
}
