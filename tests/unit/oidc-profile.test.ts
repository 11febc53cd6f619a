import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayNameFrom, githubProfile, oidcProfile } from '../../src/server/auth/oidc.js';

describe('profiles from providers', () => {
  it('reads the standard claims, email_verified as a boolean or the string "true"', () => {
    assert.deepEqual(oidcProfile({ sub: 'a1', email: 'Ada@Example.org', email_verified: true, name: 'Ada L.' }, 'Corp'),
      { subject: 'a1', email: 'Ada@Example.org', emailVerified: true, displayName: 'Ada L.' });
    assert.equal(oidcProfile({ sub: 'a1', email: 'a@example.org', email_verified: 'true' }, 'Corp').emailVerified, true);
    assert.equal(oidcProfile({ sub: 'a1', email: 'a@example.org' }, 'Corp').emailVerified, false);
    assert.equal(oidcProfile({ sub: 'a1', email: 'a@example.org', email_verified: 'yes' }, 'Corp').emailVerified, false);
  });

  it('drops an address that is not one (and then nothing is verified)', () => {
    const profile = oidcProfile({ sub: 'a1', email: 'not an address', email_verified: true, name: 'A' }, 'Corp');
    assert.equal(profile.email, null);
    assert.equal(profile.emailVerified, false);
  });

  it('names a reader from name, given and family name, preferred_username, then the address\'s local part, then the provider', () => {
    assert.equal(oidcProfile({ sub: '1', given_name: 'Grace', family_name: 'Hopper' }, 'Corp').displayName, 'Grace Hopper');
    assert.equal(oidcProfile({ sub: '1', preferred_username: 'ghopper' }, 'Corp').displayName, 'ghopper');
    assert.equal(oidcProfile({ sub: '1', email: 'g.hopper@example.org' }, 'Corp').displayName, 'g.hopper');
    assert.equal(oidcProfile({ sub: '1', name: '   ' }, 'Corp').displayName, 'Corp user');
  });

  it('cleans names: no controls or bidi overrides, one space at a time, at most 60 characters (never half a character)', () => {
    assert.equal(displayNameFrom(['Eve\u202E\u0007  Mallory\n'], 'x'), 'Eve Mallory');
    assert.equal(displayNameFrom(['😀'.repeat(70)], 'x'), '😀'.repeat(60));
    assert.equal(displayNameFrom([42, null, '\u202E', 'Second'], 'x'), 'Second');
  });

  it('reads GitHub: the numeric id, the primary verified address, the name or else the login', () => {
    const user = { id: 583231, login: 'octocat', name: 'The Octocat', email: 'public@example.org' };
    const emails = [
      { email: 'old@example.org', primary: false, verified: true },
      { email: 'octo@example.org', primary: true, verified: true },
    ];
    assert.deepEqual(githubProfile(user, emails), { subject: '583231', email: 'octo@example.org', emailVerified: true, displayName: 'The Octocat' });
    assert.equal(githubProfile({ ...user, name: null }, emails).displayName, 'octocat');
  });

  it('takes GitHub\'s public address as unverified when the primary one is not verified or not readable', () => {
    const user = { id: 1, login: 'octocat', email: 'public@example.org' };
    assert.deepEqual(githubProfile(user, [{ email: 'x@example.org', primary: true, verified: false }]),
      { subject: '1', email: 'public@example.org', emailVerified: false, displayName: 'octocat' });
    assert.equal(githubProfile(user, { message: 'Not Found' }).emailVerified, false);
    assert.equal(githubProfile({ id: 1, login: 'octocat' }, []).email, null);
  });
});
