/**
 * Keys for working through a queue: j/k move between comments, a/r/s approve, reject or mark
 * as spam the comment that has the focus, x selects it, ? shows the keys. Keys typed into a
 * field are the field's; with the help open, only ? and Escape count.
 */

export interface KeyHooks {
  say(text: string): void;
}

const ACTIONS: Record<string, { action: string; missing: string }> = {
  a: { action: 'approve', missing: 'This comment cannot be approved (it is published already, or deleted).' },
  r: { action: 'reject', missing: 'This comment cannot be rejected.' },
  s: { action: 'spam', missing: 'This comment cannot be marked as spam.' },
};

/** Where keys are text: fields one types in (checkboxes and buttons are not). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'submit', 'button', 'reset'].includes(target.type);
}

const items = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('#items article.item')];
const currentItem = () => document.activeElement?.closest<HTMLElement>('article.item') ?? null;

export function enableKeyboard(root: HTMLElement, hooks: KeyHooks): void {
  const help = root.querySelector<HTMLElement>('#help');
  const opener = root.querySelector<HTMLButtonElement>('#help-open');
  const close = root.querySelector<HTMLButtonElement>('#help-close');
  let returnFocus: HTMLElement | null = null;

  const showHelp = (open: boolean) => {
    if (!help) return;
    if (open) {
      returnFocus = document.activeElement as HTMLElement | null;
      help.hidden = false;
      close?.focus();
    } else {
      help.hidden = true;
      (returnFocus?.isConnected ? returnFocus : opener)?.focus();
    }
  };
  if (opener) {
    opener.hidden = false;
    opener.addEventListener('click', () => showHelp(true));
  }
  close?.addEventListener('click', () => showHelp(false));

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const helpOpen = help ? !help.hidden : false;
    if (helpOpen) {
      if (event.key === 'Escape' || event.key === '?') showHelp(false);
      // The dialog is modal: the focus stays on its one control.
      else if (event.key === 'Tab') close?.focus();
      else return;
      event.preventDefault();
      return;
    }
    if (isTyping(event.target)) return;
    if (event.key === '?') {
      showHelp(true);
    } else if (event.key === 'j' || event.key === 'k') {
      move(root, event.key === 'j' ? 1 : -1);
    } else if (event.key === 'x') {
      const box = currentItem()?.querySelector<HTMLInputElement>('input.select');
      if (!box) return;
      box.checked = !box.checked;
      hooks.say(box.checked ? 'Selected.' : 'Not selected.');
    } else if (ACTIONS[event.key]) {
      const item = currentItem();
      if (!item) return;
      const { action, missing } = ACTIONS[event.key];
      const button = item.querySelector<HTMLButtonElement>(`form[data-api*="/mod/comments/"] button[data-action="${action}"]`);
      if (button?.form) button.form.requestSubmit(button);
      else hooks.say(missing);
    } else {
      return;
    }
    event.preventDefault();
  });
}

/** Focuses the next (or previous) comment; from outside the list, the first (or last). */
function move(root: HTMLElement, step: 1 | -1): void {
  const all = items(root);
  if (all.length === 0) return;
  const at = all.indexOf(currentItem() as HTMLElement);
  const next = at < 0 ? all[step === 1 ? 0 : all.length - 1] : all[Math.max(0, Math.min(all.length - 1, at + step))];
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}
