import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RoutingCore } from '../../routing/core.ts';
import { MetricsCore } from '../../routing/metrics/index.ts';
import {
  DEFAULT_SETTINGS_PATH, SettingsError, loadSettings, parseSettings, toMetricsSettings, toRoutingConfig,
} from '../../server/config/load.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const example = (): Json => JSON.parse(readFileSync(DEFAULT_SETTINGS_PATH, 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'atende-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('the shipped example', () => {
  const s = loadSettings(DEFAULT_SETTINGS_PATH);

  it('loads with its real values', () => {
    expect(s.centerName).toBe('Central de Atendimento Atende');
    expect(s.timezone).toBe('America/Sao_Paulo');
    expect(s.queues.map((q) => q.id)).toEqual(['suporte', 'vendas', 'financeiro']);
    expect(s.ivr.languages.map((l) => l.code)).toEqual(['pt-BR', 'en', 'es']);
    expect(s.survey.enabled).toBe(true);
    expect(s.agents.length).toBeGreaterThanOrEqual(10);
    expect(s.priority.vipNumbers).toHaveLength(3);
    expect(s).not.toHaveProperty('$schema');
  });

  it('converts to the routing core config', () => {
    const r = toRoutingConfig(s);
    expect(r.offerTimeoutSeconds).toBe(20);
    expect(r.wrapUpSeconds).toBe(30);
    expect(r.tiers).toBe(3);
    expect(r.agingSeconds).toEqual([null, 120, 180]);
    expect(r.tierRules.find((t) => t.id === 'outage')?.when.ivrPath).toEqual(['1', '9']);
    expect(r.queues.find((q) => q.id === 'suporte')).toMatchObject({ weight: 2, maxWaiting: 50, overflowQueue: null });
    expect(r.repeatMemoryHours).toBe(24);
    expect(() => new RoutingCore(r, toMetricsSettings(s), Date.parse('2025-06-10T12:00:00Z'))).not.toThrow();
  });

  it('converts to the metrics settings', () => {
    const m = toMetricsSettings(s);
    expect(m.queues.find((q) => q.id === 'financeiro')?.thresholdSeconds).toBe(60);
    expect(m).toMatchObject({ thresholdSeconds: 20, target: 0.8, shortAbandonSeconds: 5, intervalMinutes: 15, tiers: 3 });
    expect(() => new MetricsCore(m, Date.parse('2025-06-10T12:00:00Z'))).not.toThrow();
  });

  it('does not modify the data it is given', () => {
    const data = example();
    delete data.intervalMinutes;
    const before = JSON.stringify(data);
    parseSettings(data);
    expect(JSON.stringify(data)).toBe(before);
  });
});

describe('defaults', () => {
  it('fills what is left out', () => {
    const data = example();
    for (const key of ['intervalMinutes', 'strategy', 'offerTimeoutSeconds', 'wrapUpSeconds', 'levelWideningSeconds',
      'maxLevel', 'maxConsecutiveMisses', 'missDelaySeconds', 'colours']) delete data[key];
    delete data.serviceLevel.formula;
    delete data.serviceLevel.todayResetsAt;
    delete data.ivr.gatherTimeoutSeconds;
    delete data.survey.enabled;
    delete data.priority.repeatMemoryHours;
    const s = parseSettings(data);
    expect(s.intervalMinutes).toBe(15);
    expect(s.strategy).toBe('longest-idle');
    expect(s.offerTimeoutSeconds).toBe(20);
    expect(s.wrapUpSeconds).toBe(10);
    expect(s.levelWideningSeconds).toBe(60);
    expect(s.maxLevel).toBe(3);
    expect(s.serviceLevel.formula).toBe('offered');
    expect(s.serviceLevel.todayResetsAt).toBe('00:00');
    expect(s.ivr.gatherTimeoutSeconds).toBe(5);
    expect(s.survey.enabled).toBe(false);
    expect(s.priority.repeatMemoryHours).toBe(24);
    expect(s.colours.waiting).toEqual({ amberAbove: 3, redAbove: 6 });
  });

  it('fills a colour band left out of a partial colours block', () => {
    const data = example();
    data.colours = { serviceLevel: { amberFrom: 0.6 } };
    const s = parseSettings(data);
    expect(s.colours.serviceLevel.amberFrom).toBe(0.6);
    expect(s.colours.longestWaitSeconds).toEqual({ amberAbove: 30, redAbove: 60 });
  });
});

