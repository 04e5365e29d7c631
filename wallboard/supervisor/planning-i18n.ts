// Labels of the "Planejamento" screen (what-if, "por que esperou?", intraday forecast),
// one dictionary per language like i18n.ts; `PlanDict` is the source of keys.

import type { AgentStatus } from '../../server/contract.ts';
import type { Lang } from '../src/i18n.ts';

export interface PlanDict {
  // what-if
  whatIf: string;
  whatIfIntro: string;
  date: string;
  seed: string;
  seedHint: string;
  changes: string;
  changesPlaceholder: string;
  syntaxTitle: string;
  syntax: [string, string][];
  run: string;
  running: string;
  resultFor: (date: string, changes: string) => string;
  noChanges: string;
  replayed: (calls: number, ms: number) => string;
  scopeCenter: string;
  scope: string;
  figure: string;
  before: string;
  after: string;
  difference: string;
  figures: Record<'offered' | 'answered' | 'abandoned' | 'serviceLevel' | 'asaSeconds' | 'tmaSeconds' | 'occupancy', string>;
  interval: string;
  intervalsTitle: string;
  noCalls: string;
  chartBefore: string;
  chartAfter: string;
  limitsTitle: string;
  limits: string[];
  patience: (median: string, abandons: number, observations: number) => string;
  refusedWhatIf: (message: string) => string;
  // why
  why: string;
  whyIntro: string;
  searchLabel: string;
  searchPlaceholder: string;
  recent: string;
  recentNone: string;
  explain: string;
  notFound: (q: string) => string;
  outcome: Record<string, string>;
  waited: (seconds: string) => string;
  stillGoing: string;
  timeline: string;
  waits: string;
  noWait: string;
  stretch: (from: string, to: string, seconds: string) => string;
  stateIn: Record<AgentStatus, string>;
  reasonNoAgent: (queue: string, holders: string) => string;
  reasonNoHolder: (queue: string) => string;
  reasonAllBusy: (who: string) => string;
  reasonLevelBusy: (levels: string, busy: string, free: string, widens: string | null) => string;
  reasonAhead: (count: number, tiers: string) => string;
  reasonExcluded: (agent: string) => string;
  reasonNone: string;
  event: {
    arrived: (from: string) => string;
    ivr: (path: string) => string;
    queued: (queue: string, tier: string, rule: string | null) => string;
    turnedAway: (queue: string) => string;
    offered: (agent: string) => string;
    withdrawn: (agent: string, reason: string) => string;
    missed: (agent: string, reason: string) => string;
    requeued: (reason: string) => string;
    tierChanged: (tier: string, reason: string) => string;
    widened: (level: number) => string;
    overflow: (from: string, to: string | null) => string;
    answered: (agent: string) => string;
    onHold: string;
    offHold: string;
    escalated: (level: number) => string;
    moved: (queue: string, tier: string) => string;
    abandoned: string;
    ended: (by: string) => string;
    endedInIvr: string;
    survey: (nps: string, csat: string) => string;
    disposition: (fcr: boolean) => string;
    other: (what: string) => string;
  };
  by: Record<string, string>;
  whyButton: string;
  whyOf: (caller: string) => string;
  // intraday
  intraday: string;
  intradayIntro: string;
  refresh: string;
  forecastCalls: string;
  erlangC: string;
  erlangA: string;
  loggedIn: string;
  gap: string;
  gapShort: (n: number) => string;
  gapOk: (n: number) => string;
  method: Record<string, string>;
  basis: (tma: string, patience: string, method: string) => string;
  slGoal: (target: string, seconds: number) => string;
  noForecast: string;
  // Agora
  breachCol: string;
}

