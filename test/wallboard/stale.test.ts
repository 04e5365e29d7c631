import { describe, expect, it } from 'vitest';
import { en, pt } from '../../wallboard/src/i18n.ts';
import { freshness, isTrusted, STALE_AFTER_MS, tickSeconds } from '../../wallboard/src/stale.ts';
import { statusView } from '../../wallboard/src/status.ts';

const T0 = 1_700_000_000_000;

describe('staleness', () => {
  it('is stale strictly after 5 s without a message', () => {
    expect(STALE_AFTER_MS).toBe(5000);
    expect(freshness(T0 + 4999, T0, 'open')).toMatchObject({ kind: 'data', stale: false, ageSeconds: 4 });
    expect(freshness(T0 + 5000, T0, 'open')).toMatchObject({ kind: 'data', stale: false });
    expect(freshness(T0 + 5001, T0, 'open')).toMatchObject({ kind: 'data', stale: true, ageSeconds: 5 });
    expect(freshness(T0 + 12_400, T0, 'open')).toMatchObject({ stale: true, ageSeconds: 12 });
  });

  it('a fresh drop is disconnected but not yet stale; a long one is both', () => {
    expect(freshness(T0 + 1000, T0, 'closed')).toMatchObject({ kind: 'data', connected: false, stale: false });
    expect(freshness(T0 + 9000, T0, 'closed')).toMatchObject({ kind: 'data', connected: false, stale: true });
  });

  it('before the first message there is nothing to show; denied wins over everything', () => {
    expect(freshness(T0, null, 'connecting')).toEqual({ kind: 'waiting', connected: false });
    expect(freshness(T0, T0, 'denied')).toEqual({ kind: 'denied' });
  });

  it('only live data is trusted (drives alarms, shown undimmed)', () => {
    expect(isTrusted(freshness(T0 + 1000, T0, 'open'))).toBe(true);
    expect(isTrusted(freshness(T0 + 6000, T0, 'open'))).toBe(false);
    expect(isTrusted(freshness(T0, null, 'open'))).toBe(false);
    expect(isTrusted(freshness(T0, T0, 'denied'))).toBe(false);
  });

  it('waits tick with the client clock between snapshots and freeze once stale', () => {
    expect(tickSeconds(T0, T0)).toBe(0);
    expect(tickSeconds(T0 + 1500, T0)).toBe(1.5);
    expect(tickSeconds(T0 + 60_000, T0)).toBe(5);
    expect(tickSeconds(T0 - 500, T0)).toBe(0); // clock stepped back
  });
});

describe('status view', () => {
  it('live: green pill, no banner, not dimmed', () => {
    const v = statusView(freshness(T0 + 1000, T0, 'open'), null, T0 + 1000, pt, 'pt');
    expect(v).toEqual({ pill: { kind: 'live', text: 'Ao vivo' }, banner: null, dim: false, overlay: null });
  });

  it('stale: prominent banner with the age, figures dimmed', () => {
    const v = statusView(freshness(T0 + 12_000, T0, 'open'), null, T0 + 12_000, pt, 'pt');
    expect(v.banner).toBe('DADOS DESATUALIZADOS — há 12 s');
    expect(v.dim).toBe(true);
    const e = statusView(freshness(T0 + 12_000, T0, 'open'), null, T0 + 12_000, en, 'en');
    expect(e.banner).toBe('STALE DATA — 12 s old');
  });

  it('disconnected says so, with the reconnect countdown', () => {
    const now = T0 + 20_000;
    const v = statusView(freshness(now, T0, 'closed'), now + 3200, now, pt, 'pt');
    expect(v.pill).toEqual({ kind: 'offline', text: 'Desconectado · reconectando em 4 s' });
    expect(v.banner).toBe('SEM CONEXÃO — dados de há 20 s');
    expect(v.dim).toBe(true);
  });

  it('access denied is a full-screen message', () => {
    const v = statusView(freshness(T0, null, 'denied'), T0 + 60_000, T0, en, 'en');
    expect(v.overlay).toMatchObject({ kind: 'denied', title: 'ACCESS DENIED' });
    expect(statusView(freshness(T0, null, 'denied'), null, T0, pt, 'pt').overlay?.title).toBe('ACESSO NEGADO');
  });

  it('waiting for the first message shows an overlay, not zeros', () => {
    const v = statusView(freshness(T0, null, 'connecting'), null, T0, pt, 'pt');
    expect(v.overlay?.kind).toBe('waiting');
    expect(v.pill.kind).toBe('connecting');
  });
});
