/**
 * The line above the thread saying who the reader is: nothing but "Sign in" for a stranger,
 * "Commenting as NAME (guest)" for a guest, "Signed in as NAME" with "Sign out" for an account.
 * Where the site signs its readers in itself (SSO) neither button is offered: its own pages do that.
 */
import { useState } from 'preact/hooks';
import { avatarSrc, isMember } from './account.js';
import type { AccountView } from './use-account.js';
import { t, tParts } from './i18n.js';

export function AccountBar({ account, origin }: { account: AccountView; origin: string }) {
  const { user, siteSignIn } = account;
  const [busy, setBusy] = useState(false);
  const member = isMember(user);
  const avatar = user && member ? avatarSrc(origin, user.avatarUrl) : null;

  async function signOut() {
    setBusy(true);
    await account.signOut();
    setBusy(false);
  }

  return (
    <div class="account">
      {/* Always in the page, so that what it comes to say (signed in, signed out) is announced. */}
      <p class="who" aria-live="polite">
        {avatar && <img src={avatar} width={24} height={24} alt="" />}
        {user &&
          (member ? (
            <span>{tParts('signedInAs', { name: <strong dir="auto">{user.displayName}</strong> })}</span>
          ) : (
            <span>
              {tParts('commentingAs', { name: <strong dir="auto">{user.displayName}</strong> })}
              {!siteSignIn && <span aria-hidden="true"> ·</span>}
            </span>
          ))}
      </p>
      {!siteSignIn && user !== undefined && (
        member ? (
          <button type="button" class="link" disabled={busy} onClick={signOut}>
            {t('signOut')}
          </button>
        ) : (
          <button type="button" class="link" onClick={account.signIn}>
            {t('signIn')}
          </button>
        )
      )}
      {account.blocked && (
        <p class="account-note" role="alert">
          {t('popupBlocked')}{' '}
          {/* rel=opener: the tab hands the session back to this page as the popup would. */}
          <a href={account.blocked} target="_blank" rel="opener">
            {t('openInTab')}
          </a>
        </p>
      )}
      {account.notice && (
        <p class="account-note error" role="alert">
          {account.notice}
        </p>
      )}
    </div>
  );
}
