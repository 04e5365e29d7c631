// Demo traffic: a seeded, real-time driver that logs agents in and feeds
// realistic calls into the engine. DEMO DATA ONLY — nothing here is a real caller.
import type { Engine } from '../server/engine.ts';
import type { Decision, DomainEvent } from '../routing/types.ts';
import { mulberry32 } from './random.ts';

export interface DemoOptions {
  seed?: number;
  callsPerHour?: number;
  /** Multiplies every delay (tests use < 1 to speed things up). */
  timeScale?: number;
  vipNumbers?: string[];
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  /** Calls started in the first two seconds (default 4). */
  initialBurst?: number;
}

export interface DemoHandle { stop(): void; readonly callsStarted: number }

export function startDemo(engine: Engine, opts: DemoOptions = {}): DemoHandle {
  const rnd = mulberry32(opts.seed ?? 42);
  const perHour = opts.callsPerHour ?? 600;
  const scale = opts.timeScale ?? 1;
  const vips = opts.vipNumbers ?? ['+5511999990000'];
  const log = opts.log ?? (() => {});
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let seq = 0;
  // Ids stay unique across restarts, whose replayed log already holds earlier runs.
  const runId = Date.now().toString(36);
  let callsStarted = 0;
  const recentNumbers: string[] = [];
  const patience = new Map<string, NodeJS.Timeout>();
  const queueIds = new Set(engine.core.queueConfigs().map((q) => q.id));

  const uniform = (a: number, b: number) => a + (b - a) * rnd();
  const expo = (mean: number) => -Math.log(1 - rnd()) * mean;
  const normal = () => {
    const u = 1 - rnd(), v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * normal());

  const later = (seconds: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => { timers.delete(t); if (!stopped) fn(); }, Math.max(0, seconds * 1000 * scale));
    t.unref();
    timers.add(t);
    return t;
  };
  const cancel = (t: NodeJS.Timeout | undefined) => { if (t) { clearTimeout(t); timers.delete(t); } };

  const send = (e: Record<string, unknown> & { type: DomainEvent['type'] }) => {
    if (stopped) return;
    const event = { id: `demo-${opts.seed ?? 42}-${runId}-${seq++}`, at: engine.now(), ...e } as DomainEvent;
    engine.dispatch(event, 'demo');
  };

  const numberFor = (): string => {
    const r = rnd();
    if (r < 0.05) return vips[Math.floor(rnd() * vips.length)];
    if (r < 0.15 && recentNumbers.length) return recentNumbers[Math.floor(rnd() * recentNumbers.length)];
    const areas = ['11', '21', '31', '41', '51', '61', '71', '81'];
    const area = areas[Math.floor(rnd() * areas.length)];
    let rest = '9';
    for (let i = 0; i < 8; i++) rest += Math.floor(rnd() * 10);
    const n = `+55${area}${rest}`;
    recentNumbers.push(n);
    if (recentNumbers.length > 40) recentNumbers.shift();
    return n;
  };

  const pickQueue = (): { queue: string; path: string[] } => {
    const r = rnd();
    if (r < 0.5) return { queue: 'suporte', path: rnd() < 0.15 ? ['1', '9'] : ['1', String(1 + Math.floor(rnd() * 3))] };
    if (r < 0.8) return { queue: 'vendas', path: ['2'] };
    return { queue: 'financeiro', path: ['3'] };
  };

  const newCall = () => {
    const callId = `demo-call-${++callsStarted}`;
    send({ type: 'call.arrived', callId, from: numberFor(), to: '+551140040000' });
    later(uniform(1.5, 4), () => {
      let { queue, path } = pickQueue();
      if (!queueIds.has(queue)) queue = [...queueIds][0];
      send({ type: 'call.ivr', callId, path });
      if (rnd() < 0.03) { later(1, () => send({ type: 'call.ended', callId, by: 'caller' })); return; }
      later(uniform(0.5, 1.5), () => {
        send({ type: 'call.queued', callId, queue, attributes: rnd() < 0.03 ? { vip: true } : {} });
        // Caller patience: most wait a good while, some hang up early.
        const p = rnd() < 0.2 ? uniform(5, 30) : expo(120) + 20;
        patience.set(callId, later(p, () => {
          patience.delete(callId);
          send({ type: 'call.abandoned', callId });
        }));
      });
    });
  };

  const scheduleArrival = () => {
    const meanSeconds = 3600 / perHour;
    later(expo(meanSeconds), () => { newCall(); scheduleArrival(); });
  };

  const onOffer = (callId: string, agentId: string) => {
    if (rnd() < 0.05) {
      later(uniform(6, 10), () => send({ type: 'call.offer-missed', callId, agentId, reason: 'no-answer' }));
      return;
    }
    later(uniform(2, 8), () => {
      const c = engine.core.call(callId);
      if (!c || c.status !== 'offering' || c.agentId !== agentId) return;
      cancel(patience.get(callId));
      patience.delete(callId);
      send({ type: 'call.answered', callId, agentId });
      if (rnd() < 0.3) {
        const holdAt = uniform(5, 15);
        later(holdAt, () => send({ type: 'call.hold', callId, onHold: true }));
        later(holdAt + uniform(5, 15), () => send({ type: 'call.hold', callId, onHold: false }));
      }
      const talk = Math.min(120, Math.max(30, logNormal(60, 0.45)));
      later(talk, () => {
        send({ type: 'call.ended', callId, by: rnd() < 0.5 ? 'caller' : 'agent' });
        if (rnd() < 0.7) later(1, () => send({ type: 'call.disposition', callId, resolvedFirstContact: rnd() < 0.75 }));
        if (rnd() < 0.4) {
          later(uniform(2, 5), () => {
            const r = rnd();
            const nps = r < 0.6 ? 9 + Math.floor(rnd() * 2) : r < 0.85 ? 7 + Math.floor(rnd() * 2) : Math.floor(rnd() * 7);
            send({ type: 'call.survey', callId, nps, csat: Math.max(1, Math.min(5, Math.round(nps / 2)) ) });
          });
        }
      });
    });
  };

  const onDecisions = (ds: Decision[]) => {
    for (const d of ds) {
      if (d.type === 'offer') onOffer(d.callId, d.agentId);
      else if (d.type === 'agent-status' && d.status === 'away' && d.reason === 'no-answer') {
        later(uniform(10, 20), () => send({ type: 'agent.state', agentId: d.agentId, state: 'available' }));
      } else if (d.type === 'overflow' && d.toQueue === null) {
        cancel(patience.get(d.callId));
      }
    }
  };
  const off = engine.onDecisions(onDecisions);

  // Log agents in over the first few seconds; one or two stay offline.
  const agents = engine.core.agentList();
  agents.forEach((a, i) => {
    if (i >= agents.length - 1 && agents.length > 4) return;
    later(uniform(0, 3), () => send({ type: 'agent.state', agentId: a.id, state: 'available' }));
  });

  // Occasional pauses.
  const schedulePause = () => {
    later(expo(45), () => {
      const avail = engine.core.agentList().filter((a) => a.status === 'available');
      if (avail.length > 2) {
        const a = avail[Math.floor(rnd() * avail.length)];
        const reason = rnd() < 0.7 ? 'pausa' : rnd() < 0.5 ? 'treinamento' : 'almoço';
        send({ type: 'agent.state', agentId: a.id, state: 'away', reason });
        later(uniform(20, 60), () => send({ type: 'agent.state', agentId: a.id, state: 'available' }));
      }
      schedulePause();
    });
  };

  log('demo traffic started (DEMO DATA, not real callers)', { seed: opts.seed ?? 42, callsPerHour: perHour });
  // A small opening burst so the board moves within seconds of starting.
  const burst = opts.initialBurst ?? 4;
  for (let i = 0; i < burst; i++) later(uniform(0.2, 2), newCall);
  scheduleArrival();
  schedulePause();

  return {
    get callsStarted() { return callsStarted; },
    stop() {
      if (stopped) return;
      stopped = true;
      off();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      patience.clear();
    },
  };
}
