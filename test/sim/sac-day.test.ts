// A SAC day in virtual time (sim/scenarios/sac-day.json): the schedule's closures, a
// supervisor's, callers at closed queues, callbacks and drops against the real routing core.
// The expectations are derived by hand from the scenario (local times of Christmas eve in
// São Paulo, UTC−3), not from the code under test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS_PATH, loadSettings } from '../../server/config/load.ts';
import type { Decision, DomainEvent } from '../../routing/types.ts';
import { main } from '../../sim/cli.ts';
import { loadScenarioAndSettings, parseScenario, SCENARIOS_DIR, ScenarioError, withSacSettings, checkScenario, type Scenario } from '../../sim/model/scenario.ts';
import { generateTraffic, trafficFrame } from '../../sim/model/traffic.ts';
import { runLive } from '../../sim/live.ts';
import { writeDays } from '../../sim/days/writer.ts';
import { startLocalStack } from '../../sim/stack.ts';
import type { Summary } from '../../sim/summary.ts';
import { runVirtual, type VirtualCallRecord } from '../../sim/virtual.ts';

/** Epoch ms of a local time on 2026-12-24 in São Paulo (no daylight saving: UTC−3). */
const eve = (hhmm: string, date = '2026-12-24') => Date.parse(`${date}T${hhmm}:00-03:00`);

interface Run { summary: Summary; records: VirtualCallRecord[]; events: { event: DomainEvent; decisions: Decision[] }[] }

function run(scenario: Scenario, settings: ReturnType<typeof loadSettings>): Run {
  const records: VirtualCallRecord[] = [];
  const events: Run['events'] = [];
  const summary = runVirtual(scenario, settings, { onCall: (r) => records.push(r), onEvent: (event, decisions) => events.push({ event, decisions }) });
  return { summary, records, events };
}

