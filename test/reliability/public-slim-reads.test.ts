// Issue 14 (memory): the public per-unit reads (signed row index behind history, the public web pages) read a
// canonical snapshot piece by piece keeping only what they need. What they answer must be what the whole parse
// says (no field lost), and a tampered or non-canonical snapshot must be judged exactly as before.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicationsService, keepForPublicView } from '../../src/modules/publications/publications.service.js';
import { keepForSignedRows, signedRowsOf, snapshotForSignedRows } from '../../src/modules/publications/row-proofs.js';
import { createKeyring } from '../../src/modules/publications/signing.js';
import type { Snapshot } from '../../src/modules/publications/snapshot.js';
import type { GroupOutcome } from '../../src/modules/results/results.service.js';
import { parseCanonicalInSlices } from '../../src/lib/canonical.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { unitOutcome } from '../helpers/outcomes.js';

let t: TestApp;
let pubId: string;
let original: string; // the snapshot text as published

const unit = unitOutcome;
const groups: GroupOutcome[] = [
  { code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', rows: [unit('P1', 'UBND Phường 1', 1, 6.1, 87.14, 'TOT', 'Tốt'), unit('P2', 'UBND Phường An Hòa', 2, 4, 57.14, 'TB', 'Trung bình')] },
];

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
type Entry = { year: number; total: number; index: number | null; rank: number | null; unitName: string; bandLabel: string | null; unitsInGroup: number; decisionNumber: string; proof: { status: string; rowDigest: string | null; problem?: string } };
const history = async (unitCode: string) => {
  const res = await get(`/api/v1/public/units/${unitCode}/history`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { entries: Entry[] }).entries;
};

/** Stores `text` as the publication's snapshot, re-hashed and re-signed with the service key when `resign`. */
async function store(text: string, resign: boolean) {
  const signer = createKeyring(t.config)();
  await t.database.db.execute(sql.raw('ALTER TABLE publications DISABLE TRIGGER publications_no_update'));
  try {
    if (resign) await t.database.db.execute(sql`update publications set snapshot = ${text}, hash = ${sha256(text)}, signature = ${signer.sign(Buffer.from(text, 'utf8'))} where id = ${pubId}`);
    else await t.database.db.execute(sql`update publications set snapshot = ${text} where id = ${pubId}`);
  } finally {
    await t.database.db.execute(sql.raw('ALTER TABLE publications ENABLE TRIGGER publications_no_update'));
  }
}
const fresh = () => createPublicationsService({ database: t.database, results: t.app.services.results, openItemsOf: t.app.services.settlement.openItemsFrom, keyring: createKeyring(t.config) });

beforeAll(async () => {
  t = await createTestApp({ env: { SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  const roundId = await openRound(t);
  pubId = await t.database.db.transaction(async (tx) => {
    const { meta } = await t.app.services.publications.freeze(tx, { now: new Date('2025-12-25T03:00:00Z'), actor: { username: 'coord' } }, {
      round: { id: roundId, year: 2025, name: 'Xác định Chỉ số CCHC năm 2025' },
      groups,
      decision: { number: '125/QĐ-UBND', date: '2025-12-25' },
      supersedes: null,
    });
    return meta.id;
  });
  const result = (await t.database.db.execute(sql`select snapshot from publications where id = ${pubId}`)) as unknown as { rows: { snapshot: string }[] };
  original = result.rows[0]!.snapshot;
});
afterAll(() => t.close());

describe('the slim reads keep every field they answer with', () => {
  it('signed rows from the slim parse equal those of the whole parse', async () => {
    const whole = signedRowsOf(JSON.parse(original) as Snapshot);
    const slim = await snapshotForSignedRows(original);
    expect(slim.groups[0]!.rows[0]).not.toHaveProperty('areas'); // really slim
    expect(signedRowsOf(slim)).toEqual(whole);
    expect(whole.rows.size).toBe(2);
    // Every field of a summary is read from the snapshot: dropping any one of them from the kept row changes a digest.
    for (const field of ['unitCode', 'unitName', 'total', 'max', 'index', 'rank', 'band', 'bandLabel'] as const) {
      const lossy = await parseCanonicalInSlices(original, (path, value) => {
        const kept = keepForSignedRows(path, value) as Record<string, unknown>;
        if (path.length === 4 && path[2] === 'rows') delete kept[field];
        return kept;
      });
      expect(signedRowsOf(lossy!.value as Snapshot).rows.get('P2')?.digest, field).not.toBe(whole.rows.get('P2')!.digest);
    }
  });

  it('history states every value of the signed row, with its proof', async () => {
    const [e] = await history('P2');
    expect(e).toMatchObject({ year: 2025, total: 4, index: 57.14, rank: 2, unitName: 'UBND Phường An Hòa', bandLabel: 'Trung bình', unitsInGroup: 2, decisionNumber: '125/QĐ-UBND' });
    expect(e!.proof).toMatchObject({ status: 'verified', rowDigest: (JSON.parse(original) as Snapshot).groups[0]!.rows[1]!.digest });
  });

  it('the public view is the whole snapshot but the rows’ items and trace; the unit page shows it', async () => {
    const view = await t.app.services.publications.publicView(pubId);
    const whole = JSON.parse(original) as Snapshot;
    for (const g of whole.groups) g.rows = g.rows.map((r) => keepForPublicView(['groups', 0, 'rows', 0], r) as never);
    expect(view.snapshot).toEqual(whole);
    expect(view.snapshot.groups[0]!.rows[0]).not.toHaveProperty('items');
    const page = await get(`/cong-khai/${pubId}/don-vi/P2`);
    expect(page.statusCode, page.body).toBe(200);
    for (const s of ['UBND Phường An Hòa', 'Công tác chỉ đạo, điều hành CCHC', 'Trung bình', '2 / 2', '125/QĐ-UBND']) expect(page.body).toContain(s);
    const ranking = await get(`/cong-khai/${pubId}`);
    expect(ranking.statusCode).toBe(200);
    expect(ranking.body).toContain('UBND Phường 1');
  });
});

describe('tampered or non-canonical snapshots are judged as before', () => {
  it('a re-signed snapshot whose row no longer matches its digest is not attested', async () => {
    await store(original.replace('"total":4,', '"total":5,'), true);
    const [e] = await history('P2');
    expect(e!.proof).toMatchObject({ status: 'unverifiable', rowDigest: null, problem: 'row P2: its digest in the snapshot does not match its content' });
    expect((await get(`/api/v1/public/publications/${pubId}/verify`)).json()).toMatchObject({ valid: false });
  });

  it('a re-signed non-canonical snapshot is read by the whole parse, as before (history attests it; verify names it)', async () => {
    const pretty = JSON.stringify(JSON.parse(original) as Snapshot, null, 1);
    expect(await parseCanonicalInSlices(pretty)).toBeUndefined();
    await store(pretty, true);
    const [e] = await history('P2');
    expect(e).toMatchObject({ total: 4, index: 57.14, proof: { status: 'verified' } });
    const v = (await get(`/api/v1/public/publications/${pubId}/verify`)).json() as { valid: boolean; problems: string[] };
    expect(v.valid).toBe(false);
    // A fresh instance's public view of it is the whole parse without items and trace, as for a canonical text.
    const whole = JSON.parse(original) as Snapshot;
    for (const g of whole.groups) g.rows = g.rows.map((r) => keepForPublicView(['groups', 0, 'rows', 0], r) as never);
    expect((await fresh().publicView(pubId)).snapshot).toEqual(whole);
  });

  it('a snapshot changed without re-signing is refused by history and by the public pages of a fresh instance', async () => {
    await store(original.replace('"index":57.14', '"index":97.14'), false);
    const [e] = await history('P2');
    expect(e!.proof).toMatchObject({ status: 'unverifiable', problem: 'the stored snapshot does not match its published hash' });
    await expect(fresh().publicView(pubId)).rejects.toMatchObject({ status: 409, type: expect.stringMatching(/publication-altered$/) });
    await store(original, true);
    expect((await history('P2'))[0]!.proof.status).toBe('verified');
  });
});
