// The caller was dequeued (REST) to this URL: <Dial> the offered agent, with the
// whisper (whose end is the bridge: whisper.ts) and status callbacks on the agent's
// leg; the Dial's action reports its end, and whether the caller was bridged.
import { AgentQuery, twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { recordingAttributes } from './recording.ts';
import { hangup, whereTheCallBelongs } from './steps.ts';

export default defineWebhook({
  url: '/twilio/agent/connect',
  body: twilioBody({}),
  query: AgentQuery,
  handle(call) {
    const { body, query, core, voice, legs, lang, settings } = call;
    const sid = body.CallSid;
    const agentId = String(query.agent);
    legs.dialling(sid); // out of the Twilio queue now; a new offer waits for the next QueueSid
    const c = core.call(sid);
    if (!c) {
      const r = voice.response();
      voice.say(r, settings.ivr.errorMessage, lang);
      r.redirect({ method: 'POST' }, voice.url('/twilio/voice'));
      return r;
    }
    if (c.status === 'offering' && c.agentId !== agentId) {
      const r = voice.response();
      r.redirect({ method: 'POST' }, voice.url('/twilio/agent/connect', { agent: c.agentId!, lang: lang.code }));
      return r;
    }
    if (c.status !== 'offering') {
      if (c.status === 'ended') return hangup(call);
      return whereTheCallBelongs(call, sid, lang);
    }
    const agent = core.agent(agentId)!;
    const contact = agent.contact ?? `client:${agent.id}`;
    const r = voice.response();
    const dial = r.dial({
      // The routing core holds the offer timeout in force (supervisors change it live).
      timeout: core.routingConfig().offerTimeoutSeconds, answerOnBridge: true,
      action: voice.url('/twilio/dial/done', { agent: agentId, lang: lang.code }), method: 'POST',
      // A queue that records: Twilio records this leg, dual-channel, from the answer (recording.ts).
      ...recordingAttributes(voice, settings, c.queue, sid),
    });
    const noun = {
      url: voice.url('/twilio/agent/whisper', { call: sid, agent: agentId }), method: 'POST' as const,
      statusCallback: voice.url('/twilio/agent/status', { call: sid, agent: agentId }), statusCallbackMethod: 'POST' as const,
      statusCallbackEvent: ['ringing', 'answered', 'completed'] as ('ringing' | 'answered' | 'completed')[],
    };
    if (contact.startsWith('client:')) dial.client(noun, contact.slice('client:'.length));
    else dial.number(noun, contact);
    return r;
  },
});
