// Demo city for the embedded default: Sa Đéc (Đồng Tháp), the plan in seed 001. Its Phòng Nội vụ coordinates,
// the offices that lead each reform area appraise, and its departments and wards are assessed.
import type { FastifyInstance } from 'fastify';
import type { OrgUnitKind, Role } from '../db/schema.js';
import { orgUnitsRepo } from '../modules/org-units/org-units.repo.js';
import { recordAudit } from '../lib/audit.js';
import type { SystemCtx } from '../lib/context.js';
import { usersRepo } from '../modules/users/users.repo.js';
import { seedDemoRound } from './round.js';
import { demoResponsePlan, demoResponses, demoSurveys } from './surveys.js';
import pb2025 from './frameworks/pb-2025.json' with { type: 'json' };
import xa2025 from './frameworks/xa-2025.json' with { type: 'json' };

export const DEMO_PASSWORD = 'cchc-demo-2025';

type UnitSeed = { code: string; name: string; kind: OrgUnitKind; parentCode?: string };

export const DEMO_CITY = 'SADEC';

export const demoUnits: UnitSeed[] = [
  { code: DEMO_CITY, name: 'UBND thành phố Sa Đéc', kind: 'district' },
  // Departments (phòng chuyên môn); the first five also lead reform areas and appraise them (seed 001).
  { code: 'PNV', name: 'Phòng Nội vụ', kind: 'department', parentCode: DEMO_CITY },
  { code: 'VP', name: 'Văn phòng HĐND và UBND thành phố', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PTP', name: 'Phòng Tư pháp', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PVHTT', name: 'Phòng Văn hóa và Thông tin', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PTCKH', name: 'Phòng Tài chính - Kế hoạch', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PKT', name: 'Phòng Kinh tế', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PQLDT', name: 'Phòng Quản lý đô thị', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PTNMT', name: 'Phòng Tài nguyên và Môi trường', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PGDDT', name: 'Phòng Giáo dục và Đào tạo', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PLDTBXH', name: 'Phòng Lao động - Thương binh và Xã hội', kind: 'department', parentCode: DEMO_CITY },
  { code: 'PYT', name: 'Phòng Y tế', kind: 'department', parentCode: DEMO_CITY },
  { code: 'TTR', name: 'Thanh tra thành phố', kind: 'department', parentCode: DEMO_CITY },
  // Wards and communes (UBND phường, xã).
  { code: 'P1', name: 'UBND Phường 1', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'P2', name: 'UBND Phường 2', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'P3', name: 'UBND Phường 3', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'P4', name: 'UBND Phường 4', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'PAH', name: 'UBND Phường An Hòa', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'PTQD', name: 'UBND Phường Tân Quy Đông', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'XTKD', name: 'UBND xã Tân Khánh Đông', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'XTQT', name: 'UBND xã Tân Quy Tây', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'XTPD', name: 'UBND xã Tân Phú Đông', kind: 'commune', parentCode: DEMO_CITY },
  { code: 'XTQ', name: 'UBND xã Tân Quy', kind: 'commune', parentCode: DEMO_CITY },
];

export const demoUsers: { username: string; displayName: string; role: Role; orgUnitCode: string }[] = [
  { username: 'noivu', displayName: 'Nguyễn Thị Thu Hà (Phòng Nội vụ)', role: 'coordinator', orgUnitCode: 'PNV' },
  { username: 'tuphap', displayName: 'Trần Văn Minh (Phòng Tư pháp)', role: 'appraiser', orgUnitCode: 'PTP' },
  { username: 'vanphong', displayName: 'Lê Hoàng Nam (Văn phòng HĐND-UBND)', role: 'appraiser', orgUnitCode: 'VP' },
  { username: 'p1.vanthu', displayName: 'Phạm Thị Lan (văn thư Phường 1)', role: 'unit_editor', orgUnitCode: 'P1' },
  { username: 'p1.chutich', displayName: 'Võ Văn Dũng (Chủ tịch UBND Phường 1)', role: 'unit_head', orgUnitCode: 'P1' },
  { username: 'pah.vanthu', displayName: 'Huỳnh Ngọc Ánh (văn thư Phường An Hòa)', role: 'unit_editor', orgUnitCode: 'PAH' },
  { username: 'pah.chutich', displayName: 'Đặng Quốc Bảo (Chủ tịch UBND Phường An Hòa)', role: 'unit_head', orgUnitCode: 'PAH' },
];

/** Criteria sets of the demo city: departments (PB-2025) and communes/wards (XA-2025), published. */
export const demoFrameworks: unknown[] = [pb2025, xa2025];

export async function seedDemoData(app: FastifyInstance, ctx: SystemCtx) {
  const db = app.database.db;
  await db.transaction(async (tx) => {
    for (const u of demoUnits) {
      const row = await orgUnitsRepo.insert(tx, { ...u, parentCode: u.parentCode ?? null, activeFrom: '2020-01-01', createdAt: ctx.now, updatedAt: ctx.now });
      await recordAudit(tx, ctx, { action: 'org_unit.created', entityType: 'org_unit', entityId: row.code, after: { ...u, source: 'demo' } });
    }
  });
  for (const u of demoUsers) await app.services.users.createAsSystem(ctx, { ...u, password: DEMO_PASSWORD });
  // Surveys first: the frameworks' survey rules must name existing questionnaires.
  for (const s of demoSurveys) await app.services.surveys.installPublished(ctx, s);
  for (const fw of demoFrameworks) await app.services.frameworks.installPublished(ctx, fw);
  await seedDemoRound(
    app,
    ctx,
    demoUnits.filter((u) => u.kind === 'department').map((u) => u.code),
    demoUnits.filter((u) => u.kind === 'commune').map((u) => u.code),
  );
  // Citizens' answers at the one-stop desks of a few units: their survey criteria get points in the live results.
  for (const plan of demoResponsePlan) {
    const rows = demoResponses(plan.survey, plan.unitCode, plan.count, plan.p, plan.seed, plan.withRespondent);
    await app.services.surveys.addResponsesAsSystem(ctx, plan.survey.code, rows, 'demo');
  }
  return listDemoUsers(app);
}

export async function listDemoUsers(app: FastifyInstance) {
  const out: { username: string; role: string; unit: string | null }[] = [];
  for (const u of demoUsers) {
    const row = await usersRepo.findByUsername(app.database.db, u.username);
    if (row?.active) out.push({ username: row.username, role: row.role, unit: row.orgUnitCode });
  }
  return out;
}
