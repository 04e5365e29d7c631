// Supervisor API for settings that change live: the settings in force, a change to
// them (validated whole, logged, applied, audited), agents' skills/level/contact,
// and the audit log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AgentConfig } from '../../routing/types.ts';
import { AgentChange, AgentParams, CoreAgent } from '../agents/schemas.ts';
import { bearerOf } from '../auth/access.ts';
import { BadInputError, httpErrorOf, InvalidSettingsError, UnknownAgentError } from '../errors.ts';
import { parseBound, Zone } from '../reports/zone.ts';
import { errorReplies } from '../schemas.ts';
import { searchAudit } from '../supervisor/audit-search.ts';
import { configChangedEvent, patched, type SettingsPatch } from './live.ts';

const AnyObject = Type.Object({}, { additionalProperties: true });
/** A JSON merge patch of the live keys; `patched` validates it as a whole settings file (400 naming the field). */
const SettingsPatchBody = Type.Unsafe<SettingsPatch>({ type: 'object', minProperties: 1, additionalProperties: true });
const AuditBound = Type.Optional(Type.String({ minLength: 1, maxLength: 40 }));
const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  /** Part of the actor ("supervisor", "sha256:1a2b", "alerts"). */
  who: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** Epoch ms, a date or a local date-time (as the reports take): since inclusive, until exclusive. */
  since: AuditBound,
  until: AuditBound,
  /** A settings key or path, an agent id or an alert rule id. */
  field: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** An action, or its family ("alert"). */
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
const CONTACT = /^(client:[A-Za-z0-9_.@-]{1,64}|\+[1-9]\d{6,14})$/;

/** Settings as shown to a supervisor: token hashes stay out. */
function shown(s: object): Record<string, unknown> {
  const { auth: _auth, ...rest } = s as { auth?: unknown };
  return rest;
}

/** A refused change as the 400 naming its field: "/serviceLevel/target: must be <= 1, got 1.5". */
function invalidSettings(err: unknown): Error {
  // SettingsError from the loader, or the refusal of a key that cannot change live: both name the field.
  const { field = '', message = String(err) } = err as { field?: string; message?: string };
  // The loader's message names the source and the field again: keep what follows the field.
  const at = field ? message.indexOf(field) : -1;
  const reason = at >= 0 ? message.slice(at + field.length).replace(/^:?\s*/, '') : message;
  return new InvalidSettingsError(field || '/', reason);
}

const settingsApi: FastifyPluginAsyncTypebox = async (fastify) => {
  const { engine, access, store, storage } = fastify as FastifyInstance;
  const core = engine.core;
  const supervisors = access.require(['supervisor']);
  let seq = 0;
  // One change at a time: each is computed from the settings in force, which the one before
  // it (its event still being committed) may be about to replace.
  let changes: Promise<unknown> = Promise.resolve();
  const changing = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = changes.then(fn, fn);
    changes = next.catch(() => {});
    return next;
  };
  const audit = (req: FastifyRequest, action: string, target: string | null, before: unknown, after: unknown) =>
    store.audit.record({ at: engine.now(), actor: access.describe(bearerOf(req)), action, target, before, after });

  fastify.get('/api/settings', {
    preHandler: supervisors,
    schema: { response: { 200: AnyObject, ...errorReplies(401, 403) } },
  }, async () => shown(fastify.settings.current));

  fastify.patch('/api/settings', {
    preHandler: supervisors,
    schema: { body: SettingsPatchBody, response: { 200: AnyObject, ...errorReplies(400, 401, 403, 409) } },
  }, async (req) => changing(async () => {
    const patch = req.body;
    const current = fastify.settings.current;
    let next;
    try {
      next = patched(current, patch);
    } catch (err) {
      throw invalidSettings(err);
    }
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, (current as unknown as Record<string, unknown>)[k]]));
    const r = await engine.submit(configChangedEvent(`api:settings:${engine.now()}:${seq++}`, engine.now(), next, patch), 'api:settings');
    if (!r.ok) throw httpErrorOf(r.error);
    fastify.settings.current = next;
    await audit(req, 'settings.changed', Object.keys(patch).join(','), before, patch);
    // The core saw the change during dispatch, before the settings above were in
    // force: every screen (wallboards, agent consoles) redraws with them now.
    fastify.fanout.changedAll();
    return shown(next);
  }));

  fastify.patch('/api/agents/:id', {
    preHandler: supervisors,
    schema: { params: AgentParams, body: AgentChange, response: { 200: CoreAgent, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (req) => changing(async () => {
    const { id } = req.params;
    const change = req.body;
    const a = core.agent(id);
    if (!a) throw new UnknownAgentError(id);
    if (change.contact !== undefined && !CONTACT.test(change.contact)) {
      throw new BadInputError('contact', `must be client:NAME or an E.164 number, got "${change.contact}"`);
    }
    const queues = new Set(core.queueConfigs().map((q) => q.id));
    const badSkill = change.skills?.find((s) => !queues.has(s));
    if (badSkill) throw new BadInputError('skills', `no queue "${badSkill}"`);
    const before: AgentConfig = { id, name: a.name, contact: a.contact ?? undefined, skills: a.skills, level: a.level };
    const after: AgentConfig = { ...before, ...change };
    const r = await engine.submit({ type: 'agent.configured', id: `api:agent:${id}:${engine.now()}:${seq++}`, at: engine.now(), agent: after }, 'api:agents');
    if (!r.ok) throw httpErrorOf(r.error);
    const live = fastify.settings;
    // Merged: what only the settings file holds (acceptKey) stays.
    live.current = { ...live.current, agents: live.current.agents.map((x) => (x.id === id ? { ...x, ...after } : x)) };
    await audit(req, 'agent.changed', id, before, after);
    const changed = core.agent(id);
    if (!changed) throw new UnknownAgentError(id);
    return changed;
  }));

  fastify.get('/api/audit', {
    preHandler: supervisors,
    schema: { querystring: AuditQuery, response: { 200: Type.Object({ entries: Type.Array(AnyObject) }), ...errorReplies(401, 403) } },
  }, async (req) => {
    // ajv's type coercion turns "Infinity" and "1e309" into Infinity and lets it through `maximum`.
    const limit = req.query.limit ?? 100;
    if (!Number.isFinite(limit)) throw new BadInputError('limit', 'must be an integer from 1 to 1000');
    const { who, field, action } = req.query;
    const zone = new Zone(fastify.settings.current.timezone);
    const bound = (name: 'since' | 'until', text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const t = parseBound(text, name === 'since' ? 'from' : 'to', zone);
      if (t === null) throw new BadInputError(name, `must be epoch ms, a date (2026-11-23) or a date-time (2026-11-23T09:15); got '${text}'`);
      return t;
    };
    const since = bound('since', req.query.since), until = bound('until', req.query.until);
    if (who === undefined && since === undefined && until === undefined && field === undefined && action === undefined) {
      return { entries: await store.audit.recent(limit) };
    }
    return { entries: searchAudit(storage.db, { limit, who, since, until, field, action }) };
  });
};

export default settingsApi;
