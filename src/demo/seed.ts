// Demo province for the embedded default, as local government is organised since 1 July 2025 (two tiers, no
// district level): Đồng Tháp, with its Sở Nội vụ coordinating, the sở, ban, ngành assessed (two of them appraise)
// and merged communes and wards. Phường Sa Đéc is the lineage example: it was formed from three former wards whose
// 2024 index was published, so its public history shows their rows. Unit names are illustrative.
import type { FastifyInstance } from 'fastify';
import type { OrgUnitKind, Role } from '../db/schema.js';
import { orgUnitsRepo } from '../modules/org-units/org-units.repo.js';
import { recordAudit } from '../lib/audit.js';
import { hashPassword } from '../lib/passwords.js';
import type { SystemCtx } from '../lib/context.js';
import { vietnamDay } from '../modules/rounds/lifecycle.js';
import { usersRepo } from '../modules/users/users.repo.js';
import { seedDemoHistory } from './history.js';
import { seedDemoPlans, withDemoFeeds } from './plans.js';
import { seedDemoRound } from './round.js';
import { demoResponsePlan, demoResponses } from './surveys.js';
import { demoFrameworksFor, demoSurveysFor } from './years.js';
import pb2025 from './frameworks/pb-2025.json' with { type: 'json' };
import xa2025 from './frameworks/xa-2025.json' with { type: 'json' };

export const DEMO_PASSWORD = 'cchc-demo-2025';

type UnitSeed = { code: string; name: string; kind: OrgUnitKind; parentCode?: string; activeFrom: string; activeTo?: string; predecessorCodes?: string[] };

export const DEMO_PROVINCE = 'DONGTHAP';
/** 1 July 2025: the two-tier local government (Nghị quyết 202/2025/QH15 and the National Assembly's unit resolutions). */
export const REFORM_DAY = '2025-07-01';
/** The lineage example: a ward formed from former wards. */
export const DEMO_MERGED_WARD = 'PSADEC';
export const DEMO_FORMER_WARDS = ['SADEC-P1', 'SADEC-P2', 'SADEC-P3'];

const dept = (code: string, name: string): UnitSeed => ({ code, name, kind: 'department', parentCode: DEMO_PROVINCE, activeFrom: '2020-01-01' });
const commune = (code: string, name: string, predecessorCodes?: string[]): UnitSeed => ({
  code,
  name,
  kind: 'commune',
  parentCode: DEMO_PROVINCE,
  activeFrom: REFORM_DAY,
  ...(predecessorCodes ? { predecessorCodes } : {}),
});
const former = (code: string, name: string): UnitSeed => ({ code, name, kind: 'commune', activeFrom: '2020-01-01', activeTo: REFORM_DAY });

export const demoUnits: UnitSeed[] = [
  { code: DEMO_PROVINCE, name: 'UBND tỉnh Đồng Tháp', kind: 'province', activeFrom: '2020-01-01' },
  // Sở, ban, ngành. Sở Nội vụ coordinates; Sở Tư pháp and the Văn phòng UBND tỉnh also appraise.
  dept('SNV', 'Sở Nội vụ'),
  dept('VPUB', 'Văn phòng UBND tỉnh'),
  dept('STP', 'Sở Tư pháp'),
  dept('STC', 'Sở Tài chính'),
  dept('SXD', 'Sở Xây dựng'),
  dept('SNNMT', 'Sở Nông nghiệp và Môi trường'),
  dept('SYT', 'Sở Y tế'),
  dept('SGDDT', 'Sở Giáo dục và Đào tạo'),
  dept('SVHTTDL', 'Sở Văn hóa, Thể thao và Du lịch'),
  dept('SKHCN', 'Sở Khoa học và Công nghệ'),
  dept('SCT', 'Sở Công Thương'),
  dept('TTT', 'Thanh tra tỉnh'),
  // Former wards of the former Sa Đéc city (ended on 1 July 2025, merged into phường Sa Đéc).
  former('SADEC-P1', 'UBND Phường 1 (thành phố Sa Đéc cũ)'),
  former('SADEC-P2', 'UBND Phường 2 (thành phố Sa Đéc cũ)'),
  former('SADEC-P3', 'UBND Phường 3 (thành phố Sa Đéc cũ)'),
  // UBND xã, phường since 1 July 2025.
  commune(DEMO_MERGED_WARD, 'UBND phường Sa Đéc', DEMO_FORMER_WARDS),
  commune('PCAOLANH', 'UBND phường Cao Lãnh'),
  commune('PMYTHO', 'UBND phường Mỹ Tho'),
  commune('PHONGNGU', 'UBND phường Hồng Ngự'),
  commune('XTANKHANHDONG', 'UBND xã Tân Khánh Đông'),
  commune('XLAIVUNG', 'UBND xã Lai Vung'),
  commune('XLAPVO', 'UBND xã Lấp Vò'),
  commune('XTHANHBINH', 'UBND xã Thanh Bình'),
  commune('XCAIBE', 'UBND xã Cái Bè'),
  commune('XTHAPMUOI', 'UBND xã Tháp Mười'),
];

