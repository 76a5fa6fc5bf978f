import { Kysely, sql } from 'kysely';

// Frozen in time: this file must keep producing the same schema, so it uses Kysely<any>
// and raw SQL rather than the project's current types.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE events (
      position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
      stream_id       text        NOT NULL,
      stream_version  integer     NOT NULL CHECK (stream_version > 0),
      type            text        NOT NULL,
      schema_version  smallint    NOT NULL DEFAULT 1,
      data            jsonb       NOT NULL,
      metadata        jsonb       NOT NULL DEFAULT '{}',
      recorded_at     timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
    )`.execute(db);
  // Gap-safe readers walk commit order: (transaction_id, position).
  await sql`CREATE INDEX events_commit_order ON events (transaction_id, position)`.execute(db);

  await sql`
    CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'ES003';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`.execute(db);

  await sql`
    CREATE TABLE event_idempotency_keys (
      key           text PRIMARY KEY,
      request_hash  text        NOT NULL,
      result        jsonb       NOT NULL,
      recorded_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE projection_checkpoints (
      name            text PRIMARY KEY,
      transaction_id  xid8        NOT NULL DEFAULT '0',
      position        bigint      NOT NULL DEFAULT 0,
      events_applied  bigint      NOT NULL DEFAULT 0,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      last_error      jsonb
    )`.execute(db);

  // One round trip per append, whatever the number of streams: the expected-version checks,
  // the inserts and (for idempotent appends) the stored result happen in one statement.
  // p_streams: [{"id": text, "expected": int}] where expected >= 0 is exact (0 = no stream),
  //   -1 = any, -2 = must exist.
  // p_events: [{"s": stream index, "t": type, "v": schema version, "d": data, "m": metadata}]
  // A version conflict raises ES001 with a JSON detail; a concurrent writer that got there
  // first surfaces as a unique violation, which the client maps to the same conflict.
  await sql`
    CREATE FUNCTION append_events(p_streams jsonb, p_events jsonb, p_idempotency_key text,
                                  p_request_hash text)
    RETURNS TABLE (stream_id text, stream_version integer, "position" bigint,
                   transaction_id xid8, recorded_at timestamptz, replayed boolean)
    LANGUAGE plpgsql AS $$
    DECLARE
      v_stream jsonb;
      v_index integer := 0;
      v_current integer;
      v_expected integer;
      v_base integer[] := '{}';
      v_existing event_idempotency_keys%ROWTYPE;
    BEGIN
      IF p_idempotency_key IS NOT NULL THEN
        SELECT * INTO v_existing FROM event_idempotency_keys k WHERE k.key = p_idempotency_key;
        IF FOUND THEN
          IF v_existing.request_hash <> p_request_hash THEN
            RAISE EXCEPTION 'idempotency key reused with a different request'
              USING ERRCODE = 'ES002', DETAIL = p_idempotency_key;
          END IF;
          RETURN QUERY SELECT r.stream_id, r.stream_version, r."position", r.transaction_id::xid8,
                              r.recorded_at, true
            FROM jsonb_to_recordset(v_existing.result) AS r(stream_id text, stream_version integer,
                 "position" bigint, transaction_id text, recorded_at timestamptz)
            ORDER BY r."position";
          RETURN;
        END IF;
      END IF;

      FOR v_stream IN SELECT value FROM jsonb_array_elements(p_streams) LOOP
        v_index := v_index + 1;
        SELECT coalesce(max(e.stream_version), 0) INTO v_current
          FROM events e WHERE e.stream_id = v_stream->>'id';
        v_expected := (v_stream->>'expected')::integer;
        IF (v_expected >= 0 AND v_current <> v_expected) OR (v_expected = -2 AND v_current = 0) THEN
          RAISE EXCEPTION 'stream % is at version %', v_stream->>'id', v_current
            USING ERRCODE = 'ES001',
                  DETAIL = jsonb_build_object('streamId', v_stream->>'id', 'actual', v_current)::text;
        END IF;
        v_base := v_base || v_current;
      END LOOP;

      -- The idempotency row is written by the same statement, from the inserted rows, so it
      -- holds exactly this append's result. A concurrent retry with the same key blocks on it
      -- until the first commits, then fails with a unique violation; the client then returns
      -- the stored result.
      RETURN QUERY
        WITH inserted AS (
          INSERT INTO events AS ev (stream_id, stream_version, type, schema_version, data, metadata)
          SELECT p_streams->((x.value->>'s')::integer)->>'id',
                 v_base[(x.value->>'s')::integer + 1]
                   + (row_number() OVER (PARTITION BY x.value->>'s' ORDER BY x.ordinality))::integer,
                 x.value->>'t', (x.value->>'v')::smallint, x.value->'d', x.value->'m'
            FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(value, ordinality)
           ORDER BY x.ordinality
          RETURNING ev.stream_id, ev.stream_version, ev."position", ev.transaction_id, ev.recorded_at
        ), remembered AS (
          INSERT INTO event_idempotency_keys (key, request_hash, result)
          SELECT p_idempotency_key, p_request_hash,
                 jsonb_agg(jsonb_build_object('stream_id', i.stream_id,
                   'stream_version', i.stream_version, 'position', i."position",
                   'transaction_id', i.transaction_id::text, 'recorded_at', i.recorded_at))
            FROM inserted i
          HAVING p_idempotency_key IS NOT NULL
        )
        SELECT i.stream_id, i.stream_version, i."position", i.transaction_id, i.recorded_at, false
          FROM inserted i ORDER BY i."position";
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS append_events(jsonb, jsonb, text, text)`.execute(db);
  await sql`DROP TABLE IF EXISTS projection_checkpoints, event_idempotency_keys`.execute(db);
  await sql`DROP TABLE IF EXISTS events`.execute(db);
  await sql`DROP FUNCTION IF EXISTS events_are_append_only()`.execute(db);
}
