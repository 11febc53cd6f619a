/**
 * `@name` mentions. Names may hold spaces and any script, so the body is searched for each
 * candidate's name after an `@` (longest names first, so "@Ana Lopez" is not also "@Ana"), case-
 * insensitively, ending where a letter or digit does not follow.
 */
export interface MentionCandidate {
  userId: string;
  name: string;
}

/** At most this many people are mailed for one comment's mentions: more is a broadcast, not a mention. */
export const MAX_MENTIONS = 10;

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

export function findMentions(body: string, candidates: MentionCandidate[]): string[] {
  const text = body.normalize('NFC').toLocaleLowerCase();
  const byLength = [...candidates].filter((c) => c.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const taken: Array<[number, number]> = [];
  const found = new Set<string>();
  for (const candidate of byLength) {
    const needle = `@${candidate.name.normalize('NFC').toLocaleLowerCase()}`;
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      const end = at + needle.length;
      // "@Ana" inside "x@ana.example" (an address) or followed by more of a name is no mention of Ana.
      if (isNameChar(text[end]) || isNameChar(text[at - 1])) continue;
      if (taken.some(([from, to]) => at < to && end > from)) continue;
      taken.push([at, end]);
      found.add(candidate.userId);
      break;
    }
    if (found.size >= MAX_MENTIONS) break;
  }
  return [...found];
}
