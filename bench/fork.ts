// What the benchmarks that measure across processes share (bench/ws.bench.ts,
// bench/edges.bench.ts): a forked child asked over IPC one question at a time, the
// wall clock both sides stamp with, and the offset between the two clocks.
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Epoch ms with sub-ms resolution, comparable across processes once the offset is known. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

interface Command { cmd: string }

/** A forked copy of `moduleFile` started with `flag`; each answer goes to the oldest question. */
export class ForkedChild<To extends Command, From extends Command> {
  private readonly proc: ChildProcess;
  private waiting: ((m: From) => void)[] = [];

  constructor(moduleFile: string, flag: string) {
    this.proc = fork(moduleFile, [flag], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: From) => this.waiting.shift()?.(m));
  }

  ask<C extends From['cmd']>(m: To): Promise<Extract<From, { cmd: C }>> {
    return new Promise((resolve) => {
      this.waiting.push(resolve as (m: From) => void);
      this.proc.send(m);
    });
  }

  kill(): void { this.proc.kill(); }
}

/**
 * Offset of a child's clock against ours (child − parent), from 30 round trips: the one
 * with the smallest delay. `childClock(t)` asks the child for its wallNow().
 */
export async function clockOffset(childClock: (t: number) => Promise<number>): Promise<number> {
  const samples: { rtt: number; off: number }[] = [];
  for (let i = 0; i < 30; i++) {
    const t = wallNow();
    const c = await childClock(t);
    const back = wallNow();
    samples.push({ rtt: back - t, off: c - (t + back) / 2 });
  }
  samples.sort((a, b) => a.rtt - b.rtt);
  return samples[0].off;
}
