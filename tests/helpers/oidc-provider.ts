/**
 * A real OpenID provider (oidc-provider) for the tests, on a free port of 127.0.0.1. Its
 * development login form takes any login name (and any password); that name is the subject,
 * with the claims `accounts` gives it (default: a verified address and a name made from it).
 * Consent is granted by itself, as for a first-party client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Starts answering, for a client whose redirect URI is `redirectUri` (known once Parley listens). */
  serve(redirectUri: string): void;
  close(): Promise<void>;
}

export type AccountClaims = { email?: string; email_verified?: boolean; name?: string; preferred_username?: string };

export function defaultClaims(login: string): AccountClaims {
  return { email: `${login}@example.org`, email_verified: true, name: `${login[0]?.toUpperCase()}${login.slice(1)} Lovelace` };
}

export async function startOidcProvider(options: { accounts?: Record<string, AccountClaims> } = {}): Promise<TestOidcProvider> {
  let handler: http.RequestListener = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'parley';
  const clientSecret = 'parley-client-secret-for-tests';
  return {
    issuer,
    clientId,
    clientSecret,
    serve(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{
          client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
          grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
        }],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
        scopes: ['openid', 'email', 'profile'],
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ['oidc-provider-test-cookie-key'] },
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => ({ sub, ...(options.accounts?.[sub] ?? defaultClaims(sub)) }),
        }),
        async loadExistingGrant(ctx: KoaContextWithOIDC) {
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope('openid email profile');
          await grant.save();
          return grant;
        },
      });
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
