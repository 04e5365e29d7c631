// Protocol numbers: the format, the number told to the caller, and allocation that stays
// unique and in sequence across restarts, in the center's time zone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/storage/db.ts';
import { storeOfDatabase } from '../../../server/storage/sqlite-store.ts';
import {
  Protocols, parseProtocolFormat, protocolGroups, protocolSpeech, renderProtocol,
} from '../../../server/sac/protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'atende-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SP = 'America/Sao_Paulo';
const DEFAULT = '{yyyy}{MM}{dd}{seq:6}';

describe('the format', () => {
  it('renders the default as the date plus a six-digit sequence', () => {
    expect(renderProtocol(parseProtocolFormat(DEFAULT), { y: 2026, m: 12, d: 6 }, 123)).toBe('20261206000123');
    // An operator's registry number in front, a two-digit year: digits and tokens mix.
    expect(renderProtocol(parseProtocolFormat('421234{yy}{MM}{dd}{seq:5}'), { y: 2026, m: 1, d: 9 }, 7)).toBe('42123426010900007');
    // Past its width the sequence grows a digit rather than wrap.
    expect(renderProtocol(parseProtocolFormat('{yyyy}{seq:2}'), { y: 2026, m: 1, d: 1 }, 100)).toBe('2026100');
  });

  it.each([
    ['{yyyy}{MM}{dd}', /exactly one \{seq:N\}/],
    ['{seq:3}{seq:3}', /exactly one/],
    ['P-{seq:6}', /digits only/],
    ['{yyyy}{hh}{seq:4}', /unknown token "\{hh\}"/],
    ['{seq:0}', /width N from 1 to 12/],
    ['{seq:13}', /width N from 1 to 12/],
  ])('refuses %s', (format, why) => {
    expect(() => parseProtocolFormat(format)).toThrow(why);
  });
});

describe('telling it to the caller', () => {
  it('in groups a caller can write down: year, month, day, the sequence in threes', () => {
    expect(protocolGroups('20261206000123', parseProtocolFormat(DEFAULT))).toEqual(['2026', '12', '06', '000', '123']);
    // Without the format (or a number that does not fit it): threes, never one digit alone.
    expect(protocolGroups('1234567')).toEqual(['123', '4567']);
    expect(protocolGroups('12345')).toEqual(['12', '345']);
    expect(protocolGroups('123456789')).toEqual(['123', '456', '789']);
  });

  it('digit by digit, twice, in the caller\'s language', () => {
    const f = parseProtocolFormat(DEFAULT);
    expect(protocolSpeech('20261206000123', 'pt-BR', f)).toBe(
      'Anote o número do seu protocolo: 2 0 2 6, 1 2, 0 6, 0 0 0, 1 2 3. Repetindo: 2 0 2 6, 1 2, 0 6, 0 0 0, 1 2 3.');
    expect(protocolSpeech('20261206000123', 'en', f)).toMatch(/^Please write down your protocol number: 2 0 2 6, 1 2, 0 6, 0 0 0, 1 2 3\. Again:/);
    expect(protocolSpeech('20261206000123', 'es', f)).toMatch(/^Anote su número de protocolo: 2 0 2 6, 1 2/);
    expect(protocolSpeech('20261206000123', 'fr', f)).toMatch(/^Please write down/);
  });
});

describe('allocation', () => {
  const at = (iso: string) => Date.parse(iso);

  it('one number per call, in sequence per local day, kept across a restart', async () => {
    const path = join(dir, 'a.db');
    let db = openDatabase(path);
    let p = new Protocols(storeOfDatabase(db, null).protocols, { format: () => DEFAULT, timezone: () => SP });
    expect(await p.allocate('CA1', at('2026-12-06T12:00:00-03:00'))).toBe('20261206000001');
    expect(await p.allocate('CA2', at('2026-12-06T12:00:01-03:00'))).toBe('20261206000002');
    // A retried webhook for the same call gets the same number.
    expect(await p.allocate('CA1', at('2026-12-06T12:00:05-03:00'))).toBe('20261206000001');
    // 23:30 in São Paulo is already the 7th in UTC: the center's date counts.
    expect(await p.allocate('CA3', at('2026-12-06T23:30:00-03:00'))).toBe('20261206000003');
    expect(await p.allocate('CA4', at('2026-12-07T00:10:00-03:00'))).toBe('20261207000001');
    db.close();
    db = openDatabase(path);
    p = new Protocols(storeOfDatabase(db, null).protocols, { format: () => DEFAULT, timezone: () => SP });
    expect(await p.allocate('CA5', at('2026-12-06T23:59:00-03:00'))).toBe('20261206000004');
    expect(await p.of('CA2')).toBe('20261206000002');
    expect(await p.callOf('20261207000001')).toBe('CA4');
    db.close();
  });

  it('never gives a number twice, even when a new format renders one already given', async () => {
    const db = openDatabase(':memory:');
    let format = '{yyyy}{MM}{dd}{seq:6}';
    const p = new Protocols(storeOfDatabase(db, null).protocols, { format: () => format, timezone: () => SP });
    const first = await p.allocate('CA1', at('2026-12-06T12:00:00-03:00'));
    // A yearly sequence whose rendering collides with the daily one's first number.
    format = '{yyyy}12060{seq:5}';
    const second = await p.allocate('CA2', at('2026-12-06T12:00:00-03:00'));
    expect(first).toBe('20261206000001');
    expect(second).toBe('20261206000002');
    db.close();
  });
});
