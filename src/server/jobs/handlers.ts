/** What each queue's jobs do, and starting the workers over them (in the server, or `parley worker`). */
import type { Deps } from '../deps.js';
import { openDatabase } from '../db/index.js';
import { fanOut } from '../notifications/fanout.js';
import { sendDigest, sendMailDelivery } from '../notifications/send.js';
import type { RecordedEvent } from '../outbox.js';
import { deliverWebhook } from '../webhooks/deliver.js';
import { QUEUES } from './queue.js';
import { startJobRunner, type JobRunner } from './runner.js';

export interface WorkerOptions {
  databaseUrl: string;
  /** Jobs running at once, per queue. */
  concurrency: number;
  pollSeconds: number;
}

/**
 * Starts the workers on connections of their own: a mail or webhook holds its row's lock (and so
 * a connection) while it goes out, which must never starve the requests' pool.
 */
export async function startWorkers(deps: Deps, options: WorkerOptions): Promise<JobRunner> {
  const queues = Object.values(QUEUES).length;
  const database = openDatabase(options.databaseUrl, { max: options.concurrency * queues + 2, onError: (err) => deps.log.error({ err }, 'job database connection lost') });
  const workerDeps: Deps = { ...deps, db: database.db };
  const runner = await startJobRunner({
    pool: database.pool,
    queue: deps.jobs,
    concurrency: options.concurrency,
    pollSeconds: options.pollSeconds,
    log: deps.log,
    handlers: {
      // The job's id keys what the fan-out writes: run twice, it writes nothing new.
      [QUEUES.events]: (job) => fanOut(workerDeps, job.data as RecordedEvent, job.id, { perHour: deps.notify.perHour }),
      [QUEUES.mail]: (job) => sendMailDelivery(workerDeps, job),
      [QUEUES.digest]: (job) => sendDigest(workerDeps, job),
      [QUEUES.webhook]: (job) => deliverWebhook(workerDeps, job),
    },
  });
  return {
    async stop(graceMs) {
      await runner.stop(graceMs);
      await database.close();
    },
  };
}

/** The URL of an open pool's database (the embedded server's, or DATABASE_URL). */
export function databaseUrlOf(pool: { options: { connectionString?: string } }): string {
  if (!pool.options.connectionString) throw new Error('the database pool was opened without a connection string');
  return pool.options.connectionString;
}
