import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { checkHeadSignature, checkProof, ledgerHeadSchema, ledgerProofSchema, verifyLedger, type SignedLedgerHead } from '@app/event-store';
import { err, out, progressBar, seconds, withDatabase } from '../cli-kit';

interface VerifyOptions {
  key?: string;
  head?: string;
  proof?: string;
  allowUnsigned?: boolean;
}

/** A JSON file checked against its schema, or a message that names the file and the field. */
function readJson<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not a ${what} (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a ${what}: ${issue.path.join('.') || 'the document'} ${issue.message}`);
  }
  return parsed.data;
}

/** A public key to pin: a PEM public key, or the private key itself (its public half). */
function readKey(file: string): KeyObject {
  try {
    const key = createPublicKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (error) {
    throw new Error(`--key ${file}: not an Ed25519 key in PEM (${(error as Error).message})`);
  }
}

const short = (hash: string) => `${hash.slice(0, 16)}…`;

/** `verify --proof`: needs no database, only the file (and, best, the key to trust). */
function verifyProofFile(file: string, options: VerifyOptions): void {
  const proof = readJson(file, ledgerProofSchema, 'proof from GET /api/v1/actions/{id}/proof');
  const check = checkProof(proof, { publicKey: options.key ? readKey(options.key) : undefined, allowUnsigned: options.allowUnsigned });
  out(`head: ${proof.head.size} events, root ${short(proof.head.root)}, sealed ${proof.head.sealedAt}`);
  out(
    check.signature.ok
      ? `signature: valid, key ${short(check.signature.keyId)}${check.signature.pinned ? ' (the pinned key)' : ' (the key the file carries: pin one with --key)'}`
      : `signature: ${check.signature.reason}${proof.head.signature === null && options.allowUnsigned ? ' (accepted: --allow-unsigned)' : ''}`,
  );
  for (const e of check.events) out(`${e.ok ? 'ok  ' : 'FAIL'} position ${e.position} ${e.streamId} v${e.streamVersion}${e.reason ? `: ${e.reason}` : ''}`);
  out(check.ok ? `the proof holds: ${check.events.length} events are in the ledger whose head is above` : 'the proof does NOT hold');
  if (!check.ok) process.exitCode = 1;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("recompute the ledger's seal from every event and name the first that does not match; or check a saved proof offline")
    .option('--key <file>', 'the Ed25519 public key (PEM) the seals must be signed with')
    .option('--head <file>', 'a head published earlier (GET /api/v1/ledger/head): it must be one of this ledger\'s seals')
    .option('--proof <file>', 'check this proof (GET /api/v1/actions/{id}/proof) without the database')
    .option('--allow-unsigned', 'accept a proof whose head is not signed')
    .action(async (options: VerifyOptions) => {
      if (options.proof) return verifyProofFile(options.proof, options);
      const publicKey = options.key ? readKey(options.key) : undefined;
      let published: SignedLedgerHead | undefined;
      if (options.head) {
        published = readJson(options.head, ledgerHeadSchema, 'head from GET /api/v1/ledger/head');
        const signature = checkHeadSignature(published, publicKey);
        if (!signature.ok && !(published.signature === null && options.allowUnsigned)) throw new Error(`--head ${options.head}: ${signature.reason}`);
      }
      await withDatabase(async ({ store }) => {
        const bar = progressBar('verify', 'events');
        bar.start(0, 0);
        const started = performance.now();
        const report = await verifyLedger(store, {
          publicKey,
          publishedHead: published,
          onProgress: ({ events, total }) => {
            bar.setTotal(total);
            bar.update(events);
          },
        });
        bar.stop();
        if (report.mismatch) {
          out(`FAIL: ${report.mismatch.message}`);
        } else {
          const signedBy = publicKey ? ' with the pinned key' : ' with the keys the ledger records: pin one with --key';
          out(`ok: ${report.eventsChecked} events in ${report.seals} seals match (${report.signedSeals} signed${report.signedSeals ? signedBy : ''}) in ${seconds(started)}`);
          if (report.head) out(`head: ${report.head.size} events, root ${report.head.root}, chain ${short(report.head.chain)}`);
        }
        if (report.publishedHead) out(`${report.publishedHead.ok ? 'ok' : 'FAIL'}: ${report.publishedHead.message}`);
        if (report.unsealed) err(`${report.unsealed} events written since the last seal are not covered yet`);
        if (!report.ok) process.exitCode = 1;
      })();
    });
}
