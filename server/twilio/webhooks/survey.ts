// The post-call survey: NPS (0–10) then CSAT (1–5), one retry each; no or bad input
// twice moves on, the survey is optional.
import { Type } from '@sinclair/typebox';
import { Digits, OneOf, Token, twilioBody, twilioQuery } from '../schemas.ts';
import { defineWebhook } from '../webhook.ts';

const Query = twilioQuery({
  step: OneOf(['nps', 'csat']),
  lang: Type.Optional(Token),
  attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, default: 1 })),
});

export default defineWebhook({
  url: '/twilio/survey',
  body: twilioBody({ Digits: Type.Optional(Digits) }),
  query: Query,
  async handle({ body, query, voice, lang, now, commit }) {
    const step = query.step;
    const attempt = Number(query.attempt ?? 1);
    const digits = (body.Digits ?? '').replace(/#$/, '');
    const value = /^\d{1,2}$/.test(digits) ? Number(digits) : NaN;
    const valid = step === 'nps' ? value >= 0 && value <= 10 : value >= 1 && value <= 5;
    if (valid) {
      await commit({ type: 'call.survey', id: `${body.CallSid}:survey:${step}`, at: now(), callId: body.CallSid, ...(step === 'nps' ? { nps: value } : { csat: value }) });
    } else if (attempt < 2) {
      return voice.surveyQuestion(step, lang, { attempt: attempt + 1, retry: true });
    }
    if (step === 'nps') return voice.surveyQuestion('csat', lang);
    return voice.thanks(lang);
  },
  fallback: ({ voice, lang }) => voice.thanks(lang),
});
