// legs.ts alone: where a caller's Twilio leg is, and which QueueSid a dequeue uses.
import { describe, expect, it } from 'vitest';
import { Legs, type Leg } from '../../../server/twilio/legs.ts';

const QU = (n: number) => `QU${String(n).padStart(32, '0')}`;

function legs(queues: Record<string, string> = {}, records: Record<string, string> = {}) {
  const noted: [string, string][] = [];
  const changes: [string, Leg | null][] = [];
  const l = new Legs({
    queueOf: (id) => queues[id] ?? null,
    record: (id, sid) => { noted.push([id, sid]); },
    recorded: (id) => records[id] ?? null,
  });
  l.onChange((id, leg) => changes.push([id, leg]));
  return { l, noted, changes };
}

describe('Legs', () => {
  it('a caller not seen since the start: its queue\'s QueueSid first, then the call records', () => {
    const { l } = legs({ a: 'suporte', b: 'suporte', c: 'vendas' }, { c: QU(9) });
    expect(l.queueSidOf('a')).toBeNull();
    expect(l.queueSidOf('c')).toBe(QU(9));
    l.waiting('a', QU(1));
    expect(l.queueSidOf('b')).toBe(QU(1)); // one Twilio queue per name
    expect(l.queueSidOf('c')).toBe(QU(9));
  });

  it('the wait URL puts the caller in a queue and records the QueueSid; the Enqueue action only records it', () => {
    const { l, noted, changes } = legs({ a: 'suporte' });
    l.left('a', QU(2));
    expect(l.legOf('a')).toBeNull();
    l.waiting('a', QU(1));
    expect(l.legOf('a')).toEqual({ where: 'queued', queueSid: QU(1) });
    expect(noted).toEqual([['a', QU(2)], ['a', QU(1)]]);
    expect(changes).toEqual([['a', { where: 'queued', queueSid: QU(1) }]]);
  });

  it('dialling, bridged and moving callers are in no queue: no QueueSid until a wait request', () => {
    const { l } = legs({ a: 'suporte' }, { a: QU(9) });
    l.waiting('a', QU(1));
    l.dialling('a');
    expect(l.queueSidOf('a')).toBeNull();
    l.bridged('a');
    expect(l.queueSidOf('a')).toBeNull();
    expect(l.escalated('a')).toBe(true); // bridged: must be moved back
    expect(l.legOf('a')).toEqual({ where: 'moving' });
    expect(l.escalated('a')).toBe(false); // already on its way
    expect(l.queueSidOf('a')).toBeNull();
    l.waiting('a', QU(3));
    expect(l.queueSidOf('a')).toBe(QU(3));
  });

  it('an escalation of a caller who is not talking moves nothing', () => {
    const { l } = legs();
    expect(l.escalated('x')).toBe(false);
    l.dialling('x');
    expect(l.escalated('x')).toBe(false);
  });

  it('the end forgets the leg and tells the listeners, even for a call never seen', () => {
    const { l, changes } = legs({}, { a: QU(9) });
    l.dialling('a');
    l.ended('a');
    l.ended('never-seen');
    expect(l.legOf('a')).toBeNull();
    expect(l.queueSidOf('a')).toBe(QU(9));
    expect(changes.slice(-2)).toEqual([['a', null], ['never-seen', null]]);
  });
});
