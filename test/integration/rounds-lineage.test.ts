// Issue 13 items 8, 10, 11: one non-cancelled round per unit and year, cancellation, frameworks of the round's
// year (allowFrameworkYear), the council record before publication and the decision's annex PDF, unit lineage
// (predecessors) and dated name history in the public history. Expected values are written out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule } from '../helpers/fixtures.js';
import { multipartFile } from '../helpers/multipart.js';
import { pdfText } from '../helpers/pdf.js';
import { api, driveToCouncilReview, selfScores, testCouncil } from '../helpers/rounds.js';

const now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '8760', PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  await seedDirectory(t);
  await insertFramework(t, { code: 'XA-T24', lineage: 'XA', year: 2024 });
  await insertFramework(t, { code: 'XA-T', lineage: 'XA' });
}, 120_000);
afterAll(() => t.close());

const round = (year: number, units: string[], extra: object = {}) => ({
  year,
  name: `Xác định Chỉ số CCHC năm ${year}`,
  groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: year === 2024 ? 'XA-T24' : 'XA-T', unitCodes: units }],
  schedule,
  ...extra,
});

describe('rounds by year (item 8)', () => {
  let first: string;
  it('refuses a unit already in another non-cancelled round of the same year, naming the units and the round', async () => {
    const a = await api(t, 'coord', 'POST', '/api/v1/rounds', round(2025, ['P1', 'P2']));
    expect(a.statusCode).toBe(201);
    first = a.json().id;
    const b = await api(t, 'coord', 'POST', '/api/v1/rounds', round(2025, ['P2']));
    expect(b.statusCode).toBe(409);
    expect(b.headers['content-type']).toContain('application/problem+json');
    expect(b.json()).toMatchObject({ unitCodes: ['P2'], otherRounds: [{ id: first, name: 'Xác định Chỉ số CCHC năm 2025' }] });
  });

  it("refuses a framework of another year unless allowFrameworkYear gives a reason (audited)", async () => {
    const plain = await api(t, 'coord', 'POST', '/api/v1/rounds', { ...round(2026, ['P1']), groups: [{ code: 'XA', name: 'X', frameworkCode: 'XA-T', unitCodes: ['P1'] }] });
    expect(plain.statusCode).toBe(409);
    expect(plain.json().frameworkYearMismatch).toEqual([{ groupCode: 'XA', frameworkCode: 'XA-T', frameworkYear: 2025 }]);
    const empty = await api(t, 'coord', 'POST', '/api/v1/rounds', { ...round(2026, ['P1']), allowFrameworkYear: { reason: '' } });
    expect([400, 422]).toContain(empty.statusCode);
    const ok = await api(t, 'coord', 'POST', '/api/v1/rounds', { ...round(2026, ['P1']), allowFrameworkYear: { reason: 'Bộ tiêu chí năm 2026 chưa ban hành' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ year: 2026, frameworkYearReason: 'Bộ tiêu chí năm 2026 chưa ban hành', cancelled: false });
    const audit = await api(t, 'coord', 'GET', `/api/v1/audit?entityType=round&entityId=${ok.json().id}`);
    expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('round.framework_year_allowed');
  });

  it('cancels with a reason (coordinator only, audited); a cancelled round is closed and frees its units', async () => {
    expect((await api(t, 'p1.head', 'POST', `/api/v1/rounds/${first}/cancel`, { reason: 'x' })).statusCode).toBe(403);
    expect((await api(t, 'coord', 'POST', `/api/v1/rounds/${first}/cancel`, {})).statusCode).toBe(400);
    const c = await api(t, 'coord', 'POST', `/api/v1/rounds/${first}/cancel`, { reason: 'Tạo trùng đợt' });
    expect(c.statusCode).toBe(200);
    expect(c.json()).toMatchObject({ cancelled: true, cancelledBy: 'coord', cancelReason: 'Tạo trùng đợt', cancelledAt: now.toISOString() });
    expect((await api(t, 'coord', 'POST', `/api/v1/rounds/${first}/cancel`, { reason: 'lần nữa' })).statusCode).toBe(409);
    expect((await api(t, 'coord', 'POST', `/api/v1/rounds/${first}/transition`, { to: 'self_assessment' })).statusCode).toBe(409);
    const audit = await api(t, 'coord', 'GET', `/api/v1/audit?entityType=round&entityId=${first}`);
    expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('round.cancelled');
    const again = await api(t, 'coord', 'POST', '/api/v1/rounds', round(2025, ['P2']));
    expect(again.statusCode).toBe(201);
    await api(t, 'coord', 'POST', `/api/v1/rounds/${again.json().id}/cancel`, { reason: 'Thử nghiệm' });
  });
});

describe('council review and the decision annex (item 10)', () => {
  let id: string;
  let minutesSha: string;
  const publish = () => api(t, 'coord', 'POST', `/api/v1/rounds/${id}/publications`, { decisionNumber: '125/QĐ-UBND', decisionDate: '2025-01-22' });

  it('publication is refused (409) naming what the council record lacks', async () => {
    id = await driveToCouncilReview(t, {
      year: 2024,
      council: false,
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T24', units: { P1: { head: 'p1.head', self: selfScores.poor }, P2: { head: 'p2.head', self: selfScores.na, bonus: 0.25 } } }],
    });
    const none = await publish();
    expect(none.statusCode).toBe(409);
    expect(none.json().missing).toEqual(['members', 'minutes', 'decisionIssuer', 'signer']);
    expect((await api(t, 'coord', 'PUT', `/api/v1/rounds/${id}/council`, { ...testCouncil, members: [] })).statusCode).toBe(400);
    const put = await api(t, 'coord', 'PUT', `/api/v1/rounds/${id}/council`, testCouncil);
    expect(put.statusCode).toBe(200);
    expect(put.json().missing).toEqual(['minutes']);
    expect((await publish()).json().missing).toEqual(['minutes']);
  });

  it('minutes as an uploaded file (content-checked, downloadable by the coordinator, not by units)', async () => {
    const bytes = pdfBytes();
    minutesSha = createHash('sha256').update(bytes).digest('hex');
    const mp = multipartFile('Biên bản họp hội đồng.pdf', bytes, 'application/pdf');
    const up = await t.app.inject({ method: 'PUT', url: `/api/v1/rounds/${id}/council/minutes`, headers: { ...(await t.as('coord')), ...mp.headers }, payload: mp.payload });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ missing: [], minutes: { kind: 'file', sha256: minutesSha, mime: 'application/pdf' } });
    const dl = await api(t, 'coord', 'GET', `/api/v1/rounds/${id}/council/minutes/file`);
    expect(dl.statusCode).toBe(200);
    expect(createHash('sha256').update(dl.rawPayload).digest('hex')).toBe(minutesSha);
    expect((await api(t, 'p1.head', 'GET', `/api/v1/rounds/${id}/council`)).statusCode).toBe(403);
    expect((await api(t, 'p1.head', 'PUT', `/api/v1/rounds/${id}/council`, testCouncil)).statusCode).toBe(403);
  });

  it('the publication carries the decision (issuer, signer) and the council; the round can then neither change its council nor be cancelled', async () => {
    const res = await publish();
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ decisionNumber: '125/QĐ-UBND', decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', signerName: 'Lê Văn Cường', signerTitle: 'Chủ tịch' });
    const doc = (await api(t, null, 'GET', `/api/v1/public/publications/${res.json().id}`)).json();
    expect(doc.snapshot.decision).toEqual({ number: '125/QĐ-UBND', date: '2025-01-22', issuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', signerName: 'Lê Văn Cường', signerTitle: 'Chủ tịch' });
    expect(doc.snapshot.council.members).toEqual(testCouncil.members);
    expect(doc.snapshot.council.minutes).toMatchObject({ kind: 'file', sha256: minutesSha });
    expect((await api(t, null, 'GET', `/api/v1/public/publications/${res.json().id}/verify`)).json()).toMatchObject({ valid: true });
    expect((await api(t, 'coord', 'PUT', `/api/v1/rounds/${id}/council`, testCouncil)).statusCode).toBe(409);
    const cancel = await api(t, 'coord', 'POST', `/api/v1/rounds/${id}/cancel`, { reason: 'muộn' });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().phase).toBe('published');

    // The PDF is laid out as the decision's annex.
    const pdf = await api(t, null, 'GET', `/api/v1/public/publications/${res.json().id}.pdf`);
    const { pages, text } = await pdfText(pdf.rawPayload);
    const first = pages[0]!.text;
    for (const s of ['ỦY BAN NHÂN DÂN THÀNH PHỐ THỬ NGHIỆM', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'PHỤ LỤC', 'KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024']) {
      expect(first).toContain(s);
    }
    expect(text.replace(/\s+/g, ' ')).toContain('Kèm theo Quyết định số 125/QĐ-UBND ngày 22 tháng 01 năm 2025 của Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm');
    expect(text).toContain('CHỦ TỊCH');
    expect(text).toContain('Lê Văn Cường');
    expect(text.replace(/\s+/g, ' ')).toContain('chữ ký điện tử của hệ thống');
    expect(text).not.toContain('ký số');
    // The header comes before PHỤ LỤC, the signature block after the table.
    expect(first.indexOf('CỘNG HÒA')).toBeLessThan(first.indexOf('PHỤ LỤC'));
    expect(text.indexOf('Lê Văn Cường')).toBeGreaterThan(text.indexOf('UBND Phường An Hòa'));
  });
});

