// Alerts away from the TV, on a whole Atende with the test clock: rules fire after
// their condition held long enough (not before), resolve by themselves, respect the
// cooldown and the quiet hours, and their notices reach a local webhook receiver in
// the Slack, Teams and JSON shapes, retried after a failure. Exact times and values.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertsSetting, AlertView } from '../../../server/contract.ts';
import { parseSettings } from '../../../server/config/load.ts';
import type { DomainEvent } from '../../../routing/types.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { T0 } from '../../helpers/core.ts';
import { testSettings } from '../../helpers/twilio.ts';
import { Receiver } from './receiver.ts';

const SEC = 1000, MIN = 60_000;
let apps: TestApp[] = [];
let receiver: Receiver;
beforeEach(async () => { receiver = new Receiver(); await receiver.start(); });
afterEach(async () => {
  for (const a of apps) await a.close().catch(() => {});
  apps = [];
  await receiver.close();
});

/** A center with these alert settings (validated and defaulted as the settings file would be). */
async function center(alerts: { rules: object[]; destinations: object[] }): Promise<TestApp> {
  const s = testSettings();
  const app = await buildTestApp({ settings: parseSettings({ ...s, alerts }) });
  app.app.alerts.tuning.retryDelaysMs = [20, 40];
  apps.push(app);
  return app;
}

let n = 0;
function at(app: TestApp, seconds: number): void { app.clock.now = T0 + seconds * SEC; }
function send(app: TestApp, e: Record<string, unknown>): void {
  const r = app.engine.dispatch({ id: `t${n++}`, at: app.clock.now, ...e } as DomainEvent);
  expect(r.ok, JSON.stringify(r)).toBe(true);
}
function queueCall(app: TestApp, callId: string, queue: string): void {
  send(app, { type: 'call.arrived', callId, from: `+5511970000${String(n).padStart(3, '0')}` });
  send(app, { type: 'call.ivr', callId, path: ['1'] });
  send(app, { type: 'call.queued', callId, queue });
}
/** Evaluates at this time; answers the transitions as "fire rule/queue" / "resolve rule/queue". */
function evaluateAt(app: TestApp, seconds: number): string[] {
  at(app, seconds);
  return app.app.alerts.evaluate().map((t) => `${t.type} ${t.rule.id}/${t.queue.id}`);
}
const audit = (app: TestApp) => app.storage.audit.recent(100).reverse().filter((e) => e.action.startsWith('alert.'));

