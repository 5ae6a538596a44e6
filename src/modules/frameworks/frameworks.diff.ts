// Structural comparison of two frameworks (e.g. XA-2024 → XA-2025), criteria matched by code. Pure.
import canonicalize from 'canonicalize';
import { isLeaf, walkCriteria, type Criterion, type FrameworkDocument } from './frameworks.document.js';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface CriterionRef {
  code: string;
  title: string;
  maxPoints: number;
  leaf: boolean;
}

export interface FrameworkDiff {
  from: string;
  to: string;
  /** Framework-level settings that differ (name, year, caps, bands, …). */
  settings: FieldChange[];
  added: CriterionRef[];
  removed: CriterionRef[];
  changed: Array<CriterionRef & { changes: FieldChange[] }>;
  summary: { added: number; removed: number; changed: number; unchanged: number };
}

const SETTINGS = ['name', 'lineage', 'year', 'legalBasis', 'bonusCap', 'penaltyCap', 'surveyOptional', 'capIndexAt100', 'notApplicableScoring', 'bands'] as const;
/** Compared per criterion; `leaf` records a leaf that became a node or back. */
const CRITERION_FIELDS = ['title', 'maxPoints', 'kind', 'source', 'naAllowed', 'rule', 'evidence'] as const;

const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);
const ref = (c: Criterion): CriterionRef => ({ code: c.code, title: c.title, maxPoints: c.maxPoints, leaf: isLeaf(c) });

export function diffFrameworks(from: FrameworkDocument, to: FrameworkDocument): FrameworkDiff {
  const settings = SETTINGS.filter((k) => !same(from[k], to[k])).map((k) => ({ field: k, from: from[k], to: to[k] }));
  const before = new Map([...walkCriteria(from.criteria)].map((v) => [v.node.code, v.node]));
  const after = [...walkCriteria(to.criteria)].map((v) => v.node);
  const afterCodes = new Set(after.map((c) => c.code));

  const added: CriterionRef[] = [];
  const changed: FrameworkDiff['changed'] = [];
  let unchanged = 0;
  for (const node of after) {
    const old = before.get(node.code);
    if (!old) {
      added.push(ref(node));
      continue;
    }
    const changes: FieldChange[] = CRITERION_FIELDS.filter((k) => !same(old[k], node[k])).map((k) => ({ field: k, from: old[k] ?? null, to: node[k] ?? null }));
    if (isLeaf(old) !== isLeaf(node)) changes.push({ field: 'leaf', from: isLeaf(old), to: isLeaf(node) });
    if (changes.length > 0) changed.push({ ...ref(node), changes });
    else unchanged++;
  }
  const removed = [...before.values()].filter((c) => !afterCodes.has(c.code)).map(ref);
  return {
    from: from.code,
    to: to.code,
    settings,
    added,
    removed,
    changed,
    summary: { added: added.length, removed: removed.length, changed: changed.length, unchanged },
  };
}
