import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertDemoSurveys } from '../helpers/surveys.js';
import { at, sampleDoc, validationCases, type Doc } from '../helpers/frameworks.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
  await insertDemoSurveys(t);
});
afterAll(() => t.close());

const PROBLEM = /^application\/problem\+json/;

async function call(user: string | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  const headers = user ? await t.as(user) : {};
  return t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as Doc }) });
}

describe('create and read', () => {
  it('a coordinator creates a draft; the answer has the tree, totals per area and counts', async () => {
    const res = await call('coord', 'POST', '/frameworks', sampleDoc());
    expect(res.statusCode, res.body).toBe(201);
    const fw = res.json();
    expect(fw).toMatchObject({
      code: 'XA-2025',
      lineage: 'XA',
      status: 'draft',
      version: 1,
      createdBy: 'coord',
      publishedAt: null,
      clonedFrom: null,
      bonusCap: 1,
      penaltyCap: 2,
      capIndexAt100: true,
    });
    expect(fw.areas).toEqual([
      { code: '1', title: 'Công tác chỉ đạo, điều hành CCHC', kind: 'regular', maxPoints: 5, leafCount: 3 },
      { code: '2', title: 'Cải cách thủ tục hành chính', kind: 'regular', maxPoints: 4, leafCount: 1 },
      { code: '3', title: 'Mức độ hài lòng', kind: 'regular', maxPoints: 3, leafCount: 1 },
      { code: '9', title: 'Điểm thưởng', kind: 'bonus', maxPoints: 2, leafCount: 1 },
      { code: '10', title: 'Điểm trừ', kind: 'penalty', maxPoints: 3, leafCount: 1 },
    ]);
    expect(fw.totals).toEqual({
      maxPoints: 12,
      bonusMaxPoints: 2,
      penaltyMaxPoints: 3,
      areaCount: 5,
      criterionCount: 12,
      leafCount: 7,
      leavesByRuleType: { manual: 0, binary: 1, options: 1, tiered: 2, proportional: 2, survey: 1 },
      leavesBySource: { self: 4, survey: 1, appraisal: 2 },
    });
    expect(at(fw, '1.2').rule).toEqual(sampleDoc().criteria[0].children[1].rule);
  });

  it('admin may create too; a second framework of the same lineage and year is version 2', async () => {
    const res = await call('admin', 'POST', '/frameworks', { ...sampleDoc('XA-2025-V2'), lineage: 'XA' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ lineage: 'XA', version: 2, createdBy: 'admin' });
  });

  it('every authenticated role reads; anonymous does not', async () => {
    for (const user of ['coord', 'admin', 'appraiser', 'p1.editor', 'p1.head']) {
      expect((await call(user, 'GET', '/frameworks')).statusCode, user).toBe(200);
      expect((await call(user, 'GET', '/frameworks/XA-2025')).statusCode, user).toBe(200);
      expect((await call(user, 'GET', '/frameworks/XA-2025/export.json')).statusCode, user).toBe(200);
    }
    expect((await call(null, 'GET', '/frameworks')).statusCode).toBe(401);
  });

  it('unit roles and appraisers cannot write (403)', async () => {
    for (const user of ['p1.editor', 'p1.head', 'appraiser']) {
      const res = await call(user, 'POST', '/frameworks', sampleDoc('XA-X'));
      expect(res.statusCode, user).toBe(403);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect((await call(user, 'PUT', '/frameworks/XA-2025', sampleDoc())).statusCode).toBe(403);
      expect((await call(user, 'POST', '/frameworks/XA-2025/publish')).statusCode).toBe(403);
      expect((await call(user, 'POST', '/frameworks/XA-2025/clone', { code: 'XA-Y' })).statusCode).toBe(403);
    }
  });

  it('a duplicate code is 409; an unknown one 404', async () => {
    const dup = await call('coord', 'POST', '/frameworks', sampleDoc());
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ field: 'code' });
    expect((await call('coord', 'GET', '/frameworks/NOPE')).statusCode).toBe(404);
  });

  it('export.json is the normalised document, and creating from it again gives the same', async () => {
    const exported = (await call('coord', 'GET', '/frameworks/XA-2025/export.json')).json();
    expect(exported).toMatchObject({ code: 'XA-2025', lineage: 'XA', legalBasis: 'Quyết định số 12/QĐ-UBND', surveyOptional: false, notApplicableScoring: 'rebase' });
    expect(Object.keys(exported).sort()).toEqual(
      ['bands', 'bonusCap', 'capIndexAt100', 'code', 'criteria', 'legalBasis', 'lineage', 'name', 'notApplicableScoring', 'penaltyCap', 'surveyOptional', 'year'],
    );
    const again = await call('coord', 'POST', '/frameworks', { ...exported, code: 'XA-2025-COPY', lineage: 'XA-COPY' });
    expect(again.statusCode).toBe(201);
    const copy = (await call('coord', 'GET', '/frameworks/XA-2025-COPY/export.json')).json();
    expect(copy).toEqual({ ...exported, code: 'XA-2025-COPY', lineage: 'XA-COPY' });
  });
});

