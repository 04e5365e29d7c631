// Pure modules of the agent console (wallboard/agent/): the view model from an
// AgentConsoleView (labels, badges, countdown, which buttons work in each state),
// the status/staleness, URL and token handling, the HTTP client and the live
// feed's protocol with fake sockets and timers; and the two dictionaries.
import { describe, expect, it } from 'vitest';
import type { AgentConsoleView, ConsoleCall } from '../../../server/contract.ts';
import { AgentApi, isDenied, type FetchLike } from '../../../wallboard/agent/api.ts';
import { AgentFeed, parseAgentFrame, type AgentFeedStatus, type AgentFrame, type SocketLike } from '../../../wallboard/agent/feed.ts';
import { dictionaries, en, pt, type AgentDict } from '../../../wallboard/agent/i18n.ts';
import { agentQuery, agentWsUrl, parseParams, TOKEN_KEY, TokenStore, withoutToken } from '../../../wallboard/agent/params.ts';
import { consoleStatus, serverNow } from '../../../wallboard/agent/status.ts';
import { buildConsoleView, buttonsFor, languageName, wrapUpRemaining, wrapUpText } from '../../../wallboard/agent/view.ts';

const T = 1_760_000_000_000;

function call(patch: Partial<ConsoleCall> = {}): ConsoleCall {
  return {
    id: 'CA1', from: '+5511999990000', status: 'offering', queue: 'vendas', queueName: 'Vendas',
    tier: 1, tierLabel: 'Cliente VIP', tierReason: 'vip', vip: true, repeatCaller: false,
    ivrPath: ['2'], ivrLabels: ['Vendas'], language: 'pt-BR', arrivedAt: T - 40_000, queuedAt: T - 30_000, answeredAt: null,
    waitedSeconds: 30, level: 1, escalations: 0, notes: [], resolvedFirstContact: null, ...patch,
  };
}

function view(state: string, c: ConsoleCall | null = null, patch: Partial<AgentConsoleView['agent']> = {}, escalateTo: number[] = []): AgentConsoleView {
  return {
    type: 'agent', serverTime: T,
    agent: {
      id: 'ana', name: 'Ana Souza', contact: 'client:ana', softphone: true, voice: 'external', state, reason: null, stateSeconds: 65,
      level: 1, skills: ['suporte', 'vendas'], callsHandled: 3, pending: null, wrapUpEndsAt: null, ...patch,
    },
    call: c,
    pauseReasons: ['almoço', 'lanche', 'banheiro'],
    escalateTo,
  };
}

describe('dictionaries', () => {
  it('pt and en have exactly the same keys, nested ones too (TypeScript enforces it as well)', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(pt).sort());
    for (const k of Object.keys(pt) as (keyof AgentDict)[]) {
      if (typeof pt[k] === 'object') expect(Object.keys(en[k] as object).sort(), k).toEqual(Object.keys(pt[k] as object).sort());
    }
  });

  it.each(Object.entries(dictionaries))('%s has no empty label', (_lang, d: AgentDict) => {
    for (const [key, value] of Object.entries(d)) {
      if (typeof value === 'string') expect(value, key).not.toBe('');
      if (typeof value === 'function') expect((value as (...a: unknown[]) => string)(3, 'x'), key).not.toBe('');
      if (typeof value === 'object') for (const v of Object.values(value as object)) expect(v, key).toBeTruthy();
    }
  });

  it('speaks the center’s Portuguese by default', () => {
    expect(pt.btnAvailable).toBe('Disponível');
    expect(pt.btnPause).toBe('Pausa');
    expect(pt.btnOffline).toBe('Sair');
    expect(pt.ready).toBe('Pronto');
    expect(pt.state['wrap-up']).toBe('Pós-atendimento');
    expect(pt.locale).toBe('pt-BR');
    expect(en.locale).toBe('en');
  });
});

