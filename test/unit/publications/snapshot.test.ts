import canonicalize from 'canonicalize';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, noneMatch } from '../../../src/modules/publications/public.routes.js';
import { fixZipTimestamps, fmt2, sheetNames, toCsv, toPdf, toXlsx, vietnameseDate } from '../../../src/modules/publications/exports.js';
import { canonicalUtf8InSlices } from '../../../src/lib/canonical.js';
import {
  buildSnapshot,
  canonicalText,
  GENESIS_PUBLICATION_HASH,
  indexChange,
  num2,
  previousKey,
  publicDocument,
  rowsOf,
  snapshotFramework,
  type SnapshotInput,
} from '../../../src/modules/publications/snapshot.js';
import type { FrameworkDocument } from '../../../src/modules/frameworks/frameworks.document.js';
import type { GroupOutcome, UnitOutcome } from '../../../src/modules/results/results.service.js';

const doc: FrameworkDocument = {
  code: 'XA-2025',
  lineage: 'XA',
  name: 'Bộ tiêu chí UBND xã, phường',
  year: 2025,
  legalBasis: 'Quyết định số 12/QĐ-UBND',
  bonusCap: 1,
  penaltyCap: 2,
  surveyOptional: true,
  capIndexAt100: true,
  notApplicableScoring: 'rebase',
  bands: [
    { code: 'TOT', label: 'Tốt', minIndex: 80 },
    { code: 'YEU', label: 'Yếu', minIndex: 0 },
  ],
  criteria: [
    { code: '1', title: 'Chỉ đạo, điều hành', maxPoints: 3, kind: 'regular', children: [{ code: '1.1', title: 'Kế hoạch', maxPoints: 3, source: 'self', naAllowed: false, rule: { type: 'manual' } }] },
    { code: '3', title: 'Hài lòng', maxPoints: 2, kind: 'regular', children: [{ code: '3.1', title: 'SIPAS', maxPoints: 2, source: 'survey', naAllowed: false, rule: { type: 'survey', surveyCode: 'S', questionCodes: ['Q1'] } }] },
  ],
};

function unit(code: string, name: string, points: number, rank: number | null, index: number | null): UnitOutcome {
  return {
    unitCode: code,
    unitName: name,
    total: points,
    max: 3,
    index,
    band: index !== null && index >= 80 ? 'TOT' : 'YEU',
    bandLabel: index !== null && index >= 80 ? 'Tốt' : 'Yếu',
    rank,
    selfTotal: 3,
    selfIndex: 100,
    gap: points - 3,
    areas: [
      { code: '1', title: 'Chỉ đạo, điều hành', kind: 'regular', points, max: 3, index, selfPoints: 3 },
      { code: '3', title: 'Hài lòng', kind: 'regular', points: 0, max: 0, index: null, selfPoints: 0 },
    ],
    openItems: 0,
    items: [
      { code: '1.1', title: 'Kế hoạch', areaCode: '1', max: 3, selfPoints: 3, selfNotApplicable: false, final: { points, notApplicable: false, source: 'appraisal', open: false } },
      { code: '3.1', title: 'SIPAS', areaCode: '3', max: 2, selfPoints: null, selfNotApplicable: false, final: { points: null, notApplicable: true, source: 'survey', open: false } },
    ],
    trace: [`1.1: ${points} / 3`],
  };
}

