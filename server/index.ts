/**
 * Entrypoint: the only file that reads the environment, listens and handles signals.
 */
import { configFromEnv } from './config';
import { createServer } from './createServer';
import { createLogger } from './logger';

const config = configFromEnv(process.env);
const logger = createLogger(config.logLevel);
const server = await createServer(config, { logger }).catch((err: unknown) => {
  // A readable line instead of a stack trace: e.g. another server already has this DATA_DIR.
  logger.error(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
const { url } = await server.listen();
logger.info(`Mobflow listening on ${url}`, { port: config.port, dataDir: config.dataDir, web: config.web });

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error('shutdown failed', { err: String(err) });
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
