/**
 * The import page of the dashboard (/admin/SLUG/import), for a site's admins: the upload form,
 * the import under way, the last one's report and the runs recorded. Complete without script;
 * its script (src/client/admin/import) uploads with a progress bar and follows the socket.
 */
import type { ImportTotals } from '../../shared/api.js';
import { describeImportProgress, importPercent, outcomeSentence } from '../../shared/import-progress.js';
import { When } from '../admin/item.js';
import type { ImportReport } from '../imports/service.js';
import type { ImportRunView, ImportsView } from './service.js';
import { formatSize } from './upload.js';

/** Threads with skipped posts listed on the page, and skipped ids shown per thread; the JSON report has them all. */
const THREADS_SHOWN = 50;
const SKIPS_SHOWN = 20;

const REASONS: Record<string, string> = {
  'spam-imported-hidden': 'spam (imported, hidden)',
  deleted: 'deleted',
  'orphan-parent': 'its parent is missing',
  'orphan-thread': 'its thread is missing',
  'thread-deleted': 'its thread was deleted',
  'thread-without-key': 'its thread has no identifier or link',
  'no-id': 'no id',
  'duplicate-id': 'an id seen before',
  'bad-date': 'no readable date',
  pingback: 'a pingback or trackback',
};
const reason = (r: string) => REASONS[r] ?? r;
const n = (value: number) => value.toLocaleString('en');

export interface ImportPageProps {
  view: ImportsView;
  csrf: string;
  maxBytes: number;
}

export function ImportPage({ view, csrf, maxBytes }: ImportPageProps) {
  const slug = encodeURIComponent(view.site.slug);
  return (
    <div id="import-page" data-site={view.site.slug} data-job={view.current?.jobId}>
      <p class="crumbs"><a href={`/admin/${slug}`}>{`Moderation of ${view.site.name}`}</a></p>
      <h1>{`Import comments into ${view.site.name}`}</h1>
      <div id="import-announce" class="visually-hidden" role="status" aria-live="polite" />
      <div id="import-problem" class="problem" role="alert" />
      <p id="live-state" class="muted" hidden>Live updates: connecting…</p>
      <div id="import-view">
        <ImportForm slug={view.site.slug} csrf={csrf} maxBytes={maxBytes} busy={view.current !== null} />
        <Progress view={view} />
        <LastImport view={view} csrf={csrf} />
        <Runs runs={view.runs} />
      </div>
    </div>
  );
}

function ImportForm({ slug, csrf, maxBytes, busy }: { slug: string; csrf: string; maxBytes: number; busy: boolean }) {
  return (
    <section aria-labelledby="import-form-title">
      <h2 id="import-form-title">Upload an export</h2>
      <p class="muted">
        {`A Disqus export (.xml, or .xml.gz as Disqus mails it) or a WordPress export (WXR, from Tools › Export), up to ${formatSize(maxBytes)}. `}
        Importing the same file again adds nothing, and a newer export adds only what is new; an import that was cut
        short resumes where it stopped when its file is uploaded again.
      </p>
      {/* The CSRF field comes first: the server reads it before it stores any of the file. */}
      <form id="import-form" method="post" action={`/admin/${encodeURIComponent(slug)}/import`} encType="multipart/form-data" class="upload">
        <input type="hidden" name="_csrf" value={csrf} />
        <fieldset>
          <legend>Format</legend>
          <label class="choice"><input type="radio" name="format" value="disqus" checked />Disqus</label>
          <label class="choice"><input type="radio" name="format" value="wordpress" />WordPress (WXR)</label>
        </fieldset>
        <label>Export file<input type="file" name="file" required accept=".xml,.gz,application/xml,text/xml,application/gzip" /></label>
        <label class="choice"><input type="checkbox" name="dryRun" value="true" />Dry run first: show what would be imported, write nothing until I confirm</label>
        <p id="upload-state" class="muted" role="status" />
        <button type="submit" disabled={busy}>Start import</button>
      </form>
    </section>
  );
}

function Progress({ view }: { view: ImportsView }) {
  const { current } = view;
  return (
    <section id="import-live" aria-labelledby="import-live-title" hidden={!current}>
      <h2 id="import-live-title">{current?.dryRun ? 'Dry run under way' : 'Import under way'}</h2>
      {current && <p class="muted">{`File: ${current.fileName}`}</p>}
      <progress id="import-progress" aria-label="Import progress" max={100} value={current ? importPercent(current) : 0} />
      <p id="import-status">{current ? describeImportProgress(current) : ''}</p>
    </section>
  );
}

