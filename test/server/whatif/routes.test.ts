// POST /api/whatif on small recorded days whose answer is known by hand.
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../routing/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';
import { BRUNO_DATE, brunoAlone } from './bruno-day.ts';

let app: TestApp | null = null;
afterEach(async () => { await app?.close(); app = null; });

const DATE = BRUNO_DATE;

async function recorded(events: DomainEvent[]): Promise<TestApp> {
  const a = await buildTestApp();
  for (const ev of events) {
    a.clock.now = ev.at;
    const r = a.engine.dispatch(ev, 'test');
    if (!r.ok) throw new Error(`${ev.type} refused: ${r.error.message}`);
  }
  a.clock.now = T0 + 86_400_000; // the next day: the whole day is in the past
  return a;
}

async function whatIf(changes: unknown[], extra: Record<string, unknown> = {}) {
  const res = await app!.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: DATE, changes, ...extra } });
  return { status: res.statusCode, body: res.json() };
}

describe('POST /api/whatif', () => {
  it('no change: after = before, and the recorded figures are the ones known by hand', async () => {
    app = await recorded(brunoAlone());
    const { status, body } = await whatIf([]);
    expect(status).toBe(200);
    expect(body.day.after).toEqual(body.day.before);
    const s = body.day.before.queues.suporte;
    expect(s).toMatchObject({ offered: 3, answered: 2, abandoned: 1, answeredWithinThreshold: 2, asaSeconds: 3, tmaSeconds: 120, handled: 2 });
    expect(s.serviceLevel).toBeCloseTo(2 / 3, 12);
    expect(body.calls).toEqual({ recorded: 3, carriedOver: 0 });
    expect(body.intervals).toHaveLength(96);
    expect(body.dayStart).toBe('2026-11-23T00:00:00-03:00');
    expect(body.limits.length).toBeGreaterThan(3);
    // Patience: c2 hung up at 40 s; c1 and c3 waited 3 s and were answered (censored).
    expect(body.patience).toMatchObject({ observations: 3, abandons: 1, medianSeconds: 40 });
  });

  it('+1 suporte: c2 is answered after the day\'s usual ring instead of hanging up', async () => {
    app = await recorded(brunoAlone());
    const { status, body } = await whatIf(['+1 suporte 09:00-10:00']);
    expect(status).toBe(200);
    expect(body.changes).toEqual(['+1 agent N1 with suporte, 09:00-10:00']);
    const s = body.day.after.queues.suporte;
    // c1 → Bruno (first by roster order at equal idle time), 3 s; c2 → the added agent, 3 s (median ring); c3 → 3 s.
    expect(s).toMatchObject({ offered: 3, answered: 3, abandoned: 0, answeredWithinThreshold: 3, asaSeconds: 3, serviceLevel: 1 });
    expect(body.day.after.center.serviceLevel).toBe(1);
  });

  it('-bruno: nobody answers; c2 keeps the 40 s it hung up at, and the answered callers draw 40 s (the only abandon time above their 3 s)', async () => {
    app = await recorded(brunoAlone());
    const { body } = await whatIf(['-bruno']);
    expect(body.day.after.queues.suporte).toMatchObject({ offered: 3, answered: 0, abandoned: 3, serviceLevel: 0, handled: 0 });
    // Every abandon waited 40 s: none within 20 s (and none short).
    expect(body.day.after.queues.suporte.shortAbandoned).toBe(0);
    const same = await whatIf([{ kind: 'remove', count: 1, skill: 'suporte', from: '09:00', to: '10:00' }]);
    expect(same.body.changes).toEqual(['1 agent with suporte away, 09:00-10:00', 'agents taken away: bruno']);
    expect(same.body.day.after.queues.suporte).toEqual(body.day.after.queues.suporte);
  });

  it('wrapup=0 (ready at once): TMA is the talk time alone', async () => {
    app = await recorded(brunoAlone());
    const { body } = await whatIf(['wrapup=0']);
    expect(body.day.before.queues.suporte.tmaSeconds).toBe(120); // (120 + 30 + 60 + 30) / 2
    expect(body.day.after.queues.suporte).toMatchObject({ answered: 2, abandoned: 1, tmaSeconds: 90 });
  });

  it('refuses what it cannot run, naming the field', async () => {
    app = await recorded(brunoAlone());
    const cases: [unknown[], string][] = [
      [['+2 nowhere'], 'changes[0]: no queue "nowhere"'],
      [['-zeca'], 'changes[0]: no agent "zeca"'],
      [['+2 suporte 10:00-09:00'], 'changes[0]: the window 10:00-09:00 ends before it starts'],
      [['rule=nope tier=1'], 'changes[0]: no priority rule "nope"'],
      [['fly=high'], 'changes[0]: "fly=high": unknown setting "fly"'],
    ];
    for (const [changes, message] of cases) {
      const { status, body } = await whatIf(changes);
      expect(status).toBe(400);
      expect(body.code).toBe('ATENDE_ERR_BAD_INPUT');
      expect(body.message.startsWith(message)).toBe(true);
    }
    const future = await app.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: '2026-11-30', changes: [] } });
    expect(future.json()).toMatchObject({ statusCode: 400, message: 'date: 2026-11-30 has not begun yet' });
    const bad = await app.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: '2026-02-30', changes: [] } });
    expect(bad.json()).toMatchObject({ statusCode: 400, message: "date: must be a date YYYY-MM-DD, got '2026-02-30'" });
    const shape = await app.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: DATE, changes: [{ kind: 'add', count: 0, skills: ['suporte'] }] } });
    expect(shape.statusCode).toBe(400);
  });

  it('is for supervisors only', async () => {
    app = await buildTestApp({ supervisorToken: 'sup', viewerToken: 'view' });
    const res = await app.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: DATE, changes: [] }, headers: { authorization: 'Bearer view' } });
    expect(res.statusCode).toBe(403);
    const none = await app.app.inject({ method: 'POST', url: '/api/whatif', payload: { date: DATE, changes: [] } });
    expect(none.statusCode).toBe(401);
  });
});
