// A local webhook receiver on 127.0.0.1 for the alert tests: records every POST
// and answers the statuses a test scripts per path (then 200). No external
// service is ever contacted.
import { createServer, type Server } from 'node:http';

export interface Received { path: string; body: unknown; contentType: string | undefined; at: number }

export class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server: Server | null = null;
  url = '';

  /** The next requests to `path` answer these statuses, in order; then 200. */
  answer(path: string, ...statuses: number[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...statuses]);
  }

  to(path: string): Received[] { return this.received.filter((r) => r.path === path); }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        let body: unknown = null;
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = Buffer.concat(chunks).toString('utf8'); }
        this.received.push({ path, body, contentType: req.headers['content-type'], at: Date.now() });
        const status = this.scripts.get(path)?.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
