import { type Db, type KeyValueStore, schema } from '@confab/db';
import { isCleanLine, normalizeText } from '@confab/db/model';
import { and, eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { type User, Users } from './users';

export const oidcProviderSchema = z.object({
  /** Appears in URLs: /api/auth/oidc/<id>/start. */
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'expected 1-32 lowercase letters, digits or -'),
  /** Shown on the sign-in button. */
  name: z.string().min(1).max(60),
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;

/** A sign-in that has left for the provider: what its callback must match. Kept 10 minutes. */
interface PendingFlow {
  provider: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

type SignInClaims = oidc.IDToken & Partial<oidc.UserInfoResponse>;

export const FLOW_TTL_MS = 10 * 60_000;
const flowKey = (state: string) => `oidc-flow:${state}`;

export class SsoError extends Error {
  constructor(
    readonly code:
      | 'sso_unknown_provider'
      | 'sso_invalid_state'
      | 'sso_failed'
      | 'sso_email_unverified',
    message: string,
  ) {
    super(message);
    this.name = 'SsoError';
  }
}

/**
 * OpenID Connect sign-in with any number of providers from configuration: authorization code with
 * PKCE (S256), state bound to the browser by a cookie, and nonce checked in the ID token. Accounts
 * are found by (issuer, subject), or linked by an email the provider says it verified.
 */
export class SingleSignOn {
  private readonly configs = new Map<string, Promise<oidc.Configuration>>();
  private readonly users: Users;

  constructor(
    private readonly providers: readonly OidcProviderConfig[],
    private readonly db: Db,
    private readonly kv: KeyValueStore,
    private readonly publicUrl: string,
  ) {
    this.users = new Users(db);
  }

  list() {
    return this.providers.map(({ id, name }) => ({ id, name }));
  }

  redirectUri(providerId: string): string {
    return `${this.publicUrl}/api/auth/oidc/${providerId}/callback`;
  }

  /** The provider's authorization URL, and the state to bind to the browser. */
  async start(providerId: string, returnTo: string): Promise<{ url: URL; state: string }> {
    const config = await this.configFor(providerId);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const flow: PendingFlow = { provider: providerId, codeVerifier, nonce, returnTo };
    await this.kv.set(flowKey(state), JSON.stringify(flow), FLOW_TTL_MS);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(providerId),
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state };
  }

  /**
   * Completes a sign-in from the provider's redirect. `boundState` is the state from this
   * browser's cookie: a callback carrying another browser's state is refused (login CSRF).
   */
  async finish(
    providerId: string,
    callbackUrl: URL,
    boundState: string | undefined,
  ): Promise<{ user: User; returnTo: string }> {
    const state = callbackUrl.searchParams.get('state');
    if (!state || !boundState || state !== boundState) {
      throw new SsoError(
        'sso_invalid_state',
        'This sign-in did not start in this browser; start again',
      );
    }
    const raw = await this.kv.take(flowKey(state));
    if (!raw)
      throw new SsoError(
        'sso_invalid_state',
        'This sign-in expired or was already used; start again',
      );
    const flow = JSON.parse(raw) as PendingFlow;
    if (flow.provider !== providerId)
      throw new SsoError('sso_invalid_state', 'Sign-in provider mismatch');
    const config = await this.configFor(providerId);
    let claims: SignInClaims;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('no ID token');
      claims = idToken;
      // Many providers put scope claims (email) only in UserInfo; its subject must be the ID token's.
      if (claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
        claims = {
          ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)),
          ...idToken,
        };
      }
    } catch (error) {
      throw new SsoError(
        'sso_failed',
        `The provider's answer was refused: ${(error as Error).message}`,
      );
    }
    return {
      user: await this.accountFor(config.serverMetadata().issuer, claims),
      returnTo: flow.returnTo,
    };
  }

  private async accountFor(issuer: string, claims: SignInClaims): Promise<User> {
    const subject = claims.sub;
    const [identity] = await this.db
      .select({ userId: schema.userIdentities.userId })
      .from(schema.userIdentities)
      .where(
        and(eq(schema.userIdentities.issuer, issuer), eq(schema.userIdentities.subject, subject)),
      );
    if (identity) {
      const user = await this.users.findById(identity.userId);
      if (user) {
        await this.db
          .update(schema.userIdentities)
          .set({ lastLoginAt: new Date() })
          .where(
            and(
              eq(schema.userIdentities.issuer, issuer),
              eq(schema.userIdentities.subject, subject),
            ),
          );
        return user;
      }
    }
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    // Linking on an unverified email would let anyone who can type an address take its account.
    if (!email || claims.email_verified !== true) {
      throw new SsoError('sso_email_unverified', 'The provider did not confirm your email address');
    }
    // A provider's claims are input like any other: an address with control characters is no
    // address, and Postgres cannot store NUL at all.
    if (!isCleanLine(email)) {
      throw new SsoError('sso_failed', 'The provider sent an email address that is not valid');
    }
    const name = displayNameFrom(claims.name) || (email.split('@')[0] ?? email);
    const user =
      (await this.users.findByEmail(email)) ??
      (await this.users.create({ email, name, passwordHash: null, emailVerified: true }));
    await this.db
      .insert(schema.userIdentities)
      .values({ issuer, subject, userId: user.id, email, lastLoginAt: new Date() })
      .onConflictDoNothing();
    return user;
  }

  private configFor(providerId: string): Promise<oidc.Configuration> {
    const provider = this.providers.find((candidate) => candidate.id === providerId);
    if (!provider)
      return Promise.reject(new SsoError('sso_unknown_provider', 'No such sign-in provider'));
    let config = this.configs.get(providerId);
    if (!config) {
      const issuer = new URL(provider.issuer);
      config = oidc.discovery(issuer, provider.clientId, provider.clientSecret, undefined, {
        // Plain http is only for a provider on loopback (development and tests).
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      });
      // A failed discovery is retried on the next sign-in instead of being cached.
      config.catch(() => this.configs.delete(providerId));
      this.configs.set(providerId, config);
    }
    return config;
  }
}

/**
 * The provider's display name on one clean line: people cannot fix a name their provider sends,
 * so control characters become spaces instead of failing the sign-in.
 */
function displayNameFrom(claim: unknown): string {
  if (typeof claim !== 'string') return '';
  return normalizeText(claim)
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}