describe('serviceLevelBelowTarget', () => {
  it('fires once SL has stayed below target for forMinutes (not a second before), delivers to Slack and Teams, resolves by itself', async () => {
    const app = await center({
      rules: [{ id: 'ns-suporte', kind: 'serviceLevelBelowTarget', queues: ['suporte'], forMinutes: 5, severity: 'critical' }],
      destinations: [
        { id: 'slack', format: 'slack', url: `${receiver.url}/slack` },
        { id: 'teams', format: 'teams', url: `${receiver.url}/teams` },
      ],
    });
    // One suporte caller gives up after 40 s: offered 1, answered 0 → SL 0 % against 80 %.
    at(app, 0);
    queueCall(app, 'c1', 'suporte');
    at(app, 40);
    send(app, { type: 'call.abandoned', callId: 'c1' });
    expect(evaluateAt(app, 40)).toEqual([]);
    expect(evaluateAt(app, 40 + 5 * 60 - 1)).toEqual([]);
    expect(evaluateAt(app, 40 + 5 * 60)).toEqual(['fire ns-suporte/suporte']);
    expect(evaluateAt(app, 40 + 5 * 60)).toEqual([]); // the same instant again changes nothing

    const [alert] = app.app.alerts.list();
    expect(alert).toMatchObject({
      id: `ns-suporte:suporte:${T0 + 340 * SEC}`, ruleId: 'ns-suporte', kind: 'serviceLevelBelowTarget', severity: 'critical',
      queue: 'suporte', queueName: 'Suporte', state: 'firing', firedAt: T0 + 340 * SEC, resolvedAt: null, value: 0, limit: 0.8,
      message: 'Suporte: nível de serviço 0,0 % abaixo da meta 80,0 % há 5 min',
    });
    await app.app.alerts.idle();
    expect(alert.deliveries.map((d) => [d.destination, d.phase, d.state, d.attempts])).toEqual([['slack', 'fired', 'delivered', 1], ['teams', 'fired', 'delivered', 1]]);

    // Slack incoming webhook: {text, blocks} with a header, a section and a context.
    const slack = receiver.to('/slack')[0];
    expect(slack.contentType).toMatch(/^application\/json/);
    expect(slack.body).toEqual({
      text: '[Crítico] Nível de serviço abaixo da meta — Suporte: Suporte: nível de serviço 0,0 % abaixo da meta 80,0 % há 5 min',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[Crítico] Nível de serviço abaixo da meta — Suporte', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: ':red_circle: Suporte: nível de serviço 0,0 % abaixo da meta 80,0 % há 5 min' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '*Central:* Central de Atendimento Atende  ·  *Gravidade:* Crítico  ·  *Regra:* ns-suporte  ·  *Quando:* 2026-11-23T09:05:40-03:00' }] },
      ],
    });
    // Teams (Workflows / incoming webhook): a message with one Adaptive Card attachment.
    const teams = receiver.to('/teams')[0].body as { type: string; attachments: { contentType: string; contentUrl: null; content: Record<string, unknown> }[] };
    expect(teams.type).toBe('message');
    expect(teams.attachments).toHaveLength(1);
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0].contentUrl).toBeNull();
    expect(teams.attachments[0].content).toEqual({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: '[Crítico] Nível de serviço abaixo da meta — Suporte', weight: 'Bolder', size: 'Medium', wrap: true, color: 'Attention' },
        { type: 'TextBlock', text: 'Suporte: nível de serviço 0,0 % abaixo da meta 80,0 % há 5 min', wrap: true },
        { type: 'FactSet', facts: [
          { title: 'Central', value: 'Central de Atendimento Atende' },
          { title: 'Fila', value: 'Suporte' },
          { title: 'Gravidade', value: 'Crítico' },
          { title: 'Regra', value: 'ns-suporte' },
          { title: 'Quando', value: '2026-11-23T09:05:40-03:00' },
        ] },
      ],
    });

    // The abandon leaves the 30-minute window at 40 s + 30 min: nothing offered, SL unknown → resolved.
    expect(evaluateAt(app, 40 + 30 * 60 - 1)).toEqual([]);
    expect(evaluateAt(app, 40 + 30 * 60)).toEqual(['resolve ns-suporte/suporte']);
    await app.app.alerts.idle();
    expect(alert).toMatchObject({ state: 'resolved', resolvedAt: T0 + (40 + 1800) * SEC });
    expect((receiver.to('/slack')[1].body as { text: string }).text)
      .toBe('[Resolvido] Nível de serviço abaixo da meta — Suporte: Suporte: nível de serviço abaixo da meta — normalizado');
    expect(audit(app).map((e) => [e.action, e.actor, e.target, (e.after as { destination?: string }).destination ?? null])).toEqual([
      ['alert.fired', 'alerts (automatic)', alert.id, null],
      ['alert.delivered', 'alerts (automatic)', alert.id, 'slack'],
      ['alert.delivered', 'alerts (automatic)', alert.id, 'teams'],
      ['alert.resolved', 'alerts (automatic)', alert.id, null],
      ['alert.delivered', 'alerts (automatic)', alert.id, 'slack'],
      ['alert.delivered', 'alerts (automatic)', alert.id, 'teams'],
    ]);
  });
});

