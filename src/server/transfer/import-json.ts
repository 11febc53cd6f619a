import type { Readable } from 'node:stream';
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Tx } from '../db/index.js';
import { BadRequest, Conflict } from '../errors.js';
import { endRecord, FORMAT, headerRecord, KIND_ORDER, KINDS, type BodyKind, type Kind, type RecordOf } from './format.js';
import { numberedLines } from './lines.js';

/**
 * `import json`: a `parley/1` file back into a Parley, in one transaction, read as a stream.
 * Every line is checked (JSON, its kind's schema, the order of kinds, that what it points at
 * came before it) and the first fault ends the import with its line number: nothing is written.
 *
 * The site keeps its id and so do its threads, comments and users, so permalinks and the
 * unchanged embed snippets go on working. A slug already used here by another site is refused.
 * The same site (same id) may be imported again: rows already present are kept as they are,
 * missing ones are added, and the counters above added rows are recounted.
 */

export class MalformedExport extends BadRequest {
  constructor(readonly line: number, problem: string) {
    super(`The Parley export is not valid at line ${line}: ${problem}`, { line });
  }
}

export interface ImportJsonReport {
  site: { id: string; slug: string };
  /** False when the site was here already (the same site): only missing rows were added. */
  created: boolean;
  /** The site signed its users in with a secret that exports never carry. */
  ssoSecretSet: boolean;
  /** Records in the file, and rows written, per kind. */
  counts: Record<BodyKind, { inFile: number; added: number }>;
  /** Users of the file that are accounts already here, under another id, with the same account email. */
  usersMerged: number;
}

const BATCH = 500;

/** Fields that name a user: they follow a user of the file that turned out to be an account already here. */
const USER_REFS: Partial<Record<BodyKind, string[]>> = {
  identity: ['userId'], member: ['userId'], thread: ['authorId'], comment: ['authorId'], revision: ['editedBy'], vote: ['userId'], flag: ['userId'],
  ban: ['userId', 'createdBy'], subscription: ['userId'], alert: ['userId'], read: ['userId'], audit: ['actorId'],
};

/** Tables whose rows belong to the site through their own site_id, which records leave out. */
const SITE_OWNED = new Set<BodyKind>(['member', 'category', 'thread', 'comment', 'ban', 'subscription', 'alert', 'audit']);

interface Batch { kind: BodyKind; rows: Array<Record<string, unknown>>; firstLine: number; lastLine: number }

export async function importJson(deps: Deps, input: { open: () => Readable }): Promise<ImportJsonReport> {
  return deps.db.transaction(async (tx) => {
    const importer = new Importer(tx);
    for await (const { line, text } of numberedLines(input.open())) await importer.take(line, text);
    return importer.finish();
  });
}

class Importer {
  private stage: 'header' | 'site' | 'body' | 'done' = 'header';
  private header!: z.infer<typeof headerRecord>;
  private site!: { id: string; slug: string };
  private created = false;
  private kindIndex = -1;
  private batch: Batch | null = null;
  private lastLine = 0;
  private readonly counts = Object.fromEntries(KIND_ORDER.map((k) => [k, { inFile: 0, added: 0 }])) as ImportJsonReport['counts'];
  /** Ids seen so far, for the checks that a record points at one that came before it. */
  private readonly seen = { user: new Set<string>(), category: new Set<string>(), thread: new Set<string>(), comment: new Set<string>() };
  private readonly mergedUsers = new Map<string, string>();
  /** Same-site imports: what added rows hang under, to recount. */
  private readonly touched = { threads: new Set<string>(), voted: new Set<string>(), flagged: new Set<string>() };

  constructor(private readonly tx: Tx) {}

