// Kiểm tra CCHC: the Home Affairs office records an inspection of a unit with its findings and due dates; the unit
// reports each remediation. Status: remedied (on time), late, open.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { inspectionFindings, inspections, orgUnits } from '../../db/schema.js';
import { authorize, unitFilter } from '../../auth/policy.js';
import { recordAudit } from '../../lib/audit.js';
import type { Ctx } from '../../lib/context.js';
import { NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { vnDate } from '../../lib/http.js';
import { findingStatus } from './feeds.js';
import type { DocumentReference } from '../assessments/assessments.service.js';

export interface InspectionInput {
  year: number;
  unitCode: string;
  date: string;
  findings: { code: string; text: string; dueDate: string }[];
}

type InspectionRow = typeof inspections.$inferSelect;
type FindingRow = typeof inspectionFindings.$inferSelect;

export function createInspectionsService(deps: { database: Database }) {
  const db = deps.database.db;

  const view = (i: InspectionRow, findings: FindingRow[], today: string) => ({
    id: i.id,
    year: i.year,
    unitCode: i.unitCode,
    date: i.date,
    findings: findings
      .sort((a, b) => a.position - b.position)
      .map((f) => ({ code: f.code, text: f.text, dueDate: f.dueDate, remediedOn: f.remediedOn, note: f.note, evidence: f.evidence as DocumentReference[], status: findingStatus(f, today) })),
  });

  async function load(id: string) {
    const [i] = await db.select().from(inspections).where(eq(inspections.id, id)).limit(1);
    if (!i) throw new NotFoundError('Inspection', id);
    return i;
  }

  return {
    async create(ctx: Ctx, input: InspectionInput) {
      authorize(ctx.actor, 'plan.manage');
      const errors: FieldError[] = [];
      const [unit] = await db.select({ code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.code, input.unitCode)).limit(1);
      if (!unit) errors.push({ field: 'unitCode', code: 'unknown_unit', message: `no org unit ${input.unitCode}` });
      const seen = new Set<string>();
      input.findings.forEach((f, i) => {
        if (seen.has(f.code)) errors.push({ field: `findings[${i}].code`, code: 'duplicate', message: `finding ${f.code} is listed twice` });
        seen.add(f.code);
        if (f.dueDate < input.date) errors.push({ field: `findings[${i}].dueDate`, code: 'out_of_range', message: `finding ${f.code} is due before the inspection` });
      });
      if (errors.length) throw new ValidationError(errors);
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(inspections).values({ year: input.year, unitCode: input.unitCode, date: input.date, createdBy: ctx.actor.username, createdAt: ctx.now }).returning();
        const findings = input.findings.length
          ? await tx.insert(inspectionFindings).values(input.findings.map((f, position) => ({ inspectionId: row!.id, code: f.code, position, text: f.text, dueDate: f.dueDate }))).returning()
          : [];
        await recordAudit(tx, ctx, { action: 'inspection.created', entityType: 'inspection', entityId: row!.id, after: input });
        return view(row!, findings, vnDate(ctx.now));
      });
    },

    async list(ctx: Ctx, q: { year?: number | undefined; unitCode?: string | undefined }) {
      authorize(ctx.actor, 'plan.read');
      const only = unitFilter(ctx.actor, 'plan.read');
      const unit = only ?? q.unitCode;
      const rows = (await db.select().from(inspections).orderBy(asc(inspections.date))).filter((i) => (!q.year || i.year === q.year) && (!unit || i.unitCode === unit));
      const findings = rows.length ? await db.select().from(inspectionFindings).where(inArray(inspectionFindings.inspectionId, rows.map((r) => r.id))) : [];
      const today = vnDate(ctx.now);
      return rows.map((i) => view(i, findings.filter((f) => f.inspectionId === i.id), today));
    },

    async get(ctx: Ctx, id: string) {
      authorize(ctx.actor, 'plan.read');
      const i = await load(id);
      const only = unitFilter(ctx.actor, 'plan.read');
      if (only && only !== i.unitCode) throw new NotFoundError('Inspection', id);
      return view(i, await db.select().from(inspectionFindings).where(eq(inspectionFindings.inspectionId, id)), vnDate(ctx.now));
    },

    /** The inspected unit reports how it remedied a finding. */
    async remediate(ctx: Ctx, id: string, code: string, input: { remediedOn: string; note?: string | null | undefined; evidence?: DocumentReference[] | undefined }) {
      const i = await load(id);
      authorize(ctx.actor, 'plan.report', { unitCode: i.unitCode, entity: 'Inspection', id });
      if (input.remediedOn > vnDate(ctx.now)) throw new ValidationError([{ field: 'remediedOn', code: 'in_future', message: 'the remediation date is after today' }]);
      if (input.remediedOn < i.date) throw new ValidationError([{ field: 'remediedOn', code: 'out_of_range', message: `the remediation date is before the inspection (${i.date})` }]);
      return db.transaction(async (tx) => {
        const [f] = await tx
          .update(inspectionFindings)
          .set({ remediedOn: input.remediedOn, note: input.note ?? null, evidence: input.evidence ?? [], updatedBy: ctx.actor.username, updatedAt: ctx.now })
          .where(and(eq(inspectionFindings.inspectionId, id), eq(inspectionFindings.code, code)))
          .returning();
        if (!f) throw new NotFoundError('Finding', `${id}/${code}`);
        await recordAudit(tx, ctx, { action: 'inspection.finding_remedied', entityType: 'inspection', entityId: id, after: { code, ...input } });
        return view(i, [f], vnDate(ctx.now)).findings[0]!;
      });
    },
  };
}

export type InspectionsService = ReturnType<typeof createInspectionsService>;

