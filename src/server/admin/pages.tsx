/**
 * The dashboard's pages, rendered on the server: the sites one moderates, a site's queues
 * (with search, selection and bulk actions) and its audit log. The script (src/client/admin)
 * only moves what these render: it re-reads the same page to take in changes.
 */
import type { AuditEntry } from '../moderation/audit-read.js';
import { QUEUES, type Queue, type QueueItem } from '../moderation/queue.js';
import { QueueItemView, When, type FormContext } from './item.js';
import { dashboardHref, type DashboardQuery } from './schemas.js';
import type { ModeratedSite } from './service.js';

export const QUEUE_NAMES: Record<Queue, string> = { pending: 'Pending', flagged: 'Flagged', spam: 'Spam', rejected: 'Rejected', recent: 'Recent' };
const QUEUE_HINTS: Record<Queue, string> = {
  pending: 'Comments held for review: nobody but their authors sees them until approved.',
  flagged: 'Comments readers flagged, published or hidden by their flags.',
  spam: 'Comments marked as spam.',
  rejected: 'Comments rejected by a moderator.',
  recent: 'Every comment, newest first (the count is the last day\'s).',
};
const EMPTY: Record<Queue, string> = {
  pending: 'Nothing waits for review.', flagged: 'No flagged comments.', spam: 'No spam.', rejected: 'No rejected comments.', recent: 'No comments yet.',
};

export function SitesPage({ sites }: { sites: ModeratedSite[] }) {
  return (
    <>
      <h1>Moderation</h1>
      {sites.length === 0
        ? <p>You moderate no site yet. A site's admin can make you a moderator on its settings page.</p>
        : (
          <ul class="plain">
            {sites.map((s) => (
              <li>
                <a href={`/admin/${encodeURIComponent(s.slug)}`}>{s.name}</a>
                <span class="muted">{` (${s.slug}, ${s.role})`}</span>
                {s.manages && <>{' · '}<a href={`/sites/${encodeURIComponent(s.slug)}/settings`}>{`Settings of ${s.name}`}</a></>}
              </li>
            ))}
          </ul>
        )}
      <p class="muted"><a href="/account">Your account</a></p>
    </>
  );
}

interface SiteHeaderProps {
  site: { slug: string; name: string };
  manages: boolean;
  counts: Record<Queue, number> | null;
  current: Queue | 'audit';
  /** The search carried from tab to tab. */
  filters: Partial<DashboardQuery>;
}

function SiteHeader({ site, manages, counts, current, filters }: SiteHeaderProps) {
  const { queue: _q, cursor: _c, ...kept } = filters;
  return (
    <>
      <p class="crumbs"><a href="/admin">All your sites</a></p>
      <h1>{`Moderation of ${site.name}`}</h1>
      {manages && (
        <p class="site-links">
          <a href={`/sites/${encodeURIComponent(site.slug)}/settings`}>Site settings</a>
          {' · '}<a href={`/admin/${encodeURIComponent(site.slug)}/import`}>Import comments</a>
        </p>
      )}
      <nav class="tabs" aria-label="Queues">
        <ul>
          {QUEUES.map((queue) => (
            <li>
              <a href={dashboardHref(site.slug, { ...kept, queue })} aria-current={current === queue ? 'page' : undefined} data-queue={queue}>
                {QUEUE_NAMES[queue]}
                {counts && <span class="count" data-count={queue}>{String(counts[queue])}</span>}
              </a>
            </li>
          ))}
          <li><a href={`/admin/${encodeURIComponent(site.slug)}/audit`} aria-current={current === 'audit' ? 'page' : undefined}>Audit</a></li>
        </ul>
      </nav>
    </>
  );
}

function SearchForm({ site, query }: { site: string; query: DashboardQuery }) {
  const searching = Boolean(query.q || query.author || query.thread || query.status || query.from || query.to);
  return (
    <details class="search" open={searching}>
      <summary>{searching ? 'Search (filtering this queue)' : 'Search'}</summary>
      <form method="get" action={`/admin/${encodeURIComponent(site)}`} class="filters" role="search" aria-label="Search the queue">
        <input type="hidden" name="queue" value={query.queue} />
        <label class="wide-field">Text<input type="search" name="q" value={query.q ?? ''} maxLength={200} /></label>
        <label>Author (name or id)<input type="text" name="author" value={query.author ?? ''} maxLength={200} /></label>
        <label>Thread id<input type="text" name="thread" value={query.thread ?? ''} maxLength={36} /></label>
        <label>Status
          <select name="status">
            <option value="" selected={!query.status}>any</option>
            {(['pending', 'approved', 'rejected', 'spam', 'deleted'] as const).map((s) => <option value={s} selected={query.status === s}>{s}</option>)}
          </select>
        </label>
        <label>From (day, UTC)<input type="date" name="from" value={query.from ?? ''} /></label>
        <label>To (day, UTC)<input type="date" name="to" value={query.to ?? ''} /></label>
        <button type="submit">Search</button>
        {searching && <a class="button secondary" href={dashboardHref(site, { queue: query.queue })}>Clear</a>}
      </form>
    </details>
  );
}

