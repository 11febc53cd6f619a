/** "Copy link" to a comment, and the system's share sheet where the browser has one. */
import { useState } from 'preact/hooks';
import { t } from './i18n.js';

export function ShareButtons({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  const canShare = typeof navigator.share === 'function';

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      setTimeout(() => setCopied(false), 3000);
    } catch {
      // No clipboard (an insecure page, a denied permission): the address shows for copying by hand.
      prompt(t('copyLink'), url);
    }
  }

  return (
    <>
      <button type="button" onClick={copy}>
        {t('copyLink')}
      </button>
      {canShare && (
        <button type="button" onClick={() => navigator.share({ url, title: document.title }).catch(() => undefined)}>
          {t('share')}
        </button>
      )}
      <span class="sr-only" role="status">
        {copied && t('linkCopied')}
      </span>
      {copied && (
        <span class="hint" aria-hidden="true">
          {t('linkCopied')}
        </span>
      )}
    </>
  );
}
