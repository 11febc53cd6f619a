/**
 * Reads which thread to show from the page: Parley's data attributes, Disqus's
 * `disqus_config` function, or the legacy `disqus_*` globals (in increasing
 * precedence: legacy globals < data attributes < disqus_config). The site's own sign-in
 * (SSO) comes the same ways: `this.page.remote_auth_s3` or `data-sso`.
 */
import type { PageConfig, WidgetCallbacks } from './mount-options.js';

/** The object a Disqus `disqus_config` function fills through `this`. */
interface DisqusConfigTarget {
  page: {
    url?: string;
    identifier?: string | number;
    title?: string;
    /** Disqus SSO: "<base64 JSON> <hex HMAC-SHA1> <timestamp>", signed by the site's server. */
    remote_auth_s3?: string;
    /** Disqus's public key for the SSO app: Parley knows the site without it (kept so snippets run unchanged). */
    api_key?: string;
  };
  /** Disqus's interface language ("fr", "ar", "pt_BR"). */
  language?: string;
  callbacks: WidgetCallbacks & Record<string, unknown>;
}

export type DisqusConfigFunction = (this: DisqusConfigTarget) => void;

interface LegacyGlobals {
  disqus_config?: DisqusConfigFunction;
  disqus_identifier?: string | number;
  disqus_url?: string;
  disqus_title?: string;
  disqus_shortname?: string;
}

export interface ResolvedConfig {
  page: PageConfig;
  callbacks: WidgetCallbacks;
  /** True when the site slug is only a guess from `disqus_shortname` (it may not exist on Parley). */
  siteIsGuess: boolean;
  /** The interface language asked for: `data-lang`, else `disqus_config`'s, else the page's `lang`. */
  lang: string;
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** Array callbacks as Disqus defines them; a lone function is accepted too. */
function callbackList<T>(value: unknown): T[] | undefined {
  if (typeof value === 'function') return [value as T];
  return Array.isArray(value) ? value.filter((fn) => typeof fn === 'function') : undefined;
}

export function readPageConfig(
  mount: HTMLElement,
  script: HTMLScriptElement | null,
  configFunction?: DisqusConfigFunction,
): ResolvedConfig {
  const globals = window as unknown as LegacyGlobals;
  const target: DisqusConfigTarget = { page: {}, callbacks: {} };
  const configure = configFunction ?? globals.disqus_config;
  if (typeof configure === 'function') {
    try {
      configure.call(target);
    } catch (error) {
      // A broken page script must not take the comments down with it.
      console.error('[parley] disqus_config threw', error);
    }
  }
  const data = mount.dataset;
  const url =
    text(target.page.url) ?? text(data.url) ?? text(globals.disqus_url) ?? location.href.replace(/#.*$/, '');
  const key = text(target.page.identifier) ?? text(data.key) ?? text(globals.disqus_identifier) ?? url;
  const title = text(target.page.title) ?? text(data.title) ?? text(globals.disqus_title) ?? (document.title || url);
  const explicitSite = text(data.site) ?? text(script?.dataset.site);
  const site = explicitSite ?? text(globals.disqus_shortname);
  const sso = text(target.page.remote_auth_s3) ?? text(data.sso);
  return {
    page: { site, key, url, title, sso: sso?.trim() },
    callbacks: {
      onReady: callbackList(target.callbacks.onReady),
      onNewComment: callbackList(target.callbacks.onNewComment),
    },
    siteIsGuess: !explicitSite && !!site,
    lang: text(data.lang) ?? text(target.language) ?? document.documentElement.lang,
  };
}
