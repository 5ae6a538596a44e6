// Tamper evidence for publications (SPEC §6): SHA-256 over the snapshot's canonical JSON (RFC 8785) and an
// Ed25519 signature over the same bytes. The key pair comes from configuration (SIGNING_PRIVATE_KEY and
// optionally SIGNING_PUBLIC_KEY, PEM or base64 DER), or — the embedded default — is generated once under
// DATA_DIR/keys/ and kept there. The verification half (verifySnapshot) needs nothing but a public key, so the
// offline verifier (scripts/verify-publication.ts) shares it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { ConfigError } from '../../config.js';

export const SIGNATURE_ALGORITHM = 'Ed25519' as const;

export interface SigningKey {
  keyId: string;
  publicKey: KeyObject;
  publicKeyPem: string;
}

export interface Signer extends SigningKey {
  /** Base64 Ed25519 signature of the bytes. */
  sign(data: Buffer): string;
}

/** First 16 hex digits of the SHA-256 of the public key's SPKI DER: short, stable, printable. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A public key from PEM text (literal "\n" escapes allowed, as env files often carry them) or base64 SPKI DER. */
export function parsePublicKey(text: string): KeyObject {
  const pem = unescapePem(text);
  const key = pem.includes('-----BEGIN') ? createPublicKey(pem) : createPublicKey({ key: Buffer.from(pem.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

function parsePrivateKey(text: string): KeyObject {
  const pem = unescapePem(text);
  const key = pem.includes('-----BEGIN') ? createPrivateKey(pem) : createPrivateKey({ key: Buffer.from(pem.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

const unescapePem = (s: string) => s.trim().replace(/\\n/g, '\n');

function signerOf(privateKey: KeyObject): Signer {
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (data) => sign(null, data, privateKey).toString('base64'),
  };
}

/**
 * The signer from configured keys. A configured public key must belong to the private key (checked by signing
 * and verifying a probe), so a mismatched pair stops the service at start-up instead of publishing signatures
 * nobody can verify.
 */
export function signerFromConfig(cfg: { privateKey: string | undefined; publicKey: string | undefined }): Signer | null {
  if (!cfg.privateKey) {
    if (cfg.publicKey) throw new ConfigError('Invalid configuration:\n  SIGNING_PUBLIC_KEY: set without SIGNING_PRIVATE_KEY');
    return null;
  }
  let privateKey: KeyObject;
  try {
    privateKey = parsePrivateKey(cfg.privateKey);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  SIGNING_PRIVATE_KEY: not an Ed25519 private key in PEM or base64 PKCS#8 DER (${(err as Error).message})`);
  }
  const signer = signerOf(privateKey);
  if (cfg.publicKey) {
    let publicKey: KeyObject;
    try {
      publicKey = parsePublicKey(cfg.publicKey);
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  SIGNING_PUBLIC_KEY: not an Ed25519 public key in PEM or base64 SPKI DER (${(err as Error).message})`);
    }
    const probe = Buffer.from('par-index signing key probe');
    if (!verify(null, probe, publicKey, Buffer.from(signer.sign(probe), 'base64'))) {
      throw new ConfigError('Invalid configuration:\n  SIGNING_PUBLIC_KEY: does not belong to SIGNING_PRIVATE_KEY');
    }
  }
  return signer;
}

/**
 * The embedded default: DATA_DIR/keys/ed25519-private.pem (0600), generated on first use and kept. Creation is
 * atomic (write a temporary file, then hard-link it into place), so two processes starting together end up with
 * the same key and a crash never leaves half a key behind.
 */
export function signerFromDirectory(dataDir: string): Signer {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'ed25519-private.pem');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const signer = signerOf(parsePrivateKey(fs.readFileSync(file, 'utf8')));
  // The public half beside it, for operators who hand it out; it is always derived from the private key.
  const pubFile = path.join(dir, 'ed25519-public.pem');
  if (!fs.existsSync(pubFile) || fs.readFileSync(pubFile, 'utf8') !== signer.publicKeyPem) fs.writeFileSync(pubFile, signer.publicKeyPem, { mode: 0o644 });
  return signer;
}

/** Configured keys when given, else the generated one under dataDir — loaded on first use, not at start-up. */
export function createKeyring(cfg: { signing: { privateKey: string | undefined; publicKey: string | undefined }; dataDir: string }): () => Signer {
  const configured = signerFromConfig(cfg.signing);
  let signer: Signer | null = configured;
  return () => (signer ??= signerFromDirectory(cfg.dataDir));
}

// ------------------------------------------------------------------------------------------ verification

export interface SnapshotVerification {
  valid: boolean;
  /** SHA-256 of the snapshot bytes as they are now. */
  computedHash: string;
  problems: string[];
}

/** A snapshot text parsed back and re-canonicalised (canonical undefined: RFC 8785 refuses the content). */
export type Reparsed = { parsed: unknown; canonical: string | undefined } | { error: Error };

function reparse(text: string): Reparsed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: err as Error };
  }
  try {
    return { parsed, canonical: canonicalize(parsed) };
  } catch {
    // Content RFC 8785 refuses (a lone surrogate escaped into the text, say) has no canonical form.
    return { parsed, canonical: undefined };
  }
}

/**
 * Checks a snapshot text against its recorded hash and signature with only a public key: the text must be the
 * canonical JSON of its own content, hash to the recorded SHA-256, and carry a valid Ed25519 signature. Every
 * failed check is named in `problems`.
 */
export function verifySnapshot(input: {
  snapshotText: string;
  /** The text's UTF-8 bytes when the caller has them already (a national publication's are ~70 MB). */
  snapshotBytes?: Buffer;
  hash: string;
  signature: string;
  publicKey: KeyObject;
  keyId?: string | undefined;
  label?: string;
  /** The text parsed and re-canonicalised by the caller (the service does it in slices); computed here when absent. */
  reparsed?: Reparsed;
}): SnapshotVerification {
  const label = input.label ?? 'snapshot';
  const problems: string[] = [];
  const bytes = input.snapshotBytes ?? Buffer.from(input.snapshotText, 'utf8');
  const computedHash = sha256Hex(bytes);
  let parsed: unknown;
  let canonical: string | undefined;
  const reparsed = input.reparsed ?? reparse(input.snapshotText);
  if ('error' in reparsed) {
    problems.push(`${label}: is not valid JSON any more (${reparsed.error.message}); it was altered after publication`);
  } else {
    ({ parsed, canonical } = reparsed);
  }
  if (parsed !== undefined && canonical !== input.snapshotText) {
    problems.push(`${label}: the text is not the canonical JSON (RFC 8785) of its own content; it was altered after publication`);
  }
  if (computedHash !== input.hash) {
    problems.push(`${label}: SHA-256 is ${computedHash} but the published hash is ${input.hash}; the content was altered after publication`);
  }
  const keyId = keyIdOf(input.publicKey);
  if (input.keyId !== undefined && input.keyId !== keyId) {
    problems.push(`signature: made with key ${input.keyId}, but the key given is ${keyId}`);
  }
  let signatureOk = false;
  try {
    signatureOk = verify(null, bytes, input.publicKey, Buffer.from(input.signature, 'base64'));
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) problems.push(`signature: the Ed25519 signature does not verify over the ${label} with key ${keyId}`);
  return { valid: problems.length === 0, computedHash, problems };
}