describe('URL and token', () => {
  it('reads token, lang and agent', () => {
    expect(parseParams('?token=abc&lang=en&agent=bruno')).toEqual({ token: 'abc', lang: 'en', agent: 'bruno' });
    expect(parseParams('')).toEqual({ token: null, lang: 'pt', agent: null });
    expect(parseParams('?token=%20&lang=fr').token).toBeNull();
  });

  it('removes the token from the address, keeping the rest', () => {
    expect(withoutToken('http://h:1/agent/?token=abc&lang=en#x')).toBe('/agent/?lang=en#x');
    expect(withoutToken('http://h:1/agent/?token=abc')).toBe('/agent/');
    expect(withoutToken('http://h:1/agent/?lang=en')).toBeNull();
  });

  it('builds the agent query and the socket URL', () => {
    expect(agentQuery(null)).toBe('');
    expect(agentQuery('jo ão')).toBe('?agent=jo%20%C3%A3o');
    expect(agentWsUrl('https:', 'a.example:443', 't/1')).toBe('wss://a.example:443/ws/agent?ticket=t%2F1');
    expect(agentWsUrl('http:', '127.0.0.1:3000', 'x')).toBe('ws://127.0.0.1:3000/ws/agent?ticket=x');
  });

  it('keeps the token in the given storage, and survives a storage that throws', () => {
    const m = new Map<string, string>();
    const store = new TokenStore({ getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) });
    expect(store.get()).toBeNull();
    store.set(' tok ');
    expect(m.get(TOKEN_KEY)).toBe('tok');
    expect(store.get()).toBe('tok');
    store.clear();
    expect(store.get()).toBeNull();
    const broken = new TokenStore({ getItem: () => { throw new Error('x'); }, setItem: () => { throw new Error('x'); }, removeItem: () => { throw new Error('x'); } });
    expect(() => { broken.set('a'); broken.clear(); }).not.toThrow();
    expect(broken.get()).toBeNull();
    expect(new TokenStore(null).get()).toBeNull();
  });
});

describe('state buttons', () => {
  const on = (b: ReturnType<typeof buttonsFor>) => ({ available: b.available.enabled, away: b.away.enabled, offline: b.offline.enabled, ready: b.ready });
  it.each([
    ['offline', { available: true, away: true, offline: false, ready: false }],
    ['available', { available: false, away: true, offline: true, ready: false }],
    ['away', { available: true, away: true, offline: true, ready: false }],
    ['ringing', { available: false, away: true, offline: true, ready: false }],
    ['on-call', { available: false, away: true, offline: true, ready: false }],
    ['wrap-up', { available: false, away: true, offline: true, ready: true }],
  ])('%s', (state, want) => {
    expect(on(buttonsFor(state, null))).toEqual(want);
  });

  it('marks the current state', () => {
    expect(buttonsFor('available', null).available.current).toBe(true);
    expect(buttonsFor('away', null).away.current).toBe(true);
    expect(buttonsFor('offline', null).offline.current).toBe(true);
    expect(buttonsFor('on-call', null).available.current).toBe(false);
  });

  it('on a call a requested change is pending: shown as where the agent is heading; Disponível takes it back', () => {
    const b = buttonsFor('on-call', { state: 'offline' });
    expect(b.offline).toEqual({ enabled: false, current: true });
    expect(b.available.enabled).toBe(true);
    expect(buttonsFor('on-call', { state: 'away' }).away.current).toBe(true);
    expect(buttonsFor('on-call', { state: 'available' }).available).toEqual({ enabled: false, current: true });
  });

  it('an unknown state is treated as offline', () => {
    expect(buttonsFor('weird', null)).toEqual(buttonsFor('offline', null));
  });
});

