// The settings file (ATENDE_CONFIG, JSON). Validated at start against config/schema.json;
// toRoutingConfig / toMetricsSettings turn it into what the pure core takes.
import type { AgentConfig, RoutingStrategy, TierRule } from '../../routing/types.ts';
import type { AlertsSetting, ColourBands, ServiceLevelSetting } from '../contract.ts';

/** Text per language code, e.g. { "pt-BR": "Bem-vindo", "en": "Welcome", "es": "Bienvenido" }. */
export type Localised = Record<string, string>;

export interface LanguageSetting {
  /** Language code used as key of every Localised text: "pt-BR", "en", "es". */
  code: string;
  /** Key pressed in the language menu. */
  digit: string;
  /** Twilio <Say language>, e.g. "pt-BR", "en-US", "es-ES". */
  sayLanguage: string;
  /** Twilio <Say voice>, e.g. "Polly.Camila"; optional. */
  voice?: string;
  /** How the option is announced in its own language: "Para português, tecle 1". */
  prompt: string;
}

/**
 * What an option is for, as the SAC rules read the menu (server/config/sac-rules.ts):
 * `complaint` (reclamação) and `cancel` (cancelamento) in the first menu, `agent` an explicit
 * way to a person, `back` the way to the menu before.
 */
export type MenuTag = 'complaint' | 'cancel' | 'agent' | 'back';

/** What pressing a key does: a submenu, a queue (with caller attributes for the tier rules), or back to the menu before. */
export interface MenuOption {
  digit: string;
  /** Announced in the menu prompt is up to `MenuNode.prompt`; this label shows in the CDR and wallboard. */
  label: Localised;
  queue?: string;
  menu?: MenuNode;
  /** Back to the menu this one was reached from (not in the first menu). */
  back?: true;
  tag?: MenuTag;
  /** Merged into the call attributes when queued (e.g. { "impact": 3 }). */
  attributes?: Record<string, string | number | boolean>;
}

export interface MenuNode {
  id: string;
  prompt: Localised;
  options: MenuOption[];
  /** After `ivr.maxAttempts` invalid/no input: this queue (default: ivr.defaultQueue). */
  defaultQueue?: string;
}

interface IvrSetting {
  greeting: Localised;
  /** Language menu first when more than one language; the first language is the default. */
  languages: LanguageSetting[];
  menu: MenuNode;
  /** Seconds of silence before <Gather> gives up. */
  gatherTimeoutSeconds: number;
  /** Tries before the default queue is used. */
  maxAttempts: number;
  defaultQueue: string;
  invalidInput: Localised;
  /** Position/wait announcement on the wait URL; {position} and {minutes} are replaced. */
  waitAnnouncement: Localised;
  /** Hold audio played between announcements (absolute URL); none = a pause. */
  holdMusicUrl?: string;
  /** Seconds of hold audio/pause per wait-URL cycle (the heartbeat period). */
  waitCycleSeconds: number;
  /** Said when overflow has no target queue. */
  overflowMessage: Localised;
  /** Said when a request cannot be processed, before the caller is put back into a sane place. */
  errorMessage: Localised;
}

/** Local "HH:MM-HH:MM" ranges per weekday, in the center's time zone; "22:00-02:00" runs past midnight, "24:00" ends a day. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type WeeklyHours = Partial<Record<Weekday, string[]>>;

/** A queue's recording: on or off, and what a pause does to the file (default skip: the paused time is left out). */
export interface RecordingSetting {
  enabled: boolean;
  pauseBehavior?: 'skip' | 'silence';
}

interface QueueSetting {
  id: string;
  name: string;
  /** Business hours; absent = open 24 hours, 7 days (holidays and the center's dates do not close it). */
  hours?: WeeklyHours;
  /** SAC legal wait limit, seconds (default sac.legalWaitSeconds, 60): the wallboard's "dentro do limite legal". */
  legalWaitSeconds?: number;
  /** Callers may ask for a callback here, also when it is closed (default true). */
  callbacks?: boolean;
  /** Twilio records the agent leg, dual-channel (default off): docs/sac.md, "Gravações". */
  recording?: boolean | RecordingSetting;
  /** Said to a caller who reaches it closed (hours, other channels); default sac.closedMessage. */
  closedMessage?: Localised;
  department?: string;
  weight?: number;
  thresholdSeconds?: number;
  target?: number;
  maxWaiting?: number;
  maxEstimatedWaitSeconds?: number;
  overflowQueue?: string | null;
}

interface PrioritySettings {
  tiers: number;
  /** Per tier (index k-1): seconds before a waiting call moves up one tier; null = never. */
  agingSeconds: (number | null)[];
  vipNumbers: string[];
  vipValues?: string[];
  rules: TierRule[];
  repeatMemoryHours?: number;
}

