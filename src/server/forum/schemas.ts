import { z } from 'zod';
import { MAX_BODY_LENGTH } from '../../shared/api.js';
import { FORUM_SORTS, MAX_TOPIC_TITLE_LENGTH, TOP_PERIODS } from '../../shared/forum.js';
import { MAX_QUERY_LENGTH } from './search.js';

const siteSlug = z.string({ error: 'site is required' }).min(1).max(64);
const categorySlug = z.string().min(1).max(64);

export const categoriesQuery = z.object({ site: siteSlug });

export const topicsQuery = z.object({
  site: siteSlug,
  category: categorySlug.optional(),
  sort: z.enum(FORUM_SORTS).default('latest'),
  period: z.enum(TOP_PERIODS).default('all'),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

export const newTopicBody = z.strictObject({
  site: siteSlug,
  category: z.string({ error: 'category is required' }).min(1, 'category is required').max(64),
  title: z.string({ error: 'title is required' }).trim().min(1, 'title must not be empty')
    .max(MAX_TOPIC_TITLE_LENGTH, `title must be at most ${MAX_TOPIC_TITLE_LENGTH} characters`),
  body: z.string({ error: 'body is required' }).trim().min(1, 'body must not be empty')
    .max(MAX_BODY_LENGTH, `body must be at most ${MAX_BODY_LENGTH} characters`),
});

export const searchQuery = z.object({
  site: siteSlug,
  q: z.string({ error: 'q is required' }).trim().min(1, 'q must not be empty').max(MAX_QUERY_LENGTH, `q must be at most ${MAX_QUERY_LENGTH} characters`),
});
