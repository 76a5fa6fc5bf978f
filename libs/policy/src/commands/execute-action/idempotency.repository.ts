import { sql, type Kysely } from 'kysely';

/** Where an earlier append under an idempotency key went: its stream and the version before it. */
export interface EarlierAppend {
  streamId: string;
  /** The stream's version just before that append: the expectation it was made with. */
  baseVersion: number;
}

/** The append an idempotency key was first used for, or null when the key is new. */
export async function findEarlierAppend(db: Kysely<any>, key: string): Promise<EarlierAppend | null> {
  const { rows } = await sql<{ stream_id: string; first_version: number }>`
    SELECT r.stream_id, min(r.stream_version)::int AS first_version
      FROM event_idempotency_keys k,
           jsonb_to_recordset(k.result) AS r(stream_id text, stream_version integer)
     WHERE k.key = ${key}
     GROUP BY r.stream_id`.execute(db);
  // Action commands append to one stream; a key used for anything else is not theirs to replay.
  if (rows.length !== 1) return rows.length ? { streamId: '', baseVersion: 0 } : null;
  return { streamId: rows[0].stream_id, baseVersion: rows[0].first_version - 1 };
}
