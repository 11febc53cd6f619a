/**
 * A site signing its own readers in (SSO): the host page carries a payload the site's server
 * signed (Disqus's `remote_auth_s3`, or a JWT), which Parley exchanges for a session.
 *
 * Sites sign the payload anew on every page view (both forms carry a time), so the session is
 * kept while the payload names the same person: only another person signs in again, and a
 * logged-out payload (Disqus's `{}`) ends it. Storage keeps which person the token was made
 * for as a hash, never the payload itself (it may hold an email address).
 */
import type { SignInResponse } from '../../shared/api.js';
import { ApiError, requestJson } from '../common/http.js';
import { readToken, saveToken } from '../common/session.js';
import { readStored, storageKey, writeStored } from '../common/storage.js';
import type { SsoOutcome } from './mount-options.js';

/** The person (`p`) a payload named and the token (`t`) it gave, both hashed: a token got otherwise (a guest's) is never taken for it. */
interface SsoMark {
  p: string;
  t: string;
}

/** A 32-bit string hash: tells two people or two tokens apart, keeps no secret (the page holds the payload anyway). */
function shortHash(text: string): string {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash.toString(36);
}

/**
 * Who a payload names, as text that stays the same from one signing to the next: its claims
 * without their times. '' for a logged-out payload (no claims); the payload itself when it
 * cannot be read (the server will say what is wrong with it).
 */
function personOf(payload: string): string {
  const jwt = payload.split('.');
  const encoded = jwt.length === 3 ? jwt[1] : payload.split(' ')[0];
  try {
    const claims = JSON.parse(atob(encoded.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object') return payload;
    for (const time of ['iat', 'exp', 'nbf', 'jti']) delete claims[time];
    return Object.keys(claims).length ? JSON.stringify(claims) : '';
  } catch {
    return payload;
  }
}

/**
 * Brings the reader's session for `site` in line with the payload: kept when it was made for
 * the person named, ended for a logged-out payload, else exchanged for a new one. Never rejects.
 */
export async function signInWithSso(origin: string, site: string, payload: string): Promise<SsoOutcome> {
  const markKey = storageKey(origin, `sso:${site}`);
  const mark = readStored<SsoMark>(markKey);
  const token = readToken(origin, site);
  const fromSso = token !== null && mark?.t === shortHash(token);
  const person = personOf(payload);
  if (fromSso && mark.p === shortHash(person)) return {};
  if (fromSso) {
    // The site's reader signed out there, or is someone else now: this session is over.
    writeStored(markKey, null);
    saveToken(origin, site, null);
    requestJson(`${origin}/api/v1/auth/logout`, { method: 'POST', token }).catch(() => undefined);
  }
  if (person === '') return {};
  try {
    const { session, user } = await requestJson<SignInResponse>(`${origin}/api/v1/auth/sso`, {
      method: 'POST',
      body: { site, payload },
    });
    writeStored(markKey, { p: shortHash(person), t: shortHash(session.token) });
    saveToken(origin, site, session.token);
    return { user };
  } catch (error) {
    return { failed: error instanceof ApiError ? error.code : 'internal_error' };
  }
}
