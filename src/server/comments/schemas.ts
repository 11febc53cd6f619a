import { z } from 'zod';
import { MAX_BODY_LENGTH, MAX_NAME_LENGTH } from '../../shared/api.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './listing.js';

const commentBody = z
  .string({ error: 'body is required' })
  .trim()
  .min(1, 'body must not be empty')
  .max(MAX_BODY_LENGTH, `body must be at most ${MAX_BODY_LENGTH} characters`);

/** A reader without a session names themself (and becomes a guest of the site). */
export const guestAuthor = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(MAX_NAME_LENGTH),
  email: z.email('email must be an email address').max(254).nullish().or(z.literal('').transform(() => null)),
});

export const postCommentBody = z.strictObject({
  body: commentBody,
  parentId: z.uuid('parentId must be a comment id').nullish(),
  author: guestAuthor.optional(),
  /** The widget's hidden field: people leave it empty, form-filling robots do not. */
  hp: z.string().max(500).optional(),
  /** How long the composer was open before posting (ms), as the widget measures it. */
  composeMs: z.number().int().min(0).max(86_400_000).optional(),
});
export type PostCommentBody = z.infer<typeof postCommentBody>;

export const editCommentBody = z.strictObject({ body: commentBody });

export const commentIdParams = z.object({ id: z.uuid('not a comment id') });
export const threadIdParams = z.object({ id: z.uuid('not a thread id') });

export const listCommentsQuery = z.object({
  sort: z.enum(['best', 'newest', 'oldest']).default('best'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
