import { Kysely, sql } from 'kysely';

// The directory searched by name: a normalised key beside each name (lower case, punctuation
// gone, "St." read as "Saint", "Ft." as "Fort", "Mt." as "Mount"), indexed by trigrams so a
// part of a name is found without reading the whole directory; the key without the kind a
// census name ends with ("new york" for "New York city"), for whole-name matches; and the
// kind's place in the directory's order (cities, counties, states, towns, the rest), indexed
// with the name so a page of a listing without a query reads an index range, not the whole
// directory sorted. Generated columns: a rebuild (CREATE TABLE … LIKE … INCLUDING ALL) and
// every writer get them without knowing the rules, and the search applies the same function
// to what was typed.
//
// twin_id: the other OCD id of a consolidated city-county (San Francisco's county: and place:),
// written by the jurisdictions projection; null for everything else.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`
    CREATE FUNCTION directory_key(name text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
      RETURN btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
               regexp_replace(lower(name), '[.,''’()/-]+', ' ', 'g'),
               '\\mst\\M', 'saint', 'g'), '\\mft\\M', 'fort', 'g'), '\\mmt\\M', 'mount', 'g'),
               '\\s+', ' ', 'g'))`.execute(db);
  await sql`
    ALTER TABLE jurisdictions
      ADD COLUMN search_key text GENERATED ALWAYS AS (directory_key(name)) STORED,
      ADD COLUMN search_base text GENERATED ALWAYS AS (
        regexp_replace(directory_key(name), ' (city|town|village|borough|cdp|township|municipality|city and borough)$', '')) STORED,
      ADD COLUMN directory_rank smallint GENERATED ALWAYS AS (
        CASE WHEN level = 'municipal' AND lower(name) LIKE '% city' THEN 0
             WHEN level = 'county' THEN 1
             WHEN level IN ('federal', 'state') THEN 2
             WHEN level = 'municipal' AND lower(name) ~ ' (town|village|borough)$' THEN 3
             ELSE 4 END) STORED,
      ADD COLUMN twin_id text`.execute(db);
  await sql`CREATE INDEX jurisdictions_search_key ON jurisdictions USING gin (search_key gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX jurisdictions_directory_order ON jurisdictions (directory_rank, name, id)`.execute(db);
  // A directory seeded before this migration: link the twins already registered. The list as
  // it stood on this date (later registrations are linked by the projection).
  const pairs = TWINS_AT_MIGRATION.flatMap(([a, b]) => [
    { id: `ocd-division/country:us/state:${a}`, twin: `ocd-division/country:us/state:${b}` },
    { id: `ocd-division/country:us/state:${b}`, twin: `ocd-division/country:us/state:${a}` },
  ]);
  await sql`
    UPDATE jurisdictions j SET twin_id = p.twin
      FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p(id text, twin text)
     WHERE j.id = p.id AND EXISTS (SELECT 1 FROM jurisdictions t WHERE t.id = p.twin)`.execute(db);
}

const TWINS_AT_MIGRATION = [
  ['ak/borough:anchorage', 'ak/place:anchorage'],
  ['ak/borough:juneau', 'ak/place:juneau'],
  ['ak/borough:sitka', 'ak/place:sitka'],
  ['ak/borough:wrangell', 'ak/place:wrangell'],
  ['ca/county:san_francisco', 'ca/place:san_francisco'],
  ['co/county:broomfield', 'co/place:broomfield'],
  ['co/county:denver', 'co/place:denver'],
  ['ga/county:chattahoochee', 'ga/place:cusseta'],
  ['ga/county:muscogee', 'ga/place:columbus'],
  ['ga/county:webster', 'ga/place:webster_county_'],
  ['ky/county:fayette', 'ky/place:lexington'],
  ['la/parish:orleans', 'la/place:new_orleans'],
  ['mt/county:deer_lodge', 'mt/place:anaconda'],
  ['pa/county:philadelphia', 'pa/place:philadelphia'],
  ['tn/county:moore', 'tn/place:lynchburg'],
  ['tn/county:trousdale', 'tn/place:hartsville'],
];

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS jurisdictions_search_key, jurisdictions_directory_order`.execute(db);
  await sql`
    ALTER TABLE jurisdictions DROP COLUMN IF EXISTS search_key, DROP COLUMN IF EXISTS search_base,
      DROP COLUMN IF EXISTS directory_rank, DROP COLUMN IF EXISTS twin_id`.execute(db);
  await sql`DROP FUNCTION IF EXISTS directory_key(text)`.execute(db);
}
