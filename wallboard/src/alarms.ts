// Which tiles flash. Pure state machine: (previous state, time, indicator
// states) → (next state, flashing tiles, newly started alarms). No DOM, no
// clock; main.ts calls it once a second and on every snapshot.
//
// Rules a supervisor sees:
// - An indicator crossing into red starts an alarm: its tile flashes (and
//   beeps once, if sound is on).
// - Cooldown: a breach flashes for at most `flashMs` (5 min); after that the
//   tile stays red but still, so one long breach does not flash all day.
// - Acknowledge stops the flash at once. It stays quiet until the indicator
//   recovers and then breaches again.
// - Flapping: a recovery shorter than `rearmMs` (60 s) does not count; a
//   re-breach inside it continues the same alarm (same cooldown, same ack),
//   so a service level bouncing on the boundary doesn't flash on every bounce.
// - Unknown (null: no data, stale feed) freezes an indicator: no flash, no
//   change, so a reconnect does not re-raise an acknowledged alarm.

export type AlarmKey = 'serviceLevel' | 'longestWait' | 'noAgent';
const ALARM_KEYS: readonly AlarmKey[] = ['serviceLevel', 'longestWait', 'noAgent'];

/** true = in the red, false = fine, null = unknown. */
export type Indicators = Partial<Record<AlarmKey, boolean | null>>;

export interface AlarmOptions {
  /** Longest a single breach flashes without acknowledgement. */
  flashMs: number;
  /** How long an indicator must stay fine before a new breach is a new alarm. */
  rearmMs: number;
}

export const DEFAULT_ALARM_OPTIONS: AlarmOptions = { flashMs: 5 * 60_000, rearmMs: 60_000 };

interface Track {
  breaching: boolean;
  /** Start of the current alarm episode, null when there is none. */
  since: number | null;
  /** When the indicator last went back to fine (while an episode is open). */
  clearSince: number | null;
  acked: boolean;
}

export type AlarmState = Readonly<Partial<Record<AlarmKey, Readonly<Track>>>>;

export const initialAlarmState = (): AlarmState => ({});

export interface AlarmStep {
  state: AlarmState;
  /** Tiles that should flash now. */
  flashing: AlarmKey[];
  /** Alarms that began at this step (for the beep). */
  started: AlarmKey[];
  /** Alarms in the red now, flashing or not (for the acknowledge button). */
  active: AlarmKey[];
}

const IDLE: Track = { breaching: false, since: null, clearSince: null, acked: false };

export function stepAlarms(
  prev: AlarmState,
  now: number,
  indicators: Indicators,
  opts: AlarmOptions = DEFAULT_ALARM_OPTIONS,
): AlarmStep {
  const next: Partial<Record<AlarmKey, Track>> = { ...prev };
  const flashing: AlarmKey[] = [];
  const started: AlarmKey[] = [];
  const active: AlarmKey[] = [];

  for (const key of ALARM_KEYS) {
    const t: Track = prev[key] ?? IDLE;
    const ind = indicators[key];
    if (ind == null) continue; // unknown: frozen, silent

    let n: Track;
    if (ind) {
      if (t.breaching) {
        n = t;
      } else if (t.since != null && t.clearSince != null && now - t.clearSince < opts.rearmMs) {
        n = { ...t, breaching: true, clearSince: null }; // flap: same episode
      } else {
        n = { breaching: true, since: now, clearSince: null, acked: false };
        started.push(key);
      }
      active.push(key);
      if (!n.acked && n.since != null && now - n.since < opts.flashMs) flashing.push(key);
    } else if (t.breaching) {
      n = { ...t, breaching: false, clearSince: now };
    } else if (t.since != null && t.clearSince != null && now - t.clearSince >= opts.rearmMs) {
      n = IDLE; // recovered for good: the next breach is a new alarm
    } else {
      n = t;
    }
    next[key] = n;
  }
  return { state: next, flashing, started, active };
}

/** Acknowledge every alarm currently in the red: their flashing stops until they recover and breach again. */
export function acknowledge(prev: AlarmState): AlarmState {
  const next: Partial<Record<AlarmKey, Track>> = { ...prev };
  for (const key of ALARM_KEYS) {
    const t = prev[key];
    if (t && t.since != null) next[key] = { ...t, acked: true };
  }
  return next;
}
