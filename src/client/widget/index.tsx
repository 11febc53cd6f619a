/**
 * widget.js: the thread UI, mounted by embed.js into an open shadow root on the host
 * page. Everything it draws and every style it uses stay inside that root.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ReaderOverlay } from '../../shared/api.js';
import { errorText } from './api.js';
import { followHostTheme } from './host-theme.js';
import type { FirstPaint, MountedWidget, MountOptions } from './mount-options.js';
import { widgetStyles } from './styles.js';
import { fetchFirstPaint } from './thread-request.js';
import { Thread } from './Thread.js';
import { Notices } from './Notices.js';
import { dir, lang, t } from './i18n.js';

export type { MountOptions, MountedWidget } from './mount-options.js';

/**
 * How long the thread waits for the reader's overlay before it shows: long enough that a
 * returning reader sees their votes and buttons from the first paint, short enough that a
 * slow answer does not hold the thread back (it is merged when it comes).
 */
const OVERLAY_WAIT_MS = 2000;

type Loaded =
  | { state: 'loading' }
  /** `overlay` undefined: not there yet. */
  | { state: 'ready'; first: FirstPaint; overlay: ReaderOverlay | null | undefined }
  | { state: 'failed'; message: string };

async function settleFirstPaint(first: FirstPaint): Promise<Loaded> {
  const late = new Promise<undefined>((resolve) => setTimeout(resolve, OVERLAY_WAIT_MS));
  return { state: 'ready', first, overlay: await Promise.race([first.overlay, late]) };
}

function Widget({ options }: { options: MountOptions }) {
  const [request, setRequest] = useState(() => options.initial);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    request.then(settleFirstPaint).then(
      (ready) => current && setLoaded(ready),
      (error: unknown) => current && setLoaded({ state: 'failed', message: errorText(error) }),
    );
    return () => {
      current = false;
    };
  }, [request]);

  if (loaded.state === 'ready') {
    const { thread } = loaded.first.response;
    return (
      <>
        <Thread options={options} first={loaded.first} overlay={loaded.overlay} />
        <Notices origin={options.origin} site={thread.site} threadId={thread.id} />
      </>
    );
  }
  if (loaded.state === 'loading') {
    return (
      <p class="status" role="status">
        {t('loading')}
      </p>
    );
  }
  return (
    <div class="status" role="alert">
      <p>{t('loadFailed')} {loaded.message}</p>
      <button type="button" onClick={() => setRequest(fetchFirstPaint(options.origin, options.page))}>
        {t('tryAgain')}
      </button>
    </div>
  );
}

/**
 * The stylesheet goes in a <style> element in the shadow root. A page whose CSP limits
 * style-src (nonces) blocks that element; a constructed stylesheet is not subject to
 * CSP, so it stands in when the element got no sheet.
 */
function addStyles(root: ShadowRoot): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = widgetStyles;
  root.append(style);
  if (!style.sheet && 'adoptedStyleSheets' in root) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(widgetStyles);
    root.adoptedStyleSheets = [sheet];
  }
  return style;
}

export function mount(root: ShadowRoot, options: MountOptions): MountedWidget {
  root.replaceChildren();
  addStyles(root);
  const container = document.createElement('div');
  container.className = 'parley';
  // The interface's language and direction: Arabic mirrors the whole layout, not only its text.
  container.lang = lang;
  container.dir = dir;
  const stopTheme = followHostTheme(root.host, (theme) => {
    container.dataset.theme = theme;
  });
  root.append(container);
  render(<Widget options={options} />, container);
  return {
    unmount() {
      stopTheme();
      render(null, container);
      root.replaceChildren();
      root.adoptedStyleSheets = [];
    },
  };
}
