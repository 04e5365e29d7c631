// A callback at a closed queue, to the caller ID or a typed number (issue 15): the offer
// reads the caller ID back (1 takes it, 2 asks for another number: DDD and number, then #);
// a withheld caller ID presses 1 and types one. Nobody is ever enqueued into the closed
// queue, and the number called back when the place reaches an agent is the one chosen.
// The wait's offer asks for the number with the same steps (callback-number.ts).
import { describe, expect, it } from 'vitest';
import { callParams, local, newSid, saysOf, testSettings, type Harness, type TwimlNode } from '../../helpers/twilio.ts';
import { callIntoQueue, harness, holdOnce, login } from './call-steps.ts';

const oneLanguage = () => testSettings((s) => { s.ivr.languages = s.ivr.languages.slice(0, 1); });

/** Every TwiML answer of the call, so a test can say none of them was <Enqueue>. */
async function closedCall(h: Harness, from: string) {
  const sid = newSid('CA');
  const answers: TwimlNode[] = [];
  const post = async (url: string, extra: Record<string, string> = {}) => {
    const res = await h.post(url, callParams(sid, from, extra));
    expect(res.status, res.body).toBe(200);
    answers.push(res.twiml!);
    return res.twiml!;
  };
  let res = await post('/twilio/voice');
  res = await post(local(res.Gather[0].action), { Digits: '2' }); // vendas
  return { sid, answers, offer: res, post };
}

async function closeVendas(h: Harness) {
  const closed = await h.api('POST', '/api/queues/vendas/close', { reason: 'Sistema fora do ar' });
  expect(closed.status, JSON.stringify(closed.json)).toBe(200);
}

/** Vendas opens again and ana (who sells) logs in: the callback is placed; returns the number her leg <Dial>s. */
async function calledBack(h: Harness, sid: string): Promise<string> {
  await h.api('POST', '/api/queues/vendas/open', {});
  await login(h, 'ana');
  await h.atende.idle();
  const created = h.rest.creates();
  expect(created).toHaveLength(1);
  expect(h.atende.engine.core.call(sid)).toMatchObject({ status: 'offering', agentId: 'ana' });
  const leg = await h.post(local(created[0].url), { ...callParams(created[0].callSid, '+551130001000'), To: 'client:ana', Direction: 'outbound-api' });
  return /<Number [^>]*>([^<]*)<\/Number>/.exec(leg.body)![1];
}