describe('cooldown and quiet hours', () => {
  it('after firing, the same rule and queue fires again only cooldownMinutes later', async () => {
    const app = await center({
      rules: [{ id: 'espera', kind: 'longestWaitAbove', queues: ['vendas'], waitSeconds: 60, cooldownMinutes: 10 }],
      destinations: [{ id: 'hook', format: 'json', url: `${receiver.url}/hook` }],
    });
    at(app, 0);
    queueCall(app, 'v1', 'vendas');
    expect(evaluateAt(app, 60)).toEqual([]); // 60 s is not above 60 s
    expect(evaluateAt(app, 61)).toEqual(['fire espera/vendas']);
    at(app, 62);
    send(app, { type: 'call.abandoned', callId: 'v1' });
    queueCall(app, 'v2', 'vendas');
    expect(evaluateAt(app, 62)).toEqual(['resolve espera/vendas']);
    // v2 has waited more than 60 s from 123 s on, but the rule fired at 61 s: quiet until 61 s + 10 min.
    expect(evaluateAt(app, 123)).toEqual([]);
    expect(evaluateAt(app, 61 + 600 - 1)).toEqual([]);
    expect(evaluateAt(app, 61 + 600)).toEqual(['fire espera/vendas']);
    await app.app.alerts.idle();
    const bodies = receiver.to('/hook').map((r) => r.body as { type: string; event: string; alert: AlertView });
    expect(bodies.map((b) => [b.type, b.event, b.alert.queue, b.alert.value])).toEqual([
      ['atende.alert', 'fired', 'vendas', 61], ['atende.alert', 'resolved', 'vendas', 61], ['atende.alert', 'fired', 'vendas', 599],
    ]);
    expect(bodies[2].alert.message).toBe('Vendas: maior espera 9:59 acima de 1:00');
  });

  it('fires nothing inside quiet hours (center time zone); fires when they end if the condition still holds', async () => {
    // T0 is 09:00 in São Paulo.
    const app = await center({
      rules: [{ id: 'sem-agente', kind: 'noAgentAvailable', queues: ['financeiro'], quietHours: { from: '08:00', to: '09:30' }, severity: 'warning' }],
      destinations: [{ id: 'hook', format: 'json', url: `${receiver.url}/hook` }],
    });
    at(app, 0);
    queueCall(app, 'f1', 'financeiro');
    expect(evaluateAt(app, 0)).toEqual([]);
    expect(evaluateAt(app, 30 * 60 - 1)).toEqual([]); // 09:29:59
    expect(evaluateAt(app, 30 * 60)).toEqual(['fire sem-agente/financeiro']); // 09:30:00
    expect(app.app.alerts.list()[0].message).toBe('Financeiro: 1 em espera e nenhum atendente disponível');
    // An available agent with the skill: resolved (a resolution is never held back).
    at(app, 30 * 60 + 5);
    send(app, { type: 'agent.state', agentId: 'gabriela', state: 'away', reason: 'almoço' });
    expect(app.app.alerts.evaluate()).toEqual([]);
    send(app, { type: 'call.abandoned', callId: 'f1' });
    expect(evaluateAt(app, 30 * 60 + 5)).toEqual(['resolve sem-agente/financeiro']);
  });
});

