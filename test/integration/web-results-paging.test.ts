// Issue 14 in the web UI: the coordinator's results page of a 1,050-unit round shows each ranking 100 rows at a
// time, in the same rank order as the full list (the CSV download), with links to the other pages and a search by
// unit name or code (with or without Vietnamese diacritics); the full list stays in the CSV/XLSX downloads.
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgUnits } from '../../src/db/schema.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { WebClient } from '../helpers/web.js';

let t: TestApp;
let roundId: string;
let coord: WebClient;
const NOW = new Date('2025-10-20T03:00:00Z');
const UNITS = 1_050;
const code = (n: number) => `XT${String(n).padStart(4, '0')}`;
/** Unit 77 carries diacritics, to search for it without them. */
const nameOf = (n: number) => (n === 77 ? 'UBND phường Sa Đéc' : `UBND xã Thử Tải ${String(n).padStart(4, '0')}`);
const resultsUrl = () => `/dieu-phoi/ky-danh-gia/${roundId}/ket-qua`;

/** Unit codes of the ranking table rows, in page order (each row's link to the unit's queue names its code). */
function rankedCodes(body: string): string[] {
  const table = /<table class="data ranking">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(/don_vi=([A-Z0-9]+)"/g)].map((m) => m[1]!);
}
const rankCells = (body: string) => {
  const table = /<table class="data ranking">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
};

beforeAll(async () => {
  t = await createTestApp({ clock: () => NOW });
  await seedDirectory(t);
  await insertFramework(t);
  const units = Array.from({ length: UNITS }, (_, i) => i + 1);
  await t.database.db.insert(orgUnits).values(units.map((n) => ({ code: code(n), name: nameOf(n), kind: 'commune' as const, parentCode: 'CITY', createdAt: NOW, updatedAt: NOW })));
  roundId = await openRound(t, { units: units.map(code) });
  // Self scores recognised by the council, differing by unit (set-based; the page is what is under test): unit n
  // scores (n mod 9) quarters on criterion 2.2 and full marks on 1.2 when n is even, so the ranking interleaves codes.
  await t.database.db.execute(sql`update assessment_items i set
      self_points = case i.criterion_code when '2.2' then ((substring(a.unit_code from 3)::int % 5) * 0.25) when '1.2' then case when substring(a.unit_code from 3)::int % 2 = 0 then 2 else 0 end else 0 end,
      self_input = case i.criterion_code when '1.2' then '{"percent": 95}'::jsonb when '2.2' then '{"points": 0}'::jsonb else null end,
      self_confirmed_at = ${NOW.toISOString()}::timestamptz, self_confirmed_by = 'coord', self_confirmed_reason = 'thử tải', version = version + 1
    from assessments a where a.id = i.assessment_id and a.round_id = ${roundId} and i.criterion_code in ('1.2', '2.2')`);
  coord = new WebClient(t.app);
  await coord.login('coord', PASSWORD);
}, 120_000);
afterAll(() => t.close());

describe('results page of a 1,050-unit round (issue 14)', () => {
  let fullOrder: string[];
  let fullRanks: number[];

  beforeAll(async () => {
    const csv = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/ket-qua.csv?format=plain`);
    expect(csv.statusCode).toBe(200);
    const [header, ...rows] = parse(csv.body.replace(/^\uFEFF/, '')) as string[][];
    expect(header!.slice(0, 3)).toEqual(['Nhóm', 'Xếp hạng', 'Mã đơn vị']);
    fullOrder = rows.map((r) => r[2]!);
    fullRanks = rows.map((r) => Number(r[1]));
  });

  it('the CSV download keeps every unit, ranked', () => {
    expect(fullOrder).toHaveLength(UNITS);
    expect(new Set(fullOrder).size).toBe(UNITS);
    // Even units have 2 more points than odd ones: the first half of the ranking is all even.
    expect(fullOrder.slice(0, UNITS / 2).every((c) => Number(c.slice(2)) % 2 === 0)).toBe(true);
    expect(fullRanks).toEqual([...fullRanks].sort((a, b) => a - b));
  });

  it('shows the first 100 rows in rank order, with the count and links to the other pages', async () => {
    const res = await coord.get(resultsUrl());
    expect(res.statusCode).toBe(200);
    expect(rankedCodes(res.body)).toEqual(fullOrder.slice(0, 100));
    expect(rankCells(res.body)).toEqual(fullRanks.slice(0, 100));
    expect(res.body).toContain('Hiển thị đơn vị 1–100 / 1.050, theo thứ hạng.');
    expect(res.body).toContain('Danh sách đầy đủ: tải “Bảng kết quả” (CSV hoặc XLSX)');
    const page = (n: number) => `href="${resultsUrl()}?nhom=XA&amp;trang=${n}#nhom-XA"`;
    for (const n of [2, 3, 11]) expect(res.body).toContain(page(n));
    expect(res.body).not.toContain(page(4));
    expect(res.body).toContain('<span aria-current="page">1</span>');
    expect(res.body).toContain('rel="next"');
    expect(res.body).not.toContain('rel="prev"');
    // The downloads with the full list stay on the page.
    expect(res.body).toContain(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/ket-qua.xlsx`);
  });

  it('page 2 and the last page continue the same order; a page past the end shows the last', async () => {
    const second = await coord.get(`${resultsUrl()}?nhom=XA&trang=2`);
    expect(rankedCodes(second.body)).toEqual(fullOrder.slice(100, 200));
    expect(second.body).toContain('Hiển thị đơn vị 101–200 / 1.050');
    expect(second.body).toContain('<span aria-current="page">2</span>');
    const last = await coord.get(`${resultsUrl()}?nhom=XA&trang=11`);
    expect(rankedCodes(last.body)).toEqual(fullOrder.slice(1000));
    expect(last.body).toContain('Hiển thị đơn vị 1.001–1.050 / 1.050');
    expect(last.body).not.toContain('rel="next"');
    const beyond = await coord.get(`${resultsUrl()}?nhom=XA&trang=99`);
    expect(rankedCodes(beyond.body)).toEqual(fullOrder.slice(1000));
    for (const junk of ['abc', '-3', '0']) expect(rankedCodes((await coord.get(`${resultsUrl()}?nhom=XA&trang=${junk}`)).body)).toEqual(fullOrder.slice(0, 100));
  });

  it('searches by name without diacritics and by code, keeping rank order and the search in the page links', async () => {
    const byName = await coord.get(`${resultsUrl()}?tim=${encodeURIComponent('sa dec')}`);
    expect(rankedCodes(byName.body)).toEqual([code(77)]);
    expect(byName.body).toContain('1 trong 1.050 đơn vị khớp “sa dec”');
    expect(byName.body).toContain('value="sa dec"');
    // "XT01" matches XT0100–XT0199: 100 units, one page, in their rank order.
    const byCode = await coord.get(`${resultsUrl()}?tim=xt01`);
    const expected = fullOrder.filter((c) => c.startsWith('XT01'));
    expect(expected).toHaveLength(100);
    expect(rankedCodes(byCode.body)).toEqual(expected);
    expect(byCode.body).not.toContain('nhom=XA&amp;trang=2');
    // "Tải 00" matches 99 units named …00xx plus none else; with the search, paging links keep it.
    const wide = await coord.get(`${resultsUrl()}?tim=${encodeURIComponent('thử tải 0')}`);
    expect(rankedCodes(wide.body)).toEqual(fullOrder.filter((c) => Number(c.slice(2)) < 1000 && c !== code(77)).slice(0, 100));
    expect(wide.body).toContain(`href="${resultsUrl()}?nhom=XA&amp;trang=2&amp;tim=th%E1%BB%AD+t%E1%BA%A3i+0#nhom-XA"`);
    const none = await coord.get(`${resultsUrl()}?tim=khongcodonvinay`);
    expect(none.statusCode).toBe(200);
    expect(rankedCodes(none.body)).toEqual([]);
    expect(none.body).toContain('Không có đơn vị nào khớp “khongcodonvinay”.');
  });

  it('search text is shown escaped, never as markup', async () => {
    const res = await coord.get(`${resultsUrl()}?tim=${encodeURIComponent('<b>x</b>')}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(res.body).not.toContain('<b>x</b>');
  });
});
