// GET /api/reports/intervals: interval figures stored by the history worker as each
// interval closes, driven through the Twilio webhooks with the test clock across two
// 15-minute intervals.
import { afterEach, describe, expect, it } from 'vitest';
import { ROW_FIELDS } from '../../../server/reports/intervals.ts';
import { parseBound, Zone } from '../../../server/reports/zone.ts';
import { toCsv, csvField } from '../../../server/reports/csv.ts';
import { T0 } from '../../helpers/core.ts';
import { callParams, local, newSid, startHarness, testSettings, type Harness, type TwimlNode } from '../../helpers/twilio.ts';

let harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses) await h.close();
  harnesses = [];
});

interface Call { sid: string; from: string; enqueue: TwimlNode; queueSid: string }

async function login(h: Harness, agent: string, state: 'available' | 'away' = 'available') {
  expect((await h.api('POST', `/api/agents/${agent}/state`, { state })).status).toBe(200);
  await h.atende.idle();
}

async function callIntoQueue(h: Harness, keys: string[], from: string): Promise<Call> {
  const sid = newSid('CA');
  let res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
  for (const digit of keys) res = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: digit }));
  const enqueue = res.twiml!.Enqueue[0];
  const call = { sid, from, enqueue, queueSid: newSid('QU') };
  await h.post(local(enqueue.waitUrl), callParams(sid, from, {
    QueueSid: call.queueSid, QueuePosition: '1', QueueTime: '0', AvgQueueTime: '0', CurrentQueueSize: '1', MaxQueueSize: '1000',
  }));
  await h.atende.idle();
  return call;
}

/**
 * The dequeued caller dials the agent; the agent picks up after `ringSeconds` and the
 * whisper plays to its end (its <Redirect>): the bridge, which is the answer time.
 */
async function answer(h: Harness, call: Call, ringSeconds: number) {
  const dq = h.rest.dequeues().filter((r) => r.callSid === call.sid).at(-1)!;
  const res = await h.post(local(dq.url), callParams(call.sid, call.from));
  const dial = res.twiml!.Dial[0];
  const agentLeg = newSid('CA');
  h.tick(ringSeconds);
  const leg = { ...callParams(agentLeg, call.from), Direction: 'outbound-dial', ParentCallSid: call.sid };
  const whisper = await h.post(local(dial.Client[0].url), leg);
  await h.post(local(whisper.twiml!.Redirect[0]['#text']), leg);
  return { dial, agentLeg };
}

async function hangUpInQueue(h: Harness, call: Call, waited: number) {
  await h.post(local(call.enqueue.action), callParams(call.sid, call.from, { CallStatus: 'completed', QueueResult: 'hangup', QueueSid: call.queueSid, QueueTime: String(waited) }));
  await h.post('/twilio/status', callParams(call.sid, call.from, { CallStatus: 'completed', SequenceNumber: '0' }));
}

const AT = (s: number) => T0 + s * 1000; // T0 = 2026-11-23 09:00 in São Paulo (UTC−3)

/**
 * 09:00–09:15: A answered after 5 s (within 20 s), talk 60 s, wrap 30 s, survey NPS 10 / CSAT 4;
 *              B (Vendas) waits 40 s while Ana is busy and hangs up.
 * 09:15–09:30: C waits 25 s for Ana to come back from a pause, rings 5 s, answered after 30 s (late),
 *              talk 100 s, wrap 30 s;
 *              D hangs up after 2 s (a short abandon: shortAbandonSeconds is 5).
 * The clock then stops at 09:31:00, inside the third interval.
 */
async function twoIntervals(): Promise<Harness> {
  const h = await startHarness();
  harnesses.push(h);
  await login(h, 'ana');
  const a = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
  const legA = await answer(h, a, 5);
  h.tick(0);
  const b = await callIntoQueue(h, ['1', '2'], '+5511987650002'); // t = 5
  h.tick(40);
  await hangUpInQueue(h, b, 40); // t = 45
  h.tick(20);
  const done = await h.post(local(legA.dial.action), callParams(a.sid, a.from, { DialCallStatus: 'completed', DialCallSid: legA.agentLeg, DialCallDuration: '60' })); // t = 65
  const csat = await h.post(local(done.twiml!.Gather[0].action), callParams(a.sid, a.from, { Digits: '10' }));
  await h.post(local(csat.twiml!.Gather[0].action), callParams(a.sid, a.from, { Digits: '4' }));
  await h.post('/twilio/status', callParams(a.sid, a.from, { CallStatus: 'completed', SequenceNumber: '0' }));
  h.tick(30); // t = 95: wrap-up over, A handled

  await login(h, 'ana', 'away');
  h.tick(900); // t = 995 = 09:16:35
  const c = await callIntoQueue(h, ['1', '1', '1'], '+5511987650003');
  h.tick(25);
  await login(h, 'ana'); // t = 1020: C is offered to Ana at once
  const legC = await answer(h, c, 5); // t = 1025
  const d = await callIntoQueue(h, ['1', '2'], '+5511987650004');
  h.tick(2);
  await hangUpInQueue(h, d, 2); // t = 1027
  h.tick(98); // t = 1125
  await h.post(local(legC.dial.action), callParams(c.sid, c.from, { DialCallStatus: 'completed', DialCallSid: legC.agentLeg, DialCallDuration: '100', CallStatus: 'completed' }));
  h.tick(30); // t = 1155
  h.tick(1860 - 1155); // 09:31:00
  expect(h.clock.t).toBe(AT(1860));
  return h;
}

