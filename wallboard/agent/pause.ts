// The pause hint under the Pausa button: "Pausa liberada" or "Aguarde ~10 min", from the
// breach warning (GET /api/forecast/pause). Pure: the advice and the agent's state in, the
// words out; main.ts asks for the advice every half minute and on each state change.
import type { AgentStatus, PauseAdviceView } from '../../server/contract.ts';
import type { AgentDict } from './i18n.ts';

export interface PauseHint {
  kind: 'ok' | 'wait' | 'no';
  text: string;
}

/** How often the console asks again. */
export const PAUSE_ADVICE_EVERY_MS = 30_000;
/** Advice older than this (server time) is not shown: the center may have changed. */
const STALE_AFTER_MS = 2 * PAUSE_ADVICE_EVERY_MS;

/** States in which the agent could go on a pause (not already paused or logged out). */
const CAN_PAUSE: readonly AgentStatus[] = ['available', 'ringing', 'on-call', 'wrap-up'];

export function pauseHint(advice: PauseAdviceView | null, agentId: string | null, state: string | null, serverNow: number, t: AgentDict): PauseHint | null {
  if (!advice || advice.agentId !== agentId || !CAN_PAUSE.includes(state as AgentStatus)) return null;
  if (serverNow - advice.serverTime > STALE_AFTER_MS) return null;
  if (advice.safe) return { kind: 'ok', text: t.pauseSafe };
  if (advice.waitMinutes !== null) return { kind: 'wait', text: t.pauseWait(advice.waitMinutes) };
  return { kind: 'no', text: t.pauseNotNow };
}
