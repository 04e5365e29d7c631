// Supervisor API for settings that change live: the settings in force, a change to
// them (validated whole, logged, applied, audited), agents' skills/level/contact,
// and the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentConfig } from '../../routing/types.ts';
import { bearerOf, refusalSchema, type Access } from '../auth/access.ts';
import type { Engine } from '../engine.ts';
import type { AuditLog } from '../storage/index.ts';
import { configChangedEvent, LIVE_KEYS, patched, type LiveSettings, type SettingsPatch } from './live.ts';

export interface SettingsApiOptions {
  engine: Engine;
  access: Access;
  live: LiveSettings;
  audit: AuditLog | null;
  /** After a change: the wallboard redraws with the new thresholds and colours. */
  onChanged: () => void;
}

const anyObject = { type: 'object', additionalProperties: true } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const badRequest = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } } } as const;
const CONTACT = /^(client:[A-Za-z0-9_.@-]{1,64}|\+[1-9]\d{6,14})$/;

/** Settings as shown to a supervisor: token hashes stay out. */
function shown(s: object): object {
  const { auth: _auth, ...rest } = s as { auth?: unknown };
  return rest;
}

export async function settingsApi(app: FastifyInstance, opts: SettingsApiOptions): Promise<void> {
  const { engine, access, live } = opts;
  const core = engine.core;
  const supervisors = access.require(['supervisor']);
  let seq = 0;
  const audit = (req: FastifyRequest, action: string, target: string | null, before: unknown, after: unknown) =>
    opts.audit?.record({ at: engine.now(), actor: access.describe(bearerOf(req)), action, target, before, after });
  const refuse = (reply: FastifyReply, err: unknown) => {
    const e = err as Error & { field?: string };
    return reply.code(400).send({ error: 'bad-request', field: e.field ?? '', message: e.message });
  };

  app.get('/api/settings', { preHandler: supervisors, schema: { response: { 200: anyObject, 401: refusalSchema, 403: refusalSchema } } }, async () => shown(live.current));

  app.patch('/api/settings', {
    preHandler: supervisors,
    schema: {
      body: { type: 'object', minProperties: 1, additionalProperties: true },
      response: { 200: anyObject, 400: badRequest, 401: refusalSchema, 403: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const patch = req.body as SettingsPatch;
    let next;
    try {
      next = patched(live.current, patch);
    } catch (err) {
      return refuse(reply, err);
    }
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, (live.current as unknown as Record<string, unknown>)[k]]));
    const r = engine.dispatch(configChangedEvent(`api:settings:${engine.now()}:${seq++}`, engine.now(), next, patch), 'api:settings');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    live.current = next;
    audit(req, 'settings.changed', Object.keys(patch).join(','), before, patch);
    opts.onChanged();
    return shown(next);
  });

  app.patch('/api/agents/:id', {
    preHandler: supervisors,
    schema: {
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 80 },
          skills: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } },
          level: { type: 'integer', minimum: 1, maximum: 9 },
          contact: { type: 'string', maxLength: 80 },
        },
      },
      response: { 200: anyObject, 400: badRequest, 401: refusalSchema, 403: refusalSchema, 404: refusalSchema, 409: refusalSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const body = req.body as Partial<AgentConfig>;
    const a = core.agent(id);
    if (!a) return reply.code(404).send({ error: 'not-found', code: 'ATENDE_UNKNOWN_AGENT', message: `no agent with id '${id}'` });
    if (body.contact !== undefined && !CONTACT.test(body.contact)) {
      return refuse(reply, Object.assign(new Error(`/contact must be client:NAME or an E.164 number, got "${body.contact}"`), { field: '/contact' }));
    }
    const queues = new Set(core.queueConfigs().map((q) => q.id));
    const badSkill = body.skills?.find((s) => !queues.has(s));
    if (badSkill) return refuse(reply, Object.assign(new Error(`/skills: no queue "${badSkill}"`), { field: '/skills' }));
    const before: AgentConfig = { id, name: a.name, contact: a.contact ?? undefined, skills: a.skills, level: a.level };
    const after: AgentConfig = { ...before, ...body };
    const r = engine.dispatch({ type: 'agent.configured', id: `api:agent:${id}:${engine.now()}:${seq++}`, at: engine.now(), agent: after }, 'api:agents');
    if (!r.ok) return reply.code(409).send({ error: 'conflict', code: r.error.code, message: r.error.message });
    live.current = { ...live.current, agents: live.current.agents.map((x) => (x.id === id ? after : x)) };
    audit(req, 'agent.changed', id, before, after);
    return core.agent(id);
  });

  app.get('/api/audit', {
    preHandler: supervisors,
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      response: { 200: { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: anyObject } } }, 401: refusalSchema, 403: refusalSchema },
    },
  }, async (req) => ({ entries: opts.audit?.recent((req.query as { limit: number }).limit) ?? [] }));
}

export { LIVE_KEYS };
