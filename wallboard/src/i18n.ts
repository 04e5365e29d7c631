// Every label on the board, one dictionary per language. `Dict` is the single
// source of keys: `pt` and `en` are both typed `Dict`, so a key missing from
// either (or an extra one) is a compile error.

import type { AgentStatus, NpsBand, SlFormula } from '../../server/contract.ts';

export type Lang = 'pt' | 'en';

export interface Dict {
  /** BCP 47 tag for Intl and <html lang>. */
  locale: string;
  appName: string;
  demo: string;
  center: string;
  queueNotFound: (id: string) => string;

  // connection
  connecting: string;
  live: string;
  disconnected: string;
  reconnectingIn: (s: number) => string;
  staleBanner: (age: string) => string;
  offlineBanner: (age: string) => string;
  stalePill: (age: string) => string;
  noDataYet: string;
  deniedTitle: string;
  deniedBody: string;

  // controls
  acknowledge: string;
  soundOn: string;
  soundOff: string;

  // tiles
  slRolling: (windowMinutes: number) => string;
  slToday: string;
  /** "NS 80/20" style: target % / threshold s. */
  slGoal: (targetPct: number, thresholdSeconds: number) => string;
  target: string;
  offeredCount: (n: string) => string;
  waiting: string;
  longestWait: string;
  tma: string;
  tmaHint: string;
  tme: string;
  tmeHint: string;
  abandonRate: string;
  abandonHint: (abandoned: string, offered: string) => string;
  agents: string;
  nps: string;
  npsResponses: (n: string) => string;
  csat: string;
  csatHint: string;
  fcr: string;
  fcrHint: string;
  responses: (n: string) => string;
  todayShort: string;
  windowShort: (windowMinutes: number) => string;
  /** The breach warning's countdown tile. */
  breach: string;
  breachNone: string;
  breachNow: string;
  breachIn: (minutes: number) => string;
  breachQuiet: (horizonMinutes: number) => string;
  breachFix: (agents: number, queue: string) => string;
  breachNoFix: string;
  breachHint: string;

  formula: Record<SlFormula, (thresholdSeconds: number) => string>;
  shortAbandonsIgnored: (seconds: number) => string;

  npsBand: Record<NpsBand, string>;
  agentState: Record<AgentStatus, string>;
  /** Short state names for small tiles and the counts strip. */
  agentStateShort: Record<AgentStatus, string>;
  reasonNoAnswer: string;

  // panels
  queues: string;
  queueCol: string;
  slCol: string;
  waitingCol: string;
  longestCol: string;
  callersWaiting: string;
  noneWaiting: string;
  recentAbandons: string;
  noAbandons: string;
  waitedFor: (d: string) => string;
  more: (n: number) => string;
  agentGrid: string;
  noAgents: string;
  chartHour: string;
  chartToday: string;
  chartSl: string;
  chartWaiting: string;
  chartTarget: string;
  noHistory: string;

  /** SAC: a closed queue shows as closed, with why and when it opens, not as red figures. */
  closed: string;
  closedHours: string;
  closedHoliday: (name: string) => string;
  opensAt: (when: string) => string;
  queueClosedNotice: (queue: string, why: string) => string;
  /** Waiting callbacks, counted apart from the callers on the line. */
  callbacks: (n: string) => string;
  callbackOldest: (wait: string) => string;
  callbackTag: string;
  /** "Dentro do limite legal": today's share answered within the queue's legal wait limit. */
  withinLegal: (pct: string) => string;
}

