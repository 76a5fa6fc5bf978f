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
  twin: JurisdictionRow | null;
  registeredAt: Date;
  childCount: number;
}

/** Where a directory page starts: after this row in (match, kind, name, id) order. */
export interface DirectoryCursor {
  match: number;
  kind: number;
  name: string;
  id: string;
}

export interface JurisdictionSearch {
  /** A name or part of one, any case, punctuation and "St."/"Saint" alike. */
  q?: string;
  /** Only jurisdictions inside this state (its OCD id). */
  stateId?: string;
  /** Only the children of this jurisdiction. */
  parentId?: string;
  level?: JurisdictionLevel;
  after?: DirectoryCursor;
  limit: number;
}

/** A directory row with what its page needs to count the actions reaching it and to page on. */
export interface DirectoryRow extends JurisdictionRow {
  ancestors: string[];
  twinId: string | null;
  cursor: DirectoryCursor;
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

  /**
   * A directory page, best match first: the whole name (or the name without its kind, "New
   * York" for "New York city"), then names that start with `q`, then names that hold it; within
   * each, cities, then counties, then states, then towns, villages and boroughs, then the rest
   * (townships, CDPs…); then by name and id. Without `q` everything is a whole match. One row
   * more than `limit` tells there is a next page. The trigram index on search_key finds the
   * rows holding `q`; ranking sorts only those.
   */
  async search({ q, stateId, parentId, level, after, limit }: JurisdictionSearch): Promise<DirectoryRow[]> {
    const key = sql<string>`directory_key(${q ?? ''})`;
    const match = sql<number>`CASE WHEN search_key = ${key} OR search_base = ${key} THEN 0
                                   WHEN search_key LIKE directory_key(${escapeLike(q ?? '')}) || '%' THEN 1
                                   ELSE 2 END`;
    const rows = await this.db
      .selectFrom('jurisdictions')
      .select(['id', 'name', 'level', 'parent_id', 'ancestors', 'twin_id', 'directory_rank'])
      .select(q ? match.as('match') : sql<number>`0`.as('match'))
      .$if(!!q, (qb) => qb.where(sql<boolean>`search_key LIKE '%' || directory_key(${escapeLike(q!)}) || '%'`))
      // Inside the state, by path: a township sits under its county, itself under the state.
      .$if(!!stateId, (qb) => qb.where(sql<boolean>`starts_with(id, ${`${stateId}/`})`))
      .$if(!!parentId, (qb) => qb.where('parent_id', '=', parentId!))
      .$if(!!level, (qb) => qb.where('level', '=', level!))
      .$if(after !== undefined, (qb) =>
        // Without a query every row is a whole match: the rest of the key is an index range.
        q
          ? qb.where(sql<boolean>`(${match}, directory_rank, name, id) > (${after!.match}::int, ${after!.kind}::int, ${after!.name}::text, ${after!.id}::text)`)
          : qb.where(sql<boolean>`(directory_rank, name, id) > (${after!.kind}::int, ${after!.name}::text, ${after!.id}::text)`),
      )
      .$if(!!q, (qb) => qb.orderBy(match))
      .orderBy('directory_rank')
      .orderBy('name')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return rows.map((r) => ({
      ...toRow(r),
      ancestors: r.ancestors,
      twinId: r.twin_id,
      cursor: { match: r.match, kind: r.directory_rank, name: r.name, id: r.id },
    }));
  }

  /**
   * How many published actions reach each jurisdiction now: its own, its twin's (a consolidated
   * city-county) and what its ancestors were affected by, each action once. One grouped
   * statement for a page, reading each timeline through the current-rows partial index.
   */
  async reachCounts(rows: readonly Pick<DirectoryRow, 'id' | 'ancestors' | 'twinId'>[]): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const pairs = rows.flatMap((r) => [
      { id: r.id, timeline: r.id, direct: true },
      ...(r.twinId ? [{ id: r.id, timeline: r.twinId, direct: true }] : []),
      ...r.ancestors.map((a) => ({ id: r.id, timeline: a, direct: false })),
    ]);
    const { rows: counts } = await sql<{ id: string; n: number }>`
      SELECT r.id, count(DISTINCT t.action_id)::int AS n
        FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS r(id text, timeline text, direct boolean)
        JOIN timeline_entries t
          ON t.jurisdiction_id = r.timeline AND t.recorded_to IS NULL AND t.status = 'published' AND (r.direct OR t.is_affected)
       GROUP BY r.id`.execute(this.db);
    return new Map(counts.map((c) => [c.id, c.n]));
  }

  /**
   * Links the consolidated city-counties among `pairs` whose two ids are both registered
   * (projection): whichever of the two arrives second completes the link.
   */
  async linkTwins(pairs: readonly (readonly [string, string])[]): Promise<void> {
    if (pairs.length === 0) return;
    const both = pairs.flatMap(([a, b]) => [{ id: a, twin: b }, { id: b, twin: a }]);
    await sql`
      UPDATE jurisdictions j SET twin_id = p.twin
        FROM jsonb_to_recordset(${JSON.stringify(both)}::jsonb) AS p(id text, twin text)
       WHERE j.id = p.id AND EXISTS (SELECT 1 FROM jurisdictions t WHERE t.id = p.twin)`.execute(this.db);
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
    const twin = row.twin_id
      ? await this.db.selectFrom('jurisdictions').select(['id', 'name', 'level', 'parent_id']).where('id', '=', row.twin_id).executeTakeFirst()
      : undefined;
    return {
      ...toRow(row),
      ancestors: row.ancestors,
      twin: twin ? toRow(twin) : null,
      registeredAt: row.registered_at,
      childCount: row.child_count ?? 0,
    };
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
