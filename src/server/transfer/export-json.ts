import type { Writable } from 'node:stream';
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { Tx } from '../db/index.js';
import { NotFound } from '../errors.js';
import { FORMAT, KIND_ORDER, KINDS, type BodyKind, type Kind } from './format.js';
import { cursorBatches, inSnapshot, writeOut } from './snapshot.js';

/**
 * `export json`: a whole site in Parley's own format (see format.ts), written as it is read.
 * PostgreSQL builds each line (json_build_object), so values leave exactly as stored.
 */

/** Every user the site's rows point at: authors (of comments and forum topics), voters, staff and members, flaggers, editors, banned and banning, followers, readers of topics. */
const siteUsers = (siteId: string) => sql`
  select author_id from comments where site_id = ${siteId} and author_id is not null
  union select author_id from threads where site_id = ${siteId} and author_id is not null
  union select v.user_id from votes v join comments c on c.id = v.comment_id where c.site_id = ${siteId}
  union select user_id from site_members where site_id = ${siteId}
  union select f.user_id from flags f join comments c on c.id = f.comment_id where c.site_id = ${siteId}
  union select r.edited_by from comment_revisions r join comments c on c.id = r.comment_id where c.site_id = ${siteId} and r.edited_by is not null
  union select user_id from bans where site_id = ${siteId} and user_id is not null
  union select created_by from bans where site_id = ${siteId} and created_by is not null
  union select user_id from identities where site_id = ${siteId}
  union select user_id from thread_subscriptions where site_id = ${siteId} and user_id is not null
  union select user_id from moderator_alerts where site_id = ${siteId}
  union select r.user_id from forum_reads r join threads th on th.id = r.thread_id where th.site_id = ${siteId}`;

interface Source { from: SQL; where: SQL; order: SQL }

/** Where each kind's rows are (the table aliased `t`), and an order that puts what is pointed at first. */
function sourceOf(kind: BodyKind, siteId: string): Source {
  const ofSiteComments = { from: sql`${sql.identifier(getTableName(KINDS[kind].table))} t join comments c on c.id = t.comment_id`, where: sql`c.site_id = ${siteId}` };
  switch (kind) {
    case 'user': return { from: sql`users t`, where: sql`t.id in (${siteUsers(siteId)})`, order: sql`t.created_at, t.id` };
    // The site's own SSO identities, and the provider identities (any site) of its users: they sign in to the same account.
    case 'identity': return {
      from: sql`identities t`, where: sql`t.site_id = ${siteId} or (t.site_id is null and t.user_id in (${siteUsers(siteId)}))`, order: sql`t.created_at, t.id`,
    };
    case 'member': return { from: sql`site_members t`, where: sql`t.site_id = ${siteId}`, order: sql`t.created_at, t.user_id` };
    case 'category': return { from: sql`forum_categories t`, where: sql`t.site_id = ${siteId}`, order: sql`t.parent_id is not null, t.position, t.created_at, t.id` };
    case 'thread': return { from: sql`threads t`, where: sql`t.site_id = ${siteId}`, order: sql`t.created_at, t.id` };
    // By depth: a reply never comes before its parent.
    case 'comment': return { from: sql`comments t`, where: sql`t.site_id = ${siteId}`, order: sql`t.depth, t.created_at, t.id` };
    case 'revision': return { ...ofSiteComments, order: sql`t.created_at, t.id` };
    case 'vote': case 'flag': return { ...ofSiteComments, order: sql`t.created_at, t.comment_id, t.user_id` };
    case 'ban': return { from: sql`bans t`, where: sql`t.site_id = ${siteId}`, order: sql`t.created_at, t.id` };
    case 'subscription': return { from: sql`thread_subscriptions t`, where: sql`t.site_id = ${siteId}`, order: sql`t.created_at, t.id` };
    case 'alert': return { from: sql`moderator_alerts t`, where: sql`t.site_id = ${siteId}`, order: sql`t.created_at, t.user_id` };
    case 'read': return { from: sql`forum_reads t join threads th on th.id = t.thread_id`, where: sql`th.site_id = ${siteId}`, order: sql`t.read_at, t.user_id, t.thread_id` };
    case 'audit': return { from: sql`audit_log t`, where: sql`t.site_id = ${siteId}`, order: sql`t.id` };
  }
}

/**
 * One compact JSON line per row, built by PostgreSQL from the kind's allowlist of columns
 * (`row_to_json` of `'comment' as type, t.thread_id as "threadId", ...`), in the source's order.
 */
function linesOf(kind: Kind, source: Source): SQL {
  const fields = Object.entries(kind.columns as Record<string, string>).map(([field, column]) => sql`t.${sql.identifier(column)} as ${sql.identifier(field)}`);
  return sql`select row_to_json(r)::text as line from ${source.from}
    cross join lateral (select ${kind.type}::text as type, ${sql.join(fields, sql`, `)}) r
    where ${source.where} order by ${source.order}`;
}

export type ExportCounts = Record<BodyKind, number>;

export async function exportJson(deps: Deps, input: { siteSlug: string; out: Writable }): Promise<ExportCounts> {
  return inSnapshot(deps.db, async (tx) => {
    const siteId = await siteIdOf(tx, input.siteSlug);
    const { rows: [meta] } = await tx.execute<{ exported_at: string; sso: boolean }>(
      sql`select to_json(now())#>>'{}' as exported_at, sso_secret is not null as sso from sites where id = ${siteId}`);
    await writeOut(input.out, `${JSON.stringify({ type: 'header', format: FORMAT, exportedAt: meta.exported_at, ssoSecretSet: meta.sso })}\n`);
    const { rows: [site] } = await tx.execute<{ line: string }>(linesOf(KINDS.site, { from: sql`sites t`, where: sql`t.id = ${siteId}`, order: sql`t.id` }));
    await writeOut(input.out, `${site.line}\n`);
    const counts = Object.fromEntries(KIND_ORDER.map((k) => [k, 0])) as ExportCounts;
    for (const kind of KIND_ORDER) {
      for await (const rows of cursorBatches<{ line: string }>(tx, linesOf(KINDS[kind], sourceOf(kind, siteId)))) {
        counts[kind] += rows.length;
        await writeOut(input.out, `${rows.map((r) => r.line).join('\n')}\n`);
      }
    }
    await writeOut(input.out, `${JSON.stringify({ type: 'end', counts })}\n`);
    return counts;
  });
}

/** Disabled sites (the demo, once real ones exist) are exported too: they are data all the same. */
export async function siteIdOf(tx: Tx, slug: string): Promise<string> {
  const { rows: [row] } = await tx.execute<{ id: string }>(sql`select id from sites where slug = ${slug}`);
  if (!row) throw new NotFound(`Site "${slug}"`);
  return row.id;
}
