// Issue 14: the restructured write path and round opening keep their guarantees. Round opening creates exactly one
// item per unit × leaf (set-based insert); item writes land in per-unit audit streams that still verify, and
// edits, removed rows, removed chain ends and removed heads are named; slim results equal the full ones minus
// the per-item detail. On PostgreSQL, writers on different units and on different items of one unit overlap
// without losing a write or breaking a chain.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { onRealPostgres } from '../helpers/db.js';
import { insertFramework, openRound, testFramework } from '../helpers/fixtures.js';
import { api, itemUrl, writeItem } from '../helpers/rounds.js';

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;

/** Leaf codes of the fixture framework in document order (walked here, independently of the service). */
function fixtureLeaves(): string[] {
  const out: string[] = [];
  const walk = (nodes: readonly { code: string; children?: readonly unknown[] }[]) => {
    for (const n of nodes) {
      if (n.children && n.children.length) walk(n.children as { code: string; children?: readonly unknown[] }[]);
      else out.push(n.code);
    }
  };
  walk(testFramework.criteria as unknown as { code: string; children?: readonly unknown[] }[]);
  return out;
}

let t: TestApp;
let roundId: string;
const verify = async () => (await api(t, 'admin', 'GET', '/api/v1/audit/verify')).json();
/** Runs a statement with the append-only guard switched off, as a database superuser tampering would. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.database.db.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
  try {
    await t.database.db.execute(statement);
  } finally {
    await t.database.db.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
  }
}

beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

describe(`round opening (${onRealPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('creates one assessment per unit and exactly one item per unit × leaf, in document order', async () => {
    const leaves = fixtureLeaves();
    expect(leaves).toEqual(['1.1', '1.2', '2.1', '2.2', '2.3', '3.1', '9.1']);
    const assessments = rowsOf<{ unit_code: string; position: number; group_code: string; framework_code: string }>(
      await t.database.db.execute(sql`select unit_code, position, group_code, framework_code from assessments where round_id = ${roundId} order by position`),
    );
    expect(assessments).toEqual([
      { unit_code: 'P1', position: 0, group_code: 'XA', framework_code: 'XA-T' },
      { unit_code: 'P2', position: 1, group_code: 'XA', framework_code: 'XA-T' },
    ]);
    const items = rowsOf<{ unit_code: string; criterion_code: string; area_code: string; position: number; version: number }>(
      await t.database.db.execute(sql`select a.unit_code, i.criterion_code, i.area_code, i.position, i.version from assessment_items i
        join assessments a on a.id = i.assessment_id where a.round_id = ${roundId} order by a.position, i.position`),
    );
    expect(items).toHaveLength(2 * 7);
    for (const unit of ['P1', 'P2']) {
      const mine = items.filter((i) => i.unit_code === unit);
      expect(mine.map((i) => i.criterion_code)).toEqual(leaves);
      expect(mine.map((i) => i.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(mine.map((i) => i.area_code)).toEqual(['1', '1', '2', '2', '2', '3', '9']);
      expect(mine.every((i) => Number(i.version) === 1)).toBe(true);
    }
  });
});

describe(`audit streams (${onRealPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('item writes go to their unit’s stream, link in order and return the new state from the write', async () => {
    const first = await writeItem(t, 'p1.editor', roundId, 'P1', '1.1', 'self', { input: { option: 'LATE' } });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ selfPoints: 0.5, status: 'scored' });
    expect(first.headers.etag).toBe(first.json().etag);
    const second = await writeItem(t, 'p1.editor', roundId, 'P1', '1.1', 'self', { input: { option: 'ON_TIME' }, note: 'đã sửa' });
    expect(second.json()).toMatchObject({ selfPoints: 1, note: 'đã sửa' });
    expect(second.json().history.map((h: { kind: string }) => h.kind)).toEqual(['self', 'self']);
    expect((await writeItem(t, 'p2.editor', roundId, 'P2', '2.2', 'self', { input: { points: 0.75 } })).statusCode).toBe(200);

    const rows = rowsOf<{ seq: string; stream: string; prev_hash: string; hash: string; entity_id: string }>(
      await t.database.db.execute(sql`select seq, stream, prev_hash, hash, entity_id from audit_events where entity_type = 'assessment_item' order by seq`),
    );
    const p1 = rows.filter((r) => r.stream === `assessment:${roundId}/P1`);
    const p2 = rows.filter((r) => r.stream === `assessment:${roundId}/P2`);
    expect(p1.map((r) => r.entity_id)).toEqual([`${roundId}/P1/1.1`, `${roundId}/P1/1.1`]);
    expect(p2.map((r) => r.entity_id)).toEqual([`${roundId}/P2/2.2`]);
    // Each stream starts at the genesis hash and links to its own previous row, not to the other unit's.
    expect(p1[0]!.prev_hash).toBe('0'.repeat(64));
    expect(p1[1]!.prev_hash).toBe(p1[0]!.hash);
    expect(p2[0]!.prev_hash).toBe('0'.repeat(64));
    const heads = rowsOf<{ stream: string; last_seq: string; hash: string }>(await t.database.db.execute(sql`select stream, last_seq, hash from audit_heads order by stream`));
    expect(heads.find((h) => h.stream === `assessment:${roundId}/P1`)).toMatchObject({ hash: p1[1]!.hash });
    expect(Number(heads.find((h) => h.stream === `assessment:${roundId}/P1`)!.last_seq)).toBe(Number(p1[1]!.seq));
    expect(await verify()).toMatchObject({ valid: true, firstBrokenSeq: null });
  });

  it('a lost compare-and-set writes no history and no audit row', async () => {
    const before = rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from audit_events`))[0]!.n;
    const stale = await api(t, 'p1.editor', 'PUT', `${itemUrl(roundId, 'P1', '1.1')}/self`, { input: { option: 'NONE' } }, { 'if-match': '"00000000-1"' });
    expect(stale.statusCode).toBe(412);
    expect(rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from audit_events`))[0]!.n).toBe(before);
    expect(await verify()).toMatchObject({ valid: true });
  });

  it('names an edited row, a removed middle row, a removed chain end and a removed head', async () => {
    const p1 = rowsOf<{ seq: string }>(await t.database.db.execute(sql`select seq from audit_events where stream = ${`assessment:${roundId}/P1`} order by seq`)).map((r) => Number(r.seq));
    expect(p1).toHaveLength(2);

    // An edit inside the unit's stream.
    await tamper(sql`update audit_events set after = jsonb_set(after, '{points}', '0.25') where seq = ${p1[0]!}`);
    let res = await verify();
    expect(res).toMatchObject({ valid: false, firstBrokenSeq: p1[0] });
    expect(res.problems[0]).toContain(`row ${p1[0]}`);
    await tamper(sql`update audit_events set after = jsonb_set(after, '{points}', '0.5') where seq = ${p1[0]!}`);
    expect(await verify()).toMatchObject({ valid: true });

    // The last row of P2's stream removed: no later row links to it, the head still does.
    const [p2] = rowsOf<{ seq: string }>(await t.database.db.execute(sql`select seq from audit_events where stream = ${`assessment:${roundId}/P2`}`)).map((r) => Number(r.seq));
    await tamper(sql`delete from audit_events where seq = ${p2!}`);
    res = await verify();
    expect(res).toMatchObject({ valid: false, firstBrokenSeq: p2 });
    expect(res.problems[0]).toContain('removed');

    // The first row of P1's stream removed: its successor's link breaks and is named.
    await tamper(sql`delete from audit_events where seq = ${p1[0]!}`);
    res = await verify();
    expect(res).toMatchObject({ valid: false, firstBrokenSeq: p1[1] });
  });

  it('names a stream whose head record was removed', async () => {
    const t2 = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
    try {
      await seedDirectory(t2);
      await insertFramework(t2);
      const id = await openRound(t2);
      expect((await writeItem(t2, 'p1.editor', id, 'P1', '2.2', 'self', { input: { points: 0.5 } })).statusCode).toBe(200);
      await t2.database.db.execute(sql`delete from audit_heads where stream = ${`assessment:${id}/P1`}`);
      const res = (await api(t2, 'admin', 'GET', '/api/v1/audit/verify')).json();
      expect(res.valid).toBe(false);
      expect(res.problems[0]).toContain('no head');
    } finally {
      await t2.close();
    }
  });
});

describe.runIf(onRealPostgres)('concurrent writers on PostgreSQL', () => {
  it('different units and different items of one unit all succeed; every stream still verifies', async () => {
    const t3 = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
    try {
      await seedDirectory(t3);
      await insertFramework(t3);
      const id = await openRound(t3);
      const etags = new Map<string, string>();
      for (const unit of ['P1', 'P2']) {
        for (const code of ['1.1', '2.2', '2.3']) etags.set(`${unit}/${code}`, (await api(t3, `${unit.toLowerCase()}.editor`, 'GET', itemUrl(id, unit, code))).json().etag);
      }
      const bodies: Record<string, object> = { '1.1': { input: { option: 'LATE' } }, '2.2': { input: { points: 0.25 } }, '2.3': { input: { value: true }, note: 'ảnh niêm yết' } };
      const writes = [...etags.entries()].map(([key, etag]) => {
        const [unit, code] = key.split('/') as [string, string];
        return api(t3, `${unit.toLowerCase()}.editor`, 'PUT', `${itemUrl(id, unit, code)}/self`, bodies[code], { 'if-match': etag });
      });
      const results = await Promise.all(writes);
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      const streams = rowsOf<{ stream: string; n: number }>(
        await t3.database.db.execute(sql`select stream, count(*)::int as n from audit_events where entity_type = 'assessment_item' group by stream order by stream`),
      );
      expect(streams).toEqual([
        { stream: `assessment:${id}/P1`, n: 3 },
        { stream: `assessment:${id}/P2`, n: 3 },
      ]);
      expect((await api(t3, 'admin', 'GET', '/api/v1/audit/verify')).json()).toMatchObject({ valid: true, firstBrokenSeq: null });
    } finally {
      await t3.close();
    }
  });

  it('a self write meeting a submit in progress waits for it and is then refused, leaving nothing behind', async () => {
    const t4 = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
    try {
      await seedDirectory(t4);
      await insertFramework(t4);
      const id = await openRound(t4);
      const etag = (await api(t4, 'p1.editor', 'GET', itemUrl(id, 'P1', '2.2'))).json().etag as string;
      const [assessment] = rowsOf<{ id: string }>(await t4.database.db.execute(sql`select id from assessments where round_id = ${id} and unit_code = 'P1'`));
      let write: ReturnType<typeof api> | undefined;
      let settled = false;
      // The submit's own transaction: it locks the assessment, decides, and commits the new status.
      await t4.database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1 from assessments where id = ${assessment!.id} for update`);
        write = api(t4, 'p1.editor', 'PUT', `${itemUrl(id, 'P1', '2.2')}/self`, { input: { points: 0.5 } }, { 'if-match': etag });
        void write.then(() => (settled = true));
        await new Promise((r) => setTimeout(r, 400));
        expect(settled).toBe(false);
        await tx.execute(sql`update assessments set status = 'submitted', submitted_at = now(), submitted_by = 'p1.head' where id = ${assessment!.id}`);
      });
      const res = await write!;
      expect(res.statusCode, res.body).toBe(409);
      const item = await api(t4, 'p1.editor', 'GET', itemUrl(id, 'P1', '2.2'));
      expect(item.json()).toMatchObject({ etag, selfInput: null, history: [] });
      const audit = rowsOf<{ n: number }>(await t4.database.db.execute(sql`select count(*)::int as n from audit_events where entity_type = 'assessment_item'`));
      expect(audit).toEqual([{ n: 0 }]);
    } finally {
      await t4.close();
    }
  });
});

describe('results', () => {
  it('slim rows by default equal the full rows (?include=trace) without items and trace', async () => {
    const full = await api(t, 'coord', 'GET', `/api/v1/rounds/${roundId}/results?include=trace`);
    const slim = await api(t, 'coord', 'GET', `/api/v1/rounds/${roundId}/results`);
    expect(full.statusCode, full.body).toBe(200);
    expect(slim.statusCode).toBe(200);
    const f = full.json();
    const s = slim.json();
    expect(s.openItems).toBeUndefined();
    expect(Array.isArray(f.openItems)).toBe(true);
    expect(s.groups.map((g: { rows: { items?: unknown; trace?: unknown }[] }) => g.rows.every((r) => r.items === undefined && r.trace === undefined))).toEqual([true]);
    const strip = (g: { rows: Record<string, unknown>[] }) => ({ ...g, rows: g.rows.map(({ items: _i, trace: _t, ...r }) => r) });
    expect(s.groups).toEqual(f.groups.map(strip));
    expect((await api(t, 'coord', 'GET', `/api/v1/rounds/${roundId}/results?include=everything`)).statusCode).toBe(400);
  });
});
