import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { frameworks, orgUnits, roundGroups, rounds, surveyRespondents, surveyResponses, surveys } from '../../db/schema.js';
import { leavesOf, type Criterion } from '../frameworks/frameworks.document.js';
import { documentOf } from '../frameworks/frameworks.repo.js';
import type { DemographicField, Respondent, SurveyDimension, SurveyDocument } from './surveys.document.js';
import type { ImportRow, StoredResponse } from './surveys.import.js';
import { addCount, emptyCounts, type AnswerCounts } from './surveys.results.js';

export type SurveyRow = typeof surveys.$inferSelect;

/** What the `definition` column holds; the other document fields have their own columns. */
interface StoredDefinition {
  description: string | null;
  demographics: DemographicField[];
  dimensions: SurveyDimension[];
}

export function documentOfSurvey(row: SurveyRow): SurveyDocument {
  const def = row.definition as StoredDefinition;
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    year: row.year,
    description: def.description ?? null,
    minResponses: row.minResponses,
    demographics: def.demographics ?? [],
    dimensions: def.dimensions,
  };
}

export function surveyColumns(doc: SurveyDocument) {
  const definition: StoredDefinition = { description: doc.description, demographics: doc.demographics, dimensions: doc.dimensions };
  return { code: doc.code, name: doc.name, kind: doc.kind, year: doc.year, minResponses: doc.minResponses, definition };
}

/** Phases in which a round collects survey responses for its units. */
export const intakePhases = ['self_assessment', 'appraisal', 'explanation', 'final_appraisal', 'council_review'] as const;

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

/** The survey rules of a framework's leaves. */
export function surveyLeaves(criteria: Criterion[]) {
  return leavesOf({ criteria }).filter((v) => v.node.rule?.type === 'survey');
}

