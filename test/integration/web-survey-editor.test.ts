// The questionnaire editor over app.inject (issue 15): a survey admin edits dimensions, questions and options in a
// server-rendered form, saves with post/redirect/get, sees refused fields beside their inputs in Vietnamese with
// everything typed kept, is stopped from overwriting another admin's save, previews the citizens' form (checkboxes
// for multiple choice) and cannot change a questionnaire that has responses. The form is read back from the page
// the way a browser would submit it.
import { eq, sql } from 'drizzle-orm';
import { surveyResponses, surveys } from '../../src/db/schema.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { WebClient } from '../helpers/web.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z') });
  await seedDirectory(t);
  // SIPAS-T is scored by the test framework (criterion 3.1 from Q1 and Q2) and collected by P1 and P2.
  await insertSurvey(t, surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1'], KET_QUA: ['Q2'] }, { name: 'Khảo sát sự hài lòng năm 2025' }));
  await insertSurvey(t, surveyDoc('NHAP-1', { TIEP_CAN: ['Q1', 'Q2'] }, { name: 'Bảng hỏi dự thảo' }), 'draft');
  await insertSurvey(t, surveyDoc('CO-PHIEU', { TIEP_CAN: ['Q1'] }, { name: 'Bảng hỏi đã có phiếu' }));
  await insertFramework(t);
  await openRound(t);
  const [row] = await t.database.db.select({ id: surveys.id }).from(surveys).where(eq(surveys.code, 'CO-PHIEU'));
  const now = t.app.clock();
  await t.database.db.insert(surveyResponses).values({ surveyId: row!.id, unitCode: 'P1', responseId: 'r-1', source: 'import', answers: { Q1: '5' }, submittedAt: now, createdAt: now });
});
afterAll(() => t.close());

async function as(username: string) {
  const web = new WebClient(t.app);
  await web.login(username, PASSWORD);
  return web;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** What a browser would submit from the editor form: text inputs, textareas, selected options, ticked boxes. */
function formOf(page: string): Record<string, string | string[]> {
  const form = /<form method="post" action="[^"]*" class="survey-editor"[^>]*>([\s\S]*?)<\/form>/.exec(page)?.[1];
  if (!form) throw new Error('no editor form on the page');
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  };
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const a = m[1]!;
    const name = /name="([^"]*)"/.exec(a)?.[1];
    if (!name) continue;
    const value = unescape(/value="([^"]*)"/.exec(a)?.[1] ?? '');
    if (/type="checkbox"/.test(a) && !/ checked/.test(a)) continue;
    add(name, value);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(m[1]!, unescape(m[2]!));
  for (const m of form.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? /<option value="([^"]*)"/.exec(m[2]!)?.[1] ?? '';
    add(m[1]!, unescape(selected));
  }
  return out;
}

const apiSurvey = async (code: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/surveys/${code}`, headers: await t.as('coord') })).json();
/** The message shown beside a form field (its id is derived from the field name). */
const errorOf = (page: string, name: string) => {
  const id = `f-${name.replace(/\./g, '-')}-err`;
  return new RegExp(`<p class="field-error" id="${id}">([^<]*)</p>`).exec(page)?.[1];
};
const inputValue = (page: string, name: string) => unescape(new RegExp(`name="${name.replace(/\./g, '\\.')}" value="([^"]*)"`).exec(page)?.[1] ?? '');

