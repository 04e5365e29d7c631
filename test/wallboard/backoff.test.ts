import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from '../../wallboard/src/backoff.ts';

const mid = (): number => 0.5; // no jitter
const low = (): number => 0; // −30 %
const high = (): number => 0.999999; // ≈ +30 %

describe('reconnect backoff', () => {
  it('starts at 0.5 s and doubles up to the 15 s cap', () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelay(i, mid));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000]);
  });

  it('jitters ±30 % around the nominal delay', () => {
    expect(backoffDelay(0, low)).toBe(350);
    expect(backoffDelay(0, high)).toBe(650);
    expect(backoffDelay(3, low)).toBe(2800);
    expect(backoffDelay(3, high)).toBe(5200);
  });

  it('never exceeds the cap, even with maximum jitter or absurd attempt numbers', () => {
    for (const attempt of [5, 6, 20, 1000, Number.MAX_SAFE_INTEGER]) {
      const d = backoffDelay(attempt, high);
      expect(d).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
      expect(d).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.maxMs * 0.7);
    }
  });

  it('spreads a room of TVs: different random draws give different delays', () => {
    const draws = [0.1, 0.3, 0.5, 0.7, 0.9].map((r) => backoffDelay(2, () => r));
    expect(new Set(draws).size).toBe(5);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(1400);
    for (const d of draws) expect(d).toBeLessThanOrEqual(2600);
  });

  it('clamps a misbehaving random source', () => {
    expect(backoffDelay(0, () => 5)).toBe(650);
    expect(backoffDelay(0, () => -1)).toBe(350);
  });

  it('Backoff counts attempts and starts over after reset()', () => {
    const b = new Backoff(mid);
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.next()).toBe(500);
  });
});
