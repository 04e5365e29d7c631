// Protocol numbers handed out (server/sac/protocol.ts): one row per call, written in the
// transaction that picks the number, so a restart continues each period's sequence and
// no number is ever given twice (the protocol is the primary key).
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.ts';

export class ProtocolStore {
  private readonly byCall: Statement<[string]>;
  private readonly byProtocol: Statement<[string]>;
  private readonly lastSeq: Statement<[string]>;
  private readonly taken: Statement<[string]>;
  private readonly insert: Statement<[string, string, string, number, number]>;
  private readonly tx: (callId: string, period: string, at: number, render: (seq: number) => string) => string;

  constructor(db: Database) {
    this.byCall = db.prepare('SELECT protocol FROM protocols WHERE call_id = ?');
    this.byProtocol = db.prepare('SELECT call_id FROM protocols WHERE protocol = ?');
    this.lastSeq = db.prepare('SELECT MAX(seq) FROM protocols WHERE period = ?');
    this.taken = db.prepare('SELECT 1 FROM protocols WHERE protocol = ?');
    this.insert = db.prepare('INSERT INTO protocols (protocol, call_id, period, seq, at) VALUES (?, ?, ?, ?, ?)');
    // IMMEDIATE: the write lock first, so two processes on one file cannot pick the same number.
    const pick = db.transaction((callId: string, period: string, at: number, render: (seq: number) => string): string => {
      const known = this.byCall.pluck().get(callId) as string | undefined;
      if (known !== undefined) return known;
      let seq = ((this.lastSeq.pluck().get(period) as number | null) ?? 0) + 1;
      let protocol = render(seq);
      // A number given under an earlier format may look the same: skip it.
      while (this.taken.get(protocol)) protocol = render(++seq);
      this.insert.run(protocol, callId, period, seq, at);
      return protocol;
    });
    this.tx = (callId, period, at, render) => pick.immediate(callId, period, at, render);
  }

  /** The call's number, allocating the period's next one when it has none. */
  allocate(callId: string, period: string, at: number, render: (seq: number) => string): string {
    return this.tx(callId, period, at, render);
  }

  protocolOf(callId: string): string | null {
    return (this.byCall.pluck().get(callId) as string | undefined) ?? null;
  }

  callOf(protocol: string): string | null {
    return (this.byProtocol.pluck().get(protocol) as string | undefined) ?? null;
  }
}
