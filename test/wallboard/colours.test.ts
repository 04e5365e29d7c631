import { describe, expect, it } from 'vitest';
import type { ColourBands } from '../../server/contract.ts';
import {
  abandonRateBand, higherIsWorseBand, longestWaitBand, npsColour, serviceLevelBand, waitingBand,
} from '../../wallboard/src/colours.ts';

const bands: ColourBands = {
  serviceLevel: { amberFrom: 0.7 },
  longestWaitSeconds: { amberAbove: 60, redAbove: 120 },
  abandonRate: { amberAbove: 0.05, redAbove: 0.1 },
  waiting: { amberAbove: 5, redAbove: 10 },
};

describe('service level bands (target 80 %, amber from 70 %)', () => {
  it.each([
    [0.95, 'green'],
    [0.8, 'green'], // exactly the target is met
    [0.8 - 1e-12, 'green'], // float noise from a division does not drop a band
    [0.7999, 'amber'],
    [0.7, 'amber'], // exactly amberFrom is amber, not red
    [7 / 10, 'amber'],
    [0.6999, 'red'],
    [0, 'red'],
    [null, 'none'],
  ] as const)('%s → %s', (v, want) => {
    expect(serviceLevelBand(v, 0.8, bands.serviceLevel.amberFrom)).toBe(want);
  });

  it('a queue with its own higher target goes amber sooner', () => {
    expect(serviceLevelBand(0.85, 0.9, 0.7)).toBe('amber');
    expect(serviceLevelBand(0.85, 0.8, 0.7)).toBe('green');
  });

  it('a queue target below amberFrom has no amber band', () => {
    expect(serviceLevelBand(0.6, 0.6, 0.7)).toBe('green');
    expect(serviceLevelBand(0.59, 0.6, 0.7)).toBe('red');
  });
});

describe('higher-is-worse bands', () => {
  it.each([
    [0, 'green'],
    [60, 'green'], // "amber above 60": 60 itself is still green
    [61, 'amber'],
    [120, 'amber'],
    [120.5, 'red'],
    [null, 'none'],
  ] as const)('longest wait %s s → %s', (s, want) => {
    expect(longestWaitBand(s, bands)).toBe(want);
  });

  it.each([
    [0.05, 'green'],
    [0.06, 'amber'],
    [0.1, 'amber'],
    [0.11, 'red'],
  ] as const)('abandon rate %s → %s', (r, want) => {
    expect(abandonRateBand(r, bands)).toBe(want);
  });

  it('nobody waiting is green even if the bands start at zero', () => {
    expect(waitingBand(0, { ...bands, waiting: { amberAbove: -1, redAbove: -1 } })).toBe('green');
    expect(waitingBand(6, bands)).toBe('amber');
    expect(waitingBand(11, bands)).toBe('red');
  });

  it('higherIsWorseBand ignores NaN', () => {
    expect(higherIsWorseBand(Number.NaN, bands.waiting)).toBe('none');
  });
});

describe('NPS colours', () => {
  it.each([
    ['excellent', 'green'],
    ['good', 'green'],
    ['mustImprove', 'amber'],
    ['critical', 'red'],
    [null, 'none'],
  ] as const)('%s → %s', (b, want) => {
    expect(npsColour(b)).toBe(want);
  });
});