export const planPt: PlanDict = {
  whatIf: 'E se…? (what-if)',
  whatIfIntro: 'Repete um dia gravado, com os clientes reais, pelo mesmo roteador, com as mudanças abaixo.',
  date: 'Dia',
  seed: 'Semente',
  seedHint: 'opcional; sorteia a paciência de quem não desligou',
  changes: 'Mudanças (uma por linha)',
  changesPlaceholder: '+1 suporte 09:00-10:00',
  syntaxTitle: 'Como escrever as mudanças',
  syntax: [
    ['+2 suporte 09:00-10:00', '2 atendentes a mais com a habilidade, na janela (sem janela: o dia todo); "+1 suporte,vendas N2": nível 2'],
    ['-ana 14:00-15:00', 'a atendente fora na janela'],
    ['-2 suporte 09:00-10:00', '2 atendentes da habilidade fora (os que mais trabalharam na janela)'],
    ['ana skills=suporte,financeiro level=2', 'habilidades ou nível de uma atendente'],
    ['strategy=fewest-calls', 'estratégia: longest-idle, fewest-calls ou round-robin'],
    ['wrapup=20', 'pós-atendimento em segundos (0: até a atendente ficar pronta)'],
    ['offer-timeout=15', 'quanto tempo uma oferta toca antes de contar como perdida'],
    ['rule=vip tier=1', 'prioridade de uma regra; "rule=repeat off" desliga a regra'],
  ],
  run: 'Simular',
  running: 'Simulando…',
  resultFor: (d, c) => `${d} · ${c}`,
  noChanges: 'sem mudanças (o dia como foi)',
  replayed: (calls, ms) => `${calls} chamadas repetidas em ${(ms / 1000).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} s`,
  scopeCenter: 'Central',
  scope: 'Escopo',
  figure: 'Indicador',
  before: 'Como foi',
  after: 'E se',
  difference: 'Diferença',
  figures: {
    offered: 'Oferecidas', answered: 'Atendidas', abandoned: 'Abandonadas', serviceLevel: 'Nível de serviço',
    asaSeconds: 'TME (espera até atender)', tmaSeconds: 'TMA', occupancy: 'Ocupação',
  },
  interval: 'Intervalo',
  intervalsTitle: 'Por intervalo (só os que tiveram chamadas)',
  noCalls: 'Nenhuma chamada neste dia.',
  chartBefore: 'NS como foi',
  chartAfter: 'NS e se',
  limitsTitle: 'Limites desta simulação',
  limits: [
    'As chegadas são as gravadas: quem teria ligado de novo, ou desistido de ligar, não entra na conta.',
    'Conversa, espera (hold) e pós-atendimento são os de cada cliente; quem só é atendido na simulação recebe uma conversa sorteada entre as da mesma fila no dia.',
    'A k-ésima oferta a um cliente toca e termina como a k-ésima gravada, seja qual for o atendente; uma oferta que não existiu é atendida após o toque mediano do dia.',
    'Paciência: quem desligou mantém o tempo em que desligou; quem foi atendido sorteia da curva de Kaplan–Meier do dia, acima da espera que teve (com a semente).',
    'Atendentes entram, pausam e saem nos horários gravados, seja qual for a nova carga; os acrescentados nunca perdem uma oferta.',
    'Chamadas já em curso quando o dia começou repetem os seus eventos como foram.',
  ],
  patience: (m, a, o) => `Paciência do dia: mediana ${m} (${a} ${a === 1 ? 'abandono' : 'abandonos'} em ${o} esperas)`,
  refusedWhatIf: (m) => `Não deu para simular: ${m}`,
  why: 'Por que esperou?',
  whyIntro: 'A linha do tempo de uma chamada e, para cada trecho de espera, o motivo que o roteador teve para não passá-la a ninguém.',
  searchLabel: 'Chamada ou protocolo',
  searchPlaceholder: 'CA… ou número de protocolo',
  recent: 'Chamadas recentes',
  recentNone: 'nenhuma chamada ainda',
  explain: 'Explicar',
  notFound: (q) => `Nenhuma chamada "${q}" no registro (nem como protocolo).`,
  outcome: { answered: 'atendida', abandoned: 'abandonada', 'short-abandon': 'abandono curto', overflow: 'transbordada', 'ended-in-ivr': 'encerrada na URA', 'turned-away': 'recusada', callback: 'retorno' },
  waited: (s) => `esperou ${s}`,
  stillGoing: 'ainda em curso',
  timeline: 'Linha do tempo',
  waits: 'Por que esperou',
  noWait: 'Não esperou na fila.',
  stretch: (f, t, s) => `${f} – ${t} (${s})`,
  stateIn: { available: 'livre', ringing: 'tocando', 'on-call': 'em atendimento', 'wrap-up': 'em pós-atendimento', away: 'em pausa', offline: 'deslogado' },
  reasonNoAgent: (q, h) => `Ninguém com a habilidade ${q} estava logado (têm a habilidade: ${h}).`,
  reasonNoHolder: (q) => `Nenhum atendente tem a habilidade ${q}.`,
  reasonAllBusy: (w) => `Todos os atendentes da fila estavam ocupados: ${w}.`,
  reasonLevelBusy: (l, b, f, w) => `Os atendentes do nível ${l} estavam ocupados (${b}) enquanto outros estavam livres (${f})${w ? `; a faixa de níveis abre às ${w}` : ''}.`,
  reasonAhead: (n, t) => `${n} ${n === 1 ? 'cliente' : 'clientes'} à frente na fila (${t}).`,
  reasonExcluded: (a) => `${a} estava livre, mas ficou de fora desta chamada por um tempo depois de perder a oferta.`,
  reasonNone: 'sem motivo registrado',
  event: {
    arrived: (f) => `Chegou (de ${f})`,
    ivr: (p) => `URA: ${p}`,
    queued: (q, t, r) => `Entrou na fila ${q} como ${t}${r ? ` — regra: ${r}` : ''}`,
    turnedAway: (q) => `Não entrou na fila ${q} (recusada)`,
    offered: (a) => `Oferecida a ${a}`,
    withdrawn: (a, r) => `Oferta a ${a} retirada (${r})`,
    missed: (a, r) => `${a} não atendeu (${r})`,
    requeued: (r) => `Voltou para a fila (${r})`,
    tierChanged: (t, r) => `Prioridade passou a ${t} (${r})`,
    widened: (l) => `Faixa de níveis aberta até N${l}`,
    overflow: (f, t) => (t ? `Transbordo de ${f} para ${t}` : `Transbordo: saiu de ${f}`),
    answered: (a) => `Atendida por ${a}`,
    onHold: 'Colocada em espera',
    offHold: 'Saiu da espera',
    escalated: (l) => `Escalada para N${l}`,
    moved: (q, t) => `Movida para ${q} (${t})`,
    abandoned: 'Desligou enquanto esperava',
    ended: (b) => `Encerrada (${b})`,
    endedInIvr: 'Desligou na URA',
    survey: (n, c) => `Pesquisa: NPS ${n}, CSAT ${c}`,
    disposition: (f) => `Tabulação: ${f ? 'resolvido no 1º contato' : 'não resolvido no 1º contato'}`,
    other: (w) => w,
  },
  by: { agent: 'pelo atendente', caller: 'pelo cliente', system: 'pelo sistema', supervisor: 'pelo supervisor' },
  whyButton: 'Por quê?',
  whyOf: (c) => `Por que ${c} está esperando?`,
  intraday: 'Previsão do dia (intraday)',
  intradayIntro: 'Atendentes que cada próximo intervalo de hoje precisa, pelas chegadas, TMA e paciência de hoje, contra os atendentes logados agora.',
  refresh: 'Atualizar',
  forecastCalls: 'Chamadas previstas',
  erlangC: 'Erlang C',
  erlangA: 'Erlang A',
  loggedIn: 'Logados',
  gap: 'Sobra / falta',
  gapShort: (n) => `faltam ${n}`,
  gapOk: (n) => (n === 0 ? 'na conta' : `sobram ${n}`),
  method: { profile: 'perfil dos últimos dias, na escala de hoje', recent: 'últimos intervalos de hoje', none: 'sem dados ainda' },
  basis: (tma, p, m) => `TMA ${tma} · paciência média ${p} · ${m}`,
  slGoal: (t, s) => `meta NS ${t} em ${s} s`,
  noForecast: 'Sem previsão: nenhuma chamada hoje ainda.',
  breachCol: 'Risco',
};

