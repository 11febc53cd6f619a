import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * A streaming reader of Disqus's "Export comments" XML: it yields one plain object per
 * category, thread and post as the file goes by, so a file of any size is read in constant
 * memory (but for one post's message at a time, and none when `bodies` is false).
 */

export interface DisqusAuthor {
  name: string;
  username: string | null;
  email: string | null;
  isAnonymous: boolean;
}

export interface DisqusCategory { kind: 'category'; dsqId: string; title: string }

export interface DisqusThread {
  kind: 'thread';
  dsqId: string;
  /** The page's disqus_identifier; empty when the site never set one. */
  identifier: string;
  link: string;
  /** Entities decoded, twice-encoded ones too (`&amp;#8217;` is ’). */
  title: string;
  createdAt: Date | null;
  isClosed: boolean;
  isDeleted: boolean;
}

export interface DisqusPost {
  kind: 'post';
  /** `dsq:id`; a post without one falls back to `id:<its <id>>`, else is empty. */
  dsqId: string;
  threadId: string;
  parentId: string | null;
  /** The message's HTML (or plain text), trimmed; empty when read without bodies. */
  message: string;
  /** To the second; null when the date is missing or unreadable. */
  createdAt: Date | null;
  isDeleted: boolean;
  isSpam: boolean;
  /** Absent in real exports: true unless the file says `false`. */
  isApproved: boolean;
  author: DisqusAuthor;
  ipAddress: string | null;
}

export type DisqusItem = DisqusCategory | DisqusThread | DisqusPost;

/** The file is not a readable Disqus export: says where (line and column, 1-based). */
export class DisqusFormatError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`The Disqus export is not well-formed XML at line ${line}, column ${column}: ${message}`);
    this.name = 'DisqusFormatError';
  }
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** `dsq:id` with whatever prefix the file binds to Disqus's internals namespace. */
function dsqIdOf(tag: SaxesTagPlain): string | null {
  for (const [name, value] of Object.entries(tag.attributes)) {
    if (name.includes(':') && localName(name) === 'id') return String(value).trim();
  }
  return null;
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®', trade: '™',
};

function decodeOnce(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

/** HTML entities left in a text after XML decoding (WordPress titles escape them once more). */
export function decodeEntities(text: string): string {
  let current = text;
  for (let i = 0; i < 3; i++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** `2013-10-11T06:51:33Z` (a missing `Z` read as UTC) to the second; null otherwise. */
export function parseDisqusDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? 'Z'}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const flag = (text: string | undefined) => text?.trim() === 'true';

interface Open { name: string; text: string[] | null }

/**
 * Reads the export from `stream`; throws DisqusFormatError on malformed XML, a truncated file
 * or a DOCTYPE (refused outright: a DTD is how external entities and entity bombs come in).
 */
export async function* readDisqus(stream: Readable, options: { bodies?: boolean } = {}): AsyncGenerator<DisqusItem> {
  const bodies = options.bodies ?? true;
  const parser = new SaxesParser({ xmlns: false, position: true });
  const out: DisqusItem[] = [];
  const stack: Open[] = [];
  let fields: Record<string, string> = {};
  let current: { kind: 'category' | 'thread' | 'post'; dsqId: string | null; threadRef: string | null; parentRef: string | null } | null = null;

  const fail = (message: string): never => {
    throw new DisqusFormatError(message.replace(/^\d+:\d+: /, ''), parser.line, parser.column + 1);
  };
  parser.on('error', (err) => fail(err.message));
  parser.on('doctype', () => fail('a DOCTYPE is refused (external entities and entity expansion are not read).'));

  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    const depth = stack.length;
    if (depth === 0 && name !== 'disqus') fail(`the root element is <${tag.name}>, not <disqus>.`);
    if (depth === 1 && (name === 'category' || name === 'thread' || name === 'post')) {
      current = { kind: name, dsqId: dsqIdOf(tag), threadRef: null, parentRef: null };
      fields = {};
    } else if (current && depth === 2 && current.kind === 'post' && name === 'thread') {
      current.threadRef = dsqIdOf(tag);
    } else if (current && depth === 2 && current.kind === 'post' && name === 'parent') {
      current.parentRef = dsqIdOf(tag);
    }
    // Collect the text of leaf fields only (depth 2, or the author's at depth 3); a message only when bodies are read.
    const path = depth === 2 ? name : depth === 3 && stack[2].name === 'author' ? `author.${name}` : null;
    const collect = current !== null && path !== null && (bodies || path !== 'message');
    stack.push({ name: path ?? name, text: collect ? [] : null });
  });

  const onText = (text: string) => { const top = stack[stack.length - 1]; top?.text?.push(text); };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    const closed = stack.pop()!;
    if (closed.text && !(closed.name in fields)) fields[closed.name] = closed.text.join('');
    if (stack.length !== 1 || !current) return;
    const c = current;
    current = null;
    if (c.kind === 'category') {
      out.push({ kind: 'category', dsqId: c.dsqId ?? '', title: (fields.title ?? '').trim() });
    } else if (c.kind === 'thread') {
      out.push({
        kind: 'thread', dsqId: c.dsqId ?? '', identifier: (fields.id ?? '').trim(), link: (fields.link ?? '').trim(),
        title: decodeEntities((fields.title ?? '').trim()), createdAt: parseDisqusDate(fields.createdAt ?? ''),
        isClosed: flag(fields.isClosed), isDeleted: flag(fields.isDeleted),
      });
    } else {
      const ownId = (fields.id ?? '').trim();
      out.push({
        kind: 'post', dsqId: c.dsqId || (ownId ? `id:${ownId}` : ''),
        threadId: c.threadRef || (fields.thread ?? '').trim(), parentId: c.parentRef || null,
        message: bodies ? (fields.message ?? '').trim() : '', createdAt: parseDisqusDate(fields.createdAt ?? ''),
        isDeleted: flag(fields.isDeleted), isSpam: flag(fields.isSpam), isApproved: fields.isApproved?.trim() !== 'false',
        author: {
          name: (fields['author.name'] ?? '').trim(), username: fields['author.username']?.trim() || null,
          email: fields['author.email']?.trim() || null, isAnonymous: flag(fields['author.isAnonymous']),
        },
        ipAddress: fields.ipAddress?.trim() || null,
      });
    }
  });

  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    parser.write(chunk as string);
    while (out.length > 0) yield out.shift()!;
  }
  parser.close();
  while (out.length > 0) yield out.shift()!;
}