describe('opening the editor', () => {
  it('is linked from the list and the survey page, and shows the stored questionnaire in Vietnamese', async () => {
    const coord = await as('coord');
    const list = await coord.get('/dieu-phoi/khao-sat');
    expect(list.body).toContain('href="/dieu-phoi/khao-sat-moi"');
    expect(list.body).not.toContain('qua API (<code>POST /api/v1/surveys</code> với tài liệu JSON)');
    const page = await coord.get('/dieu-phoi/khao-sat/NHAP-1');
    expect(page.body).toContain('href="/dieu-phoi/khao-sat/NHAP-1/sua"');
    expect(page.body).toContain('href="/dieu-phoi/khao-sat/NHAP-1/xem-truoc"');
    expect(page.body).not.toContain('Bảng hỏi được tạo và sửa qua API');
    const res = await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Sửa bảng hỏi NHAP-1</h1>');
    expect(res.body).toContain('Đang sửa phiên bản 1.');
    const form = formOf(res.body);
    expect(form).toMatchObject({
      version: '1',
      code: 'NHAP-1',
      name: 'Bảng hỏi dự thảo',
      kind: 'satisfaction',
      'd.0.code': 'TIEP_CAN',
      'd.0.title': 'Chiều TIEP_CAN',
      'd.0.weight': '1',
      'd.0.q.1.code': 'Q2',
      'd.0.q.1.text': 'Câu hỏi Q2',
      'd.0.q.1.type': 'single',
      'd.0.q.0.o.0.code': '5',
      'd.0.q.0.o.0.label': 'Rất hài lòng',
      'd.0.q.0.o.0.value': '1',
      // "Không trả lời" does not count: an empty value.
      'd.0.q.0.o.5.label': 'Không trả lời',
      'd.0.q.0.o.5.value': '',
    });
    expect(form['d.0.q.0.required']).toBeUndefined();
    // Every script stays on this server; no inline script.
    expect(res.body).not.toMatch(/<script(?![^>]*src="\/assets\/)/);
  });

  it('is for survey admins only (coordinator and admin), and every save needs the CSRF token', async () => {
    const admin = await as('admin');
    expect((await admin.get('/dieu-phoi/khao-sat/NHAP-1/sua')).statusCode).toBe(200);
    const unit = await as('p1.editor');
    expect((await unit.get('/dieu-phoi/khao-sat/NHAP-1/sua')).statusCode).toBe(403);
    expect((await unit.post('/dieu-phoi/khao-sat/NHAP-1/luu', { op: 'luu', name: 'X' })).statusCode).toBe(403);
    expect((await unit.get('/dieu-phoi/khao-sat-moi')).statusCode).toBe(403);
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const noToken = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, _csrf: '', op: 'luu', name: 'Đổi tên không có mã CSRF' });
    expect(noToken.statusCode).toBe(403);
    expect((await apiSurvey('NHAP-1')).name).toBe('Bảng hỏi dự thảo');
    expect((await coord.get('/dieu-phoi/khao-sat/KHONG-CO/sua')).statusCode).toBe(404);
    // The address forms post to, opened directly (a browser that sent no Referer, then reloaded): the editor.
    const direct = await coord.get('/dieu-phoi/khao-sat/NHAP-1/luu');
    expect([direct.statusCode, direct.headers.location]).toEqual([303, '/dieu-phoi/khao-sat/NHAP-1/sua']);
  });
});

