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
});
