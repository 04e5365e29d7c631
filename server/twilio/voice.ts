// TwiML for each step of a call, built only with twilio.twiml.VoiceResponse. Every
// text, timeout and language comes from the settings in force at the moment the
// TwiML is built (`live.current`), never from a copy taken when the edge started.
import twilio from 'twilio';
import type { LanguageSetting, Localised, MenuNode, Settings } from '../config/types.ts';
import type { LiveSettings } from '../settings/live.ts';

export type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
/** At any menu, the key that tells the caller their protocol number again (unless an option of that menu uses it). */
export const REPEAT_PROTOCOL_KEY = '#';
/** What an agent who must press a key to take a call hears after the whisper. */
const ACCEPT_PROMPT: Localised = { 'pt-BR': 'Tecle qualquer tecla para atender.', en: 'Press any key to take the call.', es: 'Pulse cualquier tecla para atender.' };
type SayAttributes = Parameters<VoiceResponse['say']>[0] & object;
type MenuIndex = Map<string, { node: MenuNode; path: string[] }>;

export class Voice {
  /** Menus by id, rebuilt when the settings in force bring another menu tree. */
  private menus: { root: MenuNode; byId: MenuIndex } | null = null;

  constructor(private readonly live: LiveSettings, private readonly publicUrl: () => string) {}

  private get settings(): Settings {
    return this.live.current;
  }

  get languages(): LanguageSetting[] {
    return this.settings.ivr.languages;
  }