describe('editing and saving', () => {
  it('adds, moves and removes rows without saving, keeping what was typed', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const typed = { ...form, name: 'Tên đang gõ dở', 'd.0.q.0.text': 'Câu một đã sửa' };
    const added = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...typed, op: 'add-q:0' });
    expect(added.statusCode).toBe(200);
    // The re-rendered form is reached by a redirect to the editor's own address (post/redirect/get).
    expect(coord.lastPost?.statusCode).toBe(303);
    expect(coord.lastPost?.headers.location).toMatch(/^\/dieu-phoi\/khao-sat\/NHAP-1\/sua\?loi=/);
    const f1 = formOf(added.body);
    expect(f1.name).toBe('Tên đang gõ dở');
    expect(f1['d.0.q.0.text']).toBe('Câu một đã sửa');
    // The new question: empty, with two empty options to fill.
    expect(f1['d.0.q.2.code']).toBe('');
    expect(f1['d.0.q.2.o.1.code']).toBe('');
    expect(f1['d.0.q.2.o.2.code']).toBeUndefined();
    // Move question 2 (Q2) up: it becomes the first.
    const moved = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...f1, op: 'up-q:0:1' })).body);
    expect([moved['d.0.q.0.code'], moved['d.0.q.1.code'], moved['d.0.q.1.text']]).toEqual(['Q2', 'Q1', 'Câu một đã sửa']);
    // Remove the last option of Q1 ("Không trả lời") and move "Bình thường" to the top.
    const removed = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...moved, op: 'del-o:0:1:5' })).body);
    expect(removed['d.0.q.1.o.5.code']).toBeUndefined();
    const up = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...removed, op: 'up-o:0:1:2' })).body);
    expect([up['d.0.q.1.o.0.label'], up['d.0.q.1.o.1.label'], up['d.0.q.1.o.2.label']]).toEqual(['Rất hài lòng', 'Bình thường', 'Hài lòng']);
    // A second dimension.
    const dims = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...up, op: 'add-d' })).body);
    expect(dims['d.1.code']).toBe('');
    expect(dims['d.1.q.0.code']).toBe('');
    // Nothing of this was saved.
    const stored = await apiSurvey('NHAP-1');
    expect(stored.version).toBe(1);
    expect(stored.name).toBe('Bảng hỏi dự thảo');
  });

  it('saves a new version and redirects back to the editor (303), which shows it', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const withDim = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, op: 'add-d' })).body);
    const res = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', {
      ...withDim,
      op: 'luu',
      name: 'Bảng hỏi dự thảo (sửa)',
      year: '2025',
      minResponses: '30',
      demographics: ['sex', 'occupation'],
      'd.0.weight': '0,6',
      'd.0.q.1.required': '1',
      'd.0.q.0.o.2.value': '0,5',
      'd.1.code': 'KENH',
      'd.1.title': 'Kênh tiếp nhận thông tin',
      'd.1.weight': '0,4',
      'd.1.q.0.code': 'K1',
      'd.1.q.0.text': 'Ông/bà biết thủ tục qua kênh nào?',
      'd.1.q.0.type': 'multiple',
      'd.1.q.0.score': 'max',
      'd.1.q.0.o.0.code': 'web',
      'd.1.q.0.o.0.label': 'Cổng dịch vụ công',
      'd.1.q.0.o.0.value': '1',
      'd.1.q.0.o.1.code': 'loa',
      'd.1.q.0.o.1.label': 'Loa phường',
      'd.1.q.0.o.1.value': '0.5',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/dieu-phoi/khao-sat/NHAP-1/sua?tb=da-luu-bang-hoi');
    const stored = await apiSurvey('NHAP-1');
    expect(stored.version).toBe(2);
    expect(stored.name).toBe('Bảng hỏi dự thảo (sửa)');
    expect(stored.year).toBe(2025);
    expect(stored.minResponses).toBe(30);
    expect(stored.demographics).toEqual(['sex', 'occupation']);
    expect(stored.dimensions.map((d: { code: string; weight: number }) => [d.code, d.weight])).toEqual([['TIEP_CAN', 0.6], ['KENH', 0.4]]);
    expect(stored.dimensions[0].questions[1].required).toBe(true);
    expect(stored.dimensions[0].questions[0].options[2]).toEqual({ code: '3', label: 'Bình thường', value: 0.5 });
    expect(stored.dimensions[0].questions[0].options[5]).toEqual({ code: '0', label: 'Không trả lời', value: null });
    expect(stored.dimensions[1].questions[0]).toEqual({
      code: 'K1',
      text: 'Ông/bà biết thủ tục qua kênh nào?',
      required: false,
      multiple: { score: 'max' },
      options: [
        { code: 'web', label: 'Cổng dịch vụ công', value: 1 },
        { code: 'loa', label: 'Loa phường', value: 0.5 },
      ],
    });
    const after = await coord.get(res.headers.location as string);
    expect(after.body).toContain('Đã lưu bảng hỏi (phiên bản mới).');
    expect(after.body).toContain('Đang sửa phiên bản 2.');
    const f = formOf(after.body);
    expect([f['d.0.weight'], f['d.1.q.0.type'], f['d.1.q.0.score'], f['d.1.q.0.o.1.value'], f['d.0.q.1.required']]).toEqual(['0,6', 'multiple', 'max', '0,5', '1']);
  });

  it('shows each refused field beside its input in Vietnamese, keeps everything typed and saves nothing (422)', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const before = await apiSurvey('NHAP-1');
    const res = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', {
      ...form,
      op: 'luu',
      name: '',
      'd.0.q.0.o.0.value': '1,5',
      'd.0.q.0.o.1.value': 'nhiều',
      'd.0.q.0.o.3.label': '   ',
      'd.0.q.1.code': 'q1',
      'd.1.code': 'TIEP_CAN',
      'd.1.q.0.o.0.code': 'có dấu cách',
    });
    expect(res.statusCode).toBe(422);
    // The service checks the shape of every field first; codes used twice are checked once the shape is right.
    expect(res.body).toContain('Chưa lưu: bảng hỏi còn 5 lỗi, hãy sửa các ô được đánh dấu.');
    expect(errorOf(res.body, 'name')).toBe('Vui lòng nhập tên bảng hỏi.');
    expect(errorOf(res.body, 'd.0.q.0.o.0.value')).toBe('Giá trị phải từ 0 đến 1.');
    expect(errorOf(res.body, 'd.0.q.0.o.1.value')).toBe('Giá trị là một số từ 0 đến 1 (dùng dấu phẩy, ví dụ 0,75); để trống nếu phương án không tính điểm (ví dụ “Không trả lời”).');
    expect(errorOf(res.body, 'd.0.q.0.o.3.label')).toBe('Vui lòng nhập nội dung phương án.');
    expect(errorOf(res.body, 'd.1.q.0.o.0.code')).toBe('Mã phương án: chữ cái, chữ số, dấu chấm, hai chấm, gạch ngang, gạch dưới; không có dấu cách; tối đa 64 ký tự.');
    // The input points at its message, and one message per field.
    expect(res.body).toContain('name="d.0.q.0.o.1.value" value="nhiều" inputmode="decimal" placeholder="không tính" aria-invalid="true" aria-describedby="f-d-0-q-0-o-1-value-err"');
    expect(res.body.match(/id="f-d-0-q-0-o-1-value-err"/g)).toHaveLength(1);
    // Post/redirect/get: the refused form was answered 303 to the editor's address, which shows it again on reload.
    expect(coord.lastPost?.statusCode).toBe(303);
    const kept = coord.lastPost?.headers.location as string;
    expect(kept).toMatch(/^\/dieu-phoi\/khao-sat\/NHAP-1\/sua\?loi=[0-9a-f-]{36}#loi$/);
    const reload = await coord.get(kept);
    expect(reload.statusCode).toBe(422);
    expect(inputValue(reload.body, 'd.0.q.0.o.1.value')).toBe('nhiều');
    // The summary at the top links to the fields without repeating their messages.
    expect(res.body).toContain('<li><a href="#f-d-0-q-0-o-1-value">Nhóm 1, câu 1, phương án 2: giá trị</a></li>');
    expect(res.body).toContain('<li><a href="#f-name">Tên bảng hỏi</a></li>');
    expect(res.body.split('Vui lòng nhập tên bảng hỏi.')).toHaveLength(2);
    // Everything typed is still there.
    expect(inputValue(res.body, 'd.0.q.0.o.0.value')).toBe('1,5');
    expect(inputValue(res.body, 'd.1.q.0.o.0.code')).toBe('có dấu cách');
    expect(formOf(res.body)['d.1.q.0.type']).toBe('multiple');
    expect(await apiSurvey('NHAP-1')).toEqual(before);
    // The shape corrected, the codes used twice are named.
    const fixed = { ...formOf(res.body), op: 'luu', name: 'Bảng hỏi dự thảo', 'd.0.q.0.o.0.value': '1', 'd.0.q.0.o.1.value': '1', 'd.0.q.0.o.3.label': 'Không hài lòng', 'd.1.q.0.o.0.code': 'web' };
    const dup = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', fixed);
    expect(dup.statusCode).toBe(422);
    expect(dup.body).toContain('Chưa lưu: bảng hỏi còn 2 lỗi, hãy sửa các ô được đánh dấu.');
    expect(errorOf(dup.body, 'd.0.q.1.code')).toBe('Mã câu hỏi bị trùng (mã câu hỏi là duy nhất trong cả bảng hỏi, không phân biệt hoa thường).');
    expect(errorOf(dup.body, 'd.1.code')).toBe('Mã nhóm bị trùng với một nhóm khác.');
    expect(inputValue(dup.body, 'd.0.q.1.code')).toBe('q1');
    expect(await apiSurvey('NHAP-1')).toEqual(before);
  });

  it('explains container problems too: a question with one option, no scored option', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const oneOption = formOf((await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, op: 'del-o:1:0:1' })).body);
    const res = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...oneOption, op: 'luu' });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res.body, 'd.1.q.0.o')).toBe('Mỗi câu hỏi cần ít nhất 2 phương án.');
    const unscored = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, op: 'luu', ...Object.fromEntries([0, 1, 2, 3, 4, 5].map((k) => [`d.0.q.1.o.${k}.value`, ''])) });
    expect(unscored.statusCode).toBe(422);
    expect(errorOf(unscored.body, 'd.0.q.1.o')).toBe('Cần ít nhất một phương án có giá trị (tính điểm); phương án để trống giá trị chỉ không được tính.');
    expect(unscored.body).toContain('aria-describedby="f-d-0-q-1-o-err"');
  });

  it('refuses to drop a question a framework scores from, naming the framework', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/SIPAS-T/sua')).body);
    const res = await coord.post('/dieu-phoi/khao-sat/SIPAS-T/luu', { ...form, op: 'luu', 'd.0.q.0.code': 'Q1_MOI' });
    expect(res.statusCode).toBe(422);
    expect(errorOf(res.body, 'd')).toMatch(/^Bộ tiêu chí \S+ \(tiêu chí 3\.1\) tính điểm từ câu hỏi Q1: không được xóa hoặc đổi mã\.$/);
    expect((await apiSurvey('SIPAS-T')).version).toBe(1);
  });
});

