import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessmentItems, auditEvents, evidence, itemHistory } from '../../src/db/schema.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { multipartFile } from '../helpers/multipart.js';
import { htmlBytes, exeBytes, pdfBytes } from '../fixtures/blobs/samples.js';

// 2025-10-20 10:00 in Vietnam: inside the self-assessment phase (deadline 2025-11-03). Sessions last a year
// here because the clock jumps weeks ahead.
let now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundId: string;
beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { EVIDENCE_MAX_MB: '0.01', EVIDENCE_MAX_FILES_PER_ITEM: '3', SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

const base = (unit: string) => `/api/v1/rounds/${roundId}/assessments/${unit}`;
const get = async (who: string, unit = 'P1') => t.app.inject({ method: 'GET', url: base(unit), headers: await t.as(who) });
const etag = async (unit: string, code: string) =>
  (await get(unit === 'P1' ? 'p1.editor' : 'p2.editor', unit)).json().items.find((i: { criterionCode: string }) => i.criterionCode === code).etag as string;
const putSelf = async (who: string, unit: string, code: string, body: object, ifMatch?: string | null) =>
  t.app.inject({
    method: 'PUT',
    url: `${base(unit)}/items/${code}/self`,
    headers: { ...(await t.as(who)), ...(ifMatch === null ? {} : { 'if-match': ifMatch ?? (await etag(unit, code)) }) },
    payload: body,
  });
const upload = async (who: string, unit: string, code: string, name: string, bytes: Buffer, type?: string) => {
  const mp = multipartFile(name, bytes, type);
  return t.app.inject({ method: 'POST', url: `${base(unit)}/items/${code}/evidence`, headers: { ...(await t.as(who)), ...mp.headers }, payload: mp.payload });
};
const blobFiles = () => {
  const root = path.join(t.config.dataDir, 'blobs');
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.join(d, e.name));
    }
  };
  walk(root);
  return out;
};

describe('reading an assessment', () => {
  it('lists every leaf with rule, max, source, status and an ETag', async () => {
    const res = await get('p1.editor');
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a).toMatchObject({ unitCode: 'P1', unitName: 'UBND Phường 1', phase: 'self_assessment', status: 'open', selfAssessmentDeadline: '2025-11-03', mayEditSelf: true, maySubmit: false });
    expect(a.progress).toEqual({ done: 0, total: 5, missingEvidence: 2 });
    const i11 = a.items.find((i: { criterionCode: string }) => i.criterionCode === '1.1');
    expect(i11).toMatchObject({ areaCode: '1', maxPoints: 1, source: 'self', status: 'empty', selfPoints: null, evidenceRequired: true, missingEvidence: true, mayEditSelf: true });
    expect(i11.etag).toMatch(/^"[0-9a-f]{8}-1"$/);
    const survey = a.items.find((i: { criterionCode: string }) => i.criterionCode === '3.1');
    expect(survey).toMatchObject({ source: 'survey', mayEditSelf: false });
    expect((await get('p1.head')).json().maySubmit).toBe(true);
  });
});

