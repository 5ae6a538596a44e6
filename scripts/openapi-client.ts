// Writes test/client/openapi.d.ts, the types an integrator gets from openapi/openapi.json with openapi-typescript
// (`npm run openapi:client`, after `npm run openapi`), or with --check fails when the committed file differs
// (CI drift check, run by `npm run openapi:check`). test/integration/generated-client.test.ts drives a whole
// round with these types through openapi-fetch, so a document a generator cannot use fails the tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClientTypes } from '../test/client/generate.js';

const target = path.resolve('test/client/openapi.d.ts');
const generated = await generateClientTypes(fileURLToPath(new URL('../openapi/openapi.json', import.meta.url)));

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    console.error('test/client/openapi.d.ts is out of date: run `npm run openapi:client` and commit the result.');
    process.exit(1);
  }
  console.log('test/client/openapi.d.ts matches openapi/openapi.json.');
} else {
  fs.writeFileSync(target, generated);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
