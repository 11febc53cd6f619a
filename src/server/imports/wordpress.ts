import type { Readable } from 'node:stream';
import { decodeEntities, ImportFormatError, parseSourceDate, streamXml, type SourceItem } from './source.js';

/**
 * A streaming reader of WordPress's export (WXR 1.0 to 1.2): each `<item>` (post or page) with
 * comments becomes a thread keyed by its link, each `<wp:comment>` a post. Post bodies
 * (`content:encoded`) are never collected, so a blog's whole export streams in constant memory.
 */

export class WordPressFormatError extends ImportFormatError {
  constructor(message: string, line: number, column: number) {
    super('WordPress', message, line, column);
    this.name = 'WordPressFormatError';
  }
}

/** The fields read, by element name (the `wp:` prefix taken off); all others are passed over. */
const ITEM_FIELDS = new Set(['title', 'link', 'post_id', 'post_date_gmt', 'post_date', 'comment_status', 'status']);
const COMMENT_FIELDS = new Set([
  'comment_id', 'comment_author', 'comment_author_email', 'comment_author_IP', 'comment_date_gmt', 'comment_date',
  'comment_content', 'comment_approved', 'comment_type', 'comment_parent',
]);

const date = (gmt: string | undefined, local: string | undefined) => parseSourceDate(gmt ?? '') ?? parseSourceDate(local ?? '');

export async function* readWordPress(stream: Readable, options: { bodies?: boolean } = {}): AsyncGenerator<SourceItem> {
  const bodies = options.bodies ?? true;
  const out: SourceItem[] = [];
  let items = 0;
  let item: Record<string, string> | null = null;
  let comment: Record<string, string> | null = null;
  let comments: Array<Record<string, string>> = [];
  let field: { name: string; text: string[] } | null = null;

  const finishItem = (fields: Record<string, string>) => {
    items++;
    if (comments.length === 0) return; // a page nobody commented on makes no thread
    const threadId = fields.post_id?.trim() || fields.link?.trim() || `item-${items}`;
    out.push({
      kind: 'thread', sourceId: threadId, identifier: '', link: (fields.link ?? '').trim(),
      title: decodeEntities((fields.title ?? '').trim()), createdAt: date(fields.post_date_gmt, fields.post_date),
      isClosed: fields.comment_status?.trim() === 'closed', isDeleted: fields.status?.trim() === 'trash',
    });
    for (const c of comments) {
      const approved = (c.comment_approved ?? '1').trim();
      const type = (c.comment_type ?? '').trim();
      const parent = (c.comment_parent ?? '0').trim();
      const id = (c.comment_id ?? '').trim();
      out.push({
        kind: 'post',
        // WordPress numbers comments site-wide; the post's id in front keeps two items' copies apart.
        sourceId: id ? `${threadId}:${id}` : '', threadId, parentId: parent && parent !== '0' ? `${threadId}:${parent}` : null,
        message: bodies ? (c.comment_content ?? '').trim() : '', paragraphsByBlankLines: true,
        createdAt: date(c.comment_date_gmt, c.comment_date),
        isDeleted: approved === 'trash', isSpam: approved === 'spam', isApproved: approved === '1',
        isPingback: type === 'pingback' || type === 'trackback',
        author: { name: (c.comment_author ?? '').trim(), username: null, email: c.comment_author_email?.trim() || null, isAnonymous: false },
        ipAddress: c.comment_author_IP?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') || null,
      });
    }
    comments = [];
  };

  yield* streamXml(stream, (message, line, column) => new WordPressFormatError(message, line, column), {
    open(tag, name, depth) {
      if (depth === 0 && name !== 'rss') throw new Error(`the root element is <${tag.name}>, not <rss>.`);
      if (depth === 2 && name === 'item') { item = {}; comments = []; return; }
      if (item && depth === 3 && name === 'comment' && tag.name.startsWith('wp:')) { comment = {}; return; }
      const target = comment && depth === 4 ? COMMENT_FIELDS : item && !comment && depth === 3 ? ITEM_FIELDS : null;
      if (target?.has(name) && (bodies || name !== 'comment_content')) field = { name, text: [] };
    },
    text(text) { field?.text.push(text); },
    close(depth) {
      if (field && (depth === 3 || depth === 4)) {
        const into = comment ?? item;
        if (into && !(field.name in into)) into[field.name] = field.text.join('');
        field = null;
      } else if (depth === 3 && comment) {
        comments.push(comment);
        comment = null;
      } else if (depth === 2 && item) {
        finishItem(item);
        item = null;
      }
    },
  }, out);
}
