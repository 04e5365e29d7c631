// Business hours, holidays (from the date-holidays package, checked by hand against the
// calendar) and the center's own dates, in the center's time zone.
import { describe, expect, it } from 'vitest';
import { BusinessHours, isOpen, nextOpening, parseRange } from '../../../server/sac/hours.ts';
import type { Settings } from '../../../server/config/types.ts';

type Calendar = Pick<Settings, 'timezone' | 'queues' | 'sac'>;
const WEEKDAYS = ['08:00-12:00', '13:00-18:00'];
const calendar = (sac: Partial<NonNullable<Settings['sac']>> = {}): Calendar => ({
  timezone: 'America/Sao_Paulo',
  queues: [
    { id: 'loja', name: 'Loja', hours: { mon: WEEKDAYS, tue: WEEKDAYS, wed: WEEKDAYS, thu: WEEKDAYS, fri: WEEKDAYS, sat: ['22:00-02:00'] } },
    { id: 'sac24h', name: 'SAC 24 h' },
  ],
  sac: { strict: false, protocolFormat: '{yyyy}{MM}{dd}{seq:6}', onClose: 'serve', holidays: { country: 'BR', types: ['public'] }, dates: [], legalWaitSeconds: 60, ...sac },
});
/** A local São Paulo time (UTC−3, no daylight saving since 2019). */
const sp = (local: string) => Date.parse(`${local}-03:00`);
const iso = (t: number | null) => (t === null ? null : new Date(t - 3 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));

describe('weekly hours', () => {
  const h = new BusinessHours(calendar());

  it('several ranges a day, lunch closed, and a range past midnight', () => {
    // 2026-12-07 is a Monday.
    expect(h.isOpen('loja', sp('2026-12-07T07:59'))).toBe(false);
    expect(h.isOpen('loja', sp('2026-12-07T08:00'))).toBe(true);
    expect(h.isOpen('loja', sp('2026-12-07T12:30'))).toBe(false);
    expect(iso(h.nextChange('loja', sp('2026-12-07T12:30')))).toBe('2026-12-07 13:00');
    expect(iso(h.nextChange('loja', sp('2026-12-07T13:30')))).toBe('2026-12-07 18:00');
    // Saturday 22:00 to Sunday 02:00 is one span.
    expect(h.isOpen('loja', sp('2026-12-13T01:00'))).toBe(true);
    expect(iso(h.nextChange('loja', sp('2026-12-12T23:00')))).toBe('2026-12-13 02:00');
    expect(iso(nextOpening(calendar(), 'loja', sp('2026-12-11T19:00')))).toBe('2026-12-12 22:00');
  });

  it('a queue without hours is open 24/7 and never changes', () => {
    expect(isOpen(calendar(), 'sac24h', sp('2026-12-25T03:00'))).toBe(true);
    expect(h.nextChange('sac24h', sp('2026-12-25T03:00'))).toBeNull();
  });

  it('reads ranges strictly', () => {
    expect(parseRange('22:00-02:00')).toEqual([1320, 1560]);
    expect(parseRange('00:00-24:00')).toEqual([0, 1440]);
    expect(() => parseRange('8:00-18:00')).toThrow(/not a range/);
    expect(() => parseRange('08:00-08:00')).toThrow(/empty/);
    expect(() => parseRange('25:00-26:00')).toThrow(/not a time of day/);
  });
});

describe('holidays from date-holidays', () => {
  it('national: Christmas 2026 is a Friday, closed all day, reason named', () => {
    const h = new BusinessHours(calendar());
    expect(h.isOpen('loja', sp('2026-12-25T10:00'))).toBe(false);
    expect(h.closedBecause('loja', sp('2026-12-25T10:00'))).toEqual({ kind: 'holiday', label: 'Natal' });
    expect(h.closedBecause('loja', sp('2026-12-24T19:00'))).toEqual({ kind: 'hours', label: '' });
    // Closed Friday (holiday), open Saturday night: the next opening skips the holiday.
    expect(iso(h.nextOpening('loja', sp('2026-12-24T19:00')))).toBe('2026-12-26 22:00');
  });

  it('state: 9 July (Revolução Constitucionalista, a Thursday in 2026) only with state SP', () => {
    const thursday = sp('2026-07-09T10:00');
    expect(new BusinessHours(calendar()).isOpen('loja', thursday)).toBe(true);
    const h = new BusinessHours(calendar({ holidays: { country: 'BR', state: 'SP', types: ['public'] } }));
    expect(h.isOpen('loja', thursday)).toBe(false);
    expect(h.closedBecause('loja', thursday)).toEqual({ kind: 'holiday', label: 'Revolução Constitucionalista' });
  });

  it('municipal: 25 January (the city of São Paulo, a Monday in 2027) only with region SP', () => {
    const monday = sp('2027-01-25T10:00');
    expect(new BusinessHours(calendar({ holidays: { country: 'BR', state: 'SP', types: ['public'] } })).isOpen('loja', monday)).toBe(true);
    const city = new BusinessHours(calendar({ holidays: { country: 'BR', state: 'SP', region: 'SP', types: ['public'] } }));
    expect(city.isOpen('loja', monday)).toBe(false);
    expect(city.closedBecause('loja', monday)?.label).toBe('Aniversário da Cidade');
  });

  it('none at all with holidays: null', () => {
    expect(new BusinessHours(calendar({ holidays: null })).isOpen('loja', sp('2026-12-25T10:00'))).toBe(true);
  });
});

describe('the center\'s own dates', () => {
  const h = new BusinessHours(calendar({
    dates: [
      { date: '2026-12-24', label: 'Véspera de Natal', hours: ['08:00-12:00'] },
      { date: '2026-12-07', label: 'Inventário' },
      // Opens on a holiday for one queue only.
      { date: '2026-12-25', label: 'Plantão de Natal', hours: ['10:00-14:00'], queues: ['loja'] },
      { date: '2026-12-26', label: 'Manutenção', queues: ['sac24h'] },
    ],
  }));

  it('half days, closures, and an opening on a holiday', () => {
    expect(h.isOpen('loja', sp('2026-12-24T11:00'))).toBe(true);
    expect(h.isOpen('loja', sp('2026-12-24T13:30'))).toBe(false);
    expect(h.closedBecause('loja', sp('2026-12-24T13:30'))).toEqual({ kind: 'date', label: 'Véspera de Natal' });
    expect(h.isOpen('loja', sp('2026-12-07T10:00'))).toBe(false);
    expect(h.closedBecause('loja', sp('2026-12-07T10:00'))).toEqual({ kind: 'date', label: 'Inventário' });
    expect(h.isOpen('loja', sp('2026-12-25T11:00'))).toBe(true);
  });

  it('a 24/7 queue closes only on a date that names it', () => {
    expect(h.isOpen('sac24h', sp('2026-12-07T10:00'))).toBe(true);
    expect(h.isOpen('sac24h', sp('2026-12-26T10:00'))).toBe(false);
    expect(iso(h.nextChange('sac24h', sp('2026-12-26T10:00')))).toBe('2026-12-27 00:00');
  });
});
