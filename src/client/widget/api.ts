/**
 * The widget's calls to the Parley API for one thread's site. Pages are read as nobody in
 * particular (the same bytes for every reader, so caches may keep them). Writes go as the
 * reader: the session token kept for that site; the guest session a first write returns is
 * adopted, and a token the server rejects is dropped.
 */
import type {
  ApiComment, CommentResponse, CommentSort, CommentsPage, DeleteResponse, EditResponse, FlagRequest, GuestSession, VoteRequest, VoteResponse,
} from '../../shared/api.js';
import { requestJson, withQuery, type RequestOptions } from '../common/http.js';
import { readToken, requestAsReader } from '../common/session.js';
import { duration } from './format.js';
import { errorMessage, t } from './i18n.js';

export interface NewComment {
  body: string;
  parentId?: string;
  author?: { name: string; email?: string };
  /** The honeypot's value (empty from people) and the time spent writing: the server's anti-spam signals. */
  hp?: string;
  composeMs?: number;
}

/** A flag by a reader without a session names them, as a vote does (and makes them a guest). */
export interface FlagBody extends FlagRequest {
  author?: { name: string; email?: string };
}

export interface FlagResponse {
  flagged: true;
  session?: GuestSession;
}

export class WidgetApi {
  declare readonly origin: string;
  /** The thread's site slug: the reader's session for it is the only one sent. */
  declare readonly site: string;

  constructor(origin: string, site: string) {
    this.origin = origin;
    this.site = site;
  }

  /** Whether the reader has a session here; without one, a vote must name them first. */
  hasSession(): boolean {
    return readToken(this.origin, this.site) !== null;
  }

  private call<T>(path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
    return requestAsReader<T>(this.origin, this.site, `${this.origin}/api/v1${path}`, options);
  }

  comments(threadId: string, sort: CommentSort, cursor?: string | null): Promise<CommentsPage> {
    // No limit: the server's page size, the same as the first page's.
    const path = withQuery(`/threads/${encodeURIComponent(threadId)}/comments`, { sort, cursor });
    return requestJson<CommentsPage>(`${this.origin}/api/v1${path}`);
  }

  /** A comment with its top-level comment's whole tree: a permalink's, wherever its page is. */
  context(commentId: string): Promise<{ threadId: string; comment: ApiComment }> {
    return requestJson(`${this.origin}/api/v1/comments/${encodeURIComponent(commentId)}/context`);
  }

  post(threadId: string, comment: NewComment): Promise<CommentResponse> {
    return this.call(`/threads/${encodeURIComponent(threadId)}/comments`, { method: 'POST', body: comment });
  }

  edit(commentId: string, body: string): Promise<EditResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}`, { method: 'PATCH', body: { body } });
  }

  remove(commentId: string): Promise<DeleteResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}`, { method: 'DELETE' });
  }

  vote(commentId: string, vote: VoteRequest): Promise<VoteResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}/vote`, { method: 'POST', body: vote });
  }

  flag(commentId: string, flag: FlagBody): Promise<FlagResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}/flag`, { method: 'POST', body: flag });
  }
}

/** The sentence shown to the reader for a failed call, by error code. */
export function errorText(error: unknown): string {
  // Duck-typed: the loader's bundle has its own copy of ApiError.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'network_error') return t('networkError');
  // Too fast: when the reader may try again, as the server counts it.
  const wait = (error as { retryAfter?: number }).retryAfter;
  if (code === 'rate_limited' && wait) return t('retryIn', { time: duration(wait * 1000) });
  return (typeof code === 'string' && errorMessage(code)) || errorMessage('internal_error')!;
}

/**
 * For a write the site's rules refused (a banned word, a ban): the server's own sentence says
 * which rule, so it is shown rather than the code's general one.
 */
export function refusalText(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const says = (code === 'validation_failed' || code === 'forbidden') && typeof message === 'string' && message.trim();
  return says || errorText(error);
}