export const demoUsers: { username: string; displayName: string; role: Role; orgUnitCode: string }[] = [
  { username: 'noivu', displayName: 'Nguyễn Thị Thu Hà (Sở Nội vụ)', role: 'coordinator', orgUnitCode: 'SNV' },
  { username: 'tuphap', displayName: 'Trần Văn Minh (Sở Tư pháp)', role: 'appraiser', orgUnitCode: 'STP' },
  { username: 'vanphong', displayName: 'Lê Hoàng Nam (Văn phòng UBND tỉnh)', role: 'appraiser', orgUnitCode: 'VPUB' },
  { username: 'sadec.vanthu', displayName: 'Phạm Thị Lan (văn thư UBND phường Sa Đéc)', role: 'unit_editor', orgUnitCode: DEMO_MERGED_WARD },
  { username: 'sadec.chutich', displayName: 'Võ Văn Dũng (Chủ tịch UBND phường Sa Đéc)', role: 'unit_head', orgUnitCode: DEMO_MERGED_WARD },
  { username: 'caolanh.vanthu', displayName: 'Huỳnh Ngọc Ánh (văn thư UBND phường Cao Lãnh)', role: 'unit_editor', orgUnitCode: 'PCAOLANH' },
  { username: 'caolanh.chutich', displayName: 'Đặng Quốc Bảo (Chủ tịch UBND phường Cao Lãnh)', role: 'unit_head', orgUnitCode: 'PCAOLANH' },
];

/** The 2025 templates of the demo criteria sets (departments PB, communes/wards XA); each year gets its own copy. */
export const demoFrameworks: unknown[] = [pb2025, xa2025];

/** The year of the demo's published history: 2024, the last index before the 1 July 2025 reorganisation. */
export const demoHistoryYear = (currentYear: number) => Math.min(2024, currentYear - 1);

export async function seedDemoData(app: FastifyInstance, ctx: SystemCtx) {
  const db = app.database.db;
  const year = Number(vietnamDay(ctx.now).slice(0, 4));
  const historyYear = demoHistoryYear(year);
  await db.transaction(async (tx) => {
    for (const u of demoUnits) {
      const row = await orgUnitsRepo.insert(tx, { ...u, parentCode: u.parentCode ?? null, activeTo: u.activeTo ?? null, predecessorCodes: u.predecessorCodes ?? [], createdAt: ctx.now, updatedAt: ctx.now });
      await orgUnitsRepo.recordName(tx, { unitCode: row.code, name: row.name, validFrom: u.activeFrom, recordedBy: 'demo', recordedAt: ctx.now });
      await recordAudit(tx, ctx, { action: 'org_unit.created', entityType: 'org_unit', entityId: row.code, after: { ...u, source: 'demo' } });
    }
  });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of demoUsers) await app.services.users.createAsSystem(ctx, { ...u, password: DEMO_PASSWORD }, { passwordHash });
  // Surveys first: the frameworks' survey rules must name existing questionnaires. One set per year.
  for (const y of [historyYear, year]) {
    const surveys = demoSurveysFor(y);
    for (const s of [surveys.xa, surveys.pb]) await app.services.surveys.installPublished(ctx, s);
    const fws = demoFrameworksFor(y);
    // This year's communes' set has criterion 1.3 fed from the year's inspections (issue 17); the history's is as published.
    for (const fw of [fws.pb, fws.xa]) await app.services.frameworks.installPublished(ctx, y === year ? withDemoFeeds(fw) : fw);
  }
  const active = (kind: OrgUnitKind) => demoUnits.filter((u) => u.kind === kind && !u.activeTo).map((u) => u.code);
  // Last index, published before the reorganisation: six sở and the three wards phường Sa Đéc was formed from.
  await seedDemoHistory(app, ctx, {
    year: historyYear,
    departments: ['SNV', 'VPUB', 'STP', 'STC', 'SYT', 'SGDDT'],
    wards: DEMO_FORMER_WARDS,
  });
  // The year's plan, reports and inspection exist before the round opens self-assessment, which pre-fills from them.
  await seedDemoPlans(app, ctx, demoUnits.filter((u) => !u.activeTo));
  await seedDemoRound(app, ctx, active('department'), active('commune'));
  // Citizens' answers at the one-stop desks of a few units: their survey criteria get points in the live results.
  const current = demoSurveysFor(year);
  for (const plan of demoResponsePlan) {
    const survey = plan.survey === 'xa' ? current.xa : current.pb;
    const rows = demoResponses(survey, plan.unitCode, plan.count, plan.p, plan.seed, plan.withRespondent);
    await app.services.surveys.addResponsesAsSystem(ctx, survey.code, rows, 'demo');
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
