// Puts a scenario's roster and wrap-up on an Atende running in this process, the
// way a supervisor would before the day starts: PATCH /api/settings for the
// wrap-up, PATCH /api/agents/:id for an agent the settings file has with other
// skills, level or contact. An agent the settings file lacks cannot be added over
// HTTP (there is no route for it), so it goes in as the `agent.configured` event
// that same route logs, with its id and source: the core adds an agent it does not
// know, and a restart rebuilds the roster from the log (server/start.ts).
import type { AgentConfig } from '../routing/types.ts';
import type { Atende } from '../server/start.ts';
import type { AgentPlan } from './model/traffic.ts';

export interface RosterChanges {
  /** Agents the server did not know. */
  added: number;
  /** Agents it knew with other skills, level or contact. */
  changed: number;
  /** Whether the wrap-up was changed. */
  wrapUp: boolean;
}

/** Counter of the `api:agent:<id>:<ms>:<n>` ids written here (the route keeps its own). */
let seq = 0;

export async function configureScenario(atende: Atende, roster: AgentPlan[], wrapUpSeconds: number, supervisorToken: string | null = null): Promise<RosterChanges> {
  const { app, engine } = atende;
  const headers = supervisorToken ? { authorization: `Bearer ${supervisorToken}` } : undefined;
  const supervisor = async (method: 'PATCH', url: string, payload: object) => {
    const res = await app.inject({ method, url, payload, headers });
    if (res.statusCode !== 200) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  };
  const changes: RosterChanges = { added: 0, changed: 0, wrapUp: false };
  if (app.settings.current.wrapUpSeconds !== wrapUpSeconds) {
    await supervisor('PATCH', '/api/settings', { wrapUpSeconds });
    changes.wrapUp = true;
  }
  for (const plan of roster) {
    const wanted: AgentConfig = { id: plan.id, name: plan.name, skills: [...plan.skills], level: plan.level };
    if (plan.contact !== undefined) wanted.contact = plan.contact;
    const known = engine.core.agent(plan.id);
    if (known) {
      const same = known.level === wanted.level && (known.contact ?? undefined) === wanted.contact
        && known.skills.length === wanted.skills.length && known.skills.every((s, i) => s === wanted.skills[i]);
      if (same) continue;
      const { id: _id, ...change } = wanted;
      await supervisor('PATCH', `/api/agents/${encodeURIComponent(plan.id)}`, change);
      changes.changed++;
      continue;
    }
    const at = engine.now();
    const r = engine.dispatch({ type: 'agent.configured', id: `api:agent:${plan.id}:${at}:${seq++}`, at, agent: wanted }, 'api:agents');
    if (!r.ok) throw new Error(`agent ${plan.id} could not be added: ${r.error.message}`);
    const live = app.settings;
    live.current = { ...live.current, agents: [...live.current.agents, wanted] };
    atende.storage.audit.record({ at, actor: 'simulator', action: 'agent.added', target: plan.id, before: null, after: wanted });
    changes.added++;
  }
  return changes;
}
