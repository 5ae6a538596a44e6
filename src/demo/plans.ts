// The demo's year behind the index (issue 17): the province's CCHC plan with its appendix of tasks (worded like
// real appendices), four reporting periods with on-time, late and missing reports (one extension), one inspection
// of phường Sa Đéc with findings remedied on time, late and still open, and criterion 1.3 of the communes' set fed
// from those findings. Everything is written through the services, before the demo round opens self-assessment,
// so the round's pre-fill finds it. Dates are of the current year; nothing is reported after today.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { OrgUnitKind } from '../db/schema.js';
import type { Actor, Ctx, SystemCtx } from '../lib/context.js';
import { parseTimeframe } from '../modules/plans/timeframe.js';
import { vietnamDay } from '../modules/rounds/lifecycle.js';
import { actorFor } from './round.js';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** 09:00 in Vietnam on that day, as the instant a report was sent. */
const morningOf = (day: string) => new Date(`${day}T02:00:00Z`);

/** The criterion the demo feeds: communes' 1.3 "findings of CCHC inspections remedied" (rule: tiered ratio). */
export const DEMO_FED_CRITERION = { frameworkPrefix: 'XA-', code: '1.3', source: 'findings_remedied' } as const;

interface Node {
  code: string;
  feed?: { source: string };
  children?: Node[];
}

/** The framework with the demo's fed leaf (only the current year's set: the published history stays as it was). */
export function withDemoFeeds<T extends { code: string }>(fw: T): T {
  if (!fw.code.startsWith(DEMO_FED_CRITERION.frameworkPrefix)) return fw;
  const copy = structuredClone(fw) as T & { criteria: Node[] };
  const find = (nodes: Node[]): Node | undefined => {
    for (const n of nodes) {
      if (n.code === DEMO_FED_CRITERION.code) return n;
      const inner = find(n.children ?? []);
      if (inner) return inner;
    }
    return undefined;
  };
  const leaf = find(copy.criteria);
  if (leaf) leaf.feed = { source: DEMO_FED_CRITERION.source };
  return copy;
}

interface DemoUnit {
  code: string;
  name: string;
  kind: OrgUnitKind;
}

/** [area, task, product, lead (name as written), support, timeframe]: the appendix as the office wrote it. */
type Row = [string, string, string, string, string, string];

