// Process entry point: configuration, database, listen, graceful shutdown. All behaviour lives in app.ts.
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp } from './app.js';
import { loggerOptions } from './lib/logging.js';
import { bootstrap, describeLogins } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { scheduledJobs } from './modules/jobs/jobs.schedule.js';
import { startScheduler } from './modules/jobs/jobs.service.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const logger = pino(loggerOptions(config.logLevel));
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
// Several instances may start at once on an empty database: one migrates and bootstraps under the start-up lock,
// the others wait for it and then find the schema current and the admin (and demo data) there.
const { app, report } = await database.withStartupLock(async () => {
  await database.migrate();
  logger.info({ driver: database.driver }, 'database migrated');
  const app = await buildApp({ config, database, logger });
  // Sweep and retention purge are scheduled jobs below (once per hour across all instances), not start-up duties.
  return { app, report: await bootstrap(app, { housekeeping: false }) };
});
const stopJobs = startScheduler({ jobs: app.services.jobs, definitions: scheduledJobs(app), clock: app.clock, log: app.log });

closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  await stopJobs();
  await app.close();
  await database.close();
});

await app.listen({ port: config.port, host: config.host });
if (config.env === 'production' && !config.publicBaseUrlSet) {
  // Printed QR codes outlive the process: in production they must point at the public name, not a guess.
  app.log.warn(
    'PUBLIC_BASE_URL is not set: survey links and QR codes use the address each request reached this service at; set it to the public address (e.g. https://cchc.example.gov.vn)',
  );
}
const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
// Printed to stdout (not only the JSON log) so a newcomer sees where to go and how to log in.
console.log('\n' + describeLogins(report, `http://${shownHost}:${port}`) + '\n');