export const planEn: PlanDict = {
  whatIf: 'What-if',
  whatIfIntro: 'Replays a recorded day, with its real callers, through the same router, with the changes below.',
  date: 'Day',
  seed: 'Seed',
  seedHint: 'optional; draws the patience of callers who did not hang up',
  changes: 'Changes (one per line)',
  changesPlaceholder: '+1 suporte 09:00-10:00',
  syntaxTitle: 'How to write changes',
  syntax: [
    ['+2 suporte 09:00-10:00', '2 more agents with the skill, in the window (no window: all day); "+1 suporte,vendas N2": level 2'],
    ['-ana 14:00-15:00', 'the agent away in the window'],
    ['-2 suporte 09:00-10:00', '2 agents of the skill away (those who worked longest in the window)'],
    ['ana skills=suporte,financeiro level=2', "an agent's skills or level"],
    ['strategy=fewest-calls', 'strategy: longest-idle, fewest-calls or round-robin'],
    ['wrapup=20', 'wrap-up in seconds (0: until the agent is ready)'],
    ['offer-timeout=15', 'how long an offer rings before it counts as missed'],
    ['rule=vip tier=1', 'a rule\'s tier; "rule=repeat off" drops the rule'],
  ],
  run: 'Simulate',
  running: 'Simulating…',
  resultFor: (d, c) => `${d} · ${c}`,
  noChanges: 'no change (the day as it was)',
  replayed: (calls, ms) => `${calls} calls replayed in ${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`,
  scopeCenter: 'Center',
  scope: 'Scope',
  figure: 'Figure',
  before: 'As it was',
  after: 'What if',
  difference: 'Difference',
  figures: {
    offered: 'Offered', answered: 'Answered', abandoned: 'Abandoned', serviceLevel: 'Service level',
    asaSeconds: 'ASA (wait to answer)', tmaSeconds: 'AHT', occupancy: 'Occupancy',
  },
  interval: 'Interval',
  intervalsTitle: 'By interval (only those with calls)',
  noCalls: 'No call that day.',
  chartBefore: 'SL as it was',
  chartAfter: 'SL what if',
  limitsTitle: 'Limits of this simulation',
  limits: [
    'Arrivals are the recorded ones: callers who would have called back, or given up calling, are not modelled.',
    "Talk, hold and wrap-up times are each caller's recorded ones; a caller answered only in the what-if gets a talk time drawn from the day's calls of the same queue.",
    "The k-th offer to a caller rings as long and ends as the recorded k-th offer did, whichever agent gets it; an offer the day never made is answered after the day's median ring time.",
    "Patience: a caller who hung up keeps the wait they hung up at; one answered draws from the day's Kaplan–Meier estimate, above the wait they showed (seeded).",
    'Agents log in, pause and leave at their recorded times, whatever the new load; added agents never miss an offer.',
    'Calls already under way when the day began replay their recorded events as they were.',
  ],
  patience: (m, a, o) => `The day's patience: median ${m} (${a} ${a === 1 ? 'abandon' : 'abandons'} in ${o} waits)`,
  refusedWhatIf: (m) => `Could not simulate: ${m}`,
  why: 'Why did they wait?',
  whyIntro: "A call's timeline and, for each stretch of waiting, the router's reason for giving it to nobody.",
  searchLabel: 'Call or protocol',
  searchPlaceholder: 'CA… or protocol number',
  recent: 'Recent calls',
  recentNone: 'no call yet',
  explain: 'Explain',
  notFound: (q) => `No call "${q}" in the log (nor as a protocol number).`,
  outcome: { answered: 'answered', abandoned: 'abandoned', 'short-abandon': 'short abandon', overflow: 'overflowed', 'ended-in-ivr': 'ended in the IVR', 'turned-away': 'turned away', callback: 'callback' },
  waited: (s) => `waited ${s}`,
  stillGoing: 'still going',
  timeline: 'Timeline',
  waits: 'Why it waited',
  noWait: 'It did not wait in a queue.',
  stretch: (f, t, s) => `${f} – ${t} (${s})`,
  stateIn: { available: 'free', ringing: 'ringing', 'on-call': 'on a call', 'wrap-up': 'wrapping up', away: 'paused', offline: 'logged out' },
  reasonNoAgent: (q, h) => `Nobody with the ${q} skill was logged in (who has it: ${h}).`,
  reasonNoHolder: (q) => `No agent has the ${q} skill.`,
  reasonAllBusy: (w) => `Every agent of the queue was busy: ${w}.`,
  reasonLevelBusy: (l, b, f, w) => `The agents of level ${l} were busy (${b}) while others were free (${f})${w ? `; the levels widen at ${w}` : ''}.`,
  reasonAhead: (n, t) => `${n} ${n === 1 ? 'caller' : 'callers'} ahead in the queue (${t}).`,
  reasonExcluded: (a) => `${a} was free but kept from this call for a while after missing its offer.`,
  reasonNone: 'no reason recorded',
  event: {
    arrived: (f) => `Arrived (from ${f})`,
    ivr: (p) => `IVR: ${p}`,
    queued: (q, t, r) => `Queued in ${q} as ${t}${r ? ` — rule: ${r}` : ''}`,
    turnedAway: (q) => `Not let into ${q} (turned away)`,
    offered: (a) => `Offered to ${a}`,
    withdrawn: (a, r) => `Offer to ${a} withdrawn (${r})`,
    missed: (a, r) => `${a} did not answer (${r})`,
    requeued: (r) => `Back in the queue (${r})`,
    tierChanged: (t, r) => `Tier changed to ${t} (${r})`,
    widened: (l) => `Levels widened up to N${l}`,
    overflow: (f, t) => (t ? `Overflow from ${f} to ${t}` : `Overflow: left ${f}`),
    answered: (a) => `Answered by ${a}`,
    onHold: 'Put on hold',
    offHold: 'Off hold',
    escalated: (l) => `Escalated to N${l}`,
    moved: (q, t) => `Moved to ${q} (${t})`,
    abandoned: 'Hung up while waiting',
    ended: (b) => `Ended (${b})`,
    endedInIvr: 'Hung up in the IVR',
    survey: (n, c) => `Survey: NPS ${n}, CSAT ${c}`,
    disposition: (f) => `Disposition: ${f ? 'resolved on first contact' : 'not resolved on first contact'}`,
    other: (w) => w,
  },
  by: { agent: 'by the agent', caller: 'by the caller', system: 'by the system', supervisor: 'by the supervisor' },
  whyButton: 'Why?',
  whyOf: (c) => `Why is ${c} waiting?`,
  intraday: 'Intraday forecast',
  intradayIntro: "Agents each coming interval of today needs, from today's arrivals, AHT and patience, against the agents logged in now.",
  refresh: 'Refresh',
  forecastCalls: 'Forecast calls',
  erlangC: 'Erlang C',
  erlangA: 'Erlang A',
  loggedIn: 'Logged in',
  gap: 'Spare / short',
  gapShort: (n) => `${n} short`,
  gapOk: (n) => (n === 0 ? 'just enough' : `${n} spare`),
  method: { profile: "the last days' profile, scaled by today", recent: "today's last intervals", none: 'no data yet' },
  basis: (tma, p, m) => `AHT ${tma} · mean patience ${p} · ${m}`,
  slGoal: (t, s) => `SL goal ${t} in ${s} s`,
  noForecast: 'No forecast: no call today yet.',
  breachCol: 'Risk',
};

export const planDictionaries: Record<Lang, PlanDict> = { pt: planPt, en: planEn };