describe('view model', () => {
  it('idle: state, time in state ticking, softphone notice, no call', () => {
    const v = buildConsoleView(view('available'), T + 4_000, pt);
    expect(v.stateLabel).toBe('Disponível');
    expect(v.stateLine).toBe('Disponível');
    expect(v.since).toBe('há 1:09');
    expect(v.call).toBeNull();
    expect(v.escalate).toEqual([]);
    expect(v.wrapUp).toBeNull();
    expect(v.disposition).toBe('hidden');
    expect(v.softphone).toBe(true);
    expect(v.device).toContain('softphone');
    expect(v.device).toContain('“ana”');
    expect(v.device).toMatch(/não por esta página/);
    expect(v.meta).toBe('N1 · suporte, vendas');
    expect(v.handled).toBe('3 atendidas');
  });

  it('a phone contact says which number rings', () => {
    const v = buildConsoleView(view('available', null, { contact: '+5511987654321', softphone: false, voice: 'phone' }), T, pt);
    expect(v.softphone).toBe(false);
    expect(v.device).toBe('As chamadas tocam no telefone +5511987654321.');
    expect(buildConsoleView(view('available', null, { contact: '+5511987654321', softphone: false, voice: 'phone' }), T, en).device).toBe('Calls ring your phone +5511987654321.');
  });

  it('away shows the reason and preselects it', () => {
    const v = buildConsoleView(view('away', null, { reason: 'almoço' }), T, pt);
    expect(v.stateLine).toBe('Pausa · almoço');
    expect(v.currentReason).toBe('almoço');
    expect(v.pauseReasons).toEqual(['almoço', 'lanche', 'banheiro']);
  });

  it('offered: caller, IVR path, queue, tier and its rule, badges, language; the wait ticks', () => {
    const c = call({ repeatCaller: true, escalations: 1, notes: ['cliente já reiniciou o modem'], ivrLabels: ['Suporte técnico', 'Internet e telefone'] });
    const v = buildConsoleView(view('ringing', c), T + 3_400, pt);
    expect(v.call).toMatchObject({
      phase: 'offered', title: 'Chamada oferecida', statusLabel: 'Tocando', from: '+5511999990000',
      path: 'Suporte técnico › Internet e telefone', queue: 'Vendas', priority: 'P1 · Cliente VIP',
      waitedLabel: 'Esperando', waited: '0:33', ticking: true, notes: ['cliente já reiniciou o modem'],
    });
    expect(v.call!.badges).toEqual([{ kind: 'vip', text: 'VIP' }, { kind: 'repeat', text: 'Rechamada' }, { kind: 'escalated', text: 'Escalada' }]);
    expect(v.call!.language).toMatch(/^Português/);
    expect(v.stateLabel).toBe('Chamando');
    expect(v.escalate).toEqual([]);
  });

  it('in progress: the wait is final, escalation offered per level', () => {
    const c = call({ status: 'connected', answeredAt: T - 5_000, waitedSeconds: 25, vip: false, tier: 2, tierLabel: null });
    const v = buildConsoleView(view('on-call', c, {}, [2, 3]), T + 10_000, pt);
    expect(v.call).toMatchObject({ phase: 'in-progress', title: 'Em atendimento', waitedLabel: 'Esperou', waited: '0:25', ticking: false, priority: 'P2', badges: [] });
    expect(v.escalate).toEqual([{ level: 2, label: 'N2' }, { level: 3, label: 'N3' }]);
    expect(v.wrapUp).toBeNull();
  });

  it('a requested change while on a call shows as pending', () => {
    const c = call({ status: 'connected', answeredAt: T });
    expect(buildConsoleView(view('on-call', c, { pending: { state: 'away', reason: 'almoço' } }), T, pt).pending).toBe('Pendente: Pausa (almoço) ao fim desta chamada');
    expect(buildConsoleView(view('on-call', c, { pending: { state: 'offline', reason: null } }), T, en).pending).toBe('Pending: Offline when this call ends');
    expect(buildConsoleView(view('on-call', c), T, pt).pending).toBeNull();
    // "Available" after the call is what happens anyway: not worth a notice.
    expect(buildConsoleView(view('on-call', c, { pending: { state: 'available', reason: null } }), T, pt).pending).toBeNull();
    // Still pending in wrap-up (Pronto, or the end of wrap-up, applies it).
    const ended = call({ status: 'ended', answeredAt: T });
    expect(buildConsoleView(view('wrap-up', ended, { pending: { state: 'away', reason: 'lanche' } }), T, pt).pending).toBe('Pendente: Pausa (lanche) ao fim do pós-atendimento');
  });

  it('wrap-up: countdown to wrapUpEndsAt, Pronto, the disposition form until it is given', () => {
    const c = call({ status: 'ended', answeredAt: T - 60_000, waitedSeconds: 12 });
    const v0 = view('wrap-up', c, { wrapUpEndsAt: T + 30_000 });
    const v = buildConsoleView(v0, T + 4_500, pt);
    expect(v.call!.phase).toBe('wrap-up');
    expect(v.call!.title).toBe('Chamada encerrada');
    expect(v.wrapUp).toEqual({ remainingSeconds: 26, text: 'Pós-atendimento termina em 0:26' });
    expect(v.buttons.ready).toBe(true);
    expect(v.disposition).toBe('form');
    expect(v.escalate).toEqual([]);
    expect(buildConsoleView(v0, T + 4_500, pt, { disposition: 'saved' }).disposition).toBe('saved');
    expect(buildConsoleView(v0, T + 4_500, pt, { disposition: 'already' }).disposition).toBe('already');
    expect(buildConsoleView(view('wrap-up', { ...c, resolvedFirstContact: true }), T, pt).disposition).toBe('saved');
    // Until "ready" when the center has no automatic end.
    expect(buildConsoleView(view('wrap-up', c), T, pt).wrapUp).toEqual({ remainingSeconds: null, text: 'Pós-atendimento até você clicar em Pronto' });
    expect(buildConsoleView(view('wrap-up', c), T, en).wrapUp!.text).toBe('Wrap-up until you click Ready');
  });

  it('after escalating, the call has left: no disposition, no escalate, a note saying so', () => {
    const c = call({ status: 'queued', level: 2, escalations: 1, waitedSeconds: 0 });
    const v = buildConsoleView(view('wrap-up', c, { wrapUpEndsAt: T + 30_000 }, [2]), T, pt);
    expect(v.call!.phase).toBe('escalated');
    expect(v.call!.escalatedNote).toBe('Chamada escalada para N2: ela saiu do seu console.');
    expect(v.disposition).toBe('hidden');
    expect(v.escalate).toEqual([]);
  });

  it('countdown arithmetic', () => {
    expect(wrapUpRemaining(null, T)).toBeNull();
    expect(wrapUpRemaining(T + 30_000, T)).toBe(30);
    expect(wrapUpRemaining(T + 29_001, T)).toBe(30);
    expect(wrapUpRemaining(T + 1, T)).toBe(1);
    expect(wrapUpRemaining(T - 5_000, T)).toBe(0);
    expect(wrapUpText(75, pt)).toBe('Pós-atendimento termina em 1:15');
    expect(wrapUpText(75, en)).toBe('Wrap-up ends in 1:15');
  });

  it('language names, and the tag itself when unknown', () => {
    expect(languageName('en', en)).toBe('English');
    expect(languageName(null, pt)).toBeNull();
    expect(languageName('???', pt)).toBe('???');
  });
});

