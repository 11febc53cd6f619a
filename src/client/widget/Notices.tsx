/**
 * Below the thread: follow it (signed in, or by an address that confirms by mail first), the
 * reader's replies since their last visit with their unread count (kept live through their
 * user room), and the thread's Atom feed. Everything here waits until the thread has shown;
 * the live part comes with the live-updates chunk, which the thread loads anyway.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, requestJson, withQuery } from '../common/http.js';
import { onTokenChange, readToken } from '../common/session.js';

declare const PARLEY_LIVE_CHUNK: string | undefined;
function loadLive(): Promise<typeof import('./live.js')> {
  return typeof PARLEY_LIVE_CHUNK === 'string' ? import(PARLEY_LIVE_CHUNK) : import('./live.js');
}

interface Subscription { subscribed: boolean; confirmed: boolean }
interface NoticeItem { id: string; kind: string; read: boolean; comment: { id: string; authorName: string; html: string; url: string | null } }

export function Notices({ origin, site, threadId }: { origin: string; site: string; threadId: string }) {
  const [token, setToken] = useState(() => readToken(origin, site));
  const [subscription, setSubscription] = useState<Subscription | null>(null);
  const [unread, setUnread] = useState(0);
  const [items, setItems] = useState<NoticeItem[]>([]);
  const [open, setOpen] = useState(false);
  const [askEmail, setAskEmail] = useState(false);
  const [email, setEmail] = useState('');
  const [status, setStatus] = useState('');
  const api = `${origin}/api/v1`;

  useEffect(() => onTokenChange((changed) => { if (changed === site) setToken(readToken(origin, site)); }), [origin, site]);

  useEffect(() => {
    if (!token) { setSubscription(null); setItems([]); setUnread(0); return undefined; }
    let stop: (() => void) | undefined;
    let cancelled = false;
    const refresh = () => {
      requestJson<{ items: NoticeItem[]; unread: number }>(withQuery(`${api}/me/notifications`, { site }), { token })
        .then((r) => { if (!cancelled) { setItems(r.items); setUnread(r.unread); } }, () => {});
    };
    requestJson<{ subscription: Subscription }>(`${api}/threads/${threadId}/subscription`, { token })
      .then((r) => { if (!cancelled) setSubscription(r.subscription); }, () => {});
    refresh();
    loadLive().then((live) => { if (!cancelled) stop = live.watchNotices(origin, () => readToken(origin, site), refresh); }, () => {});
    return () => { cancelled = true; stop?.(); };
  }, [token, threadId]);

  const follow = async (withEmail?: string) => {
    setStatus('');
    try {
      const method = subscription?.subscribed && !withEmail ? 'DELETE' : 'POST';
      const body = method === 'POST' ? (withEmail ? { email: withEmail } : {}) : undefined;
      const result = await requestJson<{ subscription: Subscription }>(`${api}/threads/${threadId}/subscription`, { method, body, token });
      setSubscription(result.subscription);
      setAskEmail(false);
      setStatus(!result.subscription.subscribed ? 'You no longer follow this discussion.'
        : result.subscription.confirmed ? 'You follow this discussion: new comments come by mail.'
          : 'Check your mail: follow the link there to confirm.');
    } catch (error) {
      // No address to mail yet (a guest, a stranger): ask for one.
      if (error instanceof ApiError && (error.status === 400 || error.status === 403 || error.status === 401) && !withEmail) setAskEmail(true);
      else setStatus(error instanceof Error ? error.message : 'That did not work.');
    }
  };

  const toggleList = () => {
    const opening = !open;
    setOpen(opening);
    if (opening && unread > 0 && token) {
      requestJson<{ unread: number }>(`${api}/me/notifications/read`, { method: 'POST', body: { site }, token })
        .then((r) => setUnread(r.unread), () => {});
    }
  };

  return (
    <section class="notices" aria-label="Notifications">
      {token && (
        <button type="button" class="link" aria-expanded={open} onClick={toggleList}>
          {unread > 0 ? `Replies to you (${unread} new)` : 'Replies to you'}
        </button>
      )}
      {open && (
        <ul class="notice-list">
          {items.length === 0 && <li>Nothing yet.</li>}
          {items.map((item) => (
            <li key={item.id} class={item.read ? undefined : 'unread'}>
              <a href={item.comment.url ?? `#comment-${item.comment.id}`}>{`${item.comment.authorName} ${item.kind === 'mention' ? 'mentioned you' : item.kind === 'reply' ? 'replied' : 'commented'}`}</a>
              {/* Stored at write time through the server's one sanitizer, as every comment the widget shows. */}
              <div class="notice-body" dangerouslySetInnerHTML={{ __html: item.comment.html }} />
            </li>
          ))}
        </ul>
      )}
      {askEmail ? (
        <form onSubmit={(event) => { event.preventDefault(); void follow(email); }}>
          <label>Your email<input type="email" required value={email} onInput={(event) => setEmail((event.target as HTMLInputElement).value)} /></label>
          <button type="submit">Follow by email</button>
        </form>
      ) : (
        <button type="button" class="link" aria-pressed={subscription?.subscribed ?? false} onClick={() => void follow()}>
          {subscription?.subscribed ? 'Stop following' : 'Follow this discussion'}
        </button>
      )}
      <a class="feed" href={`${origin}/feeds/threads/${threadId}/atom.xml`} type="application/atom+xml">Atom feed</a>
      <p role="status" class="notice-status">{status}</p>
    </section>
  );
}
