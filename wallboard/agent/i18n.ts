// Every word on the agent console, one dictionary per language. `AgentDict`
// is the single source of keys: `pt` and `en` are both typed `AgentDict`, so
// a key missing from either (or an extra one) is a compile error. Same style
// as the wallboard's dictionary (../src/i18n.ts), whose `Lang` and `langOf`
// (`?lang=en` → English, anything else Portuguese) are reused here.

import type { AgentStatus, CallStatus } from '../../server/contract.ts';
import { langOf, type Lang } from '../src/i18n.ts';

export { langOf, type Lang };

export interface AgentDict {
  /** BCP 47 tag for Intl and <html lang>. */
  locale: string;
  appName: string;
  pageTitle: string;

  // sign-in
  signInTitle: string;
  signInIntro: string;
  tokenLabel: string;
  signIn: string;
  signOut: string;
  signingIn: string;
  reasonUnauthorized: string;
  reasonForbidden: string;
  reasonSignedOut: string;
  reasonUnreachable: string;
  reasonOther: (status: number) => string;

  // connection
  connecting: string;
  live: string;
  disconnected: string;
  reconnectingIn: (s: number) => string;
  staleBanner: (age: string) => string;
  offlineBanner: (age: string) => string;
  stalePill: (age: string) => string;
  noDataYet: string;

  // state
  yourState: string;
  state: Record<AgentStatus, string>;
  stateFor: (d: string) => string;
  pendingAfterCall: (what: string) => string;
  pendingAfterWrapUp: (what: string) => string;
  btnAvailable: string;
  btnPause: string;
  btnOffline: string;
  pauseReason: string;
  levelSkills: (level: number, skills: string) => string;
  callsHandled: (n: string) => string;
  softphone: (name: string) => string;
  phoneRings: (number: string) => string;
  noContact: string;

  // the softphone in this page (softphone.ts) and demo mode
  softphoneHere: (name: string) => string;
  voiceSimulated: string;
  spStarting: string;
  spReady: string;
  spOffline: string;
  spUnavailable: (why: string) => string;
  spProblem: (why: string) => string;
  microphone: string;
  speaker: string;
  systemDefault: string;
  ringingHere: (from: string) => string;
  connectingCall: string;
  onCallHere: string;
  reconnectingAudio: string;
  micMuted: string;
  accept: string;
  decline: string;
  mute: string;
  hangUp: string;
  keypad: string;

  // call
  noCall: string;
  noCallHint: string;
  callStatus: Record<CallStatus, string>;
  offeredTitle: string;
  inProgressTitle: string;
  wrapUpTitle: string;
  escalatedAway: (level: string) => string;
  caller: string;
  path: string;
  protocol: string;
  queue: string;
  priority: string;
  waited: string;
  waitingNow: string;
  language: string;
  notes: string;
  badgeVip: string;
  badgeRepeat: string;
  /** A callback (retorno): its badge, the offer's title, and who and why. */
  badgeCallback: string;
  callbackOfferedTitle: string;
  callbackLine: (number: string, origin: 'requested' | 'dropped', attempt: number) => string;
  /** The line dropped on the company's side: the agent marks it, the call comes back as a callback. */
  dropped: string;
  droppedToast: string;
  droppedAway: string;
  badgeEscalated: (n: number) => string;
  levelLabel: (level: number) => string;

  // wrap-up
  wrapUpEndsIn: (d: string) => string;
  wrapUpUntilReady: string;

  // pause advice (the breach warning: GET /api/forecast/pause)
  pauseSafe: string;
  pauseWait: (minutes: number) => string;
  pauseNotNow: string;
  ready: string;
  disposition: string;
  resolvedQuestion: string;
  yes: string;
  no: string;
  noteLabel: string;
  notePlaceholder: string;
  send: string;
  dispositionSaved: string;
  dispositionAlready: string;

  // escalate
  escalate: string;
  escalateTo: (level: string) => string;
  escalateNote: string;
  escalated: (level: string) => string;

  // recording (docs/sac.md, "Gravações")
  recordingOn: string;
  recordingPaused: string;
  recordingPause: string;
  recordingResume: string;
  recordingPausedToast: string;
  recordingResumedToast: string;

