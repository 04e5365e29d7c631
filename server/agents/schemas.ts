// TypeBox schemas of the agents' routes: the agents API, the agent console, and the
// supervisor's agent changes (settings/routes.ts). Shapes the pages read are those of
// server/contract.ts; the route types check that the two agree.
import { Type } from '@sinclair/typebox';
import type { CallStatus } from '../../routing/types.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** One of these strings (a plain JSON Schema enum: Ajv then names the allowed values). */
export function OneOf<T extends string>(values: readonly T[]) {
  return Type.Unsafe<T>({ type: 'string', enum: values });
}

export const AgentId = Type.String({ minLength: 1, maxLength: 64 });
export const AgentParams = Type.Object({ id: AgentId });

/** The state an agent (or a supervisor for them) may ask for. */
export const StateChange = Type.Object({
  state: OneOf(['available', 'away', 'offline'] as const),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });

const Pending = Nullable(Type.Object({ state: Type.String(), reason: Nullable(Type.String()) }));

/** One agent as the agents API shows it. */
export const AgentState = Type.Object({
  id: Type.String(),
  name: Type.String(),
  contact: Nullable(Type.String()),
  state: Type.String(),
  reason: Nullable(Type.String()),
  stateSeconds: Type.Integer(),
  level: Type.Integer(),
  skills: Type.Array(Type.String()),
  callId: Nullable(Type.String()),
  callTier: Nullable(Type.Integer()),
  callsHandled: Type.Integer(),
  pending: Pending,
});

/** One agent as the routing core holds it (the answer to a supervisor's change). */
export const CoreAgent = Type.Object({
  id: Type.String(),
  name: Type.String(),
  contact: Nullable(Type.String()),
  skills: Type.Array(Type.String()),
  level: Type.Integer(),
  status: Type.String(),
  reason: Nullable(Type.String()),
  since: Type.Number(),
  callId: Nullable(Type.String()),
  callTier: Nullable(Type.Integer()),
  callsHandled: Type.Integer(),
  consecutiveMisses: Type.Integer(),
  pending: Pending,
});

/** A supervisor's change to an agent (PATCH /api/agents/:id). */
export const AgentChange = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, uniqueItems: true })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
  contact: Type.Optional(Type.String({ maxLength: 80 })),
}, { additionalProperties: false, minProperties: 1 });

// ---- the agent console ----

/** ?agent= names the agent (supervisors); ?ticket= or ?token= for sockets. */
export const ConsoleQuery = Type.Object({
  agent: Type.Optional(AgentId),
  ticket: Type.Optional(Type.String({ maxLength: 128 })),
  token: Type.Optional(Type.String({ maxLength: 512 })),
}, { additionalProperties: false });

export const ConsoleTicket = Type.Object({ ticket: Type.String(), expiresInSeconds: Type.Number(), agent: Type.String() });

const ConsoleCall = Type.Object({
  id: Type.String(),
  from: Type.String(),
  callback: Type.Optional(Nullable(Type.Object({
    number: Type.String(), origin: Type.Union([Type.Literal('requested'), Type.Literal('dropped')]), attempt: Type.Integer(), reached: Type.Boolean(),
  }))),
  status: Type.Unsafe<CallStatus>(Type.String()),
  queue: Nullable(Type.String()),
  queueName: Nullable(Type.String()),
  tier: Nullable(Type.Integer()),
  tierLabel: Nullable(Type.String()),
  tierReason: Nullable(Type.String()),
  vip: Type.Boolean(),
  repeatCaller: Type.Boolean(),
  ivrPath: Type.Array(Type.String()),
  ivrLabels: Type.Array(Type.String()),
  language: Nullable(Type.String()),
  arrivedAt: Type.Number(),
  queuedAt: Nullable(Type.Number()),
  answeredAt: Nullable(Type.Number()),
  waitedSeconds: Nullable(Type.Integer()),
  level: Type.Integer(),
  escalations: Type.Integer(),
  notes: Type.Array(Type.String()),
  resolvedFirstContact: Nullable(Type.Boolean()),
  protocol: Type.Optional(Nullable(Type.String())),
  recording: Type.Optional(Nullable(Type.Object({ status: Type.String() }))),
});

/** contract.ts AgentConsoleView: GET /api/agent/me and each /ws/agent frame. */
export const ConsoleView = Type.Object({
  type: Type.Literal('agent'),
  serverTime: Type.Number(),
  agent: Type.Object({
    id: Type.String(),
    name: Type.String(),
    contact: Nullable(Type.String()),
    softphone: Type.Boolean(),
    voice: OneOf(['softphone', 'external', 'phone', 'simulated'] as const),
    state: Type.String(),
    reason: Nullable(Type.String()),
    stateSeconds: Type.Integer(),
    level: Type.Integer(),
    skills: Type.Array(Type.String()),
    callsHandled: Type.Integer(),
    pending: Pending,
    wrapUpEndsAt: Nullable(Type.Number()),
  }),
  call: Nullable(ConsoleCall),
  pauseReasons: Type.Array(Type.String()),
  escalateTo: Type.Array(Type.Integer()),
});

// ---- the softphone ----

/** GET /api/agent/voice-token: ?agent= names the agent (supervisors); the token is the Bearer header's. */
export const VoiceTokenQuery = Type.Object({ agent: Type.Optional(AgentId) }, { additionalProperties: false });

/** A Twilio Access Token for the agent's softphone (Voice SDK Device), and when it expires (epoch ms). */
export const VoiceToken = Type.Object({ token: Type.String(), identity: Type.String(), expiresAt: Type.Number() });