describe('status and clock', () => {
  it('live, then stale strictly after 5 s without a frame, then offline with the retry', () => {
    expect(consoleStatus(T, null, 'connecting', null, pt, 'pt').pill).toEqual({ kind: 'connecting', text: 'Conectando…' });
    expect(consoleStatus(T + 5_000, T, 'open', null, pt, 'pt')).toEqual({ pill: { kind: 'live', text: 'Ao vivo' }, banner: null, dim: false });
    const stale = consoleStatus(T + 5_001, T, 'open', null, pt, 'pt');
    expect(stale.pill.kind).toBe('stale');
    expect(stale.banner).toBe('DADOS DESATUALIZADOS — nada do servidor há 5 s');
    expect(stale.dim).toBe(true);
    const off = consoleStatus(T + 8_000, T, 'closed', T + 10_000, en, 'en');
    expect(off.pill).toEqual({ kind: 'offline', text: 'Disconnected · reconnecting in 2 s' });
    expect(off.banner).toBe('NO CONNECTION — data 8 s old');
  });

  it('server time advances with the client clock, frozen once stale', () => {
    expect(serverNow(T + 1_000, 5_000, T)).toBe(6_000);
    expect(serverNow(T + 60_000, 5_000, T)).toBe(10_000);
    expect(serverNow(T - 1_000, 5_000, T)).toBe(5_000);
  });
});