describe('bad settings name the field', () => {
  const cases: [string, (d: Json) => void, string, RegExp?][] = [
    ['target above 1', (d) => { d.serviceLevel.target = 1.5; }, '/serviceLevel/target', /<= 1/],
    ['unknown formula', (d) => { d.serviceLevel.formula = 'answeredOnly'; }, '/serviceLevel/formula', /one of .*"offered"/],
    ['misspelt queue key', (d) => { d.queues[0].treshold = 30; }, '/queues/0/treshold', /\/queues\/0: unknown field "treshold"/],
    ['misspelt top-level key', (d) => { d.wrapupSeconds = 5; }, '/wrapupSeconds', /unknown field "wrapupSeconds"/],
    ['todayResetsAt 25:00', (d) => { d.serviceLevel.todayResetsAt = '25:00'; }, '/serviceLevel/todayResetsAt', /HH:MM.*"25:00"/],
    ['menu option to a missing queue', (d) => { d.ivr.menu.options[1].queue = 'venda'; }, '/ivr/menu/options/1/queue', /no queue "venda"/],
    ['submenu option to a missing queue', (d) => { d.ivr.menu.options[0].menu.options[0].queue = 'tecnico'; }, '/ivr/menu/options/0/menu/options/0/queue'],
    ['agent skill of a missing queue', (d) => { d.agents[2].skills = ['suporte', 'cobranca']; }, '/agents/2/skills/1', /no queue "cobranca"/],
    ['duplicate menu digit', (d) => { d.ivr.menu.options[2].digit = '2'; }, '/ivr/menu/options/2/digit', /"2" is used twice/],
    ['duplicate language digit', (d) => { d.ivr.languages[2].digit = '1'; }, '/ivr/languages/2/digit'],
    ['missing es text', (d) => { delete d.ivr.waitAnnouncement.es; }, '/ivr/waitAnnouncement/es', /every configured language/],
    ['missing es label deep in the menu', (d) => { delete d.ivr.menu.options[0].menu.options[2].label.es; }, '/ivr/menu/options/0/menu/options/2/label/es'],
    ['text in an unconfigured language', (d) => { d.survey.thanks['pt-br'] = 'Obrigado'; }, '/survey/thanks/pt-br', /not a configured language/],
    ['contact without client:', (d) => { d.agents[0].contact = 'ana'; }, '/agents/0/contact', /client:NAME.*E\.164/],
    ['VIP number not E.164', (d) => { d.priority.vipNumbers[1] = '(21) 98888-7777'; }, '/priority/vipNumbers/1', /E\.164/],
    ['bad timezone', (d) => { d.timezone = 'America/Sao_Paolo'; }, '/timezone', /IANA/],
    ['agingSeconds wrong length', (d) => { d.priority.agingSeconds = [null, 120]; }, '/priority/agingSeconds', /one entry per tier \(3\)/],
    ['rule tier above tiers', (d) => { d.priority.rules[2].tier = 4; }, '/priority/rules/2/tier', /1\.\.3/],
    ['rule reason unknown', (d) => { d.priority.rules[0].reason = 'outage'; }, '/priority/rules/0/reason'],
    ['rule ivrPath leads nowhere', (d) => { d.priority.rules[0].when.ivrPath = ['1', '8']; }, '/priority/rules/0/when/ivrPath/1'],
    ['option with both queue and menu', (d) => { d.ivr.menu.options[0].queue = 'suporte'; }, '/ivr/menu/options/0', /exactly one/],
    ['duplicate queue id', (d) => { d.queues[2].id = 'vendas'; }, '/queues/2/id', /listed twice/],
    ['overflow to a missing queue', (d) => { d.queues[1].overflowQueue = 'suport'; }, '/queues/1/overflowQueue'],
    ['duplicate agent id', (d) => { d.agents[5].id = 'ana'; }, '/agents/5/id'],
    ['agent level above maxLevel', (d) => { d.agents[0].level = 3; }, '/agents/0/level', /maxLevel \(2\)/],
    ['no queues', (d) => { d.queues = []; }, '/queues', /at least 1/],
    ['missing timezone', (d) => { delete d.timezone; }, '/timezone', /required/],
    ['unknown wait placeholder', (d) => { d.ivr.waitAnnouncement.en = 'You are number {posicao}.'; }, '/ivr/waitAnnouncement/en', /\{posicao\}/],
    ['window not whole seconds (metrics core)', (d) => { d.serviceLevel.windowMinutes = 0.001; }, '/serviceLevel/windowMinutes'],
  ];

  it.each(cases)('%s', (_name, mutate, field, rule) => {
    const data = example();
    mutate(data);
    const err = refusal(() => parseSettings(data, 'config/x.json'));
    expect(err.field).toBe(field);
    expect(err.message).toContain('settings file config/x.json: ');
    // The message names the field (a missing/unknown key through its parent and name).
    const parent = field.slice(0, field.lastIndexOf('/'));
    expect(err.message.includes(field) || err.message.includes(parent || '/')).toBe(true);
    if (rule) expect(err.message).toMatch(rule);
  });

  it('the example itself is fine (the table tests one mutation each)', () => {
    expect(() => parseSettings(example())).not.toThrow();
  });
});

