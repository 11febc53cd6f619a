/**
 * What every piece of user text goes through before it is stored, besides the sanitizer:
 * control characters PostgreSQL or a reader's screen would choke on are taken out.
 */

// NUL and the other C0/C1 controls but tab and line breaks: PostgreSQL refuses NUL in text,
// and the rest only serve to hide or garble what a reader sees.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function stripControls(text: string): string {
  return text.replace(CONTROL, '');
}

/** A display name: no controls and no bidi overrides, so "evil\u202Eeman" cannot show as "name live". */
export function cleanName(name: string): string {
  return stripControls(name).replace(BIDI_CONTROLS, '').trim();
}

const OPENERS: Record<string, string> = {
  '\u202A': '\u2066', '\u202D': '\u2066', // LRE, LRO -> LRI
  '\u202B': '\u2067', '\u202E': '\u2067', // RLE, RLO -> RLI
  '\u2066': '\u2066', '\u2067': '\u2067', '\u2068': '\u2068',
};
const CLOSERS = new Set(['\u202C', '\u2069']); // PDF, PDI
const PDI = '\u2069';

/**
 * Comment text keeps its direction marks (a reader mixing Arabic and English needs them), but
 * each is made an isolate closed on the same line: whatever a line does to its direction ends
 * with the line, and cannot reverse the text after it.
 */
export function isolateBidi(text: string): string {
  return text.split('\n').map((line) => {
    let open = 0;
    let out = '';
    for (const ch of line) {
      if (OPENERS[ch]) { open++; out += OPENERS[ch]; } else if (CLOSERS.has(ch)) {
        if (open > 0) { open--; out += PDI; }
      } else out += ch;
    }
    return out + PDI.repeat(open);
  }).join('\n');
}

/** A comment body as it is stored: controls out, direction changes isolated per line. */
export function cleanBody(body: string): string {
  return isolateBidi(stripControls(body.replace(/\r\n?/g, '\n')));
}