describe('unit lineage and dated names (item 11)', () => {
  it('a unit formed from P1 and P2 shows their published rows, each under its own code and name', async () => {
    const bad = await api(t, 'admin', 'POST', '/api/v1/org-units', { code: 'PMOI', name: 'UBND phường Mới', kind: 'commune', predecessorCodes: ['P1', 'NOPE'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ field: 'body.predecessorCodes.1', code: 'unknown_unit' });
    const created = await api(t, 'admin', 'POST', '/api/v1/org-units', { code: 'PMOI', name: 'UBND phường Mới', kind: 'commune', activeFrom: '2025-07-01', predecessorCodes: ['P1', 'P2'] });
    expect(created.statusCode).toBe(201);
    expect(created.json().predecessorCodes).toEqual(['P1', 'P2']);
    const h = await api(t, null, 'GET', '/api/v1/public/units/PMOI/history');
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ unitCode: 'PMOI', unitName: 'UBND phường Mới', predecessors: [{ code: 'P1', name: 'UBND Phường 1' }, { code: 'P2', name: 'UBND Phường An Hòa' }] });
    // 2024 (hand-computed in publications.test.ts): P1 "poor" 0.25 of 7 → 3.57 %; P2 4.25 of 5 → 85 %.
    expect(h.json().entries.map((e: { year: number; unitCode: string; unitName: string; index: number; predecessor: boolean }) => [e.year, e.unitCode, e.unitName, e.index, e.predecessor])).toEqual([
      [2024, 'P1', 'UBND Phường 1', 3.57, true],
      [2024, 'P2', 'UBND Phường An Hòa', 85, true],
    ]);
  });

  it('refuses lineage cycles and self-reference', async () => {
    const self = await api(t, 'admin', 'PATCH', '/api/v1/org-units/PMOI', { predecessorCodes: ['PMOI'] });
    expect(self.statusCode).toBe(422);
    const cycle = await api(t, 'admin', 'PATCH', '/api/v1/org-units/P1', { predecessorCodes: ['PMOI'] });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().errors[0]).toMatchObject({ field: 'body.predecessorCodes.0', code: 'cycle' });
  });

  it('a rename is dated and does not rewrite what was published', async () => {
    const early = await api(t, 'admin', 'PATCH', '/api/v1/org-units/P1', { name: 'UBND phường Một', renamedOn: '2025-10-01' });
    expect(early.statusCode).toBe(422);
    expect(early.json().errors[0]).toMatchObject({ field: 'body.renamedOn', code: 'range' });
    const ok = await api(t, 'admin', 'PATCH', '/api/v1/org-units/P1', { name: 'UBND phường Một', renamedOn: '2025-11-01' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('UBND phường Một');
    const names = (await api(t, 'admin', 'GET', '/api/v1/org-units/P1/names')).json();
    expect(names).toEqual({
      code: 'P1',
      name: 'UBND phường Một',
      names: [
        { name: 'UBND Phường 1', validFrom: '2025-10-20', validTo: '2025-11-01' },
        { name: 'UBND phường Một', validFrom: '2025-11-01', validTo: null },
      ],
      predecessors: [],
    });
    const h = (await api(t, null, 'GET', '/api/v1/public/units/P1/history')).json();
    expect(h.entries.map((e: { unitName: string }) => e.unitName)).toEqual(['UBND Phường 1']);
    expect((await api(t, null, 'GET', '/api/v1/public/units/PMOI/history')).json().entries[0].unitName).toBe('UBND Phường 1');
  });
});