export const pt: Dict = {
  locale: 'pt-BR',
  appName: 'Atende',
  demo: 'DEMO',
  center: 'Central',
  queueNotFound: (id) => `Fila “${id}” não encontrada — mostrando a central`,

  connecting: 'Conectando…',
  live: 'Ao vivo',
  disconnected: 'Desconectado',
  reconnectingIn: (s) => `reconectando em ${s} s`,
  staleBanner: (age) => `DADOS DESATUALIZADOS — há ${age}`,
  offlineBanner: (age) => `SEM CONEXÃO — dados de há ${age}`,
  stalePill: (age) => `sem dados há ${age}`,
  noDataYet: 'Aguardando dados do servidor…',
  deniedTitle: 'ACESSO NEGADO',
  deniedBody: 'O servidor recusou o token deste painel. Peça um link novo ao administrador.',

  acknowledge: 'Reconhecer',
  soundOn: 'Som ligado',
  soundOff: 'Som desligado',

  slRolling: (m) => `NS últimos ${m} min`,
  slToday: 'NS hoje',
  slGoal: (t, s) => `NS ${t}/${s}`,
  target: 'meta',
  offeredCount: (n) => `${n} oferecidas`,
  waiting: 'Em espera',
  longestWait: 'Maior espera',
  tma: 'TMA',
  tmaHint: 'conversa + espera + pós ÷ atendidas',
  tme: 'TME',
  tmeHint: 'espera média até atender',
  abandonRate: 'Abandono',
  abandonHint: (a, o) => `${a} de ${o} oferecidas`,
  agents: 'Atendentes',
  nps: 'NPS',
  npsResponses: (n) => `${n} respostas`,
  csat: 'CSAT',
  csatHint: 'notas 4–5 de 5',
  fcr: 'FCR',
  fcrHint: 'resolvido no 1º contato',
  responses: (n) => `${n} respostas`,
  todayShort: 'hoje',
  windowShort: (m) => `${m} min`,
  breach: 'NS em risco',
  breachNone: 'Estável',
  breachNow: 'Agora',
  breachIn: (m) => `~${m} min`,
  breachQuiet: (h) => `sem queda prevista em ${h} min`,
  breachFix: (n, q) => `evita: +${n} ${n > 1 ? 'agentes' : 'agente'} ${q}`,
  breachNoFix: 'mais de 5 agentes para evitar',
  breachHint: 'previsão de queda do NS abaixo da meta',

  formula: {
    offered: (t) => `atendidas em até ${t} s ÷ (atendidas + abandonadas)`,
    answered: (t) => `atendidas em até ${t} s ÷ atendidas (abandonos ignorados)`,
    abandonsWithinThresholdMet: (t) =>
      `(atendidas em até ${t} s + abandonadas em até ${t} s) ÷ (atendidas + abandonadas)`,
    abandonsWithinThresholdNeutral: (t) =>
      `atendidas em até ${t} s ÷ (atendidas + abandonadas após ${t} s)`,
  },
  shortAbandonsIgnored: (s) => `abandonos com menos de ${s} s ignorados`,

  npsBand: {
    excellent: 'Excelente',
    good: 'Qualidade (melhorar)',
    mustImprove: 'Aperfeiçoamento',
    critical: 'Crítico',
  },
  agentState: {
    available: 'Disponível',
    ringing: 'Chamando',
    'on-call': 'Em atendimento',
    'wrap-up': 'Pós-atendimento',
    away: 'Pausa',
    offline: 'Deslogado',
  },
  agentStateShort: {
    available: 'Livres',
    ringing: 'Chamando',
    'on-call': 'Em atend.',
    'wrap-up': 'Pós-atend.',
    away: 'Pausa',
    offline: 'Deslog.',
  },
  reasonNoAnswer: 'não atendeu',

  queues: 'Filas',
  queueCol: 'Fila',
  slCol: 'NS',
  waitingCol: 'Espera',
  longestCol: 'Maior',
  callersWaiting: 'Clientes em espera',
  noneWaiting: 'Ninguém na fila',
  recentAbandons: 'Últimos abandonos',
  noAbandons: 'Nenhum abandono recente',
  waitedFor: (d) => `esperou ${d}`,
  more: (n) => `+${n} mais`,
  agentGrid: 'Atendentes',
  noAgents: 'Nenhum atendente',
  chartHour: 'Última hora',
  chartToday: 'Hoje por intervalo',
  chartSl: 'NS %',
  chartWaiting: 'Em espera',
  chartTarget: 'Meta',
  noHistory: 'Sem histórico ainda',

  closed: 'Fechada',
  closedHours: 'fora do horário',
  closedHoliday: (name) => `feriado: ${name}`,
  opensAt: (when) => `abre ${when}`,
  queueClosedNotice: (q, why) => `Fila ${q} fechada — ${why}`,
  callbacks: (n) => `${n} ${n === '1' ? 'retorno' : 'retornos'}`,
  callbackOldest: (w) => `mais antigo ${w}`,
  callbackTag: 'Retorno',
  withinLegal: (pct) => `no limite legal hoje: ${pct}`,
};

