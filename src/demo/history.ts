// The demo's history: the last index published before the 1 July 2025 reorganisation, driven through the same
// services as a real year (self-assessment with evidence, submission, appraisal of the council-only criteria,
// confirmation of the self points, council record, signed publication), each step at its date of that year.
// It holds six sở and the three former wards phường Sa Đéc was formed from, so the public page has a publication
// to verify and phường Sa Đéc's public history shows its predecessors' rows.
import type { FastifyInstance } from 'fastify';
import type { Actor, SystemCtx } from '../lib/context.js';
import { leavesOf } from '../modules/frameworks/frameworks.document.js';
import { loadFramework } from '../modules/rounds/rounds.repo.js';
import type { Rule } from '../scoring/index.js';
import { actorFor, demoInput } from './round.js';
import { demoResponses } from './surveys.js';
import { demoSurveysFor } from './years.js';

/** The people of that year who scored and submitted for each unit (units that no longer exist have no logins). */
function unitHead(unitCode: string, i: number): Actor {
  return {
    userId: `00000000-0000-4000-8000-${String(900_000_000_000 + i).padStart(12, '0')}`,
    username: `${unitCode.toLowerCase()}.chutich`,
    displayName: `Chủ tịch/Thủ trưởng ${unitCode}`,
    role: 'unit_head',
    orgUnitCode: unitCode,
    tokenId: 'demo-history',
    tokenKind: 'session',
  };
}

/** Points the council gives a council-only criterion: 1 for manual ones, a tier for bonus, none deducted. */
function councilPoints(rule: Rule, areaKind: string | undefined, maxPoints: number, variant: number): number {
  if (rule.type === 'manual') return Math.min(1, maxPoints);
  if (areaKind === 'bonus' && rule.type === 'tiered') {
    const allowed = [rule.otherwise ?? 0, ...rule.tiers.map((t) => t.points)];
    return allowed[variant % allowed.length]!;
  }
  return 0;
}

const ALL_AREAS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

export const DEMO_HISTORY_DECISION = (year: number) => ({ number: `15/QĐ-UBND`, date: `${year + 1}-01-18` });

