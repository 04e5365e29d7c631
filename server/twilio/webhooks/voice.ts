// A call arrives (the number's Voice URL): record it, then the language menu, or the
// root menu when only one language is configured.
import { Type } from '@sinclair/typebox';
import { twilioBody } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';

export default defineWebhook({
  url: '/twilio/voice',
  body: twilioBody({ From: Type.String({ maxLength: 256 }), To: Type.Optional(Type.String({ maxLength: 256 })) }),
  handle({ body, voice, settings, now, commit }) {
    commit({ type: 'call.arrived', id: `${body.CallSid}:arrived`, at: now(), callId: body.CallSid, from: body.From, to: body.To });
    if (voice.languages.length > 1) return voice.languageMenu(1);
    return voice.menuPrompt(voice.response(), settings.ivr.menu, voice.languages[0], 1, true);
  },
});