describe('validation through the API: 422 with one error per problem', () => {
  it.each(validationCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const doc = sampleDoc('XA-BAD');
    c.mutate(doc);
    const res = await call('coord', 'POST', '/frameworks', doc);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    const body = res.json();
    const hit = body.errors.find((e: { field: string; code: string }) => e.field === c.field && e.code === c.code);
    expect(hit, JSON.stringify(body.errors, null, 1)).toBeDefined();
    expect(hit.message).toMatch(c.message);
    // Vietnamese by default; the detail names the field by the same path as errors[].field.
    expect(body.detail).toMatch(/^Dữ liệu không hợp lệ: /);
    expect(body.detail).toContain(`${c.field}: `);
  });

  it('a body that is not a document at all is still a 422 naming the fields, never a 500', async () => {
    for (const payload of [[], { code: 7 }, { criteria: [{ children: 'x' }] }]) {
      const res = await call('coord', 'POST', '/frameworks', payload);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.length).toBeGreaterThan(0);
    }
  });

  it('nothing invalid was stored', async () => {
    expect((await call('coord', 'GET', '/frameworks/XA-BAD')).statusCode).toBe(404);
  });
});

describe('update, publish and immutability', () => {
  it('a draft is replaced by PUT', async () => {
    const doc = sampleDoc('XA-2025');
    at(doc, '1.1').title = 'Ban hành Kế hoạch CCHC năm 2025';
    const res = await call('coord', 'PUT', '/frameworks/XA-2025', doc);
    expect(res.statusCode, res.body).toBe(200);
    expect(at(res.json(), '1.1').title).toBe('Ban hành Kế hoạch CCHC năm 2025');
  });

  it('PUT validates like POST, and the code never changes', async () => {
    const doc = sampleDoc('XA-2025');
    at(doc, '1').maxPoints = 7;
    const bad = await call('coord', 'PUT', '/frameworks/XA-2025', doc);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ field: 'criteria[1].maxPoints', code: 'sum_mismatch' });
    const renamed = await call('coord', 'PUT', '/frameworks/XA-2025', sampleDoc('XA-OTHER'));
    expect(renamed.statusCode).toBe(422);
    expect(renamed.json().errors).toEqual([expect.objectContaining({ field: 'code', code: 'immutable' })]);
    expect((await call('coord', 'PUT', '/frameworks/NOPE', sampleDoc('NOPE'))).statusCode).toBe(404);
  });

  it('publish makes it immutable: PUT and publish again are 409 naming the status', async () => {
    const pub = await call('coord', 'POST', '/frameworks/XA-2025/publish');
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({ status: 'published', publishedAt: expect.any(String) });

    const put = await call('coord', 'PUT', '/frameworks/XA-2025', sampleDoc('XA-2025'));
    expect(put.statusCode).toBe(409);
    expect(put.headers['content-type']).toMatch(PROBLEM);
    expect(put.json()).toMatchObject({ status: 409, frameworkStatus: 'published', detail: expect.stringContaining('clone') });
    const again = await call('coord', 'POST', '/frameworks/XA-2025/publish');
    expect(again.statusCode).toBe(409);
    expect(again.json().frameworkStatus).toBe('published');
  });

  it('the database refuses to change a published framework even behind the service', async () => {
    const attempt = t.database.db.execute(sql`update frameworks set name = 'sửa lén' where code = 'XA-2025'`);
    await expect(attempt).rejects.toThrow();
    const del = t.database.db.execute(sql`delete from frameworks where code = 'XA-2025'`);
    await expect(del).rejects.toThrow();
    expect((await call('coord', 'GET', '/frameworks/XA-2025')).json().name).toBe(sampleDoc().name);
  });
});

