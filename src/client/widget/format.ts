/** Display helpers: relative times and durations in the interface's language, and the plain text of server-rendered HTML. */
import { lang, t } from './i18n.js';

const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "yesterday"; a date once it is over a month old. */
export function relativeTime(iso: string, now: number): string {
  const date = new Date(iso);
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return t('justNow');
  if (Math.abs(seconds) > 30 * 24 * 3600) return dateOnly.format(date);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60), 'minute');
}

export function fullTime(iso: string): string {
  return absolute.format(new Date(iso));
}

/** "12 min", "45 s", "2 hr": how long is left, rounded up, in the language's short units. */
export function duration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const [value, unit] = seconds < 60 ? [seconds, 'second'] : seconds < 5400 ? [Math.ceil(seconds / 60), 'minute'] : [Math.round(seconds / 3600), 'hour'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}

const BLOCKS = new Set(['P', 'BLOCKQUOTE', 'PRE', 'LI', 'UL', 'OL', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);

/**
 * Text of sanitized comment HTML with paragraphs and line breaks kept, to prefill the
 * edit box when the markdown source is not stored here. DOMParser builds an inert
 * document: nothing in it loads or runs.
 */
export function textFromHtml(html: string): string {
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  let text = '';
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) text += node.textContent ?? '';
    if (node.nodeName === 'BR') text += '\n';
    node.childNodes.forEach(walk);
    if (BLOCKS.has(node.nodeName)) text += '\n\n';
  };
  walk(body);
  return text.replace(/\n{3,}/g, '\n\n').trim();
}

/** One letter for the avatar: the first grapheme-ish character, so Arabic and emoji names work. */
export function initialOf(name: string): string {
  return (Array.from(name.trim())[0] ?? '?').toUpperCase();
}

/** A stable hue per name, so the same author keeps the same avatar color. */
export function hueOf(name: string): number {
  // FNV-1a: names differing only in their last letter ("Writer 1", "Writer 2") still get far-apart hues.
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 360;
}
