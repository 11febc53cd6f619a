/**
 * Light or dark palette. The widget paints no background of its own (it should read as part of
 * the article), so its text must contrast with what is behind it: the page's background decides,
 * and the page's text color is only a hint where an image hides that background. Text color alone
 * left a page with mid-grey text to prefers-color-scheme (light text on a light page), and a
 * palette picked once stayed light on a page that turned dark later (the OS at dusk, a site's own
 * switch), so the choice is made again whenever the page may have changed theme.
 */
export type Theme = 'light' | 'dark' | 'auto';
type Rgba = [number, number, number, number];

/**
 * Relative luminance of a background under which the dark palette's text (--fg #e6edf3 in
 * styles.ts) contrasts more than the light palette's (#1f2328): where (0.838 + 0.05) / (L + 0.05)
 * equals (L + 0.05) / (0.0165 + 0.05).
 */
const DARK_BELOW = 0.193;
/** What the browser paints behind a page that sets no background (Chromium's values). */
const LIGHT_CANVAS: Rgba = [255, 255, 255, 1];
const DARK_CANVAS: Rgba = [18, 18, 18, 1];

/** Computed sRGB colors serialize as rgb()/rgba(). Others (oklch(), color()) come back as null: unknown. */
function parseColor(value: string): Rgba | null {
  const [red, green, blue, alpha = 1] = value.startsWith('rgb') ? value.match(/[\d.]+/g)!.map(Number) : [];
  return red === undefined ? null : [red, green, blue, alpha];
}

/** WCAG relative luminance. */
function luminance([red, green, blue]: Rgba): number {
  const linear = (value: number) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
}

function paintOver(below: Rgba, top: Rgba): Rgba {
  const alpha = top[3];
  return [0, 1, 2].map((i) => top[i] * alpha + below[i] * (1 - alpha)).concat(1) as Rgba;
}

function canvasColor(): Rgba {
  const declared = getComputedStyle(document.documentElement).colorScheme;
  const scheme = declared === 'normal' ? document.querySelector<HTMLMetaElement>('meta[name="color-scheme"]')?.content ?? '' : declared;
  const dark = /\bdark\b/.test(scheme) && (!/\blight\b/.test(scheme) || matchMedia('(prefers-color-scheme: dark)').matches);
  return dark ? DARK_CANVAS : LIGHT_CANVAS;
}

/** The next box outward, crossing out of a shadow root when a page nests the host in a component. */
function parentOf(element: Element): Element | null {
  return element.parentElement ?? (element.parentNode instanceof ShadowRoot ? element.parentNode.host : null);
}

/** The color behind the host (its ancestors' backgrounds over the canvas), or null if it cannot be known. */
function backgroundBehind(host: Element): Rgba | null {
  const layers: Rgba[] = [];
  for (let element: Element | null = host; element; element = parentOf(element)) {
    const style = getComputedStyle(element);
    if (style.backgroundImage !== 'none') return null;
    const color = parseColor(style.backgroundColor);
    if (!color) return null;
    if (color[3] > 0) layers.push(color);
    if (color[3] >= 1) break;
  }
  return layers.reduceRight(paintOver, canvasColor());
}

/** The old heuristic, for backgrounds we cannot see through: light page text means a dark page. */
function themeFromText(host: Element): Theme {
  const color = parseColor(getComputedStyle(host).color);
  if (!color || color[3] === 0) return 'auto';
  const brightness = (0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]) / 255;
  if (brightness > 0.6) return 'dark';
  return brightness < 0.4 ? 'light' : 'auto';
}

export function hostTheme(host: Element): Theme {
  const background = backgroundBehind(host);
  if (!background) return themeFromText(host);
  return luminance(background) < DARK_BELOW ? 'dark' : 'light';
}

/** Calls `apply` with the theme now and each time it changes. Returns the function that stops watching. */
export function followHostTheme(host: Element, apply: (theme: Theme) => void): () => void {
  let current: Theme | null = null;
  let frame = 0;
  const check = () => {
    frame = 0;
    const theme = hostTheme(host);
    if (theme !== current) apply((current = theme));
  };
  // Some pages touch <html>'s style on every scroll frame: look at most once a frame.
  const update = () => {
    frame ||= requestAnimationFrame(check);
  };
  check();
  // Pages follow the OS setting, or switch with a class, attribute or style on <html> or <body>.
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', update);
  const observer = new MutationObserver(update);
  for (const element of [document.documentElement, document.body]) if (element) observer.observe(element, { attributes: true });
  // A page that fades from one theme to the other only has its final colors once the fade ends.
  const onTransitionEnd = (event: TransitionEvent) => {
    if (event.target instanceof Element && event.target.contains(host)) update();
  };
  document.addEventListener('transitionend', onTransitionEnd);
  return () => {
    cancelAnimationFrame(frame);
    media.removeEventListener('change', update);
    observer.disconnect();
    document.removeEventListener('transitionend', onTransitionEnd);
  };
}
