import type { Readable } from 'node:stream';
import type { SaxesTagPlain } from 'saxes';
import {
  decodeEntities, flag, ImportFormatError, localName, parseSourceDate, streamXml, type SourceItem,
} from './source.js';

/**
 * A streaming reader of Disqus's "Export comments" XML: one item per thread and post as the
 * file goes by, so a file of any size is read in constant memory (but for one post's message at
 * a time, and none when `bodies` is false). Categories are read past.
 */

/** The export is not a readable Disqus file. */
export class DisqusFormatError extends ImportFormatError {
  constructor(message: string, line: number, column: number) {
    super('Disqus', message, line, column);
    this.name = 'DisqusFormatError';
  }
}

/** `dsq:id` with whatever prefix the file binds to Disqus's internals namespace. */
function dsqIdOf(tag: SaxesTagPlain): string | null {
  for (const [name, value] of Object.entries(tag.attributes)) {
    if (name.includes(':') && localName(name) === 'id') return String(value).trim();
  }
  return null;
}

export async function* readDisqus(stream: Readable, options: { bodies?: boolean } = {}): AsyncGenerator<SourceItem> {
  const bodies = options.bodies ?? true;
  const out: SourceItem[] = [];
  const open: Array<{ name: string; text: string[] | null }> = [];
  let fields: Record<string, string> = {};
  let current: { kind: 'category' | 'thread' | 'post'; dsqId: string | null; threadRef: string | null; parentRef: string | null } | null = null;

  const emit = (c: NonNullable<typeof current>) => {
    if (c.kind === 'thread') {
      out.push({
        kind: 'thread', sourceId: c.dsqId ?? '', identifier: (fields.id ?? '').trim(), link: (fields.link ?? '').trim(),
        title: decodeEntities((fields.title ?? '').trim()), createdAt: parseSourceDate(fields.createdAt ?? ''),
        isClosed: flag(fields.isClosed), isDeleted: flag(fields.isDeleted),
      });
    } else if (c.kind === 'post') {
      const ownId = (fields.id ?? '').trim();
      out.push({
        kind: 'post', sourceId: c.dsqId || (ownId ? `id:${ownId}` : ''),
        threadId: c.threadRef || (fields.thread ?? '').trim(), parentId: c.parentRef || null,
        message: bodies ? (fields.message ?? '').trim() : '', createdAt: parseSourceDate(fields.createdAt ?? ''),
        // Absent in real exports: approved unless the file says `false`.
        isDeleted: flag(fields.isDeleted), isSpam: flag(fields.isSpam), isApproved: fields.isApproved?.trim() !== 'false',
        author: {
          name: (fields['author.name'] ?? '').trim(), username: fields['author.username']?.trim() || null,
          email: fields['author.email']?.trim() || null, isAnonymous: flag(fields['author.isAnonymous']),
        },
        ipAddress: fields.ipAddress?.trim() || null,
      });
    }
  };

  yield* streamXml(stream, (message, line, column) => new DisqusFormatError(message, line, column), {
    open(tag, name, depth) {
      if (depth === 0 && name !== 'disqus') throw new Error(`the root element is <${tag.name}>, not <disqus>.`);
      if (depth === 1 && (name === 'category' || name === 'thread' || name === 'post')) {
        current = { kind: name, dsqId: dsqIdOf(tag), threadRef: null, parentRef: null };
        fields = {};
      } else if (current && depth === 2 && current.kind === 'post' && name === 'thread') {
        current.threadRef = dsqIdOf(tag);
      } else if (current && depth === 2 && current.kind === 'post' && name === 'parent') {
        current.parentRef = dsqIdOf(tag);
      }
      // Leaf fields only (depth 2, or the author's at depth 3); a message only when bodies are read.
      const path = depth === 2 ? name : depth === 3 && open[2].name === 'author' ? `author.${name}` : null;
      const collect = current !== null && path !== null && (bodies || path !== 'message');
      open.push({ name: path ?? name, text: collect ? [] : null });
    },
    text(text) { open[open.length - 1]?.text?.push(text); },
    close(depth) {
      const closed = open.pop()!;
      if (closed.text && !(closed.name in fields)) fields[closed.name] = closed.text.join('');
      if (depth !== 1 || !current) return;
      emit(current);
      current = null;
    },
  }, out);
}