describe('sac-day, virtual, seed 1', () => {
  const { scenario, settings } = loadScenarioAndSettings(join(SCENARIOS_DIR, 'sac-day.json'), { seed: 1 });
  let r: Run;
  let sac: NonNullable<Summary['sac']>;
  // Run once for the block; a runner that throws fails each test with its reason.
  beforeAll(() => {
    r = run(scenario, settings);
    sac = r.summary.sac!;
  });
  const of = <T extends DomainEvent['type']>(type: T) => r.events.filter((e) => e.event.type === type).map((e) => e.event as Extract<DomainEvent, { type: T }>);

  it('the day has closures, callers at closed queues, callbacks and drops', () => {
    expect(sac.closedAtEntry).toBeGreaterThan(0);
    expect(sac.requestsWhileWaiting).toBeGreaterThan(0);
    expect(sac.requestsAtClosed).toBeGreaterThan(0);
    expect(sac.callbacksReached).toBeGreaterThan(0);
    expect(sac.customerCallsMissed).toBeGreaterThan(0);
    expect(sac.drops).toBeGreaterThan(0);
    // Every call generated reached a queue, found it closed, or overflowed.
    const c = r.summary.calls;
    expect(c.generated).toBe(c.queued + sac.closedAtEntry + c.overflowed + c.inIvrAtEnd);
  });

  it('nobody is queued into a closed queue; everybody at a closed one arrived while it was closed', () => {
    // Open spans by hand: Vendas 08:00-14:00 and Financeiro 08:00-12:00 (the eve's half days),
    // Financeiro closed by the supervisor 09:00-09:30, Suporte (24/7) closed 10:30-11:00.
    const open: Record<string, [number, number][]> = {
      vendas: [[eve('08:00'), eve('14:00')]],
      financeiro: [[eve('08:00'), eve('09:00')], [eve('09:30'), eve('12:00')]],
      suporte: [[eve('00:00'), eve('10:30')], [eve('11:00'), eve('23:59')]],
    };
    const isOpen = (q: string, at: number) => open[q].some(([a, b]) => a <= at && at < b);
    const queued = of('call.queued');
    expect(queued.length).toBe(r.summary.calls.queued);
    for (const e of queued) expect(isOpen(e.queue, e.at), `${e.callId} queued into ${e.queue} at ${new Date(e.at).toISOString()}`).toBe(true);
    // Callers at a closed queue: their IVR ended there (no call.queued for them at all).
    const queuedIds = new Set(queued.map((e) => e.callId));
    const plans = new Map(generateTraffic(scenario, settings).calls.map((p) => [p.id, p]));
    const closedCallers = r.records.filter((x) => x.outcome === 'closed' || (x.callback === 'requested' && x.queuedAt !== null && !queuedIds.has(x.id)));
    expect(closedCallers.length).toBe(sac.closedAtEntry);
    for (const x of closedCallers) {
      const p = plans.get(x.id)!;
      expect(queuedIds.has(x.id)).toBe(false);
      expect(isOpen(p.queue, p.arriveAt + p.ivrMs), `${x.id} at ${p.queue}`).toBe(false);
    }
  });

  it('the holiday eve closes Financeiro at 12:00 (until Monday 28/12 08:00: Natal, then the weekend) and Vendas at 14:00 (until Saturday 09:00)', () => {
    const scheduled = of('queue.closed').filter((e) => e.by === 'schedule');
    const fin = scheduled.filter((e) => e.queue === 'financeiro');
    expect(fin.map((e) => [e.at, e.reason, e.until, e.waiting])).toEqual([
      [eve('07:00'), 'date: Véspera de Natal', eve('08:00'), 'offer-callback'],
      [eve('12:00'), 'date: Véspera de Natal', eve('08:00', '2026-12-28'), 'offer-callback'],
    ]);
    const ven = scheduled.filter((e) => e.queue === 'vendas');
    expect(ven.map((e) => [e.at, e.until])).toEqual([[eve('07:00'), eve('08:00')], [eve('14:00'), eve('09:00', '2026-12-26')]]);
    // Suporte has no hours: only the supervisor closes it.
    expect(of('queue.closed').filter((e) => e.queue === 'suporte').map((e) => [e.at, e.by, e.reason, e.emergency])).toEqual([
      [eve('10:30'), 'supervisor', 'Queda do sistema de chamados', true],
    ]);
    expect(of('queue.opened').filter((e) => e.queue === 'suporte').map((e) => [e.at, e.by])).toEqual([[eve('11:00'), 'supervisor']]);
    expect(sac.closures.filter((c) => c.queue === 'financeiro').map((c) => `${c.at} ${c.change} ${c.by}`)).toEqual([
      '2026-12-24T10:00:00.000Z closed schedule', '2026-12-24T11:00:00.000Z opened schedule',
      '2026-12-24T12:00:00.000Z closed supervisor', '2026-12-24T12:30:00.000Z opened supervisor',
      '2026-12-24T15:00:00.000Z closed schedule',
    ]);
  });

  it('every callback request ends reached, not reached, or still waiting', () => {
    const requests = of('call.callback-requested');
    expect(requests.length).toBe(sac.callbackRequests);
    expect(requests.filter((e) => e.queue !== undefined).length).toBe(sac.requestsAtClosed);
    const reached = of('call.callback-attempt').filter((e) => e.result === 'answered');
    const notReached = r.events.flatMap((e) => e.decisions).filter((d) => d.type === 'callback-not-reached');
    expect(reached.length).toBe(sac.callbacksReached);
    expect(notReached.length).toBe(sac.callbacksNotReached);
    const waiting = r.records.filter((x) => x.callback !== null && x.outcome === 'waiting');
    expect(waiting.length).toBe(sac.callbacksWaitingAtEnd);
    expect(reached.length + notReached.length + waiting.length).toBe(requests.length + of('call.dropped').length);
    // Requests at a closed queue after its eve hours wait for its next opening: never offered on the eve.
    const late = requests.filter((x) => (x.queue === 'financeiro' && x.at >= eve('12:00')) || (x.queue === 'vendas' && x.at >= eve('14:00')));
    expect(late.length).toBeGreaterThan(0);
    for (const e of late) expect(e.notBefore).toBe(e.queue === 'financeiro' ? eve('08:00', '2026-12-28') : eve('09:00', '2026-12-26'));
    for (const e of late) expect(of('call.answered').some((a) => a.callId === e.callId)).toBe(false);
    // Each call to the customer is one callback-attempt; missed ones are retried 300 s later.
    expect(of('call.callback-attempt').length).toBe(sac.customerCalls);
    const retries = r.events.flatMap((e) => e.decisions.map((d) => ({ d, at: e.event.at }))).filter((x) => x.d.type === 'callback-retry');
    for (const { d, at } of retries) expect((d as Extract<Decision, { type: 'callback-retry' }>).at).toBe(at + 300_000);
  });

  it('each drop becomes one callback at the head of its tier', () => {
    const dropped = of('call.dropped');
    expect(dropped.length).toBe(sac.drops);
    expect(sac.dropCallbacks).toBe(sac.drops);
    const byDrop = r.events.filter((e) => e.event.type === 'call.dropped');
    for (const e of byDrop) {
      const id = (e.event as Extract<DomainEvent, { type: 'call.dropped' }>).callId;
      expect(e.decisions.find((d) => d.type === 'requeued' && d.callId === id)).toMatchObject({ reason: 'dropped on the company side' });
    }
  });

  it('the legal wait figures are the core\'s today', () => {
    expect(sac.answeredWithinLegal + sac.legalBreaches).toBeGreaterThan(0);
    expect(sac.withinLegal).toBeCloseTo(sac.answeredWithinLegal / (sac.answeredWithinLegal + sac.legalBreaches), 12);
    expect(sac.queues.map((q) => q.closedAtEntry).reduce((a, b) => a + b, 0)).toBe(sac.closedAtEntry);
  });

  it('the same seed gives the same day', () => {
    const again = runVirtual(scenario, settings);
    expect({ ...again, wallClockMs: 0 }).toEqual({ ...r.summary, wallClockMs: 0 });
  });
});

