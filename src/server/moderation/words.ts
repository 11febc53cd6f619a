/**
 * Whole-word matching for banned and suspect words, in any script: case and accents are
 * folded, and Arabic's diacritics (harakat) and tatweel ignored, so "Spam", "spám" and
 * "SPAM" are one word, and كَلِمَة is كلمة.
 */

/** Folds text for matching (not for showing). */
export function foldForMatching(text: string): string {
  return text.normalize('NFKD').replace(/[\p{M}\u0640]/gu, '').toLowerCase();
}

/** The listed words (or phrases) the text contains as whole words, as listed. */
export function wordsFound(text: string, listed: string[]): string[] {
  if (listed.length === 0) return [];
  const folded = ` ${foldForMatching(text).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return listed.filter((word) => {
    const needle = foldForMatching(word).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    return needle !== '' && folded.includes(` ${needle} `);
  });
}

/** Links in a comment's markdown source: what a reader could follow. */
export function countLinks(source: string): number {
  return (source.match(/\bhttps?:\/\/|\bwww\.[^\s.]+\.[^\s]/gi) ?? []).length;
}
