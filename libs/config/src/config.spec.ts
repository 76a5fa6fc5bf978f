import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from './config';

describe('parseConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.API_READ_REQUIRES_KEY).toBe(false);
  });

  it('names each bad variable and its rule', () => {
    let error: unknown;
    try {
      parseConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty', API_READ_REQUIRES_KEY: 'yes' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['API_READ_REQUIRES_KEY', 'DATABASE_URL', 'PORT']);
    expect((error as ConfigError).message).toContain('DATABASE_URL: must be a URL with protocol postgres:');
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('takes the ledger signing key as PEM or as a file, and refuses any other key', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const file = join(mkdtempSync(join(tmpdir(), 'pl-key-')), 'ledger.pem');
    writeFileSync(file, pem);
    expect(parseConfig({ LEDGER_SIGNING_KEY: pem }).LEDGER_SIGNING_KEY?.asymmetricKeyType).toBe('ed25519');
    expect(parseConfig({ LEDGER_SIGNING_KEY: file }).LEDGER_SIGNING_KEY?.asymmetricKeyType).toBe('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseConfig({ LEDGER_SIGNING_KEY: rsa })).toThrow('LEDGER_SIGNING_KEY: must be an Ed25519 private key, not rsa');
    expect(() => parseConfig({ LEDGER_SIGNING_KEY: '/no/such/key.pem' })).toThrow(/in PEM, or a file holding one \(no such file\)/);
  });
});
