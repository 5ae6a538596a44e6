// Child process for crash.test.ts: uploads into a local blob store and is killed with SIGKILL.
//   node --import tsx put-child.ts <rootDir> mid-upload  → prints "started" once the first chunk is in
//                                                          the temp file, then keeps streaming slowly
//   node --import tsx put-child.ts <rootDir> after-put   → stores a whole PDF, prints "stored <key>", and
//                                                          waits forever, as if about to commit the row
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalBlobStore } from '../../../src/lib/blobs/local.js';
import { pdfBytes } from '../../fixtures/blobs/samples.js';

const [rootDir, mode] = process.argv.slice(2);
if (!rootDir || (mode !== 'mid-upload' && mode !== 'after-put')) {
  console.error('usage: put-child.ts <rootDir> mid-upload|after-put');
  process.exit(2);
}

const store = createLocalBlobStore(rootDir);
// Keeps the process alive while it waits to be killed.
setInterval(() => {}, 60_000);

async function* slowPdf(): AsyncGenerator<Uint8Array> {
  yield Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64 * 1024 - 9, 0x20)]);
  // Resumed only after the store has written the first chunk to its temp file.
  process.stdout.write('started\n');
  for (;;) {
    await sleep(20);
    yield Buffer.alloc(64 * 1024, 0x20);
  }
}

if (mode === 'mid-upload') {
  await store.put(slowPdf(), { maxBytes: 1024 * 1024 * 1024 });
  process.stdout.write('finished unexpectedly\n');
} else {
  const blob = await store.put(
    (async function* () {
      yield pdfBytes();
    })(),
    { maxBytes: 1024 * 1024 },
  );
  process.stdout.write(`stored ${blob.key}\n`);
}
