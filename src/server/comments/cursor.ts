import { z } from 'zod';
import { BadRequest } from '../errors.js';

/** Where the next page of top-level comments starts: the last one shown, and its score then. */
const pageCursor = z.object({ id: z.uuid(), score: z.number().int() });
export type PageCursor = z.infer<typeof pageCursor>;

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(raw: string): PageCursor {
  try {
    return pageCursor.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new BadRequest('The cursor is not one this server issued.');
  }
}
