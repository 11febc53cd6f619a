/**
 * A Parley script finds its server from its own address, so one snippet works on
 * any host page without configuration.
 */

/** The running script named `fileName` (e.g. "embed.js"), or the last one on the page with that name. */
export function findOwnScript(fileName: string): HTMLScriptElement | null {
  const pattern = new RegExp(`/${fileName.replace('.', '\\.')}(?:[?#]|$)`);
  const current = document.currentScript as HTMLScriptElement | null;
  if (current && pattern.test(current.src)) return current;
  const scripts = document.querySelectorAll<HTMLScriptElement>('script[src]');
  for (let i = scripts.length - 1; i >= 0; i--) {
    if (pattern.test(scripts[i].src)) return scripts[i];
  }
  return null;
}

export function originOf(script: HTMLScriptElement | null): string {
  return script ? new URL(script.src, location.href).origin : location.origin;
}
