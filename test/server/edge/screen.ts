// A screen as the pages are one: a real WebSocket that records every frame with its
// arrival time, and waits for the frame a test expects.
import WebSocket from 'ws';

export interface Received { at: number; type: string; body: any }

export class Screen {
  readonly frames: Received[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const body = JSON.parse(data.toString());
      this.frames.push({ at: Date.now(), type: body.type, body });
      for (const w of this.waiters) w();
    });
    ws.on('close', () => { this.closed = true; for (const w of this.waiters) w(); });
  }

  /** Opens a socket; rejects with the HTTP status of a refused upgrade. */
  static open(url: string, headers: Record<string, string> = {}): Promise<Screen> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const screen = new Screen(ws);
      ws.once('open', () => resolve(screen));
      ws.once('unexpected-response', (_req, res) => { reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })); ws.terminate(); });
      ws.once('error', (err) => reject(err));
    });
  }

  /** The HTTP status a refused upgrade got (throws if it opened). */
  static async refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
    try {
      const s = await Screen.open(url, headers);
      s.close();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status) return status;
      throw err;
    }
    throw new Error(`${url} opened`);
  }

  get lastAt(): number | null { return this.frames.at(-1)?.at ?? null; }

  /** The first frame from index `from` on that matches, waiting up to `timeoutMs`. */
  async next(match: (f: Received) => boolean, timeoutMs = 10_000, from = 0): Promise<Received> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error('socket closed while waiting');
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms (got ${this.frames.length}: ${this.frames.map((f) => f.type).join(', ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        function done() { clearTimeout(t); resolve(); }
        this.waiters.push(done);
      });
      this.waiters = [];
    }
  }

  close(): void { this.ws.terminate(); }
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
