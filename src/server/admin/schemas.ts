/**
 * The dashboard's query string and its forms. The forms are the moderation API's bodies in
 * urlencoded dress (for a browser without the script): each is piped into the API's own schema.
 */
import { z } from 'zod';
import { queueQuery, type QueueQuery } from '../moderation/queue.js';
import { bulkBody, commentActionBody, threadActionBody, userActionBody } from '../moderation/routes.js';

export const siteParams = z.object({ site: z.string().min(1).max(64) });
export const siteAndIdParams = siteParams.extend({ id: z.uuid('not an id') });

/** Empty fields of a GET form say nothing. */
const withoutBlanks = (value: unknown) =>
  (value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '')) : value);

const day = z.iso.date('a date (YYYY-MM-DD)');
export const dashboardQuery = z.preprocess(withoutBlanks, z.object({
  queue: queueQuery.shape.queue,
  cursor: queueQuery.shape.cursor,
  q: queueQuery.shape.q,
  author: queueQuery.shape.author,
  thread: queueQuery.shape.thread,
  status: queueQuery.shape.status,
  from: day.optional(),
  to: day.optional(),
}));
export type DashboardQuery = z.infer<typeof dashboardQuery>;

export const auditQuery = z.object({ before: z.coerce.number().int().positive().optional() });

const DAY_MS = 86_400_000;
export const PAGE_SIZE = 25;

/** The queue service's query: days are UTC days, and "to" takes in its whole day. */
export function toQueueQuery(site: string, query: DashboardQuery): QueueQuery {
  return {
    ...query, site, limit: PAGE_SIZE,
    from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
    to: query.to ? new Date(Date.parse(`${query.to}T00:00:00Z`) + DAY_MS) : undefined,
  };
}

/** The dashboard URL for the same view with some parameters changed (undefined drops one). */
export function dashboardHref(site: string, query: Partial<Record<keyof DashboardQuery, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return `/admin/${encodeURIComponent(site)}${search ? `?${search}` : ''}`;
}

const formExtras = { _csrf: z.string().max(500).optional(), back: z.string().max(2_000).optional() };
const optionalText = z.string().max(500).transform((v) => v.trim() || undefined).optional();
const drop = <T extends Record<string, unknown>>({ _csrf: _c, back: _b, ...rest }: T) => rest;

export const commentForm = z.strictObject({ action: z.string(), reason: optionalText, ...formExtras }).transform(drop).pipe(commentActionBody);
export const bulkForm = z.strictObject({
  ids: z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : [v].flat())),
  action: z.string(), reason: optionalText, ...formExtras,
}).transform(drop).pipe(bulkBody);
export const threadForm = z.strictObject({ action: z.string(), ...formExtras }).transform(drop).pipe(threadActionBody);
/** `site` comes from the address; a date input's day becomes the API's instant (its start, UTC). */
export const userForm = (site: string) => z.strictObject({
  action: z.string(), until: z.string().max(40).optional(), reason: optionalText, site: z.string().optional(), ...formExtras,
}).transform(({ until, ...rest }) => ({
  ...drop(rest), site, ...(until ? { until: /^\d{4}-\d{2}-\d{2}$/.test(until) ? `${until}T00:00:00Z` : until } : {}),
})).pipe(userActionBody);
