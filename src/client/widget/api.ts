/**
 * The widget's calls to the Parley API. It holds the reader's session token, adopts
 * the guest session a first write returns, and drops a token the server rejects.
 */
import type {
  ApiComment,
  CommentResponse,
  CommentSort,
  CommentsPage,
  GuestSession,
  VoteResponse,
} from '../../shared/api.js';
import { errorMessages } from '../../shared/errors.js';
import { ApiError, requestJson, withQuery, type RequestOptions } from '../common/http.js';
import { readToken, saveToken } from '../common/session.js';

export const PAGE_SIZE = 50;

export interface NewComment {
  body: string;
  parentId?: string;
  author?: { name: string; email?: string };
}

/** The placeholder (kept for replies) comes as `comment` or `placeholder`; both shapes are accepted. */
export interface DeleteResponse {
  deleted?: true;
  comment?: ApiComment;
  placeholder?: ApiComment | null;
}

export class WidgetApi {
  declare readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  get token(): string | null {
    return readToken(this.origin);
  }

  private async call<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const token = this.token;
    try {
      const result = await requestJson<T>(`${this.origin}/api/v1${path}`, { ...options, token });
      this.adoptSession((result as { session?: GuestSession } | null)?.session);
      return result;
    } catch (error) {
      // A stale token: forget it and try once as a new reader (a guest write then gets a fresh session).
      if (error instanceof ApiError && error.status === 401 && token) {
        saveToken(this.origin, null);
        return this.call<T>(path, options);
      }
      throw error;
    }
  }

  private adoptSession(session: GuestSession | undefined): void {
    if (session?.token) saveToken(this.origin, session.token);
  }

  comments(threadId: string, sort: CommentSort, cursor?: string | null): Promise<CommentsPage> {
    const path = withQuery(`/threads/${encodeURIComponent(threadId)}/comments`, { sort, limit: PAGE_SIZE, cursor });
    return this.call<CommentsPage>(path);
  }

  post(threadId: string, comment: NewComment): Promise<CommentResponse> {
    return this.call(`/threads/${encodeURIComponent(threadId)}/comments`, { method: 'POST', body: comment });
  }

  edit(commentId: string, body: string): Promise<{ comment: ApiComment }> {
    return this.call(`/comments/${encodeURIComponent(commentId)}`, { method: 'PATCH', body: { body } });
  }

  remove(commentId: string): Promise<DeleteResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}`, { method: 'DELETE' });
  }

  vote(commentId: string, value: -1 | 0 | 1): Promise<VoteResponse> {
    return this.call(`/comments/${encodeURIComponent(commentId)}/vote`, { method: 'POST', body: { value } });
  }
}

/** The sentence shown to the reader for a failed call, by error code. */
export function errorText(error: unknown): string {
  // Duck-typed: the loader's bundle has its own copy of ApiError.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'network_error') return 'Could not reach the comment server. Check your connection and try again.';
  const messages: Record<string, string> = errorMessages;
  return (typeof code === 'string' && messages[code]) || errorMessages.internal_error;
}
