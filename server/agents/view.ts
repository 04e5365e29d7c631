// One agent's console view (contract.ts AgentConsoleView), built from the routing
// core and the settings in force at the moment it is asked for.
import type { MenuNode, MenuOption, Settings } from '../config/types.ts';
import type { AgentConsoleView, ConsoleCall, ConsoleVoice } from '../contract.ts';
import type { Engine } from '../engine.ts';
import { clientIdentity } from './contact.ts';

/** How this server carries agents' voices: demo (the emulator answers), softphone tokens (an API key), or neither. */
export type VoiceSetup = 'demo' | 'softphone' | 'none';

function voiceOf(setup: VoiceSetup, agent: { id: string; contact: string | null }): ConsoleVoice {
  if (setup === 'demo') return 'simulated';
  if (clientIdentity(agent) === null) return 'phone';
  return setup === 'softphone' ? 'softphone' : 'external';
}

/** The menu options a caller chose, in the center's first language. */
function ivrLabels(settings: Settings, path: string[]): string[] {
  const lang = settings.ivr.languages[0]?.code ?? 'pt-BR';
  const out: string[] = [];
  let node: MenuNode | undefined = settings.ivr.menu;
  for (const d of path) {
    const o: MenuOption | undefined = node?.options.find((x) => x.digit === d);
    if (!o) break;
    out.push(o.label[lang] ?? Object.values(o.label)[0] ?? d);
    node = o.menu;
  }
  return out;
}

/** Null for an agent the core does not know. */
export function consoleView(engine: Engine, settings: Settings, agentId: string, voice: VoiceSetup): AgentConsoleView | null {
  const core = engine.core;
  const a = core.agent(agentId);
  if (!a) return null;
  const now = engine.now();
  const c = a.callId ? core.call(a.callId) : null;
  const cfg = core.routingConfig();
  const call: ConsoleCall | null = c ? {
    id: c.id, from: c.from, status: c.status, queue: c.queue,
    callback: c.callback ? { number: c.callback.number, origin: c.callback.origin, attempt: c.callback.attempts + 1, reached: c.callback.reached } : null,
    queueName: core.queueConfigs().find((q) => q.id === c.queue)?.name ?? null,
    tier: c.tier, tierLabel: c.tierRule?.label ?? null, tierReason: c.tierRule?.reason ?? null,
    vip: c.tierRule?.reason === 'vip' || c.attributes.vip === true, repeatCaller: c.tierRule?.reason === 'repeat',
    ivrPath: c.ivrPath, ivrLabels: ivrLabels(settings, c.ivrPath), language: c.language,
    arrivedAt: c.arrivedAt, queuedAt: c.queuedAt, answeredAt: c.answeredAt,
    waitedSeconds: c.queuedAt === null ? null : Math.max(0, Math.round(((c.answeredAt ?? (c.status === 'ended' ? c.queuedAt : now)) - c.queuedAt) / 1000)),
    level: c.level, escalations: c.escalations, notes: c.notes, resolvedFirstContact: c.resolvedFirstContact,
    protocol: c.protocol,
    recording: c.recording ? { status: c.recording.status } : null,
  } : null;
  // Only the agent talking to the caller escalates from the console.
  const escalateTo = c && c.status === 'connected' && c.agentId === a.id
    ? Array.from({ length: cfg.maxLevel - c.level }, (_, i) => c.level + 1 + i)
    : [];
  return {
    type: 'agent', serverTime: now,
    agent: {
      id: a.id, name: a.name, contact: a.contact, softphone: clientIdentity(a) !== null, voice: voiceOf(voice, a),
      state: a.status, reason: a.reason, stateSeconds: Math.max(0, Math.floor((now - a.since) / 1000)),
      level: a.level, skills: a.skills, callsHandled: a.callsHandled, pending: a.pending,
      wrapUpEndsAt: a.status === 'wrap-up' && cfg.wrapUpSeconds > 0 ? a.since + cfg.wrapUpSeconds * 1000 : null,
    },
    call,
    pauseReasons: settings.pauseReasons,
    escalateTo,
  };
}
