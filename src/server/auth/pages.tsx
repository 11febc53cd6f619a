/** The sign-in pages on Parley's own origin (the widget's popup opens them). */
import type { ComponentChildren } from 'preact';
import { CsrfField } from '../own-pages/layout.js';

export interface ProviderLink {
  id: string;
  name: string;
}

export interface FormContext {
  csrf: string;
  returnTo: string | null;
  /** A message about the last attempt, shown above the forms. */
  error?: string;
  notice?: string;
}

function ReturnTo({ value }: { value: string | null }) {
  return value ? <input type="hidden" name="returnTo" value={value} /> : null;
}

function withReturnTo(path: string, returnTo: string | null): string {
  return returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path;
}

function Messages({ ctx }: { ctx: FormContext }) {
  return (
    <div role="status" aria-live="polite">
      {ctx.error && <p class="error">{ctx.error}</p>}
      {ctx.notice && <p class="notice">{ctx.notice}</p>}
    </div>
  );
}

export function SignInPage({ ctx, providers, email }: { ctx: FormContext; providers: ProviderLink[]; email?: string }) {
  return (
    <>
      <h1>Sign in</h1>
      <Messages ctx={ctx} />
      <form method="post" action="/auth/signin">
        <CsrfField token={ctx.csrf} />
        <ReturnTo value={ctx.returnTo} />
        <label>Email<input type="email" name="email" autocomplete="email" required value={email} /></label>
        <label>Password<input type="password" name="password" autocomplete="current-password" required /></label>
        <button type="submit">Sign in</button>
      </form>
      <p class="muted"><a href={withReturnTo('/auth/forgot', ctx.returnTo)}>Forgot your password?</a> · <a href={withReturnTo('/auth/signup', ctx.returnTo)}>Create an account</a></p>
      <p class="or">or</p>
      <form method="post" action="/auth/link-request">
        <CsrfField token={ctx.csrf} />
        <ReturnTo value={ctx.returnTo} />
        <label>Email me a sign-in link<input type="email" name="email" autocomplete="email" required /></label>
        <button type="submit" class="secondary">Send the link</button>
      </form>
      {providers.length > 0 && (
        <div class="providers">
          {providers.map((p) => <a class="button secondary" href={withReturnTo(`/auth/oidc/${p.id}`, ctx.returnTo)}>{`Continue with ${p.name}`}</a>)}
        </div>
      )}
    </>
  );
}

export function SignUpPage({ ctx, values }: { ctx: FormContext; values?: { email?: string; displayName?: string } }) {
  return (
    <>
      <h1>Create an account</h1>
      <Messages ctx={ctx} />
      <form method="post" action="/auth/signup">
        <CsrfField token={ctx.csrf} />
        <ReturnTo value={ctx.returnTo} />
        <label>Name shown with your comments<input type="text" name="displayName" autocomplete="nickname" maxLength={60} required value={values?.displayName} /></label>
        <label>Email<input type="email" name="email" autocomplete="email" required value={values?.email} /></label>
        <label>Password (10 characters or more)<input type="password" name="password" autocomplete="new-password" minLength={10} required /></label>
        <button type="submit">Create account</button>
      </form>
      <p class="muted">Already have one? <a href={withReturnTo('/auth/signin', ctx.returnTo)}>Sign in</a></p>
    </>
  );
}

export function ForgotPage({ ctx }: { ctx: FormContext }) {
  return (
    <>
      <h1>Forgot your password?</h1>
      <Messages ctx={ctx} />
      <form method="post" action="/auth/forgot">
        <CsrfField token={ctx.csrf} />
        <ReturnTo value={ctx.returnTo} />
        <label>Email<input type="email" name="email" autocomplete="email" required /></label>
        <button type="submit">Mail me a reset link</button>
      </form>
    </>
  );
}

export function ResetPage({ ctx, token }: { ctx: FormContext; token: string }) {
  return (
    <>
      <h1>Choose a new password</h1>
      <Messages ctx={ctx} />
      <form method="post" action="/auth/reset">
        <CsrfField token={ctx.csrf} />
        <input type="hidden" name="token" value={token} />
        <label>New password (10 characters or more)<input type="password" name="password" autocomplete="new-password" minLength={10} required /></label>
        <button type="submit">Set password</button>
      </form>
    </>
  );
}

/** A mailed link that signs in or changes the account asks for a click: a mail scanner that opens links does neither. */
export function ConfirmLinkPage({ ctx, token, title, action, button }: { ctx: FormContext; token: string; title: string; action: string; button: string }) {
  return (
    <>
      <h1>{title}</h1>
      <form method="post" action={action}>
        <CsrfField token={ctx.csrf} />
        <input type="hidden" name="token" value={token} />
        <button type="submit">{button}</button>
      </form>
    </>
  );
}

export function MessagePage({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <>
      <h1>{title}</h1>
      <div role="status">{children}</div>
    </>
  );
}

export { withReturnTo };