const groups: GroupOutcome[] = [
  { code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-2025', rows: [unit('P2', 'UBND Phường An Hòa', 2.75, 1, 91.67), unit('P1', 'UBND Phường 1', 1, 2, 33.33)] },
];

const input = (over: Partial<SnapshotInput> = {}): SnapshotInput => ({
  id: '00000000-0000-4000-8000-000000000001',
  round: { id: '00000000-0000-4000-8000-0000000000aa', year: 2025, name: 'Xác định Chỉ số CCHC năm 2025' },
  decision: { number: '125/QĐ-UBND', date: '2025-12-22' },
  publishedAt: new Date('2025-12-22T02:00:00Z'),
  prevHash: GENESIS_PUBLICATION_HASH,
  supersedes: null,
  signer: { keyId: '0123456789abcdef', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n' },
  groups,
  frameworks: new Map([['XA-2025', snapshotFramework(doc, 2)]]),
  surveys: new Map([['P2', [{ surveyCode: 'SIPAS', index: 87.456, n: 41 }]]]),
  previous: new Map([
    [previousKey('XA', 'P2'), { year: 2024, publicationId: 'prev', decisionNumber: '90/QĐ-UBND', frameworkCode: 'XA-2024', index: 88.5, rank: 2, band: 'TOT', bandLabel: 'Tốt' }],
  ]),
  ...over,
});

describe('snapshot', () => {
  it('freezes the computed rows in rank order with framework version, surveys, previous index and change', () => {
    const s = buildSnapshot(input());
    expect(s.format).toBe('par-index/publication@1');
    expect(s.groups[0]!.framework).toMatchObject({ code: 'XA-2025', lineage: 'XA', version: 2, areas: [{ code: '1', maxPoints: 3 }, { code: '3', maxPoints: 2 }] });
    expect(s.groups[0]!.framework.leaves.map((l) => `${l.areaCode}/${l.code}/${l.source}`)).toEqual(['1/1.1/self', '3/3.1/survey']);
    const [p2, p1] = s.groups[0]!.rows;
    expect(p2).toMatchObject({ rank: 1, unitCode: 'P2', total: 2.75, index: 91.67, gap: -0.25, surveys: [{ surveyCode: 'SIPAS', index: 87.46, n: 41 }] });
    expect(p2!.previous).toEqual({ year: 2024, publicationId: 'prev', decisionNumber: '90/QĐ-UBND', frameworkCode: 'XA-2024', index: 88.5, rank: 2, band: 'TOT', bandLabel: 'Tốt' });
    expect(p2!.change).toBe(3.17);
    // No earlier publication: both fields absent, not null.
    expect('previous' in p1!).toBe(false);
    expect('change' in p1!).toBe(false);
    expect(p1!.surveys).toEqual([]);
    expect(p1!.items[1]).toEqual({ code: '3.1', points: null, notApplicable: true, source: 'survey', selfPoints: null, selfNotApplicable: false });
  });

  it('has only numbers with at most 2 decimals, and a canonical text that round-trips', () => {
    const text = canonicalText(buildSnapshot(input()));
    const numbers: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') numbers.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(JSON.parse(text));
    expect(numbers.length).toBeGreaterThan(20);
    for (const x of numbers) expect(Math.round(x * 100) / 100, String(x)).toBe(x);
    expect(text).toContain('"surveys":[{"index":87.46,"n":41,"surveyCode":"SIPAS"}]');
    expect(canonicalize(JSON.parse(text))).toBe(text);
    expect(num2(0.1 + 0.2)).toBe(0.3);
    expect(num2(-0.001)).toBe(0);
    expect(Object.is(num2(-0.001), 0)).toBe(true);
    expect(indexChange(80, 83.33)).toBe(-3.33);
    expect(indexChange(null, 83.33)).toBeNull();
  });

  it('publication rows carry lineage and exact decimals for history look-ups', () => {
    expect(rowsOf(buildSnapshot(input()))).toEqual([
      { groupCode: 'XA', unitCode: 'P2', unitName: 'UBND Phường An Hòa', year: 2025, frameworkCode: 'XA-2025', lineage: 'XA', total: '2.75', max: '3.00', index: '91.67', rank: 1, band: 'TOT', bandLabel: 'Tốt' },
      { groupCode: 'XA', unitCode: 'P1', unitName: 'UBND Phường 1', year: 2025, frameworkCode: 'XA-2025', lineage: 'XA', total: '1.00', max: '3.00', index: '33.33', rank: 2, band: 'YEU', bandLabel: 'Yếu' },
    ]);
  });

  it('the UTF-8 bytes built in slices (what publish hashes, signs and stores) are exactly the canonical text', async () => {
    const snapshot = buildSnapshot(input());
    expect((await canonicalUtf8InSlices(snapshot, 0)).equals(Buffer.from(canonicalText(snapshot), 'utf8'))).toBe(true);
  });

  it('the public document splices the stored text in verbatim; canonicalising its snapshot gives the signed text back', () => {
    const text = canonicalText(buildSnapshot(input()));
    const body = publicDocument(
      { id: 'x', roundId: 'r', year: 2025, decisionNumber: '125/QĐ-UBND', decisionDate: '2025-12-22', publishedAt: '2025-12-22T02:00:00.000Z', hash: 'h', signature: 's', keyId: 'k', prevHash: GENESIS_PUBLICATION_HASH, supersedesId: null, reason: null },
      text,
    );
    expect(body.endsWith(`"snapshot":${text}}`)).toBe(true);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ id: 'x', algorithm: 'Ed25519', hash: 'h', signature: 's', keyId: 'k' });
    expect(canonicalize(parsed.snapshot)).toBe(text);
  });
});

