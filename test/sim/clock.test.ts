// The emulator's clock: emulated time at `speed`, paused until started when given a
// start time, never backwards, and blind to the time the process could not run.
import { describe, expect, it } from 'vitest';
import { EmulatedClock } from '../../sim/emulator/clock.ts';

const T0 = Date.UTC(2026, 2, 9, 13, 0);
const busy = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* the event loop is stuck */ } };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('emulated clock', () => {
  it('waits at its start time until started, then runs `speed` times faster', async () => {
    const clock = new EmulatedClock(100, T0, false);
    await wait(30);
    expect(clock.now()).toBe(T0);
    clock.start();
    const t0 = performance.now();
    await wait(50);
    const t = clock.now() - T0;
    // At most 100 × the real time gone by (less when the busy machine stalled this process).
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThanOrEqual(Math.ceil((performance.now() - t0) * 100));
    clock.stop();
  });

  it('leaves a stall of the event loop out', async () => {
    const clock = new EmulatedClock(100, T0, true);
    await wait(20);
    const before = clock.now();
    busy(200); // 20 emulated seconds nobody could act in
    await wait(20);
    // 220 ms of real time went by; without the stall about 2 s of it count, not 22 s.
    expect(clock.now() - before).toBeLessThan(12_000);
    clock.stop();
  });

  it('never goes back: time read during a stall holds until the clock makes it up', async () => {
    const clock = new EmulatedClock(100, T0, true);
    await wait(20);
    busy(100);
    const during = clock.now(); // the stall is not known yet
    await wait(10);
    expect(clock.now()).toBeGreaterThanOrEqual(during);
    clock.stop();
  });

  it('fires timers on emulated time: at ×1000, 15 s after about 15 ms', async () => {
    const clock = new EmulatedClock(1000, T0, true);
    const start = clock.now();
    const t0 = performance.now();
    const firedAt = await new Promise<number>((resolve) => { clock.setTimeout(() => resolve(clock.now()), 15_000); });
    expect(firedAt - start).toBeGreaterThanOrEqual(15_000);
    expect(performance.now() - t0).toBeLessThan(1000);
    let fired = false;
    clock.setTimeout(() => { fired = true; }, 5000).cancel();
    await wait(20);
    expect(fired).toBe(false);
    clock.stop();
  });

  it('at real time it is the real time: nothing left out', async () => {
    const clock = new EmulatedClock(1, Date.now(), true);
    busy(60);
    await wait(10);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(25);
    clock.stop();
  });
});
