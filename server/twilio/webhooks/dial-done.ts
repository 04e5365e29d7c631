// The <Dial> to an agent ended. Talked: the call ends (survey if the caller stays),
// unless it was escalated meanwhile. Not answered, or picked up but never bridged
// (the agent dropped during the whisper, a voicemail accepted nothing): the offer is
// missed, and the caller goes straight to the next agent or back into the Twilio
// queue, at the head of its tier with its original wait.
import { Type } from '@sinclair/typebox';
import type { OfferMissReason } from '../../../routing/types.ts';
import { AgentQuery, Seconds, Sid, twilioBody, TwilioEnum } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';
import { answered, hangup, legIsOver, whereTheCallBelongs } from './steps.ts';

const MISS_REASON: Record<string, OfferMissReason> = { 'no-answer': 'no-answer', busy: 'busy', failed: 'failed', canceled: 'no-answer' };

const Body = twilioBody({
  // A value Twilio adds tomorrow is logged by the factory and counts as not picked up: a miss.
  DialCallStatus: TwilioEnum,
  DialCallSid: Type.Optional(Sid('CA')),
  DialCallDuration: Type.Optional(Seconds),
  /** "true" when the caller was connected to the agent (twilio.com/docs/voice/twiml/dial, the action's parameters). */
  DialBridged: Type.Optional(Type.String({ maxLength: 16 })),
});

export default defineWebhook({
  url: '/twilio/dial/done',
  body: Body,
  query: AgentQuery,
  async handle(call) {
    const { body, query, core, voice, lang, settings, now, commit } = call;
    const sid = body.CallSid;
    const agentId = String(query.agent);
    const callerGone = legIsOver(body.CallStatus);
    const c = core.call(sid);
    if (!c) return callerGone ? voice.response() : voice.fallback(lang);
    // Answered means bridged: "completed" only says the agent's leg was picked up. Twilio
    // says whether the caller was connected (DialBridged); Atende knows it too when it
    // saw the whisper end (the call is connected to this agent).
    const pickedUp = body.DialCallStatus === 'completed' || body.DialCallStatus === 'answered';
    const talked = pickedUp && (body.DialBridged === 'true' || (c.status === 'connected' && c.agentId === agentId));
    if (talked) {
      if (c.status === 'offering' && c.agentId === agentId) await answered(call, sid, agentId, body.DialCallSid ?? `dial-${agentId}`);
      const during = core.call(sid)!;
      if (during.status === 'connected' && during.agentId === agentId) {
        await commit({ type: 'call.ended', id: call.legs.endedId(sid), at: now(), callId: sid, by: callerGone ? 'caller' : 'agent' });
      }
      const after = core.call(sid)!;
      // Escalated meanwhile: the caller belongs to the queue again, not to a survey.
      if (after.status !== 'ended') return callerGone ? voice.response() : whereTheCallBelongs(call, sid, lang);
      if (callerGone) return voice.response();
      if (settings.survey.enabled && after.outcome === 'answered') return voice.surveyQuestion('nps', lang, { intro: true });
      return hangup(call);
    }
    if (callerGone) {
      if (c.status !== 'ended') await commit({ type: 'call.ended', id: call.legs.endedId(sid), at: now(), callId: sid, by: 'caller' });
      return voice.response();
    }
    if (c.status === 'offering' && c.agentId === agentId) {
      await commit({
        type: 'call.offer-missed', id: `${sid}:missed:${body.DialCallSid ?? `${agentId}-${now()}`}`, at: now(),
        callId: sid, agentId, reason: pickedUp ? 'not-bridged' : MISS_REASON[body.DialCallStatus] ?? 'failed',
      });
    }
    // Straight to the next agent when the core re-offered at once, else back into the Twilio queue.
    return whereTheCallBelongs(call, sid, lang);
  },
});