describe('two admins at once', () => {
  it('the later save is refused (412) with a Vietnamese message, keeps its text, and saves only when sent again', async () => {
    const a = await as('coord');
    const b = await as('admin');
    const formA = formOf((await a.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const formB = formOf((await b.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const v = Number(formA.version);
    expect(formB.version).toBe(String(v));
    const saveA = await a.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...formA, op: 'luu', 'd.0.title': 'Tiếp cận dịch vụ (A)' });
    expect(saveA.statusCode).toBe(303);
    const saveB = await b.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...formB, op: 'luu', 'd.0.title': 'Tiếp cận dịch vụ (B)' });
    expect(saveB.statusCode).toBe(412);
    expect(saveB.body).toContain(`Bảng hỏi vừa được người khác lưu (phiên bản ${v + 1}, lúc bạn mở để sửa là phiên bản ${v}). Nội dung bạn soạn <strong>chưa được lưu</strong> và vẫn còn nguyên bên dưới.`);
    expect(saveB.body).toContain('href="/dieu-phoi/khao-sat/NHAP-1" target="_blank" rel="noopener">xem bản hiện tại</a>');
    const again = formOf(saveB.body);
    expect(again['d.0.title']).toBe('Tiếp cận dịch vụ (B)');
    expect(again.version).toBe(String(v + 1));
    const stored = await apiSurvey('NHAP-1');
    expect([stored.version, stored.dimensions[0].title]).toEqual([v + 1, 'Tiếp cận dịch vụ (A)']);
    // Sent again after reading the message: B's version replaces A's.
    const resend = await b.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...again, op: 'luu' });
    expect(resend.statusCode).toBe(303);
    const last = await apiSurvey('NHAP-1');
    expect([last.version, last.dimensions[0].title]).toEqual([v + 2, 'Tiếp cận dịch vụ (B)']);
  });

  it('the service refuses a stale expected version even when the form is bypassed', async () => {
    const actor = { userId: '00000000-0000-0000-0000-000000000000', username: 'coord', displayName: 'Cán bộ', role: 'coordinator' as const, orgUnitCode: 'PNV', tokenId: 't', tokenKind: 'api' as const };
    const ctx = { actor, requestId: 't', now: t.app.clock() };
    const current = await apiSurvey('NHAP-1');
    const { version, status, questionCount, responseCount, createdBy, createdAt, updatedAt, publishedAt, ...doc } = current;
    void [status, questionCount, responseCount, createdBy, createdAt, updatedAt, publishedAt];
    await expect(t.app.services.surveys.update(ctx, 'NHAP-1', doc, { expectedVersion: version - 1 })).rejects.toMatchObject({ status: 412 });
    expect((await apiSurvey('NHAP-1')).version).toBe(version);
  });
});