  // action results
  working: string;
  conflict: (message: string) => string;
  failed: (message: string) => string;
}

export const pt: AgentDict = {
  locale: 'pt-BR',
  appName: 'Atende',
  pageTitle: 'Console do atendente',

  signInTitle: 'Entrar no console',
  signInIntro: 'Cole o token de atendente que o supervisor lhe entregou.',
  tokenLabel: 'Token',
  signIn: 'Entrar',
  signOut: 'Sair do console',
  signingIn: 'Entrando…',
  reasonUnauthorized: 'Token inválido ou expirado (401).',
  reasonForbidden: 'Este token não dá acesso a este console (403).',
  reasonSignedOut: 'Você saiu do console.',
  reasonUnreachable: 'Servidor inacessível. Tente de novo.',
  reasonOther: (s) => `O servidor respondeu HTTP ${s}.`,

  connecting: 'Conectando…',
  live: 'Ao vivo',
  disconnected: 'Desconectado',
  reconnectingIn: (s) => `reconectando em ${s} s`,
  staleBanner: (age) => `DADOS DESATUALIZADOS — nada do servidor há ${age}`,
  offlineBanner: (age) => `SEM CONEXÃO — dados de há ${age}`,
  stalePill: (age) => `sem dados há ${age}`,
  noDataYet: 'Aguardando dados do servidor…',

  yourState: 'Seu estado',
  state: {
    available: 'Disponível',
    ringing: 'Chamando',
    'on-call': 'Em atendimento',
    'wrap-up': 'Pós-atendimento',
    away: 'Pausa',
    offline: 'Deslogado',
  },
  stateFor: (d) => `há ${d}`,
  pendingAfterCall: (what) => `Pendente: ${what} ao fim desta chamada`,
  pendingAfterWrapUp: (what) => `Pendente: ${what} ao fim do pós-atendimento`,
  btnAvailable: 'Disponível',
  btnPause: 'Pausa',
  btnOffline: 'Sair',
  pauseReason: 'Motivo da pausa',
  levelSkills: (level, skills) => `N${level} · ${skills}`,
  callsHandled: (n) => `${n} atendidas`,
  softphone: (name) => `A voz vem pelo softphone (Twilio Client “${name}”), não por esta página. Mantenha-o aberto.`,
  phoneRings: (n) => `As chamadas tocam no telefone ${n}.`,
  noContact: 'Nenhum telefone cadastrado.',

  softphoneHere: (name) => `As chamadas tocam nesta página (softphone “${name}”). Use um fone de ouvido.`,
  voiceSimulated: 'Voz simulada: no modo demonstração o emulador da Twilio atende as chamadas por você.',
  spStarting: 'Softphone: conectando…',
  spReady: 'Softphone pronto',
  spOffline: 'Softphone desconectado: reconectando…',
  spUnavailable: (why) => `Softphone indisponível: ${why}`,
  spProblem: (why) => `Problema no softphone: ${why}`,
  microphone: 'Microfone',
  speaker: 'Alto-falante',
  systemDefault: 'Padrão do sistema',
  ringingHere: (from) => (from ? `Tocando no softphone: ${from}` : 'Tocando no softphone'),
  connectingCall: 'Conectando a chamada…',
  onCallHere: 'Em chamada pelo softphone',
  reconnectingAudio: 'Reconectando o áudio…',
  micMuted: 'microfone mudo',
  accept: 'Atender',
  decline: 'Recusar',
  mute: 'Mudo',
  hangUp: 'Desligar',
  keypad: 'Teclado (DTMF)',

  noCall: 'Nenhuma chamada',
  noCallHint: 'Quando uma chamada for oferecida a você, ela aparece aqui.',
  callStatus: {
    ivr: 'Na URA',
    queued: 'Na fila',
    offering: 'Tocando',
    connected: 'Em andamento',
    ended: 'Encerrada',
  },
  offeredTitle: 'Chamada oferecida',
  inProgressTitle: 'Em atendimento',
  wrapUpTitle: 'Chamada encerrada',
  escalatedAway: (l) => `Chamada escalada para ${l}: ela saiu do seu console.`,
  caller: 'Cliente',
  path: 'Caminho na URA',
  protocol: 'Protocolo',
  queue: 'Fila',
  priority: 'Prioridade',
  waited: 'Esperou',
  waitingNow: 'Esperando',
  language: 'Idioma',
  notes: 'Notas',
  badgeVip: 'VIP',
  badgeRepeat: 'Rechamada',
  badgeCallback: 'Retorno',
  callbackOfferedTitle: 'Retorno oferecido',
  callbackLine: (n, o, a) => `Retorno para ${n} · ${o === 'dropped' ? 'chamada que caiu' : 'pedido de retorno'}${a > 1 ? ` · ${a}ª tentativa` : ''}`,
  dropped: 'A ligação caiu',
  droppedToast: 'Ligação marcada como caída: o cliente será chamado de volta, no início da fila.',
  droppedAway: 'A ligação caiu: o cliente volta como retorno no início da fila, com o mesmo protocolo.',
  badgeEscalated: (n) => (n === 1 ? 'Escalada' : `Escalada ${n}×`),
  levelLabel: (l) => `N${l}`,

  wrapUpEndsIn: (d) => `Pós-atendimento termina em ${d}`,
  wrapUpUntilReady: 'Pós-atendimento até você clicar em Pronto',

  pauseSafe: 'Pausa liberada',
  pauseWait: (m) => `Aguarde ~${m} min para pausar`,
  pauseNotNow: 'Pausa não recomendada agora: o nível de serviço está em risco',
  ready: 'Pronto',
  disposition: 'Registro da chamada',
  resolvedQuestion: 'Resolvido no primeiro contato?',
  yes: 'Sim',
  no: 'Não',
  noteLabel: 'Nota',
  notePlaceholder: 'Resumo curto (opcional)',
  send: 'Registrar',
  dispositionSaved: 'Registro salvo.',
  dispositionAlready: 'Esta chamada já tem registro.',

  escalate: 'Escalar',
  escalateTo: (l) => `Escalar para ${l}`,
  escalateNote: 'Nota para o próximo atendente',
  escalated: (l) => `Chamada escalada para ${l}.`,

  recordingOn: 'Gravando',
  recordingPaused: 'Gravação pausada',
  recordingPause: 'Pausar gravação',
  recordingResume: 'Retomar gravação',
  recordingPausedToast: 'Gravação pausada: dados sensíveis ficam fora da gravação.',
  recordingResumedToast: 'Gravação retomada.',

  working: 'Enviando…',
  conflict: (m) => `Não foi possível: ${m}`,
  failed: (m) => `Falhou: ${m}`,
};

