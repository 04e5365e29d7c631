// Every label of the supervisor's screen, one dictionary per language. `Dict` is
// the single source of keys: `pt` and `en` are both typed `Dict`, so a key missing
// from either is a compile error. State names, formulas and NPS bands come from the
// wallboard's dictionaries (../src/i18n.ts), so both screens say the same.

import type { AlertDeliveryState, AlertFormat, AlertKind, AlertSeverity } from '../../server/contract.ts';
import type { Lang } from '../src/i18n.ts';

export type { Lang };

export interface Dict {
  locale: string;
  appName: string;
  pageTitle: string;
  // sign-in
  signInTitle: string;
  signInHint: string;
  tokenLabel: string;
  signIn: string;
  signingIn: string;
  signOut: string;
  reasonUnauthorized: string;
  reasonForbidden: string;
  reasonUnreachable: string;
  reasonSignedOut: string;
  reasonOther: (status: number) => string;
  // header
  tabs: { now: string; settings: string; reports: string; planning: string };
  live: string;
  connecting: string;
  disconnected: (s: number) => string;
  stale: (age: string) => string;
  acknowledge: string;
  acknowledged: string;
  // Agora
  slRolling: (minutes: number) => string;
  waiting: string;
  longestWait: string;
  agentsAvailable: string;
  abandonRate: string;
  alerts: string;
  noAlerts: string;
  alertFiring: string;
  alertResolved: string;
  severity: Record<AlertSeverity, string>;
  alertKind: Record<AlertKind, string>;
  delivery: Record<AlertDeliveryState, string>;
  phase: { fired: string; resolved: string };
  ackedBy: (who: string) => string;
  queues: string;
  queueName: string;
  queueState: string;
  open: string;
  closed: string;
  callbacks: string;
  slNow: string;
  slToday: string;
  available: string;
  abandonsHour: string;
  callers: string;
  noCallers: string;
  wait: string;
  priority: string;
  why: string;
  queue: string;
  caller: string;
  level: string;
  ringing: string;
  actions: string;
  agents: string;
  agent: string;
  state: string;
  timeInState: string;
  currentCall: string;
  callsToday: string;
  tmaToday: string;
  skills: string;
  pending: (state: string) => string;
  // dialogs
  callActions: (caller: string) => string;
  moveTo: string;
  raiseTier: string;
  escalateTo: string;
  keep: string;
  reason: string;
  reasonRequired: string;
  move: string;
  escalate: string;
  cancel: string;
  agentActions: (name: string) => string;
  forceState: string;
  setAvailable: string;
  setAway: string;
  logOut: string;
  pauseReason: string;
  skillsAndLevel: string;
  saveAgent: string;
  /** The agent's call dropped on the company's side: it comes back as a callback (docs/sac.md). */
  markDropped: string;
  markDroppedHelp: string;
  // confirmations
  done: string;
  moved: (caller: string) => string;
  escalated: (caller: string, level: number) => string;
  stateForced: (name: string, state: string) => string;
  agentSaved: (name: string) => string;
  droppedMarked: (name: string) => string;
  refused: (message: string) => string;
  failed: (message: string) => string;
  // Configurações
  settingsIntro: string;
  sections: { center: string; serviceLevel: string; queues: string; colours: string; timers: string; pauseReasons: string; priority: string; alerts: string };
  fields: Record<string, string>;
  formulaOption: Record<string, string>;
  preview: string;
  save: string;
  reset: string;
  noChanges: string;
  changes: (n: number) => string;
  before: string;
  after: string;
  saved: string;
  invalid: string;
  jsonInvalid: (message: string) => string;
  notANumber: string;
  none: string;
  addRule: string;
  addDestination: string;
  remove: string;
  ruleKind: Record<AlertKind, string>;
  format: Record<AlertFormat, string>;
  audit: string;
  auditWho: string;
  auditField: string;
  auditAction: string;
  auditSince: string;
  auditUntil: string;
  filter: string;
  auditWhen: string;
  auditTarget: string;
  auditChange: string;
  auditEmpty: string;
  anyAction: string;
  // Relatórios
  reportFrom: string;
  reportTo: string;
  granularity: string;
  granularities: { '15m': string; hour: string; day: string };
  scope: string;
  scopes: { center: string; queue: string; tier: string; agent: string };
  which: string;
  run: string;
  downloadCsv: string;
  downloaded: (file: string) => string;
  reportEmpty: string;
  reportHint: string;
  col: Record<string, string>;
  total: string;
  agentTable: string;
  chartSl: string;
  chartOffered: string;
  chartAnswered: string;
  chartTarget: string;
}

