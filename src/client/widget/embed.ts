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

/** The interface languages built (one widget file each), set by scripts/build-client.ts. */
declare const PARLEY_LANGUAGES: string[];

/** What the loader itself says, before the widget (and its language's strings) has come. */
const STATUS: Record<string, [loading: string, failed: string]> = {
  en: ['Loading comments…', 'Comments could not be loaded.'],
  fr: ['Chargement des commentaires…', 'Les commentaires n’ont pas pu être chargés.'],
  ar: ['جارٍ تحميل التعليقات…', 'تعذّر تحميل التعليقات.'],
};

/** "fr-CA", "pt_BR", "AR" -> the language of a widget file we have, else English. */
export function widgetLanguage(asked: string, built: string[]): string {
  const primary = asked.toLowerCase().split(/[-_]/)[0];
  return built.includes(primary) ? primary : 'en';
}

let mounted: MountedWidget | null = null;
/** Increases on every (re)start so a slow earlier start cannot mount over a newer one. */
let generation = 0;

function findMountElement(): HTMLElement | null {
  return document.getElementById('parley-thread') ?? document.getElementById('disqus_thread');
}

function showStatus(root: ShadowRoot, message: string): void {
  const paragraph = document.createElement('p');
  paragraph.setAttribute('role', 'status');
  paragraph.dir = 'auto';
  paragraph.textContent = message;
  root.replaceChildren(paragraph);
}

function start(configFunction?: DisqusConfigFunction): boolean {
  const element = findMountElement();
  if (!element) return false;
  const { page, callbacks, siteIsGuess, lang: asked } = readPageConfig(element, ownScript, configFunction);
  const lang = widgetLanguage(asked, PARLEY_LANGUAGES);
  const [loading, failed] = STATUS[lang] ?? STATUS.en;
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const run = ++generation;
  mounted?.unmount();
  mounted = null;

  const initial = fetchFirstPaint(origin, page, siteIsGuess);
  // The widget reports a failed request; this only keeps it from counting as unhandled meanwhile.
  initial.catch(() => undefined);
  if (!root.firstChild) showStatus(root, loading);

  import(`${origin}/${lang === 'en' ? 'widget' : `widget.${lang}`}.js`).then(
    (widget: { mount: MountFunction }) => {
      if (run === generation) mounted = widget.mount(root, { origin, page, initial, callbacks });
    },
    (error: unknown) => {
      console.error('[parley] could not load the comment widget', error);
      if (run === generation) showStatus(root, failed);
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

/** Parley's own reset for single-page sites: the thread of the page the app now shows. */
interface ParleyPage {
  key?: string;
  url?: string;
  title?: string;
}

(window as unknown as { Parley: { reset(page?: ParleyPage): void } }).Parley = {
  reset(page: ParleyPage = {}) {
    const element = findMountElement();
    // The container's attributes say which thread it shows; a page's disqus_config (its sign-in,
    // its callbacks) still applies, with the new page's identity over it.
    for (const [name, value] of Object.entries(page)) if (element && value !== undefined) element.dataset[name] = String(value);
    const pageConfig = (window as { disqus_config?: DisqusConfigFunction }).disqus_config;
    start(function () {
      if (typeof pageConfig === 'function') pageConfig.call(this);
      if (page.key !== undefined) this.page.identifier = page.key;
      if (page.url !== undefined) this.page.url = page.url;
      if (page.title !== undefined) this.page.title = page.title;
    });
  },
};

// An async script may run before the parser has reached the mount element.
if (!start()) document.addEventListener('DOMContentLoaded', () => start(), { once: true });
