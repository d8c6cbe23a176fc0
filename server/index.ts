/**
 * Entrypoint: the only file that reads the environment, listens and handles signals.
 *
 * Exit codes: 0 after a clean shutdown, 1 when the server could not start or shut down, 2 for an
 * invalid environment, 3 when Redis or PostgreSQL (cluster mode) cannot be reached at start.
 */
import { EngineUnreachable, EXIT_UNREACHABLE } from './cluster/mode';
import { type Config, configFromEnv } from './config';
import { createServer } from './createServer';
import { createLogger } from './logger';

const EXIT_CONFIG = 2;

let config: Config;
try {
  config = configFromEnv(process.env);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_CONFIG);
}
const logger = createLogger(config.logLevel, config.cluster ? { instance: config.cluster.instanceId } : {});
const server = await createServer(config, { logger }).catch((err: unknown) => {
  // A readable line instead of a stack trace: e.g. another server already has this DATA_DIR.
  logger.error(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof EngineUnreachable ? EXIT_UNREACHABLE : 1);
});
const { url } = await server.listen();
logger.info(`Mobflow listening on ${url}`, { port: config.port, ...(config.cluster ? { cluster: config.cluster.instanceId } : { dataDir: config.dataDir }), web: config.web });

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