describe('exports', () => {
  const s = buildSnapshot(input());

  it('formats numbers with exactly 2 decimals and dates the Vietnamese way', () => {
    expect([fmt2(0.1 + 0.2), fmt2(83.33), fmt2(-0.5), fmt2(100), fmt2(null), fmt2(2.5, ',')]).toEqual(['0.30', '83.33', '-0.50', '100.00', '', '2,50']);
    expect(vietnameseDate('2025-12-22')).toBe('ngày 22 tháng 12 năm 2025');
  });

  it('sheet names fit Excel: 31 characters, no forbidden characters, unique', () => {
    expect(sheetNames([{ code: 'A', name: 'Sở, ban, ngành: khối tổng hợp [2025]' }, { code: 'B', name: 'Sở, ban, ngành: khối tổng hợp [2025]' }, { code: 'C', name: 'UBND xã' }])).toEqual([
      'Sở, ban, ngành- khối tổng hợp -',
      'B - Sở, ban, ngành- khối tổng h',
      'UBND xã',
    ]);
  });

  // Issue 15: the default opens in Excel with a Vietnamese locale (";" and decimal commas, one header row, the group
  // in the first column); `plain` is for machines. Same values as before the format changed: 2.75 of 3 → 91.67.
  it('CSV: BOM, one Vietnamese header row, the group per row, 2 decimals, KPS for a wholly N/A area (Excel and plain)', () => {
    const csv = toCsv(s, 'abc').toString('utf8');
    expect(csv.startsWith('\uFEFFNhóm;STT;Mã đơn vị;Đơn vị;Lĩnh vực 1: Chỉ đạo, điều hành;Lĩnh vực 3: Hài lòng;Tổng điểm;Điểm tối đa;Chỉ số (%);Xếp hạng;Xếp loại;')).toBe(true);
    expect(csv).toContain('\r\nUBND xã, phường;1;P2;UBND Phường An Hòa;2,75;KPS;2,75;3,00;91,67;1;Tốt;3,00;-0,25;88,50;3,17\r\n');
    expect(csv).toContain('\r\nUBND xã, phường;2;P1;UBND Phường 1;1,00;KPS;1,00;3,00;33,33;2;Yếu;3,00;-2,00;;\r\n');
    const plain = toCsv(s, 'abc', 'plain').toString('utf8');
    expect(plain.startsWith('Nhóm,STT,Mã đơn vị,Đơn vị,"Lĩnh vực 1: Chỉ đạo, điều hành",Lĩnh vực 3: Hài lòng,')).toBe(true);
    expect(plain).toContain('\n"UBND xã, phường",1,P2,UBND Phường An Hòa,2.75,KPS,2.75,3.00,91.67,1,Tốt,3.00,-0.25,88.50,3.17\n');
    expect(plain).toContain('\n"UBND xã, phường",2,P1,UBND Phường 1,1.00,KPS,1.00,3.00,33.33,2,Yếu,3.00,-2.00,,\n');
  });

  it('XLSX and PDF are byte-identical when rendered twice (the strong ETag is truthful)', async () => {
    const [a, b] = [await toXlsx(s, 'abc'), await toXlsx(s, 'abc')];
    expect(a.equals(b)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(a as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['UBND xã, phường']);
    const [p, q] = [await toPdf(s, 'abc'), await toPdf(s, 'abc')];
    expect(p.subarray(0, 5).toString()).toBe('%PDF-');
    expect(p.equals(q)).toBe(true);
  });

  it('marks a unit that never submitted its self-assessment (issue 13): CSV note column, annex name in XLSX and PDF; deterministic', async () => {
    const forced = buildSnapshot(input({ groups: [{ ...groups[0]!, rows: [groups[0]!.rows[0]!, { ...groups[0]!.rows[1]!, submitted: false }] }] }));
    expect(forced.groups[0]!.rows.map((r) => r.submitted)).toEqual([undefined, false]);
    // Default (Excel, Vietnamese locale) flavour: ";" separators, decimal commas.
    const csv = toCsv(forced, 'abc').toString('utf8');
    expect(csv.split(/\r?\n/).filter(Boolean)).toEqual([
      '\uFEFFNhóm;STT;Mã đơn vị;Đơn vị;Lĩnh vực 1: Chỉ đạo, điều hành;Lĩnh vực 3: Hài lòng;Tổng điểm;Điểm tối đa;Chỉ số (%);Xếp hạng;Xếp loại;Điểm tự đánh giá;Chênh lệch;Chỉ số năm trước (%);Tăng/giảm;Ghi chú',
      'UBND xã, phường;1;P2;UBND Phường An Hòa;2,75;KPS;2,75;3,00;91,67;1;Tốt;3,00;-0,25;88,50;3,17;',
      'UBND xã, phường;2;P1;UBND Phường 1;1,00;KPS;1,00;3,00;33,33;2;Yếu;3,00;-2,00;;;Chưa nộp tự đánh giá',
    ]);
    // Publications where everyone submitted keep their earlier bytes: no note column.
    expect(toCsv(s, 'abc').toString('utf8')).not.toContain('Ghi chú');
    const x = await toXlsx(forced, 'abc');
    expect(x.equals(await toXlsx(forced, 'abc'))).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    // Header at row 6; P2 (rank 1) at row 7, P1 (rank 2, never submitted) at row 8.
    expect(ws.getCell(7, 2).value).toBe('UBND Phường An Hòa');
    expect(ws.getCell(8, 2).value).toBe('UBND Phường 1 (chưa nộp tự đánh giá)');
    const p = await toPdf(forced, 'abc');
    expect(p.equals(await toPdf(forced, 'abc'))).toBe(true);
    expect(p.equals(await toPdf(s, 'abc'))).toBe(false);
  });

  it('fixZipTimestamps rewrites every local and central entry time', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').getCell('A1').value = 1;
    const buf = fixZipTimestamps(Buffer.from(await wb.xlsx.writeBuffer()), new Date('2025-12-22T02:00:00Z'));
    const time = (2 << 11) | 0;
    const date = ((2025 - 1980) << 9) | (12 << 5) | 22;
    let locals = 0;
    for (let i = 0; i + 4 <= buf.length; i++) {
      if (buf.readUInt32LE(i) === 0x04034b50) {
        locals++;
        expect([buf.readUInt16LE(i + 10), buf.readUInt16LE(i + 12)]).toEqual([time, date]);
      }
    }
    expect(locals).toBeGreaterThan(3);
  });
});

