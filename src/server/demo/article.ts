import { readFileSync } from 'node:fs';

/** The demo article (a real page of the first site Parley serves), parsed from its text copy. */
export interface DemoArticle {
  siteName: string;
  nav: string[];
  title: string;
  date: string;
  blocks: Array<{ kind: 'heading' | 'paragraph' | 'byline'; text: string }>;
  archives: string[];
  categories: string[];
}

const isHeading = (line: string) => line.length < 90 && !/[.:"”]$/.test(line);

export function parseArticle(text: string): DemoArticle {
  const lines = text.split(/\r?\n/);
  const siteName = lines[0].trim();
  const titleAt = lines.findIndex((l, i) => i > 0 && /^\S/.test(l));
  const nav = lines.slice(1, titleAt).filter((l) => /^ {2}• /.test(l)).map((l) => l.replace(/^\s*•\s*/, '').trim());
  const endAt = lines.findIndex((l, i) => i > titleAt && l.trim() === 'comments powered by Disqus');
  const body = lines.slice(titleAt + 3, endAt - 1).map((l) => l.trim()).filter((l) => l && l !== 'Comments');
  const blocks = body.map((line, i) => {
    if (i === body.length - 1) return { kind: 'byline' as const, text: line };
    return { kind: isHeading(line) ? ('heading' as const) : ('paragraph' as const), text: line };
  });
  const listAfter = (label: string, stop: string) => {
    const from = lines.findIndex((l) => l.trim() === label);
    const to = lines.findIndex((l, i) => i > from && l.trim() === stop);
    return lines.slice(from + 1, to).map((l) => l.trim()).filter(Boolean);
  };
  return {
    siteName,
    nav: [...nav, 'Forums (Beta)'],
    title: lines[titleAt].trim(),
    date: lines[titleAt + 2].trim(),
    blocks,
    archives: listAfter('Archives', 'Categories'),
    categories: listAfter('Categories', 'RSS Feed'),
  };
}

let cached: DemoArticle | undefined;
export function demoArticle(): DemoArticle {
  cached ??= parseArticle(readFileSync(new URL('./article-page.txt', import.meta.url), 'utf8'));
  return cached;
}
