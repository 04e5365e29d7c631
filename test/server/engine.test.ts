// The engine's contract with the event log: logged before applied, a refusal taken
// back, a crash in the core taken back too, and a bad logged event never blocks a start.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../server/engine.ts';
import { openStorage } from '../../server/storage/index.ts';
import { newCore, T0 } from '../helpers/core.ts';
import type { DomainEvent } from '../../routing/types.ts';

const store = (s: ReturnType<typeof openStorage>) => ({
  append: (e: DomainEvent, src?: string) => s.events.append(e, src),
  has: (id: string) => s.events.has(id),
  remove: (id: string) => { s.events.remove(id); },
});

describe('engine and event log', () => {
  it('a refused event leaves no row; an accepted one is logged once', () => {
    const s = openStorage(':memory:');
    const engine = new Engine(newCore(), { store: store(s), now: () => T0 });
    expect(engine.dispatch({ id: 'a1', at: T0, type: 'call.arrived', callId: 'c1', from: '+5511900000001' }).ok).toBe(true);
    expect(engine.dispatch({ id: 'a1', at: T0, type: 'call.arrived', callId: 'c1', from: '+5511900000001' })).toMatchObject({ ok: true, applied: false });
    expect(engine.dispatch({ id: 'x1', at: T0, type: 'call.answered', callId: 'nope' }).ok).toBe(false);
    expect([...s.events.replay()].map((e) => e.id)).toEqual(['a1']);
    engine.stop();
  });

  it('an exception inside the core takes the event back out of the log, and replay skips a poisoned log row', () => {
    const s = openStorage(':memory:');
    const core = newCore();
    const engine = new Engine(core, { store: store(s), now: () => T0 });
    const original = core.apply.bind(core);
    core.apply = (e) => { if (e.id === 'boom') throw new TypeError('a bug'); return original(e); };
    expect(() => engine.dispatch({ id: 'boom', at: T0, type: 'call.arrived', callId: 'c2', from: '+5511900000002' })).toThrow('a bug');
    expect(s.events.has('boom')).toBe(false);
    engine.stop();

    // A row that makes the core throw (written by an older, buggy version) does not stop a start.
    s.events.append({ id: 'ok1', at: T0, type: 'call.arrived', callId: 'c3', from: '+5511900000003' });
    s.events.append({ id: 'bad', at: T0, type: 'call.arrived', callId: 'c4', from: '+5511900000004' });
    const core2 = newCore();
    const apply2 = core2.apply.bind(core2);
    core2.apply = (e) => { if (e.id === 'bad') throw new TypeError('old bug'); return apply2(e); };
    const engine2 = new Engine(core2, { now: () => T0 });
    expect(engine2.replay(s.events.replay())).toEqual({ applied: 1, refused: 1 });
    expect(core2.call('c3')).not.toBeNull();
    engine2.stop();
  });
});