interface SurveySettings {
  enabled: boolean;
  intro: Localised;
  /** 0–10 then # */
  npsQuestion: Localised;
  /** 1–5 */
  csatQuestion: Localised;
  thanks: Localised;
}

/** An agent as the settings file gives it: the routing core's config plus how Twilio reaches them. */
export interface AgentSetting extends AgentConfig {
  /**
   * The whisper asks the agent to press a key before the caller is connected (a voicemail
   * never presses one). Unset: on for an E.164 contact, off for `client:` (the softphone
   * has its own accept button). Only in the settings file; the agents API keeps it.
   */
  acceptKey?: boolean;
}

export interface HistorySettings {
  /** A snapshot after this many events… (default 20000) */
  snapshotEveryEvents: number;
  /** …or this many minutes after the last one, when events came since (default 15). */
  snapshotEveryMinutes: number;
}

export interface RetentionSettings {
  /** Events older than this (and covered by a snapshot) move to the archive files (default 30). */
  eventDays: number;
  /** Call records and interval figures older than this are deleted (default 400). */
  callDays: number;
}

/** A date the center adds: a closure (no `hours`, or none) or a half day (`hours`). */
export interface SpecialDate {
  /** Local date "YYYY-MM-DD". */
  date: string;
  label: string;
  /** The day's ranges instead of the weekly ones; absent or empty = closed all day. */
  hours?: string[];
  /** Queue ids; absent = every queue with business hours. */
  queues?: string[];
}

export type HolidayType = 'public' | 'bank' | 'optional' | 'school' | 'observance';

/** The SAC rules (Decreto 11.034/2022) and business hours: docs/sac.md. */
export interface SacSettings {
  /** Refuse to start when the menu breaks the SAC rules (default false: warn). */
  strict: boolean;
  /** Digits and tokens {yyyy} {yy} {MM} {dd} {seq:N}; default "{yyyy}{MM}{dd}{seq:6}". */
  protocolFormat: string;
  /** Callers already waiting when their queue closes: served (default) or offered a callback. */
  onClose: 'serve' | 'offer-callback';
  /** Holidays from the date-holidays package; null = none. */
  holidays: { country: string; state?: string; region?: string; /** Default ['public']. */ types?: HolidayType[] } | null;
  dates: SpecialDate[];
  /** Default legal wait limit, seconds (60). */
  legalWaitSeconds: number;
  /** Said at a closed queue when the queue has no closedMessage of its own. */
  closedMessage?: Localised;
}

/** Callbacks (retorno de chamada): docs/sac.md. */
export interface CallbacksSetting {
  /** Seconds before a customer who did not answer is called again (default 120). */
  retryDelaySeconds: number;
  /** Calls to the customer in all before "not reached" (default 3). */
  maxAttempts: number;
  /** 'agent-first' (default): the agent is called, then the customer; 'customer-first' the other way round. */
  order: 'agent-first' | 'customer-first';
  /** The wait URL offers a callback after this many seconds of waiting (default 60)… */
  offerAfterSeconds: number;
  /** …and only when the estimated wait is above this (default 120). */
  minEstimatedWaitSeconds: number;
}

export interface Settings {
  centerName: string;
  timezone: string;
  /** The service level the wallboard shows, plus when "today" starts: local "HH:MM" in `timezone`. */
  serviceLevel: ServiceLevelSetting & { todayResetsAt: string };
  /** Length of the closed intervals on the wallboard and in reports (default 15). */
  intervalMinutes: number;
  queues: QueueSetting[];
  ivr: IvrSetting;
  priority: PrioritySettings;
  agents: AgentSetting[];
  offerTimeoutSeconds: number;
  wrapUpSeconds: number;
  strategy: RoutingStrategy;
  levelWideningSeconds: number | null;
  maxLevel: number;
  maxConsecutiveMisses: number;
  missDelaySeconds: number;
  survey: SurveySettings;
  colours: ColourBands;
  /** Pause reasons an agent picks from when going away ("almoço", "treinamento"…). */
  pauseReasons: string[];
  /** Alerts away from the TV: rules over the live figures and the webhooks they go to (docs/supervisor.md). */
  alerts: AlertsSetting;
  /** Snapshots of the routing core, so a start replays only the events after the latest one (docs/performance.md). */
  history?: HistorySettings;
  /** How long the hot database keeps events, call records and interval figures (docs/reliability.md). */
  retention?: RetentionSettings;
  /** SAC rules, protocol numbers, business hours and holidays (docs/sac.md); defaults in sacOf(). */
  sac?: SacSettings;
  /** Callbacks that keep the caller's place (docs/sac.md); defaults in callbacksOf(). */
  callbacks?: CallbacksSetting;
  /** Tokens per role, stored only as hashes: "sha256:<hex>" (npm run hash-token -- TOKEN). */
  auth?: { viewers?: string[]; supervisors?: string[]; agents?: Record<string, string> };
}
