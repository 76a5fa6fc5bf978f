import { Kysely, sql } from 'kysely';

// Full-text search of actions. Both columns are generated from the row itself (title and the
// folded state), so the projection that writes `actions` needs no change, a rebuild (CREATE
// TABLE … LIKE … INCLUDING ALL) recomputes them, and PGlite computes them the same way.
//
// search_vector weighs what an analyst means most when a word appears there: the title and the
// citations (A), the summary and who acted (B), the sources' titles (C). The citations' `kind`
// is left out: its values ('federal_register') would make every cited action a hit for
// "federal".
//
// search_refs holds each citation's text and docket number reduced to lower-case letters and
// digits ('82 FR 8799' → '82fr8799', '3:17-cv-00574' → '317cv00574'): the english parser
// splits such strings into numbers and fragments that match far too much, so a query that is
// exactly one of them is also looked up here, whole. The jsonb array's text form is split on its
// quotes after everything but letters, digits and quotes is dropped (a subquery, which would
// read clearer, is not allowed in a generated column).

export async function up(db: Kysely<any>): Promise<void> {
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
  // A search within a jurisdiction covers its descendants: those whose ancestors name it.
  await sql`CREATE INDEX jurisdictions_ancestors ON jurisdictions USING gin (ancestors)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS jurisdictions_ancestors`.execute(db);
  await sql`DROP INDEX IF EXISTS actions_search_refs`.execute(db);
  await sql`DROP INDEX IF EXISTS actions_search_vector`.execute(db);
  await sql`ALTER TABLE actions DROP COLUMN IF EXISTS search_refs, DROP COLUMN IF EXISTS search_vector`.execute(db);
}