describe('clone and diff', () => {
  it('clones a published framework into a draft for the next year, keeping the lineage', async () => {
    const res = await call('coord', 'POST', '/frameworks/XA-2025/clone', { code: 'XA-2026', year: 2026 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      code: 'XA-2026',
      lineage: 'XA',
      year: 2026,
      version: 1,
      status: 'draft',
      clonedFrom: 'XA-2025',
      name: 'Bộ tiêu chí Chỉ số CCHC UBND xã, phường năm 2026',
      legalBasis: 'Quyết định số 12/QĐ-UBND',
    });
    const source = (await call('coord', 'GET', '/frameworks/XA-2025')).json();
    expect(res.json().criteria).toEqual(source.criteria);
  });

  it('a clone in the same year is the next version; an existing code is 409, an unknown source 404', async () => {
    const v3 = await call('coord', 'POST', '/frameworks/XA-2025/clone', { code: 'XA-2025-V3', name: 'Bộ tiêu chí sửa đổi' });
    expect(v3.json()).toMatchObject({ year: 2025, version: 3, name: 'Bộ tiêu chí sửa đổi' });
    expect((await call('coord', 'POST', '/frameworks/XA-2025/clone', { code: 'XA-2026' })).statusCode).toBe(409);
    expect((await call('coord', 'POST', '/frameworks/NOPE/clone', { code: 'X1' })).statusCode).toBe(404);
    const bad = await call('coord', 'POST', '/frameworks/XA-2025/clone', { code: 'bad code', extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.code', 'body.extra']);
  });

  it('diff names criteria added, removed and changed in max points or rule (hand-checked)', async () => {
    const next = (await call('coord', 'GET', '/frameworks/XA-2026/export.json')).json();
    at(next, '1').children = at(next, '1').children.filter((c: Doc) => c.code !== '1.3');
    at(next, '1').children.push({ code: '1.4', title: 'Công tác tuyên truyền CCHC', maxPoints: 2, source: 'self', rule: { type: 'tiered', input: 'count', tiers: [{ gte: 3, points: 2 }, { gte: 1, points: 1 }] } });
    at(next, '1.2').rule.tiers = [{ gte: 100, points: 2 }, { gte: 80, points: 1 }];
    at(next, '2.1').maxPoints = 5;
    at(next, '2').maxPoints = 5;
    next.penaltyCap = 3;
    expect((await call('coord', 'PUT', '/frameworks/XA-2026', next)).statusCode).toBe(200);

    const res = await call('appraiser', 'GET', '/frameworks/XA-2026/diff?from=XA-2025');
    expect(res.statusCode, res.body).toBe(200);
    const diff = res.json();
    expect(diff).toMatchObject({ from: 'XA-2025', to: 'XA-2026' });
    expect(diff.settings).toEqual([
      { field: 'name', from: 'Bộ tiêu chí Chỉ số CCHC UBND xã, phường năm 2025', to: 'Bộ tiêu chí Chỉ số CCHC UBND xã, phường năm 2026' },
      { field: 'year', from: 2025, to: 2026 },
      { field: 'penaltyCap', from: 2, to: 3 },
    ]);
    expect(diff.added).toEqual([{ code: '1.4', title: 'Công tác tuyên truyền CCHC', maxPoints: 2, leaf: true }]);
    expect(diff.removed).toEqual([{ code: '1.3', title: 'Tỷ lệ hồ sơ giải quyết trễ hạn', maxPoints: 2, leaf: true }]);
    expect(diff.changed).toEqual([
      {
        code: '1.2',
        title: 'Mức độ thực hiện kế hoạch CCHC',
        maxPoints: 2,
        leaf: true,
        changes: [
          {
            field: 'rule',
            from: { type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 },
            to: { type: 'tiered', input: 'percent', tiers: [{ gte: 100, points: 2 }, { gte: 80, points: 1 }], otherwise: 0 },
          },
        ],
      },
      { code: '2', title: 'Cải cách thủ tục hành chính', maxPoints: 5, leaf: false, changes: [{ field: 'maxPoints', from: 4, to: 5 }] },
      { code: '2.1', title: 'Tỷ lệ hồ sơ trực tuyến', maxPoints: 5, leaf: true, changes: [{ field: 'maxPoints', from: 4, to: 5 }] },
    ]);
    expect(diff.summary).toEqual({ added: 1, removed: 1, changed: 3, unchanged: 8 });
    expect((await call('coord', 'GET', '/frameworks/XA-2026/diff?from=NOPE')).statusCode).toBe(404);
  });
});

describe('list filters', () => {
  it('filters by year, status, lineage and text', async () => {
    const codes = async (q: string) => (await call('p1.editor', 'GET', `/frameworks${q}`)).json().map((f: { code: string }) => f.code);
    expect(await codes('?year=2026')).toEqual(['XA-2026']);
    expect(await codes('?status=published')).toEqual(['XA-2025']);
    expect(await codes('?lineage=XA&year=2025')).toEqual(['XA-2025-V3', 'XA-2025-V2', 'XA-2025']);
    expect(await codes('?q=copy')).toEqual(['XA-2025-COPY']);
    expect((await call('coord', 'GET', '/frameworks?status=final')).statusCode).toBe(400);
  });
});

describe('audit', () => {
  it('records create, update, publish and clone in the hash chain', async () => {
    const res = await call('admin', 'GET', '/audit?entityType=framework&limit=500');
    const actions = res.json().items.map((e: { action: string; entityId: string }) => `${e.action} ${e.entityId}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'framework.created XA-2025',
        'framework.updated XA-2025',
        'framework.published XA-2025',
        'framework.cloned XA-2026',
        'framework.updated XA-2026',
      ]),
    );
    const published = res.json().items.find((e: { action: string }) => e.action === 'framework.published');
    expect(published).toMatchObject({ actorUsername: 'coord', before: { status: 'draft' }, after: { status: 'published' } });
    expect((await call('admin', 'GET', '/audit/verify')).json().valid).toBe(true);
  });
});