export async function seedDemoHistory(app: FastifyInstance, system: SystemCtx, plan: { year: number; departments: string[]; wards: string[] }) {
  const { rounds, assessments, results, council, publications, surveys } = app.services;
  const Y = plan.year;
  const at = (iso: string) => new Date(iso);
  const coordinatorActor = await actorFor(app, 'noivu');
  const as = (actor: Actor, iso: string) => ({ actor, requestId: system.requestId, now: at(iso) });
  const coord = (iso: string) => as(coordinatorActor, iso);

  // Citizens' answers of that year, enough for every unit (minResponses: 30 for wards, 20 for sở).
  const sv = demoSurveysFor(Y);
  const responseCtx = { ...system, now: at(`${Y}-10-20T02:00:00Z`) };
  for (const [i, unit] of plan.wards.entries()) {
    const rows = demoResponses(sv.xa, unit, 34 + i, 0.72 + i * 0.06, 100 + i).map((r) => ({ ...r, submittedAt: new Date(`${Y}-10-${String(10 + i).padStart(2, '0')}T02:00:00Z`) }));
    await surveys.addResponsesAsSystem(responseCtx, sv.xa.code, rows, 'demo-history');
  }
  for (const [i, unit] of plan.departments.entries()) {
    const rows = demoResponses(sv.pb, unit, 22 + i, 0.7 + i * 0.04, 200 + i).map((r) => ({ ...r, submittedAt: new Date(`${Y}-10-${String(10 + i).padStart(2, '0')}T02:00:00Z`) }));
    await surveys.addResponsesAsSystem(responseCtx, sv.pb.code, rows, 'demo-history');
  }

  const round = await rounds.create(coord(`${Y}-10-01T02:00:00Z`), {
    year: Y,
    name: `Xác định Chỉ số CCHC năm ${Y}`,
    groups: [
      { code: 'PB', name: 'Các sở, ban, ngành tỉnh', frameworkCode: `PB-${Y}`, unitCodes: plan.departments },
      { code: 'XA', name: 'UBND các phường, xã', frameworkCode: `XA-${Y}`, unitCodes: plan.wards },
    ],
    schedule: { self_assessment: `${Y}-11-15`, appraisal: `${Y}-11-30`, explanation: `${Y}-12-05`, final_appraisal: `${Y}-12-12`, council_review: `${Y}-12-20` },
  });
  await rounds.transition(coord(`${Y}-10-01T03:00:00Z`), round.id, 'self_assessment');
  await rounds.setAppraisers(coord(`${Y}-10-02T02:00:00Z`), round.id, [
    // Both offices appraise every area, each never its own unit: every unit and area has an eligible appraiser.
    { username: 'tuphap', areaCodes: ALL_AREAS },
    { username: 'vanphong', areaCodes: ALL_AREAS },
  ]);

  // Self-assessment: every self criterion, evidence as official-document references, then submission.
  const units = [...plan.departments, ...plan.wards];
  for (const [u, unitCode] of units.entries()) {
    const head = unitHead(unitCode, u);
    const ctx = as(head, `${Y}-11-${String(3 + (u % 8)).padStart(2, '0')}T03:00:00Z`);
    const a = await assessments.get(ctx, round.id, unitCode);
    const fw = await loadFramework(app.database.db, a.frameworkCode);
    const leaves = new Map(leavesOf(fw!.doc).map((v) => [v.node.code, v.node]));
    for (const [n, item] of a.items.filter((i) => i.source === 'self').entries()) {
      const leaf = leaves.get(item.criterionCode)!;
      const claimNa = leaf.naAllowed && (n + u) % 7 === 0;
      const input = claimNa ? null : demoInput(leaf.rule!, u % 3);
      await assessments.putSelf(ctx, round.id, unitCode, item.criterionCode, item.etag, claimNa ? { notApplicable: true, note: 'Không phát sinh trong năm' } : { input });
      if (leaf.evidence?.required && !claimNa) {
        await assessments.addDocument(ctx, round.id, unitCode, item.criterionCode, {
          docNumber: `${20 + n}/BC-${unitCode}`,
          docDate: `${Y}-${String(1 + (n % 9)).padStart(2, '0')}-15`,
          issuer: a.unitName,
          title: `Tài liệu kiểm chứng tiêu chí ${item.criterionCode}: ${leaf.evidence.hint ?? leaf.title}`,
        });
      }
    }
    await assessments.submit(ctx, round.id, unitCode, undefined, {});
  }

  // Appraisal: the council-only criteria (bonus, penalty, appraisal-sourced), never by the appraiser's own unit.
  await rounds.transition(coord(`${Y}-11-16T02:00:00Z`), round.id, 'appraisal');
  const appraisers = { tuphap: await actorFor(app, 'tuphap'), vanphong: await actorFor(app, 'vanphong') };
  for (const [u, unitCode] of units.entries()) {
    const a = await assessments.get(coord(`${Y}-11-20T02:00:00Z`), round.id, unitCode);
    const fw = await loadFramework(app.database.db, a.frameworkCode);
    const leaves = new Map(leavesOf(fw!.doc).map((v) => [v.node.code, v]));
    const appraiser = appraisers[unitCode === appraisers.tuphap.orgUnitCode ? 'vanphong' : 'tuphap'];
    for (const item of a.items.filter((i) => i.source === 'appraisal')) {
      const leaf = leaves.get(item.criterionCode)!;
      const points = councilPoints(leaf.node.rule!, leaf.area.kind, leaf.node.maxPoints, u);
      await assessments.putAppraisal(as(appraiser, `${Y}-11-25T02:00:00Z`), round.id, unitCode, item.criterionCode, item.etag, { points, comment: 'Theo kết quả thẩm định của Hội đồng' });
    }
  }
  await rounds.transition(coord(`${Y}-12-01T02:00:00Z`), round.id, 'explanation');
  await rounds.transition(coord(`${Y}-12-06T02:00:00Z`), round.id, 'final_appraisal');
  await results.confirmSelfPoints(coord(`${Y}-12-10T02:00:00Z`), round.id, { reason: 'Hội đồng thẩm định thống nhất công nhận điểm tự đánh giá', includeNotApplicable: true });
  await rounds.transition(coord(`${Y}-12-13T02:00:00Z`), round.id, 'council_review');

  // Hội đồng: members, the minutes of its meeting and who signs the decision.
  await council.put(coord(`${Y}-12-18T02:00:00Z`), round.id, {
    members: [
      { name: 'Nguyễn Văn Hòa', position: 'Phó Chủ tịch UBND tỉnh, Chủ tịch Hội đồng' },
      { name: 'Nguyễn Thị Thu Hà', position: 'Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng' },
      { name: 'Trần Văn Minh', position: 'Phó Giám đốc Sở Tư pháp, thành viên' },
      { name: 'Lê Hoàng Nam', position: 'Phó Chánh Văn phòng UBND tỉnh, thành viên' },
    ],
    decisionIssuer: 'Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp',
    signerName: 'Nguyễn Văn Hòa',
    signerTitle: 'KT. Chủ tịch - Phó Chủ tịch',
  });
  await council.putMinutesDocument(coord(`${Y}-12-18T03:00:00Z`), round.id, {
    docNumber: '08/BB-HĐTĐ',
    docDate: `${Y}-12-18`,
    issuer: 'Hội đồng thẩm định Chỉ số CCHC tỉnh Đồng Tháp',
    title: `Biên bản họp Hội đồng thẩm định kết quả Chỉ số cải cách hành chính năm ${Y}`,
  });
  const decision = DEMO_HISTORY_DECISION(Y);
  const pub = await publications.publish(coord(`${Y + 1}-01-20T03:00:00Z`), round.id, { decisionNumber: decision.number, decisionDate: decision.date });
  return { roundId: round.id, publicationId: pub.body.id };
}
