import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemHistory } from '../../src/db/schema.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { onRealPostgres } from '../helpers/db.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';

// On PostgreSQL the writers really overlap (a pool of connections, row locks); on PGlite they are serialised,
// which must give the same answer.
let t: TestApp;
let roundId: string;
beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

describe(`lost updates (${onRealPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('50 concurrent writers with the same ETag: exactly one succeeds, 49 get 412', async () => {
    const url = `/api/v1/rounds/${roundId}/assessments/P1/items/2.2`;
    const [editor, head] = [await t.as('p1.editor'), await t.as('p1.head')];
    const item = await t.app.inject({ method: 'GET', url, headers: editor });
    const etag = item.json().etag as string;
    const writes = Array.from({ length: 50 }, (_, i) =>
      t.app.inject({
        method: 'PUT',
        url: `${url}/self`,
        headers: { ...(i % 2 ? editor : head), 'if-match': etag },
        payload: { input: { points: (i % 4) * 0.25 }, note: `writer ${i}` },
      }),
    );
    const results = await Promise.all(writes);
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 412)).toHaveLength(49);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    // Every loser is told the ETag to reload with, whichever check (header compare or compare-and-set) caught it.
    for (const r of results.filter((x) => x.statusCode === 412)) expect(r.json().currentEtag).toBe(winner.etag);
    const now = (await t.app.inject({ method: 'GET', url, headers: editor })).json();
    expect(now.note).toBe(winner.note);
    expect(now.selfPoints).toBe(winner.selfPoints);
    const history = (await t.database.db.select().from(itemHistory)).filter((h) => h.kind === 'self');
    expect(history).toHaveLength(1);
  });
});
