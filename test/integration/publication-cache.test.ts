// Issue 14 (memory): the rendered representations of publications (JSON, CSV, XLSX, PDF) are kept in a cache
// bounded by PUBLICATION_CACHE_MB. It never holds more bytes than that, evicts the least recently used entries
// first, keeps nothing bigger than the limit, and what it serves after an eviction is the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteLru, type Rendered } from '../../src/modules/publications/publications.service.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework } from '../helpers/fixtures.js';
import { api, driveToCouncilReview, selfScores } from '../helpers/rounds.js';

describe('ByteLru', () => {
  const entry = (bytes: number) => ({ bytes });

  it('evicts the least recently used entries until the bytes fit, counting replaced entries once', () => {
    const lru = new ByteLru<{ bytes: number }>(100);
    lru.set('a', entry(40));
    lru.set('b', entry(30));
    lru.set('c', entry(20));
    expect([lru.size, lru.bytes]).toEqual([3, 90]);
    // Reading 'a' makes 'b' the oldest: adding 25 bytes (115 in all) evicts 'b' only.
    expect(lru.get('a')).toEqual(entry(40));
    lru.set('d', entry(25));
    expect([lru.get('b'), lru.size, lru.bytes]).toEqual([undefined, 3, 85]);
    // Replacing 'c' (20 → 35 bytes) counts the new size once: 40 + 25 + 35 = 100, nothing evicted.
    lru.set('c', entry(35));
    expect([lru.size, lru.bytes]).toEqual([3, 100]);
    // One more byte evicts the oldest ('a', read before 'd' and 'c' were written).
    lru.set('e', entry(1));
    expect([lru.get('a'), lru.size, lru.bytes]).toEqual([undefined, 3, 61]);
  });

  it('keeps nothing larger than the limit, and nothing at all with a limit of 0', () => {
    const lru = new ByteLru<{ bytes: number }>(100);
    lru.set('small', entry(10));
    lru.set('huge', entry(101));
    expect([lru.get('huge'), lru.size, lru.bytes]).toEqual([undefined, 1, 10]);
    const none = new ByteLru<{ bytes: number }>(0);
    none.set('x', entry(1));
    expect([none.size, none.bytes]).toEqual([0, 0]);
  });
});

describe('publication cache honours PUBLICATION_CACHE_MB', () => {
  let t: TestApp;
  let publicationId: string;
  const now = new Date('2025-10-20T03:00:00Z');
  // 16 KiB. This two-unit publication renders JSON 11,050 bytes (with its gzip copy), CSV 1,003, plain CSV 997,
  // XLSX 7,869 and PDF 31,099 (the embedded DejaVu font): the PDF alone is over the limit, the four others together
  // (20,919) are too.
  const limit = 16 * 1024;

  beforeAll(async () => {
    t = await createTestApp({ clock: () => now, env: { PUBLICATION_CACHE_MB: '0.015625' } });
    await seedDirectory(t);
    await insertFramework(t);
    const roundId = await driveToCouncilReview(t, {
      year: 2025,
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.good }, P2: { head: 'p2.head', self: selfScores.poor } } }],
    });
    const pub = await api(t, 'coord', 'POST', `/api/v1/rounds/${roundId}/publications`, { decisionNumber: '125/QĐ-UBND', decisionDate: '2025-12-22' });
    expect(pub.statusCode).toBe(201);
    publicationId = pub.json().id;
  }, 300_000);
  afterAll(() => t?.close());

  it('holds at most the configured bytes, keeping the most recent representations that fit', async () => {
    const pubs = t.app.services.publications;
    expect(pubs.cacheUsage()).toEqual({ entries: 0, bytes: 0, maxBytes: limit });
    const renders: [string, () => Promise<Rendered>][] = [
      ['json', () => pubs.document(publicationId)],
      ['csv', () => pubs.exported(publicationId, 'csv')],
      ['csv-plain', () => pubs.exported(publicationId, 'csv', 'plain')],
      ['xlsx', () => pubs.exported(publicationId, 'xlsx')],
      ['pdf', () => pubs.exported(publicationId, 'pdf')],
    ];
    const sizes = new Map<string, number>();
    for (const [name, render] of renders) {
      sizes.set(name, (await render()).bytes);
      expect(pubs.cacheUsage().bytes).toBeLessThanOrEqual(limit);
    }
    // Hand-checked against the sizes: the PDF (embedded DejaVu font) is over the limit, the others are not, and
    // together they are too: so the cache is exactly the most recent ones that fit, walking back from the XLSX.
    expect(sizes.get('pdf')!).toBeGreaterThan(limit);
    const small = ['json', 'csv', 'csv-plain', 'xlsx'];
    expect(small.reduce((a, n) => a + sizes.get(n)!, 0)).toBeGreaterThan(limit);
    let kept = 0;
    let entries = 0;
    for (const name of [...small].reverse()) {
      if (kept + sizes.get(name)! > limit) break;
      kept += sizes.get(name)!;
      entries++;
    }
    // XLSX + plain CSV + CSV = 9,869 bytes; adding the JSON (11,050) would exceed 16,384, so it was evicted.
    expect(entries).toBe(3);
    expect(pubs.cacheUsage()).toEqual({ entries, bytes: kept, maxBytes: limit });
  });

  it('a representation evicted and rendered again is the same bytes, with the same strong ETag', async () => {
    const pubs = t.app.services.publications;
    const first = await pubs.document(publicationId);
    // Rendering the others pushes the JSON out; asking again renders it anew.
    await pubs.exported(publicationId, 'xlsx');
    await pubs.exported(publicationId, 'csv');
    await pubs.exported(publicationId, 'csv', 'plain');
    const again = await pubs.document(publicationId);
    expect(again.etag).toBe(first.etag);
    expect(again.body.equals(first.body)).toBe(true);
    expect(pubs.cacheUsage().bytes).toBeLessThanOrEqual(limit);
    // Over HTTP as well: the public download works with the PDF never cached.
    const pdf = await api(t, null, 'GET', `/api/v1/public/publications/${publicationId}.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('reads whole snapshots one at a time: a request arriving meanwhile waits its turn and gets its answer', async () => {
    const pubs = t.app.services.publications;
    // The PDF is never cached here (over the limit) and verify always reads the stored text: both read it.
    const pdf = pubs.exported(publicationId, 'pdf');
    // Microtask by microtask: on the embedded database the whole render may finish before the next macrotask.
    for (let i = 0; pubs.snapshotReads().running === 0; i++) {
      if (i > 10_000) throw new Error('the PDF render never started its read');
      await Promise.resolve();
    }
    // No await between the check above and this call: the PDF's read is still running when verify arrives.
    const verify = pubs.verify(publicationId);
    expect(pubs.snapshotReads()).toEqual({ running: 1, waiting: 1 });
    const view = pubs.publicView(publicationId);
    const [pdfDone, verifyDone, viewDone] = await Promise.all([pdf, verify, view]);
    expect(pdfDone.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(verifyDone.valid).toBe(true);
    expect(viewDone.snapshot.groups[0]!.rows.map((r) => r.unitCode).sort()).toEqual(['P1', 'P2']);
    expect(pubs.snapshotReads()).toEqual({ running: 0, waiting: 0 });
  });
});