describe('Twilio edge: a callback at a closed queue, to the caller ID or a typed number', () => {
  it('the caller ID read back in the offer; 2 and a typed number: that number is registered and called back; never <Enqueue>', async () => {
    const h = await harness({ settings: oneLanguage() });
    await closeVendas(h);
    const { sid, answers, offer, post } = await closedCall(h, '+5511987650001');
    expect(saysOf(offer.Gather[0])).toEqual([
      'Para receber uma ligação de retorno no número 1 1 9 8 7 6 5 0 0 0 1 assim que abrirmos, tecle 1. Para informar outro número, tecle 2.',
    ]);
    const ask = await post(local(offer.Gather[0].action), { Digits: '2' });
    expect(ask.Gather[0]).toMatchObject({ numDigits: '13', finishOnKey: '#' });
    expect(saysOf(ask.Gather[0])).toEqual(['Digite o número com o DDD e tecle sustenido.']);
    // Twilio posts the digits without the # that ended them.
    const done = await post(local(ask.Gather[0].action), { Digits: '21912345678' });
    expect(saysOf(done).join(' ')).toMatch(/retorno registrado/);
    expect(done.Hangup).toBeDefined();
    await h.post('/twilio/status', callParams(sid, '+5511987650001', { CallStatus: 'completed', CallDuration: '40' }));
    expect(answers.filter((a) => a.Enqueue)).toEqual([]);
    expect(h.atende.engine.core.call(sid)).toMatchObject({ status: 'queued', queue: 'vendas', callback: { number: '+5521912345678', origin: 'requested' } });
    expect(await calledBack(h, sid)).toBe('+5521912345678');
  });

  it('1 takes the caller ID', async () => {
    const h = await harness({ settings: oneLanguage() });
    await closeVendas(h);
    const { sid, offer, post } = await closedCall(h, '+5511987650001');
    const done = await post(local(offer.Gather[0].action), { Digits: '1' });
    expect(saysOf(done)).toEqual(['Pedido de retorno registrado. Ligaremos para você assim que abrirmos. Obrigado.']);
    expect(await calledBack(h, sid)).toBe('+5511987650001');
  });

  it('a withheld caller ID: 1 asks for the number; an invalid one is asked again; the typed number is called back', async () => {
    const h = await harness({ settings: oneLanguage() });
    await closeVendas(h);
    const { sid, answers, offer, post } = await closedCall(h, 'anonymous');
    expect(saysOf(offer.Gather[0])).toEqual(['Para receber uma ligação de retorno assim que abrirmos, tecle 1 e informe o seu número.']);
    const ask = await post(local(offer.Gather[0].action), { Digits: '1' });
    const again = await post(local(ask.Gather[0].action), { Digits: '1234' });
    expect(saysOf(again)).toEqual(['Número inválido.', 'Obrigado por ligar.', 'Digite o número com o DDD e tecle sustenido.']);
    expect(again.Gather[0]).toMatchObject({ numDigits: '13', finishOnKey: '#' });
    expect(h.atende.engine.core.call(sid)!.callback).toBeNull();
    const done = await post(local(again.Gather[0].action), { Digits: '11912345678' });
    expect(saysOf(done).join(' ')).toMatch(/retorno registrado/);
    expect(answers.filter((a) => a.Enqueue)).toEqual([]);
    expect(await calledBack(h, sid)).toBe('+5511912345678');
  });

  it('another key, or none: goodbye, no callback, never enqueued', async () => {
    const h = await harness({ settings: oneLanguage() });
    await closeVendas(h);
    const { sid, answers, offer, post } = await closedCall(h, '+5511987650001');
    expect(offer.Hangup).toBeDefined(); // no key: the offer falls through to goodbye
    const bye = await post(local(offer.Gather[0].action), { Digits: '7' });
    expect(saysOf(bye)).toEqual(['Obrigado por ligar.']);
    expect(bye.Hangup).toBeDefined();
    expect(answers.filter((a) => a.Enqueue)).toEqual([]);
    expect(h.atende.engine.core.call(sid)).toMatchObject({ status: 'ivr', callback: null });
  });

  it('in the wait, the same steps: 2 and a typed number keep the place and are the number called back', async () => {
    const h = await harness({ settings: testSettings((s) => { s.callbacks = { ...s.callbacks!, offerAfterSeconds: 0, minEstimatedWaitSeconds: 0 }; }) });
    const call = await callIntoQueue(h, ['1', '1', '1'], '+5511987650001');
    const wait = await holdOnce(h, call, 5);
    const confirm = await h.post(local(wait.twiml!.Gather[0].action), callParams(call.sid, call.from, { Digits: '1' }));
    expect(saysOf(confirm.twiml!.Gather[0])).toEqual(['Ligaremos para o número 1 1 9 8 7 6 5 0 0 0 1. Para confirmar, tecle 1. Para digitar outro número, tecle 2.']);
    const ask = await h.post(local(confirm.twiml!.Gather[0].action), callParams(call.sid, call.from, { Digits: '2' }));
    const done = await h.post(local(ask.twiml!.Gather[0].action), callParams(call.sid, call.from, { Digits: '31987654321' }));
    expect(done.twiml!.Leave).toBeDefined();
    expect(h.atende.engine.core.call(call.sid)!.callback).toMatchObject({ number: '+5531987654321' });
    await login(h, 'ana');
    await h.atende.idle();
    const created = h.rest.creates()[0];
    const leg = await h.post(local(created.url), { ...callParams(created.callSid, '+551130001000'), To: 'client:ana', Direction: 'outbound-api' });
    expect(leg.body).toMatch(/<Number [^>]*>\+5531987654321<\/Number>/);
  });
});
