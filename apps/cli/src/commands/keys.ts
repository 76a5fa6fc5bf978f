import { Option, type Command } from 'commander';
import { API_KEY_ROLES, type ApiKeyRole, createApiKey, listApiKeys, revokeApiKey } from '@app/db';
import { err, out, withDatabase } from '../cli-kit';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys (stored hashed; a key is shown once, when created)');
  keys
    .command('create')
    .description('create an API key and print it')
    .addOption(new Option('--role <role>', 'what the key may do').choices(API_KEY_ROLES).makeOptionMandatory())
    .option('--name <name>', 'who or what uses it')
    .option('--expires <when>', 'when it stops working: an ISO 8601 instant, or a number of days from now')
    .action(
      withDatabase(async ({ db }, options: { role: ApiKeyRole; name?: string; expires?: string }) => {
        const expiresAt = options.expires === undefined ? null : /^\d+$/.test(options.expires) ? new Date(Date.now() + Number(options.expires) * 86_400_000) : new Date(options.expires);
        if (expiresAt && !(expiresAt.getTime() > Date.now())) throw new Error(`--expires must be a future instant or a number of days, not "${options.expires}"`);
        const { id, key } = await createApiKey(db, { role: options.role, name: options.name, expiresAt });
        // The key alone on stdout, so `KEY=$(… keys create …)` captures just it.
        err(`Created ${options.role} key ${id}${options.name ? ` (${options.name})` : ''}. It is shown only this once:`);
        out(key);
      }),
    );
  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .action(
      withDatabase(async ({ db }) => {
        const rows = await listApiKeys(db);
        if (rows.length === 0) {
          out('no API keys');
          return;
        }
        out(['id'.padEnd(36), 'role'.padEnd(8), 'created'.padEnd(20), 'revoked'.padEnd(20), 'expires'.padEnd(20), 'last used'.padEnd(20), 'name'].join('  '));
        const when = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-').padEnd(20);
        for (const k of rows) {
          out([k.id.padEnd(36), k.role.padEnd(8), when(k.createdAt), when(k.revokedAt), when(k.expiresAt), when(k.lastUsedAt), k.name ?? ''].join('  '));
        }
      }),
    );
  keys
    .command('revoke')
    .description('revoke an API key by id')
    .argument('<id>')
    .action(
      withDatabase(async ({ db }, id: string) => {
        if (!(await revokeApiKey(db, id))) throw new Error(`no live API key with id ${id}`);
        out(`revoked ${id}`);
      }),
    );
}
