// The forecast routes' queries and answers (TypeBox). The bounds mirror
// checkForecastInput in staffing.ts, which stays the second line of defence.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS } from './staffing.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The optional knobs both routes take. */
const OptionalParams = {
  maxOccupancy: Type.Optional(Type.Number({ minimum: 0.5, maximum: 1 })),
  shrinkage: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
  patienceSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: LIMITS.patienceSeconds })),
};
export const OPTIONAL_PARAMS = Object.keys(OptionalParams);

export const ForecastQuery = Type.Object({
  callsPerHour: Type.Number({ minimum: 0, maximum: LIMITS.callsPerHour }),
  ahtSeconds: Type.Number({ minimum: 1, maximum: LIMITS.ahtSeconds }),
  thresholdSeconds: Type.Number({ minimum: 0, maximum: LIMITS.thresholdSeconds }),
  targetServiceLevel: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  ...OptionalParams,
}, { additionalProperties: false });

export const NowQuery = Type.Object(OptionalParams, { additionalProperties: false });
export type NowQuery = Static<typeof NowQuery>;

const rowFields = {
  agents: Type.Integer(), serviceLevel: Type.Number(), asaSeconds: Type.Number(),
  probabilityOfWaiting: Type.Number(), occupancy: Type.Number(), meetsTarget: Type.Boolean(),
};
const Row = Type.Object(rowFields);

const ErlangA = Nullable(Type.Object({
  patienceSeconds: Type.Number(), agentsRequired: Type.Integer(), scheduledAgents: Type.Integer(),
  serviceLevel: Type.Number(), asaSeconds: Type.Number(), probabilityOfWaiting: Type.Number(),
  probabilityOfAbandon: Type.Number(), occupancy: Type.Number(),
  rows: Type.Array(Type.Object({ ...rowFields, probabilityOfAbandon: Type.Number() })),
}));

const Input = Type.Object({
  callsPerHour: Type.Number(), ahtSeconds: Type.Number(), thresholdSeconds: Type.Number(), targetServiceLevel: Type.Number(),
  maxOccupancy: Nullable(Type.Number()), shrinkage: Type.Number(), patienceSeconds: Nullable(Type.Number()),
});

export const ForecastReply = Type.Object({
  model: Type.String(),
  input: Input,
  trafficErlangs: Type.Number(),
  agentsRequired: Type.Integer(),
  scheduledAgents: Type.Integer(),
  serviceLevel: Type.Number(),
  asaSeconds: Type.Number(),
  probabilityOfWaiting: Type.Number(),
  occupancy: Type.Number(),
  rows: Type.Array(Row),
  erlangA: ErlangA,
});

/** What /now went on: the rolling window's figures and the center's service level. */
const Basis = Type.Object({
  windowMinutes: Type.Number(), offered: Type.Integer(), callsPerHour: Type.Number(),
  ahtSeconds: Nullable(Type.Number()), ahtFrom: Nullable(Type.String()),
  thresholdSeconds: Type.Number(), targetServiceLevel: Type.Number(),
});

/** The forecast's figures, or nulls and a reason when there is nothing to go on. */
export const NowReply = Type.Object({
  at: Type.Number(),
  reason: Nullable(Type.String()),
  basis: Basis,
  agentsStaffed: Type.Integer(),
  input: Nullable(Input),
  trafficErlangs: Nullable(Type.Number()),
  agentsRequired: Nullable(Type.Integer()),
  scheduledAgents: Nullable(Type.Integer()),
  serviceLevel: Nullable(Type.Number()),
  asaSeconds: Nullable(Type.Number()),
  probabilityOfWaiting: Nullable(Type.Number()),
  occupancy: Nullable(Type.Number()),
  rows: Type.Array(Row),
  erlangA: ErlangA,
});

// ---- GET /api/forecast/intraday ----

export const IntradayQuery = Type.Object({
  /** Coming intervals to forecast (default 8: two hours of 15-minute intervals). */
  intervals: Type.Optional(Type.Integer({ minimum: 1, maximum: 96, default: 8 })),
  maxOccupancy: OptionalParams.maxOccupancy,
  shrinkage: OptionalParams.shrinkage,
}, { additionalProperties: false });
export type IntradayQuery = Static<typeof IntradayQuery>;

const Coming = Type.Object({
  start: Type.String(), end: Type.String(), startMs: Type.Number(), endMs: Type.Number(),
  arrivals: Type.Number(), callsPerHour: Type.Number(),
  erlangC: Nullable(Type.Integer()), erlangA: Nullable(Type.Integer()),
  loggedIn: Type.Integer(), gap: Nullable(Type.Integer()),
});
const IntradayScope = Type.Object({
  id: Nullable(Type.String()),
  method: Type.String(),
  scale: Nullable(Type.Number()),
  historyDays: Type.Integer(),
  ahtSeconds: Nullable(Type.Number()),
  thresholdSeconds: Type.Number(),
  target: Type.Number(),
  observed: Type.Array(Type.Integer()),
  coming: Type.Array(Coming),
});
export const IntradayReply = Type.Object({
  at: Type.Number(),
  timezone: Type.String(),
  dayStart: Type.String(),
  intervalMinutes: Type.Number(),
  patience: Type.Object({ observations: Type.Integer(), abandons: Type.Integer(), meanSeconds: Nullable(Type.Number()), medianSeconds: Nullable(Type.Number()) }),
  center: IntradayScope,
  queues: Type.Array(IntradayScope),
});

// ---- GET /api/forecast/pause ----

export const PauseQuery = Type.Object({ agent: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const PauseReply = Type.Object({
  agentId: Type.String(),
  serverTime: Type.Number(),
  safe: Type.Boolean(),
  waitMinutes: Nullable(Type.Integer()),
  breaks: Type.Array(Type.String()),
  horizonMinutes: Type.Integer(),
});
