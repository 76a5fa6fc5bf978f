import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { findApiKeyByPlaintext } from '@app/db';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { curatedActions } from '../../libs/policy/src/seed/curated-2017';
import { compiledApps, type CliRun } from '../support/compiled-apps';

// The operator's CLI as a process (`npm run cli -- …` runs this compiled entry) against a
// database of this file's own: what it prints, its exit codes, and what it leaves behind.

jest.setTimeout(120_000);

const build = compiledApps('cli');
const workDir = mkdtempSync(join(tmpdir(), 'pl-cli-'));
let database: TestDatabase<any>;

const cli = (...args: string[]): Promise<CliRun> => build.cli({ ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, ...args);

/** Every read table's rows in a stable order, to compare a rebuild with what it replaced. */
async function readModels(): Promise<Record<string, unknown[]>> {
  const tables = ['jurisdictions', 'actions', 'timeline_entries', 'action_relations'];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const { rows } = await sql<{ row: string }>`SELECT to_jsonb(t)::text AS row FROM ${sql.table(table)} t ORDER BY 1`.execute(database.db);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

beforeAll(async () => {
  [database] = await Promise.all([createTestDatabase(), build.compile()]);
});

afterAll(async () => {
  await database?.drop();
  build.remove();
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm run cli', () => {
  it('migrate: reports a database already up to date', async () => {
    expect(await cli('migrate')).toMatchObject({ code: 0, stdout: 'already up to date\n' });
  });

  it('status on an empty log: nothing behind, the async projection idle, the inline ones never rebuilt', async () => {
    const run = await cli('status');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('events: 0 (head position 0)\n');
    expect(run.stdout).toMatch(/action-relations\s+async\s+0\s+0\s+0\s+idle\s/);
    expect(run.stdout).toMatch(/actions\s+inline\s+-\s+0\s+-\s+-\s+- \(never rebuilt\)/);
  });

  it('seed --curated: loads the 2017 dataset once, and a second run finds it there', async () => {
    const first = await cli('seed', '--curated');
    expect(first).toMatchObject({ code: 0, stdout: `curated 2017: ${curatedActions.length} actions recorded, 0 already there\n` });
    const second = await cli('seed', '--curated');
    expect(second.stdout).toBe(`curated 2017: 0 actions recorded, ${curatedActions.length} already there\n`);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM actions`.execute(database.db);
    expect(rows[0].n).toBe(curatedActions.length);
  });

  it('keys: create prints the key alone on stdout; list shows it without the key; revoke ends it', async () => {
    const created = await cli('keys', 'create', '--role', 'curator', '--name', 'cli test');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(created.stdout).toBe(`${key}\n`);
    const found = await findApiKeyByPlaintext(database.db, key);
    expect(found).toMatchObject({ role: 'curator' });

    const listed = await cli('keys', 'list');
    expect(listed.stdout).toContain(found!.id);
    expect(listed.stdout).toContain('cli test');
    expect(listed.stdout).not.toContain(key);

    expect(await cli('keys', 'revoke', found!.id)).toMatchObject({ code: 0, stdout: `revoked ${found!.id}\n` });
    expect(await findApiKeyByPlaintext(database.db, key)).toBeNull();
    expect(await cli('keys', 'revoke', found!.id)).toMatchObject({ code: 1, stderr: expect.stringContaining('no live API key') });
  });

  it('keys create: refuses an unknown role, naming the choices, and creates nothing', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM api_keys`.execute(database.db);
    const run = await cli('keys', 'create', '--role', 'wizard');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/wizard.*analyst, curator, admin/s);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM api_keys`.execute(database.db)).rows).toEqual(before.rows);
  });

  it('rebuild all: rebuilds every read model, inline and asynchronous, to the same rows', async () => {
    // The relation graph is asynchronous: no runner has built it in this database yet.
    expect((await readModels()).action_relations).toEqual([]);
    const before = await readModels();
    const run = await cli('rebuild', 'all');
    expect(run.code).toBe(0);
    for (const name of ['jurisdictions', 'actions', 'action-relations']) expect(run.stdout).toMatch(new RegExp(`rebuilt ${name}: \\d+ events applied`));
    const after = await readModels();
    expect({ ...after, action_relations: [] }).toEqual(before);
    expect(after.action_relations.length).toBeGreaterThan(0);

    // Caught up: 0 behind and idle, though no runner is running in this database.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db);
    const status = await cli('status');
    expect(status.stdout).toContain(`events: ${rows[0].n} (head position `);
    expect(status.stdout).toMatch(/action-relations\s+async\s+\d+\s+0\s+\d+\s+idle\s/);
    expect(status.stdout).toMatch(/actions\s+inline\s+\d+\s+0\s+\d+\s+-\s+\S+ \S+ \(last rebuild\)/);
  });

  it('status: an async projection behind the log, then one stopped on an error', async () => {
    const relations = () => cli('status').then((run) => run.stdout.split('\n').find((line) => line.startsWith('action-relations'))!);
    const { rows: [head] } = await sql<{ position: number }>`SELECT max("position")::int AS position FROM events`.execute(database.db);
    try {
      await sql`UPDATE projection_checkpoints SET transaction_id = '0', "position" = 0 WHERE name = 'action-relations'`.execute(database.db);
      expect(await relations()).toMatch(new RegExp(`^action-relations\\s+async\\s+0\\s+${head.position}\\s+\\d+\\s+behind\\s`));

      const error = { message: 'boom', eventPosition: 3, eventType: 'action.recorded', streamId: 'action-x', at: new Date().toISOString() };
      await sql`UPDATE projection_checkpoints SET last_error = ${JSON.stringify(error)}::jsonb WHERE name = 'action-relations'`.execute(database.db);
      expect(await relations()).toMatch(/\sfailed\s.*FAILED at position 3 \(action\.recorded, action-x\): boom$/);
    } finally {
      // Leave the checkpoint as a caught-up runner would for the tests after this one.
      expect((await cli('rebuild', 'action-relations')).code).toBe(0);
    }
  });

  it('rebuild: an unknown projection is an error that names the choices', async () => {
    const run = await cli('rebuild', 'nosuch');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no projection "nosuch"; choose one of jurisdictions, actions, action-relations or all');
  });

  it('export then import: writes every event as NDJSON, and importing it again skips them all', async () => {
    const file = join(workDir, 'events.ndjson');
    const exported = await cli('export', '--out', file);
    expect(exported.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db);
    expect(lines).toHaveLength(rows[0].n);
    expect(await cli('import', file)).toMatchObject({ code: 0, stdout: expect.stringMatching(`imported 0 events, skipped ${rows[0].n} already there`) });
  });
});