export const pt: Dict = {
  locale: 'pt-BR',
  appName: 'Atende',
  pageTitle: 'Supervisor',
  signInTitle: 'Supervisor',
  signInHint: 'Entre com o token de supervisor. Ele fica só nesta aba e sai da barra de endereço.',
  tokenLabel: 'Token de supervisor',
  signIn: 'Entrar',
  signingIn: 'Entrando…',
  signOut: 'Sair',
  reasonUnauthorized: 'Token inválido ou revogado.',
  reasonForbidden: 'Este token não é de supervisor.',
  reasonUnreachable: 'Servidor inacessível. Tente de novo.',
  reasonSignedOut: 'Você saiu.',
  reasonOther: (s) => `O servidor recusou (HTTP ${s}).`,
  tabs: { now: 'Agora', settings: 'Configurações', reports: 'Relatórios', planning: 'Planejamento' },
  live: 'Ao vivo',
  connecting: 'Conectando…',
  disconnected: (s) => `Desconectado · reconectando em ${s} s`,
  stale: (age) => `Dados desatualizados — há ${age}`,
  acknowledge: 'Reconhecer alarmes',
  acknowledged: 'Alarmes reconhecidos.',
  slRolling: (m) => `NS últimos ${m} min`,
  waiting: 'Em espera',
  longestWait: 'Maior espera',
  agentsAvailable: 'Atendentes livres',
  abandonRate: 'Abandono',
  alerts: 'Alertas',
  noAlerts: 'Nenhum alerta.',
  alertFiring: 'Ativo',
  alertResolved: 'Resolvido',
  severity: { info: 'Informação', warning: 'Atenção', critical: 'Crítico' },
  alertKind: {
    serviceLevelBelowTarget: 'NS abaixo da meta', longestWaitAbove: 'Espera longa', noAgentAvailable: 'Sem atendente livre',
    abandonsPerHourAbove: 'Abandonos por hora', queueClosedByEmergency: 'Fila fechada por emergência',
  },
  delivery: { pending: 'enviando', retrying: 'nova tentativa', delivered: 'entregue', failed: 'falhou' },
  phase: { fired: 'aviso', resolved: 'resolução' },
  ackedBy: (who) => `reconhecido por ${who}`,
  queues: 'Filas',
  queueName: 'Fila',
  queueState: 'Situação',
  open: 'aberta',
  closed: 'fechada',
  callbacks: 'Retornos',
  slNow: 'NS agora',
  slToday: 'NS hoje',
  available: 'Livres',
  abandonsHour: 'Aband./h',
  callers: 'Clientes em espera',
  noCallers: 'Ninguém em espera.',
  wait: 'Espera',
  priority: 'Prior.',
  why: 'Motivo',
  queue: 'Fila',
  caller: 'Cliente',
  level: 'Nível',
  ringing: 'chamando',
  actions: 'Ações',
  agents: 'Atendentes',
  agent: 'Atendente',
  state: 'Estado',
  timeInState: 'Há',
  currentCall: 'Chamada',
  callsToday: 'Hoje',
  tmaToday: 'TMA hoje',
  skills: 'Filas',
  pending: (s) => `pendente: ${s}`,
  callActions: (c) => `Cliente ${c}`,
  moveTo: 'Mover para a fila',
  raiseTier: 'Prioridade',
  escalateTo: 'Escalar para o nível',
  keep: '(manter)',
  reason: 'Motivo (fica no registro de auditoria)',
  reasonRequired: 'Diga o motivo.',
  move: 'Mover / mudar prioridade',
  escalate: 'Escalar',
  cancel: 'Cancelar',
  agentActions: (n) => `Atendente ${n}`,
  forceState: 'Forçar estado',
  setAvailable: 'Disponível',
  setAway: 'Pausa',
  logOut: 'Deslogar',
  pauseReason: 'Motivo da pausa',
  skillsAndLevel: 'Filas e nível',
  saveAgent: 'Salvar filas e nível',
  markDropped: 'A ligação caiu: retornar ao cliente',
  markDroppedHelp: 'O cliente volta como retorno no início da fila, com o mesmo protocolo.',
  done: 'Feito.',
  moved: (c) => `Cliente ${c} movido.`,
  escalated: (c, l) => `Cliente ${c} escalado para N${l}.`,
  stateForced: (n, s) => `${n}: ${s}.`,
  agentSaved: (n) => `${n}: filas e nível salvos.`,
  droppedMarked: (n) => `A ligação de ${n} foi marcada como caída: o cliente será chamado de volta.`,
  refused: (m) => `Recusado: ${m}`,
  failed: (m) => `Falhou: ${m}`,
  settingsIntro: 'Tudo o que um supervisor pode mudar sem reiniciar. Pré-visualize o que muda, depois salve; cada mudança fica no registro de auditoria.',
  sections: {
    center: 'Central', serviceLevel: 'Nível de serviço', queues: 'Filas e metas', colours: 'Cores', timers: 'Tempos',
    pauseReasons: 'Motivos de pausa', priority: 'Regras de prioridade', alerts: 'Alertas',
  },
  fields: {
    centerName: 'Nome da central (nas telas)', thresholdSeconds: 'Tempo de atendimento (s)', target: 'Meta (%)', formula: 'Fórmula', shortAbandonSeconds: 'Abandono curto (s)',
    windowMinutes: 'Janela (min)', todayResetsAt: '"Hoje" começa às', name: 'Nome', maxWaiting: 'Máx. em espera',
    maxEstimatedWaitSeconds: 'Máx. espera estimada (s)', overflowQueue: 'Transborda para', amberFrom: 'NS âmbar a partir de (%)',
    longestWaitAmber: 'Maior espera âmbar acima de (s)', longestWaitRed: 'Maior espera vermelha acima de (s)',
    abandonAmber: 'Abandono âmbar acima de (%)', abandonRed: 'Abandono vermelho acima de (%)',
    waitingAmber: 'Em espera âmbar acima de', waitingRed: 'Em espera vermelho acima de',
    offerTimeoutSeconds: 'Tempo para atender a oferta (s)', wrapUpSeconds: 'Pós-atendimento (s, 0 = até "Pronto")',
    levelWideningSeconds: 'Abre ao nível acima após (s, vazio = nunca)', maxConsecutiveMisses: 'Ofertas perdidas até pausar',
    missDelaySeconds: 'Espera após oferta perdida (s)', pauseReasons: 'Um motivo por linha', vipNumbers: 'Números VIP (um por linha)',
    agingSeconds: 'Envelhecimento por prioridade (s, vírgulas; — = nunca)', rules: 'Regras (JSON)',
    id: 'Id', kind: 'Tipo', queues: 'Filas (vírgulas; vazio = todas)', forMinutes: 'Por (min)', waitSeconds: 'Espera (s)',
    abandonsPerHour: 'Abandonos/h', severity: 'Gravidade', cooldownMinutes: 'Intervalo (min)', quietFrom: 'Silêncio de',
    quietTo: 'até', destinations: 'Destinos (vírgulas; vazio = todos)', enabled: 'Ativo', format: 'Formato', url: 'URL do webhook',
    minSeverity: 'Gravidade mínima', rulesTitle: 'Regras', destinationsTitle: 'Destinos',
  },
  formulaOption: {
    offered: 'atendidas no prazo ÷ oferecidas', answered: 'atendidas no prazo ÷ atendidas',
    abandonsWithinThresholdMet: 'abandonos no prazo contam como atendidos', abandonsWithinThresholdNeutral: 'abandonos no prazo não contam',
  },
  preview: 'Pré-visualizar',
  save: 'Salvar',
  reset: 'Desfazer',
  noChanges: 'Nada muda.',
  changes: (n) => (n === 1 ? '1 mudança:' : `${n} mudanças:`),
  before: 'Antes',
  after: 'Depois',
  saved: 'Salvo. Já vale em todas as telas.',
  invalid: 'O servidor recusou: veja o campo marcado.',
  jsonInvalid: (m) => `JSON inválido: ${m}`,
  notANumber: 'número inválido',
  none: '—',
  addRule: 'Nova regra',
  addDestination: 'Novo destino',
  remove: 'Remover',
  ruleKind: {
    serviceLevelBelowTarget: 'NS abaixo da meta por N min', longestWaitAbove: 'Maior espera acima de N s',
    noAgentAvailable: 'Fila com clientes e nenhum livre', abandonsPerHourAbove: 'Abandonos acima de N por hora',
    queueClosedByEmergency: 'Fila fechada por emergência',
  },
  format: { slack: 'Slack', teams: 'Microsoft Teams (Workflows)', 'teams-messagecard': 'Teams (conector antigo)', json: 'JSON' },
  audit: 'Registro de auditoria',
  auditWho: 'Quem',
  auditField: 'Campo ou atendente',
  auditAction: 'Ação',
  auditSince: 'Desde',
  auditUntil: 'Até',
  filter: 'Filtrar',
  auditWhen: 'Quando',
  auditTarget: 'Alvo',
  auditChange: 'Antes → depois',
  auditEmpty: 'Nada no registro com esse filtro.',
  anyAction: '(todas)',
  reportFrom: 'De',
  reportTo: 'Até',
  granularity: 'Por',
  granularities: { '15m': '15 min', hour: 'hora', day: 'dia' },
  scope: 'Escopo',
  scopes: { center: 'Central', queue: 'Fila', tier: 'Prioridade', agent: 'Atendente' },
  which: 'Qual',
  run: 'Gerar',
  downloadCsv: 'Baixar CSV',
  downloaded: (f) => `Baixado: ${f}`,
  reportEmpty: 'Sem intervalos nesse período.',
  reportHint: 'Escolha o período e gere o relatório.',
  col: {
    start: 'Início', offered: 'Oferecidas', answered: 'Atendidas', abandoned: 'Abandonadas', serviceLevel: 'NS',
    asaSeconds: 'TME', tmaSeconds: 'TMA', abandonRate: 'Abandono', legalBreaches: 'Acima do limite', callbacksRequested: 'Retornos', nps: 'NPS', csat: 'CSAT', fcr: 'FCR',
    calls: 'Chamadas', talk: 'Falado', wrapUp: 'Pós-atend.', occupancy: 'Ocupação', missed: 'Ofertas perdidas', pauses: 'Pausas',
  },
  total: 'Total',
  agentTable: 'Por atendente',
  chartSl: 'NS %',
  chartOffered: 'Oferecidas',
  chartAnswered: 'Atendidas',
  chartTarget: 'Meta',
};