const appendix = (y: number): Row[] => [
  ['1', 'Xây dựng và tổ chức thực hiện Kế hoạch cải cách hành chính năm', 'Kế hoạch; báo cáo kết quả', 'Sở Nội vụ', 'Các sở, ban, ngành; UBND các xã, phường', `Tháng 01/${y}`],
  ['1', 'Xây dựng và tổ chức thực hiện Kế hoạch tuyên truyền cải cách hành chính', 'Kế hoạch; báo cáo kết quả', 'Sở Nội vụ', 'Sở Văn hóa, Thể thao và Du lịch', `Tháng 02/${y}`],
  ['1', 'Kiểm tra công tác cải cách hành chính tại các cơ quan, đơn vị', 'Kế hoạch kiểm tra; báo cáo kết quả kiểm tra', 'Sở Nội vụ', 'Văn phòng UBND tỉnh', `Quý II/${y}`],
  ['1', 'Xác định Chỉ số cải cách hành chính của các sở, ban, ngành và UBND các xã, phường', 'Báo cáo; quyết định công bố', 'Sở Nội vụ', 'Các sở, ban, ngành', `chậm nhất ngày 10/12/${y}`],
  ['2', 'Xây dựng và triển khai Kế hoạch rà soát, hệ thống hóa văn bản quy phạm pháp luật', 'Kế hoạch; báo cáo kết quả', 'Sở Tư pháp', 'Các sở, ban, ngành', `Quý I/${y}`],
  ['2', 'Tự kiểm tra, kiểm tra văn bản quy phạm pháp luật trên địa bàn tỉnh', 'Báo cáo của UBND tỉnh', 'Sở Tư pháp', 'Các sở, ban, ngành', `Trong năm ${y}`],
  ['2', 'Xây dựng kế hoạch và tổ chức tuyên truyền, phổ biến, giáo dục pháp luật', 'Kế hoạch; báo cáo kết quả', 'Sở Tư pháp', 'UBND các xã, phường', `Tháng 03/${y}`],
  ['3', 'Xây dựng và triển khai Kế hoạch kiểm soát, rà soát thủ tục hành chính', 'Kế hoạch; báo cáo kết quả thực hiện', 'Văn phòng UBND tỉnh', 'Các sở, ban, ngành', `Quý I/${y}`],
  ['3', 'Đánh giá việc giải quyết thủ tục hành chính tại Trung tâm Phục vụ hành chính công', 'Báo cáo kết quả', 'Văn phòng UBND tỉnh', 'Các sở, ban, ngành', 'Hàng quý'],
  ['3', 'Niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa cấp xã', 'Báo cáo kiểm soát TTHC', 'UBND phường Sa Đéc', 'Văn phòng UBND tỉnh', `Quý II/${y}`],
  ['3', 'Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa', 'Báo cáo kết quả số hóa', 'UBND phường Cao Lãnh', 'Sở Khoa học và Công nghệ', `Tháng 09/${y}`],
  ['4', 'Rà soát, sắp xếp tổ chức bộ máy các cơ quan chuyên môn sau khi thực hiện chính quyền địa phương hai cấp', 'Quyết định; báo cáo', 'Sở Nội vụ', 'Các sở, ban, ngành', `Quý III/${y}`],
  ['4', 'Tổ chức kiểm tra tình hình thực hiện phân cấp, ủy quyền tại UBND các xã, phường', 'Kế hoạch kiểm tra; báo cáo kết quả kiểm tra', 'Sở Nội vụ', 'UBND các xã, phường', `Trong năm ${y}`],
  ['5', 'Hoàn thiện và ban hành quyết định vị trí việc làm của cơ quan, tổ chức thuộc phạm vi quản lý', 'Quyết định', 'Sở Nội vụ', 'Các sở, ban, ngành', `Quý II/${y}`],
  ['5', 'Xây dựng và triển khai Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức cấp xã', 'Kế hoạch; báo cáo kết quả', 'UBND phường Sa Đéc', 'Sở Nội vụ', `Tháng 10/${y}`],
  ['6', 'Kiểm tra việc thực hiện các quy định về quản lý, sử dụng tài sản công', 'Báo cáo kết quả thực hiện', 'Sở Tài chính', 'Các sở, ban, ngành', `Trong năm ${y}`],
  ['6', 'Triển khai cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập', 'Báo cáo kết quả thực hiện', 'Sở Tài chính', 'Sở Y tế; Sở Giáo dục và Đào tạo', `Tháng 06/${y}`],
  ['7', 'Ban hành và triển khai Kế hoạch chuyển đổi số trong hoạt động của cơ quan hành chính nhà nước', 'Kế hoạch; báo cáo kết quả thực hiện', 'Sở Khoa học và Công nghệ', 'Các sở, ban, ngành; UBND các xã, phường', `Tháng 03/${y}`],
  ['7', 'Cung cấp dịch vụ công trực tuyến toàn trình trên Cổng Dịch vụ công quốc gia', 'Báo cáo tỷ lệ hồ sơ trực tuyến', 'Sở Khoa học và Công nghệ', 'Văn phòng UBND tỉnh', 'Hàng quý'],
  ['7', 'Duy trì, cải tiến hệ thống quản lý chất lượng theo TCVN ISO 9001:2015', 'Báo cáo kết quả', 'UBND phường Cao Lãnh', 'Sở Khoa học và Công nghệ', 'Thường xuyên'],
];

