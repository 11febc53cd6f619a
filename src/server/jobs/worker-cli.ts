/**
 * `npm run parley -- worker`: the job workers (mail, digests, webhooks) in a process of their own,
 * for those who run the web processes with JOBS_IN_PROCESS=false. Any number of them may share
 * one database: pg-boss hands each job to one worker. Readers' live counts reach their sockets
 * through the socket adapter's Redis or PostgreSQL channel, as the web processes' events do.
 */
import { Emitter as PostgresEmitter } from '@socket.io/postgres-emitter';
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { createDeps } from '../deps.js';
import { createMailer } from '../mail/mailer.js';
import { relayNotifications, type RoomEmitter } from '../realtime/notifications.js';
import { createLogger, openConfiguredDatabase } from '../runtime.js';
import { databaseUrlOf, startWorkers } from './handlers.js';

export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  if (!config.databaseUrl) log.warn('no DATABASE_URL: this worker has an embedded database of its own, which no web process shares');
  const { database, embedded } = await openConfiguredDatabase(config, log);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3 }) : undefined;
  const deps = createDeps({
    db: database.db, secret: config.sessionSecret, log, publicUrl: config.publicUrl, jobs: config.jobs,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log, maxConnections: config.jobs.concurrency }),
    notify: { perHour: config.notificationsPerHour, webhooksAllowPrivate: config.webhooksAllowPrivate },
  });
  const rooms = (redis
    ? new RedisEmitter(redis, { key: `${config.redisPrefix}:socket.io` })
    : new PostgresEmitter(database.pool, '/', { channelPrefix: `${config.redisPrefix}.socket.io` })) as unknown as RoomEmitter;
  const stopRelay = relayNotifications(deps, rooms);
  const workers = await startWorkers(deps, { databaseUrl: databaseUrlOf(database.pool), ...config.jobs });
  log.info({ concurrency: config.jobs.concurrency }, 'Parley worker running');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  log.info('worker stopping');
  stopRelay();
  await workers.stop();
  deps.mailer.close();
  await redis?.quit();
  await database.close();
  await embedded?.stop();
}
