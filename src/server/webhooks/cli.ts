import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { createWebhook } from './service.js';

type WithDatabase = <T>(work: (deps: Deps, config: Config) => Promise<T>) => Promise<T>;

/** create-webhook --site SLUG --url URL --events a,b [--secret S]: prints the endpoint's id and its secret (shown this once). */
export async function createWebhookCommand(args: string[], withDatabase: WithDatabase): Promise<void> {
  const { values } = parseArgs({
    args, options: { site: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' }, secret: { type: 'string' } },
  });
  if (!values.site || !values.url || !values.events) throw new Error('Give --site SLUG --url URL --events a,b [--secret S].');
  const { site, url, events, secret } = values;
  await withDatabase(async (deps, config) => {
    deps.notify.webhooksAllowPrivate = config.webhooksAllowPrivate;
    const created = await createWebhook(deps, null, site, { url, events: events.split(','), secret });
    console.log(`Webhook ${created.webhook.id} on ${site}: ${created.webhook.url} for ${created.webhook.events.join(', ')}`);
    console.log(`Signing secret (shown once): ${created.secret}`);
  });
}
