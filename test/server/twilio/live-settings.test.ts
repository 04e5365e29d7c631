// The TwiML follows the settings in force when it is built: a supervisor's live
// change, or a new settings object in `fastify.settings`, shows in the very next
// answer, with no restart.
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../server/config/types.ts';
import { callParams, local, newSid, saysOf, type Harness, type TwimlNode } from '../../helpers/twilio.ts';
import { callIntoQueue, connect, harness, holdOnce, login } from './call-steps.ts';

/** Replaces the settings in force, as a live change does (a new object in the one owner). */
function changeSettings(h: Harness, change: (s: Settings) => void): void {
  const next = structuredClone(h.atende.app.settings.current);
  change(next);
  h.atende.app.settings.current = next;
}

describe('Twilio edge: live settings', () => {
  it('PATCH /api/settings offerTimeoutSeconds: the next agent <Dial> rings that long', async () => {
    const h = await harness();
    const patched = await h.atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: { offerTimeoutSeconds: 35 } });
    expect(patched.statusCode, patched.body).toBe(200);
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    await holdOnce(h, call);
    const { dial } = await connect(h, call, 'ana');
    expect(dial.timeout).toBe('35');
  });

  it('menus, hold, wait announcement and survey texts come from the settings in force, not those at start', async () => {
    const h = await harness();
    const call = await callIntoQueue(h, ['1', '1', '1']); // queued under the settings at start
    expect(saysOf((await holdOnce(h, call)).twiml!)[0]).toMatch(/^Você é o 1º/);

    changeSettings(h, (s) => {
      s.ivr.greeting['pt-BR'] = 'Bem-vindo de novo.';
      s.ivr.menu.prompt['pt-BR'] = 'Menu novo: suporte 1, vendas 2.';
      s.ivr.gatherTimeoutSeconds = 9;
      s.ivr.waitAnnouncement['pt-BR'] = 'Posição {position}.';
      s.ivr.waitCycleSeconds = 7;
      s.survey.thanks['pt-BR'] = 'Valeu!';
    });

    // The caller already waiting hears the new announcement and holds the new cycle.
    const wait = await holdOnce(h, call);
    expect(saysOf(wait.twiml!)).toEqual(['Posição 1.']);
    expect(wait.twiml!.Pause[0].length).toBe('7');

    // A new caller gets the new greeting, timeouts and menu.
    const sid = newSid('CA');
    const from = '+5511987651234';
    const greeted = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    expect(saysOf(greeted.twiml!)[0]).toBe('Bem-vindo de novo.');
    expect(greeted.twiml!.Gather[0].timeout).toBe('9');
    const menu = await h.post(local(greeted.twiml!.Gather[0].action), callParams(sid, from, { Digits: '1' }));
    expect(saysOf(menu.twiml!)).toEqual(['Menu novo: suporte 1, vendas 2.']);

    const thanks = await h.post('/twilio/survey?step=csat&lang=pt-BR&attempt=2', callParams(call.sid, call.from, { Digits: '' }));
    expect(saysOf(thanks.twiml!)).toEqual(['Valeu!']);
  });

  it('numbers Twilio wants as integers: a fractional or out-of-range offer timeout is refused naming the field; the TwiML never carries a fraction', async () => {
    const h = await harness();
    for (const bad of [20.5, 4, 601]) {
      const refused = await h.atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: { offerTimeoutSeconds: bad } });
      expect(refused.statusCode, String(bad)).toBe(400);
      expect(refused.json().message).toContain('/offerTimeoutSeconds');
    }
    expect((await h.atende.app.inject({ method: 'PATCH', url: '/api/settings', payload: { offerTimeoutSeconds: 600 } })).statusCode).toBe(200);

    // Every timeout and length in every document of a call: whole seconds.
    const numbers: string[] = [];
    const collect = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n as TwimlNode)) {
        if (k === 'timeout' || k === 'length') numbers.push(String(v));
        else collect(v);
      }
    };
    await login(h, 'ana');
    const call = await callIntoQueue(h, ['1', '1', '1']);
    collect(call.enqueue);
    collect((await holdOnce(h, call)).twiml);
    const { dial } = await connect(h, call, 'ana');
    collect(dial);
    const sid = newSid('CA');
    collect((await h.post('/twilio/voice', callParams(sid, '+5511987651299', { CallStatus: 'ringing' }))).twiml);
    expect(numbers).toContain('600');
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    for (const n of numbers) expect(n).toMatch(/^[0-9]+$/);
  });
});