describe('a tiny SAC morning, by hand', () => {
  const base = loadSettings(DEFAULT_SETTINGS_PATH);
  // Three callers for Vendas between 07:00 and 08:00, while it is closed (it opens at 08:00);
  // one agent, no wrap-up, a fixed ring of 2 s and talk of 10 min.
  const tiny = (over: Record<string, unknown>): { scenario: Scenario; settings: ReturnType<typeof loadSettings> } => {
    const scenario = parseScenario({
      name: 'tiny', seed: 2, date: '2026-12-24', start: '07:00', arrivalsPerHour: [3], drainMinutes: 60,
      ivrPaths: [{ path: ['2'], share: 1 }], ivrSeconds: 10, patience: null,
      talk: { distribution: 'fixed', seconds: 600 }, wrapUpSeconds: 0,
      ring: { minSeconds: 2, maxSeconds: 2 },
      agentGroups: [{ name: 'v', count: 1, skills: ['vendas'] }],
      sac: { hours: { vendas: { thu: ['08:00-20:00'] } }, callbacks: { retryDelaySeconds: 300, maxAttempts: 3, order: 'agent-first' } },
      ...over,
    });
    const settings = withSacSettings(scenario, base);
    checkScenario(scenario, settings);
    return { scenario, settings };
  };

  it('three requests at the closed queue are called back in order from 08:00, each reached', () => {
    const { scenario, settings } = tiny({ callbacks: { atClosedShare: 1, missShare: 0, answerSeconds: 6 } });
    const plans = generateTraffic(scenario, settings).calls;
    expect(plans.length).toBe(3);
    const r = run(scenario, settings);
    // 08:00:00 offer, the agent answers at :02, the customer at :08; 10 min of talk; the next at once.
    expect(r.records.map((x) => [x.id, x.outcome, x.callback, new Date(x.at).toISOString()])).toEqual([
      [plans[0].id, 'answered', 'requested', '2026-12-24T11:00:08.000Z'],
      [plans[1].id, 'answered', 'requested', '2026-12-24T11:10:16.000Z'],
      [plans[2].id, 'answered', 'requested', '2026-12-24T11:20:24.000Z'],
    ]);
    expect(r.records.map((x) => x.waitMs)).toEqual(plans.map((p, i) => eve('08:00') + 8000 * (i + 1) + 600_000 * i - (p.arriveAt + 10_000)));
    const s = r.summary.sac!;
    expect([s.closedAtEntry, s.requestsAtClosed, s.callbacksReached, s.callbacksNotReached, s.callbacksWaitingAtEnd, s.customerCalls]).toEqual([3, 3, 3, 0, 0, 3]);
    expect(r.summary.calls).toMatchObject({ generated: 3, queued: 0, answered: 3, abandoned: 0 });
  });

  it('customers who never answer: three attempts each, 300 s apart, then not reached (counted as abandons)', () => {
    const { scenario, settings } = tiny({ callbacks: { atClosedShare: 1, missShare: 1, answerSeconds: 6 } });
    const r = run(scenario, settings);
    const s = r.summary.sac!;
    expect([s.callbacksReached, s.callbacksNotReached, s.customerCalls, s.customerCallsMissed]).toEqual([0, 3, 9, 9]);
    expect(r.records.map((x) => x.outcome)).toEqual(['not-reached', 'not-reached', 'not-reached']);
    expect(r.summary.center).toMatchObject({ answered: 0, abandoned: 3 });
    // The first: rung 08:00:00, the agent picks up at :02, 30 s of ringing: 08:00:32; again at 08:05:32 (+32 s) and 08:11:04 (+32 s).
    const first = r.events.filter((e) => e.event.type === 'call.callback-attempt' && (e.event as { callId: string }).callId === r.records[0].id);
    expect(first.map((e) => new Date(e.event.at).toISOString())).toEqual(['2026-12-24T11:00:32.000Z', '2026-12-24T11:06:04.000Z', '2026-12-24T11:11:36.000Z']);
  });

  it('callers who do not leave a request hang up at the closed queue', () => {
    const { scenario, settings } = tiny({ callbacks: { atClosedShare: 0 } });
    const r = run(scenario, settings);
    expect(r.records.map((x) => x.outcome)).toEqual(['closed', 'closed', 'closed']);
    expect(r.summary.sac).toMatchObject({ closedAtEntry: 3, callbackRequests: 0 });
  });

  it('a call that drops half-way is called back at once and talks the rest', () => {
    // Open from 07:00: one caller, answered, drops after 300 s of its 600; the callback follows.
    const { scenario, settings } = tiny({
      arrivalsPerHour: [1], seed: 1, sac: { hours: { vendas: { thu: ['07:00-20:00'] } } },
      drops: { share: 1, afterTalkShare: 0.5 }, callbacks: { missShare: 0 },
    });
    const plans = generateTraffic(scenario, settings).calls;
    expect(plans.length).toBe(1);
    const r = run(scenario, settings);
    const entered = plans[0].arriveAt + 10_000;
    const types = r.events.filter((e) => 'callId' in e.event).map((e) => [e.event.type, e.event.at - entered]);
    expect(types).toEqual([
      ['call.arrived', -10_000], ['call.ivr', 0], ['call.queued', 0],
      ['call.answered', 2000], ['call.dropped', 302_000],
      // The agent's wrap-up is 0 (ready at once): offered again at once, agent-first.
      ['call.answered', 304_000], ['call.callback-attempt', 310_000], ['call.ended', 610_000],
    ]);
    expect(r.summary.sac).toMatchObject({ drops: 1, dropCallbacks: 1, callbacksReached: 1 });
    // Answered once: the callback is not counted a second time.
    expect(r.summary.center).toMatchObject({ answered: 1, abandoned: 0 });
  });
});

