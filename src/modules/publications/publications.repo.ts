import { and, asc, desc, eq, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { publicationRows, publications, roundGroups, rounds } from '../../db/schema.js';
import { GENESIS_PUBLICATION_HASH } from './snapshot.js';

export type PublicationRow = typeof publications.$inferSelect;
/** A publication without its (possibly large) snapshot text. */
export type PublicationMeta = Omit<PublicationRow, 'snapshot'>;

const metaColumns = {
  id: publications.id,
  roundId: publications.roundId,
  year: publications.year,
  decisionNumber: publications.decisionNumber,
  decisionDate: publications.decisionDate,
  decisionIssuer: publications.decisionIssuer,
  signerName: publications.signerName,
  signerTitle: publications.signerTitle,
  publishedAt: publications.publishedAt,
  hash: publications.hash,
  signature: publications.signature,
  keyId: publications.keyId,
  prevHash: publications.prevHash,
  supersedesId: publications.supersedesId,
  reason: publications.reason,
  createdBy: publications.createdBy,
};

const successor = alias(publications, 'successor');

// One key for the whole chain: publishing serialises so that every publication links to exactly one predecessor.
const CHAIN_LOCK = 727_002;

const INSERT_BATCH = 1_000;

export const publicationsRepo = {
  /** Serialises publishing (transaction-scoped advisory lock); call first in the publishing transaction. */
  async lockChain(tx: Db): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  },

  /**
   * The hash the next publication links to: the one publication no other publication links to (publications
   * are appended under the chain lock, so there is exactly one), or the genesis hash when there is none yet.
   */
  async chainHead(tx: Db): Promise<string> {
    const [row] = await tx
      .select({ hash: publications.hash })
      .from(publications)
      .where(sql`not exists (select 1 from ${publications} as nx where nx.prev_hash = ${publications.hash})`)
      .limit(1);
    return row?.hash ?? GENESIS_PUBLICATION_HASH;
  },

  async find(db: Db, id: string): Promise<PublicationRow | undefined> {
    const [row] = await db.select().from(publications).where(eq(publications.id, id)).limit(1);
    return row;
  },

  async findMeta(db: Db, id: string): Promise<PublicationMeta | undefined> {
    const [row] = await db.select(metaColumns).from(publications).where(eq(publications.id, id)).limit(1);
    return row;
  },

  /** The publication of the round that nothing supersedes yet (the one a correction replaces). */
  async currentOfRound(db: Db, roundId: string): Promise<PublicationMeta | undefined> {
    const [row] = await db
      .select(metaColumns)
      .from(publications)
      .where(and(eq(publications.roundId, roundId), sql`not exists (select 1 from ${publications} as s where s.supersedes_id = ${publications.id})`))
      .limit(1);
    return row;
  },

  async supersederOf(db: Db, id: string): Promise<string | null> {
    const [row] = await db.select({ id: publications.id }).from(publications).where(eq(publications.supersedesId, id)).limit(1);
    return row?.id ?? null;
  },

  /** The neighbours of a publication in the chain. */
  async chainNeighbours(db: Db, row: { prevHash: string; hash: string }) {
    const [prev] = await db.select({ id: publications.id, hash: publications.hash }).from(publications).where(eq(publications.hash, row.prevHash)).limit(1);
    const [next] = await db.select({ id: publications.id, prevHash: publications.prevHash }).from(publications).where(eq(publications.prevHash, row.hash)).limit(1);
    return { prev: prev ?? null, next: next ?? null };
  },

  /**
   * The publication with its snapshot text, or that text's UTF-8 bytes (as hashed and signed). Bytes go to the
   * database as they are (`pg` sends a Buffer as a binary bytea parameter) and are stored as the same text, so a
   * national-scale snapshot (~70 MB) is never also a JS string (UTF-16, twice that) nor encoded again by the driver.
   */
  async insert(tx: Db, values: Omit<typeof publications.$inferInsert, 'snapshot'>, snapshot: string | Buffer, rows: Omit<typeof publicationRows.$inferInsert, 'publicationId'>[]): Promise<void> {
    await tx.insert(publications).values({ ...values, snapshot: typeof snapshot === 'string' ? snapshot : sql`convert_from(${snapshot}::bytea, 'UTF8')` });
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      await tx.insert(publicationRows).values(rows.slice(i, i + INSERT_BATCH).map((r) => ({ ...r, publicationId: values.id! })));
    }
  },

  /**
   * Each unit's latest earlier published result in a framework lineage, from publications nothing supersedes
   * (a correction replaces what it corrects), before `year`.
   */
  async previousRows(db: Db, args: { lineage: string; unitCodes: string[]; year: number; excludeRoundId: string }) {
    if (args.unitCodes.length === 0) return [];
    return db
      .select({
        unitCode: publicationRows.unitCode,
        year: publicationRows.year,
        publicationId: publications.id,
        decisionNumber: publications.decisionNumber,
        frameworkCode: publicationRows.frameworkCode,
        index: publicationRows.index,
        rank: publicationRows.rank,
        band: publicationRows.band,
        bandLabel: publicationRows.bandLabel,
        publishedAt: publications.publishedAt,
      })
      .from(publicationRows)
      .innerJoin(publications, eq(publications.id, publicationRows.publicationId))
      .leftJoin(successor, eq(successor.supersedesId, publications.id))
      .where(
        and(
          eq(publicationRows.lineage, args.lineage),
          inArray(publicationRows.unitCode, args.unitCodes),
          lt(publicationRows.year, args.year),
          ne(publications.roundId, args.excludeRoundId),
          sql`${successor.id} is null`,
        ),
      )
      .orderBy(asc(publicationRows.unitCode), desc(publicationRows.year), desc(publications.publishedAt));
  },

  async list(db: Db, f: { year?: number | undefined; group?: string | undefined; roundId?: string | undefined; includeSuperseded: boolean }) {
    const conds: SQL[] = [];
    if (f.year !== undefined) conds.push(eq(publications.year, f.year));
    if (f.roundId) conds.push(eq(publications.roundId, f.roundId));
    if (f.group) conds.push(sql`exists (select 1 from ${publicationRows} pr where pr.publication_id = ${publications.id} and pr.group_code = ${f.group})`);
    if (!f.includeSuperseded) conds.push(sql`${successor.id} is null`);
    return db
      .select({ ...metaColumns, roundName: rounds.name, supersededBy: successor.id })
      .from(publications)
      .innerJoin(rounds, eq(rounds.id, publications.roundId))
      .leftJoin(successor, eq(successor.supersedesId, publications.id))
      .where(and(...conds))
      .orderBy(desc(publications.year), desc(publications.publishedAt));
  },

  /** Units per group of each publication, with the group's name and framework. */
  async groupsOf(db: Db, publicationIds: string[]) {
    if (publicationIds.length === 0) return [];
    return db
      .select({
        publicationId: publicationRows.publicationId,
        code: publicationRows.groupCode,
        frameworkCode: publicationRows.frameworkCode,
        name: roundGroups.name,
        position: roundGroups.position,
        units: sql<number>`count(*)::int`,
      })
      .from(publicationRows)
      .innerJoin(publications, eq(publications.id, publicationRows.publicationId))
      .innerJoin(roundGroups, and(eq(roundGroups.roundId, publications.roundId), eq(roundGroups.code, publicationRows.groupCode)))
      .where(inArray(publicationRows.publicationId, publicationIds))
      .groupBy(publicationRows.publicationId, publicationRows.groupCode, publicationRows.frameworkCode, roundGroups.name, roundGroups.position)
      .orderBy(asc(roundGroups.position));
  },

  /**
   * Every published result of the given units (a unit and its predecessors) from publications nothing
   * supersedes, oldest year first.
   */
  async history(db: Db, unitCodes: string[]) {
    return db
      .select({
        unitCode: publicationRows.unitCode,
        year: publicationRows.year,
        publicationId: publications.id,
        roundId: publications.roundId,
        decisionNumber: publications.decisionNumber,
        decisionDate: publications.decisionDate,
        publishedAt: publications.publishedAt,
        groupCode: publicationRows.groupCode,
        unitName: publicationRows.unitName,
        frameworkCode: publicationRows.frameworkCode,
        lineage: publicationRows.lineage,
        total: publicationRows.total,
        max: publicationRows.max,
        index: publicationRows.index,
        rank: publicationRows.rank,
        band: publicationRows.band,
        bandLabel: publicationRows.bandLabel,
        unitsInGroup: sql<number>`(select count(*)::int from ${publicationRows} g where g.publication_id = ${publicationRows.publicationId} and g.group_code = ${publicationRows.groupCode})`,
      })
      .from(publicationRows)
      .innerJoin(publications, eq(publications.id, publicationRows.publicationId))
      .leftJoin(successor, eq(successor.supersedesId, publications.id))
      .where(and(inArray(publicationRows.unitCode, unitCodes), sql`${successor.id} is null`))
      .orderBy(asc(publicationRows.year), asc(publications.publishedAt), asc(publicationRows.unitCode));
  },
};