describe('delivery', () => {
  it('retries after a 500 from the receiver, then delivers; gives up after the last retry; a 404 fails at once', async () => {
    const app = await center({
      rules: [{ id: 'espera', kind: 'longestWaitAbove', waitSeconds: 10, queues: ['suporte'], severity: 'warning' }],
      destinations: [
        { id: 'flaky', format: 'json', url: `${receiver.url}/flaky` },
        { id: 'down', format: 'slack', url: `${receiver.url}/down` },
        { id: 'wrong', format: 'teams-messagecard', url: `${receiver.url}/wrong` },
        { id: 'critical-only', format: 'json', url: `${receiver.url}/critical`, minSeverity: 'critical' },
      ],
    });
    receiver.answer('/flaky', 500);
    receiver.answer('/down', 500, 503, 502);
    receiver.answer('/wrong', 404);
    at(app, 0);
    queueCall(app, 's1', 'suporte');
    expect(evaluateAt(app, 11)).toEqual(['fire espera/suporte']);
    const alert = app.app.alerts.list()[0];
    // Before any answer: pending.
    expect(alert.deliveries.map((d) => d.state)).toEqual(['pending', 'pending', 'pending']);
    await app.app.alerts.idle();
    expect(alert.deliveries.map((d) => ({ to: d.destination, state: d.state, attempts: d.attempts, error: d.lastError }))).toEqual([
      { to: 'flaky', state: 'delivered', attempts: 2, error: null },
      { to: 'down', state: 'failed', attempts: 3, error: 'HTTP 502' },
      { to: 'wrong', state: 'failed', attempts: 1, error: 'HTTP 404' },
    ]);
    expect(receiver.to('/flaky')).toHaveLength(2);
    expect(receiver.to('/flaky')[1].body).toEqual(receiver.to('/flaky')[0].body);
    expect(receiver.to('/down')).toHaveLength(3);
    expect(receiver.to('/critical')).toHaveLength(0);
    // The legacy MessageCard shape.
    expect(receiver.to('/wrong')[0].body).toEqual({
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: '[Atenção] Espera longa — Suporte',
      themeColor: 'FFB900',
      title: '[Atenção] Espera longa — Suporte',
      text: 'Suporte: maior espera 0:11 acima de 0:10',
      sections: [{ facts: [
        { name: 'Central', value: 'Central de Atendimento Atende' },
        { name: 'Fila', value: 'Suporte' },
        { name: 'Gravidade', value: 'Atenção' },
        { name: 'Regra', value: 'espera' },
        { name: 'Quando', value: '2026-11-23T09:00:11-03:00' },
      ] }],
    });
    const outcomes = audit(app).filter((e) => e.action !== 'alert.fired').map((e) => [e.action, e.after]);
    expect(outcomes).toEqual(expect.arrayContaining([
      ['alert.delivered', { destination: 'flaky', phase: 'fired', attempts: 2 }],
      ['alert.failed', { destination: 'down', phase: 'fired', attempts: 3, error: 'HTTP 502' }],
      ['alert.failed', { destination: 'wrong', phase: 'fired', attempts: 1, error: 'HTTP 404' }],
    ]));
    expect(outcomes).toHaveLength(3);
  });

  it('a network failure (nobody listening) is retried, then fails, and says why', async () => {
    const dead = new Receiver();
    const url = await dead.start();
    await dead.close();
    const app = await center({
      rules: [{ id: 'espera', kind: 'longestWaitAbove', waitSeconds: 0, queues: ['suporte'] }],
      destinations: [{ id: 'gone', format: 'json', url: `${url}/x` }],
    });
    at(app, 0);
    queueCall(app, 's1', 'suporte');
    expect(evaluateAt(app, 1)).toEqual(['fire espera/suporte']);
    await app.app.alerts.idle();
    const d = app.app.alerts.list()[0].deliveries[0];
    expect(d).toMatchObject({ state: 'failed', attempts: 3 });
    expect(d.lastError).toMatch(/ECONNREFUSED/);
  });
});