  async take(line: number, text: string): Promise<void> {
    this.lastLine = line;
    if (text.trim() === '') return;
    // `npm run parley -- export ... | ...` gets npm's "> parley@0.1.0 parley" banner ahead of the header.
    if (this.stage === 'header' && text.startsWith('> ')) return;
    if (this.stage === 'done') throw new MalformedExport(line, 'there is more after the end record.');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new MalformedExport(line, `not JSON (${(err as Error).message}).`);
    }
    const type = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : undefined;
    if (this.stage === 'header') {
      if (type !== 'header' || (value as { format?: unknown }).format !== FORMAT) {
        throw new MalformedExport(line, `not a Parley export: the first record must be {"type":"header","format":"${FORMAT}",...}.`);
      }
      this.header = parse(headerRecord, value, line);
      this.stage = 'site';
    } else if (this.stage === 'site') {
      if (type !== 'site') throw new MalformedExport(line, 'the site record must follow the header.');
      await this.openSite(parse(KINDS.site.schema, value, line));
      this.stage = 'body';
    } else if (type === 'end') {
      await this.flush();
      this.checkEnd(parse(endRecord, value, line), line);
      this.stage = 'done';
    } else {
      await this.takeRecord(type, value, line);
    }
  }

  async finish(): Promise<ImportJsonReport> {
    if (this.stage !== 'done') {
      throw new MalformedExport(this.lastLine, this.stage === 'header' ? 'the file holds no Parley export.' : 'the file ends without its end record: it is truncated.');
    }
    await this.checkTrees();
    if (!this.created) await this.recount();
    return {
      site: this.site, created: this.created, ssoSecretSet: this.header.ssoSecretSet, counts: this.counts, usersMerged: this.mergedUsers.size,
    };
  }

  private async openSite(site: RecordOf<'site'>): Promise<void> {
    const { rows } = await this.tx.execute<{ id: string; slug: string }>(
      sql`select id, slug from sites where slug = ${site.slug} or id = ${site.id} for update`);
    const other = rows.find((r) => r.id !== site.id);
    if (other) throw new Conflict(`A different site already uses the slug "${site.slug}" here; nothing was imported.`);
    const same = rows.find((r) => r.id === site.id);
    if (same && same.slug !== site.slug) throw new Conflict(`This site is here already under the slug "${same.slug}"; nothing was imported.`);
    this.site = { id: site.id, slug: site.slug };
    if (!same) {
      await this.insert(KINDS.site, [rowOf(KINDS.site, site)], { onConflict: 'fail' });
      this.created = true;
    }
  }

  private async takeRecord(type: string | undefined, value: unknown, line: number): Promise<void> {
    const index = KIND_ORDER.indexOf(type as BodyKind);
    if (index < 0) throw new MalformedExport(line, `unknown record type ${JSON.stringify(type)}.`);
    if (index < this.kindIndex) {
      throw new MalformedExport(line, `a ${type} record after ${KIND_ORDER[this.kindIndex]} records: records come in the order ${KIND_ORDER.join(', ')}.`);
    }
    this.kindIndex = index;
    const kind = KIND_ORDER[index];
    const record = parse(KINDS[kind].schema as z.ZodType<Record<string, unknown>>, value, line);
    this.checkReferences(kind, record, line);
    this.counts[kind].inFile++;
    if (this.batch && (this.batch.kind !== kind || this.batch.rows.length >= BATCH)) await this.flush();
    this.batch ??= { kind, rows: [], firstLine: line, lastLine: line };
    this.batch.rows.push(this.withMergedUsers(kind, rowOf(KINDS[kind], record)));
    this.batch.lastLine = line;
  }

  /** What a record points at came earlier in the file (a reply after its parent): a fault names its line. */
  private checkReferences(kind: BodyKind, r: Record<string, unknown>, line: number): void {
    const need = (set: Set<string>, id: unknown, what: string) => {
      if (id !== null && !set.has(id as string)) throw new MalformedExport(line, `${what} ${id} is not earlier in the file.`);
    };
    const users = this.seen.user;
    switch (kind) {
      case 'user': users.add(r.id as string); break;
      case 'identity':
        need(users, r.userId, 'its user');
        if (r.siteId !== null && r.siteId !== this.site.id) throw new MalformedExport(line, 'an identity of another site.');
        break;
      case 'member': need(users, r.userId, 'its user'); break;
      case 'category': need(this.seen.category, r.parentId, 'its parent category'); this.seen.category.add(r.id as string); break;
      case 'thread':
        need(this.seen.category, r.categoryId, 'its category');
        need(users, r.authorId, 'its author');
        this.seen.thread.add(r.id as string);
        break;
      case 'comment':
        need(this.seen.thread, r.threadId, 'its thread');
        need(users, r.authorId, 'its author');
        need(this.seen.comment, r.parentId, 'its parent comment');
        if (r.parentId === null ? r.rootId !== r.id : !this.seen.comment.has(r.rootId as string)) {
          throw new MalformedExport(line, `its root ${r.rootId} is not ${r.parentId === null ? 'itself (a top-level comment)' : 'an earlier comment'}.`);
        }
        this.seen.comment.add(r.id as string);
        break;
      case 'revision': need(this.seen.comment, r.commentId, 'its comment'); need(users, r.editedBy, 'its editor'); break;
      case 'vote': case 'flag': need(this.seen.comment, r.commentId, 'its comment'); need(users, r.userId, 'its user'); break;
      case 'ban': need(users, r.userId, 'its user'); need(users, r.createdBy, 'its moderator'); break;
      case 'subscription': need(this.seen.thread, r.threadId, 'its thread'); need(users, r.userId, 'its reader'); break;
      case 'alert': need(users, r.userId, 'its moderator'); break;
      case 'read': need(this.seen.thread, r.threadId, 'its thread'); need(users, r.userId, 'its reader'); break;
      case 'audit': break;
    }
  }

  private withMergedUsers(kind: BodyKind, row: Record<string, unknown>): Record<string, unknown> {
    if (this.mergedUsers.size === 0) return row;
    for (const field of USER_REFS[kind] ?? []) {
      const column = (KINDS[kind].columns as Record<string, string>)[field];
      const merged = this.mergedUsers.get(row[column] as string);
      if (merged) row[column] = merged;
    }
    return row;
  }

  private checkEnd(end: z.infer<typeof endRecord>, line: number): void {
    for (const kind of KIND_ORDER) {
      if (end.counts[kind] !== this.counts[kind].inFile) {
        throw new MalformedExport(line, `the end record counts ${end.counts[kind]} ${kind} records, the file holds ${this.counts[kind].inFile}.`);
      }
    }
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = null;
    if (!batch) return;
    const kind = KINDS[batch.kind];
    try {
      const added = await this.write(batch.kind, kind, batch.rows);
      this.counts[batch.kind].added += added;
    } catch (err) {
      if (err instanceof BadRequest || err instanceof Conflict) throw err;
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new MalformedExport(batch.firstLine, `the ${batch.kind} records of lines ${batch.firstLine}-${batch.lastLine} could not be written: ${cause}`);
    }
  }

  private async write(name: BodyKind, kind: Kind, rows: Array<Record<string, unknown>>): Promise<number> {
    const siteId = SITE_OWNED.has(name) ? this.site.id : undefined;
    // Users, and what only links them (identities, roles, votes, flags), may be here already: kept as they are.
    const shared = ['user', 'identity', 'member', 'vote', 'flag', 'subscription', 'alert', 'read'].includes(name);
    const onConflict = shared || !this.created ? 'ignore' : 'fail';
    if (name === 'user') return this.writeUsers(rows);
    if (name === 'audit' && !this.created) return this.writeMissingAudit(rows);
    const returning = name === 'comment' ? sql`thread_id as ref` : name === 'vote' || name === 'flag' ? sql`comment_id as ref` : sql`null as ref`;
    const added = await this.insert(kind, rows, { siteId, onConflict, returning });
    if (!this.created) {
      const target = name === 'comment' ? this.touched.threads : name === 'vote' ? this.touched.voted : name === 'flag' ? this.touched.flagged : null;
      for (const r of added) if (target && r.ref) target.add(r.ref);
    }
    return added.length;
  }

  /**
   * A user whose id is here already is the same user (the same Parley); one whose account email
   * belongs to another account here is that account: the site's rows follow it.
   */
  private async writeUsers(rows: Array<Record<string, unknown>>): Promise<number> {
    const added = new Set((await this.insert(KINDS.user, rows, { onConflict: 'ignore', returning: sql`id as ref` })).map((r) => r.ref));
    const rest = rows.filter((r) => !added.has(r.id as string));
    if (rest.length > 0) {
      const { rows: found } = await this.tx.execute<{ id: string; account_email: string | null }>(sql`select id, account_email from users
        where id = any(${sql.param(rest.map((r) => r.id))}::uuid[]) or account_email = any(${sql.param(rest.map((r) => r.account_email))}::text[])`);
      for (const r of rest) {
        if (found.some((f) => f.id === r.id)) continue;
        const account = found.find((f) => f.account_email !== null && f.account_email === r.account_email);
        if (!account) throw new Conflict(`User ${r.id} could not be added.`);
        this.mergedUsers.set(r.id as string, account.id);
      }
    }
    return added.size;
  }

  /** The same site again: entries of its audit chain already here (by their hash) are not added twice. */
  private async writeMissingAudit(rows: Array<Record<string, unknown>>): Promise<number> {
    const { rows: present } = await this.tx.execute<{ hash: string }>(
      sql`select hash from audit_log where site_id = ${this.site.id} and hash = any(${sql.param(rows.map((r) => r.hash))}::text[])`);
    const known = new Set(present.map((p) => p.hash));
    const missing = rows.filter((r) => !known.has(r.hash as string));
    if (missing.length === 0) return 0;
    return (await this.insert(KINDS.audit, missing, { siteId: this.site.id, onConflict: 'fail' })).length;
  }

  /**
   * One statement per batch: the rows as one JSON parameter that PostgreSQL itself turns into
   * the table's row type (timestamps to the microsecond, arrays, jsonb), kept in file order.
   */
  private async insert(kind: Kind, rows: Array<Record<string, unknown>>, options: { siteId?: string; onConflict: 'fail' | 'ignore'; returning?: SQL }) {
    const table = sql.identifier(getTableName(kind.table));
    const columns = Object.values(kind.columns as Record<string, string>);
    const into = [...columns.map((c) => sql.identifier(c)), ...(options.siteId ? [sql.identifier('site_id')] : [])];
    const values = [...columns.map((c) => sql`r.${sql.identifier(c)}`), ...(options.siteId ? [sql`${options.siteId}::uuid`] : [])];
    const { rows: result } = await this.tx.execute<{ ref: string | null }>(sql`
      insert into ${table} (${sql.join(into, sql`, `)})
      select ${sql.join(values, sql`, `)} from json_populate_recordset(null::${table}, ${JSON.stringify(rows)}::json) with ordinality as r
      order by r.ordinality
      ${options.onConflict === 'ignore' ? sql`on conflict do nothing` : sql``}
      returning ${options.returning ?? sql`null as ref`}`);
    return result;
  }

  /** Whatever the order of the file, each reply sits in its parent's thread, under its root, one level down. */
  private async checkTrees(): Promise<void> {
    const { rows: [bad] } = await this.tx.execute<{ id: string }>(sql`
      select c.id from comments c left join comments p on p.id = c.parent_id
       where c.site_id = ${this.site.id}
         and (case when c.parent_id is null then c.root_id <> c.id or c.depth <> 0
                   else p.thread_id <> c.thread_id or p.root_id <> c.root_id or c.depth <> p.depth + 1 end)
       limit 1`);
    if (bad) throw new BadRequest(`The Parley export is not valid: comment ${bad.id} does not fit under its parent (thread, root or depth); nothing was imported.`);
  }

  /** Same-site imports: counters above added rows are recounted from the rows now there. */
  private async recount(): Promise<void> {
    const { threads, voted, flagged } = this.touched;
    if (threads.size > 0) {
      await this.tx.execute(sql`update threads t set comment_count = (select count(*) from comments c where c.thread_id = t.id and c.status = 'approved')
        where t.id = any(${sql.param([...threads])}::uuid[])`);
    }
    if (voted.size > 0) {
      await this.tx.execute(sql`update comments c set upvotes = v.up, downvotes = v.down, score = v.up - v.down
        from (select comment_id, count(*) filter (where value = 1)::int as up, count(*) filter (where value = -1)::int as down
                from votes where comment_id = any(${sql.param([...voted])}::uuid[]) group by comment_id) v where c.id = v.comment_id`);
    }
    if (flagged.size > 0) {
      await this.tx.execute(sql`update comments c set flag_count = (select count(*) from flags f where f.comment_id = c.id)
        where c.id = any(${sql.param([...flagged])}::uuid[])`);
    }
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, line: number): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const what = typeof value === 'object' && value !== null && 'id' in value ? ` (${String((value as { type?: unknown }).type)} ${String((value as { id: unknown }).id)})` : '';
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
  throw new MalformedExport(line, `${problems}${what}.`);
}

/** A record as the table's row, keyed by column name. */
function rowOf(kind: Kind, record: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(kind.columns as Record<string, string>)) row[column] = record[field];
  return row;
}
