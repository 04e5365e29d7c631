// A REST stand-in that answers as Twilio does where a dequeue can go wrong: the
// answer of a dequeue carried out may be lost (the connection drops after the change),
// a second update of a member already dequeued gets a 400, a 429 may say when to come
// back (Retry-After), and the queue member and the call can be read (a member once
// dequeued is not found, 404). Each answer to a member update can be scripted.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { RestStandIn } from '../../helpers/twilio.ts';

/** How the next member update is answered: carried out (answer given or lost), or refused with a status. */
export type Scripted = 'ok' | 'lose-answer' | 'lose-answer-caller-hangs-up' | { status: number; retryAfter?: string };

export interface Seen { method: string; path: string; at: number }

export class ScriptedTwilio extends RestStandIn {
  /** Every request, in order, with performance.now() when it arrived. */
  readonly seen: Seen[] = [];
  private readonly script: Scripted[] = [];
  /** Callers taken out of their queue (a later update is refused, a read finds nothing). */
  private readonly dequeued = new Set<string>();
  /** Callers whose line is gone (Call status "completed"). */
  private readonly hungUp = new Set<string>();
  private server: FastifyInstance | null = null;

  /** The next member updates are answered so, in order; then "ok". */
  answer(...next: Scripted[]): void {
    this.script.push(...next);
  }

  hangUp(callSid: string): void {
    this.hungUp.add(callSid);
  }

  reads(): Seen[] { return this.seen.filter((s) => s.method === 'GET'); }
  updates(): Seen[] { return this.seen.filter((s) => s.method === 'POST' && s.path.includes('/Members/')); }

  override async start(): Promise<string> {
    const app = Fastify();
    await app.register(formbody);
    const error = (reply: FastifyReply, status: number, code: number, message: string) =>
      reply.code(status).send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    app.addHook('onRequest', async (req) => { this.seen.push({ method: req.method, path: req.url, at: performance.now() }); });

    app.post('/2010-04-01/Accounts/:account/Queues/:queue/Members/:call.json', async (req: FastifyRequest, reply) => {
      const p = req.params as { account: string; queue: string; call: string };
      const body = req.body as { Url?: string; Method?: string };
      this.requests.push({ kind: 'dequeue', queueSid: p.queue, callSid: p.call, url: body.Url ?? '', method: body.Method ?? '', auth: req.headers.authorization ?? '' });
      const next = this.script.shift() ?? 'ok';
      if (typeof next === 'object') {
        if (next.retryAfter !== undefined) void reply.header('retry-after', next.retryAfter);
        return error(reply, next.status, next.status === 429 ? 20429 : next.status >= 500 ? 20500 : 20001, 'scripted refusal');
      }
      if (this.dequeued.has(p.call) || this.hungUp.has(p.call)) return error(reply, 400, 20001, `Call ${p.call} is not a member of queue ${p.queue}`);
      this.dequeued.add(p.call);
      if (next === 'lose-answer-caller-hangs-up') this.hungUp.add(p.call);
      if (next !== 'ok') {
        // Done, but the answer never arrives: the connection drops.
        void reply.hijack();
        req.raw.socket.destroy();
        return reply;
      }
      return { call_sid: p.call, queue_sid: p.queue, account_sid: p.account, position: 1, wait_time: 0 };
    });
    app.get('/2010-04-01/Accounts/:account/Queues/:queue/Members/:call.json', async (req, reply) => {
      const p = req.params as { account: string; queue: string; call: string };
      if (this.dequeued.has(p.call) || this.hungUp.has(p.call)) return error(reply, 404, 20404, `The requested resource ${req.url} was not found`);
      return { call_sid: p.call, queue_sid: p.queue, account_sid: p.account, position: 1, wait_time: 3 };
    });
    app.get('/2010-04-01/Accounts/:account/Calls/:call.json', async (req) => {
      const p = req.params as { account: string; call: string };
      return { sid: p.call, account_sid: p.account, status: this.hungUp.has(p.call) ? 'completed' : 'in-progress' };
    });
    app.post('/2010-04-01/Accounts/:account/Calls/:call.json', async (req) => {
      const p = req.params as { account: string; call: string };
      const body = req.body as { Url?: string; Method?: string };
      this.requests.push({ kind: 'redirect', callSid: p.call, url: body.Url ?? '', method: body.Method ?? '', auth: req.headers.authorization ?? '' });
      return { sid: p.call, account_sid: p.account, status: 'in-progress' };
    });
    this.url = await app.listen({ host: '127.0.0.1', port: 0 });
    this.server = app;
    return this.url;
  }

  override async close(): Promise<void> { await this.server?.close(); }
}
