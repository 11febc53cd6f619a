/**
 * The moderators' dashboard in the browser: the page is complete without this (its forms post
 * to /admin); this sends them to the JSON API instead, follows the site's queues live, and
 * adds the keyboard. Loaded as a module under the page's nonce.
 */
import { enableForms } from './forms.js';
import { enableKeyboard } from './keyboard.js';
import { followQueues } from './live.js';
import { createRefresher } from './refresh.js';

function start(root: HTMLElement): void {
  const announcer = root.querySelector<HTMLElement>('#announce');
  const problems = root.querySelector<HTMLElement>('#problem');
  const liveState = root.querySelector<HTMLElement>('#live-state');
  let sayTimer: ReturnType<typeof setTimeout> | undefined;
  // Emptied first: the same words twice are announced twice.
  const say = (text: string) => {
    if (!announcer) return;
    announcer.textContent = '';
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { announcer.textContent = text; }, 50);
  };
  const problem = (text: string) => { if (problems) problems.textContent = text; };
  const queueName = root.querySelector('nav.tabs a[aria-current="page"]')?.firstChild?.textContent ?? 'the queue';

  const refresher = createRefresher(root, {
    arrived: (count) => say(count === 1 ? `1 new comment in ${queueName}.` : `${count} new comments in ${queueName}.`),
    failed: problem,
  });
  enableForms(root, { refresher, say, problem });
  enableKeyboard(root, { say });
  followQueues(root.dataset.site ?? '', {
    changed: () => refresher.soon(),
    // The page was read before the socket joined (or while it was away): what came in between is read now.
    joined: () => { void refresher.now(); },
    state: (text) => {
      if (!liveState) return;
      liveState.hidden = false;
      liveState.textContent = text;
    },
    revoked: () => problem('You were signed out: reload the page to sign in again.'),
  });
}

const root = document.getElementById('dashboard');
if (root) start(root);
