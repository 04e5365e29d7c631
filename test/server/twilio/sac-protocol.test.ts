// SAC protocol numbers on the phone (issue 15): every call that reaches /twilio/voice gets
// its number before anything else, the greeting tells it in groups, "#" at a menu tells it
// again, the whisper and the agent console show it; the same number on the record and in
// GET /api/calls?protocol=.
import { describe, expect, it } from 'vitest';
import { protocolSpeech } from '../../../server/sac/protocol.ts';
import { callParams, local, newSid, saysOf, testSettings } from '../../helpers/twilio.ts';
import { callIntoQueue, connect, harness, holdOnce, login } from './call-steps.ts';

const PROTOCOL = /^\d{14}$/;

describe('Twilio edge: SAC protocol numbers', () => {
  it('the greeting tells the protocol in groups, the same number on the record and by search', async () => {
    const h = await harness();
    const sid = newSid('CA');
    const from = '+5511987650001';
    const res = await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    expect(res.status).toBe(200);
    const one = await h.api('GET', `/api/calls/${sid}`);
    const protocol = one.json.protocol as string;
    expect(protocol).toMatch(PROTOCOL);
    expect(one.json.live.protocol).toBe(protocol);
    // Told in the first language, digits read one by one in groups, before the language prompts.
    const says = saysOf(res.twiml!);
    const told = protocolSpeech(protocol, 'pt-BR', h.atende.app.sac.protocols.format());
    expect(says).toContain(told);
    expect(told).toContain(`${protocol.slice(0, 4).split('').join(' ')}, `);
    expect(says.indexOf(told)).toBeLessThan(says.indexOf('Para português, tecle 1'));

    // A retried /twilio/voice (no idempotency token) keeps the number.
    await h.post('/twilio/voice', callParams(sid, from, { CallStatus: 'ringing' }));
    expect((await h.api('GET', `/api/calls/${sid}`)).json.protocol).toBe(protocol);

    // English chosen: told again in English.
    const en = await h.post(local(res.twiml!.Gather[0].action), callParams(sid, from, { Digits: '2' }));
    expect(saysOf(en.twiml!)).toContain(protocolSpeech(protocol, 'en', h.atende.app.sac.protocols.format()));

    const found = await h.api('GET', `/api/calls?protocol=${protocol}`);
    expect(found.status).toBe(200);
    expect(found.json.calls.map((c: { callId: string; protocol: string }) => [c.callId, c.protocol])).toEqual([[sid, protocol]]);
  });

  it('one language: the greeting and the protocol in the first menu; "#" tells it again without using an attempt', async () => {
    const h = await harness({ settings: testSettings((s) => { s.ivr.languages = s.ivr.languages.slice(0, 1); }) });
    const sid = newSid('CA');
    const from = '+5511987650002';
    const res = await h.post('/twilio/voice', callParams(sid, from));
    const protocol = (await h.api('GET', `/api/calls/${sid}`)).json.protocol as string;
    const told = protocolSpeech(protocol, 'pt-BR', h.atende.app.sac.protocols.format());
    const gather = res.twiml!.Gather[0];
    expect(gather.finishOnKey).toBe('');
    expect(saysOf(gather)).toContain(told);
    const again = await h.post(local(gather.action), callParams(sid, from, { Digits: '#' }));
    const menu = again.twiml!.Gather[0];
    expect(saysOf(menu)).toContain(told);
    expect(new URL(menu.action).searchParams.get('attempt')).toBe('1');
    expect(new URL(menu.action).searchParams.get('menu')).toBe(new URL(gather.action).searchParams.get('menu'));
  });

  it('two calls get two numbers in sequence; the whisper and the agent console show the protocol', async () => {
    const h = await harness();
    await login(h, 'ana');
    const first = await callIntoQueue(h, ['1', '1', '1']);
    const second = await callIntoQueue(h, ['1', '1', '1'], '+5511987650003');
    const p1 = (await h.api('GET', `/api/calls/${first.sid}`)).json.protocol as string;
    const p2 = (await h.api('GET', `/api/calls/${second.sid}`)).json.protocol as string;
    expect(BigInt(p2) - BigInt(p1)).toBe(1n);

    await holdOnce(h, first);
    const { dial, agentLeg } = await connect(h, first, 'ana');
    const noun = (dial.Client ?? dial.Number)[0];
    const spoken = await h.post(local(noun.url), { ...callParams(agentLeg, first.from), Direction: 'outbound-dial', ParentCallSid: first.sid });
    const groups = (await import('../../../server/sac/protocol.ts')).protocolGroups(p1, h.atende.app.sac.protocols.format());
    expect(saysOf(spoken.twiml!).join(' ')).toContain(`Protocolo ${groups.join(' ')}.`);

    const console = await h.api('GET', '/api/agent/me?agent=ana');
    expect(console.status, JSON.stringify(console.json)).toBe(200);
    expect(console.json.call).toMatchObject({ id: first.sid, protocol: p1 });
  });
});
