// Live mode: a scenario's calls placed through the Twilio emulator against a real
// Atende over HTTP; Atende's figures agree with what the callers experienced.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioAndSettings } from '../../sim/model/scenario.ts';
import { runLive, scriptFor } from '../../sim/live.ts';
import { trafficFrame } from '../../sim/model/traffic.ts';
import { startLocalStack } from '../../sim/stack.ts';

describe('live simulation', () => {
  it('places the scenario calls through the emulator and Atende counts exactly what the callers lived', async () => {
    const { scenario, settings } = loadScenarioAndSettings('sim/scenarios/quiet-morning.json');
    settings.serviceLevel.shortAbandonSeconds = 0; // emulated seconds are shorter than Atende's real ones
    // On the scenario's own morning, not now: at 100× a run started near midnight crosses the
    // center's daily reset and "today" starts again at zero (CI ran it at 23:50 in São Paulo).
    const startAt = trafficFrame(scenario, settings).startAt;
    const stack = await startLocalStack({ settings, dbPath: join(mkdtempSync(join(tmpdir(), 'atende-live-')), 'a.db'), speed: 100, startAt, secondsPerWord: 0.05 });
    try {
      const r = await runLive(scenario, settings, { atendeUrl: stack.url, emulator: stack.emulator }, { speed: 100, maxCalls: 8, burst: 8, maxSeconds: 40 });
      expect(r.records).toHaveLength(8);
      const answered = r.records.filter((x) => x.outcome === 'answered').length;
      const abandoned = r.records.filter((x) => x.outcome === 'abandoned').length;
      expect(answered + abandoned).toBe(8);
      expect(answered).toBeGreaterThan(0);
      expect(r.snapshot.center.today).toMatchObject({ offered: 8, answered, abandoned });
      expect(r.summary.center.answered).toBe(answered);
      const stats = stack.emulator.stats();
      expect(stats.errorsByStatus).toEqual({});
      // Every webhook was accepted (signed correctly, valid body).
      for (const rec of r.records) for (const w of rec.webhooks) expect(w.status, `${w.path}`).toBe(200);
    } finally {
      await stack.close();
    }
  }, 60_000);

  it('turns a call plan into the caller script: language key first, survey answers, patience in seconds', () => {
    const script = scriptFor({
      id: 'c1', seq: 0, arriveAt: 0, from: '+5511988887777', to: '+551130001000', vip: false, repeat: false, surge: false,
      language: 'pt-BR', languageDigit: '1', ivrPath: ['1', '9'], queue: 'suporte', attributes: {}, ivrMs: 9000,
      patienceMs: 120_000, talkMs: 200_000, holdMs: 20_000, answersAfterMs: 4000, hangsUpBy: 'agent', surveyNps: 10, surveyCsat: 4,
    }, 'CA00000000000000000000000000000001');
    expect(script).toEqual({
      callSid: 'CA00000000000000000000000000000001', from: '+5511988887777', to: '+551130001000', digits: ['1', '1', '9'],
      patienceSeconds: 120, talkSeconds: 220, hangsUp: 'agent', surveyDigits: ['10', '4'],
    });
  });
});
