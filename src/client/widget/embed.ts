/**
 * embed.js: the few-KB loader a page includes. It finds the mount element and the
 * thread's identity, starts the first-paint request and the widget module download
 * at the same time, and mounts the widget in an open shadow root. It also offers
 * Disqus's `DISQUS.reset()` so single-page apps keep working unchanged.
 */
import { findOwnScript, originOf } from '../common/script-origin.js';
import type { MountFunction, MountedWidget } from './mount-options.js';
import { readPageConfig, type DisqusConfigFunction } from './page-config.js';
import { fetchFirstPaint } from './thread-request.js';

// document.currentScript is only set while this file first runs: read it now.
const ownScript = findOwnScript('embed.js');
const origin = originOf(ownScript);

let mounted: MountedWidget | null = null;
/** Increases on every (re)start so a slow earlier start cannot mount over a newer one. */
let generation = 0;

function findMountElement(): HTMLElement | null {
  return document.getElementById('parley-thread') ?? document.getElementById('disqus_thread');
}

function showStatus(root: ShadowRoot, message: string): void {
  const paragraph = document.createElement('p');
  paragraph.setAttribute('role', 'status');
  paragraph.textContent = message;
  root.replaceChildren(paragraph);
}

function start(configFunction?: DisqusConfigFunction): boolean {
  const element = findMountElement();
  if (!element) return false;
  const { page, callbacks, siteIsGuess } = readPageConfig(element, ownScript, configFunction);
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const run = ++generation;
  mounted?.unmount();
  mounted = null;

  const initial = fetchFirstPaint(origin, page, siteIsGuess);
  // The widget reports a failed request; this only keeps it from counting as unhandled meanwhile.
  initial.catch(() => undefined);
  if (!root.firstChild) showStatus(root, 'Loading comments…');

  import(`${origin}/widget.js`).then(
    (widget: { mount: MountFunction }) => {
      if (run === generation) mounted = widget.mount(root, { origin, page, initial, callbacks });
    },
    (error: unknown) => {
      console.error('[parley] could not load the comment widget', error);
      if (run === generation) showStatus(root, 'Comments could not be loaded.');
    },
  );
  return true;
}

interface ResetOptions {
  reload?: boolean;
  config?: DisqusConfigFunction;
}

(window as unknown as { DISQUS: { reset(options?: ResetOptions): void } }).DISQUS = {
  reset(options?: ResetOptions) {
    start(options?.config);
  },
};

// An async script may run before the parser has reached the mount element.
if (!start()) document.addEventListener('DOMContentLoaded', () => start(), { once: true });
