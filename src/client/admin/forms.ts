/**
 * The dashboard's forms, sent to the JSON API (`data-api`) instead of the page's own routes:
 * the page stays, says what happened, and takes the change in from the server.
 */
import { formBody, postJson, RequestFailed } from './api.js';
import type { Refresher } from './refresh.js';

export interface FormHooks {
  refresher: Refresher;
  say(text: string): void;
  problem(text: string): void;
}

const DONE: Record<string, string> = {
  approve: 'Approved', reject: 'Rejected', spam: 'Marked as spam', delete: 'Deleted', restore: 'Restored', pin: 'Pinned', unpin: 'Unpinned',
  ban: 'Author banned', suspend: 'Author suspended', shadowban: 'Author shadow-banned', trust: 'Author trusted', unban: 'Author\'s bans lifted',
  lock: 'Thread locked', close: 'Thread closed', reopen: 'Thread reopened',
};
const CONFIRM: Record<string, string> = {
  delete: 'Delete this comment for good? Its text cannot be restored.',
  ban: 'Ban this author from the site?',
};

interface BulkResult { id: string; ok: boolean; error?: { message: string } }

export function enableForms(root: HTMLElement, hooks: FormHooks): void {
  root.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    const api = form.dataset.api;
    if (!api) return;
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    void send(form, api, submitter, hooks);
  });
}

async function send(form: HTMLFormElement, api: string, submitter: HTMLButtonElement | null, hooks: FormHooks): Promise<void> {
  if (form.getAttribute('aria-busy') === 'true') return;
  const body = formBody(form, submitter);
  const action = String(body.action ?? '');
  if (form.id === 'bulk' && !body.ids) {
    hooks.problem('Select comments first: their checkboxes, or x on each.');
    return;
  }
  if (CONFIRM[action] && !confirm(CONFIRM[action])) return;
  form.setAttribute('aria-busy', 'true');
  hooks.problem('');
  try {
    const answer = await postJson<{ results?: BulkResult[] }>(api, body);
    const summary = answer.results ? bulkSummary(action, answer.results) : `${DONE[action] ?? 'Done'}.`;
    if (answer.results?.some((r) => !r.ok)) hooks.problem(summary); else hooks.say(summary);
    await hooks.refresher.now({ quiet: true });
  } catch (err) {
    hooks.problem(err instanceof RequestFailed ? err.message : 'That did not work; try again.');
  } finally {
    form.removeAttribute('aria-busy');
  }
}

function bulkSummary(action: string, results: BulkResult[]): string {
  const failed = results.filter((r) => !r.ok);
  const done = `${DONE[action] ?? 'Done'}: ${results.length - failed.length} of ${results.length}.`;
  return failed.length === 0 ? done : `${done} Not done: ${[...new Set(failed.map((f) => f.error?.message ?? ''))].join(' ')}`;
}
