/**
 * The rules a new comment passes, in order, each small and tested alone: a phase refuses the
 * comment (the writer is told why), holds it for review (the queue shows why), or lets it by.
 * Staff skip the holds; trusted members skip pre-moderation; nobody skips a refusal.
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { comments } from '../db/schema.js';
import { Forbidden, ValidationFailed } from '../errors.js';
import type { Site } from '../sites/service.js';
import type { Standing } from './standing.js';
import { countLinks, wordsFound } from './words.js';

export interface NewComment {
  site: Site;
  /** null: a reader who becomes a guest with this comment. */
  authorId: string | null;
  isGuest: boolean;
  body: string;
  ipHash: string | null;
  standing: Standing;
  /** The widget's honeypot field and composing time. */
  hp?: string;
  composeMs?: number;
  now: Date;
}

/** A phase's verdict: refuse (throw), hold with a reason, shadow (only the author will see it), or nothing. */
export type Verdict = { hold: string } | { shadow: true } | null;
export type Phase = (comment: NewComment, db: DbOrTx) => Verdict | Promise<Verdict>;

const isStaff = (c: NewComment) => c.standing.role === 'admin' || c.standing.role === 'moderator';

export const bansPhase: Phase = ({ standing, now }) => {
  const ban = standing.ban;
  if (!ban) return null;
  if (ban.kind === 'ban') throw new Forbidden('You are banned from commenting on this site.');
  if (ban.kind === 'suspend') throw new Forbidden(`You may not comment on this site until ${ban.until?.toISOString().slice(0, 16).replace('T', ' ') ?? 'further notice'} UTC.`);
  return { shadow: true };
};

/** A new or edited body with a banned word is refused, saying which word. */
export function refuseBannedWords(body: string, site: Pick<Site, 'bannedWords'>): void {
  const found = wordsFound(body, site.bannedWords);
  if (found.length > 0) {
    throw new ValidationFailed(`Your comment contains a word this site does not allow: "${found[0]}".`, { body: [`"${found[0]}" is not allowed here`] });
  }
}

export const bannedWordsPhase: Phase = ({ body, site }) => {
  refuseBannedWords(body, site);
  return null;
};

/** Robots fill every field and post at once; people leave the hidden field empty and take some seconds. */
export const spamSignalsPhase: Phase = (c) => {
  if (isStaff(c)) return null;
  if (c.hp) return { hold: 'honeypot' };
  if (c.composeMs !== undefined && c.composeMs < c.site.minComposeSeconds * 1000) return { hold: 'too-fast' };
  return null;
};

export const suspectWordsPhase: Phase = (c) => {
  if (isStaff(c)) return null;
  const found = wordsFound(c.body, c.site.suspectWords);
  return found.length > 0 ? { hold: `suspect-word:${found[0]}` } : null;
};

export const linksPhase: Phase = (c) => {
  if (isStaff(c)) return null;
  const links = countLinks(c.body);
  if (links > c.site.maxLinks) return { hold: 'links' };
  if (links > 0 && c.site.premoderateLinks && !c.standing.trusted) return { hold: 'link' };
  return null;
};

/**
 * The same text posted again and again: once more by the same reader within a day, or a third
 * time from one address within an hour (a robot changing guest names each time).
 */
export const duplicatesPhase: Phase = async (c, db) => {
  if (isStaff(c)) return null;
  const same = (since: number) => and(eq(comments.siteId, c.site.id), ne(comments.status, 'deleted'),
    gt(comments.createdAt, new Date(c.now.getTime() - since)), eq(comments.bodySource, c.body));
  if (c.authorId) {
    const mine = await db.select({ one: sql`1` }).from(comments).where(and(same(86_400_000), eq(comments.authorId, c.authorId))).limit(1);
    if (mine.length > 0) return { hold: 'duplicate' };
  }
  if (!c.ipHash) return null;
  const fromAddress = await db.select({ one: sql`1` }).from(comments).where(and(same(3_600_000), eq(comments.ipHash, c.ipHash))).limit(2);
  return fromAddress.length >= 2 ? { hold: 'duplicate' } : null;
};

/** The site's pre-moderation: of all, of guests, or of members until N of theirs were approved. */
export const premoderationPhase: Phase = async (c, db) => {
  if (isStaff(c) || c.standing.trusted) return null;
  const { premoderation, premoderateNewMembers } = c.site;
  if (premoderation === 'all' || (premoderation === 'guests' && c.isGuest)) return { hold: 'premoderation' };
  if (premoderateNewMembers > 0 && !c.isGuest && c.authorId) {
    const approved = await db.select({ one: sql`1` }).from(comments)
      .where(and(eq(comments.siteId, c.site.id), eq(comments.authorId, c.authorId), eq(comments.status, 'approved')))
      .limit(premoderateNewMembers);
    if (approved.length < premoderateNewMembers) return { hold: 'new-member' };
  }
  return null;
};

/** In order: refusals first, so a refused comment is refused whatever else it is. */
export const PHASES: Phase[] = [bansPhase, bannedWordsPhase, spamSignalsPhase, suspectWordsPhase, linksPhase, duplicatesPhase, premoderationPhase];

export interface Decision {
  status: 'approved' | 'pending';
  reasons: string[];
  shadowed: boolean;
}

/** Runs every phase; a refusal throws. Holds accumulate, so the queue shows every reason. */
export async function decideNewComment(db: DbOrTx, comment: NewComment, phases: Phase[] = PHASES): Promise<Decision> {
  const reasons: string[] = [];
  let shadowed = false;
  for (const phase of phases) {
    const verdict = await phase(comment, db);
    if (verdict && 'hold' in verdict) reasons.push(verdict.hold);
    if (verdict && 'shadow' in verdict) shadowed = true;
  }
  // A shadow-banned writer's comment waits, unseen, like a held one; nothing tells them.
  return { status: reasons.length > 0 || shadowed ? 'pending' : 'approved', reasons: shadowed ? [...reasons, 'shadowban'] : reasons, shadowed };
}