describe('HTTP client', () => {
  function fake(status: number, body: unknown) {
    const seen: { url: string; init: Parameters<FetchLike>[1] }[] = [];
    const fn: FetchLike = async (url, init) => {
      seen.push({ url, init });
      return { ok: status >= 200 && status < 300, status, json: async () => body };
    };
    return { fn, seen };
  }

  it('sends the bearer token and JSON bodies to the right routes', async () => {
    const f = fake(200, { ok: 1 });
    const api = new AgentApi(f.fn, 'tok', null);
    await api.me();
    await api.ticket();
    await api.setState('ana', 'away', 'almoço');
    await api.setState('ana', 'available');
    await api.ready('ana');
    await api.disposition('CA1', true, '  ');
    await api.escalate('CA1', 2, 'ver fatura');
    expect(f.seen.map((s) => `${s.init.method} ${s.url} ${s.init.body ?? ''}`)).toEqual([
      'GET /api/agent/me ',
      'POST /api/agent/ticket ',
      'POST /api/agents/ana/state {"state":"away","reason":"almoço"}',
      'POST /api/agents/ana/state {"state":"available"}',
      'POST /api/agents/ana/ready ',
      'POST /api/calls/CA1/disposition {"resolvedFirstContact":true}',
      'POST /api/calls/CA1/escalate {"toLevel":2,"note":"ver fatura"}',
    ]);
    for (const s of f.seen) expect(s.init.headers.Authorization).toBe('Bearer tok');
    expect(f.seen[0].init.headers['Content-Type']).toBeUndefined();
    expect(f.seen[2].init.headers['Content-Type']).toBe('application/json');
  });

  it('names the agent for a supervisor', async () => {
    const f = fake(200, {});
    await new AgentApi(f.fn, 'sup', 'bruno').me();
    expect(f.seen[0].url).toBe('/api/agent/me?agent=bruno');
  });

  it('answers refusals and failures as results', async () => {
    const r = await new AgentApi(fake(409, { error: 'conflict', code: 'ATENDE_BAD_CALL_STATE', message: 'call CA1 already has a disposition' }).fn, 't').disposition('CA1', true);
    expect(r).toEqual({ ok: false, status: 409, code: 'ATENDE_BAD_CALL_STATE', message: 'call CA1 already has a disposition' });
    expect(isDenied(r)).toBe(false);
    expect(isDenied(await new AgentApi(fake(403, {}).fn, 't').me())).toBe(true);
    const down = await new AgentApi(async () => { throw new Error('Failed to fetch'); }, 't').me();
    expect(down).toEqual({ ok: false, status: 0, code: null, message: 'Failed to fetch' });
  });
});

