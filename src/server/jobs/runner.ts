/**
 * The workers: for each queue, keep up to `concurrency` jobs running, taking more as soon as one
 * ends, from pg-boss (`fetch`, `complete`, `fail`: its locking hands each job to one worker of
 * one process). pg-boss's own `work()` waits a full polling interval between batches; this loop
 * starts the next job at once while there are jobs, and sleeps only when the queue is empty,
 * until the poll interval passes or this process commits a job (`wake`).
 *
 * pg-boss's supervisor retries a job whose worker died (kill -9) once it has been active longer
 * than its timeout; failures are retried with exponential backoff. What makes a retried job
 * harmless is in each handler: mails and webhook deliveries are rows locked while they go out
 * and marked done in the same transaction.
 */
import type pg from 'pg';
import PgBoss from 'pg-boss';
import type { ErrorReporter } from '../deps.js';
import { poolDb, type JobQueue, type QueueName } from './queue.js';

export interface Job<T = unknown> {
  id: string;
  data: T;
  /** 0 on the first try. */
  retryCount: number;
}

export type JobHandler = (job: Job<any>) => Promise<void>;

export interface RunnerOptions {
  pool: pg.Pool;
  queue: JobQueue;
  handlers: Partial<Record<QueueName, JobHandler>>;
  concurrency: number;
  pollSeconds: number;
  log: ErrorReporter & { warn?(obj: object, msg: string): void };
}

export interface JobRunner {
  /** Stops taking jobs and waits (up to `graceMs`) for those running. */
  stop(graceMs?: number): Promise<void>;
}

/** How often the supervisor looks for jobs whose worker died: often enough for the job timeout. */
function maintenanceSeconds(timeoutSeconds: number): number {
  return Math.max(1, Math.min(60, Math.floor(timeoutSeconds / 2)));
}

export async function startJobRunner(options: RunnerOptions): Promise<JobRunner> {
  const boss = new PgBoss({
    db: poolDb(options.pool), migrate: false, schedule: false, supervise: true,
    maintenanceIntervalSeconds: maintenanceSeconds(options.queue.settings.timeoutSeconds),
  });
  boss.on('error', (err) => options.log.error({ err }, 'job queue error'));
  await boss.start();
  let stopping = false;
  const running = new Set<Promise<void>>();
  const loops = Object.entries(options.handlers).map(([name, handler]) =>
    runQueue({ ...options, boss, name: name as QueueName, handler: handler!, running, isStopping: () => stopping }));
  return {
    async stop(graceMs = 5_000) {
      stopping = true;
      loops.forEach((loop) => loop.wake());
      const settled = Promise.allSettled([...running, ...loops.map((loop) => loop.done)]);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      // Jobs still running stay active: after their timeout, another worker retries them.
      await boss.stop({ graceful: false, wait: true, close: false });
    },
  };
}

function runQueue(input: RunnerOptions & {
  boss: PgBoss; name: QueueName; handler: JobHandler; running: Set<Promise<void>>; isStopping: () => boolean;
}) {
  const { boss, name, handler, concurrency, log } = input;
  let inFlight = 0;
  let wakeUp: (() => void) | undefined;
  // A wake that comes while jobs are being fetched must not be lost to the sleep that follows.
  let woken = false;
  const wake = () => { woken = true; wakeUp?.(); };
  const offWake = input.queue.onWake((queue) => { if (queue === name) wake(); });

  async function runOne(job: Job): Promise<void> {
    try {
      await handler(job);
      await boss.complete(name, job.id);
    } catch (err) {
      log.error({ err, queue: name, retryCount: job.retryCount }, 'job failed; it will be retried');
      await boss.fail(name, job.id, { message: err instanceof Error ? err.message : String(err) }).catch(() => {});
    } finally {
      inFlight -= 1;
      wake();
    }
  }

  async function loop(): Promise<void> {
    while (!input.isStopping()) {
      woken = false;
      const room = concurrency - inFlight;
      const jobs = room > 0
        ? await boss.fetch<unknown>(name, { batchSize: room, includeMetadata: true }).catch((err: unknown) => {
          log.error({ err, queue: name }, 'could not fetch jobs');
          return [];
        })
        : [];
      for (const job of jobs ?? []) {
        inFlight += 1;
        const run = runOne({ id: job.id, data: job.data, retryCount: (job as { retryCount?: number }).retryCount ?? 0 });
        input.running.add(run);
        void run.finally(() => input.running.delete(run));
      }
      // More may be waiting when a whole batch came: ask again at once while there is room.
      if (jobs && jobs.length > 0 && jobs.length === room) continue;
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, input.pollSeconds * 1000);
        wakeUp = () => { clearTimeout(timer); resolve(); };
      });
      wakeUp = undefined;
    }
    offWake();
  }

  const done = loop();
  return { wake, done };
}