export const en: Dict = {
  locale: 'en',
  appName: 'Atende',
  demo: 'DEMO',
  center: 'Center',
  queueNotFound: (id) => `Queue “${id}” not found — showing the whole center`,

  connecting: 'Connecting…',
  live: 'Live',
  disconnected: 'Disconnected',
  reconnectingIn: (s) => `reconnecting in ${s} s`,
  staleBanner: (age) => `STALE DATA — ${age} old`,
  offlineBanner: (age) => `NO CONNECTION — data ${age} old`,
  stalePill: (age) => `no data for ${age}`,
  noDataYet: 'Waiting for data from the server…',
  deniedTitle: 'ACCESS DENIED',
  deniedBody: 'The server refused this wallboard’s token. Ask the administrator for a new link.',

  acknowledge: 'Acknowledge',
  soundOn: 'Sound on',
  soundOff: 'Sound off',

  slRolling: (m) => `SL last ${m} min`,
  slToday: 'SL today',
  slGoal: (t, s) => `SL ${t}/${s}`,
  target: 'target',
  offeredCount: (n) => `${n} offered`,
  waiting: 'Calls waiting',
  longestWait: 'Longest wait',
  tma: 'AHT',
  tmaHint: 'talk + hold + wrap-up ÷ handled',
  tme: 'ASA',
  tmeHint: 'average wait to answer',
  abandonRate: 'Abandoned',
  abandonHint: (a, o) => `${a} of ${o} offered`,
  agents: 'Agents',
  nps: 'NPS',
  npsResponses: (n) => `${n} responses`,
  csat: 'CSAT',
  csatHint: 'scores 4–5 of 5',
  fcr: 'FCR',
  fcrHint: 'solved on first contact',
  responses: (n) => `${n} responses`,
  todayShort: 'today',
  windowShort: (m) => `${m} min`,
  breach: 'SL at risk',
  breachNone: 'Steady',
  breachNow: 'Now',
  breachIn: (m) => `~${m} min`,
  breachQuiet: (h) => `no drop expected in ${h} min`,
  breachFix: (n, q) => `prevent: +${n} ${n > 1 ? 'agents' : 'agent'} ${q}`,
  breachNoFix: 'more than 5 agents to prevent',
  breachHint: 'forecast of the SL falling below target',

  formula: {
    offered: (t) => `answered within ${t} s ÷ (answered + abandoned)`,
    answered: (t) => `answered within ${t} s ÷ answered (abandons ignored)`,
    abandonsWithinThresholdMet: (t) =>
      `(answered within ${t} s + abandoned within ${t} s) ÷ (answered + abandoned)`,
    abandonsWithinThresholdNeutral: (t) =>
      `answered within ${t} s ÷ (answered + abandoned after ${t} s)`,
  },
  shortAbandonsIgnored: (s) => `abandons under ${s} s ignored`,

  npsBand: {
    excellent: 'Excellent',
    good: 'Quality (improve)',
    mustImprove: 'Needs improvement',
    critical: 'Critical',
  },
  agentState: {
    available: 'Available',
    ringing: 'Ringing',
    'on-call': 'On call',
    'wrap-up': 'Wrap-up',
    away: 'Away',
    offline: 'Offline',
  },
  agentStateShort: {
    available: 'Available',
    ringing: 'Ringing',
    'on-call': 'On call',
    'wrap-up': 'Wrap-up',
    away: 'Away',
    offline: 'Offline',
  },
  reasonNoAnswer: 'missed call',

  queues: 'Queues',
  queueCol: 'Queue',
  slCol: 'SL',
  waitingCol: 'Waiting',
  longestCol: 'Longest',
  callersWaiting: 'Callers waiting',
  noneWaiting: 'Nobody waiting',
  recentAbandons: 'Recent abandons',
  noAbandons: 'No recent abandons',
  waitedFor: (d) => `waited ${d}`,
  more: (n) => `+${n} more`,
  agentGrid: 'Agents',
  noAgents: 'No agents',
  chartHour: 'Last hour',
  chartToday: 'Today by interval',
  chartSl: 'SL %',
  chartWaiting: 'Waiting',
  chartTarget: 'Target',
  noHistory: 'No history yet',

  closed: 'Closed',
  closedHours: 'outside business hours',
  closedHoliday: (name) => `holiday: ${name}`,
  opensAt: (when) => `opens ${when}`,
  queueClosedNotice: (q, why) => `Queue ${q} closed — ${why}`,
  callbacks: (n) => `${n} ${n === '1' ? 'callback' : 'callbacks'}`,
  callbackOldest: (w) => `oldest ${w}`,
  callbackTag: 'Callback',
  withinLegal: (pct) => `within the legal limit today: ${pct}`,
};

export const dictionaries: Record<Lang, Dict> = { pt, en };

/** `?lang=en` (or en-US…) gives English; anything else Portuguese. */
export function langOf(raw: string | null | undefined): Lang {
  return raw != null && /^en\b/i.test(raw.trim()) ? 'en' : 'pt';
}
