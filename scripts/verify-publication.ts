// Offline verifier of a publication: `npm run verify-publication -- file.json [--key public-key.pem]`.
//
// The file is a publication as downloaded from GET /api/v1/public/publications/{id}: { hash, signature, keyId,
// snapshot, … }. The snapshot is canonicalised (RFC 8785) again, hashed with SHA-256 and its Ed25519 signature
// checked — with nothing but a public key: the one in --key (PEM or base64 SPKI DER, as served by
// GET /api/v1/public/signing-key), or else the key embedded in the snapshot, in which case the key id printed must
// be compared with the one the publishing authority announces. No network, no database.
// Exit status: 0 valid, 1 invalid, 2 usage or unreadable input.
import fs from 'node:fs';
import canonicalize from 'canonicalize';
import { keyIdOf, parsePublicKey, verifySnapshot } from '../src/modules/publications/signing.js';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: npm run verify-publication -- <publication.json> [--key <public-key.pem>]');
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let keyFile: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--key') keyFile = args[++i] ?? usage('--key needs a file');
  else if (a === '-h' || a === '--help') usage();
  else if (!file) file = a;
  else usage(`unexpected argument: ${a}`);
}
if (!file) usage();

let doc: { hash?: unknown; signature?: unknown; keyId?: unknown; snapshot?: unknown; publicKeyPem?: unknown };
try {
  doc = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  usage(`cannot read ${file}: ${(err as Error).message}`);
}
if (typeof doc.hash !== 'string' || typeof doc.signature !== 'string' || doc.snapshot === undefined) {
  usage(`${file} is not a publication document (it needs hash, signature and snapshot)`);
}

// The snapshot as signed: its canonical JSON (a string snapshot is taken as that text itself).
const snapshotText = typeof doc.snapshot === 'string' ? doc.snapshot : canonicalize(doc.snapshot);
if (snapshotText === undefined) usage('the snapshot cannot be canonicalised');

let keyText: string | undefined;
let keySource: string;
if (keyFile) {
  try {
    keyText = fs.readFileSync(keyFile, 'utf8');
  } catch (err) {
    usage(`cannot read ${keyFile}: ${(err as Error).message}`);
  }
  keySource = keyFile;
} else {
  const embedded = typeof doc.snapshot === 'object' && doc.snapshot !== null ? (doc.snapshot as { signer?: { publicKeyPem?: unknown } }).signer?.publicKeyPem : undefined;
  keyText = typeof embedded === 'string' ? embedded : typeof doc.publicKeyPem === 'string' ? doc.publicKeyPem : undefined;
  if (!keyText) usage('no --key given and the document embeds no public key');
  keySource = 'the key embedded in the document';
}

let publicKey;
try {
  publicKey = parsePublicKey(keyText!);
} catch (err) {
  usage(`not an Ed25519 public key (${keySource}): ${(err as Error).message}`);
}

const result = verifySnapshot({
  snapshotText: snapshotText!,
  hash: doc.hash as string,
  signature: doc.signature as string,
  publicKey,
  keyId: typeof doc.keyId === 'string' ? doc.keyId : undefined,
});

const snap = typeof doc.snapshot === 'object' && doc.snapshot !== null ? (doc.snapshot as { id?: string; decision?: { number?: string; date?: string } }) : {};
console.log(`publication: ${snap.id ?? '?'}  decision: ${snap.decision?.number ?? '?'} (${snap.decision?.date ?? '?'})`);
console.log(`hash:        ${doc.hash as string}`);
console.log(`computed:    ${result.computedHash}`);
console.log(`key:         ${keyIdOf(publicKey)} (${keySource})`);
if (!keyFile) console.log('             compare this key id with GET /api/v1/public/signing-key of the publishing authority');
if (result.valid) {
  console.log('VALID: the snapshot is exactly what was signed.');
  process.exit(0);
}
console.log('INVALID:');
for (const p of result.problems) console.log(`  - ${p}`);
process.exit(1);
