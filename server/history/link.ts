// What the rest of the server sees of the history worker.
import type { IntervalScope } from '../storage/history.ts';
import type { AgentCounters, ScopeCounters } from './counters.ts';

/** The interval holding `now`, so far, for every scope with anything in it. */
export interface OpenInterval {
  start: number;
  end: number;
  /** Last event seq the figures include. */
  seq: number;
  scopes: { scope: Exclude<IntervalScope, 'agent'>; id: string; counters: ScopeCounters }[];
  agents: { id: string; counters: AgentCounters }[];
}

export interface HistoryLink {
  /**
   * Resolves once every event logged so far is processed and every interval ending by
   * `now` is stored; gives the interval holding `now`. Call with the live core already
   * advanced to `now` (engine.advance()).
   */
  catchUp(now: number): Promise<OpenInterval>;
}