/** A unit of the demo by its name; units the demo no longer seeds are left out (their tasks too). */
const byName = (units: DemoUnit[], name: string) => units.find((u) => u.name === name)?.code;

/** Expands "Các sở, ban, ngành; UBND các xã, phường" to the demo's units; a named unit to itself. */
function supportOf(text: string, units: DemoUnit[], lead: string): string[] {
  const out: string[] = [];
  for (const part of text.split(';').map((s) => s.trim())) {
    if (part === 'Các sở, ban, ngành') out.push(...units.filter((u) => u.kind === 'department').map((u) => u.code));
    else if (part === 'UBND các xã, phường') out.push(...units.filter((u) => u.kind === 'commune').map((u) => u.code));
    else {
      const code = byName(units, part);
      if (code) out.push(code);
    }
  }
  return [...new Set(out)].filter((c) => c !== lead);
}

/** Stable small number from a key, to spread the demo's on-time, late and missing cases. */
const spread = (key: string, mod: number) => createHash('sha256').update(key).digest()[0]! % mod;

function unitActor(code: string): Actor {
  // The demo reports for units without demo accounts; the audit trail names it for what it is.
  return { userId: '00000000-0000-4000-8000-000000000d17', username: `demo.${code.toLowerCase()}`, displayName: `Dữ liệu mẫu (${code})`, role: 'unit_editor', orgUnitCode: code, tokenId: 'demo-seed', tokenKind: 'session' };
}

