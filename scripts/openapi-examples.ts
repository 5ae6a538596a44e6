// Records the examples of the OpenAPI document (`npm run openapi:examples`, then `npm run openapi`): a fresh demo
// province (Đồng Tháp) on an in-memory database, driven through the API by its users — a round from
// self-assessment to final scores, a correction of the published history, surveys, plans — with the request and the
// answer of each operation written to src/lib/openapi/examples.json, lists cut to two entries. The clock is fixed
// so dates read like the demo year; ids are new on every run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { buildApp } from '../src/app.js';
import { bootstrap } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { openPglite } from '../src/db/client.js';

const FIXED = '2025-09-15T02:30:00Z';
let now = Date.parse(FIXED);
const clock = () => new Date(now);
// A minute per call, so the recorded timestamps follow each other as in real use.
const tick = () => {
  now += 60_000;
};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-openapi-examples-'));
const config = loadConfig({
  NODE_ENV: 'test',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
  MAX_EVENT_LOOP_DELAY_MS: '0',
  DEMO_DATA: 'true',
  ADMIN_PASSWORD: 'admin-demo-2025',
  PUBLIC_BASE_URL: 'https://cchc.dongthap.gov.vn',
});
const database = await openPglite();
await database.migrate();
const app = await buildApp({ config, database, logger: false, clock });
await app.ready();
await bootstrap(app);
const PW = 'cchc-demo-2025';
const tokens: Record<string, string> = {};
type Call = { status: number; request?: unknown; response?: unknown; contentType: string };
const out: Record<string, Call[]> = {};
let failures = 0;

async function login(user: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user, password: user === 'admin' ? 'admin-demo-2025' : PW } });
  tokens[user] = res.json().token;
  return tokens[user]!;
}
async function call(op: string, user: string | null, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  tick();
  const h: Record<string, string> = { ...headers };
  if (user) h.authorization = `Bearer ${tokens[user] ?? (await login(user))}`;
  const payload = body === undefined ? {} : { payload: body as string };
  const res = await app.inject({ method: method as 'GET', url: '/api/v1' + url, headers: h, ...payload });
  const contentType = String(res.headers['content-type'] ?? '');
  const response = contentType.includes('json') ? res.json() : contentType.startsWith('text/') ? res.body : undefined;
  // Binary bodies (XLSX uploads) are not examples of a JSON or text media type.
  (out[op] ??= []).push({ status: res.statusCode, request: Buffer.isBuffer(body) ? undefined : body, response, contentType });
  if (res.statusCode >= 400) {
    failures++;
    console.error('FAILED', op, method, url, res.statusCode, res.body.slice(0, 400));
  }
  return { status: res.statusCode, json: response as any };
}
const get = (op: string, user: string | null, url: string) => call(op, user, 'GET', url);