describe('numbers Twilio wants as integers (<Dial timeout>, <Gather timeout>, <Pause length>)', () => {
  const cases: [string, (d: Json) => void, string, RegExp][] = [
    ['a fractional offer timeout', (d) => { d.offerTimeoutSeconds = 20.5; }, '/offerTimeoutSeconds', /must be integer, got 20\.5/],
    ['an offer timeout under 5 s', (d) => { d.offerTimeoutSeconds = 4; }, '/offerTimeoutSeconds', /must be >= 5, got 4/],
    ['an offer timeout over 600 s', (d) => { d.offerTimeoutSeconds = 601; }, '/offerTimeoutSeconds', /must be <= 600, got 601/],
    ['a fractional menu timeout', (d) => { d.ivr.gatherTimeoutSeconds = 2.5; }, '/ivr/gatherTimeoutSeconds', /must be integer, got 2\.5/],
    ['a menu timeout over 60 s', (d) => { d.ivr.gatherTimeoutSeconds = 61; }, '/ivr/gatherTimeoutSeconds', /must be <= 60/],
    ['a fractional hold pause', (d) => { d.ivr.waitCycleSeconds = 0.5; }, '/ivr/waitCycleSeconds', /must be integer, got 0\.5/],
    ['no hold pause', (d) => { d.ivr.waitCycleSeconds = 0; }, '/ivr/waitCycleSeconds', /must be >= 1/],
  ];

  it.each(cases)('%s is refused at start with the field named', (_name, mutate, field, rule) => {
    const data = example();
    mutate(data);
    const path = join(dir, `integers-${field.replace(/\//g, '_')}.json`);
    writeFileSync(path, JSON.stringify(data));
    const err = refusal(() => loadSettings(path));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(new RegExp(`^settings file ${path}: ${field} `));
    expect(err.message).toMatch(rule);
  });

  it('the schema says so and gives the ranges', () => {
    const schema = JSON.parse(readFileSync(new URL('../../config/schema.json', import.meta.url), 'utf8'));
    expect(schema.properties.offerTimeoutSeconds).toMatchObject({ type: 'integer', minimum: 5, maximum: 600 });
    expect(schema.definitions.ivr.properties.gatherTimeoutSeconds).toMatchObject({ type: 'integer', minimum: 1, maximum: 60 });
    expect(schema.definitions.ivr.properties.waitCycleSeconds).toMatchObject({ type: 'integer', minimum: 1, maximum: 600 });
  });
});

describe('loadSettings', () => {
  it('names the file and position of invalid JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "timezone": "America/Sao_Paulo",\n  "queues": [,]\n}\n');
    const err = refusal(() => loadSettings(path));
    expect(err.field).toBe('');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).toMatch(/line 3 column 14/);
  });

  it('names a missing file', () => {
    const path = join(dir, 'nope.json');
    const err = refusal(() => loadSettings(path));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/not found/);
  });

  it('names the file for a schema error', () => {
    const data = example();
    data.serviceLevel.target = 1.5;
    const path = join(dir, 'bad-target.json');
    writeFileSync(path, JSON.stringify(data));
    const err = refusal(() => loadSettings(path));
    expect(err.field).toBe('/serviceLevel/target');
    expect(err.message).toBe(`settings file ${path}: /serviceLevel/target must be <= 1, got 1.5`);
  });
});
