// The supervisor page's pure settings logic (wallboard/supervisor/settings-model.ts,
// settings-fields.ts): the preview's changes, the merge patch a save sends, and
// which field a refusal lands on. Kept beside the server tests it answers to.
import { describe, expect, it } from 'vitest';
import { dictionaries } from '../../../wallboard/supervisor/i18n.ts';
import { FieldError, fromInput, getAt, setAt, toInput } from '../../../wallboard/supervisor/settings-fields.ts';
import { diff, fieldFor, refusedField, settingsPatch, type Json } from '../../../wallboard/supervisor/settings-model.ts';

const t = dictionaries.pt;

describe('preview and patch', () => {
  const current: Record<string, Json> = {
    serviceLevel: { thresholdSeconds: 20, target: 0.8, formula: 'offered' },
    queues: [{ id: 'suporte', name: 'Suporte', target: 0.8, maxWaiting: 50 }, { id: 'vendas', name: 'Vendas' }],
    pauseReasons: ['almoço', 'lanche'],
    levelWideningSeconds: 15,
  };

  it('lists what changes, leaf by leaf, queues by id', () => {
    const next: Record<string, Json> = {
      serviceLevel: { thresholdSeconds: 20, target: 0.9, formula: 'offered' },
      queues: [{ id: 'suporte', name: 'Suporte', target: 0.8 }, { id: 'vendas', name: 'Vendas', thresholdSeconds: 30 }],
    };
    expect(diff(current, next)).toEqual([
      { path: '/serviceLevel/target', before: 0.8, after: 0.9 },
      { path: '/queues/vendas/thresholdSeconds', before: undefined, after: 30 },
      { path: '/queues/suporte/maxWaiting', before: 50, after: undefined },
    ]);
  });

  it('sends a merge patch: only what changed, a removed key as null, queues by id, arrays whole', () => {
    expect(settingsPatch(current, {
      serviceLevel: { thresholdSeconds: 20, target: 0.9, formula: 'offered' },
      queues: [{ id: 'suporte', name: 'Suporte', target: 0.8 }, { id: 'vendas', name: 'Vendas' }],
      pauseReasons: ['almoço', 'lanche', 'café'],
      levelWideningSeconds: null,
    })).toEqual({
      serviceLevel: { target: 0.9 },
      queues: [{ maxWaiting: null, id: 'suporte' }],
      pauseReasons: ['almoço', 'lanche', 'café'],
      levelWideningSeconds: null,
    });
    expect(settingsPatch(current, { serviceLevel: structuredClone(current.serviceLevel), pauseReasons: ['almoço', 'lanche'] })).toBeNull();
  });

  it('puts a refusal next to the field it names, or its nearest parent', () => {
    expect(refusedField('/serviceLevel/target: must be <= 1, got 1.5')).toBe('/serviceLevel/target');
    expect(refusedField('settings are broken')).toBeNull();
    const fields = ['/alerts/rules/0/id', '/alerts/rules/0/queues', '/serviceLevel/target', '/priority/rules'];
    expect(fieldFor('/alerts/rules/0/queues/1', fields)).toBe('/alerts/rules/0/queues');
    expect(fieldFor('/priority/rules/2/when/queues/0', fields)).toBe('/priority/rules');
    expect(fieldFor('/serviceLevel/target', fields)).toBe('/serviceLevel/target');
    expect(fieldFor('/colours/waiting', fields)).toBeNull();
  });
});

describe('fields', () => {
  it('reads and writes percentages, lists, nullable numbers and JSON', () => {
    expect(toInput('percent', 0.8)).toBe('80');
    expect(fromInput('percent', '92,5', t)).toBe(0.925);
    expect(fromInput('optionalNumber', '', t)).toBeUndefined();
    expect(fromInput('nullableNumber', '', t)).toBeNull();
    expect(toInput('numberList', [null, 120, 180])).toBe('—, 120, 180');
    expect(fromInput('numberList', '—, 120, 180', t)).toEqual([null, 120, 180]);
    expect(fromInput('lines', ' almoço \n\nlanche', t)).toEqual(['almoço', 'lanche']);
    expect(fromInput('list', 'suporte, vendas', t)).toEqual(['suporte', 'vendas']);
    expect(() => fromInput('number', 'vinte', t)).toThrow(FieldError);
    expect(() => fromInput('json', '[{', t)).toThrow(/^JSON inválido/);
  });

  it('gets and sets by JSON pointer, creating and removing on the way', () => {
    const s: Record<string, Json> = { alerts: { rules: [{ id: 'a' }] } };
    setAt(s, '/alerts/rules/0/quietHours/from', '22:00');
    expect(getAt(s, '/alerts/rules/0/quietHours/from')).toBe('22:00');
    setAt(s, '/alerts/rules/0/id', undefined);
    expect(s).toEqual({ alerts: { rules: [{ quietHours: { from: '22:00' } }] } });
  });
});
