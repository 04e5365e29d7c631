// Roles and tokens. Three roles: viewer (the wallboard), agent (their own console
// and state only), supervisor (everything). Tokens come from the settings file (as
// sha256 hashes) or the environment (plain, hashed at start); only hashes are kept,
// compared in constant time. No token at all for a role leaves that role open (the
// server then refuses to listen beyond 127.0.0.1, see server.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

export type Role = 'viewer' | 'agent' | 'supervisor';

export interface Principal {
  role: Role;
  /** For agents: whose token it is. */
  agentId: string | null;
}

/** As written in the settings file: "sha256:<64 hex>". */
export interface AuthSettings {
  viewers?: string[];
  supervisors?: string[];
  agents?: Record<string, string>;
}

export interface PlainTokens {
  viewer?: string | null;
  supervisor?: string | null;
  /** agentId → token */
  agents?: Record<string, string>;
}

export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

const digestOf = (hashed: string): Buffer => Buffer.from(hashed.replace(/^sha256:/, ''), 'hex');

export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest(), y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export function bearerOf(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1].trim() : null;
}


export class Access {
  private readonly entries: { digest: Buffer; principal: Principal }[] = [];
  private readonly rolesWithTokens = new Set<Role>();

  constructor(settings: AuthSettings | undefined, plain: PlainTokens = {}) {
    const add = (hashed: string, principal: Principal) => {
      this.entries.push({ digest: digestOf(hashed), principal });
      this.rolesWithTokens.add(principal.role);
    };
    for (const h of settings?.viewers ?? []) add(h, { role: 'viewer', agentId: null });
    for (const h of settings?.supervisors ?? []) add(h, { role: 'supervisor', agentId: null });
    for (const [agentId, h] of Object.entries(settings?.agents ?? {})) add(h, { role: 'agent', agentId });
    if (plain.viewer) add(hashToken(plain.viewer), { role: 'viewer', agentId: null });
    if (plain.supervisor) add(hashToken(plain.supervisor), { role: 'supervisor', agentId: null });
    for (const [agentId, t] of Object.entries(plain.agents ?? {})) add(hashToken(t), { role: 'agent', agentId });
  }

  /** No token for any role: everything is open. */
  get open(): boolean { return this.entries.length === 0; }

  private roleOpen(r: Role): boolean {
    if (this.rolesWithTokens.has(r)) return false;
    return r !== 'agent' || !this.rolesWithTokens.has('supervisor');
  }

  rolesOpen(): Role[] {
    return (['viewer', 'agent', 'supervisor'] as Role[]).filter((r) => this.roleOpen(r));
  }

  /** Who did it, for the audit log, without the token: "supervisor (sha256:1a2b3c4d…)". */
  describe(token: string | null | undefined): string {
    const who = this.identify(token);
    if (!who) return this.open || !token ? 'anonymous (open access)' : 'unknown token';
    const tag = hashToken(token!).slice(0, 15);
    return who.role === 'agent' ? `agent ${who.agentId} (${tag}…)` : `${who.role} (${tag}…)`;
  }

  /** Who holds this token; every entry is compared so the time does not tell which matched. */
  identify(token: string | null | undefined): Principal | null {
    if (!token) return null;
    const d = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | null = null;
    for (const e of this.entries) if (e.digest.length === d.length && timingSafeEqual(e.digest, d) && !found) found = e.principal;
    return found;
  }

  /**
   * Decides one request: null = allowed, else the coded error to throw (401 without a
   * valid token, 403 with a valid token for something else).
   */
  check(token: string | null, allowed: Role[], agentId?: string | null): FastifyError | null {
    const who = this.identify(token);
    if (who?.role === 'supervisor') return null;
    if (who && allowed.includes(who.role)) {
      if (who.role === 'agent' && agentId != null && who.agentId !== agentId) {
        return new ForbiddenError(`this token belongs to agent '${who.agentId}', not '${agentId}'`);
      }
      return null;
    }
    // A role nobody has a token for is open; except that agents' actions (writes) close
    // as soon as supervisors have tokens: a supervisor token must mean something.
    if (allowed.some((r) => this.roleOpen(r))) return null;
    if (who) return new ForbiddenError(`a ${who.role} token cannot do this (needs: ${allowed.join(' or ')})`);
    return new UnauthorizedError(allowed.join(' or '));
  }

  /** preHandler for routes of these roles; `agentOf` names the agent a route acts for. */
  require(allowed: Role[], agentOf?: (req: FastifyRequest) => string | null) {
    return async (req: FastifyRequest) => {
      const refusal = this.check(bearerOf(req), allowed, agentOf?.(req));
      if (refusal) throw refusal;
    };
  }
}

/** Parses ATENDE_AGENT_TOKENS="ana=token1,bruno=token2". */
export function parseAgentTokens(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0 || i === part.length - 1) throw new Error(`ATENDE_AGENT_TOKENS: "${part}" is not agentId=token`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
