import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/server/config.js';

const base = { SESSION_SECRET: 'x'.repeat(32) };
const providers = (value: unknown) => parseConfig({ ...base, OIDC_PROVIDERS: JSON.stringify(value) }).oidcProviders;
const refusal = (env: Record<string, string>): string => {
  try {
    parseConfig({ ...base, ...env });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

const corp = { id: 'corp', name: 'Corp SSO', issuer: 'https://id.corp.example/', clientId: 'parley', clientSecret: 'corp-secret-value' };

describe('OIDC provider configuration', () => {
  it('has no providers by default', () => {
    assert.deepEqual(parseConfig(base).oidcProviders, []);
  });

  it('reads OIDC_PROVIDERS as a JSON array, with the default scope and the issuer without its trailing slash', () => {
    assert.deepEqual(providers([corp]), [{ ...corp, issuer: 'https://id.corp.example', kind: 'oidc', scope: 'openid email profile' }]);
    assert.equal(providers([{ ...corp, scope: 'openid email' }])[0].scope, 'openid email');
  });

  it('adds the Google and GitHub presets after the listed providers', () => {
    const config = parseConfig({
      ...base, OIDC_PROVIDERS: JSON.stringify([corp]),
      OIDC_GOOGLE_CLIENT_ID: 'g-id', OIDC_GOOGLE_CLIENT_SECRET: 'g-secret', OIDC_GITHUB_CLIENT_ID: 'gh-id', OIDC_GITHUB_CLIENT_SECRET: 'gh-secret',
    });
    assert.deepEqual(config.oidcProviders.map((p) => [p.id, p.name, p.kind, p.issuer, p.clientId, p.scope]), [
      ['corp', 'Corp SSO', 'oidc', 'https://id.corp.example', 'parley', 'openid email profile'],
      ['google', 'Google', 'oidc', 'https://accounts.google.com', 'g-id', 'openid email profile'],
      ['github', 'GitHub', 'github', 'https://github.com', 'gh-id', 'read:user user:email'],
    ]);
    assert.ok(Object.isFrozen(config.oidcProviders) && Object.isFrozen(config.oidcProviders[0]));
  });

  it('wants a preset\'s client id and secret together', () => {
    assert.match(refusal({ OIDC_GOOGLE_CLIENT_ID: 'g-id' }), /OIDC_GOOGLE_CLIENT_SECRET: needed with OIDC_GOOGLE_CLIENT_ID/);
    assert.match(refusal({ OIDC_GITHUB_CLIENT_SECRET: 's' }), /OIDC_GITHUB_CLIENT_ID: needed with OIDC_GITHUB_CLIENT_SECRET/);
  });

  it('refuses one id twice, a preset\'s included', () => {
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify([corp, corp]) }), /"corp" is used twice/);
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...corp, id: 'google' }]), OIDC_GOOGLE_CLIENT_ID: 'a', OIDC_GOOGLE_CLIENT_SECRET: 'b' }), /"google" is used twice/);
  });

  it('lists every bad field of every provider, by position', () => {
    const message = refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...corp, id: 'Corp SSO' }, { ...corp, id: 'b', issuer: 'not a url', clientSecret: '' }, { id: 'c' }]) });
    assert.match(message, /^Invalid configuration:/);
    assert.match(message, /OIDC_PROVIDERS\.0\.id: a lowercase slug/);
    assert.match(message, /OIDC_PROVIDERS\.1\.issuer/);
    assert.match(message, /OIDC_PROVIDERS\.1\.clientSecret/);
    assert.match(message, /OIDC_PROVIDERS\.2\.name/);
    assert.match(message, /OIDC_PROVIDERS\.2\.clientId/);
  });

  it('refuses unknown keys (a misspelt "client_secret" is not silently dropped)', () => {
    const { clientSecret: _, ...rest } = corp;
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...rest, client_secret: 'x' }]) }), /client_secret/);
  });

  it('takes https issuers, and plain http only on this machine', () => {
    for (const issuer of ['http://127.0.0.1:4000', 'http://localhost:8080/realms/x']) assert.equal(providers([{ ...corp, issuer }])[0].issuer, issuer);
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...corp, issuer: 'http://id.corp.example' }]) }), /OIDC_PROVIDERS\.0\.issuer: an https URL/);
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...corp, issuer: 'ftp://id.corp.example' }]) }), /an https URL/);
  });

  it('says what is wrong with JSON that does not parse, without quoting it (it may hold a secret)', () => {
    const message = refusal({ OIDC_PROVIDERS: '[{"id": "corp", "clientSecret": "s3cr3t-value" ' });
    assert.match(message, /OIDC_PROVIDERS: not valid JSON/);
    assert.doesNotMatch(message, /s3cr3t/);
    assert.match(refusal({ OIDC_PROVIDERS: JSON.stringify({ ...corp }) }), /OIDC_PROVIDERS: .*expected array/i);
  });

  it('never puts a client secret in its error messages', () => {
    const message = refusal({ OIDC_PROVIDERS: JSON.stringify([{ ...corp, clientSecret: 'top-secret-42', issuer: 'nope' }]), OIDC_GITHUB_CLIENT_SECRET: 'gh-secret-43' });
    assert.doesNotMatch(message, /top-secret-42|gh-secret-43/);
  });
});
