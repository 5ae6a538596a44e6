// Published frameworks are immutable (the service answers 409 and a trigger refuses any change), so their parsed
// document, leaf index and compiled scoring form can be kept in memory instead of being reloaded and rebuilt on
// every item write or results request. Drafts are never cached: they still change.
import type { Database, Db } from '../../db/client.js';
import { compileFramework, type CompiledFramework } from '../../scoring/index.js';
import { leavesOf, type Criterion, type FrameworkDocument } from './frameworks.document.js';
import { documentOf, frameworksRepo } from './frameworks.repo.js';

export interface LeafEntry {
  node: Criterion;
  area: Criterion;
  /** Position of the leaf in document order (the item's position). */
  index: number;
}

export interface LoadedFramework {
  status: string;
  doc: FrameworkDocument;
  leaves: LeafEntry[];
  leafByCode: Map<string, LeafEntry>;
  /** The engine's compiled form, built on first use. */
  compiled(): CompiledFramework;
}

// A province uses a handful of frameworks per year; the bound only guards against a pathological catalogue.
const MAX_ENTRIES = 64;
// Keyed by the Database so that two databases in one process (tests) never share entries.
const caches = new WeakMap<Database, Map<string, LoadedFramework>>();

function build(status: string, doc: FrameworkDocument): LoadedFramework {
  const leaves = leavesOf(doc).map((v, index) => ({ node: v.node, area: v.area, index }));
  let compiled: CompiledFramework | undefined;
  return {
    status,
    doc,
    leaves,
    leafByCode: new Map(leaves.map((l) => [l.node.code, l])),
    compiled: () => (compiled ??= compileFramework(doc)),
  };
}

/** The framework `code`, read through `db` (which may be a transaction of `database`) unless cached. */
export async function loadFrameworkCached(database: Database, db: Db, code: string): Promise<LoadedFramework | undefined> {
  let cache = caches.get(database);
  const hit = cache?.get(code);
  if (hit) {
    // Refresh recency for the LRU bound.
    cache!.delete(code);
    cache!.set(code, hit);
    return hit;
  }
  const row = await frameworksRepo.find(db, code);
  if (!row) return undefined;
  const entry = build(row.status, documentOf(row));
  if (row.status === 'published') {
    if (!cache) caches.set(database, (cache = new Map()));
    cache.set(code, entry);
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  return entry;
}
