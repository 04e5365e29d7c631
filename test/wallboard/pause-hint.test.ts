// The agent console's pause hint: "Pausa liberada" / "Aguarde ~10 min" from the breach
// warning, only when the agent could pause, never from stale or someone else's advice.
import { describe, expect, it } from 'vitest';
import type { PauseAdviceView } from '../../server/contract.ts';
import { AgentApi } from '../../wallboard/agent/api.ts';
import { en, pt } from '../../wallboard/agent/i18n.ts';
import { pauseHint } from '../../wallboard/agent/pause.ts';

const NOW = 1_800_000_000_000;
const advice = (over: Partial<PauseAdviceView> = {}): PauseAdviceView => ({
  agentId: 'ana', serverTime: NOW, safe: true, waitMinutes: null, breaks: [], horizonMinutes: 30, ...over,
});

describe('pauseHint', () => {
  it('says a pause is fine, to wait some minutes, or not to pause now', () => {
    expect(pauseHint(advice(), 'ana', 'available', NOW, pt)).toEqual({ kind: 'ok', text: 'Pausa liberada' });
    expect(pauseHint(advice({ safe: false, waitMinutes: 10, breaks: ['suporte'] }), 'ana', 'on-call', NOW, pt))
      .toEqual({ kind: 'wait', text: 'Aguarde ~10 min para pausar' });
    expect(pauseHint(advice({ safe: false, waitMinutes: null, breaks: ['center'] }), 'ana', 'wrap-up', NOW, en))
      .toEqual({ kind: 'no', text: 'Pausing is not advised now: the service level is at risk' });
  });

  it('says nothing when paused or logged out, for another agent, without advice, or from advice over a minute old', () => {
    expect(pauseHint(advice(), 'ana', 'away', NOW, pt)).toBeNull();
    expect(pauseHint(advice(), 'ana', 'offline', NOW, pt)).toBeNull();
    expect(pauseHint(advice(), 'bruno', 'available', NOW, pt)).toBeNull();
    expect(pauseHint(null, 'ana', 'available', NOW, pt)).toBeNull();
    expect(pauseHint(advice(), 'ana', 'available', NOW + 61_000, pt)).toBeNull();
    expect(pauseHint(advice(), 'ana', 'available', NOW + 59_000, pt)).not.toBeNull();
  });
});

describe('AgentApi.pauseAdvice', () => {
  it('asks GET /api/forecast/pause for the agent, with the token', async () => {
    const seen: { url: string; auth: string }[] = [];
    const api = new AgentApi(async (url, init) => {
      seen.push({ url, auth: init.headers.Authorization });
      return { ok: true, status: 200, json: async () => advice() };
    }, 'tok');
    const r = await api.pauseAdvice('ana lima');
    expect(r).toEqual({ ok: true, status: 200, body: advice() });
    expect(seen).toEqual([{ url: '/api/forecast/pause?agent=ana%20lima', auth: 'Bearer tok' }]);
  });
});