// health (outside /api/v1)
for (const [op, url] of [['live', '/health/live'], ['ready', '/health/ready']] as const) {
  const res = await app.inject({ method: 'GET', url });
  out[op] = [{ status: res.statusCode, response: res.json(), contentType: String(res.headers['content-type']) }];
}
// auth
await call('login', null, 'POST', '/auth/login', { username: 'sadec.vanthu', password: PW });
await get('getMe', 'sadec.vanthu', '/me');
const tok = await call('createApiToken', 'noivu', 'POST', '/me/tokens', { name: 'Cổng dịch vụ công tỉnh Đồng Tháp', expiresInDays: 90 });
await get('listApiTokens', 'noivu', '/me/tokens');
await call('revokeApiToken', 'noivu', 'DELETE', `/me/tokens/${tok.json.id}`);
// directory
await get('listOrgUnits', 'noivu', '/org-units?kind=commune&active=true');
await get('getOrgUnit', 'noivu', '/org-units/PSADEC');
await get('getOrgUnitNames', 'noivu', '/org-units/PSADEC/names');
await call('createOrgUnit', 'admin', 'POST', '/org-units', { code: 'XMYAN', name: 'UBND xã Mỹ An', kind: 'commune', parentCode: 'DONGTHAP', activeFrom: '2025-07-01' });
await call('updateOrgUnit', 'admin', 'PATCH', '/org-units/XMYAN', { name: 'UBND xã Mỹ An Hưng', renamedOn: '2025-09-01' });
await call('createOrgUnit', 'admin', 'POST', '/org-units', { code: 'XTHU', name: 'UBND xã Thử', kind: 'commune', parentCode: 'DONGTHAP' });
await call('deleteOrgUnit', 'admin', 'DELETE', '/org-units/XTHU');
await get('listUsers', 'noivu', '/users?orgUnitCode=PSADEC');
await get('getUser', 'noivu', '/users/sadec.vanthu');
await call('createUser', 'admin', 'POST', '/users', { username: 'myan.vanthu', password: 'Doi-mat-khau-2025', displayName: 'Trần Thị Mai (văn thư UBND xã Mỹ An Hưng)', role: 'unit_editor', orgUnitCode: 'XMYAN' });
await call('updateUser', 'admin', 'PATCH', '/users/myan.vanthu', { displayName: 'Trần Thị Mai (văn thư UBND xã Mỹ An Hưng)', role: 'unit_head' });
await call('unlockUser', 'admin', 'POST', '/users/myan.vanthu/unlock');
// frameworks
await get('listFrameworks', 'noivu', '/frameworks?year=2025');
await get('getFramework', 'noivu', '/frameworks/XA-2025');
const exp = await get('exportFrameworkJson', 'noivu', '/frameworks/XA-2025/export.json');
await call('cloneFramework', 'noivu', 'POST', '/frameworks/XA-2025/clone', { code: 'XA-2026', year: 2026, name: 'Bộ tiêu chí xác định Chỉ số cải cách hành chính của UBND các xã, phường năm 2026' });
await get('diffFrameworks', 'noivu', '/frameworks/XA-2026?from=XA-2025'.replace('?', '/diff?'));
// rounds
const rounds = await get('listRounds', 'noivu', '/rounds?year=2025');
const round = rounds.json[0];
const R = round.id;
await get('getRound', 'noivu', `/rounds/${R}`);
await get('getRoundProgress', 'noivu', `/rounds/${R}/progress`);
await get('getRoundProgressCsv', 'noivu', `/rounds/${R}/progress.csv`);
await get('listAppraisers', 'noivu', `/rounds/${R}/appraisers`);
await call('setAppraisers', 'noivu', 'PUT', `/rounds/${R}/appraisers`, [{ username: 'tuphap', areaCodes: ['2'] }, { username: 'vanphong', areaCodes: ['1', '3'] }]);
await call('updateRoundSchedule', 'noivu', 'PUT', `/rounds/${R}/schedule`, round.schedule);
await call('extendDeadline', 'noivu', 'POST', `/rounds/${R}/assessments/PSADEC/extensions`, { phase: 'self_assessment', until: '2025-10-05', reason: 'UBND phường Sa Đéc mới thành lập sau sắp xếp, cần thêm thời gian thu thập tài liệu kiểm chứng' });
await call('sendBackAssessment', 'noivu', 'POST', `/rounds/${R}/assessments/PCAOLANH/send-back`, { reason: 'Bổ sung tài liệu kiểm chứng tiêu chí 1.1.1' });
await call('submitAssessment', 'caolanh.chutich', 'POST', `/rounds/${R}/assessments/PCAOLANH/submit`, { comment: 'Đã bổ sung tài liệu kiểm chứng theo yêu cầu' });
await call('createRound', 'noivu', 'POST', '/rounds', { year: 2025, name: 'Xác định Chỉ số CCHC năm 2025 (bổ sung xã Mỹ An Hưng)', groups: [{ code: 'XA', name: 'UBND các xã, phường', frameworkCode: 'XA-2025', unitCodes: ['XMYAN'] }], schedule: { self_assessment: '2025-10-15', appraisal: '2025-10-31', explanation: '2025-11-07', final_appraisal: '2025-11-14', council_review: '2025-11-21' } });
const r2 = out.createRound![0]!.response as any;
await call('cancelRound', 'noivu', 'POST', `/rounds/${r2.id}/cancel`, { reason: 'Gộp vào đợt đánh giá chung của tỉnh' });
await call('deactivateOrgUnit', 'admin', 'POST', '/org-units/XMYAN/deactivate', { activeTo: '2025-12-31', reason: 'Sáp nhập vào xã Lai Vung' });
// assessments
const asm = await get('getAssessment', 'sadec.vanthu', `/rounds/${R}/assessments/PSADEC`);
const items = asm.json.items as any[];
const opt = items.find((i) => i.source === 'self' && i.rule?.type === 'options' && i.evidenceRequired) ?? items.find((i) => i.source === 'self' && i.rule?.type === 'options');
const it1 = await get('getAssessmentItem', 'sadec.vanthu', `/rounds/${R}/assessments/PSADEC/items/${opt.criterionCode}`);
await call('putSelfAssessment', 'sadec.vanthu', 'PUT', `/rounds/${R}/assessments/PSADEC/items/${opt.criterionCode}/self`, { input: { option: opt.rule.options[0].code }, note: 'Kế hoạch ban hành ngày 10/01' }, { 'if-match': it1.json.etag });
const ev = await call('addEvidence', 'sadec.vanthu', 'POST', `/rounds/${R}/assessments/PSADEC/items/${opt.criterionCode}/evidence`, { docNumber: '05/KH-UBND', docDate: '2025-01-10', issuer: 'UBND phường Sa Đéc', title: 'Kế hoạch cải cách hành chính năm 2025' });
await call('removeEvidence', 'sadec.vanthu', 'DELETE', `/rounds/${R}/assessments/PSADEC/items/${opt.criterionCode}/evidence/${ev.json.evidence.id}`);
await call('prefillAssessment', 'sadec.vanthu', 'POST', `/rounds/${R}/assessments/PSADEC/prefill`);
await get('getTrackedInputs', 'tuphap', `/rounds/${R}/assessments/PSADEC/tracked`);
await get('getRoundResults', 'noivu', `/rounds/${R}/results`);
await get('getRoundResultsCsv', 'noivu', `/rounds/${R}/results.csv`);
await get('getRoundDiscrepanciesCsv', 'noivu', `/rounds/${R}/discrepancies.csv`);
// appraisal of phường Cao Lãnh
await call('transitionRound', 'noivu', 'POST', `/rounds/${R}/transition`, { to: 'appraisal', force: true });
const cl = await get('getAssessment', 'tuphap', `/rounds/${R}/assessments/PCAOLANH`);
const area2 = (cl.json.items as any[]).filter((i) => i.areaCode === '2' && i.source === 'self' && (i.selfPoints ?? 0) > 0);
const [a1, a2] = area2;
await call('putAppraisal', 'tuphap', 'PUT', `/rounds/${R}/assessments/PCAOLANH/items/${a1.criterionCode}/appraisal`, { points: 0, comment: 'Tài liệu kiểm chứng chưa thể hiện kết quả thực hiện', requestExplanation: true }, { 'if-match': a1.etag });
const ap2 = await call('putAppraisal', 'tuphap', 'PUT', `/rounds/${R}/assessments/PCAOLANH/items/${a2.criterionCode}/appraisal`, { points: 0, comment: 'Không có báo cáo kết quả' }, { 'if-match': a2.etag });
await get('getAppraisalQueue', 'tuphap', `/rounds/${R}/appraisal-queue?unitCode=PCAOLANH`);
await call('transitionRound', 'noivu', 'POST', `/rounds/${R}/transition`, { to: 'explanation' });
const i1 = await get('getAssessmentItem', 'caolanh.vanthu', `/rounds/${R}/assessments/PCAOLANH/items/${a1.criterionCode}`);
await call('putExplanation', 'caolanh.vanthu', 'PUT', `/rounds/${R}/assessments/PCAOLANH/items/${a1.criterionCode}/explanation`, { text: 'Bổ sung Báo cáo số 25/BC-UBND ngày 20/6/2025 về kết quả thực hiện' }, { 'if-match': i1.json.etag });
await call('raiseObjection', 'caolanh.chutich', 'POST', `/rounds/${R}/assessments/PCAOLANH/items/${a2.criterionCode}/objection`, { reason: 'Báo cáo kết quả đã gửi Sở Nội vụ qua hệ thống quản lý văn bản ngày 15/6/2025' }, { 'if-match': ap2.json.etag });
await call('transitionRound', 'noivu', 'POST', `/rounds/${R}/transition`, { to: 'final_appraisal' });
const f1 = await get('getAssessmentItem', 'tuphap', `/rounds/${R}/assessments/PCAOLANH/items/${a1.criterionCode}`);
await call('putFinal', 'tuphap', 'PUT', `/rounds/${R}/assessments/PCAOLANH/items/${a1.criterionCode}/final`, { points: a1.selfPoints, comment: 'Công nhận sau giải trình' }, { 'if-match': f1.json.etag });
await call('confirmSelfPoints', 'noivu', 'POST', `/rounds/${R}/confirm-self-points`, { reason: 'Hội đồng thẩm định thống nhất công nhận điểm tự đánh giá', includeNotApplicable: true });
await get('getOpenItems', 'noivu', `/rounds/${R}/open-items`);
// council + publication of the history round (a correction)
const hist = await get('listRounds', 'noivu', '/rounds?year=2024');
const H = hist.json[0].id;
await get('getRoundCouncil', 'noivu', `/rounds/${H}/council`);
await call('putRoundCouncil', 'noivu', 'PUT', `/rounds/${R}/council`, { members: [{ name: 'Nguyễn Văn Hòa', position: 'Phó Chủ tịch UBND tỉnh, Chủ tịch Hội đồng' }, { name: 'Nguyễn Thị Thu Hà', position: 'Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng' }], decisionIssuer: 'Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp', signerName: 'Nguyễn Văn Hòa', signerTitle: 'KT. Chủ tịch - Phó Chủ tịch' });
await call('putRoundCouncilMinutes', 'noivu', 'PUT', `/rounds/${R}/council/minutes`, { docNumber: '12/BB-HĐTĐ', docDate: '2025-11-20', issuer: 'Hội đồng thẩm định Chỉ số CCHC tỉnh Đồng Tháp', title: 'Biên bản họp Hội đồng thẩm định kết quả Chỉ số cải cách hành chính năm 2025' });
await call('createPublication', 'noivu', 'POST', `/rounds/${H}/publications`, { decisionNumber: '27/QĐ-UBND', decisionDate: '2025-02-10', reason: 'Đính chính điểm tiêu chí 2.1 của Sở Y tế theo kiến nghị' });
const pubs = await get('listPublications', null, '/public/publications?year=2024');
const P = pubs.json[0]?.id ?? (pubs.json.items?.[0]?.id);
await get('getPublication', null, `/public/publications/${P}`);
await get('getPublicationCsv', null, `/public/publications/${P}.csv`);
await get('verifyPublication', null, `/public/publications/${P}/verify`);
await get('getSigningKey', null, '/public/signing-key');
await get('getUnitHistory', null, '/public/units/PSADEC/history');
// surveys
const sl = await get('listSurveys', 'noivu', '/surveys?year=2025');
const S = (sl.json.find((s: any) => /XA/i.test(s.code)) ?? sl.json[0]).code;
const sv = await get('getSurvey', 'noivu', `/surveys/${S}`);
await get('getSurveyResults', 'noivu', `/surveys/${S}/results`);
await get('listSurveyLinks', 'noivu', `/surveys/${S}/links`);
await get('getSurveyLink', 'noivu', `/surveys/${S}/units/PSADEC/link`);
await get('getPublicSurvey', null, `/public/surveys/${S}`);
const form = await get('getPublicSurveyForm', null, `/public/surveys/${S}/units/PSADEC`);
// plans
await get('listPlans', 'noivu', '/plans?year=2025');
const plans = out.listPlans![0]!.response as any[];
const PL = plans[0]?.code;
await get('getPlan', 'noivu', `/plans/${PL}`);
await get('listUnitPlanTasks', 'sadec.vanthu', '/org-units/PSADEC/plan-tasks?year=2025');
await get('listReportPeriods', 'noivu', '/report-periods?year=2025');
const rp = (out.listReportPeriods![0]!.response as any[])[0];
if (rp) await get('getReportPeriod', 'noivu', `/report-periods/${rp.id}`);
await get('listInspections', 'noivu', '/inspections?year=2025');
const ins = (out.listInspections![0]!.response as any[])[0];
if (ins) await get('getInspection', 'noivu', `/inspections/${ins.id}`);
// ---- part 2
{
  const xa = exp.json;
  const area1 = xa.criteria[0];
  const sub = area1.children[0];
  const small = { code: 'XA-2026-THU', lineage: 'XA', name: 'Bộ tiêu chí xác định Chỉ số CCHC của UBND các xã, phường năm 2026 (dự thảo)', year: 2026, legalBasis: null, bonusCap: 2, penaltyCap: 5, bands: xa.bands, criteria: [{ code: '1', title: area1.title, maxPoints: sub.maxPoints, kind: 'regular', children: [sub] }] };
  await call('createFramework', 'noivu', 'POST', '/frameworks', small);
  await call('updateFramework', 'noivu', 'PUT', '/frameworks/XA-2026-THU', { ...small, legalBasis: 'Dự thảo Quyết định ban hành Bộ tiêu chí năm 2026' });
  await call('simulateFramework', 'noivu', 'POST', '/frameworks/XA-2026-THU/simulate', { units: [{ unitCode: 'PSADEC', unitName: 'UBND phường Sa Đéc', inputs: { '1.1.1': { option: 'ON_TIME' }, '1.1.2': { percent: 85 } } }, { unitCode: 'PCAOLANH', unitName: 'UBND phường Cao Lãnh', inputs: { '1.1.1': { option: 'LATE' }, '1.1.2': { percent: 100 } } }] });
  await call('publishFramework', 'noivu', 'POST', '/frameworks/XA-2026-THU/publish');
  const xres = await app.inject({ method: 'GET', url: '/api/v1/frameworks/XA-2025/export.xlsx', headers: { authorization: `Bearer ${tokens.noivu}` } });
  await call('importFramework', 'noivu', 'POST', '/frameworks/import?dryRun=true', xres.rawPayload, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  // surveys
  const svDoc = sv.json;
  const dim = svDoc.dimensions[0];
  const smallSurvey = { code: 'SIPAS-XA-2026', name: 'Khảo sát mức độ hài lòng của người dân, tổ chức tại Bộ phận Một cửa UBND xã, phường năm 2026', kind: 'satisfaction', year: 2026, description: svDoc.description, minResponses: 30, demographics: ['sex', 'ageBand'], dimensions: [{ code: dim.code, title: dim.title, weight: 1, questions: [dim.questions[0]] }] };
  await call('createSurvey', 'noivu', 'POST', '/surveys', smallSurvey);
  await call('updateSurvey', 'noivu', 'PUT', '/surveys/SIPAS-XA-2026', { ...smallSurvey, minResponses: 40 });
  await call('publishSurvey', 'noivu', 'POST', '/surveys/SIPAS-XA-2026/publish');
  const formDoc = form.json;
  const answers: Record<string, string> = {};
  for (const d of formDoc.survey.dimensions) for (const q of d.questions) answers[q.code] = q.options[1].code;
  await call('submitSurveyResponse', null, 'POST', `/public/surveys/SIPAS-XA-2025/units/PSADEC/responses`, { responseId: '6f1d2c3b-8a4e-4f5a-9b7c-2d1e0f3a4b5c', answers, respondent: { sex: 'female', ageBand: '35_44' } });
  const qcodes = Object.keys(answers).slice(0, 3);
  const csv = ['_uuid;thong_tin/unitCode;' + qcodes.join(';'), 'kobo-0001;PSADEC;' + qcodes.map(() => '5').join(';'), 'kobo-0002;PSADEC;' + qcodes.map(() => '4').join(';')].join('\r\n');
  await call('importSurveyResponses', 'noivu', 'POST', '/surveys/SIPAS-XA-2025/responses/import?dryRun=true', csv, { 'content-type': 'text/csv; charset=utf-8' });
  // plans
  await call('createPlan', 'noivu', 'POST', '/plans', { year: 2025, code: 'KH-CCHC-2025-BS', title: 'Kế hoạch bổ sung nhiệm vụ cải cách hành chính năm 2025', decision: { number: '145/KH-UBND', date: '2025-06-20' }, tasks: [{ code: '1', area: '5', title: 'Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa cấp xã', product: 'Báo cáo kết quả số hóa', leadUnitCode: 'SNV', supportUnitCodes: ['PSADEC', 'PCAOLANH'], timeframe: 'Quý IV/2025', dueDates: ['2025-12-15'] }] });
  await call('putTaskProgress', 'sadec.vanthu', 'PUT', '/plans/KH-CCHC-2025-BS/tasks/1/progress/PSADEC', { status: 'done', completedOn: '2025-09-12', note: 'Đã số hóa 100% hồ sơ tiếp nhận từ tháng 7', evidence: [{ docNumber: '18/BC-UBND', docDate: '2025-09-12', issuer: 'UBND phường Sa Đéc', title: 'Báo cáo kết quả số hóa hồ sơ, kết quả giải quyết TTHC' }] });
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Phụ lục');
  ws.addRow(['PHỤ LỤC NHIỆM VỤ CCHC NĂM 2025']);
  ws.addRow(['Nhiệm vụ chung', 'Nhiệm vụ cụ thể', 'Sản phẩm', 'Cơ quan chủ trì', 'Cơ quan phối hợp', 'Thời gian thực hiện']);
  ws.addRow(['I. CẢI CÁCH THỂ CHẾ']);
  ws.addRow(['', '1. Rà soát văn bản quy phạm pháp luật do HĐND, UBND tỉnh ban hành', 'Báo cáo', 'Sở Tư pháp', 'Văn phòng UBND tỉnh', 'Quý II/2025']);
  ws.addRow(['', '2. Kiểm tra công tác CCHC tại UBND xã, phường', 'Kết luận kiểm tra', 'Sở Nội vụ', 'UBND phường Sa Đéc; Các xã, phường', 'Quý III/2025']);
  const plx = Buffer.from(await wb.xlsx.writeBuffer());
  await call('importPlan', 'noivu', 'POST', `/plans/import?code=KH-CCHC-2025-NHAP&year=2025&title=${encodeURIComponent('Kế hoạch CCHC năm 2025 (nhập từ phụ lục)')}&dryRun=true`, plx, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const rp2 = await call('createReportPeriod', 'noivu', 'POST', '/report-periods', { year: 2025, kind: 'quarter', label: 'Báo cáo CCHC quý III năm 2025', cutoffFrom: '2025-06-15', cutoffTo: '2025-09-14', dueDate: '2025-09-20', unitCodes: ['PSADEC', 'PCAOLANH'] });
  await call('submitPeriodReport', 'sadec.vanthu', 'POST', `/report-periods/${rp2.json.id}/reports/PSADEC`, { docNumber: '21/BC-UBND', docDate: '2025-09-12', issuer: 'UBND phường Sa Đéc', title: 'Báo cáo kết quả thực hiện công tác cải cách hành chính quý III năm 2025' });
  await call('extendPeriodReport', 'noivu', 'PUT', `/report-periods/${rp2.json.id}/extensions/PCAOLANH`, { dueDate: '2025-09-30', reason: 'Phường mới sắp xếp, chưa kiện toàn bộ phận tổng hợp' });
  const ins2 = await call('createInspection', 'noivu', 'POST', '/inspections', { year: 2025, unitCode: 'PCAOLANH', date: '2025-09-10', findings: [{ code: '1', text: 'Chưa niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa', dueDate: '2025-10-31' }, { code: '2', text: 'Tỷ lệ hồ sơ trực tuyến toàn trình thấp', dueDate: '2025-12-31' }] });
  await call('putFindingRemediation', 'caolanh.vanthu', 'PUT', `/inspections/${ins2.json.id}/findings/1/remediation`, { remediedOn: '2025-09-14', note: 'Đã niêm yết đầy đủ 1.452 thủ tục', evidence: [{ docNumber: '33/BC-UBND', docDate: '2025-09-14', issuer: 'UBND phường Cao Lãnh', title: 'Báo cáo khắc phục tồn tại sau kiểm tra CCHC' }] });
}

await get('listAuditEvents', 'noivu', '/audit?entityType=assessment_item&limit=2');
await get('verifyAuditChain', 'admin', '/audit/verify');
await get('listJobRuns', 'admin', '/jobs/runs?limit=5');
await call('changePassword', 'caolanh.vanthu', 'POST', '/me/password', { currentPassword: 'cchc-demo-2025', newPassword: 'Lan-doi-mat-khau-2025' });
await call('logout', 'sadec.chutich', 'POST', '/auth/logout');

await app.close();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });

/** Lists cut to two entries, except a rule's options and tiers: cut, they would hide the points an example uses. */
const KEEP_WHOLE = new Set(['options', 'tiers']);
const trim = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.slice(0, 2).map(trim)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, KEEP_WHOLE.has(k) && Array.isArray(x) ? x.map(trim) : trim(x)]))
      : v;
/** A CSV example: its header and two rows, without the BOM. */
const csvHead = (s: string) => s.replace(/^\uFEFF/, '').split('\r\n').slice(0, 3).join('\r\n') + '\r\n';

type Examples = { request?: Record<string, unknown>; responses?: Record<string, Record<string, unknown>> };
const examples: Record<string, Examples> = {};
for (const [op, calls] of Object.entries(out)) {
  const c = calls.find((x) => x.status < 300);
  if (!c) continue;
  const e: Examples = {};
  if (typeof c.request === 'string') e.request = { 'text/csv': c.request };
  else if (c.request !== undefined) e.request = { 'application/json': c.request };
  if (c.response !== undefined && c.status !== 204) {
    if (c.contentType.includes('json')) e.responses = { [c.status]: { 'application/json': trim(c.response) } };
    else if (c.contentType.startsWith('text/csv')) e.responses = { [c.status]: { 'text/csv': csvHead(String(c.response)) } };
  }
  if (e.request || e.responses) examples[op] = e;
}
// Second success statuses, with the same schema as a recorded answer: a real (not dry-run) workbook import creates a
// draft like createFramework; a response sent again with its responseId is a duplicate.
examples.importFramework!.responses!['201'] = examples.createFramework!.responses!['201']!;
const receipt = examples.submitSurveyResponse!.responses!['201']!['application/json'] as Record<string, unknown>;
examples.submitSurveyResponse!.responses!['200'] = { 'application/json': { ...receipt, status: 'duplicate' } };

// Rows whose timestamp the database sets take the wall clock, not the fixed one: show them on the demo's day.
const today = new Date().toISOString().slice(0, 10);
const text = JSON.stringify(examples, null, 1).replaceAll(`"${today}T`, `"${FIXED.slice(0, 10)}T`);
fs.writeFileSync(path.resolve('src/lib/openapi/examples.json'), text + '\n');
console.log(`wrote src/lib/openapi/examples.json (${Object.keys(examples).length} operations)`);
if (failures > 0) {
  console.error(`${failures} call(s) failed; their operations keep no example`);
  process.exit(1);
}