export const en: AgentDict = {
  locale: 'en',
  appName: 'Atende',
  pageTitle: 'Agent console',

  signInTitle: 'Sign in to the console',
  signInIntro: 'Paste the agent token your supervisor gave you.',
  tokenLabel: 'Token',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signingIn: 'Signing in…',
  reasonUnauthorized: 'Invalid or expired token (401).',
  reasonForbidden: 'This token does not open this console (403).',
  reasonSignedOut: 'You signed out.',
  reasonUnreachable: 'Server unreachable. Try again.',
  reasonOther: (s) => `The server answered HTTP ${s}.`,

  connecting: 'Connecting…',
  live: 'Live',
  disconnected: 'Disconnected',
  reconnectingIn: (s) => `reconnecting in ${s} s`,
  staleBanner: (age) => `STALE DATA — nothing from the server for ${age}`,
  offlineBanner: (age) => `NO CONNECTION — data ${age} old`,
  stalePill: (age) => `no data for ${age}`,
  noDataYet: 'Waiting for data from the server…',

  yourState: 'Your state',
  state: {
    available: 'Available',
    ringing: 'Ringing',
    'on-call': 'On call',
    'wrap-up': 'Wrap-up',
    away: 'Away',
    offline: 'Offline',
  },
  stateFor: (d) => `for ${d}`,
  pendingAfterCall: (what) => `Pending: ${what} when this call ends`,
  pendingAfterWrapUp: (what) => `Pending: ${what} when wrap-up ends`,
  btnAvailable: 'Available',
  btnPause: 'Pause',
  btnOffline: 'Log off',
  pauseReason: 'Pause reason',
  levelSkills: (level, skills) => `N${level} · ${skills}`,
  callsHandled: (n) => `${n} handled`,
  softphone: (name) => `Your voice comes through the softphone (Twilio Client “${name}”), not this page. Keep it open.`,
  phoneRings: (n) => `Calls ring your phone ${n}.`,
  noContact: 'No phone on file.',

  softphoneHere: (name) => `Calls ring on this page (softphone “${name}”). Use a headset.`,
  voiceSimulated: 'Simulated voice: in demo mode the Twilio emulator answers the calls for you.',
  spStarting: 'Softphone: connecting…',
  spReady: 'Softphone ready',
  spOffline: 'Softphone disconnected: reconnecting…',
  spUnavailable: (why) => `Softphone unavailable: ${why}`,
  spProblem: (why) => `Softphone problem: ${why}`,
  microphone: 'Microphone',
  speaker: 'Speaker',
  systemDefault: 'System default',
  ringingHere: (from) => (from ? `Ringing on your softphone: ${from}` : 'Ringing on your softphone'),
  connectingCall: 'Connecting the call…',
  onCallHere: 'On the call through the softphone',
  reconnectingAudio: 'Reconnecting the audio…',
  micMuted: 'microphone muted',
  accept: 'Answer',
  decline: 'Decline',
  mute: 'Mute',
  hangUp: 'Hang up',
  keypad: 'Keypad (DTMF)',

  noCall: 'No call',
  noCallHint: 'When a call is offered to you, it shows here.',
  callStatus: {
    ivr: 'In the IVR',
    queued: 'Queued',
    offering: 'Ringing',
    connected: 'In progress',
    ended: 'Ended',
  },
  offeredTitle: 'Incoming call',
  inProgressTitle: 'On call',
  wrapUpTitle: 'Call ended',
  escalatedAway: (l) => `Call escalated to ${l}: it has left your console.`,
  caller: 'Caller',
  path: 'IVR path',
  protocol: 'Protocol',
  queue: 'Queue',
  priority: 'Priority',
  waited: 'Waited',
  waitingNow: 'Waiting',
  language: 'Language',
  notes: 'Notes',
  badgeVip: 'VIP',
  badgeRepeat: 'Repeat caller',
  badgeCallback: 'Callback',
  callbackOfferedTitle: 'Callback offered',
  callbackLine: (n, o, a) => `Callback to ${n} · ${o === 'dropped' ? 'dropped call' : 'callback request'}${a > 1 ? ` · attempt ${a}` : ''}`,
  dropped: 'The call dropped',
  droppedToast: 'Marked as dropped: the customer will be called back, at the head of the line.',
  droppedAway: 'The call dropped: the customer comes back as a callback at the head of the line, with the same protocol.',
  badgeEscalated: (n) => (n === 1 ? 'Escalated' : `Escalated ${n}×`),
  levelLabel: (l) => `N${l}`,

  wrapUpEndsIn: (d) => `Wrap-up ends in ${d}`,
  wrapUpUntilReady: 'Wrap-up until you click Ready',

  pauseSafe: 'Pause OK',
  pauseWait: (m) => `Wait ~${m} min before pausing`,
  pauseNotNow: 'Pausing is not advised now: the service level is at risk',
  ready: 'Ready',
  disposition: 'Call outcome',
  resolvedQuestion: 'Resolved on first contact?',
  yes: 'Yes',
  no: 'No',
  noteLabel: 'Note',
  notePlaceholder: 'Short summary (optional)',
  send: 'Save',
  dispositionSaved: 'Outcome saved.',
  dispositionAlready: 'This call already has an outcome.',

  escalate: 'Escalate',
  escalateTo: (l) => `Escalate to ${l}`,
  escalateNote: 'Note for the next agent',
  escalated: (l) => `Call escalated to ${l}.`,

  recordingOn: 'Recording',
  recordingPaused: 'Recording paused',
  recordingPause: 'Pause recording',
  recordingResume: 'Resume recording',
  recordingPausedToast: 'Recording paused: sensitive data stays out of the recording.',
  recordingResumedToast: 'Recording resumed.',

  working: 'Sending…',
  conflict: (m) => `Not possible: ${m}`,
  failed: (m) => `Failed: ${m}`,
};

export const dictionaries: Record<Lang, AgentDict> = { pt, en };
