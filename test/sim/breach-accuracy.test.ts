// The breach warning's accuracy, measured with the simulator over seeded days with surges
// (docs/planning.md has the figures of a long run: BREACH_DAYS=40 npx vitest run this file).
// Of warnings (the SL at or above target, a breach predicted within 30 min), how many were
// followed by a breach within 30 min; of breaches, how many were warned ≥ 5 min ahead.
import { describe, expect, it } from 'vitest';
import { score, studyDay, type Accuracy } from '../helpers/breach-study.ts';

const DAYS = Number(process.env.BREACH_DAYS ?? 2);
const SCENARIOS = ['sim/scenarios/outage-surge.json', 'sim/scenarios/monday-peak.json', 'sim/scenarios/quiet-morning.json'];

function total(list: Accuracy[]): Accuracy {
  const sum = { scope: 'all', minutes: 0, warningMinutes: 0, warningMinutesFollowed: 0, warnings: 0, warningsFollowed: 0, breaches: 0, warnedAhead5: 0, warnedAhead1: 0 };
  for (const a of list) for (const k of Object.keys(sum) as (keyof Accuracy)[]) if (k !== 'scope') (sum[k] as number) += a[k] as number;
  return sum;
}

const pct = (n: number, d: number) => (d ? `${((n / d) * 100).toFixed(0)} % (${n}/${d})` : '—');

describe('breach warning accuracy (simulated days)', () => {
  it(`over ${DAYS} seeded day(s) of each surge scenario`, () => {
    const rows: string[] = [];
    const all: Accuracy[] = [];
    let ms = 0, n = 0;
    for (const path of SCENARIOS) {
      const scored: Accuracy[] = [];
      for (let d = 0; d < DAYS; d++) {
        const day = studyDay(path, 1000 + d * 7919);
        ms += day.forecastMs;
        n += day.forecasts;
        scored.push(...day.tracks.map((t) => score(t)));
      }
      for (const scope of ['center', 'suporte', 'vendas', 'financeiro']) {
        const t = total(scored.filter((a) => a.scope === scope));
        rows.push(`${path.split('/').pop()} ${scope}: warnings followed ${pct(t.warningsFollowed, t.warnings)}, warning minutes followed ${pct(t.warningMinutesFollowed, t.warningMinutes)}, breaches warned ≥5 min ${pct(t.warnedAhead5, t.breaches)}, warned at all ${pct(t.warnedAhead1, t.breaches)}`);
      }
      all.push(...scored);
    }
    const t = total(all);
    rows.push(`ALL: warnings followed ${pct(t.warningsFollowed, t.warnings)}, warning minutes followed ${pct(t.warningMinutesFollowed, t.warningMinutes)}, breaches warned ≥5 min ${pct(t.warnedAhead5, t.breaches)}, warned at all ${pct(t.warnedAhead1, t.breaches)}; forecast ${(ms / n).toFixed(3)} ms per snapshot over ${n}`);
    console.log(rows.join('\n'));
    expect(t.breaches).toBeGreaterThan(0);
    expect(t.warnings).toBeGreaterThan(0);
  }, 600_000);
});
