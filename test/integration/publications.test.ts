import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import canonicalize from 'canonicalize';
import { eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publications } from '../../src/db/schema.js';
import { annexHeader } from '../../src/modules/publications/exports.js';
import { parsePublicKey, sha256Hex, verifySnapshot } from '../../src/modules/publications/signing.js';
import type { Snapshot } from '../../src/modules/publications/snapshot.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { pdfText } from '../helpers/pdf.js';
import { api, driveToCouncilReview, itemUrl, selfScores, writeItem } from '../helpers/rounds.js';

// Two years of the same framework lineage 'XA' (XA-T24 for 2024, XA-T for 2025) on the wards P1 and P2:
//   2024 (round A): P1 self "poor" 0.25 of 7 → 3.57 % Yếu, rank 2; P2 "na" 4 of 5 + bonus 0.25 = 4.25 → 85 % Tốt, rank 1.
//   2025 (round B): P1 "good" 6.10 + bonus 0.5 = 6.60 of 7 → 94.29 % Xuất sắc, rank 1 (previous 3.57, change +90.72);
//                   P2 4.25 of 5 → 85 % Tốt, rank 2 (previous 85, change 0).
// Round C stays in self-assessment: nothing of it may ever be visible anonymously.
const now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundA: string;
let roundB: string;
let roundC: string;
const pub: Record<string, { id: string; hash: string; prevHash: string; signature: string; keyId: string }> = {};
const GENESIS = '0'.repeat(64);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-pub-'));

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const publish = (roundId: string, body: object, who = 'coord', extra: Record<string, string> = {}) => api(t, who, 'POST', `/api/v1/rounds/${roundId}/publications`, body, extra);

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '8760', PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  await seedDirectory(t);
  await insertFramework(t, { code: 'XA-T24', lineage: 'XA', year: 2024 });
  await insertFramework(t, { code: 'XA-T', lineage: 'XA' });
  const wards = (y2025: boolean) => ({
    P1: { head: 'p1.head', self: y2025 ? selfScores.good : selfScores.poor, bonus: y2025 ? 0.5 : 0 },
    P2: { head: 'p2.head', self: selfScores.na, bonus: 0.25 },
  });
  roundA = await driveToCouncilReview(t, { year: 2024, groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T24', units: wards(false) }] });
  roundB = await driveToCouncilReview(t, { year: 2025, groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: wards(true) }] });
  // Another year: P1 and P2 are already in round B of 2025 (one non-cancelled round per unit and year).
  roundC = await openRound(t, { year: 2026 });
}, 300_000);
afterAll(async () => {
  await t.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** URLs that expose unpublished data; every one needs a token. */
const privateUrls = (roundId: string) => [
  '/api/v1/rounds',
  `/api/v1/rounds/${roundId}`,
  `/api/v1/rounds/${roundId}/results`,
  `/api/v1/rounds/${roundId}/results.csv`,
  `/api/v1/rounds/${roundId}/results.xlsx`,
  `/api/v1/rounds/${roundId}/discrepancies.csv`,
  `/api/v1/rounds/${roundId}/progress`,
  `/api/v1/rounds/${roundId}/progress.csv`,
  `/api/v1/rounds/${roundId}/appraisers`,
  `/api/v1/rounds/${roundId}/appraisal-queue`,
  `/api/v1/rounds/${roundId}/assessments/P1`,
  itemUrl(roundId, 'P1', '1.1'),
  '/api/v1/frameworks',
  '/api/v1/frameworks/XA-T',
  '/api/v1/frameworks/XA-T/export.json',
  '/api/v1/org-units',
  '/api/v1/users',
  '/api/v1/audit',
];

describe('before publication', () => {
  it('nothing is public, and every draft, round, result and assessment URL refuses anonymous access', async () => {
    expect((await get('/api/v1/public/publications')).json()).toEqual([]);
    expect((await get('/api/v1/public/publications?includeSuperseded=true')).json()).toEqual([]);
    for (const roundId of [roundA, roundC]) {
      for (const url of privateUrls(roundId)) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(401);
        expect(res.headers['content-type'], url).toContain('application/problem+json');
      }
    }
    // A round's id is not a publication id.
    expect((await get(`/api/v1/public/publications/${roundA}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/public/publications/${roundA}.pdf`)).statusCode).toBe(404);
    expect((await get(`/api/v1/public/publications/${roundA}/verify`)).statusCode).toBe(404);
    expect((await get('/api/v1/public/units/P1/history')).statusCode).toBe(404);
  });
});

describe('publishing', () => {
  it('is the coordinator’s, from council_review only, with a valid decision', async () => {
    const decision = { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-01-15' };
    expect((await publish(roundA, decision, 'p1.head')).statusCode).toBe(403);
    expect((await publish(roundA, decision, 'admin')).statusCode).toBe(403);
    expect((await publish(roundA, decision, 'appraiser')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${roundA}/publications`, payload: decision })).statusCode).toBe(401);
    const early = await publish(roundC, decision);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ phase: 'self_assessment', type: 'urn:par-index:problem:wrong-phase' });
    const missing = await publish(roundA, { decisionDate: '2025-01-15' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.decisionNumber');
    expect((await publish(roundA, { ...decision, decisionDate: '2025-02-30' })).json().errors[0].field).toBe('body.decisionDate');
    const reason = await publish(roundA, { ...decision, reason: 'x' });
    expect(reason.statusCode).toBe(422);
    expect(reason.json().errors).toEqual([expect.objectContaining({ field: 'body.reason', code: 'not_a_correction' })]);
    expect((await publish('00000000-0000-4000-8000-000000000000', decision)).statusCode).toBe(404);
  });

  it('refuses while any unit is not final, listing the open items', async () => {
    const db = t.database.db;
    const target = sql`assessment_id = (select id from assessments where round_id = ${roundA} and unit_code = 'P1') and criterion_code = '2.2'`;
    await db.execute(sql`update assessment_items set self_confirmed_at = null where ${target}`);
    const res = await publish(roundA, { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-01-15' });
    await db.execute(sql`update assessment_items set self_confirmed_at = ${now.toISOString()} where ${target}`);
    expect(res.statusCode).toBe(409);
    // The round's only appraiser covers the bonus area: area 2 has no eligible appraiser, the first reason (issue 13).
    expect(res.json().openItems).toEqual([{ groupCode: 'XA', unitCode: 'P1', unitName: 'UBND Phường 1', criterionCode: '2.2', title: 'Rà soát, đơn giản hóa TTHC', areaCode: '2', reason: 'no_eligible_appraiser' }]);
    expect((await api(t, 'coord', 'GET', `/api/v1/rounds/${roundA}`)).json().phase).toBe('council_review');
  });

  it('freezes the round: the round moves to published, the publication starts the chain', async () => {
    const res = await publish(roundA, { decisionNumber: '90/QĐ-UBND', decisionDate: '2025-01-15' });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ roundId: roundA, year: 2024, decisionNumber: '90/QĐ-UBND', decisionDate: '2025-01-15', algorithm: 'Ed25519', prevHash: GENESIS, supersedesId: null, reason: null });
    expect(p.groups).toEqual([{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T24', units: 2 }]);
    expect(p.links.pdf).toBe(`/api/v1/public/publications/${p.id}.pdf`);
    pub.A = p;
    expect((await api(t, 'coord', 'GET', `/api/v1/rounds/${roundA}`)).json().phase).toBe('published');
    const audit = (await api(t, 'coord', 'GET', '/api/v1/audit?entityType=publication')).json().items;
    expect(audit.map((e: { action: string; entityId: string }) => `${e.action}:${e.entityId}`)).toContain(`publication.created:${p.id}`);
  });

  it('the snapshot equals the live results at publish time; previous-year index and change come from the same lineage', async () => {
    const live = (await api(t, 'coord', 'GET', `/api/v1/rounds/${roundB}/results?include=trace`)).json();
    const key = `pub-b-${Date.now()}`;
    const res = await publish(roundB, { decisionNumber: '125/QĐ-UBND', decisionDate: '2025-12-22' }, 'coord', { 'idempotency-key': key });
    expect(res.statusCode, res.body).toBe(201);
    pub.B = res.json();
    expect(pub.B.prevHash).toBe(pub.A!.hash);
    // A retry with the same key replays the first response instead of publishing twice.
    const replay = await publish(roundB, { decisionNumber: '125/QĐ-UBND', decisionDate: '2025-12-22' }, 'coord', { 'idempotency-key': key });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(pub.B.id);

    const doc = (await get(`/api/v1/public/publications/${pub.B.id}`)).json();
    const s = doc.snapshot as Snapshot;
    expect(s).toMatchObject({ id: pub.B.id, round: { id: roundB, year: 2025 }, decision: { number: '125/QĐ-UBND', date: '2025-12-22' }, prevHash: pub.A!.hash, supersedes: null });
    expect(s.groups.map((g) => [g.code, g.framework.code, g.framework.lineage, g.framework.version])).toEqual([['XA', 'XA-T', 'XA', 1]]);
    const [liveGroup] = live.groups;
    const [group] = s.groups;
    expect(group!.rows.map((r) => r.unitCode)).toEqual(liveGroup.rows.map((r: { unitCode: string }) => r.unitCode));
    group!.rows.forEach((row, i) => {
      const l = liveGroup.rows[i];
      // `digest` is the row's proof inside the signed document (tamper evidence), checked below.
      const { previous: _p, change: _c, surveys, items, digest, ...frozen } = row as typeof row & { digest?: string };
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(frozen).toEqual({
        rank: l.rank,
        unitCode: l.unitCode,
        unitName: l.unitName,
        total: l.total,
        max: l.max,
        index: l.index,
        band: l.band,
        bandLabel: l.bandLabel,
        selfTotal: l.selfTotal,
        selfIndex: l.selfIndex,
        gap: l.gap,
        areas: l.areas,
        trace: l.trace,
      });
      expect(items).toEqual(
        l.items.map((it: { code: string; final: { points: number | null; notApplicable: boolean; source: string }; selfPoints: number | null; selfNotApplicable: boolean }) => ({
          code: it.code,
          points: it.final.points,
          notApplicable: it.final.notApplicable,
          source: it.final.source,
          selfPoints: it.selfPoints,
          selfNotApplicable: it.selfNotApplicable,
        })),
      );
      expect(surveys).toEqual([]);
    });
    // Hand-computed: P1 6.60 / 7 = 94.29 % (rank 1), P2 4.25 / 5 = 85 % (rank 2).
    expect(group!.rows.map((r) => [r.unitCode, r.total, r.max, r.index, r.band, r.rank, r.previous?.year, r.previous?.index, r.previous?.rank, r.change])).toEqual([
      ['P1', 6.6, 7, 94.29, 'XS', 1, 2024, 3.57, 2, 90.72],
      ['P2', 4.25, 5, 85, 'TOT', 2, 2024, 85, 1, 0],
    ]);
    expect(group!.rows[0]!.previous).toMatchObject({ publicationId: pub.A!.id, decisionNumber: '90/QĐ-UBND', frameworkCode: 'XA-T24', band: 'YEU' });
    // The 2024 publication had nothing before it.
    const a = (await get(`/api/v1/public/publications/${pub.A!.id}`)).json().snapshot as Snapshot;
    expect(a.groups[0]!.rows.every((r) => !('previous' in r) && !('change' in r))).toBe(true);
  });

  it('after publication every write to the round is refused with 409', async () => {
    const b = roundB;
    const attempts: [string, Promise<{ statusCode: number; body: string }>][] = [
      ['self', writeItem(t, 'p1.head', b, 'P1', '1.1', 'self', { input: { option: 'ON_TIME' }, note: 'x' })],
      ['appraisal', writeItem(t, 'appraiser', b, 'P1', '9.1', 'appraisal', { points: 1, comment: 'x' })],
      ['final', writeItem(t, 'appraiser', b, 'P1', '9.1', 'final', { points: 1, comment: 'x' })],
      ['explanation', writeItem(t, 'p1.head', b, 'P1', '1.2', 'explanation', { text: 'x' })],
      ['evidence', api(t, 'p1.head', 'POST', `${itemUrl(b, 'P1', '1.1')}/evidence`, { docNumber: '1/KH', docDate: '2025-02-01', issuer: 'UBND Phường 1', title: 'Kế hoạch' })],
      ['submit', api(t, 'p1.head', 'POST', `/api/v1/rounds/${b}/assessments/P1/submit`)],
      ['transition', api(t, 'coord', 'POST', `/api/v1/rounds/${b}/transition`, { to: 'council_review' })],
      ['transition published', api(t, 'coord', 'POST', `/api/v1/rounds/${b}/transition`, { to: 'published' })],
      ['appraisers', api(t, 'coord', 'PUT', `/api/v1/rounds/${b}/appraisers`, [{ username: 'appraiser', areaCodes: ['9'] }])],
      ['schedule', api(t, 'coord', 'PUT', `/api/v1/rounds/${b}/schedule`, { council_review: '2025-12-31' })],
      ['extension', api(t, 'coord', 'POST', `/api/v1/rounds/${b}/assessments/P1/extensions`, { phase: 'council_review', until: '2026-01-31', reason: 'x' })],
      ['send-back', api(t, 'coord', 'POST', `/api/v1/rounds/${b}/assessments/P1/send-back`, { reason: 'x' })],
      ['confirm-self-points', api(t, 'coord', 'POST', `/api/v1/rounds/${b}/confirm-self-points`, { reason: 'x' })],
    ];
    for (const [what, p] of attempts) {
      const res = await p;
      expect(res.statusCode, `${what}: ${res.body}`).toBe(409);
    }
    expect((await api(t, 'coord', 'GET', `/api/v1/rounds/${b}`)).json().phase).toBe('published');
  });
});

describe('integrity', () => {
  it('verify recomputes hash and signature; the public key alone verifies the downloaded document', async () => {
    for (const p of [pub.A!, pub.B!]) {
      const v = await get(`/api/v1/public/publications/${p.id}/verify`);
      expect(v.statusCode).toBe(200);
      expect(v.headers['cache-control']).toBe('no-cache');
      expect(v.json()).toMatchObject({ valid: true, hash: p.hash, computedHash: p.hash, signature: p.signature, keyId: p.keyId, problems: [] });
    }
    expect((await get(`/api/v1/public/publications/${pub.B!.id}/verify`)).json()).toMatchObject({ previousId: pub.A!.id, nextId: null });
    const key = (await get('/api/v1/public/signing-key')).json();
    expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: pub.B!.keyId });
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const doc = (await get(`/api/v1/public/publications/${pub.B!.id}`)).json();
    const text = canonicalize(doc.snapshot)!;
    expect(sha256Hex(text)).toBe(doc.hash);
    expect(verifySnapshot({ snapshotText: text, hash: doc.hash, signature: doc.signature, publicKey: parsePublicKey(key.publicKeyPem), keyId: doc.keyId })).toMatchObject({ valid: true });
    expect(doc.snapshot.signer).toEqual({ algorithm: 'Ed25519', keyId: key.keyId, publicKeyPem: key.publicKeyPem });
    // The embedded default key lives under DATA_DIR/keys, private half readable by the owner only.
    expect(fs.statSync(path.join(t.config.dataDir, 'keys', 'ed25519-private.pem')).mode & 0o777).toBe(0o600);
  });

  it('the offline verifier (npm run verify-publication) needs only the public key', async () => {
    const doc = (await get(`/api/v1/public/publications/${pub.B!.id}`)).body;
    const file = path.join(tmp, 'publication.json');
    const keyFile = path.join(tmp, 'key.pem');
    fs.writeFileSync(file, doc);
    fs.writeFileSync(keyFile, (await get('/api/v1/public/signing-key')).json().publicKeyPem);
    const run = promisify(execFile);
    const script = ['--import', 'tsx', path.resolve('scripts/verify-publication.ts')];
    const ok = await run(process.execPath, [...script, file, '--key', keyFile]);
    expect(ok.stdout).toContain('VALID: the snapshot is exactly what was signed.');
    const embedded = await run(process.execPath, [...script, file]);
    expect(embedded.stdout).toContain('compare this key id');
    // One changed letter in a unit's name: invalid, exit status 1, the snapshot named.
    fs.writeFileSync(file, doc.replace('UBND Phường An Hòa', 'UBND Phường An Hoà'));
    const bad = await run(process.execPath, [...script, file, '--key', keyFile]).catch((e: { code: number; stdout: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stdout).toMatch(/INVALID:\n {2}- snapshot: SHA-256 is [0-9a-f]{64} but the published hash is/);
  }, 60_000);

  it('the database refuses edits; a flipped byte in a stored snapshot makes verify fail and name it', async () => {
    const db = t.database.db;
    const id = pub.B!.id;
    await expect(db.execute(sql`update publications set decision_number = 'x' where id = ${id}`)).rejects.toThrow();
    await expect(db.execute(sql`delete from publication_rows where publication_id = ${id}`)).rejects.toThrow();
    const [row] = await db.select({ snapshot: publications.snapshot }).from(publications).where(eq(publications.id, id));
    const original = row!.snapshot;
    const at = original.indexOf('"total":6.6') + '"total":6.'.length;
    const flipped = original.slice(0, at) + '7' + original.slice(at + 1);
    expect(Buffer.byteLength(flipped)).toBe(Buffer.byteLength(original));
    await db.execute(sql`alter table publications disable trigger publications_no_update`);
    try {
      await db.execute(sql`update publications set snapshot = ${flipped} where id = ${id}`);
      const v = (await get(`/api/v1/public/publications/${id}/verify`)).json();
      expect(v.valid).toBe(false);
      expect(v.hash).toBe(pub.B!.hash);
      expect(v.computedHash).not.toBe(pub.B!.hash);
      expect(v.problems).toEqual([
        `snapshot of publication ${id}: SHA-256 is ${v.computedHash} but the published hash is ${pub.B!.hash}; the content was altered after publication`,
        `signature: the Ed25519 signature does not verify over the snapshot of publication ${id} with key ${pub.B!.keyId}`,
        // The per-row proofs (issue 18) name the row as well: its digest and the stored index row disagree with it.
        `snapshot of publication ${id}: row P1: its digest in the snapshot does not match its content`,
        'publication_rows[P1]: altered after publication: total 6.6 (signed: 6.7)',
      ]);
    } finally {
      await db.execute(sql`update publications set snapshot = ${original} where id = ${id}`);
      await db.execute(sql`alter table publications enable trigger publications_no_update`);
    }
    expect((await get(`/api/v1/public/publications/${id}/verify`)).json().valid).toBe(true);
  });
});

describe('corrections', () => {
  it('a correction needs a reason, supersedes the current publication and chains on; the old stays readable', async () => {
    // Without a reason, publishing a published round again is a 409 "already published" naming the current
    // publication (issue 16: the loser of two concurrent publishes gets this, not a request for a reason).
    const missing = await publish(roundA, { decisionNumber: '91/QĐ-UBND', decisionDate: '2025-01-20' });
    expect(missing.statusCode).toBe(409);
    expect(missing.json()).toMatchObject({ code: 'already_published', phase: 'published', publicationId: pub.A!.id });
    const res = await publish(roundA, { decisionNumber: '91/QĐ-UBND', decisionDate: '2025-01-20', reason: 'Đính chính số, ngày quyết định công bố' });
    expect(res.statusCode, res.body).toBe(201);
    pub.A2 = res.json();
    expect(res.json()).toMatchObject({ roundId: roundA, supersedesId: pub.A!.id, reason: 'Đính chính số, ngày quyết định công bố', prevHash: pub.B!.hash });
    const s = (await get(`/api/v1/public/publications/${pub.A2!.id}`)).json().snapshot as Snapshot;
    expect(s.supersedes).toEqual({ id: pub.A!.id, hash: pub.A!.hash, reason: 'Đính chính số, ngày quyết định công bố' });
    // Issuer and signer come from the round's council record (test/helpers/rounds.ts testCouncil).
    expect(s.decision).toEqual({ number: '91/QĐ-UBND', date: '2025-01-20', issuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', signerName: 'Lê Văn Cường', signerTitle: 'Chủ tịch' });

    const current = (await get('/api/v1/public/publications')).json();
    expect(current.map((p: { id: string }) => p.id)).toEqual([pub.B!.id, pub.A2!.id]);
    const all = (await get('/api/v1/public/publications?includeSuperseded=true')).json();
    expect(all.find((p: { id: string }) => p.id === pub.A!.id)).toMatchObject({ superseded: true, supersededBy: pub.A2!.id, roundName: 'Xác định Chỉ số CCHC năm 2024' });
    const old = await get(`/api/v1/public/publications/${pub.A!.id}`);
    expect(old.statusCode).toBe(200);
    expect(old.json().hash).toBe(pub.A!.hash);
    expect((await get(`/api/v1/public/publications/${pub.A!.id}/verify`)).json()).toMatchObject({ valid: true, supersededBy: pub.A2!.id, nextId: pub.B!.id });

    // A second correction replaces the first correction, not the original.
    const again = await publish(roundA, { decisionNumber: '92/QĐ-UBND', decisionDate: '2025-01-25', reason: 'Đính chính lần hai' });
    expect(again.json()).toMatchObject({ supersedesId: pub.A2!.id, prevHash: pub.A2!.hash });
    pub.A3 = again.json();
    expect((await get('/api/v1/public/publications?year=2024')).json().map((p: { id: string }) => p.id)).toEqual([pub.A3!.id]);
    expect((await get('/api/v1/public/publications?year=2024&includeSuperseded=true')).json().map((p: { id: string; supersededBy: string | null }) => [p.id, p.supersededBy])).toEqual(
      expect.arrayContaining([
        [pub.A!.id, pub.A2!.id],
        [pub.A2!.id, pub.A3!.id],
        [pub.A3!.id, null],
      ]),
    );
    for (const p of [pub.A!, pub.A2!, pub.A3!]) expect((await get(`/api/v1/public/publications/${p.id}/verify`)).json().valid).toBe(true);
  });

  it('lists by year and group; a unit’s history follows the current publications', async () => {
    expect((await get('/api/v1/public/publications?group=XA')).json()).toHaveLength(2);
    expect((await get('/api/v1/public/publications?group=PB')).json()).toEqual([]);
    expect((await get('/api/v1/public/publications?year=2025')).json().map((p: { id: string }) => p.id)).toEqual([pub.B!.id]);
    expect((await get('/api/v1/public/publications?year=abc')).statusCode).toBe(400);
    const h = await get('/api/v1/public/units/P1/history');
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ unitCode: 'P1', unitName: 'UBND Phường 1' });
    expect(h.json().entries.map((e: Record<string, unknown>) => [e.year, e.publicationId, e.decisionNumber, e.index, e.rank, e.unitsInGroup, e.band, e.bandLabel, e.lineage])).toEqual([
      [2024, pub.A3!.id, '92/QĐ-UBND', 3.57, 2, 2, 'YEU', 'Yếu', 'XA'],
      [2025, pub.B!.id, '125/QĐ-UBND', 94.29, 1, 2, 'XS', 'Xuất sắc', 'XA'],
    ]);
    expect((await get('/api/v1/public/units/NOPE/history')).statusCode).toBe(404);
  });
});

describe('public representations', () => {
  const base = () => `/api/v1/public/publications/${pub.B!.id}`;

  it('JSON: strong ETag (the hash), a year of immutable caching, 304 on If-None-Match', async () => {
    const res = await get(base());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.etag).toBe(`"${pub.B!.hash}"`);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.json()).toMatchObject({ id: pub.B!.id, hash: pub.B!.hash, signature: pub.B!.signature, keyId: pub.B!.keyId, algorithm: 'Ed25519' });
    for (const inm of [`"${pub.B!.hash}"`, `W/"${pub.B!.hash}"`, `"x", "${pub.B!.hash}"`, '*']) {
      const again = await get(base(), { 'if-none-match': inm });
      expect(again.statusCode, inm).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(`"${pub.B!.hash}"`);
    }
    expect((await get(base(), { 'if-none-match': '"stale"' })).statusCode).toBe(200);
    // Clients that accept gzip get the precompressed bytes, with their own strong ETag.
    const gz = await get(base(), { 'accept-encoding': 'br;q=1, gzip;q=0.8' });
    expect(gz.headers).toMatchObject({ 'content-encoding': 'gzip', etag: `"${pub.B!.hash}-gzip"`, vary: 'accept-encoding', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(gunzipSync(gz.rawPayload).equals(res.rawPayload)).toBe(true);
    expect(gz.rawPayload.length).toBeLessThan(res.rawPayload.length / 3);
    expect((await get(base(), { 'accept-encoding': 'gzip', 'if-none-match': `"${pub.B!.hash}-gzip"` })).statusCode).toBe(304);
    expect((await get(base(), { 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding']).toBeUndefined();
    // The list changes as corrections arrive: short caching only.
    expect((await get('/api/v1/public/publications')).headers['cache-control']).toBe('public, max-age=60');
    expect((await get('/api/v1/public/publications/not-a-uuid')).statusCode).toBe(400);
    for (const ext of ['', '.csv', '.xlsx', '.pdf']) expect((await get(`/api/v1/public/publications/00000000-0000-4000-8000-000000000000${ext}`)).statusCode).toBe(404);
  });

  it('CSV: UTF-8 with BOM, Vietnamese headers and diacritics, 2 decimals', async () => {
    const res = await get(`${base()}.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="chi-so-cchc-2025-${pub.B!.id}.csv"`);
    expect(res.headers.etag).toBe(`"${pub.B!.hash}"`);
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.rawPayload.toString('utf8').slice(1).split('\r\n');
    // One header row, no title lines: Excel with a Vietnamese locale reads ";" columns and "," decimals.
    expect(lines[0]).toBe(
      'Nhóm;STT;Mã đơn vị;Đơn vị;Lĩnh vực 1: Công tác chỉ đạo, điều hành CCHC;Lĩnh vực 2: Cải cách thủ tục hành chính;Lĩnh vực 3: Mức độ hài lòng của người dân;Lĩnh vực 9: Điểm thưởng;Tổng điểm;Điểm tối đa;Chỉ số (%);Xếp hạng;Xếp loại;Điểm tự đánh giá;Chênh lệch;Chỉ số năm trước (%);Tăng/giảm',
    );
    // P1: area 1 = 0.5 + 2 = 2.50; area 2 = 1.85 + 0.75 + 1 = 3.60; area 3 all N/A (KPS); bonus 0.50.
    expect(lines).toContain('UBND xã, phường;1;P1;UBND Phường 1;2,50;3,60;KPS;0,50;6,60;7,00;94,29;1;Xuất sắc;6,60;0,00;3,57;90,72');
    expect(lines).toContain('UBND xã, phường;2;P2;UBND Phường An Hòa;2,00;2,00;KPS;0,25;4,25;5,00;85,00;2;Tốt;4,25;0,00;85,00;0,00');
    // The same request gives the same bytes (they are part of the ETag and the cache).
    expect((await get(`${base()}.csv`)).rawPayload.equals(res.rawPayload)).toBe(true);

    // Plain flavour for machines: its own ETag, "," separator, "." decimals, no BOM.
    const plain = await get(`${base()}.csv?format=plain`);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers.etag).toBe(`"${pub.B!.hash}-plain"`);
    expect(plain.headers['content-disposition']).toBe(`attachment; filename="chi-so-cchc-2025-${pub.B!.id}-plain.csv"`);
    const plainLines = plain.rawPayload.toString('utf8').split('\n');
    expect(plainLines[0]!.startsWith('Nhóm,STT,Mã đơn vị,Đơn vị,"Lĩnh vực 1: Công tác chỉ đạo, điều hành CCHC",')).toBe(true);
    expect(plainLines).toContain('"UBND xã, phường",1,P1,UBND Phường 1,2.50,3.60,KPS,0.50,6.60,7.00,94.29,1,Xuất sắc,6.60,0.00,3.57,90.72');
    expect((await get(`${base()}.csv?format=plain`, { 'if-none-match': `"${pub.B!.hash}-plain"` })).statusCode).toBe(304);
    // The Excel CSV's ETag does not validate the plain one.
    expect((await get(`${base()}.csv?format=plain`, { 'if-none-match': `"${pub.B!.hash}"` })).statusCode).toBe(200);
  });

  it('the verify page tells a citizen in Vietnamese whether the publication is intact (not raw JSON)', async () => {
    const page = await get(`/cong-khai/${pub.B!.id}`);
    expect(page.body).toContain(`href="/cong-khai/${pub.B!.id}/kiem-tra"`);
    const res = await get(`/cong-khai/${pub.B!.id}/kiem-tra`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Kiểm tra chữ ký điện tử của hệ thống');
    expect(res.body).toContain('<strong>Hợp lệ.</strong>');
    expect(res.body).toContain(pub.B!.hash);
    expect(res.body).not.toContain('"valid"');
    expect((await get('/cong-khai/khong-phai-uuid/kiem-tra')).statusCode).toBe(404);
  });

  it('XLSX: one sheet per group laid out as the decision annex, read back cell by cell', async () => {
    const res = await get(`${base()}.xlsx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['UBND xã, phường']);
    const ws = wb.getWorksheet('UBND xã, phường')!;
    const row = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(ws.getCell('A1').value).toBe('PHỤ LỤC');
    expect(ws.getCell('A2').value).toBe('KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 - UBND XÃ, PHƯỜNG');
    expect(ws.getCell('A3').value).toBe('(Kèm theo Quyết định số 125/QĐ-UBND ngày 22 tháng 12 năm 2025 của Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm)');
    const s = (await get(base())).json().snapshot as Snapshot;
    const header = ['STT', 'Đơn vị', '1. Công tác chỉ đạo, điều hành CCHC (3.00)', '2. Cải cách thủ tục hành chính (4.00)', '3. Mức độ hài lòng của người dân (2.00)', '9. Điểm thưởng (1.00)', 'Tổng điểm', 'Chỉ số (%)', 'Xếp hạng', 'Xếp loại'];
    expect(annexHeader(s.groups[0]!)).toEqual(header);
    expect(row(6)).toEqual(header);
    expect(row(7)).toEqual([1, 'UBND Phường 1', 2.5, 3.6, 'KPS', 0.5, 6.6, 94.29, 1, 'Xuất sắc']);
    expect(row(8)).toEqual([2, 'UBND Phường An Hòa', 2, 2, 'KPS', 0.25, 4.25, 85, 2, 'Tốt']);
    expect(ws.getCell('G7').numFmt).toBe('0.00');
    expect(String(ws.getCell('A10').value)).toContain(pub.B!.hash);
    // Rendered once and kept: the same bytes again.
    expect((await get(`${base()}.xlsx`)).rawPayload.equals(res.rawPayload)).toBe(true);
  });

  it('PDF: A4 landscape, the unit names with their diacritics, the decision in the header', async () => {
    const res = await get(`${base()}.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers.etag).toBe(`"${pub.B!.hash}"`);
    const { pages, text } = await pdfText(res.rawPayload);
    expect(pages[0]).toMatchObject({ width: expect.closeTo(841.89, 1), height: expect.closeTo(595.28, 1) });
    for (const s of ['KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025', 'Kèm theo Quyết định số 125/QĐ-UBND ngày 22 tháng 12 năm 2025 của Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', 'UBND Phường An Hòa', 'UBND Phường 1', 'Xuất sắc', 'Tốt', '94,29', 'Điểm thưởng', pub.B!.hash]) {
      expect(text.replace(/\s+/g, ' '), s).toContain(s);
    }
    expect((await get(`${base()}.pdf`, { 'if-none-match': `"${pub.B!.hash}"` })).statusCode).toBe(304);
  });

  it('after publication, live results and assessments of the round still need a token', async () => {
    for (const url of privateUrls(roundB)) expect((await get(url)).statusCode, url).toBe(401);
    const listed = (await get('/api/v1/public/publications?includeSuperseded=true')).json().map((p: { roundId: string }) => p.roundId);
    expect(listed).not.toContain(roundC);
    expect((await get(`/api/v1/public/publications?roundId=${roundC}`)).json()).toEqual([]);
  });
});
