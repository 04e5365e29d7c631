// Where an agent's calls ring. The settings' `contact` is `client:<identity>` (a Twilio
// Voice client: the console's softphone) or an E.164 number; an agent without one is
// dialled as `client:<id>`. The Twilio edge dials exactly this
// (server/twilio/webhooks/agent-connect.ts: `agent.contact ?? client:${agent.id}`), so
// the softphone registers under the identity Twilio rings.

const CLIENT = 'client:';

/** What Twilio dials for this agent. */
export function dialledContact(agent: { id: string; contact: string | null }): string {
  return agent.contact ?? `${CLIENT}${agent.id}`;
}

/** The Twilio Client identity this agent answers as; null when a phone number rings instead. */
export function clientIdentity(agent: { id: string; contact: string | null }): string | null {
  const contact = dialledContact(agent);
  return contact.startsWith(CLIENT) ? contact.slice(CLIENT.length) : null;
}
