import { and, desc, eq, ilike, max, ne, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { frameworks, type FrameworkStatus } from '../../db/schema.js';
import type { Band, Criterion, FrameworkDocument } from './frameworks.document.js';

export type FrameworkRow = typeof frameworks.$inferSelect;

export interface FrameworkFilter {
  year?: number | undefined;
  status?: FrameworkStatus | undefined;
  lineage?: string | undefined;
  q?: string | undefined;
}

export const frameworksRepo = {
  async find(db: Db, code: string): Promise<FrameworkRow | undefined> {
    const [row] = await db.select().from(frameworks).where(eq(frameworks.code, code)).limit(1);
    return row;
  },

  async lockForUpdate(db: Db, code: string): Promise<FrameworkRow | undefined> {
    const [row] = await db.select().from(frameworks).where(eq(frameworks.code, code)).for('update').limit(1);
    return row;
  },

  async list(db: Db, f: FrameworkFilter): Promise<FrameworkRow[]> {
    const conds: SQL[] = [];
    if (f.year !== undefined) conds.push(eq(frameworks.year, f.year));
    if (f.status) conds.push(eq(frameworks.status, f.status));
    if (f.lineage) conds.push(eq(frameworks.lineage, f.lineage));
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      conds.push(or(ilike(frameworks.name, like), ilike(frameworks.code, like))!);
    }
    return db
      .select()
      .from(frameworks)
      .where(and(...conds))
      .orderBy(desc(frameworks.year), frameworks.lineage, desc(frameworks.version));
  },

  /** The version a new framework of (lineage, year) gets: one above the highest, ignoring `except`. */
  async nextVersion(db: Db, lineage: string, year: number, except?: string): Promise<number> {
    const conds = [eq(frameworks.lineage, lineage), eq(frameworks.year, year)];
    if (except) conds.push(ne(frameworks.code, except));
    const [row] = await db.select({ v: max(frameworks.version) }).from(frameworks).where(and(...conds));
    return (row?.v ?? 0) + 1;
  },

  async insert(db: Db, values: typeof frameworks.$inferInsert): Promise<FrameworkRow> {
    const [row] = await db.insert(frameworks).values(values).returning();
    return row!;
  },

  async update(db: Db, code: string, values: Partial<typeof frameworks.$inferInsert>): Promise<FrameworkRow> {
    const [row] = await db.update(frameworks).set(values).where(eq(frameworks.code, code)).returning();
    return row!;
  },
};

/** Columns holding a document; numerics are written as decimal strings (exact). */
export function documentColumns(doc: FrameworkDocument) {
  return {
    code: doc.code,
    lineage: doc.lineage,
    name: doc.name,
    year: doc.year,
    legalBasis: doc.legalBasis,
    bonusCap: String(doc.bonusCap),
    penaltyCap: String(doc.penaltyCap),
    surveyOptional: doc.surveyOptional,
    capIndexAt100: doc.capIndexAt100,
    notApplicableScoring: doc.notApplicableScoring,
    bands: doc.bands,
    criteria: doc.criteria,
  };
}

export function documentOf(row: FrameworkRow): FrameworkDocument {
  return {
    code: row.code,
    lineage: row.lineage,
    name: row.name,
    year: row.year,
    legalBasis: row.legalBasis,
    bonusCap: Number(row.bonusCap),
    penaltyCap: Number(row.penaltyCap),
    surveyOptional: row.surveyOptional,
    capIndexAt100: row.capIndexAt100,
    notApplicableScoring: row.notApplicableScoring,
    bands: row.bands as Band[],
    criteria: row.criteria as Criterion[],
  };
}
