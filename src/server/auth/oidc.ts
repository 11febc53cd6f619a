/**
 * Sign-in with OpenID providers (and GitHub, which speaks OAuth2 only), through openid-client's
 * passport strategy: one strategy per provider, named `oidc:<id>`. A provider is discovered on
 * first use, not at start (it may be down then; Parley must start anyway), and the result is
 * kept. Every flow carries PKCE, a state and (OpenID providers) a nonce, held in the short-lived
 * flow cookie of auth/oidc-routes.tsx.
 */
import { and, eq, isNull } from 'drizzle-orm';
import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions, type StrategyOptions, type VerifyFunction } from 'openid-client/passport';
import type { Request } from 'express';
import { z } from 'zod';
import type { OidcProviderConfig } from '../config.js';
import { transactional, type DbOrTx } from '../db/index.js';
import { identities, users } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { Unavailable } from '../errors.js';
import { cleanName } from '../text.js';
import type { SignedInUser } from './accounts.js';
import { nameKey } from './names.js';
import type { ProviderLink } from './pages.js';
import type { ParleyPassport } from './passport.js';

/** A provider that does not answer discovery (or a token request) in this time is down. */
const PROVIDER_TIMEOUT_SECONDS = 10;

const GITHUB = {
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  api: 'https://api.github.com',
};

/** Who the provider says signed in, as Parley keeps it. */
export interface ProviderProfile {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string;
}

const emailSchema = z.email().max(254);

function validEmail(value: unknown): string | null {
  const parsed = emailSchema.safeParse(typeof value === 'string' ? value.trim() : value);
  return parsed.success ? parsed.data : null;
}

/** A display name from the first usable candidate: cleaned, at most 60 characters. */
export function displayNameFrom(candidates: Array<unknown>, fallback: string): string {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const name = [...cleanName(candidate).replace(/\s+/g, ' ')].slice(0, 60).join('').trim();
    if (name) return name;
  }
  return fallback;
}

/** The profile in an ID token's (and userinfo's) standard claims. */
export function oidcProfile(claims: Record<string, unknown>, providerName: string): ProviderProfile {
  const email = validEmail(claims.email);
  const given = [claims.given_name, claims.family_name].filter((v) => typeof v === 'string').join(' ');
  return {
    subject: String(claims.sub),
    email,
    // Some providers (Cognito, older Azure) send "true" as a string.
    emailVerified: email !== null && (claims.email_verified === true || claims.email_verified === 'true'),
    displayName: displayNameFrom([claims.name, given, claims.preferred_username, claims.nickname, email?.split('@')[0]], `${providerName} user`),
  };
}

const githubUser = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
  email: z.string().nullish(),
});
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub's user: the subject is the numeric id (a login can be renamed and reused); the address
 * is the primary one when GitHub has verified it, else the public one, unverified.
 */
export function githubProfile(user: unknown, emails: unknown): ProviderProfile {
  const u = githubUser.parse(user);
  const listed = githubEmails.safeParse(emails);
  const primary = listed.success ? listed.data.find((e) => e.primary && e.verified) : undefined;
  const email = validEmail(primary?.email ?? u.email);
  return {
    subject: String(u.id),
    email,
    emailVerified: primary !== undefined && email !== null,
    displayName: displayNameFrom([u.name, u.login], 'GitHub user'),
  };
}

async function githubApi(path: string, accessToken: string): Promise<Response> {
  return fetch(`${GITHUB.api}${path}`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'Parley', 'x-github-api-version': '2022-11-28' },
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_SECONDS * 1000),
  });
}

async function readGithubProfile(accessToken: string): Promise<ProviderProfile> {
  const userRes = await githubApi('/user', accessToken);
  if (!userRes.ok) throw new client.ClientError(`GitHub answered ${userRes.status} for the signed-in user`);
  // Without the user:email scope granted, /user/emails is refused: then no verified address.
  const emailsRes = await githubApi('/user/emails', accessToken);
  return githubProfile(await userRes.json(), emailsRes.ok ? await emailsRes.json() : []);
}

/** The ID token's claims, completed from userinfo when the token leaves out the email or the name. */
async function readOidcProfile(config: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, providerName: string): Promise<ProviderProfile> {
  const claims = tokens.claims();
  if (!claims) throw new client.ClientError('the provider sent no ID token');
  let merged: Record<string, unknown> = claims;
  if ((claims.email === undefined || claims.name === undefined) && config.serverMetadata().userinfo_endpoint) {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    merged = { ...info, ...claims };
  }
  return oidcProfile(merged, providerName);
}

/**
 * The user behind a provider's subject. First sign-in: linked to the local account with the
 * same address when the provider has verified it (an account never verified loses its password
 * then, as whoever chose it may not own the mailbox), else a new user. Two first sign-ins at
 * once make one user: the identity's unique key decides, and the loser re-reads.
 */