export const en: Dict = {
  locale: 'en',
  appName: 'Atende',
  pageTitle: 'Supervisor',
  signInTitle: 'Supervisor',
  signInHint: 'Sign in with the supervisor token. It stays in this tab only and leaves the address bar.',
  tokenLabel: 'Supervisor token',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  reasonUnauthorized: 'Invalid or revoked token.',
  reasonForbidden: 'This is not a supervisor token.',
  reasonUnreachable: 'Server unreachable. Try again.',
  reasonSignedOut: 'You signed out.',
  reasonOther: (s) => `The server refused (HTTP ${s}).`,
  tabs: { now: 'Now', settings: 'Settings', reports: 'Reports', planning: 'Planning' },
  live: 'Live',
  connecting: 'Connecting…',
  disconnected: (s) => `Disconnected · retrying in ${s} s`,
  stale: (age) => `Stale data — ${age} old`,
  acknowledge: 'Acknowledge alarms',
  acknowledged: 'Alarms acknowledged.',
  slRolling: (m) => `SL last ${m} min`,
  waiting: 'Waiting',
  longestWait: 'Longest wait',
  agentsAvailable: 'Agents available',
  abandonRate: 'Abandoned',
  alerts: 'Alerts',
  noAlerts: 'No alerts.',
  alertFiring: 'Firing',
  alertResolved: 'Resolved',
  severity: { info: 'Info', warning: 'Warning', critical: 'Critical' },
  alertKind: {
    serviceLevelBelowTarget: 'SL below target', longestWaitAbove: 'Long wait', noAgentAvailable: 'No agent available',
    abandonsPerHourAbove: 'Abandons per hour', queueClosedByEmergency: 'Queue closed by emergency',
  },
  delivery: { pending: 'sending', retrying: 'retrying', delivered: 'delivered', failed: 'failed' },
  phase: { fired: 'notice', resolved: 'resolution' },
  ackedBy: (who) => `acknowledged by ${who}`,
  queues: 'Queues',
  queueName: 'Queue',
  queueState: 'State',
  open: 'open',
  closed: 'closed',
  callbacks: 'Callbacks',
  slNow: 'SL now',
  slToday: 'SL today',
  available: 'Available',
  abandonsHour: 'Aband./h',
  callers: 'Callers waiting',
  noCallers: 'Nobody waiting.',
  wait: 'Wait',
  priority: 'Prio.',
  why: 'Why',
  queue: 'Queue',
  caller: 'Caller',
  level: 'Level',
  ringing: 'ringing',
  actions: 'Actions',
  agents: 'Agents',
  agent: 'Agent',
  state: 'State',
  timeInState: 'For',
  currentCall: 'Call',
  callsToday: 'Today',
  tmaToday: 'AHT today',
  skills: 'Queues',
  pending: (s) => `pending: ${s}`,
  callActions: (c) => `Caller ${c}`,
  moveTo: 'Move to queue',
  raiseTier: 'Priority',
  escalateTo: 'Escalate to level',
  keep: '(keep)',
  reason: 'Reason (kept in the audit log)',
  reasonRequired: 'Give a reason.',
  move: 'Move / change priority',
  escalate: 'Escalate',
  cancel: 'Cancel',
  agentActions: (n) => `Agent ${n}`,
  forceState: 'Force a state',
  setAvailable: 'Available',
  setAway: 'Away',
  logOut: 'Log out',
  pauseReason: 'Pause reason',
  skillsAndLevel: 'Queues and level',
  saveAgent: 'Save queues and level',
  markDropped: 'The call dropped: call the customer back',
  markDroppedHelp: 'The customer comes back as a callback at the head of the queue, with the same protocol.',
  done: 'Done.',
  moved: (c) => `Caller ${c} moved.`,
  escalated: (c, l) => `Caller ${c} escalated to L${l}.`,
  stateForced: (n, s) => `${n}: ${s}.`,
  agentSaved: (n) => `${n}: queues and level saved.`,
  droppedMarked: (n) => `${n}'s call marked as dropped: the customer will be called back.`,
  refused: (m) => `Refused: ${m}`,
  failed: (m) => `Failed: ${m}`,
  settingsIntro: 'Everything a supervisor may change without a restart. Preview what changes, then save; every change goes to the audit log.',
  sections: {
    center: 'Center', serviceLevel: 'Service level', queues: 'Queues and targets', colours: 'Colours', timers: 'Timers',
    pauseReasons: 'Pause reasons', priority: 'Priority rules', alerts: 'Alerts',
  },
  fields: {
    centerName: 'Center name (on the screens)', thresholdSeconds: 'Answer threshold (s)', target: 'Target (%)', formula: 'Formula', shortAbandonSeconds: 'Short abandon (s)',
    windowMinutes: 'Window (min)', todayResetsAt: '"Today" starts at', name: 'Name', maxWaiting: 'Max waiting',
    maxEstimatedWaitSeconds: 'Max estimated wait (s)', overflowQueue: 'Overflows to', amberFrom: 'SL amber from (%)',
    longestWaitAmber: 'Longest wait amber above (s)', longestWaitRed: 'Longest wait red above (s)',
    abandonAmber: 'Abandon amber above (%)', abandonRed: 'Abandon red above (%)',
    waitingAmber: 'Waiting amber above', waitingRed: 'Waiting red above',
    offerTimeoutSeconds: 'Time to take an offer (s)', wrapUpSeconds: 'Wrap-up (s, 0 = until "Ready")',
    levelWideningSeconds: 'Opens to the level above after (s, empty = never)', maxConsecutiveMisses: 'Missed offers before away',
    missDelaySeconds: 'Wait after a missed offer (s)', pauseReasons: 'One reason per line', vipNumbers: 'VIP numbers (one per line)',
    agingSeconds: 'Aging per tier (s, commas; — = never)', rules: 'Rules (JSON)',
    id: 'Id', kind: 'Kind', queues: 'Queues (commas; empty = all)', forMinutes: 'For (min)', waitSeconds: 'Wait (s)',
    abandonsPerHour: 'Abandons/h', severity: 'Severity', cooldownMinutes: 'Cooldown (min)', quietFrom: 'Quiet from',
    quietTo: 'to', destinations: 'Destinations (commas; empty = all)', enabled: 'Enabled', format: 'Format', url: 'Webhook URL',
    minSeverity: 'Minimum severity', rulesTitle: 'Rules', destinationsTitle: 'Destinations',
  },
  formulaOption: {
    offered: 'answered in time ÷ offered', answered: 'answered in time ÷ answered',
    abandonsWithinThresholdMet: 'abandons in time count as met', abandonsWithinThresholdNeutral: 'abandons in time do not count',
  },
  preview: 'Preview',
  save: 'Save',
  reset: 'Undo',
  noChanges: 'Nothing changes.',
  changes: (n) => (n === 1 ? '1 change:' : `${n} changes:`),
  before: 'Before',
  after: 'After',
  saved: 'Saved. In force on every screen now.',
  invalid: 'The server refused: see the marked field.',
  jsonInvalid: (m) => `Invalid JSON: ${m}`,
  notANumber: 'not a number',
  none: '—',
  addRule: 'New rule',
  addDestination: 'New destination',
  remove: 'Remove',
  ruleKind: {
    serviceLevelBelowTarget: 'SL below target for N min', longestWaitAbove: 'Longest wait above N s',
    noAgentAvailable: 'Callers waiting, no agent available', abandonsPerHourAbove: 'Abandons above N per hour',
    queueClosedByEmergency: 'Queue closed by emergency',
  },
  format: { slack: 'Slack', teams: 'Microsoft Teams (Workflows)', 'teams-messagecard': 'Teams (legacy connector)', json: 'JSON' },
  audit: 'Audit log',
  auditWho: 'Who',
  auditField: 'Field or agent',
  auditAction: 'Action',
  auditSince: 'Since',
  auditUntil: 'Until',
  filter: 'Filter',
  auditWhen: 'When',
  auditTarget: 'Target',
  auditChange: 'Before → after',
  auditEmpty: 'Nothing in the log for this filter.',
  anyAction: '(any)',
  reportFrom: 'From',
  reportTo: 'To',
  granularity: 'By',
  granularities: { '15m': '15 min', hour: 'hour', day: 'day' },
  scope: 'Scope',
  scopes: { center: 'Center', queue: 'Queue', tier: 'Priority', agent: 'Agent' },
  which: 'Which',
  run: 'Run',
  downloadCsv: 'Download CSV',
  downloaded: (f) => `Downloaded: ${f}`,
  reportEmpty: 'No intervals in this range.',
  reportHint: 'Pick a range and run the report.',
  col: {
    start: 'Start', offered: 'Offered', answered: 'Answered', abandoned: 'Abandoned', serviceLevel: 'SL',
    asaSeconds: 'ASA', tmaSeconds: 'AHT', abandonRate: 'Abandon', legalBreaches: 'Over legal limit', callbacksRequested: 'Callbacks', nps: 'NPS', csat: 'CSAT', fcr: 'FCR',
    calls: 'Calls', talk: 'Talk', wrapUp: 'Wrap-up', occupancy: 'Occupancy', missed: 'Missed offers', pauses: 'Pauses',
  },
  total: 'Total',
  agentTable: 'Per agent',
  chartSl: 'SL %',
  chartOffered: 'Offered',
  chartAnswered: 'Answered',
  chartTarget: 'Target',
};

export const dictionaries: Record<Lang, Dict> = { pt, en };
