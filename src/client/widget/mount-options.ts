/** What the loader (embed.js) hands to the widget module (widget.js); the two are built separately. */
import type { ApiUser, ReaderOverlay, ThreadResponse } from '../../shared/api.js';

export interface NewCommentInfo {
  id: string;
  text: string;
}

/** Disqus-compatible callbacks, read from `disqus_config`'s `this.callbacks`. */
export interface WidgetCallbacks {
  onReady?: Array<() => void>;
  onNewComment?: Array<(comment: NewCommentInfo) => void>;
}

/** Calls each page callback; one that throws is the page's bug and must not break the widget. */
export function callEach<A extends unknown[]>(callbacks: Array<(...args: A) => void> | undefined, ...args: A): void {
  for (const callback of callbacks ?? []) {
    try {
      callback(...args);
    } catch (error) {
      console.error('[parley] a disqus_config callback threw', error);
    }
  }
}

export interface PageConfig {
  /** Site slug; absent for an unchanged Disqus snippet, then the server resolves the site from the page's origin. */
  site?: string;
  key: string;
  url: string;
  title: string;
  /**
   * The site signs its reader in itself (SSO): a Disqus `remote_auth_s3` string or a JWT, from
   * `disqus_config` or `data-sso`. Absent: the reader signs in through Parley's popup, or not at all.
   */
  sso?: string;
}

/** What the site's sign-in (SSO) came to before the first paint. */
export interface SsoOutcome {
  /** Set when the payload was exchanged for a session just now: who the reader is, without asking /me. */
  user?: ApiUser;
  /** The error code when the payload was refused (invalid_sso) or could not be sent. */
  failed?: string;
}

/** The shared page, and the reader's own overlay on it (null for a stranger), which follows the page. */
export interface FirstPaint {
  response: ThreadResponse;
  /** Never rejects. */
  overlay: Promise<ReaderOverlay | null>;
  /** Settles before the overlay is asked for; null without an SSO payload. Never rejects. */
  sso: Promise<SsoOutcome | null>;
}

export interface MountOptions {
  /** The Parley server's origin, e.g. "https://comments.example.com". */
  origin: string;
  page: PageConfig;
  /** The first-paint requests, already in flight while widget.js loads. */
  initial: Promise<FirstPaint>;
  callbacks: WidgetCallbacks;
}

export interface MountedWidget {
  unmount(): void;
}

export type MountFunction = (root: ShadowRoot, options: MountOptions) => MountedWidget;
