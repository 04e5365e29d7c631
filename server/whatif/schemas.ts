// POST /api/whatif: the request and the answer (TypeBox).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const HHMM = Type.String({ pattern: '^([01]?\\d|2[0-4]):[0-5]\\d$' });
const Window = { from: Type.Optional(Nullable(HHMM)), to: Type.Optional(Nullable(HHMM)) };
const Id = Type.String({ minLength: 1, maxLength: 64 });

/** The changes as objects; the same as the command line's strings (routing/whatif/changes.ts). */
const ChangeObject = Type.Union([
  Type.Object({ kind: Type.Literal('add'), count: Type.Integer({ minimum: 1, maximum: 500 }), skills: Type.Array(Id, { minItems: 1, maxItems: 20 }), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })), ...Window }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('remove-agent'), agent: Id, ...Window }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('remove'), count: Type.Integer({ minimum: 1, maximum: 500 }), skill: Id, ...Window }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('agent'), agent: Id, skills: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 20 })), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('strategy'), strategy: Type.Union([Type.Literal('longest-idle'), Type.Literal('fewest-calls'), Type.Literal('round-robin')]) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('wrap-up'), seconds: Type.Number({ minimum: 0, maximum: 3600 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('offer-timeout'), seconds: Type.Number({ minimum: 1, maximum: 3600 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('rule'), id: Id, tier: Nullable(Type.Integer({ minimum: 1, maximum: 9 })) }, { additionalProperties: false }),
]);

export const WhatIfBody = Type.Object({
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  changes: Type.Array(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), ChangeObject]), { maxItems: 20 }),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
}, { additionalProperties: false });
export type WhatIfBody = Static<typeof WhatIfBody>;

const Ratio = Nullable(Type.Number());
const Figures = Type.Object({
  offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), shortAbandoned: Type.Integer(),
  answeredWithinThreshold: Type.Integer(), serviceLevel: Ratio, asaSeconds: Ratio, tmaSeconds: Ratio,
  abandonRate: Ratio, handled: Type.Integer(), occupancy: Ratio,
});
const ScopeSet = Type.Object({ center: Figures, queues: Type.Record(Type.String(), Figures) });

export const WhatIfReply = Type.Object({
  date: Type.String(),
  timezone: Type.String(),
  dayStart: Type.String(), endAt: Type.String(),
  intervalMinutes: Type.Number(),
  changes: Type.Array(Type.String()),
  seed: Type.Integer(),
  intervals: Type.Array(Type.Object({ start: Type.String(), end: Type.String(), complete: Type.Boolean(), before: ScopeSet, after: ScopeSet })),
  day: Type.Object({ before: ScopeSet, after: ScopeSet }),
  patience: Type.Object({ observations: Type.Integer(), abandons: Type.Integer(), meanSeconds: Ratio, medianSeconds: Ratio }),
  calls: Type.Object({ recorded: Type.Integer(), carriedOver: Type.Integer() }),
  refused: Type.Object({ before: Type.Integer(), after: Type.Integer() }),
  limits: Type.Array(Type.String()),
  replayMs: Type.Number(),
});
