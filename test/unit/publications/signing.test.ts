import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import { createKeyring, keyIdOf, parsePublicKey, sha256Hex, signerFromConfig, signerFromDirectory, verifySnapshot } from '../../../src/modules/publications/signing.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'par-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateDer: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicDer: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
};

const text = canonicalize({ b: [1, 2.5, 'Phường An Hòa'], a: { z: null, y: 83.33 } })!;

describe('signing keys', () => {
  it('keyId is the first 16 hex digits of the SHA-256 of the SPKI DER', () => {
    const k = pair();
    const s = signerFromConfig({ privateKey: k.privatePem, publicKey: undefined })!;
    expect(s.keyId).toBe(sha256Hex(Buffer.from(k.publicDer, 'base64')).slice(0, 16));
    expect(s.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(parsePublicKey(k.publicPem))).toBe(s.keyId);
  });

  it('accepts PEM (also with \\n escapes, as env files carry it) and base64 DER', () => {
    const k = pair();
    const a = signerFromConfig({ privateKey: k.privatePem, publicKey: k.publicPem })!;
    const b = signerFromConfig({ privateKey: k.privatePem.replace(/\n/g, '\\n'), publicKey: k.publicDer })!;
    const c = signerFromConfig({ privateKey: k.privateDer, publicKey: undefined })!;
    expect(new Set([a.keyId, b.keyId, c.keyId]).size).toBe(1);
    expect(a.publicKeyPem).toBe(k.publicPem);
  });

  it('refuses a public key that does not belong to the private key, garbage, and a lone public key', () => {
    expect(() => signerFromConfig({ privateKey: pair().privatePem, publicKey: pair().publicPem })).toThrow(/SIGNING_PUBLIC_KEY: does not belong to SIGNING_PRIVATE_KEY/);
    expect(() => signerFromConfig({ privateKey: 'not a key', publicKey: undefined })).toThrow(ConfigError);
    expect(() => signerFromConfig({ privateKey: 'not a key', publicKey: undefined })).toThrow(/SIGNING_PRIVATE_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signerFromConfig({ privateKey: rsa, publicKey: undefined })).toThrow(/expected an Ed25519 key/);
    expect(() => signerFromConfig({ privateKey: undefined, publicKey: pair().publicPem })).toThrow(/SIGNING_PUBLIC_KEY: set without SIGNING_PRIVATE_KEY/);
    expect(signerFromConfig({ privateKey: undefined, publicKey: undefined })).toBeNull();
  });

  it('the embedded default generates the key once under DATA_DIR/keys (0600) and keeps it', () => {
    const dir = tmp();
    const first = signerFromDirectory(dir);
    const file = path.join(dir, 'keys', 'ed25519-private.pem');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'keys', 'ed25519-public.pem'), 'utf8')).toBe(first.publicKeyPem);
    expect(signerFromDirectory(dir).keyId).toBe(first.keyId);
    expect(fs.readdirSync(path.join(dir, 'keys')).sort()).toEqual(['ed25519-private.pem', 'ed25519-public.pem']);
  });

  it('the keyring uses configured keys, else generates lazily on first use', () => {
    const dir = tmp();
    const lazy = createKeyring({ signing: { privateKey: undefined, publicKey: undefined }, dataDir: dir });
    expect(fs.existsSync(path.join(dir, 'keys'))).toBe(false);
    const s = lazy();
    expect(fs.existsSync(path.join(dir, 'keys', 'ed25519-private.pem'))).toBe(true);
    expect(lazy()).toBe(s);
    const k = pair();
    const configured = createKeyring({ signing: { privateKey: k.privatePem, publicKey: undefined }, dataDir: tmp() });
    expect(configured().publicKeyPem).toBe(k.publicPem);
  });
});

describe('verifySnapshot', () => {
  const k = pair();
  const signer = signerFromConfig({ privateKey: k.privatePem, publicKey: undefined })!;
  const bytes = Buffer.from(text, 'utf8');
  const good = { snapshotText: text, hash: sha256Hex(bytes), signature: signer.sign(bytes), publicKey: parsePublicKey(k.publicPem), keyId: signer.keyId };

  it('accepts the signed canonical text with only the public key', () => {
    expect(verifySnapshot(good)).toEqual({ valid: true, computedHash: good.hash, problems: [] });
  });

  it('flipping any one byte fails and names the snapshot', () => {
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i] = flipped[i]! ^ 0x01;
      const r = verifySnapshot({ ...good, snapshotText: flipped.toString('utf8'), label: 'snapshot X' });
      expect(r.valid, `byte ${i}`).toBe(false);
      expect(r.problems.some((p) => p.startsWith('snapshot X: SHA-256 is '))).toBe(true);
      expect(r.problems.some((p) => p.startsWith('signature: '))).toBe(true);
    }
  });

  it('names a wrong key, a wrong hash and a non-canonical text', () => {
    const other = pair();
    const r = verifySnapshot({ ...good, publicKey: parsePublicKey(other.publicPem) });
    expect(r.valid).toBe(false);
    expect(r.problems[0]).toMatch(/^signature: made with key [0-9a-f]{16}, but the key given is [0-9a-f]{16}$/);
    expect(verifySnapshot({ ...good, hash: '0'.repeat(64) }).problems).toEqual([expect.stringMatching(/^snapshot: SHA-256 is [0-9a-f]{64} but the published hash is 0{64}/)]);
    const spaced = JSON.stringify(JSON.parse(text), null, 1);
    expect(verifySnapshot({ ...good, snapshotText: spaced }).problems[0]).toMatch(/not the canonical JSON \(RFC 8785\)/);
    expect(verifySnapshot({ ...good, signature: 'AAAA' }).problems).toEqual([expect.stringMatching(/^signature: the Ed25519 signature does not verify/)]);
  });
});