describe('self-assessment input', () => {
  it('computes the points of each rule type (hand-computed)', async () => {
    const cases: [string, object, number | null, string][] = [
      ['1.1', { option: 'LATE' }, 0.5, 'scored'], // "Không kịp thời" = 0.5
      ['1.2', { percent: 92.5 }, 2, 'scored'], // 92.5 > 90 → 2
      ['2.1', { numerator: 3, denominator: 40 }, 1.85, 'scored'], // lower is better: 2 × (1 − 7.5/100) = 1.85
      ['2.2', { points: 0.75 }, 0.75, 'scored'],
      ['2.3', { value: true }, 1, 'scored'],
    ];
    for (const [code, input, points, status] of cases) {
      const res = await putSelf('p1.editor', 'P1', code, { input, note: 'Theo báo cáo số 12/BC-UBND' });
      expect(res.statusCode, code).toBe(200);
      expect(res.json()).toMatchObject({ criterionCode: code, selfInput: input, selfPoints: points, status, notApplicable: false });
      expect(res.headers.etag).toBe(res.json().etag);
    }
    // 90 is not "> 90": the second tier (≥ 70) gives 1.
    expect((await putSelf('p1.editor', 'P1', '1.2', { input: { percent: 90 } })).json().selfPoints).toBe(1);
  });

  it('a ratio with denominator 0 makes an N/A-allowed item not applicable; an explicit claim works too', async () => {
    const res = await putSelf('p2.editor', 'P2', '2.1', { input: { numerator: 0, denominator: 0 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'not_applicable', notApplicable: true, selfPoints: null });
    const claim = await putSelf('p2.editor', 'P2', '2.1', { notApplicable: true, note: 'Không phát sinh hồ sơ' });
    expect(claim.json()).toMatchObject({ notApplicable: true, selfInput: null, note: 'Không phát sinh hồ sơ' });
  });

  it('rejects out-of-domain input with a 422 naming the field and keeps what was saved', async () => {
    const before = (await get('p1.editor')).json().items.find((i: { criterionCode: string }) => i.criterionCode === '1.2');
    const cases: [string, object, string][] = [
      ['1.2', { input: { percent: 101 } }, 'body.input.percent'],
      ['1.1', { input: { option: 'SOON' } }, 'body.input.option'],
      ['2.2', { input: { points: 0.3 } }, 'body.input.points'],
      ['2.1', { input: { numerator: 5, denominator: 4 } }, 'body.input.numerator'],
      ['1.1', { notApplicable: true }, 'body.notApplicable'],
      ['1.2', { note: 'chưa có số liệu' }, 'body.input'],
    ];
    for (const [code, body, field] of cases) {
      const res = await putSelf('p1.editor', 'P1', code, body);
      expect(res.statusCode, `${code} ${JSON.stringify(body)}`).toBe(422);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().errors[0].field, JSON.stringify(body)).toBe(field);
      expect(res.json().errors[0].message).toContain(code);
    }
    const after = (await get('p1.editor')).json().items.find((i: { criterionCode: string }) => i.criterionCode === '1.2');
    expect(after).toEqual(before);
  });

  it('requires If-Match: 428 when missing, 412 when stale', async () => {
    const missing = await putSelf('p1.editor', 'P1', '2.2', { input: { points: 1 } }, null);
    expect(missing.statusCode).toBe(428);
    const current = await etag('P1', '2.2');
    expect((await putSelf('p1.editor', 'P1', '2.2', { input: { points: 1 } }, current)).statusCode).toBe(200);
    const stale = await putSelf('p1.head', 'P1', '2.2', { input: { points: 0.5 } }, current);
    expect(stale.statusCode).toBe(412);
    expect(stale.json().currentEtag).toBe(await etag('P1', '2.2'));
    expect((await get('p1.editor')).json().items.find((i: { criterionCode: string }) => i.criterionCode === '2.2').selfPoints).toBe(1);
  });

  it('survey-sourced and appraisal-only items are not self-editable', async () => {
    expect((await putSelf('p1.editor', 'P1', '3.1', { input: { percent: 100 } })).statusCode).toBe(409);
    expect((await putSelf('p1.editor', 'P1', '9.1', { input: { points: 1 } })).statusCode).toBe(409);
    expect((await putSelf('p1.editor', 'P1', '7.7', { input: { points: 1 } }, '"x"')).statusCode).toBe(404);
  });

  it('records history with actor and audit entries', async () => {
    const item = await t.app.inject({ method: 'GET', url: `${base('P1')}/items/1.2`, headers: await t.as('p1.head') });
    const h = item.json().history;
    expect(h.map((e: { kind: string }) => e.kind)).toEqual(['self', 'self']);
    expect(h[0]).toMatchObject({ actor: 'p1.editor', actorRole: 'unit_editor', actorUnitCode: 'P1', data: { input: { percent: 92.5 }, points: 2 } });
    const audits = await t.database.db.select().from(auditEvents);
    expect(audits.filter((a) => a.action === 'item.self_updated' && a.entityId === `${roundId}/P1/1.2`)).toHaveLength(2);
  });
});

