import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework } from '../helpers/fixtures.js';
import { api, driveToCouncilReview, selfScores } from '../helpers/rounds.js';

// Configured signing keys, the public rate limit, and concurrent publishing (the chain stays one line).
const now = new Date('2025-10-20T03:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
let t: TestApp;
const rounds: string[] = [];

beforeAll(async () => {
  t = await createTestApp({
    clock: () => now,
    env: {
      SESSION_TTL_HOURS: '8760',
      PUBLIC_RATE_LIMIT_PER_MINUTE: '3',
      // As an env file carries it: one line with \n escapes.
      SIGNING_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      SIGNING_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    },
  });
  await seedDirectory(t);
  await insertFramework(t);
  for (const year of [2024, 2025]) {
    rounds.push(
      await driveToCouncilReview(t, {
        year,
        // One test framework (2025) for every year: one round per unit and year, each year's round on it.
        allowFrameworkYear: year === 2025 ? undefined : 'Bộ tiêu chí thử nghiệm dùng cho mọi năm',
        groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.good }, P2: { head: 'p2.head', self: selfScores.poor } } }],
      }),
    );
  }
}, 300_000);
afterAll(() => t.close());

describe('publishing concurrently', () => {
  it('two rounds published at once both succeed and chain one after the other', async () => {
    const [a, b] = await Promise.all(rounds.map((id, i) => api(t, 'coord', 'POST', `/api/v1/rounds/${id}/publications`, { decisionNumber: `${i + 1}/QĐ-UBND`, decisionDate: '2025-12-22' })));
    expect([a!.statusCode, b!.statusCode]).toEqual([201, 201]);
    const [pa, pb] = [a!.json(), b!.json()];
    const genesis = '0'.repeat(64);
    expect([pa.prevHash, pb.prevHash].sort()).toEqual([genesis, pa.prevHash === genesis ? pa.hash : pb.hash].sort());
  });

  // Issue 16 changed the loser's answer: 409 "already published" naming the publication, not a request for a reason.
  it('the same round published twice at once: one publication, the other request is told it is already published', async () => {
    const id = await driveToCouncilReview(t, {
      year: 2026,
      allowFrameworkYear: 'Bộ tiêu chí thử nghiệm dùng cho mọi năm',
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.na } } }],
    });
    const body = { decisionNumber: '3/QĐ-UBND', decisionDate: '2026-12-22' };
    const results = await Promise.all([0, 1].map(() => api(t, 'coord', 'POST', `/api/v1/rounds/${id}/publications`, body)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const winner = results.find((r) => r.statusCode === 201)!.json();
    expect(results.find((r) => r.statusCode === 409)!.json()).toMatchObject({ code: 'already_published', phase: 'published', publicationId: winner.id });
  });
});

describe('configured keys and rate limit', () => {
  it('signs with the configured key, generating nothing under DATA_DIR', async () => {
    const key = await t.app.inject({ method: 'GET', url: '/api/v1/public/signing-key' });
    expect(key.json().publicKeyPem).toBe(publicKeyPem);
    expect(fs.existsSync(path.join(t.config.dataDir, 'keys'))).toBe(false);
  });

  it('limits anonymous requests per client address', async () => {
    // The signing-key request above counted; 3 per minute per route.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await t.app.inject({ method: 'GET', url: '/api/v1/public/publications' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await t.app.inject({ method: 'GET', url: '/api/v1/public/publications' });
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, type: 'urn:par-index:problem:rate-limited' });
  });

  it('a key pair that does not match stops the app at start-up', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.config.dataDir, SIGNING_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SIGNING_PUBLIC_KEY: other });
    await expect(buildApp({ config, database: t.database, logger: false })).rejects.toThrow(/SIGNING_PUBLIC_KEY: does not belong to SIGNING_PRIVATE_KEY/);
  });
});
