import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { getSiteBySlug } from '../sites/service.js';
import { createCategory } from './categories.js';

type WithDatabase = <T>(work: (deps: Deps) => Promise<T>) => Promise<T>;

/** `create-category --site S --slug s --name N [--description D] [--parent p] [--start members|staff|nobody] [--locked] [--articles]` */
export async function createCategoryCommand(args: string[], withDatabase: WithDatabase): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      site: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, parent: { type: 'string' },
      start: { type: 'string' }, locked: { type: 'boolean' }, articles: { type: 'boolean' },
    },
  });
  if (!values.site || !values.slug || !values.name) throw new Error('Give --site SLUG --slug CATEGORY --name NAME.');
  const { site: slug, start, articles, ...rest } = values;
  await withDatabase(async (deps) => {
    const site = await getSiteBySlug(deps, slug);
    const category = await createCategory(deps, site.id, {
      slug: rest.slug!, name: rest.name!, description: rest.description, parent: rest.parent, locked: rest.locked,
      startTopics: (start ?? (articles ? 'nobody' : 'members')) as 'members' | 'staff' | 'nobody', holdsArticles: articles,
    });
    console.log(`Category ${category.slug} ("${category.name}") on ${site.slug}${category.holdsArticles ? ': holds the site\'s article threads' : ''}.`);
  });
}
