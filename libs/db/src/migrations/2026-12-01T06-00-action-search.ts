import { Kysely, sql } from 'kysely';

// Full-text search moves from two generated columns of `actions` to a narrow table of its own,
// written by the actions projection.
//
// The generated columns were recomputed, and their GIN entries rewritten, on every update of
// an action's row: on every event (a source attached, a link, a publication), though few of
// them change a searchable word. And a search read every matching row of `actions`, 2 KB each
// with the folded state beside the vector. `action_search` holds what a search filters,
// counts, facets and ranks on, one row per action, rewritten only when one of these changes.
//
// The projection computes `vector` in its insert, from the same parts and weights as the
// columns it replaces (see ActionSearchRepository.index); `refs` are the citations' texts and
// docket numbers reduced as the query is ('82 FR 8799' → '82fr8799'). Rows are copied from
// the columns before they are dropped, so a database migrated with them loses no search.
//
// The acting level is not stored: it is the directory's, looked up at query time per acting
// jurisdiction, so registering a jurisdiction later needs no rewrite here.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE action_search (
      id text PRIMARY KEY,
      status text NOT NULL,
      kind text NOT NULL,
      occurred_on date NOT NULL,
      acting_jurisdiction_id text NOT NULL,
      vector tsvector NOT NULL,
      refs text[] NOT NULL
    )`.execute(db);
  await sql`
    INSERT INTO action_search (id, status, kind, occurred_on, acting_jurisdiction_id, vector, refs)
    SELECT id, status, kind, occurred_on, acting_jurisdiction_id, search_vector, search_refs FROM actions`.execute(db);
  await sql`CREATE INDEX action_search_vector ON action_search USING gin (vector)`.execute(db);
  // Few actions cite anything (949 of 64,716 on the quick bench ledger): indexing only those
  // keeps the index small and every other insert off it. A query names the predicate.
  await sql`CREATE INDEX action_search_refs ON action_search USING gin (refs) WHERE refs <> '{}'`.execute(db);
  await sql`DROP INDEX IF EXISTS actions_search_refs`.execute(db);
  await sql`DROP INDEX IF EXISTS actions_search_vector`.execute(db);
  await sql`ALTER TABLE actions DROP COLUMN IF EXISTS search_refs, DROP COLUMN IF EXISTS search_vector`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS action_search`.execute(db);
  // The previous migration's columns, as it made them (its down drops them).
  await sql`
    ALTER TABLE actions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english', title), 'A')
      || setweight(jsonb_to_tsvector('english',
           jsonb_path_query_array(state, '$.citations[*].text')
           || jsonb_path_query_array(state, '$.citations[*].docketNumber')
           || jsonb_path_query_array(state, '$.citations[*].court'), '["string"]'), 'A')
      || setweight(to_tsvector('english', coalesce(state->>'summary', '')), 'B')
      || setweight(jsonb_to_tsvector('english', coalesce(state->'actors', '[]'), '["string"]'), 'B')
      || setweight(jsonb_to_tsvector('english', jsonb_path_query_array(state, '$.sources[*].title'), '["string"]'), 'C')
    ) STORED`.execute(db);
  await sql`
    ALTER TABLE actions ADD COLUMN search_refs text[] GENERATED ALWAYS AS (
      string_to_array(btrim(regexp_replace(regexp_replace(lower((
          jsonb_path_query_array(state, '$.citations[*].text')
          || jsonb_path_query_array(state, '$.citations[*].docketNumber'))::text),
        '[^a-z0-9"]', '', 'g'), '"+', ' ', 'g')), ' ')
    ) STORED`.execute(db);
  await sql`CREATE INDEX actions_search_vector ON actions USING gin (search_vector)`.execute(db);
  await sql`CREATE INDEX actions_search_refs ON actions USING gin (search_refs)`.execute(db);
}
