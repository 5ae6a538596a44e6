// `npm run db:migrate`: apply migrations to DATABASE_URL, or to the embedded database under DATA_DIR.
import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  // The same start-up lock the server takes: safe while instances are starting.
  await database.withStartupLock(() => database.migrate());
  console.log(`migrations applied (${database.driver})`);
} finally {
  await database.close();
}