const report = async (h: Harness, q: string) => h.api('GET', `/api/reports/intervals?${q}`);

describe('GET /api/reports/intervals', () => {
  it('15-minute rows are exact, the hour row is their sum, the CSV carries the same numbers', async () => {
    const h = await twoIntervals();
    const r = await report(h, 'from=2026-11-23T09:00&to=2026-11-23T09:30&granularity=15m');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      from: '2026-11-23T09:00:00-03:00', to: '2026-11-23T09:30:00-03:00', timezone: 'America/Sao_Paulo',
      granularity: '15m', intervalMinutes: 15, scope: { kind: 'center', id: null },
      formula: 'offered', thresholdSeconds: 20, target: 0.8, generatedAt: '2026-11-23T09:31:00-03:00',
    });
    expect(r.json.baseIntervals).toBe(2);
    const [first, second, ...rest] = r.json.rows;
    expect(rest).toEqual([]);
    expect(first).toEqual({
      start: '2026-11-23T09:00:00-03:00', end: '2026-11-23T09:15:00-03:00', startMs: AT(0), endMs: AT(900), complete: true, intervals: 1,
      offered: 2, answered: 1, abandoned: 1, shortAbandoned: 0, answeredWithinThreshold: 1, abandonedWithinThreshold: 0,
      serviceLevel: 0.5, asaSeconds: 5, tmaSeconds: 90, abandonRate: 0.5, handled: 1,
      nps: 100, npsResponses: 1, csat: 1, csatResponses: 1, fcr: null, fcrResponses: 0,
      // SAC: waits of 5 s and an abandon, all within the queues' 60 s legal limit; no callbacks.
      legalBreaches: 0, callbacksRequested: 0, callbacksReached: 0, callbacksNotReached: 0, dropped: 0,
    });
    expect(second).toEqual({
      start: '2026-11-23T09:15:00-03:00', end: '2026-11-23T09:30:00-03:00', startMs: AT(900), endMs: AT(1800), complete: true, intervals: 1,
      offered: 1, answered: 1, abandoned: 0, shortAbandoned: 1, answeredWithinThreshold: 0, abandonedWithinThreshold: 0,
      serviceLevel: 0, asaSeconds: 30, tmaSeconds: 130, abandonRate: 0, handled: 1,
      nps: null, npsResponses: 0, csat: null, csatResponses: 0, fcr: null, fcrResponses: 0,
      legalBreaches: 0, callbacksRequested: 0, callbacksReached: 0, callbacksNotReached: 0, dropped: 0,
    });

    // The live core closed the same intervals with the same figures (/api/history).
    const history = await h.api('GET', '/api/history');
    const closed = history.json.intervals.filter((iv: { start: number }) => iv.start >= AT(0));
    expect(closed.map((iv: { start: number; offered: number; answered: number; abandoned: number; serviceLevel: number | null }) =>
      [iv.start, iv.offered, iv.answered, iv.abandoned, iv.serviceLevel])).toEqual([
      [AT(0), 2, 1, 1, 0.5], [AT(900), 1, 1, 0, 0],
    ]);

    // The hour: sums of the counters, then the formulas (SL 1/3, not the mean 25 %).
    const hour = await report(h, 'from=2026-11-23T09:00&to=2026-11-23T10:00&granularity=hour');
    expect(hour.json.rows).toHaveLength(1);
    const row = hour.json.rows[0];
    const sum = (k: string) => first[k] + second[k];
    expect(row).toMatchObject({
      start: '2026-11-23T09:00:00-03:00', end: '2026-11-23T10:00:00-03:00', complete: false, intervals: 3, // 09:30 is still open
      offered: sum('offered'), answered: sum('answered'), abandoned: sum('abandoned'), shortAbandoned: sum('shortAbandoned'),
      answeredWithinThreshold: sum('answeredWithinThreshold'), handled: sum('handled'),
    });
    expect(row.serviceLevel).toBe(1 / 3);
    expect(row.asaSeconds).toBe((5 + 30) / 2);
    expect(row.tmaSeconds).toBe((90 + 130) / 2);
    expect(row.abandonRate).toBe(1 / 3);
    expect(row.nps).toBe(100);
    expect(hour.json.total).toMatchObject({ offered: 3, serviceLevel: 1 / 3 });

    // CSV: same rows, same numbers.
    const csv = await h.atende.app.inject({ method: 'GET', url: '/api/reports/intervals?from=2026-11-23T09:00&to=2026-11-23T09:30&format=csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="atende-center-15m-2026-11-23_2026-11-23.csv"');
    const lines = csv.body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(ROW_FIELDS.join(','));
    expect(lines[0]).not.toContain(';');
    const parsed = lines.slice(1, -1).map((l) => l.split(','));
    expect(parsed).toHaveLength(2);
    parsed.forEach((cells, i) => {
      const json = r.json.rows[i];
      ROW_FIELDS.forEach((f, k) => expect(cells[k], f).toBe(json[f] === null ? '' : String(json[f])));
    });
    expect(parsed[0].slice(0, 8)).toEqual(['2026-11-23T09:00:00-03:00', '2026-11-23T09:15:00-03:00', 'true', '1', '2', '1', '1', '0']);
  });

  it('the whole day: the day row and the open interval equal the live figures', async () => {
    const h = await twoIntervals();
    h.tick(75); // 09:32:15, mid-interval
    const snap = await h.snapshot();
    const live = ['offered', 'answered', 'abandoned', 'shortAbandoned', 'answeredWithinThreshold', 'serviceLevel', 'asaSeconds', 'tmaSeconds', 'abandonRate', 'handled'];
    const pick = (o: Record<string, unknown>) => Object.fromEntries(live.map((k) => [k, o[k]]));

    const day = await report(h, 'from=2026-11-23&to=2026-11-23&granularity=day');
    expect(day.status).toBe(200);
    expect(day.json.from).toBe('2026-11-23T00:00:00-03:00');
    expect(day.json.to).toBe('2026-11-24T00:00:00-03:00');
    expect(day.json.rows).toHaveLength(1);
    expect(day.json.rows[0]).toMatchObject({ start: '2026-11-23T00:00:00-03:00', end: '2026-11-24T00:00:00-03:00', complete: false, intervals: 39 });
    expect(pick(day.json.rows[0])).toEqual(pick(snap.center.today as unknown as Record<string, unknown>));
    expect(day.json.rows[0]).toMatchObject({ nps: 100, npsResponses: 1, csat: 1, csatResponses: 1 }); // the snapshot's NPS is rolling

    // Default range = today so far; its last 15-minute row is the live open interval.
    const today = await report(h, '');
    expect(today.json.from).toBe('2026-11-23T00:00:00-03:00');
    const rows = today.json.rows;
    expect(rows).toHaveLength(39); // 00:00 … 09:30
    const open = rows.at(-1);
    expect(open).toMatchObject({ start: '2026-11-23T09:30:00-03:00', complete: false, offered: 0 });
    const liveOpen = h.atende.engine.core.metrics.openInterval({ kind: 'center' });
    expect(open.startMs).toBe(liveOpen.start);
    expect(pick(open)).toEqual(pick(liveOpen.figures as unknown as Record<string, unknown>));
    expect(pick(today.json.total)).toEqual(pick(snap.center.today as unknown as Record<string, unknown>));

    // The same per queue: Vendas had B (abandoned) and D (short abandon) only.
    const vendas = await report(h, 'scope=queue&id=vendas&granularity=day');
    expect(vendas.json.rows[0]).toMatchObject({ offered: 1, answered: 0, abandoned: 1, shortAbandoned: 1, serviceLevel: 0 });
    expect(pick(vendas.json.rows[0])).toEqual(pick(snap.queues.find((q) => q.id === 'vendas')!.today as unknown as Record<string, unknown>));
    const tier3 = await report(h, 'scope=tier&id=3&granularity=day');
    expect(tier3.json.rows[0]).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });

    // After a restart the replayed core gives the same report.
    await h.restart();
    expect((await report(h, 'from=2026-11-23&to=2026-11-23&granularity=15m')).json.rows).toEqual((await report(h, '')).json.rows);
  });

  it('the interval ending at the daily reset is reported although the live core drops it at midnight', async () => {
    const h = await startHarness({ startAt: Date.UTC(2026, 10, 24, 2, 50) }); // 23:50 in São Paulo
    harnesses.push(h);
    await login(h, 'ana');
    const a = await callIntoQueue(h, ['1', '1', '1'], '+5511987650005');
    const leg = await answer(h, a, 5);
    h.tick(60);
    await h.post(local(leg.dial.action), callParams(a.sid, a.from, { DialCallStatus: 'completed', DialCallSid: leg.agentLeg, DialCallDuration: '60', CallStatus: 'completed' }));
    h.tick(30);
    h.tick(1800); // 00:21:35 on the 24th
    expect((await h.api('GET', '/api/history')).json.intervals.filter((iv: { offered: number }) => iv.offered > 0)).toEqual([]);
    expect((await h.snapshot()).center.today.offered).toBe(0);

    const r = await report(h, 'from=2026-11-23T23:30&to=2026-11-24T00:15');
    expect(r.json.rows.map((x: { start: string; offered: number; handled: number }) => [x.start, x.offered, x.handled])).toEqual([
      ['2026-11-23T23:30:00-03:00', 0, 0], ['2026-11-23T23:45:00-03:00', 1, 1], ['2026-11-24T00:00:00-03:00', 0, 0],
    ]);
    const days = await report(h, 'from=2026-11-23&to=2026-11-24&granularity=day');
    expect(days.json.rows.map((x: { start: string; offered: number; complete: boolean; intervals: number }) => [x.start, x.offered, x.complete, x.intervals])).toEqual([
      ['2026-11-23T00:00:00-03:00', 1, true, 96], ['2026-11-24T00:00:00-03:00', 0, false, 2],
    ]);
  });

  it.each([
    ['a malformed from', 'from=yesterday', 'from'],
    ['an impossible date', 'from=2026-02-30', 'from'],
    ['to before from', 'from=2026-11-23T10:00&to=2026-11-23T09:00', 'to'],
    ['more than 400 days', 'from=2025-10-01&to=2026-11-23', 'to'],
    ['an unknown granularity', 'granularity=week', 'granularity'],
    ['an unknown scope', 'scope=team', 'scope'],
    ['scope=agent without id', 'scope=agent', 'id'],
    ['an unknown agent', 'scope=agent&id=nobody', 'id'],
    ['an unknown format', 'format=xml', 'format'],
    ['scope=queue without id', 'scope=queue', 'id'],
    ['an unknown queue', 'scope=queue&id=nope', 'id'],
    ['a tier out of range', 'scope=tier&id=9', 'id'],
    ['an id with scope=center', 'id=vendas', 'id'],
    ['an unknown parameter', 'queue=vendas', 'queue'],
  ])('400 on %s', async (_name, q, parameter) => {
    const h = await startHarness();
    harnesses.push(h);
    const r = await report(h, q);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ statusCode: 400, code: 'ATENDE_ERR_BAD_INPUT', error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${parameter}: `)) });
  });

  it('an empty log gives zero rows for the range, epoch-ms bounds work, the range ends at now', async () => {
    const h = await startHarness();
    harnesses.push(h);
    h.tick(1800); // 09:30
    const r = await report(h, `from=${AT(-3600)}&to=${AT(7200)}`);
    expect(r.status).toBe(200);
    expect(r.json.baseIntervals).toBe(7);
    expect(r.json.rows.map((x: { start: string }) => x.start)).toEqual([
      '2026-11-23T08:00:00-03:00', '2026-11-23T08:15:00-03:00', '2026-11-23T08:30:00-03:00', '2026-11-23T08:45:00-03:00',
      '2026-11-23T09:00:00-03:00', '2026-11-23T09:15:00-03:00', '2026-11-23T09:30:00-03:00',
    ]);
    expect(r.json.rows.every((x: { offered: number; serviceLevel: null }) => x.offered === 0 && x.serviceLevel === null)).toBe(true);
    expect(r.json.rows.at(-1).complete).toBe(false);
  });
});

describe('report helpers', () => {
  const zone = new Zone('America/Sao_Paulo');
  it('parses bounds in the center zone, with Z, offsets and "+" turned into a space', () => {
    expect(parseBound('2026-11-23', 'from', zone)).toBe(Date.UTC(2026, 10, 23, 3));
    expect(parseBound('2026-11-23', 'to', zone)).toBe(Date.UTC(2026, 10, 24, 3));
    expect(parseBound('2026-11-23T09:15', 'from', zone)).toBe(AT(900));
    expect(parseBound('2026-11-23T12:15:00Z', 'from', zone)).toBe(AT(900));
    expect(parseBound('2026-11-23T13:15:00+01:00', 'from', zone)).toBe(AT(900));
    expect(parseBound('2026-11-23T13:15:00 01:00', 'from', zone)).toBe(AT(900));
    expect(parseBound(String(AT(5)), 'from', zone)).toBe(AT(5));
    expect(parseBound('2026-13-01', 'from', zone)).toBeNull();
    expect(zone.iso(AT(900))).toBe('2026-11-23T09:15:00-03:00');
    expect(new Zone('Asia/Kolkata').iso(AT(0))).toBe('2026-11-23T17:30:00+05:30');
  });

  it('CSV quoting: commas, quotes and line breaks are quoted, null is empty', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(toCsv([], ['start', 'end'])).toBe('start,end\r\n');
  });
});

describe('SAC callbacks in the interval reports', () => {
  it('counts requests, customers reached, callbacks never reached and drops in the interval each happened in, in the CSV too', async () => {
    const h = await startHarness({
      settings: testSettings((x) => { x.callbacks!.maxAttempts = 1; }),
    });
    harnesses.push(h);
    const engine = h.atende.engine;
    let n = 0;
    const send = async (s: number, e: Record<string, unknown>) => {
      h.clock.t = AT(s);
      const r = await engine.submit({ id: `r${n++}`, at: AT(s), ...e } as Parameters<typeof engine.submit>[0]);
      expect(r.ok, `${JSON.stringify(e)} at ${s} s: ${JSON.stringify(r)}`).toBe(true);
    };
    const queued = async (s: number, callId: string, queue = 'suporte') => {
      await send(s, { type: 'call.arrived', callId, from: `+55119876500${callId.slice(-2)}` });
      await send(s, { type: 'call.ivr', callId, path: ['1', '1', '1'] });
      await send(s, { type: 'call.queued', callId, queue });
    };
    // 09:00–09:15: c01 asks for a callback and is reached; c02 is answered, then its call drops.
    await queued(0, 'CA01');
    await send(30, { type: 'call.callback-requested', callId: 'CA01', number: '+5511988880001' });
    await send(60, { type: 'agent.state', agentId: 'ana', state: 'available' });
    await send(62, { type: 'call.answered', callId: 'CA01', agentId: 'ana' });
    await send(70, { type: 'call.callback-attempt', callId: 'CA01', result: 'answered' });
    await send(200, { type: 'call.ended', callId: 'CA01', by: 'agent' });
    await queued(300, 'CA02');
    await send(305, { type: 'call.answered', callId: 'CA02', agentId: 'ana' }); // ana was free again: offered at once
    await send(500, { type: 'call.dropped', callId: 'CA02' });
    // 09:15–09:30: c03 (Vendas) asks for a callback; its only attempt finds nobody: not reached.
    // (c02's callback waits in Suporte, where ana missed it; nobody of Vendas is logged in until diego.)
    await queued(1000, 'CA03', 'vendas');
    await send(1010, { type: 'call.callback-requested', callId: 'CA03', number: '+5511988880003' });
    await send(1100, { type: 'agent.state', agentId: 'diego', state: 'available' });
    await send(1101, { type: 'call.answered', callId: 'CA03', agentId: 'diego' });
    await send(1120, { type: 'call.callback-attempt', callId: 'CA03', result: 'no-answer' });
    h.tick(1860 - 1120);
    await h.atende.idle();

    const r = await report(h, 'from=2026-11-23T09:00&to=2026-11-23T09:30&granularity=15m');
    expect(r.status).toBe(200);
    const pick = (row: Record<string, number>) => [row.callbacksRequested, row.callbacksReached, row.callbacksNotReached, row.dropped];
    expect(r.json.rows.map(pick)).toEqual([[1, 1, 0, 1], [1, 0, 1, 0]]);
    expect(pick(r.json.total)).toEqual([2, 1, 1, 1]);
    const csv = await h.atende.app.inject({ method: 'GET', url: '/api/reports/intervals?from=2026-11-23T09:00&to=2026-11-23T09:30&format=csv' });
    const [head, first, second] = csv.body.split('\r\n').map((l) => l.split(','));
    const col = (name: string) => head.indexOf(name);
    expect(['callbacksRequested', 'callbacksReached', 'callbacksNotReached', 'dropped'].map((k) => [first[col(k)], second[col(k)]]))
      .toEqual([['1', '1'], ['1', '0'], ['0', '1'], ['1', '0']]);
  });
});
