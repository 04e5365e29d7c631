// The services every route group reads, as typed decorators (fastify/demo's way):
// the engine (routing core + clock), the settings in force, the storage, roles and
// tokens, single-use socket tickets, and how this process runs (demo or Twilio).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Access } from '../auth/access.ts';
import { Tickets } from '../auth/tickets.ts';
import type { Engine } from '../engine.ts';
import type { Projection } from '../records.ts';
import type { LiveSettings } from '../settings/live.ts';
import type { Storage } from '../storage/index.ts';
import type { Store } from '../storage/store.ts';
import type { TwilioRest } from '../twilio/rest.ts';

/** How this process talks to Twilio; null = no Twilio routes at all. */
export interface TwilioOptions {
  /**
   * Public base URL Twilio calls, e.g. https://atende.example.com (signatures are checked against it).
   * A function when it is only known once listening (port 0 in tests and the local stack).
   */
  publicUrl: string | (() => string);
  /** Null: every webhook is refused (nothing can be verified). */
  authToken: string | null;
  /** Null: offers are not carried out (no REST credentials). */
  rest: TwilioRest | null;
  dequeueBackoffMs?: number[];
}

/**
 * What the agent console's softphone needs to mint Twilio Access Tokens: an API key
 * (TWILIO_API_KEY_SID / TWILIO_API_KEY_SECRET) of the account, and optionally the
 * TwiML App that outgoing softphone calls would use. Never logged (logger.ts REDACT).
 */
export interface VoiceCredentials {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
  /** Optional: only outgoing calls from the softphone use it (Atende itself only rings agents). */
  twimlAppSid?: string | null;
}

export interface Services {
  engine: Engine;
  /** The one owner of the settings in force: read `.current` where and when it is used. */
  settings: LiveSettings;
  /** Everything kept (log, records, audit, intervals), SQLite or PostgreSQL: read and write through this. */
  store: Store;
  /** The SQLite file itself, for the few features that still read it directly (501 on PostgreSQL). */
  storage: Storage;
  /** Call records kept in step with the core (reads flush pending writes). */
  records: Projection;
  access: Access;
  /** Demo mode: the calls on screen come from the Twilio emulator, and the wallboard says so. */
  demo: boolean;
  twilio: TwilioOptions | null;
  /** Null or absent: no softphone tokens (the console says so). */
  voice?: VoiceCredentials | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine;
    settings: LiveSettings;
    store: Store;
    storage: Storage;
    records: Projection;
    access: Access;
    tickets: Tickets;
    demo: boolean;
    twilioOptions: TwilioOptions | null;
    voiceCredentials: VoiceCredentials | null;
  }
}

async function services(fastify: FastifyInstance, opts: Services): Promise<void> {
  fastify.decorate('engine', opts.engine);
  fastify.decorate('settings', opts.settings);
  fastify.decorate('store', opts.store);
  fastify.decorate('storage', opts.storage);
  fastify.decorate('records', opts.records);
  fastify.decorate('access', opts.access);
  fastify.decorate('tickets', new Tickets());
  fastify.decorate('demo', opts.demo);
  fastify.decorate('twilioOptions', opts.twilio);
  fastify.decorate('voiceCredentials', opts.voice ?? null);
}

export default fp(services, { name: 'atende-services' });