describe('HTTP negotiation', () => {
  it('accepts gzip by name or *, unless its quality is 0', () => {
    expect(['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', '*', 'GZIP'].map(acceptsGzip)).toEqual([true, true, true, true, true]);
    expect([undefined, '', 'br', 'gzip;q=0', 'gzip; q=0.0', 'identity'].map(acceptsGzip)).toEqual([false, false, false, false, false, false]);
  });

  it('If-None-Match: weak comparison, any listed tag, either encoding of the same snapshot', () => {
    expect(noneMatch('"abc"', '"abc"')).toBe(true);
    expect(noneMatch('W/"abc"', '"abc"')).toBe(true);
    expect(noneMatch('"x", "abc-gzip"', '"abc"')).toBe(true);
    expect(noneMatch('*', '"abc"')).toBe(true);
    expect(noneMatch('"abcd"', '"abc"')).toBe(false);
    expect(noneMatch(undefined, '"abc"')).toBe(false);
  });
});

describe('bonus and penalty maxima in the published framework', () => {
  it('are their caps, not the sum of their items (bonus items 3 → cap 1; penalty items 6 → cap 2; a cap above the sum keeps the sum)', () => {
    const withExtras: FrameworkDocument = {
      ...doc,
      bonusCap: 1,
      penaltyCap: 2,
      criteria: [
        ...doc.criteria,
        { code: '9', title: 'Điểm thưởng', maxPoints: 3, kind: 'bonus', children: [{ code: '9.1', title: 'Sáng kiến', maxPoints: 3, source: 'appraisal', naAllowed: true, rule: { type: 'manual' } }] },
        { code: '10', title: 'Điểm trừ', maxPoints: 6, kind: 'penalty', children: [{ code: '10.1', title: 'Vi phạm', maxPoints: 6, source: 'appraisal', naAllowed: true, rule: { type: 'manual' } }] },
      ],
    };
    expect(snapshotFramework(withExtras, 1).areas.map((a) => [a.code, a.kind, a.maxPoints])).toEqual([
      ['1', 'regular', 3],
      ['3', 'regular', 2],
      ['9', 'bonus', 1],
      ['10', 'penalty', 2],
    ]);
    expect(snapshotFramework({ ...withExtras, bonusCap: 5 }, 1).areas.find((a) => a.code === '9')?.maxPoints).toBe(3);
  });
});
