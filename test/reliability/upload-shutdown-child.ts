// Child process for upload-shutdown.test.ts: the app on a test database, listening, shut down on SIGTERM the way
// src/server.ts does it (close-with-grace, 10 s grace, then app.close() and the database).
//   node --import tsx upload-shutdown-child.ts → prints "ready <port> <roundId> <dataDir> <bearer token>"
import closeWithGrace from 'close-with-grace';
import type { AddressInfo } from 'node:net';
import { createTestApp, seedDirectory } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';

const t = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z'), env: { SESSION_TTL_HOURS: '8760', EVIDENCE_MAX_MB: '50' } });
await seedDirectory(t);
await insertFramework(t);
const roundId = await openRound(t);
const token = (await t.as('p1.editor')).authorization!.replace(/^Bearer /, '');

closeWithGrace({ delay: 10_000 }, async () => {
  await t.app.close();
  await t.database.close();
});

await t.app.listen({ port: 0, host: '127.0.0.1' });
const { port } = t.app.server.address() as AddressInfo;
process.stdout.write(`ready ${port} ${roundId} ${t.config.dataDir} ${token}\n`);
