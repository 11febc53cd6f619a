import { z } from 'zod';
import { InvalidCursor } from '../errors.js';

/**
 * Where the next page of top-level comments starts: the last one shown (and its score then,
 * for "best"), and for "best" also the ranking snapshot being walked and the place in it.
 */
const pageCursor = z.object({
  id: z.uuid(),
  score: z.number().int(),
  ranking: z.uuid().optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(),
});
export type PageCursor = z.infer<typeof pageCursor>;

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(raw: string): PageCursor {
  try {
    return pageCursor.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursor();
  }
}
