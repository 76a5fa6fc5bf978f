import { sql, type Kysely } from 'kysely';
import type { JurisdictionLevel } from '../domain';
import { escapeLike, idIn } from './sql';
import type { JurisdictionsTable, PolicyDatabase } from '../database';

const CACHE_SIZE = 50_000;

export interface JurisdictionRow {
  id: string;
  name: string;
  level: JurisdictionLevel;
  parentId: string | null;
}

export interface JurisdictionDetailRow extends JurisdictionRow {
  ancestors: string[];
  registeredAt: Date;
  childCount: number;
}

export interface JurisdictionSearch {
  /** Part of the name, any case. */
  q?: string;
  level?: JurisdictionLevel;
  /** The last id of the previous page. */
  after?: string;
  limit: number;
}

/** A registered jurisdiction, as the projection writes it. */
export interface NewJurisdictionRow {
  id: string;
  name: string;
  level: JurisdictionLevel;
  parentId: string | null;
  ancestors: string[];
  registeredAt: Date;
}

/**
 * The `jurisdictions` read table: the directory and the tree. A registered jurisdiction is
 * never removed and its place in the tree never changes, so what this repository caches
 * (existence, ancestors) never goes stale; most writes and timeline reads then skip a query.
 */
export class JurisdictionRepository {
  private readonly known = new Set<string>();
  private readonly ancestry = new Map<string, string[]>();

  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /** The ids among `ids` that are not registered. */
  async missing(ids: readonly string[]): Promise<string[]> {
    const unknown = ids.filter((id) => !this.known.has(id));
    if (unknown.length === 0) return [];
    const found = new Set(
      (await this.db.selectFrom('jurisdictions').select('id').where(idIn(unknown)).execute()).map((r) => r.id),
    );
    for (const id of found) {
      if (this.known.size >= CACHE_SIZE) this.known.clear();
      this.known.add(id);
    }
    return unknown.filter((id) => !found.has(id));
  }

  /** How many jurisdictions are registered. */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('jurisdictions')
      .select((eb) => sql<number>`${eb.fn.countAll()}::int`.as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }

  /** Ancestors nearest first (empty for a country); null when the id is not registered. */
  async ancestorsOf(id: string): Promise<string[] | null> {
    const cached = this.ancestry.get(id);
    if (cached) return cached;
    // A template, not the builder: on a cold cache (a benchmark's ten thousand places) every
    // timeline read makes this lookup, and building the query cost more than sending it.
    const { rows } = await sql<{ ancestors: string[] }>`SELECT ancestors FROM jurisdictions WHERE id = ${id}`.execute(this.db);
    const row = rows[0];
    if (!row) return null;
    if (this.ancestry.size >= CACHE_SIZE) this.ancestry.delete(this.ancestry.keys().next().value!);
    this.ancestry.set(id, row.ancestors);
    return row.ancestors;
  }

  /** Ancestors of each registered id among `ids` (for placing new children). */
  async ancestorsAmong(ids: readonly string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('jurisdictions').select(['id', 'ancestors']).where(idIn(ids)).execute();
    return new Map(rows.map((r) => [r.id, r.ancestors]));
  }

  /** The names of the registered ids among `ids` (a name never changes once registered). */
  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('jurisdictions').select(['id', 'name']).where(idIn(ids)).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Directory page in id order; one row more than `limit` tells there is a next page. */
  async search({ q, level, after, limit }: JurisdictionSearch): Promise<JurisdictionRow[]> {
    const rows = await this.db
      .selectFrom('jurisdictions')
      .select(['id', 'name', 'level', 'parent_id'])
      .$if(!!q, (qb) => qb.where(sql<boolean>`name ILIKE ${`%${escapeLike(q!)}%`}`))
      .$if(!!level, (qb) => qb.where('level', '=', level!))
      .$if(after !== undefined, (qb) => qb.where('id', '>', after!))
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return rows.map(toRow);
  }

  async findDetail(id: string): Promise<JurisdictionDetailRow | null> {
    const row = await this.db
      .selectFrom('jurisdictions as j')
      .selectAll('j')
      .select((eb) =>
        eb
          .selectFrom('jurisdictions as c')
          .select((c) => sql<number>`${c.fn.countAll()}::int`.as('n'))
          .whereRef('c.parent_id', '=', 'j.id')
          .as('child_count'),
      )
      .where('j.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return { ...toRow(row), ancestors: row.ancestors, registeredAt: row.registered_at, childCount: row.child_count ?? 0 };
  }

  /** Adds newly registered jurisdictions (projection). */
  async insert(rows: readonly NewJurisdictionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((r) => ({
      id: r.id,
      name: r.name,
      level: r.level,
      parent_id: r.parentId,
      ancestors: r.ancestors,
      registered_at: r.registeredAt.toISOString(),
    }));
    // One statement whatever the batch size (a seed writes 500 at a time).
    await sql`
      INSERT INTO jurisdictions (id, name, level, parent_id, ancestors, registered_at)
      SELECT id, name, level, parent_id, ancestors, registered_at
        FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb)
          AS r(id text, name text, level text, parent_id text, ancestors text[], registered_at timestamptz)`.execute(this.db);
  }
}

function toRow(r: Pick<JurisdictionsTable, 'id' | 'name' | 'level' | 'parent_id'>): JurisdictionRow {
  return { id: r.id, name: r.name, level: r.level, parentId: r.parent_id };
}