describe('evidence', () => {
  it('accepts an official-document reference', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${base('P1')}/items/1.1/evidence`,
      headers: await t.as('p1.editor'),
      payload: { docNumber: '125/KH-UBND', docDate: '2025-01-15', issuer: 'UBND Phường 1', title: 'Kế hoạch cải cách hành chính năm 2025' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().evidence).toMatchObject({ kind: 'document', docNumber: '125/KH-UBND', docDate: '2025-01-15' });
    expect(res.json().item.missingEvidence).toBe(false);
    const bad = await t.app.inject({ method: 'POST', url: `${base('P1')}/items/1.1/evidence`, headers: await t.as('p1.editor'), payload: { docNumber: '1', docDate: '2025-13-01', issuer: 'x', title: 'x', url: 'javascript:alert(1)' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.docDate', 'body.url']);
  });

  it('stores an uploaded PDF with its hash and serves it back as an attachment', async () => {
    const bytes = pdfBytes();
    const res = await upload('p1.editor', 'P1', '2.3', '../../etc/Ảnh niêm yết TTHC.pdf', bytes, 'application/pdf');
    expect(res.statusCode).toBe(201);
    const ev = res.json().evidence;
    expect(ev).toMatchObject({ kind: 'file', filename: 'Ảnh niêm yết TTHC.pdf', mime: 'application/pdf', size: bytes.length });
    expect(ev.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));
    const [row] = (await t.database.db.select().from(evidence)).filter((e) => e.id === ev.id);
    expect(row!.blobKey).not.toContain('etc');

    const dl = await t.app.inject({ method: 'GET', url: ev.downloadUrl, headers: await t.as('p1.head') });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(bytes)).toBe(true);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''");
    expect(dl.headers['x-content-type-options']).toBe('nosniff');

    // Another unit cannot download it; neither can an appraiser with no assignment.
    expect((await t.app.inject({ method: 'GET', url: ev.downloadUrl, headers: await t.as('p2.editor') })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: ev.downloadUrl, headers: await t.as('appraiser') })).statusCode).toBe(404);
  });

  it('refuses spoofed types and oversized files, storing nothing', async () => {
    const rowsBefore = (await t.database.db.select().from(evidence)).length;
    const filesBefore = blobFiles().sort();
    const html = await upload('p1.editor', 'P1', '2.2', 'bao-cao.pdf', htmlBytes(), 'application/pdf');
    expect(html.statusCode).toBe(415);
    expect(html.headers['content-type']).toMatch(/problem\+json/);
    const exe = await upload('p1.editor', 'P1', '2.2', 'ke-hoach.pdf', exeBytes(), 'application/pdf');
    expect(exe.statusCode).toBe(415);
    // EVIDENCE_MAX_MB=0.01 here: about 10 KB.
    const big = await upload('p1.editor', 'P1', '2.2', 'scan.pdf', Buffer.concat([pdfBytes(), Buffer.alloc(11 * 1024, 0x20)]), 'application/pdf');
    expect(big.statusCode).toBe(413);
    expect((await t.database.db.select().from(evidence)).length).toBe(rowsBefore);
    expect(blobFiles().sort()).toEqual(filesBefore);
  });

  it('caps the number of evidence entries per item', async () => {
    const ref = { docNumber: '1/BC', docDate: '2025-02-01', issuer: 'UBND', title: 'Báo cáo' };
    const headers = await t.as('p1.editor');
    for (let i = 0; i < 3; i++) {
      expect((await t.app.inject({ method: 'POST', url: `${base('P1')}/items/1.2/evidence`, headers, payload: ref })).statusCode).toBe(201);
    }
    const over = await t.app.inject({ method: 'POST', url: `${base('P1')}/items/1.2/evidence`, headers, payload: ref });
    expect(over.statusCode).toBe(409);
    const blobsBefore = blobFiles().length;
    expect((await upload('p1.editor', 'P1', '1.2', 'x.pdf', pdfBytes())).statusCode).toBe(409);
    expect(blobFiles().length).toBe(blobsBefore);
  });

  it('removing evidence deletes the row and the file', async () => {
    const up = await upload('p1.editor', 'P1', '2.2', 'bien-ban.pdf', pdfBytes());
    const id = up.json().evidence.id;
    const before = blobFiles().length;
    const del = await t.app.inject({ method: 'DELETE', url: `${base('P1')}/items/2.2/evidence/${id}`, headers: await t.as('p1.editor') });
    expect(del.statusCode).toBe(200);
    expect(del.json().evidence.find((e: { id: string }) => e.id === id)).toBeUndefined();
    expect(blobFiles().length).toBe(before - 1);
    expect(del.json().history.map((h: { kind: string }) => h.kind)).toContain('evidence_removed');
  });
});

describe('unit scope (BOLA): another unit’s assessment is invisible and untouchable', () => {
  it('every route answers 404 to P2 on P1 objects and nothing changes', async () => {
    const p1 = (await get('p1.editor')).json();
    const item = p1.items.find((i: { criterionCode: string }) => i.criterionCode === '2.3');
    const file = item.evidence.find((e: { kind: string }) => e.kind === 'file');
    const snapshot = async () => ({
      items: await t.database.db.select().from(assessmentItems),
      evidence: await t.database.db.select().from(evidence),
      history: await t.database.db.select().from(itemHistory),
    });
    const before = await snapshot();
    for (const who of ['p2.editor', 'p2.head']) {
      const headers = await t.as(who);
      const mp = multipartFile('x.pdf', pdfBytes());
      const calls = [
        t.app.inject({ method: 'GET', url: base('P1'), headers }),
        t.app.inject({ method: 'GET', url: `${base('P1')}/items/2.3`, headers }),
        t.app.inject({ method: 'PUT', url: `${base('P1')}/items/2.3/self`, headers: { ...headers, 'if-match': item.etag }, payload: { input: { value: false } } }),
        t.app.inject({ method: 'POST', url: `${base('P1')}/items/2.3/evidence`, headers, payload: { docNumber: '1', docDate: '2025-01-01', issuer: 'x', title: 'x' } }),
        t.app.inject({ method: 'POST', url: `${base('P1')}/items/2.3/evidence`, headers: { ...headers, ...mp.headers }, payload: mp.payload }),
        t.app.inject({ method: 'GET', url: file.downloadUrl, headers }),
        t.app.inject({ method: 'DELETE', url: `${base('P1')}/items/2.3/evidence/${file.id}`, headers }),
      ];
      for (const res of await Promise.all(calls)) expect(res.statusCode, `${who} ${res.raw.req.method} ${res.raw.req.url}`).toBe(404);
      // Submitting is a head's right: an editor is refused outright, another unit's head finds nothing.
      const submit = await t.app.inject({ method: 'POST', url: `${base('P1')}/submit`, headers });
      expect(submit.statusCode).toBe(who === 'p2.head' ? 404 : 403);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('submit', () => {
  it('only the unit head submits, and only a complete self-assessment (422 lists what is missing)', async () => {
    expect((await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers: await t.as('p2.editor') })).statusCode).toBe(403);
    const incomplete = await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers: await t.as('p2.head') });
    expect(incomplete.statusCode).toBe(422);
    const missing = incomplete.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`);
    // P2 only claimed 2.1 not applicable: four self items are unscored (2.1 needs nothing more).
    expect(missing).toEqual(['items.1.1:not_scored', 'items.1.2:not_scored', 'items.2.2:not_scored', 'items.2.3:not_scored']);

    // 1.1 needs evidence: scoring it without evidence or an explanation is still incomplete.
    await putSelf('p2.editor', 'P2', '1.1', { input: { option: 'ON_TIME' } });
    expect((await putSelf('p2.editor', 'P2', '1.2', { input: { percent: 92.5 } })).json().selfPoints).toBe(2);
    await putSelf('p2.editor', 'P2', '2.2', { input: { points: 0.5 } });
    await putSelf('p2.editor', 'P2', '2.3', { input: { value: true }, note: 'Bảng niêm yết đặt tại Bộ phận Một cửa, đã kiểm tra trực tiếp' });
    const stillMissing = await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers: await t.as('p2.head') });
    expect(stillMissing.json().errors).toEqual([expect.objectContaining({ field: 'items.1.1', code: 'evidence_missing' })]);
  });

  it('is idempotent under parallel replays of one key; a reused key with another body is 422', async () => {
    await t.app.inject({
      method: 'POST',
      url: `${base('P2')}/items/1.1/evidence`,
      headers: await t.as('p2.editor'),
      payload: { docNumber: '88/KH-UBND', docDate: '2025-01-10', issuer: 'UBND Phường An Hòa', title: 'Kế hoạch CCHC năm 2025' },
    });
    const headers = { ...(await t.as('p2.head')), 'idempotency-key': 'submit-p2-2025' };
    const results = await Promise.all(Array.from({ length: 8 }, () => t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers, payload: {} })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const bodies = new Set(results.map((r) => r.body));
    expect(bodies.size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
    expect(results[0]!.json()).toMatchObject({ unitCode: 'P2', status: 'submitted', submittedBy: 'p2.head' });
    const audits = (await t.database.db.select().from(auditEvents)).filter((a) => a.action === 'assessment.submitted');
    expect(audits).toHaveLength(1);

    const reused = await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers, payload: { comment: 'khác' } });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().errors[0].field).toBe('header.idempotency-key');
    const again = await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers: await t.as('p2.head') });
    expect(again.statusCode).toBe(409);
  });

  it('a submitted self-assessment is read-only until the coordinator sends it back', async () => {
    const locked = await putSelf('p2.editor', 'P2', '2.2', { input: { points: 1 } });
    expect(locked.statusCode).toBe(409);
    const a = (await get('p2.editor', 'P2')).json();
    expect(a).toMatchObject({ status: 'submitted', mayEditSelf: false, maySubmit: false });
    const back = await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${roundId}/assessments/P2/send-back`, headers: await t.as('coord'), payload: { reason: 'Thiếu tài liệu kiểm chứng tiêu chí 2.3' } });
    expect(back.statusCode).toBe(200);
    const reopened = (await get('p2.editor', 'P2')).json();
    expect(reopened).toMatchObject({ status: 'open', mayEditSelf: true, sentBack: { reason: 'Thiếu tài liệu kiểm chứng tiêu chí 2.3' } });
    expect((await putSelf('p2.editor', 'P2', '2.2', { input: { points: 1 } })).statusCode).toBe(200);
    const resubmit = await t.app.inject({ method: 'POST', url: `${base('P2')}/submit`, headers: await t.as('p2.head') });
    expect(resubmit.statusCode).toBe(200);
  });

  it('an assigned appraiser reads submitted work of their areas only', async () => {
    const { roundAppraisers, users } = await import('../../src/db/schema.js');
    const [appraiser] = (await t.database.db.select().from(users)).filter((u) => u.username === 'appraiser');
    await t.database.db.insert(roundAppraisers).values({ roundId, userId: appraiser!.id, groupCode: 'XA', areaCode: '2' });
    const p2 = await get('appraiser', 'P2');
    expect(p2.statusCode).toBe(200);
    expect(p2.json().items.map((i: { criterionCode: string }) => i.criterionCode)).toEqual(['2.1', '2.2', '2.3']);
    expect(p2.json().mayEditSelf).toBe(false);
    // P1 has not submitted: nothing to appraise yet.
    expect((await get('appraiser', 'P1')).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${base('P2')}/items/1.1`, headers: await t.as('appraiser') })).statusCode).toBe(404);
  });
});