  /** Absolute URL Twilio will call (and sign) for one of our routes. */
  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return this.publicUrl() + path + (s ? `?${s}` : '');
  }

  language(code: string | undefined): LanguageSetting {
    return this.languages.find((l) => l.code === code) ?? this.languages[0];
  }

  menu(id: string | undefined): { node: MenuNode; path: string[] } | null {
    const root = this.settings.ivr.menu;
    if (this.menus?.root !== root) this.menus = { root, byId: indexMenus(root) };
    return this.menus.byId.get(id ?? root.id) ?? null;
  }

  text(t: Localised, lang: LanguageSetting): string {
    return t[lang.code] ?? t[this.languages[0].code] ?? Object.values(t)[0] ?? '';
  }

  say(r: { say: VoiceResponse['say'] }, t: Localised | string, lang: LanguageSetting): void {
    const attrs: SayAttributes = { language: lang.sayLanguage as SayAttributes['language'] };
    if (lang.voice) attrs.voice = lang.voice as SayAttributes['voice'];
    r.say(attrs, typeof t === 'string' ? t : this.text(t, lang));
  }

  response(): VoiceResponse {
    return new twilio.twiml.VoiceResponse();
  }

  /**
   * "Para português, tecle 1. For English, press 2. ..." each in its own voice; on the first
   * attempt after the greeting and `protocol` (what <Say> reads, in the first language).
   */
  languageMenu(attempt: number, before?: Localised, protocol?: string): VoiceResponse {
    const r = this.response();
    if (before) this.say(r, before, this.languages[0]);
    const g = r.gather({
      input: ['dtmf'], numDigits: 1, timeout: this.settings.ivr.gatherTimeoutSeconds,
      action: this.url('/twilio/ivr', { step: 'language', attempt }), method: 'POST',
    });
    if (attempt === 1) this.say(g, this.settings.ivr.greeting, this.languages[0]);
    if (attempt === 1 && protocol) this.say(g, protocol, this.languages[0]);
    for (const l of this.languages) this.say(g, l.prompt, l);
    r.redirect({ method: 'POST' }, this.url('/twilio/ivr', { step: 'language', attempt, silent: 1 }));
    return r;
  }

  /**
   * A menu: the greeting first when `greet`, then `protocol` (what <Say> reads to tell the
   * call's protocol number) when given, then the menu's prompt. "#" is no end key here: it
   * repeats the protocol (REPEAT_PROTOCOL_KEY), so it must reach /twilio/ivr as a digit.
   */
  menuPrompt(r: VoiceResponse, node: MenuNode, lang: LanguageSetting, attempt: number, greet: boolean, protocol?: string): VoiceResponse {
    const g = r.gather({
      input: ['dtmf'], numDigits: 1, finishOnKey: '', timeout: this.settings.ivr.gatherTimeoutSeconds,
      action: this.url('/twilio/ivr', { menu: node.id, lang: lang.code, attempt }), method: 'POST',
    });
    if (greet) this.say(g, this.settings.ivr.greeting, lang);
    if (protocol) this.say(g, protocol, lang);
    this.say(g, node.prompt, lang);
    r.redirect({ method: 'POST' }, this.url('/twilio/ivr', { menu: node.id, lang: lang.code, attempt, silent: 1 }));
    return r;
  }

  enqueue(r: VoiceResponse, queue: string, lang: LanguageSetting): VoiceResponse {
    r.enqueue({
      action: this.url('/twilio/queue/exit', { lang: lang.code }), method: 'POST',
      waitUrl: this.url('/twilio/queue/wait', { lang: lang.code }), waitUrlMethod: 'POST',
    }, queue);
    return r;
  }

  goodbye(r: VoiceResponse, t: Localised, lang: LanguageSetting): VoiceResponse {
    this.say(r, t, lang);
    r.hangup();
    return r;
  }

  /** What a caller hears when a webhook failed: the error message, then the default queue. */
  fallback(lang: LanguageSetting = this.languages[0]): VoiceResponse {
    const r = this.response();
    this.say(r, this.settings.ivr.errorMessage, lang);
    return this.enqueue(r, this.settings.ivr.defaultQueue, lang);
  }

  /** The queue is full: the overflow message, then hang up. */
  overflow(lang: LanguageSetting): VoiceResponse {
    return this.goodbye(this.response(), this.settings.ivr.overflowMessage, lang);
  }

  /** The survey is over (or abandoned): thanks, then hang up. */
  thanks(lang: LanguageSetting): VoiceResponse {
    return this.goodbye(this.response(), this.settings.survey.thanks, lang);
  }

  /** Hold: audio when configured, else silence; its length is the wait URL's heartbeat. */
  hold(r: VoiceResponse): VoiceResponse {
    const music = this.settings.ivr.holdMusicUrl;
    if (music) r.play(music);
    else r.pause({ length: this.settings.ivr.waitCycleSeconds });
    return r;
  }

  waitAnnouncement(position: number, waitSeconds: number, lang: LanguageSetting): string {
    const minutes = Math.max(1, Math.ceil(waitSeconds / 60));
    return this.text(this.settings.ivr.waitAnnouncement, lang)
      .replaceAll('{position}', String(position))
      .replaceAll('{minutes}', String(minutes));
  }

  /**
   * Whether an agent takes a call by pressing a key in the whisper: the settings file's
   * `acceptKey`, by default on for a phone number (a voicemail that picks up must never
   * take a call) and off for `client:` (the softphone has its own accept button).
   */
  acceptsWithKey(agentId: string, contact: string): boolean {
    return this.settings.agents.find((a) => a.id === agentId)?.acceptKey ?? !contact.startsWith('client:');
  }

  /**
   * The whisper, on the agent's leg. Twilio runs it "after they answer, but before the
   * parties are connected" and lets it decline the call with <Gather> and <Hangup>
   * (twilio.com/docs/voice/twiml/number, …/client: the `url` attribute), so the bridge
   * is the moment the whisper ends, and Atende must hear of that moment:
   * - with an accept key, the text and the prompt inside <Gather numDigits=1>: a key
   *   posts `acceptUrl` (the bridge); no key (a voicemail) falls through to <Hangup/>,
   *   the agent's leg ends unbridged and the Dial reports DialBridged=false;
   * - without, the text and then a <Redirect> to `bridgeUrl`: it is requested when the
   *   text has been spoken, and its empty answer ends the whisper (the bridge).
   */
  whisper(text: string, then: { acceptUrl: string } | { bridgeUrl: string }): VoiceResponse {
    const lang = this.languages[0]; // agents hear the center's first language
    const r = this.response();
    if ('acceptUrl' in then) {
      // finishOnKey off: "#" is a key like any other, not an empty answer.
      const g = r.gather({ input: ['dtmf'], numDigits: 1, finishOnKey: '', timeout: this.settings.ivr.gatherTimeoutSeconds, action: then.acceptUrl, method: 'POST' });
      this.say(g, text, lang);
      this.say(g, ACCEPT_PROMPT, lang);
      r.hangup();
    } else {
      this.say(r, text, lang);
      r.redirect({ method: 'POST' }, then.bridgeUrl);
    }
    return r;
  }

  surveyQuestion(step: 'nps' | 'csat', lang: LanguageSetting, opts: { intro?: boolean; attempt?: number; retry?: boolean } = {}): VoiceResponse {
    const s = this.settings.survey;
    const r = this.response();
    const g = r.gather({
      input: ['dtmf'], numDigits: step === 'nps' ? 2 : 1, finishOnKey: '#', timeout: this.settings.ivr.gatherTimeoutSeconds,
      action: this.url('/twilio/survey', { step, lang: lang.code, attempt: opts.attempt ?? 1 }), method: 'POST',
    });
    if (opts.intro) this.say(g, s.intro, lang);
    if (opts.retry) this.say(g, this.settings.ivr.invalidInput, lang);
    this.say(g, step === 'nps' ? s.npsQuestion : s.csatQuestion, lang);
    // No answer: thank and leave, the survey is optional.
    return this.goodbye(r, s.thanks, lang);
  }
}

function indexMenus(root: MenuNode): MenuIndex {
  const byId: MenuIndex = new Map();
  const walk = (node: MenuNode, path: string[]) => {
    byId.set(node.id, { node, path });
    for (const o of node.options) if (o.menu) walk(o.menu, [...path, o.digit]);
  };
  walk(root, []);
  return byId;
}