export const surveysRepo = {
  async find(db: Db, code: string): Promise<SurveyRow | undefined> {
    const [row] = await db.select().from(surveys).where(eq(surveys.code, code)).limit(1);
    return row;
  },

  async findMany(db: Db, codes: string[]): Promise<SurveyRow[]> {
    if (codes.length === 0) return [];
    return db.select().from(surveys).where(inArray(surveys.code, codes));
  },

  async lockForUpdate(db: Db, code: string): Promise<SurveyRow | undefined> {
    const [row] = await db.select().from(surveys).where(eq(surveys.code, code)).for('update').limit(1);
    return row;
  },

  async list(db: Db, f: { kind?: SurveyRow['kind'] | undefined; status?: SurveyRow['status'] | undefined; year?: number | undefined }) {
    const conds = [];
    if (f.kind) conds.push(eq(surveys.kind, f.kind));
    if (f.status) conds.push(eq(surveys.status, f.status));
    if (f.year) conds.push(eq(surveys.year, f.year));
    return db.select().from(surveys).where(and(...conds)).orderBy(asc(surveys.code));
  },

  async insert(db: Db, values: typeof surveys.$inferInsert): Promise<SurveyRow> {
    const [row] = await db.insert(surveys).values(values).returning();
    return row!;
  },

  async update(db: Db, code: string, values: Partial<typeof surveys.$inferInsert>): Promise<SurveyRow> {
    const [row] = await db.update(surveys).set(values).where(eq(surveys.code, code)).returning();
    return row!;
  },

  /** Responses per survey id. */
  async responseCounts(db: Db, surveyIds: string[]): Promise<Map<string, number>> {
    if (surveyIds.length === 0) return new Map();
    const rows = await db
      .select({ surveyId: surveyResponses.surveyId, n: sql<number>`count(*)::int` })
      .from(surveyResponses)
      .where(inArray(surveyResponses.surveyId, surveyIds))
      .groupBy(surveyResponses.surveyId);
    return new Map(rows.map((r) => [r.surveyId, r.n]));
  },

  async hasResponses(db: Db, surveyId: string): Promise<boolean> {
    const [row] = await db.select({ one: sql<number>`1` }).from(surveyResponses).where(eq(surveyResponses.surveyId, surveyId)).limit(1);
    return row !== undefined;
  },

  /**
   * Answer counts per unit (all units, or only `unitCodes`): responses per unit, and per question how often each
   * option was chosen. Aggregated in the database: a million responses come back as a few hundred rows.
   */
  async answerCounts(db: Db, surveyId: string, unitCodes?: string[]): Promise<Map<string, AnswerCounts>> {
    const unitFilter = unitCodes ? sql` and r.unit_code in (${sql.join(unitCodes.map((u) => sql`${u}`), sql`, `)})` : sql``;
    if (unitCodes && unitCodes.length === 0) return new Map();
    const totals = rowsOf<{ unit_code: string; n: number }>(
      await db.execute(sql`select r.unit_code, count(*)::int as n from survey_responses r where r.survey_id = ${surveyId}${unitFilter} group by r.unit_code`),
    );
    const out = new Map<string, AnswerCounts>();
    for (const t of totals) out.set(t.unit_code, { ...emptyCounts(), n: t.n });
    if (totals.length === 0) return out;
    const cells = rowsOf<{ unit_code: string; q: string; o: string; n: number }>(
      await db.execute(sql`
        select r.unit_code, a.key as q, a.value as o, count(*)::int as n
        from survey_responses r, jsonb_each_text(r.answers) a
        where r.survey_id = ${surveyId}${unitFilter}
        group by r.unit_code, a.key, a.value`),
    );
    for (const c of cells) addCount(out.get(c.unit_code)!, c.q, c.o, c.n);
    return out;
  },

  /** Counts for one unit of the survey with this code (engine hook); null when the survey does not exist. */
  async unitCountsByCode(db: Db, code: string, unitCode: string): Promise<{ survey: SurveyRow; counts: AnswerCounts } | null> {
    const survey = await this.find(db, code);
    if (!survey) return null;
    const counts = (await this.answerCounts(db, survey.id, [unitCode])).get(unitCode) ?? emptyCounts();
    return { survey, counts };
  },

  async findResponse(db: Db, surveyId: string, responseId: string) {
    const [row] = await db
      .select()
      .from(surveyResponses)
      .where(and(eq(surveyResponses.surveyId, surveyId), eq(surveyResponses.responseId, responseId)))
      .limit(1);
    return row;
  },

  /** One form response; undefined when the id exists already (idempotent retry). */
  async insertResponse(db: Db, values: typeof surveyResponses.$inferInsert) {
    const [row] = await db.insert(surveyResponses).values(values).onConflictDoNothing({ target: [surveyResponses.surveyId, surveyResponses.responseId] }).returning();
    return row;
  },

  async insertRespondent(db: Db, responseUuid: string, r: Respondent, now: Date) {
    await db.insert(surveyRespondents).values({ responseId: responseUuid, sex: r.sex ?? null, ageBand: r.ageBand ?? null, occupation: r.occupation ?? null, createdAt: now });
  },

  /** The responses among `ids` that the survey already has: unit, answers and version (the dry run's comparison). */
  async existingResponses(db: Db, surveyId: string, ids: string[]): Promise<Map<string, StoredResponse>> {
    if (ids.length === 0) return new Map();
    const rows = rowsOf<{ response_id: string; unit_code: string; answers: Record<string, string>; source_version: string | null; source: 'form' | 'import' }>(
      await db.execute(sql`
        select response_id, unit_code, answers, source_version, source from survey_responses
        where survey_id = ${surveyId} and response_id in (select json_array_elements_text(${JSON.stringify(ids)}::json))`),
    );
    return new Map(rows.map((r) => [r.response_id, { unitCode: r.unit_code, answers: r.answers, version: r.source_version, source: r.source }]));
  },

  /**
   * One multi-row INSERT … ON CONFLICT DO UPDATE for a batch of imported responses (ids unique in the batch): the rows
   * travel as one JSON parameter expanded by json_to_recordset (one round-trip, no per-row parameters). An id the
   * survey has is replaced only by an import, when the unit, the answers or the version differ (an edited
   * submission re-imported: its root id stays, its answers or instance id change), and never twice in one
   * transaction (a repeat later in the same file leaves the first row standing: `xmin` is this transaction's).
   * Demographics, when any row has them, go to survey_respondents for the rows written. Returns how many rows were
   * inserted and how many replaced.
   */
  async insertBatch(db: Db, surveyId: string, source: 'import' | 'form', rows: ImportRow[], now: Date): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const nowIso = now.toISOString();
    const parts: string[] = new Array(rows.length);
    let withRespondent = false;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.respondent) withRespondent = true;
      parts[i] = `{"u":${JSON.stringify(r.unitCode)},"r":${JSON.stringify(r.responseId)},"a":${JSON.stringify(r.answers)},"t":${r.submittedAt ? JSON.stringify(r.submittedAt.toISOString()) : 'null'},"v":${r.version ? JSON.stringify(r.version) : 'null'}}`;
    }
    const payload = `[${parts.join(',')}]`;
    const write = sql`
      insert into survey_responses as s (survey_id, unit_code, response_id, source, answers, submitted_at, created_at, source_version)
      select ${surveyId}::uuid, x.u, x.r, ${source}, x.a, coalesce(x.t, ${nowIso}::timestamptz), ${nowIso}::timestamptz, x.v
      from json_to_recordset(${payload}::json) as x(u text, r text, a jsonb, t timestamptz, v text)
      on conflict (survey_id, response_id) do update
        set unit_code = excluded.unit_code, answers = excluded.answers, submitted_at = excluded.submitted_at,
            source_version = coalesce(excluded.source_version, s.source_version), replaced_at = ${nowIso}::timestamptz
        where s.source = 'import' and excluded.source = 'import'
          and s.xmin <> (pg_current_xact_id()::text::bigint % 4294967296)::text::xid
          and (s.unit_code <> excluded.unit_code or s.answers <> excluded.answers
               or (s.source_version is not null and excluded.source_version is not null and s.source_version <> excluded.source_version))
      returning s.id, s.response_id, (s.xmax = 0) as fresh`;
    if (!withRespondent) {
      const [c] = rowsOf<{ inserted: number; updated: number }>(
        await db.execute(sql`with w as (${write}) select count(*) filter (where fresh)::int as inserted, count(*) filter (where not fresh)::int as updated from w`),
      );
      return { inserted: c?.inserted ?? 0, updated: c?.updated ?? 0 };
    }
    const written = rowsOf<{ id: string; response_id: string; fresh: boolean }>(await db.execute(write));
    const byId = new Map(rows.filter((r) => r.respondent).map((r) => [r.responseId, r.respondent!]));
    const people = written.flatMap((x) => {
      const r = byId.get(x.response_id);
      return r ? [{ responseId: x.id, sex: r.sex ?? null, ageBand: r.ageBand ?? null, occupation: r.occupation ?? null, createdAt: now }] : [];
    });
    if (people.length > 0) {
      await db
        .insert(surveyRespondents)
        .values(people)
        .onConflictDoUpdate({ target: surveyRespondents.responseId, set: { sex: sql`excluded.sex`, ageBand: sql`excluded.age_band`, occupation: sql`excluded.occupation` } });
    }
    const inserted = written.filter((x) => x.fresh).length;
    return { inserted, updated: written.length - inserted };
  },

  /** Deletes demographics collected before `before`; returns how many respondents were purged. */
  async purgeRespondents(db: Db, before: Date): Promise<number> {
    const rows = await db.delete(surveyRespondents).where(lt(surveyRespondents.createdAt, before)).returning({ id: surveyRespondents.responseId });
    return rows.length;
  },

  /** Coordinator-only aggregate of the optional demographics of a survey's respondents (never per unit). */
  async demographicCounts(db: Db, surveyId: string) {
    return rowsOf<{ field: DemographicField; value: string; n: number }>(
      await db.execute(sql`
        select f.field, f.value, count(*)::int as n
        from survey_respondents p
        join survey_responses r on r.id = p.response_id
        cross join lateral (values ('sex', p.sex), ('ageBand', p.age_band), ('occupation', p.occupation)) as f(field, value)
        where r.survey_id = ${surveyId} and f.value is not null
        group by f.field, f.value
        order by f.field, f.value`),
    );
  },

  async unitCodes(db: Db): Promise<Map<string, string>> {
    const rows = await db.select({ code: orgUnits.code }).from(orgUnits);
    return new Map(rows.map((r) => [r.code, r.code]));
  },

  async units(db: Db, codes: string[]) {
    if (codes.length === 0) return [];
    return db.select().from(orgUnits).where(inArray(orgUnits.code, codes));
  },

  /**
   * Round groups of rounds in an intake phase whose framework has a survey rule on `surveyCode` (optionally only
   * groups holding `unitCode`): the units that are open for responses.
   */
  async intakeGroups(db: Db, surveyCode: string, unitCode?: string) {
    const conds = [inArray(rounds.phase, [...intakePhases])];
    if (unitCode) conds.push(sql`${roundGroups.unitCodes} @> ${JSON.stringify([unitCode])}::jsonb`);
    const groups = await db
      .select({ roundId: rounds.id, roundName: rounds.name, year: rounds.year, phase: rounds.phase, code: roundGroups.code, name: roundGroups.name, frameworkCode: roundGroups.frameworkCode, unitCodes: roundGroups.unitCodes })
      .from(roundGroups)
      .innerJoin(rounds, eq(rounds.id, roundGroups.roundId))
      .where(and(...conds))
      .orderBy(asc(rounds.createdAt), asc(roundGroups.position));
    return this.filterBySurvey(db, groups, surveyCode);
  },

  /** Every round group (any phase) whose framework scores criteria from this survey: the groups of its results. */
  async resultGroups(db: Db, surveyCode: string) {
    const groups = await db
      .select({ roundId: rounds.id, roundName: rounds.name, year: rounds.year, phase: rounds.phase, code: roundGroups.code, name: roundGroups.name, frameworkCode: roundGroups.frameworkCode, unitCodes: roundGroups.unitCodes })
      .from(roundGroups)
      .innerJoin(rounds, eq(rounds.id, roundGroups.roundId))
      .orderBy(asc(rounds.createdAt), asc(roundGroups.position));
    return this.filterBySurvey(db, groups, surveyCode);
  },

  async filterBySurvey<G extends { frameworkCode: string }>(db: Db, groups: G[], surveyCode: string): Promise<G[]> {
    const codes = [...new Set(groups.map((g) => g.frameworkCode))];
    if (codes.length === 0) return [];
    const fws = await db.select().from(frameworks).where(inArray(frameworks.code, codes));
    const uses = new Set(fws.filter((f) => surveyLeaves(documentOf(f).criteria).some((l) => l.node.rule?.type === 'survey' && l.node.rule.surveyCode === surveyCode)).map((f) => f.code));
    return groups.filter((g) => uses.has(g.frameworkCode));
  },

  /** Survey rules on `surveyCode` in any framework: what a new version of the survey must keep answering. */
  async referencesTo(db: Db, surveyCode: string) {
    const fws = await db.select().from(frameworks);
    return fws.flatMap((f) =>
      surveyLeaves(documentOf(f).criteria).flatMap((l) =>
        l.node.rule?.type === 'survey' && l.node.rule.surveyCode === surveyCode ? [{ frameworkCode: f.code, criterionCode: l.node.code, rule: l.node.rule }] : [],
      ),
    );
  },
};
