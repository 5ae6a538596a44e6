import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has working defaults for a newcomer: embedded database with demo data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, demoData: true, logLevel: 'info', trustProxy: false, corsOrigins: [] });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('turns demo data off by default on a real database, and on when asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/par' }).demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/par', DEMO_DATA: 'true' }).demoData).toBe(true);
    expect(loadConfig({ DEMO_DATA: 'false' }).demoData).toBe(false);
  });

  it('parses TRUST_PROXY as boolean, hop count or address list, and CORS_ORIGINS as a list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.gov.vn, https://b.gov.vn' }).corsOrigins).toEqual(['https://a.gov.vn', 'https://b.gov.vn']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('refuses bad values with a message naming each variable', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_PASSWORD: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_PASSWORD: 'short' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/LOG_LEVEL/);
      expect((e as Error).message).toMatch(/ADMIN_PASSWORD/);
    }
  });
});
