/**
 * The import page's script (admin-import.js, loaded on /admin/SLUG/import only, so admin.js does
 * not carry it): uploads the export with a progress bar, follows the import's progress on the
 * site's moderators' socket room, and re-reads the page when it ends to show its report. The
 * page works without it (the form posts; a reload shows where the import is).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ImportJobOutcome, ImportJobProgress, ModJoinAck, ServerToClientEvents } from '../../shared/api.js';
import { describeImportProgress, importPercent, outcomeSentence } from '../../shared/import-progress.js';

const MB = 1024 * 1024;

function start(root: HTMLElement): void {
  const site = root.dataset.site ?? '';
  const find = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector);
  const announce = (text: string) => {
    const region = find('#import-announce');
    if (!region) return;
    region.textContent = '';
    setTimeout(() => { region.textContent = text; }, 50);
  };
  const problem = (text: string) => { const el = find('#import-problem'); if (el) el.textContent = text; };
  const liveState = (text: string) => { const el = find('#live-state'); if (el) { el.hidden = false; el.textContent = text; } };
  /** Jobs whose end has arrived: an upload's late answer must not say they have just begun. */
  const ended = new Set<string>();

  const showProgress = (p: ImportJobProgress) => {
    if (ended.has(p.jobId)) return;
    const section = find('#import-live');
    const bar = find<HTMLProgressElement>('#import-progress');
    const status = find('#import-status');
    const title = find('#import-live-title');
    if (!section || !bar || !status) return;
    section.hidden = false;
    if (title) title.textContent = p.dryRun ? 'Dry run under way' : 'Import under way';
    bar.value = importPercent(p);
    status.textContent = describeImportProgress(p);
    const button = find<HTMLButtonElement>('#import-form button[type="submit"]');
    if (button) button.disabled = true;
  };

  /** The page as the server renders it now (the report, the runs, a fresh form and token). */
  const reread = async () => {
    try {
      const response = await fetch(location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' });
      if (!response.ok) throw new Error(String(response.status));
      const text = await response.text();
      // The body only: the head's <style> carries that response's nonce, which this page's policy refuses (and reports).
      const fresh = new DOMParser().parseFromString(text.slice(Math.max(0, text.indexOf('<body'))), 'text/html').getElementById('import-view');
      const view = find('#import-view');
      if (fresh && view) view.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
    } catch {
      problem('The import ended, but the page could not be read again: reload it to see the report.');
    }
  };

  const finished = (outcome: ImportJobOutcome) => {
    ended.add(outcome.jobId);
    announce(outcomeSentence(outcome));
    if (outcome.status === 'failed' || outcome.status === 'interrupted') problem(outcomeSentence(outcome));
    void reread();
  };

  root.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    if (form.id !== 'import-form') return;
    event.preventDefault();
    problem('');
    upload(form, site, {
      progress: (sent, total) => {
        const state = form.querySelector('#upload-state');
        if (state) state.textContent = `Uploading: ${Math.floor((sent / total) * 100)}% (${(sent / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB)`;
      },
      started: (jobId) => {
        if (ended.has(jobId)) return;
        const state = form.querySelector('#upload-state');
        if (state) state.textContent = 'Uploaded: the import runs on the server; you may leave this page and come back.';
      },
      failed: (message) => {
        problem(message);
        const state = form.querySelector('#upload-state');
        if (state) state.textContent = '';
      },
    });
  });

  follow(site, {
    progress: showProgress,
    finished,
    state: liveState,
    // What went on while the socket was away (or before it joined) is in the page as it is now.
    joined: async () => {
      const response = await fetch(`/api/v1/mod/imports?site=${encodeURIComponent(site)}`, { credentials: 'same-origin' }).catch(() => null);
      const state = response?.ok ? await response.json() as { current: ImportJobProgress | null; last: ImportJobOutcome | null } : null;
      if (!state) return;
      if (state.current) showProgress(state.current);
      const shown = find('#import-last')?.dataset.job;
      if (!state.current && state.last && state.last.jobId !== shown && !ended.has(state.last.jobId)) finished(state.last);
    },
  });
}

interface UploadHooks {
  progress(sent: number, total: number): void;
  started(jobId: string): void;
  failed(message: string): void;
}

/** XMLHttpRequest, not fetch: only it reports how much of the body has gone. */
function upload(form: HTMLFormElement, site: string, hooks: UploadHooks): void {
  const data = new FormData(form);
  const request = new XMLHttpRequest();
  request.open('POST', `/api/v1/mod/imports?site=${encodeURIComponent(site)}`);
  request.withCredentials = true;
  request.setRequestHeader('accept', 'application/json');
  request.setRequestHeader('x-csrf-token', String(data.get('_csrf') ?? ''));
  request.upload.addEventListener('progress', (event) => { if (event.lengthComputable) hooks.progress(event.loaded, event.total); });
  request.addEventListener('load', () => {
    type Answer = { job?: { jobId: string }; error?: { message?: string } } | null;
    let body: Answer = null;
    try { body = JSON.parse(request.responseText) as Answer; } catch { /* not JSON */ }
    if (request.status === 202 && body?.job) hooks.started(body.job.jobId);
    else hooks.failed(body?.error?.message ?? `The server answered ${request.status}.`);
  });
  request.addEventListener('error', () => hooks.failed('The upload did not reach Parley (or was cut off); try again.'));
  request.send(data);
}

interface FollowHooks {
  progress(p: ImportJobProgress): void;
  finished(outcome: ImportJobOutcome): void;
  state(text: string): void;
  joined(): Promise<void>;
}

/** The site's moderators' room, where the server tells how imports go (the cookie is the session). */
function follow(site: string, hooks: FollowHooks): void {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(location.origin, { transports: ['websocket', 'polling'], auth: { cookie: true } });
  socket.on('connect', () => {
    socket.timeout(10_000).emit('mod:join', { site }, (err: Error | null, ack: ModJoinAck) => {
      if (err) hooks.state('Live progress: no answer; reload the page to see where the import is.');
      else if (!ack.ok) hooks.state(`Live progress is off: ${ack.error.message}`);
      else {
        hooks.state('Live progress: on.');
        void hooks.joined();
      }
    });
  });
  socket.on('disconnect', () => hooks.state('Live progress: reconnecting…'));
  socket.on('import:progress', hooks.progress);
  socket.on('import:finished', hooks.finished);
  socket.on('session:revoked', () => {
    socket.disconnect();
    hooks.state('You were signed out: reload the page to sign in again.');
  });
}

const root = document.getElementById('import-page');
if (root) start(root);