describe('the tiny morning, live through the emulator', () => {
  it('callers at the closed queue press 1 for a callback and are called back from its opening at 08:00', async () => {
    const base = loadSettings(DEFAULT_SETTINGS_PATH);
    // As "a tiny SAC morning", on a real Atende in process (its own schedule keeps Vendas closed to 08:00).
    const scenario = parseScenario({
      name: 'tiny-live', seed: 2, date: '2026-12-24', start: '07:00', arrivalsPerHour: [3], drainMinutes: 60,
      ivrPaths: [{ path: ['2'], share: 1 }], ivrSeconds: 10, patience: null,
      talk: { distribution: 'fixed', seconds: 600 }, wrapUpSeconds: 0,
      ring: { minSeconds: 2, maxSeconds: 2 },
      agentGroups: [{ name: 'v', count: 1, skills: ['vendas'] }],
      sac: { hours: { vendas: { thu: ['08:00-20:00'] } }, callbacks: { retryDelaySeconds: 300, maxAttempts: 3, order: 'agent-first' } },
      callbacks: { atClosedShare: 1, missShare: 0, answerSeconds: 6 },
    });
    const settings = withSacSettings(scenario, base);
    checkScenario(scenario, settings);
    const speed = 300;
    const stack = await startLocalStack({
      settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-sac-live-')), 'a.db'), speed, startAt: trafficFrame(scenario, settings).startAt, secondsPerWord: 0.05,
    });
    let live;
    try {
      live = await runLive(scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator, atende: stack.atende }, { speed, maxSeconds: 60 });
    } finally {
      await stack.close();
    }
    const s = live.summary.sac!;
    const report = JSON.stringify(s);
    // Never enqueued: three requests at the closed queue, none counted as an overflow.
    expect([s.closedAtEntry, s.requestsAtClosed, s.requestsWhileWaiting, live.summary.calls.overflowed], report).toEqual([3, 3, 0, 0]);
    expect(live.records.every((r) => r.queue === null), report).toBe(true);
    // Called back from 08:00 (the run goes on after the callers hung up), each reached at the first call.
    expect([s.callbacksReached, s.callbacksNotReached, s.callbacksWaitingAtEnd, s.customerCalls, s.customerCallsMissed], report).toEqual([3, 0, 0, 3, 0]);
    expect(live.summary.center.answered, report).toBe(3);
  }, 120_000);
});

