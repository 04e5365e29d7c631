// POST /api/whatif (supervisor): a recorded day replayed with changes (routing/whatif).
// CPU-bound: the log is replayed from its start, about a second per 10,000 logged events,
// on the request's thread, read page by page through the store (archived days included;
// SQLite or PostgreSQL).
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WhatIfChange } from '../../routing/whatif/index.ts';
import { BadInputError } from '../errors.ts';
import { namingTheParameter } from '../forecast/http.ts';
import { Zone } from '../reports/zone.ts';
import { errorReplies } from '../schemas.ts';
import { runWhatIf, WhatIfInputError } from './run.ts';
import { WhatIfBody, WhatIfReply } from './schemas.ts';

export const whatIfApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { access, store, engine } = fastify as FastifyInstance;

  fastify.post('/api/whatif', {
    onRequest: access.require(['supervisor']),
    schemaErrorFormatter: namingTheParameter,
    schema: { body: WhatIfBody, response: { 200: WhatIfReply, ...errorReplies(400, 401, 403) } },
  }, async (req) => {
    const settings = fastify.settings.current;
    const body = req.body;
    const t0 = performance.now();
    let r;
    try {
      r = await runWhatIf(store.events, settings, { date: body.date, changes: body.changes as (string | WhatIfChange)[], seed: body.seed }, engine.now());
    } catch (err) {
      if (err instanceof WhatIfInputError) throw new BadInputError(err.field, err.message);
      throw err;
    }
    const zone = new Zone(settings.timezone);
    return {
      ...r,
      date: body.date,
      timezone: settings.timezone,
      dayStart: zone.iso(r.dayStart),
      endAt: zone.iso(r.endAt),
      intervals: r.intervals.map((iv) => ({ ...iv, start: zone.iso(iv.start), end: zone.iso(iv.end) })),
      replayMs: Math.round(performance.now() - t0),
    };
  });
};
