import type { Readable } from 'node:stream';
import { decodeHTML } from 'entities';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * What every export format is read into: threads, and posts that point at their thread and
 * parent by the source's ids, in any order. The import (service.ts) knows nothing else of a format.
 */

export interface SourceAuthor {
  name: string;
  username: string | null;
  email: string | null;
  isAnonymous: boolean;
}

export interface SourceThread {
  kind: 'thread';
  /** The thread's id in the source, which posts point at. */
  sourceId: string;
  /** The page identifier the embed snippet gives (Disqus's `<id>`); empty to key by link. */
  identifier: string;
  link: string;
  /** Entities decoded, twice-encoded ones too (`&amp;#8217;` is ’). */
  title: string;
  createdAt: Date | null;
  isClosed: boolean;
  isDeleted: boolean;
}

export interface SourcePost {
  kind: 'post';
  /** The post's id in the source (Disqus's `dsq:id`), kept as the comment's import id. */
  sourceId: string;
  threadId: string;
  parentId: string | null;
  /** HTML (or plain text), trimmed; empty when read without bodies. */
  message: string;
  /** WordPress stores paragraphs as blank lines, even around inline HTML. */
  paragraphsByBlankLines?: boolean;
  /** To the second; null when the date is missing or unreadable. */
  createdAt: Date | null;
  isDeleted: boolean;
  isSpam: boolean;
  isApproved: boolean;
  /** Not a reader's comment (a WordPress pingback or trackback): reported, never written. */
  isPingback?: boolean;
  author: SourceAuthor;
  ipAddress: string | null;
}

export type SourceItem = SourceThread | SourcePost;

/** A reader of one format: yields the file's items as they go by. */
export type SourceReader = (stream: Readable, options: { bodies: boolean }) => AsyncGenerator<SourceItem>;

/** The file is not readable as its format: says where (line and column, 1-based). */
export class ImportFormatError extends Error {
  constructor(format: string, message: string, readonly line: number, readonly column: number) {
    super(`The ${format} export is not well-formed XML at line ${line}, column ${column}: ${message}`);
    this.name = 'ImportFormatError';
  }
}

export const localName = (name: string) => name.slice(name.indexOf(':') + 1);

export const flag = (text: string | undefined) => text?.trim() === 'true';

/** HTML entities left in a text after XML decoding (titles are often escaped once more). */
export function decodeEntities(text: string): string {
  let current = text;
  for (let i = 0; i < 3; i++) {
    const next = decodeHTML(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** `2013-10-11T06:51:33Z` or `2013-10-11 06:51:33` (no zone read as UTC) to the second; null otherwise. */
export function parseSourceDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? 'Z'}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export interface XmlHandlers {
  /** `depth` is the number of elements open around this one (the root's is 0). */
  open(tag: SaxesTagPlain, name: string, depth: number): void;
  text(text: string): void;
  close(depth: number): void;
}

/**
 * Streams `stream` through saxes into the handlers, yielding what they push to `out` as the file
 * goes by. Malformed XML, a truncated file or any DOCTYPE (how external entities and entity bombs
 * come in) throws an ImportFormatError naming the line and column.
 */
export async function* streamXml<T>(
  stream: Readable, formatError: (message: string, line: number, column: number) => ImportFormatError, handlers: XmlHandlers, out: T[],
): AsyncGenerator<T> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let depth = 0;
  const fail = (message: string): never => {
    throw formatError(message.replace(/^\d+:\d+: /, ''), parser.line, parser.column + 1);
  };
  parser.on('error', (err) => fail(err.message));
  parser.on('doctype', () => fail('a DOCTYPE is refused (external entities and entity expansion are not read).'));
  parser.on('opentag', (tag) => {
    try { handlers.open(tag, localName(tag.name), depth++); } catch (err) { fail((err as Error).message); }
  });
  parser.on('text', handlers.text);
  parser.on('cdata', handlers.text);
  parser.on('closetag', () => handlers.close(--depth));
  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    parser.write(chunk as string);
    while (out.length > 0) yield out.shift()!;
  }
  parser.close();
  while (out.length > 0) yield out.shift()!;
}
