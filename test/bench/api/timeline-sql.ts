import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver } from 'kysely';
import { PREPARE } from '@app/db/connection';
import { GetTimelineQuery, JurisdictionRepository, TimelineRepository } from '@app/policy';
// Not exported by @app/policy (the module registers it on the query bus); imported by path so
// the capture below runs the very code the API runs.
import { GetTimelineHandler } from '../../../libs/policy/src/queries/get-timeline/get-timeline.query-handler';

// The timeline read as raw SQL for the baseline: the statements GetTimelineHandler and
// JurisdictionRepository.ancestorsOf issue, written out by hand, and a check that they are byte-for-byte
// what Kysely compiles for the handler (text and parameters), so the baseline cannot drift.

export interface Statement {
  text: string;
  values: unknown[];
}

/** JurisdictionRepository's ancestors lookup on a cache miss. */
export const ANCESTORS_SQL = 'SELECT ancestors FROM jurisdictions WHERE id = $1';

/**
 * GetTimelineHandler's statement for `?limit=N` with no other filter: one branch per timeline
 * (the jurisdiction, its consolidated twin looked up in the statement, then each ancestor
 * nearest first), merged by DISTINCT ON.
 */
export function timelineStatement(self: string, ancestors: readonly string[], limit = 50): Statement {
  const take = limit + 1;
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  // Parameters are numbered in the order they appear in the text, as Kysely numbers them.
  const branch = (timeline: () => string, depth: number) => {
    const depthParam = p(depth);
    const timelineRef = timeline();
    const where = `recorded_to IS NULL AND status = ANY(${p(['published'])}::text[])`;
    return `
      (SELECT action_id, jurisdiction_id, kind, title, status, occurred_on::text AS occurred_on, precision,
              acting_jurisdiction_id, acting_level, relations, source_count, first_position, ${depthParam}::int AS depth,
              ${depth === 1 ? 'true' : 'false'} AS via_twin
         FROM timeline_entries
        WHERE jurisdiction_id = ${timelineRef} ${depth <= 1 ? '' : 'AND is_affected'} AND ${where}
        ORDER BY timeline_entries.occurred_on, timeline_entries.first_position
        LIMIT ${p(take)})`;
  };
  const branches = [
    branch(() => p(self), 0),
    branch(() => `(SELECT twin_id FROM jurisdictions WHERE id = ${p(self)})`, 1),
    ...ancestors.map((id, i) => branch(() => p(id), i + 2)),
  ];
  const text = `${PREPARE}
      SELECT DISTINCT ON (occurred_on, first_position) *
        FROM (${branches.join(' UNION ALL ')}) merged
       ORDER BY occurred_on, first_position, depth
       LIMIT ${p(take)}`;
  return { text, values };
}

/** A Kysely whose driver records each compiled query and answers with `rows(query)`. */
function capturingDb(rows: (q: CompiledQuery) => unknown[]): { db: Kysely<any>; captured: CompiledQuery[] } {
  const captured: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    executeQuery: async (q) => {
      captured.push(q);
      return { rows: rows(q) as any[] };
    },
    streamQuery: async function* () {
      /* not used */
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, captured };
}

/** What the handler (and the ancestry lookup) send to Postgres for this jurisdiction. */
export async function captureHandlerStatements(self: string, ancestors: string[], limit = 50): Promise<{ ancestry: Statement; timeline: Statement }> {
  const { db, captured } = capturingDb((q) => (q.sql === ANCESTORS_SQL ? [{ ancestors }] : []));
  await new GetTimelineHandler(new JurisdictionRepository(db), new TimelineRepository(db)).execute(new GetTimelineQuery(self, { limit }));
  await db.destroy();
  const [a, t] = captured;
  if (!a || !t || captured.length !== 2) throw new Error(`expected 2 statements from the handler, captured ${captured.length}`);
  return {
    ancestry: { text: a.sql, values: [...a.parameters] },
    timeline: { text: t.sql, values: [...t.parameters] },
  };
}

/** Throws unless the hand-written statements equal the handler's, for this jurisdiction. */
export async function assertSameStatements(self: string, ancestors: string[], limit = 50): Promise<void> {
  const h = await captureHandlerStatements(self, ancestors, limit);
  const mine = timelineStatement(self, ancestors, limit);
  const same = (x: Statement, y: Statement) => x.text === y.text && JSON.stringify(x.values) === JSON.stringify(y.values);
  if (!same(h.ancestry, { text: ANCESTORS_SQL, values: [self] })) {
    throw new Error(`ancestry SQL differs from the handler's:\n${JSON.stringify(h.ancestry)}\nvs\n${JSON.stringify(ANCESTORS_SQL)}`);
  }
  if (!same(h.timeline, mine)) {
    throw new Error(`timeline SQL differs from the handler's:\n${JSON.stringify(h.timeline)}\nvs\n${JSON.stringify(mine)}`);
  }
}