function BulkForm({ ctx }: { ctx: FormContext }) {
  return (
    <form id="bulk" method="post" action={`/admin/${encodeURIComponent(ctx.site)}/bulk`} data-api="/api/v1/mod/comments/bulk" class="inline actions">
      <input type="hidden" name="_csrf" value={ctx.csrf} />
      <input type="hidden" name="back" value={ctx.back} />
      <fieldset>
        <legend>Selected comments</legend>
        <button type="submit" name="action" value="approve" class="secondary">Approve selected</button>
        <label class="reason">Public reason (if rejected)<input type="text" name="reason" maxLength={500} /></label>
        <button type="submit" name="action" value="reject" class="secondary">Reject selected</button>
        <button type="submit" name="action" value="spam" class="secondary">Mark selected as spam</button>
      </fieldset>
    </form>
  );
}

const KEYS: Array<[string, string]> = [
  ['j', 'next comment'], ['k', 'previous comment'], ['a', 'approve'], ['r', 'reject (with the reason typed, if any)'],
  ['s', 'spam'], ['x', 'select or unselect'], ['?', 'show or hide this help'],
];

function HelpDialog() {
  return (
    <div id="help" role="dialog" aria-modal="true" aria-labelledby="help-title" hidden>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <p class="muted">They act on the comment that has the focus; they rest while you type in a field.</p>
      <dl>{KEYS.map(([key, what]) => <><dt><kbd>{key}</kbd></dt><dd>{what}</dd></>)}</dl>
      <button type="button" id="help-close">Close</button>
    </div>
  );
}

export interface QueuePageProps {
  site: { slug: string; name: string };
  manages: boolean;
  query: DashboardQuery;
  result: { items: QueueItem[]; nextCursor: string | null; counts: Record<Queue, number> };
  ctx: FormContext;
}

export function QueuePage({ site, manages, query, result, ctx }: QueuePageProps) {
  const { cursor: _cursor, ...view } = query;
  return (
    <div id="dashboard" data-site={site.slug} data-queue={query.queue}>
      <SiteHeader site={site} manages={manages} counts={result.counts} current={query.queue} filters={query} />
      <div id="announce" class="announce" role="status" aria-live="polite" />
      <div id="problem" class="problem" role="alert" />
      <SearchForm site={site.slug} query={query} />
      <div class="toolbar">
        <BulkForm ctx={ctx} />
        <p id="live-state" class="muted" hidden>Live updates: connecting…</p>
        <button type="button" id="help-open" class="secondary small" aria-keyshortcuts="?" hidden>Keyboard shortcuts</button>
      </div>
      <h2 id="queue-title">{`${QUEUE_NAMES[query.queue]}: `}<span class="muted" id="queue-hint">{QUEUE_HINTS[query.queue]}</span></h2>
      <ol id="items" class="items" aria-labelledby="queue-title">
        {result.items.map((item) => <QueueItemView item={item} ctx={ctx} />)}
      </ol>
      <p id="empty" hidden={result.items.length > 0}>{EMPTY[query.queue]}</p>
      <nav class="pager" aria-label="Pages of the queue" id="pager">
        {query.cursor && <a href={dashboardHref(site.slug, view)}>Newest</a>}
        {result.nextCursor && <a href={dashboardHref(site.slug, { ...view, cursor: result.nextCursor })}>Older</a>}
      </nav>
      <HelpDialog />
    </div>
  );
}

/** An audit entry's before and after, short: the full rows stay in the API. */
function change(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

export function AuditPage({ site, manages, entries, olderHref }: { site: { slug: string; name: string }; manages: boolean; entries: AuditEntry[]; olderHref: string | null }) {
  return (
    <>
      <SiteHeader site={site} manages={manages} counts={null} current="audit" filters={{}} />
      <h2>Audit log</h2>
      <p class="muted">
        Every moderator's action on this site, newest first. Each entry carries the hash of the one before:{' '}
        <code>{`npm run parley -- verify-audit --site ${site.slug}`}</code> finds any entry altered or removed.
      </p>
      {entries.length === 0 ? <p>Nothing yet.</p> : (
        <table class="audit">
          <caption class="visually-hidden">Moderators' actions, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td><When at={e.at} /></td>
                <td>{e.actor.name}</td>
                <td>{e.action}</td>
                <td><code>{`${e.target.type} ${e.target.id}`}</code></td>
                <td><code>{change(e.before)}</code></td>
                <td><code>{change(e.after)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {olderHref && <nav class="pager" aria-label="Pages of the audit log"><a href={olderHref}>Older entries</a></nav>}
    </>
  );
}