describe('abandons per hour, settings changed live, the API', () => {
  it('counts the abandons of the last 60 minutes; a rule added live is evaluated at once; supervisors list and acknowledge', async () => {
    const app = await center({ rules: [], destinations: [] });
    const sup = (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) => app.app.inject({ method, url, ...(payload ? { payload } : {}) });
    // A bad rule is refused with the field named, as any settings change.
    for (const [alerts, message] of [
      [{ rules: [{ id: 'x', kind: 'abandonsPerHourAbove', queues: ['nada'], abandonsPerHour: 2 }] }, '/alerts/rules/0/queues/0: no queue "nada" (queues are suporte, vendas, financeiro)'],
      [{ rules: [{ id: 'x', kind: 'serviceLevelBelowTarget' }] }, '/alerts/rules/0/forMinutes: is required'],
      [{ destinations: [{ id: 'd', format: 'email', url: 'https://x' }] }, '/alerts/destinations/0/format: must be one of "slack", "teams", "teams-messagecard", "json", got "email"'],
    ] as [object, string][]) {
      const res = await sup('PATCH', '/api/settings', { alerts });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'ATENDE_ERR_INVALID_SETTINGS', message });
    }
    const ok = await sup('PATCH', '/api/settings', { alerts: { rules: [{ id: 'abandonos', kind: 'abandonsPerHourAbove', abandonsPerHour: 2 }] } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().alerts.rules[0]).toEqual({ id: 'abandonos', kind: 'abandonsPerHourAbove', abandonsPerHour: 2, severity: 'warning', cooldownMinutes: 15, enabled: true });

    // Three vendas callers give up (40 s each; a 3 s one is a short abandon and does not count).
    for (const [i, s] of [[1, 0], [2, 60], [3, 120]]) {
      at(app, s);
      queueCall(app, `v${i}`, 'vendas');
      at(app, s + 40);
      send(app, { type: 'call.abandoned', callId: `v${i}` });
    }
    at(app, 200);
    queueCall(app, 'short', 'vendas');
    at(app, 203);
    send(app, { type: 'call.abandoned', callId: 'short' });
    expect(evaluateAt(app, 203)).toEqual(['fire abandonos/vendas']);
    expect(app.app.abandonsLastHour('vendas')).toBe(3);
    const list = (await sup('GET', '/api/alerts')).json().alerts as AlertView[];
    expect(list.map((a) => [a.ruleId, a.queue, a.value, a.limit, a.message])).toEqual([
      ['abandonos', 'vendas', 3, 2, 'Vendas: 3 abandonos na última hora (limite 2)'],
    ]);
    const ack = await sup('POST', `/api/alerts/${encodeURIComponent(list[0].id)}/acknowledge`);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ acknowledgedBy: 'anonymous (open access)', acknowledgedAt: T0 + 203 * SEC, state: 'firing' });
    expect((await sup('POST', '/api/alerts/nope/acknowledge')).json()).toMatchObject({ statusCode: 404, code: 'ATENDE_ERR_UNKNOWN_ALERT' });
    // The first abandon (at 40 s) leaves the hour at 40 s + 60 min: 2 left, not above 2.
    expect(evaluateAt(app, 40 + 3600 - 1)).toEqual([]);
    expect(evaluateAt(app, 40 + 3600)).toEqual(['resolve abandonos/vendas']);
    // Removing the rule live resolves nothing more (already resolved) and forgets it.
    expect((await sup('PATCH', '/api/settings', { alerts: { rules: [] } })).statusCode).toBe(200);
    expect(evaluateAt(app, 40 + 3601)).toEqual([]);
  });

  it('a rule removed or disabled while firing resolves its alert', async () => {
    const app = await center({ rules: [{ id: 'espera', kind: 'longestWaitAbove', waitSeconds: 5, queues: ['suporte'] }], destinations: [] });
    at(app, 0);
    queueCall(app, 's1', 'suporte');
    expect(evaluateAt(app, 6)).toEqual(['fire espera/suporte']);
    const res = await app.app.inject({ method: 'PATCH', url: '/api/settings', payload: { alerts: { rules: [{ id: 'espera', kind: 'longestWaitAbove', waitSeconds: 5, queues: ['suporte'], enabled: false }] } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(evaluateAt(app, 7)).toEqual(['resolve espera/suporte']);
    expect(audit(app).at(-1)).toMatchObject({ action: 'alert.resolved', after: { why: 'rule-removed' } });
  });
});

describe('queueClosedByEmergency', () => {
  it('fires when a supervisor closes a queue as an emergency, holds through the schedule\'s own closing edge (the supervisor\'s closure wins), resolves when it reopens', async () => {
    const app = await center({ rules: [{ id: 'emerg', kind: 'queueClosedByEmergency', severity: 'critical' }], destinations: [] });
    at(app, 0);
    send(app, { type: 'queue.closed', queue: 'vendas', reason: 'sistema fora do ar', emergency: true, by: 'supervisor' });
    expect(app.app.alerts.list().map((a) => [a.ruleId, a.queue, a.state])).toEqual([['emerg', 'vendas', 'firing']]);
    // Business hours end while the emergency closure stands: the queue stays closed by the emergency.
    at(app, 60);
    send(app, { type: 'queue.closed', queue: 'vendas', reason: 'hours', by: 'schedule' });
    expect(app.engine.core.queueState('vendas')).toMatchObject({ open: false, emergency: true, by: 'supervisor' });
    expect(evaluateAt(app, 61)).toEqual([]);
    expect(app.app.alerts.list().map((a) => [a.queue, a.state])).toEqual([['vendas', 'firing']]);
    at(app, 120);
    send(app, { type: 'queue.opened', queue: 'vendas', by: 'supervisor' });
    expect(app.app.alerts.list().map((a) => [a.queue, a.state, a.resolvedAt])).toEqual([['vendas', 'resolved', T0 + 120 * SEC]]);
  });
});
