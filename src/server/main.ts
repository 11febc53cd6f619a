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
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  log.fatal({ err }, 'Parley could not start');
  process.exit(1);
}
