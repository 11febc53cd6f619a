/**
 * The demo site's forum: the seed site's own structure (the regions of its menu with their
 * countries, "Analysis"), and "Article discussions", where every article's thread is a topic.
 * Made once; seeding again adds nothing.
 */
import type { Deps } from '../deps.js';
import { createCategory, readCategories, type NewCategory } from './categories.js';

const REGIONS: Array<[string, string[]]> = [
  ['Global', []],
  ['Africa', ['Kenya', 'Nigeria', 'Somalia']],
  ['Asia', ['Afghanistan', 'Myanmar (Burma)', 'India', 'North Korea', 'Pakistan']],
  ['Europe', ['Russia']],
  ['Latin America', ['Brazil', 'Colombia', 'El Salvador', 'Honduras', 'Mexico', 'Venezuela']],
  ['Middle East', ['Iran', 'Iraq', 'Jordan', 'Kuwait', 'Lebanon', 'Libya', 'Saudi Arabia', 'Syria', 'Turkey', 'Yemen']],
];

const slugOf = (name: string) => name.toLowerCase().replace(/\(.*?\)/g, '').trim().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function demoCategories(): NewCategory[] {
  const list: NewCategory[] = [];
  for (const [region, countries] of REGIONS) {
    list.push({ slug: slugOf(region), name: region, description: `Security and intelligence in ${region === 'Global' ? 'the world at large' : region}.` });
    for (const country of countries) list.push({ slug: slugOf(country), name: country, description: `Discussions about ${country}.`, parent: slugOf(region) });
  }
  list.push({ slug: 'analysis', name: 'Analysis', description: 'Methods, sources and the craft of intelligence analysis.' });
  list.push({
    slug: 'article-discussions', name: 'Article discussions', description: 'The comments under every article, as forum topics.',
    startTopics: 'nobody', holdsArticles: true,
  });
  return list;
}

export async function seedDemoForum(deps: Deps, siteId: string): Promise<void> {
  if ((await readCategories(deps.db, siteId)).length > 0) return;
  for (const category of demoCategories()) await createCategory(deps, siteId, category);
}
