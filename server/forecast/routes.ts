// Staffing forecast API (Erlang C, optionally Erlang A). Read-only planning data,
// but still behind the supervisor token like the agents API (open when unset).
//   GET /api/forecast?callsPerHour=&ahtSeconds=&thresholdSeconds=&targetServiceLevel=
//       [&maxOccupancy=][&shrinkage=][&patienceSeconds=]
//   GET /api/forecast/now[?maxOccupancy=][&shrinkage=][&patienceSeconds=]
//   GET /api/forecast/intraday[?intervals=][&maxOccupancy=][&shrinkage=]   (intraday.ts)
//   GET /api/forecast/pause?agent=ID   (an agent for themselves, or a supervisor): may they pause now?
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pauseAdvice } from '../../routing/breach.ts';
import { agentShares, breachInputOf } from '../../routing/breach-inputs.ts';
import { BadInputError, UnknownAgentError } from '../errors.ts';
import { Zone } from '../reports/zone.ts';
import { errorReplies } from '../schemas.ts';
import { namingTheParameter, reasonOf } from './http.ts';
import { intradayScope } from './intraday.ts';
import { intradayData } from './intraday-data.ts';
import {
  ForecastQuery, ForecastReply, IntradayQuery, IntradayReply, NowQuery, NowReply, OPTIONAL_PARAMS, PauseQuery, PauseReply,
} from './schemas.ts';
import { forecast, ForecastInputError, type Forecast } from './staffing.ts';

/** A figure the forecast refuses, as the 400 that names it. */
function badInput(err: ForecastInputError): Error {
  return new BadInputError(err.parameter, reasonOf(err.parameter, err.message));
}

