/** The account pages' forms and queries: one schema each, unknown fields refused. */
import { z } from 'zod';
import { displayNameSchema, emailSchema, passwordSchema } from '../auth/accounts.js';
import { PROFILE_PAGE_SIZE } from './public.js';

const csrfField = z.string().max(500).optional();
/** An HTML checkbox: sent as "on" when ticked, not sent at all when not. */
const checkbox = z.literal('on').optional().transform((v) => v === 'on');

export const profileForm = z.strictObject({
  displayName: displayNameSchema,
  notifyReplies: checkbox,
  notifyMentions: checkbox,
  _csrf: csrfField,
});

export const passwordForm = z.strictObject({
  /** Absent for an account without a password (signs in by link or provider). */
  current: z.string().max(200).optional().transform((v) => v ?? ''),
  next: passwordSchema,
  _csrf: csrfField,
});

export const emailForm = z.strictObject({
  email: emailSchema,
  /** Absent for an account without a password (signs in by link or provider). */
  password: z.string().max(200).optional().transform((v) => v ?? ''),
  _csrf: csrfField,
});

/** A form that is only a button. */
export const buttonForm = z.strictObject({ _csrf: csrfField });

export const deleteForm = z.strictObject({
  comments: z.enum(['remove', 'anonymize'], { error: 'choose what happens to your comments' }),
  confirm: z.string().max(100).refine((v) => v.trim() === 'DELETE', 'type DELETE to confirm'),
  _csrf: csrfField,
});

export const accountNotices = {
  profile: 'Your profile is saved.',
  password: 'Your password is changed; every other device is signed out.',
  claimed: 'The comments are yours now.',
  email: 'Check the new address\'s mail: the account moves to it once you follow the link there.',
} as const;

/** Which notice to show after a form went through; anything else shows none. */
export const accountQuery = z.object({ done: z.enum(['profile', 'password', 'claimed', 'email']).optional().catch(undefined) });

export const userParams = z.object({ id: z.uuid('not a user id') });

export const profileQuery = z.object({
  before: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(PROFILE_PAGE_SIZE).optional(),
});