describe('the SAC day written as history (--days)', () => {
  it('callers at a closed queue are never enqueued: the IVR, then their hang-up; nothing refused', async () => {
    const { scenario, settings } = loadScenarioAndSettings(join(SCENARIOS_DIR, 'sac-day.json'), { seed: 1 });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'atende-sac-days-')), 'h.db');
    const written = await writeDays(scenario, settings, { days: 1, dbPath });
    expect(written.refused).toBe(0);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(dbPath, { readonly: true });
    try {
      const queued = db.prepare("select at, body from events where type = 'call.queued'").all() as { at: number; body: string }[];
      const into = (q: string) => queued.filter((r) => JSON.parse(r.body).queue === q).map((r) => r.at);
      // Vendas only 08:00-14:00 and Financeiro 08:00-12:00 (the schedule alone: --days plays no supervisor closures).
      expect(into('vendas').every((t) => t >= eve('08:00') && t < eve('14:00'))).toBe(true);
      expect(into('financeiro').every((t) => t >= eve('08:00') && t < eve('12:00'))).toBe(true);
      expect(into('vendas').length).toBeGreaterThan(0);
      const hungUp = db.prepare("select count(*) as n from events where type = 'call.ended' and source = 'twilio:/twilio/status'").get() as { n: number };
      expect(hungUp.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('scenario checks', () => {
  const file = join(SCENARIOS_DIR, 'sac-day.json');
  const load = (over: Record<string, unknown>) => {
    const { scenario } = loadScenarioAndSettings(file);
    const raw = { ...scenario, ...over } as Record<string, unknown>;
    const s = parseScenario(raw);
    const settings = withSacSettings(s, loadSettings(DEFAULT_SETTINGS_PATH));
    checkScenario(s, settings);
  };
  const refusal = (over: Record<string, unknown>) => {
    try { load(over); } catch (err) { return err instanceof ScenarioError ? `${err.field} | ${err.message}` : String(err); }
    return 'accepted';
  };

  it('names the field of a bad closure, drop or SAC setting', () => {
    expect(refusal({ closures: [{ queue: 'nada', at: '09:00', reason: 'x' }] })).toBe('/closures/0/queue | scenario: /closures/0/queue: no queue "nada" (queues are suporte, vendas, financeiro)');
    expect(refusal({ closures: [{ queue: 'vendas', at: '09:00', reopen: '08:30', reason: 'x' }] })).toBe('/closures/0/reopen | scenario: /closures/0/reopen must be after its closure at 09:00, got "08:30"');
    expect(refusal({ closures: [{ queue: 'vendas', at: '09:00', reopen: '09:30', until: '10:00', reason: 'x' }] })).toMatch(/^\/closures\/0\/until \| .*either reopen .* or until/);
    expect(refusal({ closures: [{ queue: 'vendas', at: '05:00', reason: 'x' }] })).toMatch(/^\/closures\/0\/at \| .*within the run/);
    expect(refusal({ drops: { share: 1.5 } })).toMatch(/^\/drops\/share \| /);
    expect(refusal({ callbacks: { requestShare: 0.5, often: true } })).toMatch(/^\/callbacks/);
    expect(refusal({ sac: { hours: { nada: {} } } })).toBe('/sac/hours/nada | scenario: /sac/hours: no queue "nada" (queues are suporte, vendas, financeiro)');
    const bad = refusal({ sac: { dates: [{ date: '2026-12-24', label: 'x', hours: ['12:00-25:00'] }] } });
    expect(bad).toMatch(/^\/sac \| scenario: \/sac makes the settings invalid: .*sac\/dates/);
    expect(refusal({})).toBe('accepted');
  });
});

describe('cli', () => {
  it('npm run sim -- --virtual --scenario sac-day --seed 1 ends with the SAC figures', async () => {
    const out: string[] = [], err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => { err.push(s); return true; }, isTTY: false } };
    const code = await main(['--virtual', '--scenario', 'sac-day', '--seed', '1'], io as never);
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/^SAC: \d+ callers found their queue closed \(never enqueued\)/m);
    expect(text).toMatch(/^Callbacks: \d+ requests \(\d+ while waiting, \d+ at a closed queue\), \d+ after a drop; \d+ reached, \d+ not reached, \d+ still waiting at the end/m);
    expect(text).toMatch(/^Drops: \d+ answered calls dropped on the company's side, \d+ turned into callbacks/m);
    expect(text).toMatch(/^Legal wait limit: \d+\.\d% within \(no limite legal\), \d+ answered within, \d+ breaches/m);
    expect(text).toContain('  12:00  financeiro   closed by schedule — date: Véspera de Natal');
    expect(err.join('')).toContain('sac-day (virtual)');
  });
});