export const forecastApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access } = fastify as FastifyInstance;
  // onRequest, not preHandler: a caller without the token learns nothing, not even
  // what is wrong with the query (validation runs between the two).
  const supervisors = access.require(['supervisor']);

  fastify.get('/api/forecast', {
    onRequest: supervisors,
    schemaErrorFormatter: namingTheParameter,
    schema: { querystring: ForecastQuery, response: { 200: ForecastReply, ...errorReplies(400, 401, 403) } },
  }, async (req) => {
    try {
      return forecast(req.query);
    } catch (err) {
      throw err instanceof ForecastInputError ? badInput(err) : err;
    }
  });

  /**
   * "Agents needed now": the last rolling window's offered calls scaled to an hour,
   * the TMA of the window (of today when the window handled nothing), the center's
   * threshold and target. Null figures and a reason when there is nothing to go on.
   */
  fastify.get('/api/forecast/now', {
    onRequest: supervisors,
    schemaErrorFormatter: namingTheParameter,
    schema: { querystring: NowQuery, response: { 200: NowReply, ...errorReplies(400, 401, 403) } },
  }, async (req) => {
    engine.advance();
    // The window in force now: a supervisor may have changed it since the start.
    const { windowMinutes } = fastify.settings.current.serviceLevel;
    const metrics = engine.core.metrics;
    const rolling = metrics.read({ kind: 'center' }, 'rolling');
    const today = metrics.read({ kind: 'center' }, 'today');
    const counts = engine.core.agentCountsByStatus();
    const agentsStaffed = counts.available + counts.ringing + counts['on-call'] + counts['wrap-up'];
    const ahtFrom = rolling.tmaSeconds !== null ? 'rolling' : today.tmaSeconds !== null ? 'today' : null;
    const ahtSeconds = rolling.tmaSeconds ?? today.tmaSeconds;
    const basis = {
      windowMinutes, offered: rolling.offered,
      callsPerHour: (rolling.offered * 60) / windowMinutes,
      ahtSeconds, ahtFrom, thresholdSeconds: rolling.thresholdSeconds, targetServiceLevel: rolling.target,
    };
    const empty = {
      at: engine.now(), basis, agentsStaffed, input: null, trafficErlangs: null, agentsRequired: null, scheduledAgents: null,
      serviceLevel: null, asaSeconds: null, probabilityOfWaiting: null, occupancy: null, rows: [], erlangA: null,
    };
    if (rolling.offered === 0) return { ...empty, reason: `no calls offered in the last ${windowMinutes} minutes` };
    if (ahtSeconds === null || ahtSeconds <= 0) return { ...empty, reason: 'no call handled today yet: no TMA to forecast with' };
    const target = rolling.target;
    if (!(target > 0 && target < 1)) return { ...empty, reason: `the service-level target ${target} cannot be forecast (it must be between 0 and 1, exclusive)` };
    let f: Forecast;
    try {
      f = forecast({
        ...req.query, callsPerHour: basis.callsPerHour, ahtSeconds,
        thresholdSeconds: rolling.thresholdSeconds, targetServiceLevel: target,
      });
    } catch (err) {
      if (!(err instanceof ForecastInputError)) throw err;
      // The caller's own knob is the caller's mistake; the live figures are not.
      if (OPTIONAL_PARAMS.includes(err.parameter)) throw badInput(err);
      return { ...empty, reason: `the live figures cannot be forecast: ${err.message}` };
    }
    const { model: _model, ...figures } = f;
    return { at: engine.now(), reason: null, basis, agentsStaffed, ...figures };
  });

  /** Agents needed in each coming interval of today, from today's arrivals, TMA and patience (intraday.ts). */
  fastify.get('/api/forecast/intraday', {
    onRequest: supervisors,
    schemaErrorFormatter: namingTheParameter,
    schema: { querystring: IntradayQuery, response: { 200: IntradayReply, ...errorReplies(400, 401, 403) } },
  }, async (req) => {
    const horizon = req.query.intervals ?? 8;
    // ajv's type coercion turns "Infinity" and "1e309" into Infinity and lets it through `maximum`.
    if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= 96)) throw new BadInputError('intervals', 'must be an integer from 1 to 96');
    engine.advance();
    const now = engine.now();
    const settings = fastify.settings.current;
    const data = await intradayData((fastify as FastifyInstance).store.records, engine.core, settings, now);
    const zone = new Zone(settings.timezone);
    const shaped = (input: (typeof data.scopes)[number]) => {
      const s = intradayScope(input, settings.intervalMinutes, horizon, req.query.maxOccupancy, req.query.shrinkage);
      return {
        ...s, ahtSeconds: input.ahtSeconds, thresholdSeconds: input.thresholdSeconds, target: input.target,
        coming: s.coming.map(({ index, ...c }) => {
          const startMs = data.dayStart + index * data.intervalMs;
          const endMs = startMs + data.intervalMs;
          return { ...c, start: zone.iso(startMs), end: zone.iso(endMs), startMs, endMs };
        }),
      };
    };
    const [center, ...queues] = data.scopes.map(shaped);
    return {
      at: now, timezone: settings.timezone, dayStart: zone.iso(data.dayStart), intervalMinutes: settings.intervalMinutes,
      patience: data.patience, center, queues,
    };
  });

  /**
   * Whether the agent may pause now without the service level breaking within the warning's
   * horizon (routing/breach.ts): an agent token for its own agent, or a supervisor.
   */
  fastify.get('/api/forecast/pause', {
    onRequest: access.require(['agent'], (req) => (req.query as { agent?: string }).agent ?? null),
    schemaErrorFormatter: namingTheParameter,
    schema: { querystring: PauseQuery, response: { 200: PauseReply, ...errorReplies(400, 401, 403, 404) } },
  }, async (req) => {
    engine.advance();
    const core = engine.core;
    const agent = core.agent(req.query.agent);
    if (!agent) throw new UnknownAgentError(req.query.agent);
    const input = breachInputOf(core);
    const working = agent.status !== 'offline' && agent.status !== 'away';
    const advice = pauseAdvice(input, working ? agentShares(core, input, agent.id) : {}, agent.status === 'available');
    return { agentId: agent.id, serverTime: engine.now(), ...advice, horizonMinutes: input.horizonMinutes };
  });
};