function LastImport({ view, csrf }: { view: ImportsView; csrf: string }) {
  const { last, stored } = view;
  if (!last && !stored) return null;
  const report = last ? last.report : stored!.report;
  const sentence = last ? outcomeSentence(last.outcome) : outcomeSentence({ status: 'done', totals: stored!.report.totals, error: null });
  const slug = encodeURIComponent(view.site.slug);
  return (
    <section id="import-last" aria-labelledby="import-last-title" data-job={last?.outcome.jobId}>
      <h2 id="import-last-title">Last import</h2>
      <p class={last?.outcome.error ? 'problem' : undefined}>{sentence}</p>
      <p class="muted">
        {last ? `File: ${last.outcome.fileName}, ${last.outcome.format}, ended ` : 'Recorded '}
        <When at={(last?.finishedAt ?? stored!.finishedAt).toISOString()} />
        {report && <>{' · '}<a href={`/admin/${slug}/import/report.json`} download="import-report.json">The whole report (JSON)</a></>}
      </p>
      {view.previewKept && last && (
        <div class="actions">
          <form method="post" action={`/admin/${slug}/import/${last.outcome.jobId}/confirm`} class="inline" data-action="confirm">
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit">Import these comments</button>
          </form>
          <form method="post" action={`/admin/${slug}/import/${last.outcome.jobId}/discard`} class="inline" data-action="discard">
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit" class="secondary">Discard the file</button>
          </form>
        </div>
      )}
      {report && <Totals totals={report.totals} dryRun={report.dryRun} />}
      {report && <Skips report={report} />}
    </section>
  );
}

function Totals({ totals, dryRun }: { totals: ImportTotals; dryRun: boolean }) {
  const rows: Array<[string, number]> = [
    ['Threads in the file', totals.threadsInFile], [dryRun ? 'Threads to create' : 'Threads created', totals.threadsCreated],
    ['Posts in the file', totals.postsInFile], [dryRun ? 'Would be imported' : 'Imported', totals.imported],
    ['Already present', totals.alreadyPresent], ['Skipped', totals.skipped],
    ...Object.entries(totals.byReason).map(([r, count]): [string, number] => [`Skipped: ${reason(r)}`, count ?? 0]),
  ];
  return (
    <table class="audit totals">
      <caption>Totals</caption>
      <tbody>{rows.map(([label, value]) => <tr><th scope="row">{label}</th><td>{n(value)}</td></tr>)}</tbody>
    </table>
  );
}

function Skips({ report }: { report: ImportReport }) {
  const threads = report.threads.filter((t) => t.skipped.length > 0);
  if (threads.length === 0 && report.postsWithoutThread.length === 0 && report.threadsSkipped.length === 0) return null;
  return (
    <>
      <h3>Skipped, by thread</h3>
      <ul class="skips">
        {threads.slice(0, THREADS_SHOWN).map((t) => (
          <li>
            <strong>{t.title || t.key}</strong>
            <span class="muted">{` (${n(t.inFile)} in the file, ${n(t.imported)} imported, ${n(t.alreadyPresent)} present): `}</span>
            {t.skipped.slice(0, SKIPS_SHOWN).map((s) => `${s.id} (${reason(s.reason)})`).join(', ')}
            {t.skipped.length > SKIPS_SHOWN && ` and ${n(t.skipped.length - SKIPS_SHOWN)} more`}
          </li>
        ))}
        {report.postsWithoutThread.length > 0 && (
          <li>
            <strong>Without a thread</strong>{': '}
            {report.postsWithoutThread.slice(0, SKIPS_SHOWN).map((p) => `${p.id} (${reason(p.reason)}, thread ${p.threadId})`).join(', ')}
            {report.postsWithoutThread.length > SKIPS_SHOWN && ` and ${n(report.postsWithoutThread.length - SKIPS_SHOWN)} more`}
          </li>
        )}
        {report.threadsSkipped.length > 0 && (
          <li>
            <strong>Threads not imported</strong>{': '}
            {report.threadsSkipped.slice(0, SKIPS_SHOWN).map((t) => `${t.id} (${t.reason === 'deleted' ? 'deleted' : 'no identifier or link'})`).join(', ')}
            {report.threadsSkipped.length > SKIPS_SHOWN && ` and ${n(report.threadsSkipped.length - SKIPS_SHOWN)} more`}
          </li>
        )}
      </ul>
      {threads.length > THREADS_SHOWN && <p class="muted">{`… and ${n(threads.length - THREADS_SHOWN)} more threads with skipped posts: see the whole report.`}</p>}
    </>
  );
}

const STATUS_TEXT: Record<ImportRunView['status'], string> = {
  running: 'running', done: 'done', failed: 'failed', interrupted: 'interrupted: upload the same file again to resume',
};

function Runs({ runs }: { runs: ImportRunView[] }) {
  return (
    <section id="import-runs" aria-labelledby="import-runs-title">
      <h2 id="import-runs-title">Recorded imports</h2>
      {runs.length === 0 ? <p class="muted">None yet. (Dry runs and files refused before writing are not recorded.)</p> : (
        <table class="audit">
          <caption class="visually-hidden">Imports into this site, newest first</caption>
          <thead><tr><th scope="col">Started</th><th scope="col">Format</th><th scope="col">Status</th><th scope="col">Last change</th><th scope="col">Imported</th><th scope="col">Already present</th><th scope="col">Skipped</th></tr></thead>
          <tbody>
            {runs.map((r) => (
              <tr>
                <td><When at={r.startedAt.toISOString()} /></td>
                <td>{r.format}</td>
                <td>{STATUS_TEXT[r.status]}</td>
                <td><When at={(r.finishedAt ?? r.updatedAt).toISOString()} /></td>
                <td>{r.totals ? n(r.totals.imported) : r.status === 'done' ? '' : `at post ${n(r.postsDone)}`}</td>
                <td>{r.totals ? n(r.totals.alreadyPresent) : ''}</td>
                <td>{r.totals ? n(r.totals.skipped) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
