// Set-based reads for results, progress and exports (issue 14): every item of a round in one query instead of one
// query per unit.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { ItemRow } from '../assessments/assessments.repo.js';
import type { DecisionItem } from '../assessments/decision.js';

/** An item as results and progress need it: what decides its score, plus identity, note and the self input's presence. */
export type ResultItem = DecisionItem & Pick<ItemRow, 'id' | 'assessmentId' | 'criterionCode' | 'note'>;

/**
 * Only the columns a decision depends on (DecisionItem), for every item of a round: 120,000 rows at 1,000 units,
 * so the row is kept narrow. self_input is not read: only whether it is set matters here, so a unit's answer is
 * replaced by `true` (never shown: result views take points from selfPoints), and selfConfirmedAt is only tested for
 * presence, so it travels as epoch milliseconds instead of timestamp text that is slow to parse.
 */
const DECISION_COLUMNS = sql`i.id, i.assessment_id, i.criterion_code, i.note, i.final_points, i.na_confirmed, i.appraisal_points, i.explanation_requested,
  (extract(epoch from i.self_confirmed_at) * 1000)::float8 as self_confirmed_ms, i.not_applicable, i.self_points, (i.self_input is not null) as has_self_input`;

interface RawResultItem {
  id: string;
  assessment_id: string;
  criterion_code: string;
  note: string | null;
  final_points: string | null;
  na_confirmed: boolean | null;
  appraisal_points: string | null;
  explanation_requested: boolean;
  self_confirmed_ms: number | string | null;
  not_applicable: boolean;
  self_points: string | null;
  has_self_input: boolean;
}

/** assessment id → criterion code → item, for every assessment of the round (one query). */
export async function itemsOfRound(db: Db, roundId: string): Promise<Map<string, Map<string, ResultItem>>> {
  const result = await db.execute(sql`select ${DECISION_COLUMNS} from assessment_items i join assessments a on a.id = i.assessment_id where a.round_id = ${roundId}`);
  const out = new Map<string, Map<string, ResultItem>>();
  for (const r of (result as unknown as { rows: RawResultItem[] }).rows) {
    const item: ResultItem = {
      id: r.id,
      assessmentId: r.assessment_id,
      criterionCode: r.criterion_code,
      note: r.note,
      finalPoints: r.final_points,
      naConfirmed: r.na_confirmed,
      appraisalPoints: r.appraisal_points,
      explanationRequested: r.explanation_requested,
      selfConfirmedAt: r.self_confirmed_ms === null ? null : new Date(Number(r.self_confirmed_ms)),
      notApplicable: r.not_applicable,
      selfPoints: r.self_points,
      selfInput: r.has_self_input ? true : null,
    };
    let items = out.get(item.assessmentId);
    if (!items) out.set(item.assessmentId, (items = new Map()));
    items.set(item.criterionCode, item);
  }
  return out;
}

/** item id → number of evidence entries, for every item of the round that has any. */
export async function evidenceCountsOfRound(db: Db, roundId: string): Promise<Map<string, number>> {
  const rows = (await db.execute(sql`select e.item_id, count(*)::int as n from evidence e
    join assessment_items i on i.id = e.item_id join assessments a on a.id = i.assessment_id
    where a.round_id = ${roundId} group by e.item_id`)) as unknown as { rows: { item_id: string; n: number }[] };
  return new Map(rows.rows.map((r) => [r.item_id, Number(r.n)]));
}