export async function seedDemoPlans(app: FastifyInstance, system: SystemCtx, units: DemoUnit[]) {
  const { plans, reports, inspections } = app.services;
  const today = vietnamDay(system.now);
  const year = Number(today.slice(0, 4));
  const coordinator: Ctx = { actor: await actorFor(app, 'noivu'), requestId: system.requestId, now: system.now };
  const as = (code: string, now = system.now): Ctx => ({ actor: unitActor(code), requestId: system.requestId, now });

  // The plan: tasks whose lead the demo seeds, coded by area as an import would.
  const perArea = new Map<string, number>();
  const tasks = appendix(year).flatMap(([area, title, product, leadName, support, timeframe]) => {
    const lead = byName(units, leadName);
    if (!lead) return [];
    const n = (perArea.get(area) ?? 0) + 1;
    perArea.set(area, n);
    return [{ code: `${area}.${n}`, area, title, product, leadUnitCode: lead, supportUnitCodes: supportOf(support, units, lead), timeframe, dueDates: parseTimeframe(timeframe, year).dueDates }];
  });
  const planCode = `KH-CCHC-${year}`;
  await plans.create(coordinator, {
    year,
    code: planCode,
    title: `Kế hoạch cải cách hành chính năm ${year} của UBND tỉnh Đồng Tháp`,
    decision: { number: `12/KH-UBND`, date: `${year}-01-08` <= today ? `${year}-01-08` : today },
    tasks,
  });
  // Progress: most tasks done before their deadline, some late, some never reported (overdue), later ones under way.
  for (const t of tasks) {
    const deadline = t.dueDates.at(-1);
    if (!deadline) continue;
    const k = spread(`${planCode}/${t.code}`, 5);
    if (deadline <= today) {
      if (k === 0) continue;
      const late = k === 1 && addDays(deadline, 12) <= today;
      const done = late ? addDays(deadline, 12) : addDays(deadline, -5) < `${year}-01-02` ? `${year}-01-02` : addDays(deadline, -5);
      if (done > today) continue;
      await plans.putProgress(as(t.leadUnitCode), planCode, t.code, t.leadUnitCode, { status: 'done', completedOn: done, note: late ? 'Hoàn thành chậm do chờ hướng dẫn của Bộ' : 'Đã hoàn thành' });
    } else if (k % 2 === 0) {
      await plans.putProgress(as(t.leadUnitCode), planCode, t.code, t.leadUnitCode, { status: 'in_progress', note: 'Đang triển khai' });
    }
  }

  // Four reporting periods for every assessed unit; reports sent on time, late or not at all.
  const assessed = units.filter((u) => u.kind === 'department' || u.kind === 'commune').map((u) => u.code);
  const periods = [
    { kind: 'quarter' as const, label: `Báo cáo CCHC quý I/${year}`, cutoffTo: `${year}-03-31`, dueDate: `${year}-04-05` },
    { kind: 'half_year' as const, label: `Báo cáo CCHC 6 tháng đầu năm ${year}`, cutoffTo: `${year}-06-30`, dueDate: `${year}-07-05` },
    { kind: 'quarter' as const, label: `Báo cáo CCHC quý III/${year}`, cutoffTo: `${year}-09-30`, dueDate: `${year}-10-05` },
    { kind: 'year' as const, label: `Báo cáo CCHC năm ${year}`, cutoffTo: `${year}-11-30`, dueDate: `${year}-12-05` },
  ];
  // Phường Sa Đéc's story: quý I on time, 6 tháng late, quý III missing; phường Cao Lãnh always on time.
  const story: Record<string, (number | null)[]> = { PSADEC: [-2, 6, null, -1], PCAOLANH: [-3, -2, -1, -1] };
  // One extension, in quý III, for the first commune outside the story.
  const extended = units.find((u) => u.kind === 'commune' && !(u.code in story))?.code;
  for (const [j, p] of periods.entries()) {
    const period = await reports.create(coordinator, { year, kind: p.kind, label: p.label, cutoffFrom: `${year}-01-01`, cutoffTo: p.cutoffTo, dueDate: p.dueDate, unitCodes: assessed });
    for (const code of assessed) {
      const h = spread(`${p.label}/${code}`, 8);
      let offset: number | null = story[code] ? story[code][j]! : h === 0 ? null : h === 1 ? 4 : -1 - (h % 3);
      // One extension: the unit asked in time and sent within it.
      if (j === 2 && code === extended) {
        await reports.extend(coordinator, period.id, code, { dueDate: addDays(p.dueDate, 10), reason: 'Chờ số liệu của các đơn vị trực thuộc sau sắp xếp' });
        offset = 3;
      }
      if (offset === null) continue;
      const sent = addDays(p.dueDate, offset);
      if (sent > today) continue;
      const unitName = units.find((u) => u.code === code)?.name ?? code;
      await reports.submit(as(code, morningOf(sent)), period.id, code, { docNumber: `${10 + j}/BC-${code}`, docDate: sent, issuer: unitName, title: p.label });
    }
  }

  // One inspection of phường Sa Đéc: one finding remedied on time, one late, one still open.
  const ward = units.find((u) => u.code === 'PSADEC') ?? units.find((u) => u.kind === 'commune');
  if (ward) {
    const date = `${year}-05-20`;
    const findings = [
      { code: '1', text: 'Chưa niêm yết công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa', dueDate: `${year}-07-31`, remedied: `${year}-07-15` },
      { code: '2', text: 'Một số hồ sơ giải quyết trễ hạn chưa có văn bản xin lỗi người dân', dueDate: `${year}-08-31`, remedied: `${year}-09-10` },
      { code: '3', text: 'Chưa cập nhật kết quả giải quyết hồ sơ lên Hệ thống thông tin giải quyết TTHC của tỉnh', dueDate: `${year}-10-31`, remedied: null },
    ];
    const insp = await inspections.create(coordinator, { year, unitCode: ward.code, date, findings: findings.map(({ code, text, dueDate }) => ({ code, text, dueDate })) });
    for (const f of findings) {
      if (!f.remedied || f.remedied > today || f.remedied < date) continue;
      await inspections.remediate(as(ward.code), insp.id, f.code, { remediedOn: f.remedied, note: 'Đã khắc phục, có báo cáo kèm theo' });
    }
  }
}