describe('preview and the public form', () => {
  it('previews the saved questionnaire as the citizens’ form: checkboxes for multiple choice, radios otherwise, nothing to submit', async () => {
    const coord = await as('coord');
    const res = await coord.get('/dieu-phoi/khao-sat/NHAP-1/xem-truoc');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<form class="survey-preview-form" aria-label="Xem trước biểu mẫu" novalidate>');
    expect(res.body).not.toContain('name="_csrf" value="" ');
    expect(res.body).toMatch(/<legend>Ông\/bà biết thủ tục qua kênh nào\? <span class="muted">\(chọn một hoặc nhiều phương án\)<\/span><\/legend>/);
    expect(res.body).toContain('<input type="checkbox" name="q_K1" value="web">');
    expect(res.body).toContain('<input type="checkbox" name="q_K1" value="loa">');
    expect(res.body).toContain('<input type="radio" name="q_Q1" value="5">');
    expect(res.body).toContain('<button class="button primary big" type="button" disabled>Gửi phiếu khảo sát</button>');
  });

  it('previews what is being typed, unsaved, inside the editor; an invalid draft shows its errors instead', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/NHAP-1/sua')).body);
    const version = (await apiSurvey('NHAP-1')).version;
    const res = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, op: 'xem-truoc', 'd.0.q.0.type': 'multiple', 'd.0.q.0.text': 'Câu hỏi đang soạn' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h2 id="xem-truoc-tieu-de">Xem trước biểu mẫu</h2>');
    expect(res.body).toContain('<input type="checkbox" name="q_Q1" value="5">');
    expect(res.body).toContain('Câu hỏi đang soạn');
    expect(formOf(res.body)['d.0.q.0.type']).toBe('multiple');
    expect((await apiSurvey('NHAP-1')).version).toBe(version);
    const bad = await coord.post('/dieu-phoi/khao-sat/NHAP-1/luu', { ...form, op: 'xem-truoc', 'd.0.q.0.text': '' });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad.body, 'd.0.q.0.text')).toBe('Vui lòng nhập nội dung câu hỏi.');
    expect(bad.body).not.toContain('id="xem-truoc"');
  });

  it('the public form renders the same checkboxes and takes several ticked answers to a multiple-choice question', async () => {
    const coord = await as('coord');
    const form = formOf((await coord.get('/dieu-phoi/khao-sat/SIPAS-T/sua')).body);
    expect((await coord.post('/dieu-phoi/khao-sat/SIPAS-T/luu', { ...form, op: 'luu', 'd.1.q.0.type': 'multiple', 'd.1.q.0.score': 'mean' })).statusCode).toBe(303);
    const preview = await coord.get('/dieu-phoi/khao-sat/SIPAS-T/xem-truoc');
    const citizen = new WebClient(t.app);
    const page = await citizen.get('/khao-sat/SIPAS-T/P1');
    expect(page.statusCode).toBe(200);
    const fieldset = (body: string) => /<fieldset class="question" id="cau-Q2">[\s\S]*?<\/fieldset>/.exec(body)?.[0];
    expect(fieldset(page.body)).toContain('<input type="checkbox" name="q_Q2" value="4">');
    expect(fieldset(page.body)).not.toContain('type="radio"');
    // The preview is the public form's markup, question for question.
    expect(fieldset(preview.body)).toBe(fieldset(page.body));
    const responseId = /name="responseId" value="([^"]+)"/.exec(page.body)![1]!;
    const sent = await citizen.post('/khao-sat/SIPAS-T/P1', { responseId, q_Q1: '5', q_Q2: ['4', '5'] });
    expect(sent.statusCode, sent.body).toBe(303);
    const stored = (await t.database.db.execute(sql`select answers from survey_responses where response_id = ${responseId}`)) as unknown as { rows: { answers: Record<string, string> }[] };
    // Stored in the order of the definition.
    expect(stored.rows[0]!.answers).toEqual({ Q1: '5', Q2: '5 4' });
  });
});

