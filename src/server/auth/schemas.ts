import { z } from 'zod';
import { displayNameSchema, emailSchema, passwordSchema } from './accounts.js';

const siteSlug = z.string().min(1).max(64);

export const loginBody = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(200),
  /** Bind the token to this site (what a widget holds); without, it serves the API on every site. */
  site: siteSlug.optional(),
});

export const ssoBody = z.strictObject({
  site: siteSlug,
  /** Disqus's remote_auth_s3 string, or a JWT. */
  payload: z.string().min(1).max(8_000),
});

export const signUpBody = z.strictObject({ email: emailSchema, password: passwordSchema, displayName: displayNameSchema });
export const mailRequestBody = z.strictObject({ email: emailSchema });
