/** The reader's account page and members' public profiles, on Parley's own origin. */
import { CsrfField } from '../own-pages/layout.js';
import type { PublicProfile } from './public.js';
import type { AccountView, GuestClaim } from './service.js';

const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const month = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The avatar, from Parley's own origin (the pages' policy loads images from nowhere else). */
function Avatar({ userId }: { userId: string }) {
  return <img class="avatar" src={`/api/v1/users/${userId}/avatar.svg`} alt="" width={48} height={48} />;
}

function Messages({ error, notice }: { error?: string; notice?: string }) {
  return (
    <div role="status" aria-live="polite">
      {error && <p class="error">{error}</p>}
      {notice && <p class="notice">{notice}</p>}
    </div>
  );
}

function Checkbox({ name, checked, children }: { name: string; checked: boolean; children: string }) {
  return <label><span><input type="checkbox" name={name} checked={checked} /> {children}</span></label>;
}

/** An address to link to: http(s) only, whatever a row holds. */
function safeHref(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

export interface AccountPageProps {
  csrf: string;
  account: AccountView;
  claim: GuestClaim;
  error?: string;
  notice?: string;
}

export function AccountPage({ csrf, account, claim, error, notice }: AccountPageProps) {
  return (
    <>
      <h1><Avatar userId={account.id} /> {account.displayName}</h1>
      <Messages error={error} notice={notice} />
      <p class="muted">
        {account.email ?? 'No email address'}
        {account.email && (account.emailVerified ? ' · verified' : ' · not verified yet: follow the link we mailed you')}
        {` · member since ${month.format(account.memberSince)} · `}
        <a href={`/u/${account.id}`}>Your public profile</a>
      </p>

      {claim.count > 0 && (
        <section aria-labelledby="claim-heading">
          <h2 id="claim-heading">Your comments as a guest</h2>
          <p>{claim.count === 1
            ? 'You wrote 1 comment as a guest with this address. Check it is yours before you claim it:'
            : `You wrote ${claim.count} comments as a guest with this address. Check they are yours before you claim them:`}</p>
          <ul class="plain">
            {claim.preview.map((c) => (
              <li key={c.id}>
                <span class="muted">{`${day.format(c.createdAt)} · ${c.site} · ${c.threadTitle ?? c.threadUrl ?? ''}`}</span>
                <br />
                {c.excerpt}
              </li>
            ))}
          </ul>
          <form method="post" action="/account/claim-guest-comments">
            <CsrfField token={csrf} />
            <button type="submit">Claim them</button>
          </form>
        </section>
      )}

      <h2>Profile</h2>
      <form method="post" action="/account/profile">
        <CsrfField token={csrf} />
        <label>Name shown with your comments<input type="text" name="displayName" autocomplete="nickname" maxLength={60} required value={account.displayName} /></label>
        <fieldset>
          <legend>Mail me when</legend>
          <Checkbox name="notifyReplies" checked={account.notifyReplies}>someone replies to my comments</Checkbox>
          <Checkbox name="notifyMentions" checked={account.notifyMentions}>someone mentions my name</Checkbox>
        </fieldset>
        <button type="submit">Save profile</button>
      </form>
      <p class="muted">A new name shows on the comments you write from now on.</p>

      <h2>Email address</h2>
      <form method="post" action="/account/email">
        <CsrfField token={csrf} />
        <label>New address<input type="email" name="email" autocomplete="email" required /></label>
        {account.hasPassword && <label>Your password<input type="password" name="password" autocomplete="current-password" required /></label>}
        <button type="submit">Change address</button>
      </form>

      <h2>Password</h2>
      <form method="post" action="/account/password">
        <CsrfField token={csrf} />
        {account.hasPassword && <label>Current password<input type="password" name="current" autocomplete="current-password" required /></label>}
        <label>New password (10 characters or more)<input type="password" name="next" autocomplete="new-password" minLength={10} required /></label>
        <button type="submit">Change password</button>
      </form>

      <h2>Sessions</h2>
      <form method="post" action="/auth/signout">
        <CsrfField token={csrf} />
        <button type="submit" class="secondary">Sign out</button>
      </form>
      <form method="post" action="/account/sessions/end-all">
        <CsrfField token={csrf} />
        <button type="submit" class="secondary">Sign out everywhere</button>
      </form>
      <p class="muted">Signing out everywhere ends every session of this account: on this device, other devices, and the comment boxes of every site.</p>

      <h2>Your data</h2>
      <p><a class="button secondary" href="/account/export" download>Download my data</a></p>

      <h2>Delete your account</h2>
      <form method="post" action="/account/delete">
        <CsrfField token={csrf} />
        <fieldset>
          <legend>Your comments</legend>
          <label><span><input type="radio" name="comments" value="anonymize" required /> Keep their text, signed "Deleted user"</span></label>
          <label><span><input type="radio" name="comments" value="remove" required /> Erase them (replies to them stay)</span></label>
        </fieldset>
        <label>Type DELETE to confirm<input type="text" name="confirm" autocomplete="off" required /></label>
        <button type="submit">Delete my account</button>
      </form>
      <p class="muted">This cannot be undone.</p>
    </>
  );
}

export function AccountDeletedPage() {
  return (
    <>
      <h1>Your account is deleted</h1>
      <div role="status"><p>Everything Parley held about you is gone, and every device is signed out.</p></div>
    </>
  );
}

export function PublicProfilePage({ profile, olderHref }: { profile: PublicProfile; olderHref: string | null }) {
  const { user } = profile;
  return (
    <>
      <h1><Avatar userId={user.id} /> {user.displayName}</h1>
      <p class="muted">{`Member since ${month.format(new Date(user.memberSince))}`}</p>
      <h2>Comments</h2>
      {profile.comments.length === 0 && <p class="muted">No comments to show.</p>}
      <ul class="plain">
        {profile.comments.map((c) => {
          const href = safeHref(c.thread.url);
          const where = c.thread.title ?? c.thread.url ?? c.thread.key;
          return (
            <li key={c.id}>
              <p class="muted">
                {`${c.thread.siteName} · `}
                {href ? <a href={href} rel="noopener">{where}</a> : where}
                {` · ${day.format(new Date(c.createdAt))}`}
              </p>
              {/* Sanitized with the strict allowlist when it was written (comments/render.ts). */}
              <div class="comment-body" dangerouslySetInnerHTML={{ __html: c.html }} />
            </li>
          );
        })}
      </ul>
      {olderHref && <p><a class="button secondary" href={olderHref} rel="next">Older</a></p>}
    </>
  );
}