describe('creating and locked questionnaires', () => {
  it('creates a new draft questionnaire from the empty form, refusing a code that exists', async () => {
    const coord = await as('coord');
    const empty = await coord.get('/dieu-phoi/khao-sat-moi');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('<h1>Tạo bảng hỏi mới</h1>');
    const form = formOf(empty.body);
    expect([form.code, form['d.0.code'], form['d.0.q.0.o.1.code'], form['d.0.weight']]).toEqual(['', '', '', '1']);
    const filled = {
      ...form,
      op: 'luu',
      code: 'MOI-2026',
      name: 'Khảo sát mới 2026',
      'd.0.code': 'CHUNG',
      'd.0.title': 'Đánh giá chung',
      'd.0.q.0.code': 'C1',
      'd.0.q.0.text': 'Ông/bà hài lòng chứ?',
      'd.0.q.0.o.0.code': 'co',
      'd.0.q.0.o.0.label': 'Có',
      'd.0.q.0.o.0.value': '1',
      'd.0.q.0.o.1.code': 'khong',
      'd.0.q.0.o.1.label': 'Không',
      'd.0.q.0.o.1.value': '0',
    };
    const res = await coord.post('/dieu-phoi/khao-sat-moi/luu', filled);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/dieu-phoi/khao-sat/MOI-2026/sua?tb=da-tao-bang-hoi');
    const stored = await apiSurvey('MOI-2026');
    expect([stored.status, stored.version, stored.dimensions[0].questions[0].options]).toEqual(['draft', 1, [{ code: 'co', label: 'Có', value: 1 }, { code: 'khong', label: 'Không', value: 0 }]]);
    expect((await coord.get(res.headers.location as string)).body).toContain('Đã tạo bảng hỏi (dự thảo).');
    await coord.get('/dieu-phoi/khao-sat-moi');
    const dup = await coord.post('/dieu-phoi/khao-sat-moi/luu', { ...filled, name: 'Trùng mã' });
    expect(coord.lastPost?.headers.location).toMatch(/^\/dieu-phoi\/khao-sat-moi\?loi=/);
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup.body, 'code')).toBe('Mã bảng hỏi này đã có; hãy chọn mã khác.');
    expect(inputValue(dup.body, 'name')).toBe('Trùng mã');
    expect((await apiSurvey('MOI-2026')).name).toBe('Khảo sát mới 2026');
  });

  it('a questionnaire with responses cannot be edited: the page says so and a save is refused (409)', async () => {
    const coord = await as('coord');
    const survey = await coord.get('/dieu-phoi/khao-sat/CO-PHIEU');
    expect(survey.body).not.toContain('href="/dieu-phoi/khao-sat/CO-PHIEU/sua"');
    expect(survey.body).toContain('Bảng hỏi đã có phiếu trả lời nên không sửa được nữa');
    const page = await coord.get('/dieu-phoi/khao-sat/CO-PHIEU/sua');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bảng hỏi đã có phiếu trả lời nên không sửa được nữa');
    expect(page.body).not.toContain('class="survey-editor"');
    const post = await coord.post('/dieu-phoi/khao-sat/CO-PHIEU/luu', { op: 'luu', version: '1', name: 'Đổi', kind: 'satisfaction', 'd.0.code': 'A', 'd.0.title': 'A' });
    expect(post.statusCode).toBe(409);
    expect((await apiSurvey('CO-PHIEU')).version).toBe(1);
  });
});
