/**
 * Takes in what changed on the server by reading the open view again (the same address, so
 * the same queue, search and page) and merging it into the page: items that left go, new ones
 * come in at their place, changed ones are redrawn, counts follow. The server renders every
 * item; this only moves them. An item being typed in is never redrawn under the moderator's
 * hands; the focus stays on a redrawn item, and moves on to the next item when its own leaves.
 */

export interface RefreshHooks {
  /** New comments came in (not after the moderator's own action). */
  arrived(count: number): void;
  /** The page could not be read again (signed out, refused, offline). */
  failed(message: string): void;
}

export interface Refresher {
  /** Re-reads now (coalescing with one under way); resolves once merged. */
  now(options?: { quiet?: boolean }): Promise<void>;
  /** Re-reads shortly: a burst of live changes costs one read. */
  soon(): void;
}

const DEBOUNCE_MS = 150;

export function createRefresher(root: HTMLElement, hooks: RefreshHooks): Refresher {
  let running: Promise<void> | null = null;
  let again = false;
  let quiet = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const now = (options: { quiet?: boolean } = {}): Promise<void> => {
    if (options.quiet) quiet = true;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const beQuiet = quiet;
        quiet = false;
        await readAndMerge(root, hooks, beQuiet);
      } while (again);
    })().finally(() => { running = null; });
    return running;
  };
  return {
    now,
    soon: () => {
      clearTimeout(timer);
      timer = setTimeout(() => { void now(); }, DEBOUNCE_MS);
    },
  };
}

async function readAndMerge(root: HTMLElement, hooks: RefreshHooks, quiet: boolean): Promise<void> {
  let response: Response;
  try {
    response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' });
  } catch {
    hooks.failed('Parley could not be reached: the queue may be behind. It catches up when the connection returns.');
    return;
  }
  // Signed out meanwhile: the dashboard redirects to the sign-in page.
  if (!response.ok || response.redirected) {
    hooks.failed(response.redirected ? 'You are signed out: reload the page to sign in again.' : `The queue could not be read again (${response.status}).`);
    return;
  }
  // The body only: the head's <style> carries that response's nonce, which this page's policy refuses (and reports).
  const text = await response.text();
  const fresh = new DOMParser().parseFromString(text.slice(Math.max(0, text.indexOf('<body'))), 'text/html');
  const list = root.querySelector<HTMLOListElement>('#items');
  const freshList = fresh.getElementById('items');
  if (!list || !freshList) return;
  const added = mergeItems(list, freshList);
  for (const count of fresh.querySelectorAll<HTMLElement>('[data-count]')) {
    const mine = root.querySelector(`[data-count="${count.dataset.count}"]`);
    if (mine) mine.textContent = count.textContent;
  }
  // The page's CSRF token may have been renewed with the read: every form takes the new one.
  const token = fresh.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value;
  if (token) for (const input of root.querySelectorAll<HTMLInputElement>('input[name="_csrf"]')) input.value = token;
  const pager = root.querySelector('#pager');
  const freshPager = fresh.getElementById('pager');
  if (pager && freshPager) pager.replaceChildren(...[...freshPager.childNodes].map((n) => document.importNode(n, true)));
  root.querySelector('#empty')?.toggleAttribute('hidden', list.children.length > 0);
  if (added > 0 && !quiet) hooks.arrived(added);
}

/** Merges the server's list into the page's; returns how many items are new. */
function mergeItems(list: HTMLOListElement, freshList: HTMLElement): number {
  const current = [...list.children] as HTMLElement[];
  const byId = new Map(current.map((li) => [li.dataset.id, li]));
  const active = document.activeElement;
  const focused = current.find((li) => li.contains(active));
  const focusedAt = focused ? current.indexOf(focused) : -1;
  const typing = focused !== undefined && active instanceof HTMLInputElement && active.type !== 'checkbox';
  let added = 0;
  let refocus: HTMLElement | null = null;

  const next = ([...freshList.children] as HTMLElement[]).map((freshLi) => {
    const old = byId.get(freshLi.dataset.id);
    if (old && (old.dataset.version === freshLi.dataset.version || (old === focused && typing))) return old;
    const li = document.importNode(freshLi, true);
    if (old === focused) refocus = sameControl(li, active);
    if (old) {
      // Redrawn: the selection stays as the moderator left it.
      const wasSelected = old.querySelector<HTMLInputElement>('input.select')?.checked ?? false;
      const box = li.querySelector<HTMLInputElement>('input.select');
      if (box) box.checked = wasSelected;
      if (old.classList.contains('fresh')) li.classList.add('fresh');
    } else {
      li.classList.add('fresh');
      added++;
    }
    return li;
  });

  const keep = new Set(next);
  for (const li of current) if (!keep.has(li)) li.remove();
  let at = list.firstElementChild;
  for (const li of next) {
    if (li === at) {
      at = at.nextElementSibling;
      continue;
    }
    list.insertBefore(li, at);
  }
  if (refocus) (refocus as HTMLElement).focus();
  // The item the moderator was on left (their action, or another moderator's): on to the next one.
  else if (focused && !next.some((li) => li.dataset.id === focused.dataset.id) && next.length > 0) {
    next[Math.min(focusedAt, next.length - 1)].querySelector<HTMLElement>('article.item')?.focus();
  }
  return added;
}

/** In a redrawn item, the control that had the focus in the old one (its button, if still offered), else the item. */
function sameControl(li: HTMLElement, active: Element | null): HTMLElement | null {
  const action = active instanceof HTMLButtonElement ? active.dataset.action : undefined;
  const form = active instanceof HTMLButtonElement ? active.form?.getAttribute('data-api') : undefined;
  const button = action && form ? li.querySelector<HTMLElement>(`form[data-api="${form}"] button[data-action="${action}"]`) : null;
  return button ?? li.querySelector<HTMLElement>('article.item');
}
