// The agent picked up (the <Client>/<Number> url, on the agent's leg): the answer
// time, then a whisper of queue, tier and why, heard by the agent alone.
import { Type } from '@sinclair/typebox';
import type { CallView } from '../../../routing/types.ts';
import { AgentQuery, Sid, twilioBody } from '../schemas.ts';
import { defineWebhook, type WebhookCall } from '../webhook.ts';
import { answered } from './steps.ts';

const GONE = { 'pt-BR': 'Esta chamada não está mais disponível.', en: 'This call is no longer available.', es: 'Esta llamada ya no está disponible.' };

export default defineWebhook({
  url: '/twilio/agent/whisper',
  body: twilioBody({ ParentCallSid: Type.Optional(Sid('CA')) }),
  query: AgentQuery,
  handle(call) {
    const { body, query, core, voice } = call;
    const callId = String(query.call ?? body.ParentCallSid ?? '');
    const agentId = String(query.agent);
    const before = core.call(callId);
    const res = answered(call, callId, agentId, body.CallSid);
    const c = core.call(callId);
    const r = voice.response();
    const agentLang = voice.languages[0];
    if (!res.ok || !c || c.status !== 'connected' || c.agentId !== agentId) {
      voice.say(r, GONE, agentLang);
      r.hangup();
      return r;
    }
    voice.say(r, whisperText(call, c, before?.language ?? null), agentLang);
    return r;
  },
  fallback: ({ voice }) => voice.response(),
});

function whisperText(call: WebhookCall<unknown, unknown>, c: CallView, language: string | null): string {
  const { core, voice } = call;
  const queue = core.queueConfigs().find((q) => q.id === c.queue)?.name ?? c.queue ?? '';
  const parts = [`${queue}. Prioridade ${c.tier ?? ''}${c.tierRule && c.tierRule.reason !== 'default' ? `: ${c.tierRule.label}` : ''}.`];
  if (c.escalations > 0) parts.push(`Escalada para N${c.level}.${c.notes.length ? ` ${c.notes[c.notes.length - 1]}.` : ''}`);
  if (language && language !== voice.languages[0].code) parts.push(`Idioma: ${language}.`);
  return parts.join(' ');
}
