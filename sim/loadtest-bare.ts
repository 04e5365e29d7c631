// The baseline of the load test: a bare Fastify route that parses the same form
// body and answers a fixed TwiML string, nothing else (no signature, no log, no core).
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

const app = Fastify({ logger: false });
await app.register(formbody);
const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>ok</Say></Response>';
app.post('/twilio/voice', async (_req, reply) => reply.type('text/xml').send(twiml));
await app.listen({ host: '127.0.0.1', port: Number(process.env.BARE_PORT ?? 0) });
process.stdout.write('bare ready\n');
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
