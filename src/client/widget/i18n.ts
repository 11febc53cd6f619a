/**
 * The words of the widget's interface in the language this bundle was built for, with numbers,
 * plurals, dates and durations through Intl so each language follows its own rules.
 */
import type { ComponentChild } from 'preact';
import type { PluralKey, TextKey } from './i18n/en.js';
import language from './i18n/lang.js';

export const { lang, dir } = language;
const pluralRules = new Intl.PluralRules(lang);
export const formatNumber = (n: number): string => new Intl.NumberFormat(lang).format(n);

/** A sentence with `{name}` slots filled with text. */
export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  return language.text[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** "3 Comments", "٣ تعليقات": the form CLDR's rules pick for `n`. */
export function tn(key: PluralKey, n: number): string {
  const forms = language.plurals[key];
  return (forms[pluralRules.select(n)] ?? forms.other).replace('#', formatNumber(n));
}

/** A sentence whose slots hold elements (a name in <strong>, a link), as a list of children. */
export function tParts(key: TextKey, slots: Record<string, ComponentChild>): ComponentChild[] {
  return language.text[key].split(/\{(\w+)\}/).map((part, i) => (i % 2 ? slots[part] : part));
}

/** The reader-facing sentence for an API error code. */
export function errorMessage(code: string): string | undefined {
  return (language.errors as Record<string, string>)[code];
}
