// Process entry point: configuration, database, listen, graceful shutdown. All behaviour lives in app.ts.
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp, redactPaths } from './app.js';
import { bootstrap, describeLogins, purgeSurveyPersonalData, sweepEvidence } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';

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

const logger = pino({ level: config.logLevel, redact: { paths: redactPaths, censor: '[redacted]' } });
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
await database.migrate();
logger.info({ driver: database.driver }, 'database migrated');

const app = await buildApp({ config, database, logger });
const report = await bootstrap(app);
if (report.sweep.orphansRemoved || report.sweep.tempRemoved) app.log.info(report.sweep, 'removed evidence files left by interrupted uploads');
const sweeper = setInterval(() => {
  sweepEvidence(app).catch((err) => app.log.warn({ err }, 'evidence sweep failed'));
  purgeSurveyPersonalData(app).catch((err) => app.log.warn({ err }, 'survey personal data purge failed'));
}, 3_600_000);
sweeper.unref();

closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  clearInterval(sweeper);
  await app.close();
  await database.close();
});

await app.listen({ port: config.port, host: config.host });
const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
// Printed to stdout (not only the JSON log) so a newcomer sees where to go and how to log in.
console.log('\n' + describeLogins(report, `http://${shownHost}:${port}`) + '\n');
