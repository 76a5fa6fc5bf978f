import { Kysely, sql } from 'kysely';

// Links between actions, both ways: filled by the asynchronous `action-relations` projection.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE action_relations (
      source_id   text        NOT NULL,
      relation    text        NOT NULL,
      target_id   text        NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (source_id, relation, target_id)
    )`.execute(db);
  await sql`CREATE INDEX action_relations_target ON action_relations (target_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS action_relations`.execute(db);
}
