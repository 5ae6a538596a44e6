// Public tamper evidence (issue 18 items 8 and 9): a per-unit row changed in the database directly is named by
// verify and never served as if it were published; a tampered snapshot is seen at once (no cache hides it); older
// publications without per-row digests stay verifiable.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicationsService } from '../../src/modules/publications/publications.service.js';
import { createKeyring } from '../../src/modules/publications/signing.js';
import type { Snapshot } from '../../src/modules/publications/snapshot.js';
import type { GroupOutcome, UnitOutcome } from '../../src/modules/results/results.service.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { unitOutcome } from '../helpers/outcomes.js';

let t: TestApp;
let roundId: string;
let oldId: string; // 2024, made without per-row digests (as before issue 18)
let newId: string; // 2025, with digests

const unit = unitOutcome;
const groups = (p1: UnitOutcome, p2: UnitOutcome): GroupOutcome[] => [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', rows: [p1, p2] }];

async function freeze(year: number, decision: string, g: GroupOutcome[]) {
  return t.database.db.transaction(async (tx) => {
    const { meta } = await t.app.services.publications.freeze(tx, { now: new Date(`${year}-12-25T03:00:00Z`), actor: { username: 'coord' } }, {
      round: { id: roundId, year, name: `Xác định Chỉ số CCHC năm ${year}` },
      groups: g,
      decision: { number: decision, date: `${year}-12-25` },
      supersedes: null,
    });
    return meta.id;
  });
}

/** Runs `statement` on a table with its immutability trigger off, as someone with database access would. */
async function tamper(table: 'publications' | 'publication_rows', statement: ReturnType<typeof sql>) {
  const trigger = table === 'publications' ? 'publications_no_update' : 'publication_rows_no_update';
  await t.database.db.execute(sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`));
  try {
    await t.database.db.execute(statement);
  } finally {
    await t.database.db.execute(sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`));
  }
}

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
const history = async (unitCode: string) => {
  const res = await get(`/api/v1/public/units/${unitCode}/history`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { entries: { year: number; publicationId: string; total: number; index: number | null; rank: number | null; proof: { status: string; rowDigest: string | null; publicationHash: string; problem?: string } }[] };
};
const verify = async (id: string) => {
  const res = await get(`/api/v1/public/publications/${id}/verify`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { valid: boolean; problems: string[]; hash: string };
};
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

beforeAll(async () => {
  t = await createTestApp({ env: { SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
  // 2024, then turned into the pre-digest format: the rows' digests removed, re-hashed and re-signed with the
  // service key, exactly what a publication made before this change looks like.
  oldId = await freeze(2024, '90/QĐ-UBND', groups(unit('P1', 'UBND Phường 1', 2, 5.6, 80, 'TOT', 'Tốt'), unit('P2', 'UBND Phường An Hòa', 1, 6, 85.71, 'TOT', 'Tốt')));
  const result = (await t.database.db.execute(sql`select snapshot from publications where id = ${oldId}`)) as unknown as { rows: { snapshot: string }[] };
  const [row] = result.rows;
  const snap = JSON.parse(row!.snapshot) as Snapshot;
  for (const g of snap.groups) for (const r of g.rows) delete r.digest;
  const text = canonicalize(snap)!;
  const signer = createKeyring(t.config)();
  const bytes = Buffer.from(text, 'utf8');
  await tamper('publications', sql`update publications set snapshot = ${text}, hash = ${sha256(text)}, signature = ${signer.sign(bytes)} where id = ${oldId}`);
  newId = await freeze(2025, '125/QĐ-UBND', groups(unit('P1', 'UBND Phường 1', 1, 6.1, 87.14, 'TOT', 'Tốt'), unit('P2', 'UBND Phường An Hòa', 2, 4, 57.14, 'TB', 'Trung bình')));
});
afterAll(() => t.close());

/** The digest of P1's 2025 row, written out by hand: RFC 8785 key order, numbers as JSON numbers. */
const p1Digest2025 = () =>
  sha256(
    `{"band":"TOT","bandLabel":"Tốt","frameworkCode":"XA-T","groupCode":"XA","index":87.14,"lineage":"XA-T","max":7,"publicationId":"${newId}","rank":1,"total":6.1,"unitCode":"P1","unitName":"UBND Phường 1","year":2025}`,
  );
const p1Digest2024 = () =>
  sha256(
    `{"band":"TOT","bandLabel":"Tốt","frameworkCode":"XA-T","groupCode":"XA","index":80,"lineage":"XA-T","max":7,"publicationId":"${oldId}","rank":2,"total":5.6,"unitCode":"P1","unitName":"UBND Phường 1","year":2024}`,
  );

describe('per-unit public answers carry a proof tied to the signed snapshot', () => {
  it('history entries are verified, with the row digest that the signed document holds', async () => {
    const h = await history('P1');
    expect(h.entries.map((e) => [e.year, e.total, e.index, e.rank, e.proof.status])).toEqual([
      [2024, 5.6, 80, 2, 'verified'],
      [2025, 6.1, 87.14, 1, 'verified'],
    ]);
    expect(h.entries[0]!.proof.rowDigest).toBe(p1Digest2024());
    expect(h.entries[1]!.proof.rowDigest).toBe(p1Digest2025());
    const doc = (await get(`/api/v1/public/publications/${newId}`)).json() as { hash: string; snapshot: Snapshot };
    expect(h.entries[1]!.proof.publicationHash).toBe(doc.hash);
    expect(doc.snapshot.groups[0]!.rows.find((r) => r.unitCode === 'P1')!.digest).toBe(p1Digest2025());
    // The older publication has no digests in its signed text, and is still valid.
    const old = (await get(`/api/v1/public/publications/${oldId}`)).json() as { snapshot: Snapshot };
    expect(old.snapshot.groups[0]!.rows.every((r) => r.digest === undefined)).toBe(true);
    expect(await verify(oldId)).toMatchObject({ valid: true, problems: [] });
    expect(await verify(newId)).toMatchObject({ valid: true, problems: [] });
  });
});

describe('a row changed in the database directly', () => {
  it('is named by verify, and history serves the signed values flagged as altered; restoring it is seen too', async () => {
    await history('P1'); // warm whatever is cached
    await tamper('publication_rows', sql`update publication_rows set total = 6.99, index = 99.99 where publication_id = ${newId} and unit_code = 'P1'`);

    const v = await verify(newId);
    expect(v.valid).toBe(false);
    expect(v.problems).toEqual(['publication_rows[P1]: altered after publication: total 6.99 (signed: 6.1), index 99.99 (signed: 87.14)']);

    const e2025 = (await history('P1')).entries.find((e) => e.year === 2025)!;
    expect([e2025.total, e2025.index]).toEqual([6.1, 87.14]);
    expect(e2025.proof).toMatchObject({ status: 'row-altered', rowDigest: p1Digest2025() });
    expect(e2025.proof.problem).toContain('total, index');
    // P2's answer is untouched.
    expect((await history('P2')).entries.map((e) => e.proof.status)).toEqual(['verified', 'verified']);

    await tamper('publication_rows', sql`update publication_rows set total = 6.10, index = 87.14 where publication_id = ${newId} and unit_code = 'P1'`);
    expect(await verify(newId)).toMatchObject({ valid: true, problems: [] });
    expect((await history('P1')).entries.map((e) => e.proof.status)).toEqual(['verified', 'verified']);
  });

  it('in an older publication (no digests) is named too; a deleted or invented row as well', async () => {
    await tamper('publication_rows', sql`update publication_rows set rank = 1 where publication_id = ${oldId} and unit_code = 'P1'`);
    await tamper('publication_rows', sql`delete from publication_rows where publication_id = ${oldId} and unit_code = 'P2'`);
    const v = await verify(oldId);
    expect(v.valid).toBe(false);
    expect(v.problems).toEqual(['publication_rows[P1]: altered after publication: rank 1 (signed: 2)', 'publication_rows[P2]: missing; the signed snapshot has this unit']);
    const e2024 = (await history('P1')).entries.find((e) => e.year === 2024)!;
    expect(e2024.rank).toBe(2);
    expect(e2024.proof.status).toBe('row-altered');
    // A unit that was never in the 2024 publication gets no 2024 entry from an invented row.
    await tamper(
      'publication_rows',
      sql`insert into publication_rows (publication_id, group_code, unit_code, unit_name, year, framework_code, lineage, total, max, index, rank, band, band_label)
          values (${oldId}, 'XA', 'CITY', 'UBND thành phố Thử Nghiệm', 2024, 'XA-T', 'XA-T', 7, 7, 100, 1, 'XS', 'Xuất sắc')`,
    );
    expect((await get('/api/v1/public/units/CITY/history')).statusCode).toBe(404);
    expect((await verify(oldId)).problems).toContain('publication_rows[CITY]: the unit is not in the signed snapshot; the row was added after publication');
  });
});

describe('a snapshot changed in the database directly', () => {
  it('is seen at once by verify and history (no cache hides it), and a fresh instance refuses to serve it', async () => {
    expect((await history('P2')).entries.at(-1)!.proof.status).toBe('verified');
    expect((await get(`/api/v1/public/publications/${newId}`)).statusCode).toBe(200); // rendered and cached
    await tamper('publications', sql`update publications set snapshot = replace(snapshot, '"index":57.14', '"index":97.14') where id = ${newId}`);

    const v = await verify(newId);
    expect(v.valid).toBe(false);
    expect(v.problems.some((p) => /SHA-256 is [0-9a-f]{64} but the published hash is/.test(p))).toBe(true);
    expect(v.problems.some((p) => p.includes('signature does not verify'))).toBe(true);
    // The index row (57.14) now differs from what the altered snapshot says (97.14): named as well.
    expect(v.problems).toContain('publication_rows[P2]: altered after publication: index 57.14 (signed: 97.14)');

    const e2025 = (await history('P2')).entries.find((e) => e.year === 2025)!;
    expect(e2025.proof.status).toBe('unverifiable');
    expect(e2025.proof.problem).toBe('the stored snapshot does not match its published hash');

    // A service instance that has not rendered it before (a restart) does not serve the altered text.
    const fresh = createPublicationsService({ database: t.database, results: t.app.services.results, openItemsOf: t.app.services.settlement.openItemsFrom, keyring: createKeyring(t.config) });
    await expect(fresh.document(newId)).rejects.toMatchObject({ status: 409, type: expect.stringMatching(/publication-altered$/) });
  });
});
