// Every webhook must carry Twilio's signature of PUBLIC_URL + path + query and the
// form parameters. Checked before validation: a forged request is refused (403)
// before its body is even looked at, nothing of it is recorded, and its log line
// names only the route (never the body or the signature).
import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { BadSignatureError } from '../errors.ts';

export function signatureCheck(authToken: string | null, publicUrl: () => string) {
  return async function checkSignature(req: FastifyRequest): Promise<void> {
    const sig = req.headers['x-twilio-signature'];
    const params = req.body ?? {};
    let ok = false;
    if (authToken && typeof sig === 'string' && typeof params === 'object') {
      try { ok = twilio.validateRequest(authToken, sig, publicUrl() + req.url, params as Record<string, string>); } catch { ok = false; }
    }
    if (!ok) {
      req.log.warn({ path: req.routeOptions.url }, 'refused a webhook with a bad signature');
      throw new BadSignatureError();
    }
  };
}