describe('live feed', () => {
  it('parses agent frames and heartbeats, ignores the rest', () => {
    const f = parseAgentFrame(JSON.stringify(view('available')));
    expect(f?.type).toBe('agent');
    expect((f as Extract<AgentFrame, { type: 'agent' }>).view.agent.id).toBe('ana');
    expect(parseAgentFrame(JSON.stringify({ type: 'heartbeat', serverTime: 5 }))).toEqual({ type: 'heartbeat', serverTime: 5 });
    expect(parseAgentFrame('nope')).toBeNull();
    expect(parseAgentFrame(JSON.stringify({ type: 'agent', serverTime: 1 }))).toBeNull();
    expect(parseAgentFrame(JSON.stringify({ type: 'snapshot', serverTime: 1 }))).toBeNull();
    expect(parseAgentFrame(42)).toBeNull();
    const loose = parseAgentFrame(JSON.stringify({ ...view('available'), pauseReasons: 'x', escalateTo: [2, 'N3'] })) as Extract<AgentFrame, { type: 'agent' }>;
    expect(loose.view.pauseReasons).toEqual([]);
    expect(loose.view.escalateTo).toEqual([2]);
  });

  function rig(ticketStatus: () => number) {
    const timers: { fn: () => void; ms: number; live: boolean }[] = [];
    const sockets: (SocketLike & { url: string; closed: boolean })[] = [];
    const statuses: AgentFeedStatus[] = [];
    const frames: AgentFrame[] = [];
    const denied: number[] = [];
    let n = 0;
    const feed = new AgentFeed({
      location: { protocol: 'http:', host: 'h' },
      ticket: async () => {
        const s = ticketStatus();
        n++;
        return s === 200 ? { ok: true, status: 200, body: { ticket: `tk${n}`, expiresInSeconds: 30, agent: 'ana' } } : { ok: false, status: s, code: null, message: 'no' };
      },
      openSocket: (url) => {
        const s = { url, closed: false, onopen: null, onmessage: null, onclose: null, onerror: null, close() { this.closed = true; } } as SocketLike & { url: string; closed: boolean };
        sockets.push(s);
        return s;
      },
      setTimer: (fn, ms) => { const t = { fn, ms, live: true }; timers.push(t); return t; },
      clearTimer: (h) => { (h as { live: boolean }).live = false; },
      now: () => 0,
      random: () => 0.5,
      onFrame: (f) => frames.push(f),
      onStatus: (s) => statuses.push(s),
      onDenied: (s) => denied.push(s),
    });
    return { feed, timers, sockets, statuses, frames, denied };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('a fresh ticket for every connection, backoff after a close, frames delivered', async () => {
    const r = rig(() => 200);
    r.feed.start();
    await settle();
    expect(r.sockets.map((s) => s.url)).toEqual(['ws://h/ws/agent?ticket=tk1']);
    r.sockets[0].onopen!({});
    r.sockets[0].onmessage!({ data: JSON.stringify({ type: 'heartbeat', serverTime: 9 }) });
    expect(r.frames).toEqual([{ type: 'heartbeat', serverTime: 9 }]);
    r.sockets[0].onclose!({});
    expect(r.statuses.at(-1)).toEqual({ kind: 'closed', retryAt: 500 });
    const retry = r.timers.filter((t) => t.live && t.ms === 500);
    expect(retry).toHaveLength(1);
    retry[0].fn();
    await settle();
    expect(r.sockets.map((s) => s.url)).toEqual(['ws://h/ws/agent?ticket=tk1', 'ws://h/ws/agent?ticket=tk2']);
    // No frame on the second socket: the next failure backs off further.
    r.sockets[1].onerror!({});
    expect(r.statuses.at(-1)).toEqual({ kind: 'closed', retryAt: 1000 });
    r.timers.filter((t) => t.live && t.ms === 1000)[0].fn();
    await settle();
    // A socket that delivers resets the backoff.
    r.sockets[2].onmessage!({ data: JSON.stringify(view('available')) });
    expect(r.frames.at(-1)?.type).toBe('agent');
    r.sockets[2].onclose!({});
    expect(r.statuses.at(-1)).toEqual({ kind: 'closed', retryAt: 500 });
    expect(r.sockets.map((s) => s.url.slice(-3))).toEqual(['tk1', 'tk2', 'tk3']);
    r.feed.stop();
  });

  it('silence replaces the socket', async () => {
    const r = rig(() => 200);
    r.feed.start();
    await settle();
    const watchdog = r.timers.filter((t) => t.live && t.ms === 10_000);
    expect(watchdog).toHaveLength(1);
    watchdog[0].fn();
    expect(r.sockets[0].closed).toBe(true);
    expect(r.statuses.at(-1)?.kind).toBe('closed');
    r.feed.stop();
  });

  it('401/403 on the ticket stops the feed and reports it', async () => {
    const r = rig(() => 401);
    r.feed.start();
    await settle();
    expect(r.denied).toEqual([401]);
    expect(r.sockets).toHaveLength(0);
    expect(r.feed.running).toBe(false);
    expect(r.timers.filter((t) => t.live)).toHaveLength(0);
  });

  it('a server error on the ticket is retried', async () => {
    let status = 503;
    const r = rig(() => status);
    r.feed.start();
    await settle();
    expect(r.statuses.at(-1)?.kind).toBe('closed');
    status = 200;
    r.timers.filter((t) => t.live)[0].fn();
    await settle();
    expect(r.sockets).toHaveLength(1);
    r.feed.stop();
  });
});