describe('deadlines, progress', () => {
  it('refuses edits after the deadline (409 naming the phase) unless the unit has an extension', async () => {
    const saved = now;
    now = new Date('2025-11-03T17:30:00Z'); // 00:30 on 4 Nov in Vietnam: one day late
    try {
      const late = await putSelf('p1.editor', 'P1', '2.2', { input: { points: 0.25 } });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ phase: 'self_assessment' });
      // Problem details are Vietnamese by default, with the deadline written as Vietnamese offices write dates.
      expect(late.json().detail).toContain('03/11/2025');
      await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${roundId}/assessments/P1/extensions`, headers: await t.as('coord'), payload: { phase: 'self_assessment', until: '2025-11-05', reason: 'Bão số 13' } });
      expect((await putSelf('p1.editor', 'P1', '2.2', { input: { points: 0.25 } })).statusCode).toBe(200);
      const progress = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/progress`, headers: await t.as('coord') });
      expect(progress.statusCode).toBe(200);
      const [group] = progress.json().groups;
      const p1 = group.units.find((u: { unitCode: string }) => u.unitCode === 'P1');
      const p2 = group.units.find((u: { unitCode: string }) => u.unitCode === 'P2');
      expect(p1).toMatchObject({ itemsDone: 5, itemsTotal: 5, status: 'open', late: false, deadline: '2025-11-05', extensionUntil: '2025-11-05', missingEvidence: 0 });
      expect(p2).toMatchObject({ status: 'submitted', late: false, itemsDone: 5 });
      expect(group.totals).toMatchObject({ units: 2, submitted: 1, late: 0, itemsDone: 10, itemsTotal: 10 });
    } finally {
      now = saved;
    }
  });

  it('exports progress as CSV with a BOM and Vietnamese headers; units cannot see it', async () => {
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/progress.csv`, headers: await t.as('coord') });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Nhóm;Mã đơn vị;Đơn vị;Tiêu chí đã chấm;Tổng tiêu chí;Thiếu tài liệu kiểm chứng;Trạng thái;Thời điểm nộp;Trễ hạn;Hạn;Gia hạn đến');
    expect(lines[1]).toContain('UBND Phường 1');
    expect(lines).toHaveLength(3);
    // Dates as Vietnamese offices write them (the self-assessment deadline of the test schedule is 2025-11-03);
    // ISO dates in the plain flavour.
    expect(csv.body).toContain(';03/11/2025;');
    const plain = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/progress.csv?format=plain`, headers: await t.as('coord') });
    expect(plain.body.startsWith('Nhóm,Mã đơn vị,Đơn vị,')).toBe(true);
    expect(plain.body).toContain(',2025-11-03,');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/progress`, headers: await t.as('p1.head') })).statusCode).toBe(403);
  });

  it('after the phase moves on, self data is frozen', async () => {
    // P1 never submitted and nobody is assigned: the move is forced (issue 13), freezing P1's entries as they are.
    const moved = await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${roundId}/transition`, headers: await t.as('coord'), payload: { to: 'appraisal', force: true } });
    expect(moved.statusCode, moved.body).toBe(200);
    const res = await putSelf('p1.editor', 'P1', '2.2', { input: { points: 0.5 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().phase).toBe('appraisal');
    const back = await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${roundId}/assessments/P2/send-back`, headers: await t.as('coord'), payload: { reason: 'x' } });
    expect(back.statusCode).toBe(409);
  });
});
