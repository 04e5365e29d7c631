// Staffing forecast API (Erlang C, optionally Erlang A). Read-only planning data,
// but still behind the supervisor token like the agents API (open when unset).
//   GET /api/forecast?callsPerHour=&ahtSeconds=&thresholdSeconds=&targetServiceLevel=
//       [&maxOccupancy=][&shrinkage=][&patienceSeconds=]
//   GET /api/forecast/now[?maxOccupancy=][&shrinkage=][&patienceSeconds=]
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BadInputError } from '../errors.ts';
import { errorReplies } from '../schemas.ts';
import { namingTheParameter, reasonOf } from './http.ts';
import { ForecastQuery, ForecastReply, NowQuery, NowReply, OPTIONAL_PARAMS } from './schemas.ts';
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
};