export async function signInWithProvider(deps: Deps, providerId: string, profile: ProviderProfile): Promise<SignedInUser> {
  const provider = `oidc:${providerId}`;
  const existing = await userOfIdentity(deps.db, provider, profile.subject);
  if (existing) return existing;
  return transactional(deps.db, async (tx) => {
    const [account] = profile.email && profile.emailVerified
      ? await tx.select({ id: users.id, displayName: users.displayName, emailVerifiedAt: users.emailVerifiedAt }).from(users)
        .where(eq(users.accountEmail, profile.email.toLowerCase()))
      : [];
    const user = account ?? (await tx.insert(users).values({
      displayName: profile.displayName, nameKey: nameKey(profile.displayName), email: profile.email,
      emailVerifiedAt: profile.emailVerified ? deps.now() : null,
    }).returning({ id: users.id, displayName: users.displayName }))[0];
    const [linked] = await tx.insert(identities).values({ userId: user.id, provider, subject: profile.subject })
      .onConflictDoNothing().returning({ userId: identities.userId });
    if (linked) {
      if (account && !account.emailVerifiedAt) {
        await tx.update(users).set({ emailVerifiedAt: deps.now(), passwordHash: null }).where(eq(users.id, account.id));
      }
      return { id: user.id, displayName: user.displayName };
    }
    // Another first sign-in of the same person committed meanwhile: theirs is the user.
    if (!account) await tx.delete(users).where(eq(users.id, user.id));
    return (await userOfIdentity(tx, provider, profile.subject))!;
  });
}

/** OpenID identities have no site: the same subject is one person on every site. */
async function userOfIdentity(db: DbOrTx, provider: string, subject: string): Promise<SignedInUser | undefined> {
  const [row] = await db.select({ id: users.id, displayName: users.displayName }).from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.provider, provider), isNull(identities.siteId), eq(identities.subject, subject)));
  return row;
}

/** Which half of a flow a route runs: each route does its own, whatever the query holds. */
export interface FlowOptions extends AuthenticateOptions {
  phase: 'start' | 'callback';
}

/** openid-client's strategy, asking for a state (and a nonce where an ID token comes back) on top of PKCE. */
class ParleyOidcStrategy extends Strategy {
  constructor(options: StrategyOptions, verify: VerifyFunction, private readonly withNonce: boolean) {
    super(options, verify);
  }

  /** Not guessed from the query: a start never finishes a flow, and a callback never starts one. */
  override shouldInitiateAuthRequest<T extends AuthenticateOptions>(req: Request, currentUrl: URL, options: T): boolean {
    const { phase } = options as Partial<FlowOptions>;
    return phase ? phase === 'start' : super.shouldInitiateAuthRequest(req, currentUrl, options);
  }

  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options));
    params.set('state', client.randomState());
    if (this.withNonce) params.set('nonce', client.randomNonce());
    return params;
  }
}

export interface OidcProvider {
  readonly id: string;
  readonly name: string;
  /** The passport strategy's name, registered once `ready()` has resolved. */
  readonly strategy: string;
  /** `PUBLIC_URL/auth/oidc/<id>/callback`: the redirect URI registered at the provider. */
  callbackUrl(): string;
  /** Discovers the provider (once; again after a failure) and registers its strategy; Unavailable when it does not answer. */
  ready(): Promise<void>;
}

export interface OidcProviders {
  get(id: string): OidcProvider | undefined;
  /** What the sign-in page offers: every configured provider, reachable or not yet. */
  links(): ProviderLink[];
}

async function configurationOf(p: OidcProviderConfig): Promise<client.Configuration> {
  if (p.kind === 'github') {
    const config = new client.Configuration(
      { issuer: p.issuer, authorization_endpoint: GITHUB.authorizationEndpoint, token_endpoint: GITHUB.tokenEndpoint },
      p.clientId, p.clientSecret,
    );
    config.timeout = PROVIDER_TIMEOUT_SECONDS;
    return config;
  }
  // Config allows plain http for a provider on this machine only (development, tests).
  const execute = new URL(p.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [];
  return client.discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, { execute, timeout: PROVIDER_TIMEOUT_SECONDS });
}

/** One lazily discovered provider per configured one; strategies go on the app's own passport. */
export function oidcProviders(deps: Deps, passport: ParleyPassport, configured: readonly OidcProviderConfig[]): OidcProviders {
  const byId = new Map<string, OidcProvider>();
  for (const p of configured) {
    let discovering: Promise<void> | null = null;
    let registered = false;
    const strategy = `oidc:${p.id}`;
    const register = (config: client.Configuration) => {
      const verify: VerifyFunction = async (tokens, verified) => {
        const profile = p.kind === 'github' ? await readGithubProfile(tokens.access_token) : await readOidcProfile(config, tokens, p.name);
        verified(null, await signInWithProvider(deps, p.id, profile));
      };
      passport.use(strategy, new ParleyOidcStrategy({ config, name: strategy, sessionKey: strategy, scope: p.scope }, verify, p.kind === 'oidc'));
      registered = true;
    };
    byId.set(p.id, {
      id: p.id,
      name: p.name,
      strategy,
      callbackUrl: () => `${deps.publicUrl}/auth/oidc/${p.id}/callback`,
      ready() {
        if (registered) return Promise.resolve();
        discovering ??= configurationOf(p).then(register, (err: unknown) => {
          discovering = null;
          deps.log.error({ err, provider: p.id }, 'sign-in provider discovery failed');
          throw new Unavailable(`${p.name} cannot be reached just now, so signing in with it is not possible. Try again in a minute, or sign in another way.`);
        });
        return discovering;
      },
    });
  }
  return {
    get: (id) => byId.get(id),
    links: () => [...byId.values()].map(({ id, name }) => ({ id, name })),
  };
}
