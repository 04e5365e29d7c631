import { describe, expect, it } from 'vitest';
import {
  acknowledge, DEFAULT_ALARM_OPTIONS, initialAlarmState, stepAlarms, type AlarmKey, type AlarmState, type Indicators,
} from '../../wallboard/src/alarms.ts';

const S = 1000;
const MIN = 60 * S;

/**
 * Drive the alarm machine through a timeline. Each step: [time ms, indicators, 'ack'?].
 * Returns what flashes after each step and which alarms started.
 */
function run(steps: [number, Indicators, ('ack' | undefined)?][]): { flashing: AlarmKey[][]; started: AlarmKey[][] } {
  let st: AlarmState = initialAlarmState();
  const flashing: AlarmKey[][] = [];
  const started: AlarmKey[][] = [];
  for (const [t, ind, action] of steps) {
    if (action === 'ack') st = acknowledge(st);
    const r = stepAlarms(st, t, ind);
    st = r.state;
    flashing.push(r.flashing);
    started.push(r.started);
  }
  return { flashing, started };
}

describe('alarms', () => {
  it('a tile flashes when its indicator crosses into red, and only then', () => {
    const r = run([
      [0, { serviceLevel: false, longestWait: false, noAgent: false }],
      [1 * S, { serviceLevel: true, longestWait: false, noAgent: false }],
      [2 * S, { serviceLevel: true, longestWait: true, noAgent: false }],
    ]);
    expect(r.flashing).toEqual([[], ['serviceLevel'], ['serviceLevel', 'longestWait']]);
    expect(r.started).toEqual([[], ['serviceLevel'], ['longestWait']]);
  });

  it('cooldown: one breach flashes for 5 minutes, then the tile stays red but still', () => {
    const r = run([
      [0, { noAgent: true }],
      [4 * MIN + 59 * S, { noAgent: true }],
      [5 * MIN, { noAgent: true }],
      [30 * MIN, { noAgent: true }],
    ]);
    expect(r.flashing).toEqual([['noAgent'], ['noAgent'], [], []]);
    expect(r.started.flat()).toEqual(['noAgent']); // beeps once, not every second
  });

  it('acknowledge stops the flash until a recovery and a new breach', () => {
    const recoverAt = 2 * MIN;
    const rebreachAt = recoverAt + DEFAULT_ALARM_OPTIONS.rearmMs + S;
    const r = run([
      [0, { longestWait: true }],
      [10 * S, { longestWait: true }, 'ack'],
      [60 * S, { longestWait: true }],
      [recoverAt, { longestWait: false }],
      [recoverAt + 30 * S, { longestWait: false }],
      [rebreachAt, { longestWait: true }],
      [rebreachAt + S, { longestWait: true }],
    ]);
    expect(r.flashing).toEqual([['longestWait'], [], [], [], [], ['longestWait'], ['longestWait']]);
    expect(r.started.flat()).toEqual(['longestWait', 'longestWait']);
  });

  it('acknowledging one breach does not silence another indicator', () => {
    const r = run([
      [0, { serviceLevel: true }],
      [S, { serviceLevel: true }, 'ack'],
      [2 * S, { serviceLevel: true, noAgent: true }],
    ]);
    expect(r.flashing).toEqual([['serviceLevel'], [], ['noAgent']]);
  });

  it('flapping around the boundary is one alarm: a short recovery keeps the ack and the cooldown', () => {
    const r = run([
      [0, { serviceLevel: true }],
      [5 * S, { serviceLevel: true }, 'ack'],
      [10 * S, { serviceLevel: false }],
      [20 * S, { serviceLevel: true }], // back in the red after 10 s: same episode, still acked
      [30 * S, { serviceLevel: false }],
      [40 * S, { serviceLevel: true }],
    ]);
    expect(r.flashing).toEqual([['serviceLevel'], [], [], [], [], []]);
    expect(r.started.flat()).toEqual(['serviceLevel']);
  });

  it('a flapping breach that was not acknowledged keeps its original 5-minute budget', () => {
    const r = run([
      [0, { serviceLevel: true }],
      [3 * MIN, { serviceLevel: false }],
      [3 * MIN + 20 * S, { serviceLevel: true }],
      [5 * MIN + S, { serviceLevel: true }],
    ]);
    expect(r.flashing).toEqual([['serviceLevel'], [], ['serviceLevel'], []]);
  });

  it('unknown (stale feed) freezes: no flash while unknown, no new alarm when data returns still red', () => {
    const r = run([
      [0, { noAgent: true }],
      [S, { noAgent: true }, 'ack'],
      [10 * S, { noAgent: null }],
      [2 * MIN, { noAgent: null }],
      [3 * MIN, { noAgent: true }],
    ]);
    expect(r.flashing).toEqual([['noAgent'], [], [], [], []]);
    expect(r.started.flat()).toEqual(['noAgent']);
  });

  it('unknown hides a flash that was running, and it resumes when data is back within the cooldown', () => {
    const r = run([
      [0, { longestWait: true }],
      [10 * S, {}],
      [20 * S, { longestWait: true }],
    ]);
    expect(r.flashing).toEqual([['longestWait'], [], ['longestWait']]);
  });

  it('reports active alarms (red now) separately from flashing ones', () => {
    let st = stepAlarms(initialAlarmState(), 0, { serviceLevel: true }).state;
    st = acknowledge(st);
    const r = stepAlarms(st, S, { serviceLevel: true, noAgent: false });
    expect(r.active).toEqual(['serviceLevel']);
    expect(r.flashing).toEqual([]);
  });

  it('does not mutate the previous state', () => {
    const s0 = stepAlarms(initialAlarmState(), 0, { serviceLevel: true }).state;
    const snapshot = JSON.stringify(s0);
    stepAlarms(s0, S, { serviceLevel: false });
    acknowledge(s0);
    expect(JSON.stringify(s0)).toBe(snapshot);
  });

  it('honours custom options', () => {
    const opts = { flashMs: 10 * S, rearmMs: 0 };
    let st = stepAlarms(initialAlarmState(), 0, { noAgent: true }, opts).state;
    expect(stepAlarms(st, 9 * S, { noAgent: true }, opts).flashing).toEqual(['noAgent']);
    expect(stepAlarms(st, 10 * S, { noAgent: true }, opts).flashing).toEqual([]);
    st = stepAlarms(st, 11 * S, { noAgent: false }, opts).state;
    const again = stepAlarms(st, 12 * S, { noAgent: true }, opts);
    expect(again.started).toEqual(['noAgent']);
    expect(again.flashing).toEqual(['noAgent']);
  });
});
